import CRigSpawn
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs child processes through Rig's spawn helper and measures them.
///
/// One thread drives it (Lua's). While it waits for one child it services every running
/// child: it drains their output pipes (so none blocks on a full pipe), feeds their stdin,
/// enforces timeouts and RSS limits, and takes the helper's exit reports. See
/// docs/processes.md for the measuring method.
public final class ProcessRunner {
  /// Identifies a started process.
  public typealias ID = UInt32

  private var helper: SpawnHelper?
  /// Program names already found in PATH (a removed program then fails at exec, as it should).
  private var lookupCache: [String: (searchPath: String?, path: String)] = [:]
  /// /dev/null, opened once for every child that reads or writes nothing.
  private lazy var devNull: Int32 = rig_open("/dev/null", 3)
  private var nextID: ID = 1
  private var running: [ID: Child] = [:]
  private var finished: [ID: ProcessResult] = [:]

  public init() {}

  deinit {
    shutdown()
  }

  /// Children started and not yet collected.
  public var activeCount: Int { running.count }

  // MARK: - Starting

  /// Starts `spec` and returns its id once the helper has spawned it. Spawn failures throw.
  public func start(_ spec: ProcessSpec) throws(SpawnError) -> ID {
    try start(spec, awaitSpawn: true)
  }

  /// Queues `spec` to start the moment child `after` ends: the helper starts it as soon as it
  /// has reaped `after`, before Rig hears of that, so back-to-back runs have no round trip
  /// through Rig between them and Rig records one while the next runs. Starts at once when
  /// `after` is no longer running. Returns without waiting: a failure to start (or `kill`
  /// before it started: `.cancelled`) comes out of `wait`. Its wall time and timeout count
  /// from its actual start.
  public func start(_ spec: ProcessSpec, after: ID) throws(SpawnError) -> ID {
    try start(spec, awaitSpawn: false, after: running[after]?.exit == nil ? after : nil)
  }

  /// With `awaitSpawn` false, returns as soon as the request is sent; a failure the helper
  /// reports then comes out of `wait` (one wake-up less per run).
  private func start(_ spec: ProcessSpec, awaitSpawn: Bool, after: ID? = nil) throws(SpawnError) -> ID {
    guard let program = spec.argv.first, !program.isEmpty else {
      throw SpawnError(.notFound, "empty command", errno: ENOENT)
    }
    if let cwd = spec.workingDirectory {
      var info = stat()
      if stat(cwd, &info) != 0 {
        throw SpawnError(.badCwd, "working directory '\(cwd)': \(String(cString: strerror(errno)))", errno: errno)
      }
      if (info.st_mode & S_IFMT) != S_IFDIR {
        throw SpawnError(.badCwd, "working directory '\(cwd)' is not a directory", errno: ENOTDIR)
      }
    }
    let helper = try ensureHelper()
    // Children inherit the helper's environment (Rig's when it started) unless the spec or
    // rig.env.set changed something since: then the whole environment travels with the request.
    let inherit = spec.environment.isEmpty && spec.removedEnvironment.isEmpty && !spec.clearEnvironment
      && helper.environmentGeneration == Self.environmentGeneration
    let environment = inherit ? nil : childEnvironment(spec)
    let searchPath: String? =
      if let environment { environment.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } } else {
        getenv("PATH").map { String(cString: $0) }
      }
    let path: String
    if program.utf8.contains(UInt8(ascii: "/")) {
      // A path: exec in the helper checks it, and its errno becomes the error code.
      path = program.utf8.first == UInt8(ascii: "/") ? program : FileManager.default.currentDirectoryPath + "/" + program
    } else if let cached = lookupCache[program], cached.searchPath == searchPath {
      path = cached.path
    } else {
      guard let found = ExecutableLookup.find(program, searchPath: searchPath) else {
        throw SpawnError(.notFound, "'\(program)': command not found in PATH", errno: ENOENT)
      }
      lookupCache[program] = (searchPath, found)
      path = found
    }

    let child = Child(id: nextID, spec: spec, devNull: devNull)
    nextID &+= 1
    var childFDs: [Int32] = [-1, -1, -1]
    defer { for fd in childFDs where fd >= 0 { close(fd) } }
    do {
      childFDs[0] = try child.openStdin()
      childFDs[1] = try child.openOutput(1)
      childFDs[2] = try child.openOutput(2)
    } catch {
      child.closeAll()
      throw error
    }
    child.startedAt = Clock.iso8601()
    child.queued = after != nil
    do {
      // The pid is needed to sample RSS, and by callers that asked to wait for the spawn; a
      // queued child's timeout counts from its start, which only the helper's answer tells.
      let notify = awaitSpawn || spec.rssLimitKB != nil || (after != nil && spec.timeout != nil)
      try helper.send(
        id: child.id, program: path, spec: spec, environment: environment, notify: notify, after: after ?? 0,
        fds: childFDs)
    } catch {
      child.closeAll()
      throw error
    }
    running[child.id] = child
    child.program = program
    if let timeout = spec.timeout, after == nil { child.termDeadline = rig_monotonic_ns() + Clock.nanoseconds(timeout) }
    guard awaitSpawn else { return child.id }
    // The helper answers SPAWNED before anything else about this child.
    while child.pid == nil && child.spawnError == nil {
      do { try pump(timeoutMilliseconds: 1000) } catch {
        running[child.id] = nil
        child.closeAll()
        throw error
      }
    }
    if let error = takeStartFailure(child.id) { throw error }
    return child.id
  }

  /// When child `id` never started (the helper said why), forgets it and returns why.
  private func takeStartFailure(_ id: ID) -> SpawnError? {
    guard let child = running[id], let error = child.spawnError else { return nil }
    running[id] = nil
    child.closeAll()
    if child.helperLost {
      return SpawnError(
        .helperFailed, "the spawn helper died while '\(child.program)' ran; Rig killed it and what it started",
        errno: error)
    }
    return Self.spawnError(errno: error, program: child.program)
  }

  /// Starts `spec`, waits for it, and returns the result.
  public func run(_ spec: ProcessSpec, shouldStop: () -> Bool = { false }) throws(SpawnError) -> ProcessResult? {
    let id = try start(spec, awaitSpawn: false)
    return try wait(id, shouldStop: shouldStop)
  }

  // MARK: - Waiting

  /// Waits for `id` to finish and returns its result (nil when `shouldStop` said to stop
  /// first: every running child has then been stopped).
  public func wait(_ id: ID, shouldStop: () -> Bool = { false }) throws(SpawnError) -> ProcessResult? {
    while true {
      if let result = finished.removeValue(forKey: id) { return result }
      guard running[id] != nil else { return nil }
      if let error = takeStartFailure(id) { throw error }
      if shouldStop() {
        try stopAll()
        return nil
      }
      try pump(timeoutMilliseconds: 100)
    }
  }

  /// Waits until one of `ids` finishes, or turns out not to have started (a command queued
  /// with `after`); returns its id and outcome (nil when stopped, when none of `ids` is
  /// running, or when `timeout` seconds passed first).
  public func waitAny(
    _ ids: Set<ID>, timeout: Double? = nil, shouldStop: () -> Bool = { false }
  ) throws(SpawnError) -> (ID, Result<ProcessResult, SpawnError>)? {
    let deadline = timeout.map { rig_monotonic_ns() + Clock.nanoseconds($0) }
    while true {
      for id in ids {
        if let result = finished.removeValue(forKey: id) { return (id, .success(result)) }
        if let error = takeStartFailure(id) { return (id, .failure(error)) }
      }
      if !ids.contains(where: { running[$0] != nil }) { return nil }
      if shouldStop() {
        try stopAll()
        return nil
      }
      var slice: Int32 = 100
      if let deadline {
        let left = deadline - rig_monotonic_ns()
        if left <= 0 { return nil }
        slice = Int32(min(100, (left + 999_999) / 1_000_000))
      }
      try pump(timeoutMilliseconds: slice)
    }
  }

  /// The result of `id` if it has finished, without waiting (services pipes once).
  public func poll(_ id: ID) throws(SpawnError) -> ProcessResult? {
    try pump(timeoutMilliseconds: 0)
    if let result = finished.removeValue(forKey: id) { return result }
    if let error = takeStartFailure(id) { throw error }
    return nil
  }

  /// Runs `specs`, at most `jobs` at a time, and returns the outcomes in input order (nil for
  /// those not run because `shouldStop` said to stop).
  public func runMany(
    _ specs: [ProcessSpec], jobs: Int, shouldStop: () -> Bool = { false }
  ) throws(SpawnError) -> [Result<ProcessResult, SpawnError>?] {
    var outcomes: [Result<ProcessResult, SpawnError>?] = Array(repeating: nil, count: specs.count)
    var next = 0
    var inFlight: [ID: Int] = [:]
    while next < specs.count || !inFlight.isEmpty {
      while next < specs.count && inFlight.count < max(1, jobs) && !shouldStop() {
        do { inFlight[try start(specs[next])] = next } catch where error.code != .helperFailed {
          outcomes[next] = .failure(error)
        }
        next += 1
      }
      if inFlight.isEmpty { if shouldStop() { break } else { continue } }
      guard let (id, outcome) = try waitAny(Set(inFlight.keys), shouldStop: shouldStop),
        let index = inFlight.removeValue(forKey: id)
      else { break }
      outcomes[index] = outcome
    }
    return outcomes
  }

  /// Sends `signal` to the process group of `id`. False when it is no longer running.
  @discardableResult
  public func kill(_ id: ID, signal: Int32) -> Bool {
    guard let child = running[id], child.exit == nil, let helper else { return false }
    return (try? helper.signal(id: id, signal)) != nil
  }

  /// The pid of a running child.
  public func pid(_ id: ID) -> Int32? { running[id]?.pid }

  /// Stops every running child (SIGTERM to each group, SIGKILL after its grace) and collects
  /// them; their results are discarded.
  public func stopAll() throws(SpawnError) {
    let now = rig_monotonic_ns()
    var grace: Int64 = 0
    // Newest first: a child queued behind another is cancelled before its predecessor's end
    // could start it.
    for child in running.values.sorted(by: { $0.id > $1.id }) where child.exit == nil && child.spawnError == nil {
      do { try helper?.signal(id: child.id, SIGTERM) } catch { helperLost() }
      grace = max(grace, Clock.nanoseconds(child.spec.killGrace))
      child.killDeadline = min(child.killDeadline ?? .max, now + Clock.nanoseconds(child.spec.killGrace))
    }
    // Bounded: the helper SIGKILLs at the grace's end, and reports within a moment after; past
    // that (a helper that stopped answering), Rig kills what it knows of itself.
    let giveUp = now + grace + 2_000_000_000
    while running.values.contains(where: { $0.exit == nil && $0.spawnError == nil }) {
      guard helper != nil, rig_monotonic_ns() < giveUp else {
        helperLost()
        break
      }
      do { try pump(timeoutMilliseconds: 50) } catch { helperLost() }
    }
    for child in running.values { child.closeAll() }
    running.removeAll()
    finished.removeAll()
  }

  /// True once `adoptOrphans()` made this process a child subreaper.
  nonisolated(unsafe) public private(set) static var adoptsOrphans = false

  /// Makes this process a child subreaper, so that if the spawn helper dies, what it started
  /// is re-parented here rather than to init, where `helperLost` finds and ends it. For a
  /// program whose children all come through the helper (the `rig` command): an embedding
  /// program that starts children of its own must not call it, since adopted orphans are
  /// then reaped with waitpid(-1).
  public static func adoptOrphans() {
    if rig_set_subreaper() == 0 { adoptsOrphans = true }
  }

  /// The helper is gone (killed, crashed) or stopped answering: Rig kills every child it
  /// knows of, and everything below each (walking /proc's children lists, then the process
  /// group), since no one else will; those children end as `helper_failed` errors. The next
  /// start begins a new helper.
  private func helperLost() {
    for child in running.values where child.exit == nil && child.spawnError == nil {
      if let pid = child.pid {
        Glibc.kill(-pid, SIGKILL)
        rig_children_remove(pid)
      }
      child.spawnError = EPIPE
      child.helperLost = true
      child.closeAll()
    }
    // The helper is reaped first: once it can be reaped, the kernel has re-parented its
    // children (here, with adoptOrphans; to init otherwise).
    if let helper {
      Glibc.kill(helper.pid, SIGKILL)
      helper.stop()
    }
    helper = nil
    guard Self.adoptsOrphans else { return }
    // Everything below Rig: the helper's orphans, sessions and process groups of their own
    // included. Rig starts nothing else, so all of it is what the helper started.
    for pid in ProcessTree.descendants(root: getpid()).reversed() { Glibc.kill(pid, SIGKILL) }
    var status: Int32 = 0
    let giveUp = rig_monotonic_ns() + 1_000_000_000
    while rig_monotonic_ns() < giveUp {  // the adopted ones, dying
      let reaped = rig_reap(-1, &status, 1)
      if reaped < 0 { break }  // ECHILD: none left
      if reaped == 0 { usleep(1_000) }
    }
  }

  /// Stops the children and the helper.
  public func shutdown() {
    try? stopAll()
    helper?.stop()
    helper = nil
    if devNull >= 0 {
      close(devNull)
      devNull = -1
    }
  }

  // MARK: - The event loop

  private func ensureHelper() throws(SpawnError) -> SpawnHelper {
    if let helper { return helper }
    let started = try SpawnHelper.start(environmentGeneration: Self.environmentGeneration)
    helper = started
    return started
  }

  /// One round: waits up to `timeoutMilliseconds` (or the nearest deadline) for the helper's
  /// reports, output, and stdin space; then applies timeouts and RSS limits.
  private func pump(timeoutMilliseconds: Int32) throws(SpawnError) {
    guard let helper else { return }
    var fds = [pollfd(fd: helper.socket, events: Int16(POLLIN), revents: 0)]
    var owners: [(Child, Int)] = []  // stream: 0 stdin, 1 stdout, 2 stderr
    for child in running.values {
      if let input = child.stdinPipe {
        fds.append(pollfd(fd: input.fd, events: Int16(POLLOUT), revents: 0))
        owners.append((child, 0))
      }
      for (stream, sink) in [(1, child.stdoutSink), (2, child.stderrSink)] {
        if let sink, sink.fd >= 0 {
          fds.append(pollfd(fd: sink.fd, events: Int16(POLLIN), revents: 0))
          owners.append((child, stream))
        }
      }
    }
    let now = rig_monotonic_ns()
    var wait = Int64(timeoutMilliseconds)
    for child in running.values {
      for deadline in [child.termDeadline, child.killDeadline, child.nextRSSSample, child.pipeDeadline] {
        if let deadline { wait = min(wait, max(0, (deadline - now + 999_999) / 1_000_000)) }
      }
    }
    let ready = Glibc.poll(&fds, nfds_t(fds.count), Int32(wait))
    if ready < 0 && errno != EINTR {
      throw SpawnError(.helperFailed, "poll: \(String(cString: strerror(errno)))", errno: errno)
    }
    if ready > 0 {
      if fds[0].revents != 0 {
        do { try receiveReplies(helper) } catch {
          helperLost()
          throw error
        }
      }
      for (index, (child, stream)) in owners.enumerated() where fds[index + 1].revents != 0 {
        if stream == 0 { child.feedStdin() } else { child.drain(stream) }
      }
    }
    try enforceLimits()
    collectFinished()
  }

  private func receiveReplies(_ helper: SpawnHelper) throws(SpawnError) {
    while let reply = try helper.receive() {
      guard let child = running[reply.id] else { continue }
      switch Int32(reply.kind) {
      case Int32(RIG_SPAWN_REPLY_SPAWNED):
        if reply.pid > 0 {
          child.pid = reply.pid
          rig_children_add(reply.pid)
          if child.spec.rssLimitKB != nil { child.nextRSSSample = rig_monotonic_ns() }
          if child.queued, let timeout = child.spec.timeout {
            child.termDeadline = reply.start_ns + Clock.nanoseconds(timeout)
          }
        } else {
          child.spawnError = reply.error
        }
      case Int32(RIG_SPAWN_REPLY_EXITED):
        child.exit = reply
        if child.pid != nil { rig_children_remove(reply.pid) }
        // Output still buffered in the pipes is read below; a descendant that keeps a pipe
        // open (a daemon in another group) does not hold the result back for long.
        child.pipeDeadline = rig_monotonic_ns() + 2_000_000_000
      default:
        continue
      }
    }
  }

  private func enforceLimits() throws(SpawnError) {
    let now = rig_monotonic_ns()
    for child in running.values {
      guard child.exit == nil, child.spawnError == nil else {
        if let deadline = child.pipeDeadline, now >= deadline { child.closeAll() }
        continue
      }
      if let deadline = child.termDeadline, now >= deadline {
        child.termDeadline = nil
        child.timedOut = true
        try helper?.signal(id: child.id, SIGTERM)
        child.killDeadline = now + Clock.nanoseconds(child.spec.killGrace)
      }
      if let deadline = child.killDeadline, now >= deadline {
        child.killDeadline = nil
        try helper?.signal(id: child.id, SIGKILL)
      }
      if let limit = child.spec.rssLimitKB, let pid = child.pid, let due = child.nextRSSSample, now >= due {
        let rss = ProcessTree.residentKB(root: pid)
        child.peakTreeRSSKB = max(child.peakTreeRSSKB ?? 0, rss)
        if rss > limit && !child.rssExceeded {
          child.rssExceeded = true
          try helper?.signal(id: child.id, SIGKILL)
        }
        child.nextRSSSample = now + Clock.nanoseconds(child.spec.rssSampleInterval)
      }
    }
  }

  private func collectFinished() {
    for (id, child) in running where child.isComplete {
      running[id] = nil
      child.closeAll()
      finished[id] = child.result()
    }
  }

  /// Bumped by `environmentDidChange()`; the inherited environment is cached until then.
  nonisolated(unsafe) private static var environmentGeneration = 0
  private var cachedEnvironment: (generation: Int, entries: [String])?

  /// Call after changing this process's environment (setenv), so children see the change.
  public static func environmentDidChange() {
    environmentGeneration += 1
  }

  private func childEnvironment(_ spec: ProcessSpec) -> [String] {
    let plain = spec.environment.isEmpty && spec.removedEnvironment.isEmpty && !spec.clearEnvironment
    if plain {
      if let cached = cachedEnvironment, cached.generation == Self.environmentGeneration { return cached.entries }
    }
    var entries: [String] = []
    var overridden = Set(spec.environment.keys).union(spec.removedEnvironment)
    if !spec.clearEnvironment, var cursor = rig_environ() {
      while let entry = cursor.pointee {
        let text = String(cString: entry)
        let name = text.split(separator: "=", maxSplits: 1).first.map(String.init) ?? text
        if !overridden.contains(name) { entries.append(text) }
        cursor += 1
      }
    }
    for (name, value) in spec.environment.sorted(by: { $0.key < $1.key }) {
      entries.append(name + "=" + value)
      overridden.insert(name)
    }
    if plain {
      cachedEnvironment = (Self.environmentGeneration, entries)
    }
    return entries
  }

  static func spawnError(errno code: Int32, program: String) -> SpawnError {
    let reason = String(cString: strerror(code))
    switch code {
    case ECANCELED: return SpawnError(.cancelled, "'\(program)': killed before it started", errno: code)
    case ENOENT: return SpawnError(.notFound, "'\(program)': no such file", errno: code)
    case EACCES, ENOEXEC, EPERM, EISDIR: return SpawnError(.notExecutable, "'\(program)': \(reason)", errno: code)
    case ENOTDIR: return SpawnError(.badCwd, "'\(program)': \(reason)", errno: code)
    default: return SpawnError(.spawnFailed, "'\(program)': \(reason)", errno: code)
    }
  }
}

// MARK: - One child

/// Captured output of one stream.
final class OutputSink {
  var fd: Int32
  let limit: Int
  var data: [UInt8] = []
  var total = 0
  var truncated: Bool { total > data.count }

  init(fd: Int32, limit: Int) {
    self.fd = fd
    self.limit = limit
  }

  /// Reads what is there; closes at end of file.
  func drain() {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while fd >= 0 {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
      if n > 0 {
        total += n
        let room = limit - data.count
        if room > 0 { data.append(contentsOf: buffer[0..<min(n, room)]) }
      } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
        close(fd)
        fd = -1
      } else if errno == EAGAIN {
        return
      }
    }
  }
}

/// Bytes for a child's stdin, written as the pipe has room.
final class InputPipe {
  var fd: Int32
  let bytes: [UInt8]
  var offset = 0
  init(fd: Int32, bytes: [UInt8]) {
    self.fd = fd
    self.bytes = bytes
  }
}

final class Child {
  let id: ProcessRunner.ID
  let spec: ProcessSpec
  var pid: Int32?
  var spawnError: Int32?
  /// Ended by Rig itself because the helper died under it (see ProcessRunner.helperLost).
  var helperLost = false
  /// Sent to start after another child (the helper starts it; deadlines count from then).
  var queued = false
  var program = ""
  var exit: rig_spawn_reply?
  var startedAt = ""
  var stdinPipe: InputPipe?
  var stdoutSink: OutputSink?
  var stderrSink: OutputSink?
  var timedOut = false
  var rssExceeded = false
  var termDeadline: Int64?
  var killDeadline: Int64?
  var nextRSSSample: Int64?
  var pipeDeadline: Int64?
  var peakTreeRSSKB: Int?

  /// Rig's shared /dev/null descriptor (read-write); the child gets its own copy.
  let devNull: Int32

  init(id: ProcessRunner.ID, spec: ProcessSpec, devNull: Int32) {
    self.id = id
    self.spec = spec
    self.devNull = devNull
  }

  var isComplete: Bool {
    exit != nil && (stdoutSink?.fd ?? -1) < 0 && (stderrSink?.fd ?? -1) < 0
  }

  /// The child's end of stdin.
  func openStdin() throws(SpawnError) -> Int32 {
    switch spec.stdin {
    case .null: return devNull >= 0 ? dup(devNull) : try open("/dev/null", mode: 0, code: .badStdin)
    case .inherit: return dup(0)
    case .file(let path): return try open(path, mode: 0, code: .badStdin)
    case .bytes(let bytes):
      let (readEnd, writeEnd) = try pipe()
      _ = rig_set_nonblocking(writeEnd)
      if bytes.isEmpty {
        close(writeEnd)
      } else {
        stdinPipe = InputPipe(fd: writeEnd, bytes: bytes)
      }
      return readEnd
    }
  }

  /// The child's end of stdout (1) or stderr (2).
  func openOutput(_ stream: Int32) throws(SpawnError) -> Int32 {
    switch stream == 1 ? spec.stdout : spec.stderr {
    case .capture:
      let (readEnd, writeEnd) = try pipe()
      _ = rig_set_nonblocking(readEnd)
      let sink = OutputSink(fd: readEnd, limit: max(0, spec.maxCapture))
      if stream == 1 { stdoutSink = sink } else { stderrSink = sink }
      return writeEnd
    case .inherit: return dup(stream)
    case .null: return devNull >= 0 ? dup(devNull) : try open("/dev/null", mode: 1, code: .badOutput)
    case .file(let path): return try open(path, mode: 1, code: .badOutput)
    case .append(let path): return try open(path, mode: 2, code: .badOutput)
    }
  }

  private func open(_ path: String, mode: Int32, code: SpawnError.Code) throws(SpawnError) -> Int32 {
    let fd = rig_open(path, mode)
    if fd < 0 {
      throw SpawnError(code, "'\(path)': \(String(cString: strerror(-fd)))", errno: -fd)
    }
    return fd
  }

  private func pipe() throws(SpawnError) -> (Int32, Int32) {
    var fds: [Int32] = [-1, -1]
    let rc = rig_pipe(&fds)
    if rc != 0 { throw SpawnError(.spawnFailed, "pipe: \(String(cString: strerror(rc)))", errno: rc) }
    return (fds[0], fds[1])
  }

  func feedStdin() {
    guard let input = stdinPipe else { return }
    while input.offset < input.bytes.count {
      let n = input.bytes.withUnsafeBytes {
        write(input.fd, $0.baseAddress! + input.offset, min(65536, input.bytes.count - input.offset))
      }
      if n > 0 { input.offset += n } else if errno == EAGAIN || errno == EINTR { return } else { break }
    }
    close(input.fd)  // all written, or the child closed its end (EPIPE)
    stdinPipe = nil
  }

  func drain(_ stream: Int) {
    (stream == 1 ? stdoutSink : stderrSink)?.drain()
  }

  func closeAll() {
    if let input = stdinPipe {
      close(input.fd)
      stdinPipe = nil
    }
    for sink in [stdoutSink, stderrSink] {
      if let sink, sink.fd >= 0 {
        sink.drain()
        if sink.fd >= 0 {
          close(sink.fd)
          sink.fd = -1
        }
      }
    }
  }

  func result() -> ProcessResult {
    let e = exit!
    let status = e.status
    var result = ProcessResult(
      argv: spec.argv, pid: e.pid,
      exitCode: rig_wifexited(status) != 0 ? rig_wexitstatus(status) : nil,
      signal: rig_wifsignaled(status) != 0 ? rig_wtermsig(status) : nil,
      wallSeconds: Double(e.end_ns - e.start_ns) / 1e9,
      userSeconds: Double(e.utime_us) / 1e6, systemSeconds: Double(e.stime_us) / 1e6,
      maxRSSKB: Int(e.maxrss_kb), minorFaults: Int(e.minflt), majorFaults: Int(e.majflt),
      voluntaryContextSwitches: Int(e.nvcsw), involuntaryContextSwitches: Int(e.nivcsw),
      startedAt: queued ? Clock.iso8601(monotonicNanoseconds: e.start_ns) : startedAt)
    result.startSeconds = Double(e.start_ns) / 1e9
    result.timedOut = timedOut
    result.rssExceeded = rssExceeded
    result.peakTreeRSSKB = peakTreeRSSKB
    if let sink = stdoutSink {
      result.stdout = sink.data
      result.stdoutBytes = sink.total
      result.stdoutTruncated = sink.truncated
    }
    if let sink = stderrSink {
      result.stderr = sink.data
      result.stderrBytes = sink.total
      result.stderrTruncated = sink.truncated
    }
    return result
  }
}
