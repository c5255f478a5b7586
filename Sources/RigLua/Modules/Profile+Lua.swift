internal import CRigLua
import RigKit

// rig.profile (native part): finding prefixed lines in large logs without copying them.
extension LuaHost {
  /// Pushes the matches as one flat list {line, first, last, line, first, last, ...} (1-based,
  /// inclusive byte positions, as string.sub takes them).
  private static func pushMatches(_ call: LuaCall, _ found: [LineScanner.Match]) -> Int32 {
    _ = rig_checkstack(call.L, 3)
    rig_newtable(call.L, Int32(clamping: found.count * 3), 0)
    var k: Int64 = 1
    for m in found {
      rig_pushinteger(call.L, Int64(m.line))
      rig_rawseti(call.L, -2, k)
      rig_pushinteger(call.L, Int64(m.payload.lowerBound + 1))
      rig_rawseti(call.L, -2, k + 1)
      rig_pushinteger(call.L, Int64(m.payload.upperBound))
      rig_rawseti(call.L, -2, k + 2)
      k += 3
    }
    return 1
  }

  func openProfileModule() {
    registerModule(
      "rig._native.profile",
      [
        (
          "scan",
          { call in
            // scan(text, prefix, strip) -> {line, first, last, ...}
            var length = 0
            guard let text = rig_tostring(call.L, 1, &length) else {
              throw LuaArgumentError.type(index: 1, expected: "string")
            }
            let prefix = Array(try call.string(2).utf8)
            let found = LineScanner.matches(
              in: UnsafeRawBufferPointer(start: text, count: length), prefix: prefix, strip: call.boolean(3))
            return Self.pushMatches(call, found)
          }
        ),
        (
          "scan_file",
          { call in
            // scan_file(path, prefix, strip) -> {line, first, last, ...} | nil, err
            // The file is read into Swift memory, never a Lua string (bounded by the ceiling).
            let path = try call.path(1)
            let prefix = Array(try call.string(2).utf8)
            let strip = call.boolean(3)
            return try Self.fs(call) {
              let found = try FileSystem.withContents(path, maxBytes: call.memoryBudget) {
                LineScanner.matches(in: $0, prefix: prefix, strip: strip)
              }
              return Self.pushMatches(call, found)
            }
          }
        ),
        (
          "read_range",
          { call in
            // read_range(path, first, last) -> bytes first..last (1-based, inclusive)
            let path = try call.path(1)
            let first = try call.integer(2), last = try call.integer(3)
            guard first >= 1, last >= first - 1, last - first < Int64(call.memoryBudget ?? Int.max) else {
              throw LuaArgumentError.message(index: 2, "invalid range")
            }
            return try Self.fs(call) {
              let bytes = try FileSystem.readRange(path, offset: first - 1, count: Int(last - first) + 1)
              return call.push(.bytes(bytes))
            }
          }
        ),
      ])
  }
}
