internal import CRigLua
import Foundation
import RigKit

// rig._native.core: facts about the host that the Lua stdlib needs.
extension LuaHost {
  func openCoreModule() {
    registerModule(
      "rig._native.core",
      [
        ("version", { call in call.push(RigVersion.string) }),
        (
          "sha256",
          { call in
            var length = 0
            guard let p = rig_tostring(call.L, 1, &length) else { throw LuaArgumentError.type(index: 1, expected: "string") }
            return call.push(SHA256.hex(UnsafeRawBufferPointer(start: p, count: length)))
          }
        ),
        (
          "embedded",
          { call in
            // A file built into rig (recipes/workloads/*.py, ...), by its repository path.
            guard let text = embeddedLuaFiles[try call.string(1)] else { return call.pushNil() }
            return call.push(text)
          }
        ),
        (
          "embedded_list",
          { call in
            let prefix = try call.string(1)
            return call.push(.array(embeddedLuaFiles.keys.filter { $0.hasPrefix(prefix) }.sorted().map { .string($0) }))
          }
        ),
        (
          "fixed",
          { call in
            // fixed(x, digits): string.format("%.<digits>f", x), without printf (CRigLua/fixed.c).
            let x = try call.number(1)
            let digits = try call.integer(2)
            guard digits >= 0 && digits <= 9 else { throw LuaArgumentError.message(index: 2, "0 to 9 digits expected") }
            var small = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            let n = withUnsafeMutableBytes(of: &small) { raw -> Int in
              let p = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
              let n = rig_format_fixed(x, Int32(digits), p, raw.count)
              if n < raw.count { rig_pushlstring(call.L, p, n) }
              return n
            }
            if n >= 64 {  // a huge value: printf's full digits
              var big = [CChar](repeating: 0, count: n + 1)
              _ = rig_format_fixed(x, Int32(digits), &big, big.count)
              rig_pushlstring(call.L, big, n)
            }
            return 1
          }
        ),
        ("isatty", { call in call.push(isatty(Int32(try call.integer(1))) == 1) }),
        (
          "interrupted",
          { call in
            guard let signal = LuaHost.interruptSignal else { return call.pushNil() }
            return call.push(Int64(signal))
          }
        ),
        (
          "memory",
          { call in
            call.push(.table([("used", .integer(Int64(rig_memory_used(call.L)))),
                              ("limit", .integer(Int64(rig_memory_limit(call.L))))]))
          }
        ),
        (
          "error",
          { call in
            // rig.error(code, message): a coded error value, for recipes and the stdlib.
            let code = try call.string(1)
            let message = try call.string(2)
            rig_push_error(call.L, code, message, -1)
            return 1
          }
        ),
      ])
  }
}
