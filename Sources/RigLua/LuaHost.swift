internal import CRigLua
import Foundation
import RigKit

/// A Swift function callable from Lua. It decodes arguments through `LuaCall`, pushes its
/// results, and returns how many it pushed. It reports caller bugs by throwing
/// `LuaArgumentError`, and errors to raise by throwing `LuaRaise`; it never raises itself.
public typealias HostFunction = (LuaCall) throws -> Int32

/// The one entry point from every host-function closure (see docs/boundary.md): it finds the
/// Swift function, runs it, and turns a Swift `throw` into a code for the C trampoline, which
/// raises only after this frame has returned.
private let dispatchHostFunction: rig_dispatch_fn = { L, host, id in
  let host = Unmanaged<LuaHost>.fromOpaque(host!).takeUnretainedValue()
  let call = LuaCall(L!)
  do {
    return try host.functions[Int(id)](call)
  } catch let error as LuaArgumentError {
    _ = rig_checkstack(L, 2)
    switch error {
    case .type(let index, let expected):
      rig_pushinteger(L, Int64(index))
      call.push(expected)
      return RIG_TYPEERROR
    case .message(let index, let message):
      rig_pushinteger(L, Int64(index))
      call.push(message)
      return RIG_ARGERROR
    }
  } catch let error as LuaRaise {
    _ = rig_checkstack(L, 2)
    switch error {
    case .message(let message): call.push(message)
    case .coded(let code, let message): rig_push_error(L, code, message, -1)
    case .interrupted: rig_push_interrupted(L)
    }
    return RIG_RAISE
  } catch {
    _ = rig_checkstack(L, 1)
    call.push(String(describing: error))
    return RIG_RAISE
  }
}

/// Owns one Lua state: the standard libraries, Rig's embedded stdlib, the host modules.
/// Not thread-safe; use it from one thread.
public final class LuaHost {
  let L: OpaquePointer
  fileprivate(set) var functions: [HostFunction] = []

  /// Default ceiling for the Lua heap: generous, but a runaway recipe stops with a clean error.
  public static let defaultMemoryLimitMB = 4096

  /// - Parameters:
  ///   - memoryLimitMB: ceiling for the Lua heap while Lua code runs (0 = none).
  ///   - stdlibDirectory: load `rig.*` modules from this directory instead of the copies
  ///     embedded at build time (`RIG_STDLIB_DIR`, for development).
  public init(memoryLimitMB: Int = LuaHost.defaultMemoryLimitMB, stdlibDirectory: String? = nil) throws {
    guard let state = rig_state_new(0, nil, dispatchHostFunction) else {
      throw LuaError.setup(message: "cannot create a Lua state")
    }
    L = state
    rig_state_set_host(L, Unmanaged.passUnretained(self).toOpaque())
    for (path, source) in embeddedLuaFiles where path.hasPrefix("stdlib/") {
      LuaStack(L).push(.string(source))
      rig_set_embedded(L, path)
    }
    openNativeModules()
    try boot(stdlibDirectory: stdlibDirectory)
    rig_state_set_memory_limit(L, memoryLimitMB > 0 ? memoryLimitMB * 1024 * 1024 : 0)
  }

  /// False when the process exits right after this host goes: closing still runs every
  /// finalizer and `<close>` handler, but leaves the heap's memory to the exit (the CLI).
  public var releasesMemoryOnClose = true

  deinit {
    // Runs __gc of live handles first: they stop their processes.
    rig_state_close(L, releasesMemoryOnClose ? 1 : 0)
    processes.shutdown()
  }

  /// The recipes built into the binary, by name.
  public static var builtInRecipes: [String: String] {
    var recipes: [String: String] = [:]
    for (path, source) in embeddedLuaFiles where path.hasPrefix("recipes/") && path.hasSuffix(".lua") {
      let name = String(path.dropFirst("recipes/".count).dropLast(4))
      if !name.contains("/") { recipes[name] = source }
    }
    return recipes
  }

  /// Bytes the Lua heap holds now.
  public var memoryUsed: Int { rig_memory_used(L) }

  // MARK: - Host modules

  /// Registers `functions` as the Lua module `name`. Rig's own `rig._native.*` modules go where
  /// only the stdlib can reach them (`require "rig._native.x"` inside stdlib/rig, see
  /// stdlib/rig/_boot.lua); any other name (an embedder's) into `package.loaded`.
  public func registerModule(_ name: String, _ functions: [(String, HostFunction)]) {
    _ = rig_checkstack(L, 3)
    rig_newtable(L, 0, Int32(functions.count))
    for (field, function) in functions {
      self.functions.append(function)
      rig_push_host_function(L, Int32(self.functions.count - 1))
      rig_rawsetfield(L, -2, field)
    }
    if name.hasPrefix("rig._native.") { rig_set_native(L, name) } else { rig_set_loaded(L, name) }
  }

  /// Registers the class `name` for host objects: methods (called as `obj:m()`), plus
  /// `__gc`, `__close` and `__tostring` entries, which become metamethods.
  public func registerClass(_ name: String, _ methods: [(String, HostFunction)]) {
    _ = rig_checkstack(L, 3)
    rig_newtable(L, 0, Int32(methods.count))
    for (field, function) in methods {
      self.functions.append(function)
      rig_push_host_function(L, Int32(self.functions.count - 1))
      rig_rawsetfield(L, -2, field)
    }
    rig_new_class(L, name)
  }

  /// The process runner behind `rig.proc` (its helper starts on the first spawn).
  public let processes = ProcessRunner()

  private func openNativeModules() {
    openTimeModule()
    openCoreModule()
    openProcModule()
    openEnvModule()
    openStatsModule()
    openJSONModule()
    openFSModule()
    openProfileModule()
  }

  private func boot(stdlibDirectory: String?) throws {
    let bootPath = "stdlib/rig/_boot.lua"
    guard let source = embeddedLuaFiles[bootPath] else {
      throw LuaError.setup(message: "the embedded stdlib lacks \(bootPath)")
    }
    try load(source, chunkName: "@" + bootPath)
    LuaStack(L).push(stdlibDirectory.map { .string($0) } ?? .null)
    LuaStack(L).push(.array(LuaRocksTrees.current().map { .string($0) }))
    _ = try protectedCall(arguments: 2, results: 0)
  }

  // MARK: - Calling Lua

  /// Compiles `source` (text only) and leaves the function on the stack.
  func load(_ source: String, chunkName: String) throws {
    var text = source
    let status = text.withUTF8 { rig_load(L, $0.baseAddress, $0.count, chunkName) }
    if status != RIG_OK {
      let message = (try? LuaStack(L).read(-1, depth: 0)).flatMap { v -> String? in
        if case .string(let s) = v { return s }
        return nil
      } ?? "cannot load \(chunkName)"
      rig_settop(L, -2)
      if status == RIG_ERRMEM { throw LuaError.outOfMemory(limitBytes: rig_memory_limit(L)) }
      throw LuaError.syntax(message: message)
    }
  }

  /// Calls the function below the `arguments` on the stack, in protected mode with a
  /// traceback, and pops the results into values.
  private func protectedCall(arguments: Int32, results: Int32) throws -> [LuaValue] {
    let base = rig_gettop(L) - arguments - 1
    let status = rig_pcall(L, arguments, results)
    return try collect(status: status, base: base)
  }

  private func collect(status: Int32, base: Int32) throws -> [LuaValue] {
    defer { rig_settop(L, base) }
    switch status {
    case RIG_OK:
      let top = rig_gettop(L)
      guard top > base else { return [] }
      var values: [LuaValue] = []
      for index in (base + 1)...top {
        do { values.append(try LuaStack(L).read(index, depth: 0)) } catch {
          throw LuaError.runtime(
            message: "a Lua result cannot be read: \(error.reason)", traceback: "", code: nil, signal: nil)
        }
      }
      return values
    case RIG_ERRRUN:
      var message = "unknown error", traceback = "", code: String? = nil, signal: Int? = nil
      if rig_type(L, -1) == RIG_TTABLE {
        if rig_rawgetfield(L, -1, "message") == RIG_TSTRING, case .string(let s)? = try? LuaStack(L).read(-1, depth: 0) { message = s }
        rig_settop(L, -2)
        if rig_rawgetfield(L, -1, "traceback") == RIG_TSTRING, case .string(let s)? = try? LuaStack(L).read(-1, depth: 0) { traceback = s }
        rig_settop(L, -2)
        if rig_rawgetfield(L, -1, "code") == RIG_TSTRING, case .string(let s)? = try? LuaStack(L).read(-1, depth: 0) { code = s }
        rig_settop(L, -2)
        var n: Int64 = 0
        if rig_rawgetfield(L, -1, "signal") == RIG_TNUMBER, rig_tointeger(L, -1, &n) != 0 { signal = Int(n) }
        rig_settop(L, -2)
      }
      throw LuaError.runtime(message: message, traceback: traceback, code: code, signal: signal)
    case RIG_ERRMEM:
      throw LuaError.outOfMemory(limitBytes: rig_memory_limit(L))
    default:
      var message = "error in the error handler"
      if case .string(let s)? = try? LuaStack(L).read(-1, depth: 0) { message = s }
      throw LuaError.handler(message: message)
    }
  }

  /// Calls `require(module)[function](arguments...)` in protected mode and returns its results.
  @discardableResult
  public func call(_ module: String, _ function: String, _ arguments: [LuaValue] = []) throws -> [LuaValue] {
    let base = rig_gettop(L)
    _ = rig_checkstack(L, Int32(arguments.count) + 4)
    for argument in arguments { LuaStack(L).push(argument) }
    let status = rig_pcall_module(L, module, function, Int32(arguments.count), -1)
    return try collect(status: status, base: base)
  }

  /// Compiles and runs `source` as a chunk with the standard global environment.
  @discardableResult
  public func run(_ source: String, chunkName: String = "=(host)", arguments: [LuaValue] = []) throws -> [LuaValue] {
    try load(source, chunkName: chunkName)
    for argument in arguments { LuaStack(L).push(argument) }
    return try protectedCall(arguments: Int32(arguments.count), results: -1)
  }

  // MARK: - Interruption

  /// Makes SIGINT/SIGTERM interrupt the Lua code this host runs (the command calls this once).
  public func handleInterruptSignals() {
    rig_install_signal_handlers(L)
  }

  /// The signal that interrupted the run, or nil.
  public static var interruptSignal: Int32? {
    let s = rig_interrupt_signal()
    return s == 0 ? nil : s
  }
}
