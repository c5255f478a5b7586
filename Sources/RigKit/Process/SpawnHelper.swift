import CRigSpawn
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The connection to `rig-spawn`, the small C program that forks Rig's children (see the
/// comment in CRigSpawn.h for why). The program is built into Rig and started from memory.
final class SpawnHelper {
  let socket: Int32
  let pid: Int32
  /// ProcessRunner's environment generation when the helper started with Rig's environment:
  /// while it is unchanged, children inherit the helper's and none is sent.
  let environmentGeneration: Int

  private init(socket: Int32, pid: Int32, environmentGeneration: Int) {
    self.socket = socket
    self.pid = pid
    self.environmentGeneration = environmentGeneration
  }

  /// Starts the helper: RIG_SPAWN_HELPER if set (a path), else the copy built into Rig.
  static func start(environmentGeneration: Int) throws(SpawnError) -> SpawnHelper {
    var pair: [Int32] = [-1, -1]
    let rc = rig_socketpair(&pair)
    guard rc == 0 else { throw SpawnError(.helperFailed, "socketpair: \(String(cString: strerror(rc)))", errno: rc) }
    defer { close(pair[1]) }
    let path: String
    var memfd: Int32 = -1
    if let override = ProcessInfo.processInfo.environment["RIG_SPAWN_HELPER"], !override.isEmpty {
      path = override
    } else {
      memfd = try writeEmbeddedHelper()
      path = "/proc/self/fd/\(memfd)"
    }
    defer { if memfd >= 0 { close(memfd) } }
    let pid = rig_spawn_start_helper(path, pair[1])
    guard pid > 0 else {
      close(pair[0])
      throw SpawnError(.helperFailed, "cannot start the spawn helper: \(String(cString: strerror(-pid)))", errno: -pid)
    }
    _ = rig_set_nonblocking(pair[0])
    return SpawnHelper(socket: pair[0], pid: pid, environmentGeneration: environmentGeneration)
  }

  /// The helper program, decoded into an anonymous in-memory file.
  private static func writeEmbeddedHelper() throws(SpawnError) -> Int32 {
    let fd = spawnHelperBase64.withUTF8Buffer { text in
      text.withMemoryRebound(to: CChar.self) { rig_memfd_from_base64("rig-spawn", $0.baseAddress, $0.count) }
    }
    if fd == -EINVAL { throw SpawnError(.helperFailed, "the embedded spawn helper is corrupt") }
    guard fd >= 0 else {
      throw SpawnError(.helperFailed, "cannot write the spawn helper to memory: \(String(cString: strerror(-fd)))", errno: -fd)
    }
    return fd
  }

  /// Sends a spawn request with the child's three descriptors; `environment` nil means the
  /// child inherits the helper's; `after` not 0 queues it until that child is done.
  func send(
    id: UInt32, program: String, spec: ProcessSpec, environment: [String]?, notify: Bool, after: UInt32,
    fds: [Int32]
  ) throws(SpawnError) {
    var payload: [UInt8] = []
    func add(_ s: String) {
      payload.append(contentsOf: s.utf8)
      payload.append(0)
    }
    add(program)
    for arg in spec.argv { add(arg) }
    for entry in environment ?? [] { add(entry) }
    add(spec.workingDirectory ?? "")
    guard payload.count < Int(RIG_SPAWN_MAX_MESSAGE) - 64 else {
      throw SpawnError(.spawnFailed, "arguments and environment are too large (\(payload.count) bytes)", errno: E2BIG)
    }
    var request = rig_spawn_request(
      magic: RIG_SPAWN_MAGIC, kind: UInt32(RIG_SPAWN_REQ_SPAWN), id: id,
      flags: (spec.keepProcessGroup ? UInt32(RIG_SPAWN_KEEP_GROUP) : 0)
        | (environment == nil ? UInt32(RIG_SPAWN_INHERIT_ENV) : 0) | (notify ? UInt32(RIG_SPAWN_NOTIFY) : 0)
        | (spec.clearEnvironment ? UInt32(RIG_SPAWN_EXACT_ENV) : 0),
      argc: UInt32(clamping: spec.argv.count), envc: UInt32(clamping: environment?.count ?? 0), cpu: Int32(clamping: spec.cpu ?? -1),
      signal: 0, payload_len: UInt32(clamping: payload.count), after: after)
    let rc = payload.withUnsafeBytes { bytes in
      fds.withUnsafeBufferPointer { rig_spawn_send(socket, &request, bytes.baseAddress, $0.baseAddress) }
    }
    if rc == EMSGSIZE {
      throw SpawnError(.spawnFailed, "arguments and environment are too large (\(payload.count) bytes)", errno: E2BIG)
    }
    if rc != 0 {
      throw SpawnError(.helperFailed, "the spawn helper is gone: \(String(cString: strerror(rc)))", errno: rc)
    }
  }

  /// Asks the helper to send `signal` to the process group of child `id` (ignored when that
  /// child has already been reaped: the helper knows, so a reused pid is never hit; a child
  /// still queued behind another is cancelled instead).
  func signal(id: UInt32, _ signal: Int32) throws(SpawnError) {
    var request = rig_spawn_request(
      magic: RIG_SPAWN_MAGIC, kind: UInt32(RIG_SPAWN_REQ_SIGNAL), id: id, flags: 0, argc: 0, envc: 0,
      cpu: -1, signal: signal, payload_len: 0, after: 0)
    let rc = rig_spawn_send(socket, &request, nil, nil)
    if rc != 0 {
      throw SpawnError(.helperFailed, "the spawn helper is gone: \(String(cString: strerror(rc)))", errno: rc)
    }
  }

  /// The next reply, or nil when none is waiting.
  func receive() throws(SpawnError) -> rig_spawn_reply? {
    var reply = rig_spawn_reply()
    let rc = rig_spawn_receive(socket, &reply)
    if rc == 1 { return reply }
    if rc == -EAGAIN || rc == -EWOULDBLOCK { return nil }
    if rc == 0 { throw SpawnError(.helperFailed, "the spawn helper exited unexpectedly") }
    throw SpawnError(.helperFailed, "the spawn helper: \(String(cString: strerror(-rc)))", errno: -rc)
  }

  /// Closes the connection (the helper kills what is left and exits) and reaps the helper.
  func stop() {
    close(socket)
    var status: Int32 = 0
    _ = rig_reap(pid, &status, 0)
  }
}

/// Resident memory of a process tree, from /proc.
enum ProcessTree {
  /// Sum of RSS (kB) over `root` and its descendants (via /proc/PID/task/TID/children).
  static func residentKB(root: Int32) -> Int {
    let pageKB = Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    var total = 0
    for pid in [root] + descendants(root: root) {
      if let statm = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8) {
        let fields = statm.split(separator: " ")
        if fields.count > 1, let pages = Int(fields[1]) { total += pages * pageKB }
      }
    }
    return total
  }

  /// Every descendant of `root` (not `root` itself), parents before their children, from the
  /// children lists in /proc/PID/task/TID/children.
  static func descendants(root: Int32) -> [Int32] {
    var out: [Int32] = []
    var stack = [root]
    var seen = Set<Int32>()
    while let pid = stack.popLast(), seen.insert(pid).inserted {
      if pid != root { out.append(pid) }
      let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
      for task in tasks {
        if let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8) {
          stack.append(contentsOf: text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        }
      }
    }
    return out
  }
}
