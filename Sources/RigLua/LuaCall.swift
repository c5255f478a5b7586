internal import CRigLua
import RigKit

/// A caller bug found while decoding a host function's arguments. The C trampoline turns it
/// into Lua's usual `bad argument #n to 'f' (...)`, after the Swift frames have returned.
public enum LuaArgumentError: Error {
  /// `T expected, got U`, with U taken from the actual value by Lua.
  case type(index: Int32, expected: String)
  /// Any other complaint about argument `index`.
  case message(index: Int32, String)
}

/// A failure a host function raises as a Lua error (rather than returning `nil, err`).
public enum LuaRaise: Error {
  /// A string error; the trampoline prefixes the caller's `file:line:`.
  case message(String)
  /// A `rig.Error` table with a machine-readable code.
  case coded(code: String, message: String)
  /// The run was interrupted by SIGINT/SIGTERM while the host function waited.
  case interrupted
}

/// The view a host function gets of its Lua call: argument decoding with non-raising
/// accessors, and result pushing. Valid only during the call.
public struct LuaCall {
  let L: OpaquePointer
  /// Number of arguments Lua passed.
  public let argumentCount: Int32

  init(_ L: OpaquePointer) {
    self.L = L
    self.argumentCount = rig_gettop(L)
  }

  // MARK: - Arguments

  public func isNoneOrNil(_ i: Int32) -> Bool { rig_type(L, i) <= RIG_TNIL }

  public func number(_ i: Int32) throws(LuaArgumentError) -> Double {
    var v = 0.0
    guard rig_tonumber(L, i, &v) != 0 else { throw .type(index: i, expected: "number") }
    return v
  }

  public func optionalNumber(_ i: Int32) throws(LuaArgumentError) -> Double? {
    isNoneOrNil(i) ? nil : try number(i)
  }

  public func integer(_ i: Int32) throws(LuaArgumentError) -> Int64 {
    var v: Int64 = 0
    if rig_tointeger(L, i, &v) != 0 { return v }
    if rig_type(L, i) == RIG_TNUMBER { throw .message(index: i, "number has no integer representation") }
    throw .type(index: i, expected: "integer")
  }

  public func optionalInteger(_ i: Int32) throws(LuaArgumentError) -> Int64? {
    isNoneOrNil(i) ? nil : try integer(i)
  }

  public func string(_ i: Int32) throws(LuaArgumentError) -> String {
    var length = 0
    guard let bytes = rig_tostring(L, i, &length) else { throw .type(index: i, expected: "string") }
    return String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
  }

  /// A file path: a non-empty string without NUL bytes (the OS would cut the path at a NUL,
  /// so `"dir\0/x"` would silently mean `dir`).
  public func path(_ i: Int32) throws(LuaArgumentError) -> String {
    let s = try string(i)
    do { try FileSystem.checkPath(s) } catch { throw .message(index: i, error.message) }
    return s
  }

  public func optionalString(_ i: Int32) throws(LuaArgumentError) -> String? {
    isNoneOrNil(i) ? nil : try string(i)
  }

  public func boolean(_ i: Int32) -> Bool { rig_toboolean(L, i) != 0 }

  /// The handle of a host object of class `className` at argument `i`. A closed object (handle
  /// -1) raises "attempt to use a closed <class>".
  public func object(_ i: Int32, _ className: String) throws -> Int64 {
    var handle: Int64 = 0
    guard rig_object_handle(L, i, className, &handle) != 0 else {
      throw LuaArgumentError.type(index: i, expected: className)
    }
    if handle < 0 { throw LuaRaise.message("attempt to use a closed \(className)") }
    return handle
  }

  /// Marks the object at argument `i` as closed.
  public func closeObject(_ i: Int32) {
    rig_object_set_handle(L, i, -1)
  }

  /// Pushes a new host object of class `className`.
  @discardableResult
  public func pushObject(_ className: String, handle: Int64) -> Int32 {
    rig_push_object(L, className, handle)
    return 1
  }

  /// Reads argument `i` as plain data (tables become `.array` when they are sequences).
  public func value(_ i: Int32) throws(LuaArgumentError) -> LuaValue {
    do { return try LuaStack(L).read(i, depth: 0) } catch { throw .message(index: i, error.reason) }
  }

  /// Bytes the Lua heap may still grow by under the memory ceiling (nil when there is none):
  /// host functions that read files or build large values size their work by it first.
  public var memoryBudget: Int? {
    let limit = rig_memory_limit(L), used = rig_memory_used(L)
    guard limit > 0 else { return nil }
    return limit > used ? limit - used : 0
  }

  // MARK: - Results

  @discardableResult
  public func push(_ v: Double) -> Int32 {
    rig_pushnumber(L, v)
    return 1
  }
  @discardableResult
  public func push(_ v: Int64) -> Int32 {
    rig_pushinteger(L, v)
    return 1
  }
  @discardableResult
  public func push(_ v: Bool) -> Int32 {
    rig_pushboolean(L, v ? 1 : 0)
    return 1
  }
  @discardableResult
  public func push(_ v: String) -> Int32 {
    var s = v
    s.withUTF8 { rig_pushlstring(L, $0.baseAddress, $0.count) }
    return 1
  }
  @discardableResult
  public func pushNil() -> Int32 {
    rig_pushnil(L)
    return 1
  }
  @discardableResult
  public func push(_ v: LuaValue) -> Int32 {
    LuaStack(L).push(v)
    return 1
  }

  /// The environment-failure channel: pushes `nil, err` (err a `rig.Error` with `code`) and
  /// returns 2, the number of results.
  public func fail(code: String, message: String, errno: Int32? = nil) -> Int32 {
    rig_pushnil(L)
    rig_push_error(L, code, message, errno ?? -1)
    return 2
  }
}

/// Why a Lua value could not be read as plain data.
struct LuaReadError: Error {
  let reason: String
}

/// Conversion between `LuaValue` and the Lua stack, with raw table access only.
struct LuaStack {
  let L: OpaquePointer
  init(_ L: OpaquePointer) { self.L = L }

  func push(_ value: LuaValue) {
    _ = rig_checkstack(L, 3)
    switch value {
    case .null: rig_pushnil(L)
    case .boolean(let b): rig_pushboolean(L, b ? 1 : 0)
    case .integer(let i): rig_pushinteger(L, i)
    case .number(let d): rig_pushnumber(L, d)
    case .string(var s): s.withUTF8 { rig_pushlstring(L, $0.baseAddress, $0.count) }
    case .bytes(let b): b.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { rig_pushlstring(L, $0.baseAddress, $0.count) } }
    case .array(let items):
      rig_newtable(L, Int32(clamping: items.count), 0)
      for (k, item) in items.enumerated() {
        push(item)
        rig_rawseti(L, -2, Int64(k + 1))
      }
    case .table(let pairs):
      rig_newtable(L, 0, Int32(clamping: pairs.count))
      for (key, item) in pairs {
        push(item)
        rig_rawsetfield(L, -2, key)
      }
    }
  }

  func read(_ index: Int32, depth: Int) throws(LuaReadError) -> LuaValue {
    let i = rig_absindex(L, index)
    switch rig_type(L, i) {
    case RIG_TNONE, RIG_TNIL: return .null
    case RIG_TBOOLEAN: return .boolean(rig_toboolean(L, i) != 0)
    case RIG_TNUMBER:
      if rig_isinteger(L, i) != 0 {
        var v: Int64 = 0
        _ = rig_tointeger(L, i, &v)
        return .integer(v)
      }
      var d = 0.0
      _ = rig_tonumber(L, i, &d)
      return .number(d)
    case RIG_TSTRING:
      var length = 0
      let buffer = UnsafeRawBufferPointer(start: rig_tostring(L, i, &length), count: length)
      // Text stays text; bytes that are not UTF-8 (binary stdin, say) are kept exactly.
      if let text = String(validating: buffer, as: UTF8.self) { return .string(text) }
      return .bytes(Array(buffer))
    case RIG_TTABLE:
      guard depth < 100 else { throw LuaReadError(reason: "table nested too deeply") }
      guard rig_checkstack(L, 4) != 0 else { throw LuaReadError(reason: "Lua stack exhausted") }
      let n = rig_rawlen(L, i)
      var count: UInt64 = 0
      var pairs: [(String, LuaValue)] = []
      rig_pushnil(L)
      while rig_next(L, i) != 0 {
        count += 1
        if n == 0 {
          guard rig_type(L, -2) == RIG_TSTRING else {
            rig_settop(L, -3)
            throw LuaReadError(reason: "table keys must be strings or 1..n")
          }
          var length = 0
          let bytes = rig_tostring(L, -2, &length)
          let key = String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
          do { pairs.append((key, try read(-1, depth: depth + 1))) } catch {
            rig_settop(L, -3)
            throw error
          }
        }
        rig_settop(L, -2)
      }
      if n > 0 {
        guard count == n else { throw LuaReadError(reason: "table mixes array items and keys") }
        var items: [LuaValue] = []
        items.reserveCapacity(Int(n))
        for k in 1...n {
          _ = rig_rawgeti(L, i, Int64(k))
          defer { rig_settop(L, -2) }
          items.append(try read(-1, depth: depth + 1))
        }
        return .array(items)
      }
      return .table(pairs.sorted { $0.0 < $1.0 })
    default:
      throw LuaReadError(reason: "\(String(cString: rig_typename_at(L, i))) values cannot be copied out of Lua")
    }
  }
}
