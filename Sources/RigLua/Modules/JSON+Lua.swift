internal import CRigLua
import Foundation
import RigKit

/// Builds Lua values on the stack as the parser reads them. Objects get the object metatable
/// and their key order recorded in the `orders` table (weak keys); arrays the array
/// metatable when empty (so `[]` and `{}` stay apart).
struct LuaJSONBuilder: JSONBuilder {
  let L: OpaquePointer
  let nullIndex: Int32, arrayMT: Int32, objectMT: Int32, orders: Int32
  /// Keys seen so far in each open object (its order list is just below it on the stack).
  var keyCounts: [Int64] = []
  /// Size of the last object and array finished at each depth: records in a list tend to
  /// look alike, so a new table starts at that size instead of growing by rehashing.
  var objectSizeHint: [Int32] = []
  var arraySizeHint: [Int32] = []
  var depth = 0

  struct StackExhausted: Error {}
  /// The Lua heap passed its ceiling while the document was being built.
  struct MemoryCeiling: Error {}
  /// Containers opened so far: the ceiling is checked every 1024 of them (cheap, and no
  /// document grows by more than a few hundred kB between two looks).
  var containers = 0

  @inline(__always) mutating func opened() throws {
    containers &+= 1
    if containers & 1023 == 0 && rig_memory_exceeded(L) != 0 { throw MemoryCeiling() }
  }

  @inline(__always) func room(_ n: Int32) throws {
    if rig_checkstack(L, n) == 0 { throw StackExhausted() }
  }

  mutating func null() throws { try room(1); rig_pushvalue(L, nullIndex) }
  mutating func bool(_ value: Bool) throws { try room(1); rig_pushboolean(L, value ? 1 : 0) }
  mutating func integer(_ value: Int64) throws { try room(1); rig_pushinteger(L, value) }
  mutating func double(_ value: Double) throws { try room(1); rig_pushnumber(L, value) }
  mutating func string(_ bytes: UnsafeRawBufferPointer) throws {
    try room(1)
    rig_pushlstring(L, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
  }
  mutating func beginArray() throws {
    try opened()
    try room(2)
    rig_newtable(L, depth < arraySizeHint.count ? arraySizeHint[depth] : 0, 0)
    depth += 1
  }
  mutating func arrayElement(_ index: Int) throws {
    rig_rawseti(L, -2, Int64(index))
    if index & 0xFFFF == 0 && rig_memory_exceeded(L) != 0 { throw MemoryCeiling() }
  }
  mutating func endArray(count: Int) throws {
    depth -= 1
    while arraySizeHint.count <= depth { arraySizeHint.append(0) }
    arraySizeHint[depth] = Int32(clamping: count)
    if count == 0 {
      rig_pushvalue(L, arrayMT)
      rig_setmetatable(L, -2)
    }
  }
  mutating func beginObject() throws {
    try opened()
    try room(4)
    let hint = depth < objectSizeHint.count ? objectSizeHint[depth] : 0
    rig_newtable(L, 0, hint)  // the object
    rig_newtable(L, hint, 0)  // its key order
    keyCounts.append(0)
    depth += 1
  }
  mutating func key(_ bytes: UnsafeRawBufferPointer) throws {
    try room(4)
    rig_pushlstring(L, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
    // Stack: object, order, key. A repeated key keeps its first place (as a Python dict does),
    // so the order list never holds a key twice.
    rig_pushvalue(L, -1)
    if rig_rawget(L, -4) == RIG_TNIL {
      rig_settop(L, -2)
      keyCounts[keyCounts.count - 1] += 1
      rig_pushvalue(L, -1)
      rig_rawseti(L, -3, keyCounts[keyCounts.count - 1])  // order[n] = key
    } else {
      rig_settop(L, -2)
    }
  }
  mutating func objectMember() throws {
    // Stack: object, order, key, value.
    rig_rawset(L, rig_absindex(L, -4))
  }
  mutating func endObject(count: Int) throws {
    keyCounts.removeLast()
    depth -= 1
    while objectSizeHint.count <= depth { objectSizeHint.append(0) }
    objectSizeHint[depth] = Int32(clamping: count)
    // Stack: object, order. orders[object] = order (only when there are keys).
    if count > 0 {
      rig_pushvalue(L, -2)
      rig_insert(L, -2)
      rig_rawset(L, orders)
    } else {
      rig_settop(L, -2)
    }
    rig_pushvalue(L, objectMT)
    rig_setmetatable(L, -2)
  }
}

/// Why a Lua value cannot be written as JSON: the message and the path to it.
struct JSONEncodeError: Error {
  var message: String
  var path: [String] = []
  var text: String { "\(message) at $" + path.reversed().joined() }
}

/// Walks Lua values and writes JSON with Python's formatting (RigKit.JSONWriter).
struct LuaJSONEncoder {
  let L: OpaquePointer
  let null: Int32, arrayMT: Int32, objectMT: Int32, orders: Int32
  var writer: JSONWriter
  let sortKeys: Bool
  let maxDepth = 1000

  mutating func encode(_ index: Int32, level: Int) throws(JSONEncodeError) {
    let i = rig_absindex(L, index)
    switch rig_type(L, i) {
    case RIG_TNIL, RIG_TNONE: writer.raw("null")
    case RIG_TBOOLEAN: if rig_toboolean(L, i) != 0 { writer.raw("true") } else { writer.raw("false") }
    case RIG_TNUMBER:
      var n: Int64 = 0
      if rig_isinteger(L, i) != 0, rig_tointeger(L, i, &n) != 0 {
        writer.integer(n)
      } else {
        var d = 0.0
        _ = rig_tonumber(L, i, &d)
        do { try writer.double(d) } catch {
          let shown = d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity")
          throw JSONEncodeError(message: "cannot encode \(shown) (Python writes NaN and Infinity only with allow_nan = true)")
        }
      }
    case RIG_TSTRING:
      var length = 0
      let p = rig_tostring(L, i, &length)
      do { try writer.string(UnsafeRawBufferPointer(start: p, count: length)) } catch {
        throw JSONEncodeError(message: "string is not valid UTF-8")
      }
    case RIG_TTABLE:
      if rig_rawequal(L, i, null) != 0 { writer.raw("null") } else { try table(i, level: level) }
    default:
      if rig_rawequal(L, i, null) != 0 {
        writer.raw("null")
      } else {
        throw JSONEncodeError(message: "cannot encode a \(String(cString: rig_typename_at(L, i)))")
      }
    }
  }

  private enum Shape { case array, object }

  private func shape(_ t: Int32) throws(JSONEncodeError) -> Shape {
    if rig_getmetatable(L, t) != 0 {
      defer { rig_settop(L, -2) }
      if rig_rawequal(L, -1, arrayMT) != 0 { return .array }
      if rig_rawequal(L, -1, objectMT) != 0 { return .object }
    }
    let n = rig_rawlen(L, t)
    if n == 0 { return .object }
    // A sequence 1..n with nothing else is an array.
    var count: UInt64 = 0
    rig_pushnil(L)
    while rig_next(L, t) != 0 {
      rig_settop(L, -2)
      count += 1
      if count > n { break }
    }
    if count > n {
      rig_settop(L, -2)
      throw JSONEncodeError(message: "table mixes array items (1..\(n)) and other keys")
    }
    return .array
  }

  private mutating func table(_ t: Int32, level: Int) throws(JSONEncodeError) {
    if level >= maxDepth { throw JSONEncodeError(message: "nesting deeper than \(maxDepth) (a cycle?)") }
    guard rig_checkstack(L, 8) != 0 else { throw JSONEncodeError(message: "Lua stack exhausted") }
    switch try shape(t) {
    case .array:
      let n = rig_rawlen(L, t)
      if n == 0 {
        writer.raw("[]")
        return
      }
      writer.raw("[")
      for k in 1...n {
        if k > 1 { writer.separator() }
        writer.newline(level: level + 1)
        _ = rig_rawgeti(L, t, Int64(k))
        do { try encode(-1, level: level + 1) } catch {
          var e = error
          e.path.append("[\(k - 1)]")
          rig_settop(L, -2)
          throw e
        }
        rig_settop(L, -2)
      }
      writer.newline(level: level)
      writer.raw("]")
    case .object:
      if try !objectInRecordedOrder(t, level: level) {
        let keys = try sortedKeys(t)
        if keys.isEmpty {
          writer.raw("{}")
          return
        }
        writer.raw("{")
        for (position, key) in keys.enumerated() {
          if position > 0 { writer.separator() }
          writer.newline(level: level + 1)
          try? writer.string(key)
          writer.colon()
          rig_pushlstring(L, key.baseAddress?.assumingMemoryBound(to: CChar.self), key.count)
          _ = rig_rawget(L, t)
          try member(String(decoding: key, as: UTF8.self), level: level)
        }
        writer.newline(level: level)
        writer.raw("}")
      }
    }
  }

  /// Encodes the value on top of the stack as a member's value, then pops it.
  private mutating func member(_ name: @autoclosure () -> String, level: Int) throws(JSONEncodeError) {
    do { try encode(-1, level: level + 1) } catch {
      var e = error
      e.path.append("." + name())
      rig_settop(L, -2)
      throw e
    }
    rig_settop(L, -2)
  }

  /// The fast path for decoded objects: when the recorded key order covers exactly the keys
  /// the table has, write the members in that order straight from the Lua strings. Returns
  /// false (having written nothing) when there is no such order or it no longer fits.
  private mutating func objectInRecordedOrder(_ t: Int32, level: Int) throws(JSONEncodeError) -> Bool {
    if sortKeys { return false }
    rig_pushvalue(L, t)
    guard rig_rawget(L, orders) == RIG_TTABLE else {
      rig_settop(L, -2)
      return false
    }
    let list = rig_absindex(L, -1)
    defer { rig_settop(L, list - 1) }
    let n = rig_rawlen(L, list)
    // The table must have exactly n keys, every one of them listed.
    var count: UInt64 = 0
    rig_pushnil(L)
    while rig_next(L, t) != 0 {
      rig_settop(L, -2)
      count += 1
    }
    guard count == n, n > 0 else { return false }
    for k in 1...n {
      _ = rig_rawgeti(L, list, Int64(k))
      let present = rig_rawget(L, t) != RIG_TNIL
      rig_settop(L, -2)
      if !present { return false }
    }
    writer.raw("{")
    for k in 1...n {
      if k > 1 { writer.separator() }
      writer.newline(level: level + 1)
      _ = rig_rawgeti(L, list, Int64(k))
      var length = 0
      let p = rig_tostring(L, -1, &length)
      let key = UnsafeRawBufferPointer(start: p, count: length)
      do { try writer.string(key) } catch { throw JSONEncodeError(message: "object key is not valid UTF-8") }
      writer.colon()
      _ = rig_rawget(L, t)
      try member(String(decoding: key, as: UTF8.self), level: level)
    }
    writer.newline(level: level)
    writer.raw("}")
    return true
  }

  /// The string keys of a table, sorted bytewise (Python sorts str keys by code point, the
  /// same order for UTF-8).
  /// The table's keys, sorted by their bytes (as Python's sort_keys), or in the recorded order
  /// of a decoded object with later keys after. The buffers point into the Lua strings that
  /// are `t`'s keys: valid while `t` is not changed, which encoding never does (and no
  /// per-key copy: this runs for every object of every artifact written).
  private func sortedKeys(_ t: Int32) throws(JSONEncodeError) -> [UnsafeRawBufferPointer] {
    var keys: [UnsafeRawBufferPointer] = []
    rig_pushnil(L)
    while rig_next(L, t) != 0 {
      guard rig_type(L, -2) == RIG_TSTRING else {
        rig_settop(L, -3)
        throw JSONEncodeError(message: "object keys must be strings (a table with holes or mixed keys?)")
      }
      var length = 0
      let p = rig_tostring(L, -2, &length)
      keys.append(UnsafeRawBufferPointer(start: p, count: length))
      rig_settop(L, -2)
    }
    keys.sort { a, b in
      let common = min(a.count, b.count)
      let c = common == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, common)
      return c != 0 ? c < 0 : a.count < b.count
    }
    // Keys of a decoded object that were added later go after the recorded ones.
    guard !sortKeys else { return keys }
    rig_pushvalue(L, t)
    guard rig_rawget(L, orders) == RIG_TTABLE else {
      rig_settop(L, -2)
      return keys
    }
    var ordered: [UnsafeRawBufferPointer] = []
    var seen = Set<[UInt8]>()
    var present: [[UInt8]: UnsafeRawBufferPointer] = [:]
    for key in keys { present[Array(key)] = key }
    let n = rig_rawlen(L, -1)
    if n > 0 {
      for k in 1...n {
        if rig_rawgeti(L, -1, Int64(k)) == RIG_TSTRING {
          var length = 0
          let p = rig_tostring(L, -1, &length)
          let name = Array(UnsafeRawBufferPointer(start: p, count: length))
          if let key = present[name], seen.insert(name).inserted { ordered.append(key) }
        }
        rig_settop(L, -2)
      }
    }
    rig_settop(L, -2)
    for key in keys where !seen.contains(Array(key)) { ordered.append(key) }
    return ordered
  }
}

// rig.json (native part). stdlib/rig/json.lua passes the sentinel and metatables.
extension LuaHost {
  func openJSONModule() {
    // The encoder's output buffer is kept between calls (up to 256 MB of capacity): writing a
    // large file repeatedly then costs no page faults for a fresh buffer each time.
    final class Scratch { var buffer: [UInt8] = [] }
    let scratch = Scratch()
    registerModule(
      "rig._native.json",
      [
        ("decode", Self.jsonDecode),
        ("decode_file", Self.jsonDecodeFile),
        (
          "encode",
          { call in
            let result = try Self.jsonEncode(call, buffer: scratch.buffer)
            scratch.buffer = result.capacity <= 256 << 20 ? result : []
            return 1
          }
        ),
      ])
  }

  /// A `JSONProjection` from its Lua form (checked by stdlib/rig/json.lua): `true` keeps
  /// everything below; a table maps keys to their nodes, `"*"` to the node of every other
  /// key, and `"-"` lists keys to drop (`*suffix` for every key ending so).
  static func projection(_ value: LuaValue) throws(LuaArgumentError) -> JSONProjection {
    switch value {
    case .boolean(true): return .all
    case .array(let items) where items.isEmpty: return JSONProjection()
    case .table(let pairs):
      let node = JSONProjection()
      for (key, child) in pairs {
        if key == "*" {
          node.wildcard = try projection(child)
        } else if key == "-" {
          let names: [LuaValue]
          switch child {
          case .array(let list): names = list
          case .string: names = [child]
          default: throw .message(index: 7, "'-' must list key names")
          }
          for name in names {
            guard case .string(let s) = name else { throw .message(index: 7, "'-' must list key names") }
            node.drop(s)
          }
        } else {
          node.keep(key, try projection(child))
        }
      }
      return node
    default:
      throw .message(index: 7, "a projection is true or a table of key = projection")
    }
  }

  /// decode(text, null, array_mt, object_mt, orders [, source_name [, projection]]) -> value | nil, err
  static func jsonDecode(_ call: LuaCall) throws -> Int32 {
    var length = 0
    guard let text = rig_tostring(call.L, 1, &length) else {
      throw LuaArgumentError.type(index: 1, expected: "string")
    }
    try checkSentinels(call)
    let source = try call.optionalString(6)
    let only = call.isNoneOrNil(7) ? nil : try projection(try call.value(7))
    return try decode(call, UnsafeRawBufferPointer(start: text, count: length), source: source, only: only)
  }

  /// decode_file(path, null, array_mt, object_mt, orders, projection) -> value | nil, err:
  /// reads the file into Swift memory (never a Lua string) and parses it from there. The file
  /// may be no larger than the memory ceiling leaves room for.
  static func jsonDecodeFile(_ call: LuaCall) throws -> Int32 {
    let path = try call.path(1)
    try checkSentinels(call)
    let only = call.isNoneOrNil(6) ? nil : try projection(try call.value(6))
    var outcome: Result<Int32, any Error> = .success(0)
    return try Self.fs(call) {
      try FileSystem.withContents(path, maxBytes: call.memoryBudget) { bytes in
        outcome = Result { try decode(call, bytes, source: path, only: only) }
      }
      return try outcome.get()
    }
  }

  /// Arguments 2-5 of decode and encode: the null sentinel, the array and object metatables,
  /// the key-order table (json.lua passes them; a native checks its own arguments anyway).
  static func checkSentinels(_ call: LuaCall) throws {
    if call.isNoneOrNil(2) { throw LuaArgumentError.message(index: 2, "the null sentinel expected") }
    for i: Int32 in 3...5 where rig_type(call.L, i) != RIG_TTABLE {
      throw LuaArgumentError.type(index: i, expected: "table")
    }
  }

  /// Parses `bytes` onto the Lua stack (arguments 2-5 are null, the metatables and orders).
  static func decode(_ call: LuaCall, _ bytes: UnsafeRawBufferPointer, source: String?, only: JSONProjection?)
    throws -> Int32
  {
    let top = rig_gettop(call.L)
    let builder = LuaJSONBuilder(L: call.L, nullIndex: 2, arrayMT: 3, objectMT: 4, orders: 5)
    var parser = JSONParser(bytes: bytes, builder: builder)
    parser.projection = only
    // Everything decode allocates is the result (still reachable), so collection steps
    // during it only re-traverse the heap: 25-35% of the time on a 22 MB results file
    // (recipes/bench/reports.lua). The debt is paid by the collector's next steps.
    let collecting = rig_gc_pause(call.L)
    defer { rig_gc_resume(call.L, collecting) }
    do {
      try parser.parse()
      return 1
    } catch let error as JSONSyntaxError {
      rig_settop(call.L, top)
      var message = ""
      if let source { message += "\(source):\(error.line):\(error.column): " }
      message += error.message
      message += " (line \(error.line), column \(error.column), byte \(error.offset))"
      rig_pushnil(call.L)
      rig_push_error(call.L, "json_syntax", message, -1)
      for (field, value) in [("line", error.line), ("column", error.column), ("offset", error.offset)] {
        rig_pushinteger(call.L, Int64(value))
        rig_rawsetfield(call.L, -2, field)
      }
      return 2
    } catch is LuaJSONBuilder.MemoryCeiling {
      rig_settop(call.L, top)
      throw LuaRaise.coded(
        code: "out_of_memory",
        message: "out of memory: decoding \(source ?? "a JSON text") took the Lua heap past its "
          + "\(rig_memory_limit(call.L) / (1024 * 1024)) MB ceiling (raise it with --lua-memory-mb)")
    } catch {
      rig_settop(call.L, top)
      throw LuaRaise.message("JSON nested too deeply for the Lua stack")
    }
  }

  /// encode(value, null, array_mt, object_mt, orders, indent, sort_keys, ascii, allow_nan,
  /// item_sep, key_sep) -> string
  static func jsonEncode(_ call: LuaCall, buffer: [UInt8]) throws -> [UInt8] {
    try checkSentinels(call)
    let indent = try call.optionalInteger(6).map { Int(clamping: $0) }
    if let indent, indent < 0 || indent > 64 { throw LuaArgumentError.message(index: 6, "indent must be 0 to 64") }
    var separators: (String, String)? = nil
    if !call.isNoneOrNil(10) { separators = (try call.string(10), try call.string(11)) }
    let ascii = call.isNoneOrNil(8) ? true : call.boolean(8)
    let writer = JSONWriter(
      indent: indent, ascii: ascii, separators: separators, allowNaN: call.boolean(9), buffer: buffer)
    var encoder = LuaJSONEncoder(
      L: call.L, null: 2, arrayMT: 3, objectMT: 4, orders: 5, writer: writer, sortKeys: call.boolean(7))
    do { try encoder.encode(1, level: 0) } catch {
      throw LuaArgumentError.message(index: 1, error.text)
    }
    encoder.writer.bytes.withUnsafeBufferPointer {
      $0.withMemoryRebound(to: CChar.self) { rig_pushlstring(call.L, $0.baseAddress, $0.count) }
    }
    return encoder.writer.bytes
  }
}
