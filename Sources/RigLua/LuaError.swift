/// A failure reported by Lua to the host.
public enum LuaError: Error, CustomStringConvertible, Equatable {
  /// The chunk did not compile: `path:line: message`.
  case syntax(message: String)
  /// A run-time error, with the Lua traceback taken where it was raised. `code` is the `code`
  /// field of a table error (`"usage"`, `"interrupted"`, ...), `signal` that of an interruption.
  case runtime(message: String, traceback: String, code: String?, signal: Int?)
  /// The Lua heap reached its ceiling (`--lua-memory-mb`).
  case outOfMemory(limitBytes: Int)
  /// The error handler itself failed (usually memory exhaustion while reporting).
  case handler(message: String)
  /// The Lua state could not be created or set up.
  case setup(message: String)

  public var description: String {
    switch self {
    case .syntax(let message): return message
    case .runtime(let message, let traceback, _, _): return message + "\n" + traceback
    case .outOfMemory(let limit):
      return "Lua ran out of memory: the recipe's heap reached the \(limit / (1024 * 1024)) MB ceiling"
        + " (raise it with --lua-memory-mb)"
    case .handler(let message): return "error while reporting an error: \(message)"
    case .setup(let message): return "cannot set up Lua: \(message)"
    }
  }

  /// The error message without traceback.
  public var message: String {
    switch self {
    case .runtime(let message, _, _, _): return message
    default: return description
    }
  }

  /// The `code` of a coded run-time error, if any.
  public var code: String? {
    if case .runtime(_, _, let code, _) = self { return code }
    return nil
  }
}
