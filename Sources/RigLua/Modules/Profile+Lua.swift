internal import CRigLua
import RigKit

// rig.profile (native part): finding prefixed lines in large logs.
extension LuaHost {
  func openProfileModule() {
    registerModule(
      "rig._native.profile",
      [
        (
          "scan",
          { call in
            // scan(text, prefix, strip) -> { {line = n, text = payload}, ... }
            var length = 0
            guard let text = rig_tostring(call.L, 1, &length) else {
              throw LuaArgumentError.type(index: 1, expected: "string")
            }
            let prefix = Array(try call.string(2).utf8)
            let buffer = UnsafeRawBufferPointer(start: text, count: length)
            let found = LineScanner.matches(in: buffer, prefix: prefix, strip: call.boolean(3))
            _ = rig_checkstack(call.L, 4)
            rig_newtable(call.L, Int32(clamping: found.count), 0)
            for (k, m) in found.enumerated() {
              rig_newtable(call.L, 0, 2)
              rig_pushinteger(call.L, Int64(m.line))
              rig_rawsetfield(call.L, -2, "line")
              rig_pushlstring(call.L, text + m.payload.lowerBound, m.payload.count)
              rig_rawsetfield(call.L, -2, "text")
              rig_rawseti(call.L, -2, Int64(k + 1))
            }
            return 1
          }
        ),
      ])
  }
}
