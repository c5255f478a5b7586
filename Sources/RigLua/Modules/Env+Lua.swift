import Foundation
import RigKit

#if canImport(Glibc)
  import Glibc
#endif

// rig.env (native part): changing Rig's environment for the children it starts, and finding
// programs. The rest (host metadata, tool versions) is Lua in stdlib/rig/env.lua.
extension LuaHost {
  func openEnvModule() {
    registerModule(
      "rig._native.env",
      [
        (
          "set",
          { call in
            let name = try call.string(1)
            guard !name.isEmpty, !name.contains("="), !name.utf8.contains(0) else {
              throw LuaArgumentError.message(index: 1, "a variable name without '=' or NUL expected")
            }
            if call.isNoneOrNil(2) {
              unsetenv(name)
            } else {
              let value = try call.string(2)
              guard !value.utf8.contains(0) else { throw LuaArgumentError.message(index: 2, "a value without NUL bytes expected") }
              setenv(name, value, 1)
            }
            ProcessRunner.environmentDidChange()
            return 0
          }
        ),
        (
          "pid",
          { call in call.push(Int64(getpid())) }
        ),
        (
          "which",
          { call in
            let name = try call.string(1)
            let path = try call.optionalString(2) ?? ProcessInfo.processInfo.environment["PATH"]
            guard !name.isEmpty, !name.utf8.contains(0), !(path ?? "").utf8.contains(0) else { return call.pushNil() }
            guard !name.contains("/") || FileManager.default.isExecutableFile(atPath: name),
              let found = ExecutableLookup.find(name, searchPath: path)
            else { return call.pushNil() }
            return call.push(found)
          }
        ),
        (
          "all",
          { call in
            let pairs = ProcessInfo.processInfo.environment.sorted { $0.key < $1.key }
            return call.push(.table(pairs.map { ($0.key, LuaValue.string($0.value)) }))
          }
        ),
        ("hostname", { call in call.push(ProcessInfo.processInfo.hostName) }),
        (
          "executable",
          { call in
            guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
              return call.pushNil()
            }
            return call.push(path)
          }
        ),
        ("cpu_count", { call in call.push(Int64(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }),
        (
          "uname",
          { call in
            var u = utsname()
            uname(&u)
            func text<T>(_ field: T) -> String {
              withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            }
            return call.push(.table([
              ("sysname", .string(text(u.sysname))), ("release", .string(text(u.release))),
              ("version", .string(text(u.version))), ("machine", .string(text(u.machine))),
            ]))
          }
        ),
      ])
  }
}
