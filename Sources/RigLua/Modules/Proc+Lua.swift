internal import CRigLua
import RigKit

#if canImport(Glibc)
  import Glibc
#endif

// rig.proc: thin binding over RigKit.ProcessRunner. stdlib/rig/proc.lua validates the spec a
// recipe passes (unknown keys, types) and hands this module a normalized table.
extension LuaHost {
  static let processClass = "rig.Process"

  func openProcModule() {
    // The closures hold the runner, not the host: __gc runs while the host is being destroyed.
    let processes = self.processes
    registerModule(
      "rig._native.proc",
      [
        (
          "run",
          { call in
            let spec = try Self.processSpec(call, 1)
            do {
              guard let result = try processes.run(spec, shouldStop: { LuaHost.interruptSignal != nil }) else {
                throw LuaRaise.interrupted
              }
              return Self.pushResult(call, result)
            } catch let error as SpawnError {
              return Self.fail(call, error)
            }
          }
        ),
        (
          "spawn",
          { call in
            let spec = try Self.processSpec(call, 1)
            // Argument 2: the process this one starts after (a closed handle has ended: now).
            var after: ProcessRunner.ID?
            if !call.isNoneOrNil(2) {
              var handle: Int64 = 0
              guard rig_object_handle(call.L, 2, Self.processClass, &handle) != 0 else {
                throw LuaArgumentError.type(index: 2, expected: Self.processClass)
              }
              if handle >= 0 { after = ProcessRunner.ID(handle) }
            }
            do {
              let id = if let after { try processes.start(spec, after: after) } else { try processes.start(spec) }
              return call.pushObject(Self.processClass, handle: Int64(id))
            } catch let error as SpawnError {
              return Self.fail(call, error)
            }
          }
        ),
        (
          "run_many",
          { call in
            guard case .array(let items) = try call.value(1) else {
              throw LuaArgumentError.type(index: 1, expected: "table")
            }
            let specs = try items.map { item throws in try Self.processSpec(item, index: 1) }
            let jobs = Int(clamping: try call.optionalInteger(2) ?? 1)
            guard jobs >= 1 else { throw LuaArgumentError.message(index: 2, "a positive number of jobs expected") }
            let outcomes = try processes.runMany(specs, jobs: jobs, shouldStop: { LuaHost.interruptSignal != nil })
            if LuaHost.interruptSignal != nil { throw LuaRaise.interrupted }
            rig_newtable(call.L, Int32(outcomes.count), 0)
            for (k, (spec, outcome)) in zip(specs, outcomes).enumerated() {
              switch outcome {
              case .success(let result)?: Self.pushResult(call, result)
              case .failure(let error)?:
                call.push(.table([
                  ("ok", .boolean(false)), ("argv", .array(spec.argv.map { .string($0) })),
                  ("error", .table([
                    ("code", .string(error.code.rawValue)), ("message", .string(error.message)),
                    ("errno", error.errno.map { .integer(Int64($0)) } ?? .null),
                  ])),
                ]))
              case nil: call.pushNil()
              }
              rig_rawseti(call.L, -2, Int64(k + 1))
            }
            return 1
          }
        ),
        (
          "wait_any",
          { call in
            // Argument 1: a sequence of open rig.Process handles (proc.lua checks it too).
            guard rig_type(call.L, 1) == RIG_TTABLE else { throw LuaArgumentError.type(index: 1, expected: "table") }
            let count = rig_rawlen(call.L, 1)
            var ids: [ProcessRunner.ID: Int64] = [:]
            for k in Int64(1)...Int64(max(1, count)) {
              rig_rawgeti(call.L, 1, k)
              var handle: Int64 = 0
              let ok = rig_object_handle(call.L, -1, Self.processClass, &handle) != 0 && handle >= 0
              rig_settop(call.L, -2)
              guard ok else { throw LuaArgumentError.message(index: 1, "item \(k) is not an open rig.Process") }
              ids[ProcessRunner.ID(handle)] = k
            }
            let timeout: Double? = call.isNoneOrNil(2) ? nil : try call.number(2)
            if let timeout, !(timeout >= 0) { throw LuaArgumentError.message(index: 2, "a non-negative number of seconds expected") }
            guard
              let (id, outcome) = try processes.waitAny(
                Set(ids.keys), timeout: timeout, shouldStop: { LuaHost.interruptSignal != nil })
            else {
              if LuaHost.interruptSignal != nil { throw LuaRaise.interrupted }
              if timeout != nil { return call.pushNil() }
              throw LuaRaise.message("these processes were already waited for")
            }
            guard let k = ids[id] else { throw LuaRaise.message("a process that was not asked for finished") }
            rig_rawgeti(call.L, 1, k)
            call.closeObject(-1)
            rig_settop(call.L, -2)
            call.push(k)
            switch outcome {
            case .success(let result): return 1 + Self.pushResult(call, result)
            case .failure(let error): return 1 + Self.fail(call, error)
            }
          }
        ),
        (
          "signal_number",
          { call in
            guard let n = Signals.number(try call.string(1)) else { return call.pushNil() }
            return call.push(Int64(n))
          }
        ),
        ("signal_name", { call in call.push(Signals.name(Int32(clamping: try call.integer(1)))) }),
      ])

    registerClass(
      Self.processClass,
      [
        (
          "wait",
          { call in
            let id = ProcessRunner.ID(try call.object(1, Self.processClass))
            let outcome: ProcessResult?
            do {
              outcome = try processes.wait(id, shouldStop: { LuaHost.interruptSignal != nil })
            } catch let error as SpawnError where error.code != .helperFailed {
              // A command queued with `after` that could not start, or was killed first.
              call.closeObject(1)
              return Self.fail(call, error)
            }
            guard let result = outcome else {
              if LuaHost.interruptSignal != nil { throw LuaRaise.interrupted }
              throw LuaRaise.message("this process was already waited for")
            }
            call.closeObject(1)
            return Self.pushResult(call, result)
          }
        ),
        (
          "poll",
          { call in
            let id = ProcessRunner.ID(try call.object(1, Self.processClass))
            let outcome: ProcessResult?
            do { outcome = try processes.poll(id) } catch let error as SpawnError where error.code != .helperFailed {
              call.closeObject(1)
              return Self.fail(call, error)
            }
            guard let result = outcome else { return call.pushNil() }
            call.closeObject(1)
            return Self.pushResult(call, result)
          }
        ),
        (
          "kill",
          { call in
            let id = ProcessRunner.ID(try call.object(1, Self.processClass))
            let signal = try Self.signalArgument(call, 2) ?? SIGTERM
            return call.push(processes.kill(id, signal: signal))
          }
        ),
        (
          "pid",
          { call in
            let id = ProcessRunner.ID(try call.object(1, Self.processClass))
            return call.push(Int64(processes.pid(id) ?? -1))
          }
        ),
        (
          "__close",
          { call in try Self.releaseProcess(call, processes) }
        ),
        (
          "__gc",
          { call in try Self.releaseProcess(call, processes) }
        ),
        (
          "__tostring",
          { call in
            var handle: Int64 = 0
            _ = rig_object_handle(call.L, 1, Self.processClass, &handle)
            if handle < 0 { return call.push("rig.Process (closed)") }
            let pid = processes.pid(ProcessRunner.ID(handle)).map { "pid \($0)" } ?? "finished"
            return call.push("rig.Process (\(pid))")
          }
        ),
      ])
  }

  /// `nil, err` for a command that could not start.
  private static func fail(_ call: LuaCall, _ error: SpawnError) -> Int32 {
    call.fail(code: error.code.rawValue, message: error.message, errno: error.errno)
  }

  /// `<close>` and `__gc`: a process nobody waited for is killed (its whole group) and reaped.
  private static func releaseProcess(_ call: LuaCall, _ processes: ProcessRunner) throws -> Int32 {
    var handle: Int64 = 0
    guard rig_object_handle(call.L, 1, Self.processClass, &handle) != 0, handle >= 0 else { return 0 }
    call.closeObject(1)
    let id = ProcessRunner.ID(handle)
    processes.kill(id, signal: SIGKILL)
    _ = try? processes.wait(id)
    return 0
  }

  static func signalArgument(_ call: LuaCall, _ i: Int32) throws -> Int32? {
    if call.isNoneOrNil(i) { return nil }
    if let n = try? call.integer(i), n > 0, n < 65 { return Int32(n) }
    if let name = try? call.string(i), let n = Signals.number(name) { return n }
    throw LuaArgumentError.message(index: i, "a signal name (\"TERM\", \"SIGKILL\") or number expected")
  }

  static func processSpec(_ call: LuaCall, _ i: Int32) throws -> ProcessSpec {
    try processSpec(try call.value(i), index: i)
  }

  /// Decodes the normalized spec made by stdlib/rig/proc.lua.
  static func processSpec(_ value: LuaValue, index: Int32) throws -> ProcessSpec {
    guard case .table(let pairs) = value else { throw LuaArgumentError.type(index: index, expected: "table") }
    func bad(_ message: String) -> LuaArgumentError { .message(index: index, message) }
    var fields: [String: LuaValue] = [:]
    for (k, v) in pairs { fields[k] = v }
    guard case .array(let argvValues)? = fields["argv"], !argvValues.isEmpty else {
      throw bad("a command (a non-empty list of strings) expected")
    }
    // A NUL byte would silently cut a word, a name or a path where the OS reads it.
    func checked(_ s: String, _ what: String) throws(LuaArgumentError) -> String {
      if s.utf8.contains(0) { throw bad("\(what) contains a NUL byte: \(s.debugDescription)") }
      return s
    }
    var spec = ProcessSpec(
      argv: try argvValues.map {
        guard case .string(let s) = $0 else { throw bad("command words must be strings") }
        return try checked(s, "a command word")
      })
    if case .table(let env)? = fields["env"] {
      for (k, v) in env {
        if k.isEmpty || k.contains("=") { throw bad("env name \(k.debugDescription) is empty or contains '='") }
        switch v {
        case .string(let s): spec.environment[try checked(k, "an env name")] = try checked(s, "env value \(k)")
        case .boolean(false): spec.removedEnvironment.insert(try checked(k, "an env name"))
        default: throw bad("env values must be strings (or false to unset one)")
        }
      }
    }
    if case .boolean(true)? = fields["env_clear"] { spec.clearEnvironment = true }
    if case .string(let cwd)? = fields["cwd"] { spec.workingDirectory = try checked(cwd, "cwd") }
    switch fields["stdin_mode"] {
    case .string("inherit")?: spec.stdin = .inherit
    case .string("file")?:
      guard case .string(let path)? = fields["stdin_path"] else { throw bad("stdin file path expected") }
      spec.stdin = .file(try checked(path, "the stdin path"))
    case .string("bytes")?:
      switch fields["stdin_bytes"] {
      case .string(let s)?: spec.stdin = .bytes(Array(s.utf8))
      case .bytes(let b)?: spec.stdin = .bytes(b)
      default: throw bad("stdin text expected")
      }
    default: spec.stdin = .null
    }
    for stream in ["stdout", "stderr"] {
      let mode: ProcessSpec.Output
      switch (fields[stream + "_mode"], fields[stream + "_path"]) {
      case (.string("inherit")?, _): mode = .inherit
      case (.string("null")?, _): mode = .null
      case (.string("file")?, .string(let path)?): mode = .file(try checked(path, "the \(stream) path"))
      case (.string("append")?, .string(let path)?): mode = .append(try checked(path, "the \(stream) path"))
      default: mode = .capture
      }
      if stream == "stdout" { spec.stdout = mode } else { spec.stderr = mode }
    }
    // Ranges are checked here too (proc.lua checks them first, with the same bounds): a
    // native never trusts its wrapper, and none of these conversions may trap.
    func seconds(_ key: String) throws(LuaArgumentError) -> Double? {
      guard let value = fields[key] else { return nil }
      guard let v = Self.number(value), v > 0, v <= ProcessSpec.maxSeconds else {
        throw bad("option '\(key)' must be a number of seconds above 0, at most \(Int(ProcessSpec.maxSeconds))")
      }
      return v
    }
    if let t = try seconds("timeout") { spec.timeout = t }
    if let g = try seconds("kill_grace") { spec.killGrace = g }
    if let value = fields["max_capture"] {
      guard let m = value.integerValue, m >= 0 else { throw bad("option 'max_capture' must be a non-negative integer") }
      spec.maxCapture = Int(clamping: m)
    }
    if let value = fields["rss_limit_mb"] {
      guard let r = Self.number(value), r > 0, r <= ProcessSpec.maxRSSLimitMB else {
        throw bad("option 'rss_limit_mb' must be a number of MB above 0, at most \(Int(ProcessSpec.maxRSSLimitMB))")
      }
      spec.rssLimitKB = max(1, Int(r * 1024))
    }
    if let value = fields["cpu"] {
      guard let c = value.integerValue, c >= 0, c < ProcessSpec.cpuLimit else {
        throw bad("option 'cpu' must be a CPU number from 0 to \(ProcessSpec.cpuLimit - 1)")
      }
      spec.cpu = Int(c)
    }
    if case .boolean(true)? = fields["keep_group"] { spec.keepProcessGroup = true }
    return spec
  }

  private static func number(_ v: LuaValue) -> Double? {
    switch v {
    case .integer(let i): return Double(i)
    case .number(let d) where !d.isNaN: return d
    default: return nil
    }
  }

  /// Pushes the Lua table for a finished process. Built field by field on the Lua stack (no
  /// intermediate LuaValue): it runs once per measured process.
  @discardableResult
  static func pushResult(_ call: LuaCall, _ r: ProcessResult) -> Int32 {
    let L = call.L
    _ = rig_checkstack(L, 4)
    rig_newtable(L, 0, 28)
    func set(_ key: String, _ push: () -> Void) {
      push()
      rig_rawsetfield(L, -2, key)
    }
    set("ok") { rig_pushboolean(L, r.ok ? 1 : 0) }
    if let code = r.exitCode { set("code") { rig_pushinteger(L, Int64(code)) } }
    if let signal = r.signal {
      set("signal") { rig_pushinteger(L, Int64(signal)) }
      set("signal_name") { call.push(Signals.name(signal)) }
    }
    set("timed_out") { rig_pushboolean(L, r.timedOut ? 1 : 0) }
    set("rss_exceeded") { rig_pushboolean(L, r.rssExceeded ? 1 : 0) }
    set("wall_s") { rig_pushnumber(L, r.wallSeconds) }
    set("user_s") { rig_pushnumber(L, r.userSeconds) }
    set("sys_s") { rig_pushnumber(L, r.systemSeconds) }
    set("max_rss_kb") { rig_pushinteger(L, Int64(r.maxRSSKB)) }
    set("minor_faults") { rig_pushinteger(L, Int64(r.minorFaults)) }
    set("major_faults") { rig_pushinteger(L, Int64(r.majorFaults)) }
    set("voluntary_switches") { rig_pushinteger(L, Int64(r.voluntaryContextSwitches)) }
    set("involuntary_switches") { rig_pushinteger(L, Int64(r.involuntaryContextSwitches)) }
    set("argv") { call.push(.array(r.argv.map { .string($0) })) }
    set("pid") { rig_pushinteger(L, Int64(r.pid)) }
    set("started_at") { call.push(r.startedAt) }
    set("start_s") { rig_pushnumber(L, r.startSeconds) }
    set("truncated") { rig_pushboolean(L, (r.stdoutTruncated || r.stderrTruncated) ? 1 : 0) }
    if let peak = r.peakTreeRSSKB { set("peak_tree_rss_kb") { rig_pushinteger(L, Int64(peak)) } }
    if let out = r.stdout {
      set("stdout") { call.push(.bytes(out)) }
      set("stdout_bytes") { rig_pushinteger(L, Int64(r.stdoutBytes)) }
      set("stdout_truncated") { rig_pushboolean(L, r.stdoutTruncated ? 1 : 0) }
    }
    if let err = r.stderr {
      set("stderr") { call.push(.bytes(err)) }
      set("stderr_bytes") { rig_pushinteger(L, Int64(r.stderrBytes)) }
      set("stderr_truncated") { rig_pushboolean(L, r.stderrTruncated ? 1 : 0) }
    }
    return 1
  }
}
