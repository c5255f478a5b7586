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
              return call.push(Self.resultValue(result))
            } catch let error as SpawnError {
              return call.fail(code: error.code.rawValue, message: error.message, errno: error.errno)
            }
          }
        ),
        (
          "spawn",
          { call in
            let spec = try Self.processSpec(call, 1)
            do {
              return call.pushObject(Self.processClass, handle: Int64(try processes.start(spec)))
            } catch let error as SpawnError {
              return call.fail(code: error.code.rawValue, message: error.message, errno: error.errno)
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
            let jobs = Int(try call.optionalInteger(2) ?? 1)
            let outcomes = try processes.runMany(specs, jobs: jobs, shouldStop: { LuaHost.interruptSignal != nil })
            if LuaHost.interruptSignal != nil { throw LuaRaise.interrupted }
            return call.push(
              .array(
                zip(specs, outcomes).map { spec, outcome in
                  switch outcome {
                  case .success(let result)?: return Self.resultValue(result)
                  case .failure(let error)?:
                    return .table([
                      ("ok", .boolean(false)), ("argv", .array(spec.argv.map { .string($0) })),
                      ("error", .table([
                        ("code", .string(error.code.rawValue)), ("message", .string(error.message)),
                        ("errno", error.errno.map { .integer(Int64($0)) } ?? .null),
                      ])),
                    ])
                  case nil: return .null
                  }
                }))
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
            guard let result = try processes.wait(id, shouldStop: { LuaHost.interruptSignal != nil }) else {
              if LuaHost.interruptSignal != nil { throw LuaRaise.interrupted }
              throw LuaRaise.message("this process was already waited for")
            }
            call.closeObject(1)
            return call.push(Self.resultValue(result))
          }
        ),
        (
          "poll",
          { call in
            let id = ProcessRunner.ID(try call.object(1, Self.processClass))
            guard let result = try processes.poll(id) else { return call.pushNil() }
            call.closeObject(1)
            return call.push(Self.resultValue(result))
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
    var spec = ProcessSpec(
      argv: try argvValues.map {
        guard case .string(let s) = $0 else { throw bad("command words must be strings") }
        return s
      })
    if case .table(let env)? = fields["env"] {
      for (k, v) in env {
        guard case .string(let s) = v else { throw bad("env values must be strings") }
        spec.environment[k] = s
      }
    }
    if case .boolean(true)? = fields["env_clear"] { spec.clearEnvironment = true }
    if case .string(let cwd)? = fields["cwd"] { spec.workingDirectory = cwd }
    switch fields["stdin_mode"] {
    case .string("inherit")?: spec.stdin = .inherit
    case .string("file")?:
      guard case .string(let path)? = fields["stdin_path"] else { throw bad("stdin file path expected") }
      spec.stdin = .file(path)
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
      case (.string("file")?, .string(let path)?): mode = .file(path)
      case (.string("append")?, .string(let path)?): mode = .append(path)
      default: mode = .capture
      }
      if stream == "stdout" { spec.stdout = mode } else { spec.stderr = mode }
    }
    if let t = fields["timeout"].flatMap(Self.number) { spec.timeout = t }
    if let g = fields["kill_grace"].flatMap(Self.number) { spec.killGrace = g }
    if let m = fields["max_capture"]?.integerValue { spec.maxCapture = Int(m) }
    if let r = fields["rss_limit_mb"].flatMap(Self.number) { spec.rssLimitKB = Int(r * 1024) }
    if let c = fields["cpu"]?.integerValue { spec.cpu = Int(c) }
    if case .boolean(true)? = fields["keep_group"] { spec.keepProcessGroup = true }
    return spec
  }

  private static func number(_ v: LuaValue) -> Double? {
    switch v {
    case .integer(let i): return Double(i)
    case .number(let d): return d
    default: return nil
    }
  }

  /// The Lua table for a finished process.
  static func resultValue(_ r: ProcessResult) -> LuaValue {
    var pairs: [(String, LuaValue)] = [
      ("ok", .boolean(r.ok)),
      ("code", r.exitCode.map { .integer(Int64($0)) } ?? .null),
      ("signal", r.signal.map { .integer(Int64($0)) } ?? .null),
      ("signal_name", r.signal.map { .string(Signals.name($0)) } ?? .null),
      ("timed_out", .boolean(r.timedOut)),
      ("rss_exceeded", .boolean(r.rssExceeded)),
      ("wall_s", .number(r.wallSeconds)),
      ("user_s", .number(r.userSeconds)),
      ("sys_s", .number(r.systemSeconds)),
      ("max_rss_kb", .integer(Int64(r.maxRSSKB))),
      ("minor_faults", .integer(Int64(r.minorFaults))),
      ("major_faults", .integer(Int64(r.majorFaults))),
      ("voluntary_switches", .integer(Int64(r.voluntaryContextSwitches))),
      ("involuntary_switches", .integer(Int64(r.involuntaryContextSwitches))),
      ("argv", .array(r.argv.map { .string($0) })),
      ("pid", .integer(Int64(r.pid))),
      ("started_at", .string(r.startedAt)),
      ("truncated", .boolean(r.stdoutTruncated || r.stderrTruncated)),
    ]
    if let peak = r.peakTreeRSSKB { pairs.append(("peak_tree_rss_kb", .integer(Int64(peak)))) }
    if let out = r.stdout {
      pairs += [("stdout", .bytes(out)), ("stdout_bytes", .integer(Int64(r.stdoutBytes))),
                ("stdout_truncated", .boolean(r.stdoutTruncated))]
    }
    if let err = r.stderr {
      pairs += [("stderr", .bytes(err)), ("stderr_bytes", .integer(Int64(r.stderrBytes))),
                ("stderr_truncated", .boolean(r.stderrTruncated))]
    }
    return .table(pairs)
  }
}
