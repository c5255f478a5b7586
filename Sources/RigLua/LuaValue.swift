/// Plain data crossing the boundary by copy (wrk's rule): what the host hands to Lua entry
/// points and reads back from them.
public enum LuaValue: Equatable, Sendable {
  case null
  case boolean(Bool)
  case integer(Int64)
  case number(Double)
  case string(String)
  /// A Lua string from raw bytes (binary-safe: process output, file contents).
  case bytes([UInt8])
  case array([LuaValue])
  /// A table with string keys; pairs keep their order when pushed.
  case table([(String, LuaValue)])

  public static func == (a: LuaValue, b: LuaValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.boolean(let x), .boolean(let y)): return x == y
    case (.integer(let x), .integer(let y)): return x == y
    case (.number(let x), .number(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.bytes(let x), .bytes(let y)): return x == y
    case (.array(let x), .array(let y)): return x == y
    case (.table(let x), .table(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: return false
    }
  }

  /// Integer value of `.integer`, or of a `.number` with an exact integer value.
  public var integerValue: Int64? {
    switch self {
    case .integer(let v): return v
    case .number(let v) where v.rounded() == v && abs(v) < 9.2e18: return Int64(v)
    default: return nil
    }
  }
}
