import Foundation
import RigKit
import Testing

/// Real processes through the real spawn helper.
@Suite("ProcessRunner", .serialized)
struct ProcessRunnerTests {
  let runner = ProcessRunner()

  func run(_ argv: [String], _ configure: (inout ProcessSpec) -> Void = { _ in }) throws -> ProcessResult {
    var spec = ProcessSpec(argv: argv)
    configure(&spec)
    return try #require(try runner.run(spec))
  }

  func text(_ bytes: [UInt8]?) -> String { String(decoding: bytes ?? [], as: UTF8.self) }

  @Test("exit codes and output are data")
  func exitCodes() throws {
    let ok = try run(["sh", "-c", "echo out; echo err >&2"])
    #expect(ok.ok && ok.exitCode == 0 && ok.signal == nil)
    #expect(text(ok.stdout) == "out\n" && text(ok.stderr) == "err\n")
    let three = try run(["sh", "-c", "exit 3"])
    #expect(!three.ok && three.exitCode == 3)
  }

  @Test("a signal that ends the child is reported by number")
  func signals() throws {
    let r = try run(["sh", "-c", "kill -SEGV $$"])
    #expect(r.exitCode == nil && r.signal == SIGSEGV && !r.ok)
    #expect(Signals.name(r.signal!) == "SIGSEGV")
  }

  @Test("a timeout stops the whole group: the grandchild is gone afterwards")
  func timeoutKillsGrandchildren() throws {
    let marker = FileManager.default.temporaryDirectory.appendingPathComponent("rig-gc-\(UUID().uuidString)").path
    let start = Date()
    let r = try run(["sh", "-c", "sleep 60 & echo $! > \(marker); wait"]) { $0.timeout = 0.3 }
    #expect(r.timedOut && r.signal == SIGTERM && !r.ok)
    #expect(Date().timeIntervalSince(start) < 5)
    // The timer may start a moment before the child (0.29x s seen under load).
    #expect(r.wallSeconds >= 0.28 && r.wallSeconds < 3, "wall \(r.wallSeconds)")
    let grandchild = try #require(Int32(try String(contentsOfFile: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
    usleep(100_000)
    #expect(kill(grandchild, 0) == -1 && errno == ESRCH, "grandchild \(grandchild) survived")
  }

  @Test("a child that ignores SIGTERM is killed after the grace period")
  func killAfterGrace() throws {
    let r = try run(["sh", "-c", "trap '' TERM; sleep 60"]) {
      $0.timeout = 0.2
      $0.killGrace = 0.3
    }
    #expect(r.timedOut && r.signal == SIGKILL)
    // 0.2 s timeout + 0.3 s grace; the timers start just before the spawn that wall time is
    // measured from, so a loaded machine can show a hair under 0.5 s (0.4999 seen in CI).
    #expect(r.wallSeconds >= 0.45 && r.wallSeconds < 3)
  }

  @Test("the RSS limit kills a tree that grows past it")
  func rssLimit() throws {
    let r = try run(["python3", "-c", "import time\nb = bytearray(400 * 1024 * 1024)\ntime.sleep(10)"]) {
      $0.rssLimitKB = 100 * 1024
    }
    #expect(r.rssExceeded && r.signal == SIGKILL && !r.ok)
    #expect(r.wallSeconds < 5)
    #expect((r.peakTreeRSSKB ?? 0) > 100 * 1024)
  }

  @Test("200 MB on each stream at once neither deadlocks nor loses a byte")
  func largeOutputs() throws {
    let script = """
      import sys
      block = bytes(range(256)) * 4096
      for _ in range(200): sys.stdout.buffer.write(block); sys.stderr.buffer.write(block[::-1])
      """
    let r = try run(["python3", "-c", script]) { $0.maxCapture = 300 << 20 }
    #expect(r.ok)
    let block = [UInt8]((0..<256).map { UInt8($0) })
    let out = try #require(r.stdout), err = try #require(r.stderr)
    #expect(out.count == 200 * 1024 * 1024 && err.count == out.count)
    #expect(Array(out[0..<256]) == block && Array(out[out.count - 256..<out.count]) == block)
    #expect(Array(err[0..<256]) == block.reversed())
    #expect(!r.stdoutTruncated && !r.stderrTruncated)
  }

  @Test("capture beyond max_capture is counted and dropped")
  func truncation() throws {
    let r = try run(["sh", "-c", "head -c 100000 /dev/zero"]) { $0.maxCapture = 10 }
    #expect(r.stdout?.count == 10 && r.stdoutBytes == 100_000 && r.stdoutTruncated)
  }

  @Test("stdin from bytes (binary) and from a file")
  func stdin() throws {
    let bytes: [UInt8] = [0, 1, 2, 255, 10, 65]
    #expect(try run(["cat"]) { $0.stdin = .bytes(bytes) }.stdout == bytes)
    let big = [UInt8](repeating: 7, count: 5 << 20)
    #expect(try run(["wc", "-c"]) { $0.stdin = .bytes(big) }.stdout.map(text)?.hasPrefix("5242880") == true)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("rig-in-\(UUID().uuidString)").path
    try "from a file".write(toFile: file, atomically: true, encoding: .utf8)
    #expect(text(try run(["cat"]) { $0.stdin = .file(file) }.stdout) == "from a file")
    #expect(text(try run(["cat"]).stdout) == "", "default stdin is /dev/null")
  }

  @Test("environment, cleared environment and working directory")
  func environment() throws {
    let r = try run(["sh", "-c", "echo $RIG_TEST_X; pwd"]) {
      $0.environment = ["RIG_TEST_X": "42"]
      $0.workingDirectory = "/tmp"
    }
    #expect(text(r.stdout) == "42\n/tmp\n")
    let cleared = try run(["/usr/bin/env"]) {
      $0.clearEnvironment = true
      $0.environment = ["ONLY": "1"]
    }
    #expect(text(cleared.stdout) == "ONLY=1\n")
  }

  @Test("output to files, appended or truncated")
  func outputFiles() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("rig-out-\(UUID().uuidString)").path
    _ = try run(["echo", "one"]) { $0.stdout = .file(file) }
    _ = try run(["echo", "two"]) { $0.stdout = .append(file) }
    #expect(try String(contentsOfFile: file, encoding: .utf8) == "one\ntwo\n")
    let r = try run(["echo", "x"]) { $0.stdout = .null }
    #expect(r.stdout == nil)
  }

  @Test("spawn failures say why, with a code and errno")
  func spawnFailures() throws {
    #expect(throws: SpawnError(.notFound, "'rig-no-such-program': command not found in PATH", errno: ENOENT)) {
      try runner.start(ProcessSpec(argv: ["rig-no-such-program"]))
    }
    let plain = FileManager.default.temporaryDirectory.appendingPathComponent("rig-plain-\(UUID().uuidString)").path
    try "data".write(toFile: plain, atomically: true, encoding: .utf8)
    let notExec = #expect(throws: SpawnError.self) { try runner.start(ProcessSpec(argv: [plain])) }
    #expect(notExec?.code == .notExecutable && notExec?.errno == EACCES)
    var badCwd = ProcessSpec(argv: ["true"])
    badCwd.workingDirectory = "/nonexistent/dir"
    let cwdError = #expect(throws: SpawnError.self) { try runner.start(badCwd) }
    #expect(cwdError?.code == .badCwd && cwdError?.errno == ENOENT)
    var badOut = ProcessSpec(argv: ["true"])
    badOut.stdout = .file("/nonexistent/dir/out.txt")
    #expect((#expect(throws: SpawnError.self) { try runner.start(badOut) })?.code == .badOutput)
    // The runner still works afterwards.
    #expect(try run(["true"]).ok)
  }

  @Test("CPU time and peak RSS are the child's own")
  func accounting() throws {
    let r = try run(["python3", "-c", "x = 0\nfor i in range(3_000_000): x += i\nb = bytearray(64 * 1024 * 1024)"])
    #expect(r.userSeconds > 0.05)
    #expect(r.userSeconds + r.systemSeconds <= r.wallSeconds * 1.1 + 0.01)
    #expect(r.maxRSSKB > 64 * 1024 && r.maxRSSKB < 200 * 1024)
  }

  @Test("a child's peak RSS does not include the parent's size")
  func rssIndependentOfParent() throws {
    // Hold 300 MB here, touched, while the child runs.
    let ballast = UnsafeMutableRawPointer.allocate(byteCount: 300 << 20, alignment: 4096)
    defer { ballast.deallocate() }
    memset(ballast, 1, 300 << 20)
    let r = try run(["/bin/true"])
    #expect(r.maxRSSKB < 5 * 1024, "true reported \(r.maxRSSKB) kB")
    withExtendedLifetime(ballast) {}
  }

  @Test("run_many keeps input order and runs jobs at once")
  func runMany() throws {
    let specs = [0.4, 0.1, 0.3].enumerated().map { i, s in ProcessSpec(argv: ["sh", "-c", "sleep \(s); echo \(i)"]) }
      + [ProcessSpec(argv: ["rig-no-such-program"])]
    let start = Date()
    let outcomes = try runner.runMany(specs, jobs: 3)
    let elapsed = Date().timeIntervalSince(start)
    #expect(elapsed < 0.75, "3 jobs at once should take about the longest, took \(elapsed)")
    for i in 0..<3 {
      guard case .success(let r)? = outcomes[i] else {
        Issue.record("item \(i): \(String(describing: outcomes[i]))")
        continue
      }
      #expect(text(r.stdout) == "\(i)\n")
    }
    guard case .failure(let error)? = outcomes[3] else {
      Issue.record("expected a spawn failure")
      return
    }
    #expect(error.code == .notFound)
  }

  @Test("a child queued after another starts as it ends, while Rig looks elsewhere")
  func queuedAfter() throws {
    let first = try runner.start(ProcessSpec(argv: ["sleep", "0.1"]))
    let second = try runner.start(ProcessSpec(argv: ["sh", "-c", "echo second"]), after: first)
    usleep(400_000)  // nobody collects the first until after this
    let a = try #require(try runner.wait(first))
    let b = try #require(try runner.wait(second))
    #expect(text(b.stdout) == "second\n")
    let gap = b.startSeconds - (a.startSeconds + a.wallSeconds)
    #expect(gap >= 0 && gap < 0.1, "gap \(gap)")
    // After a child that has ended: at once.
    let third = try runner.start(ProcessSpec(argv: ["true"]), after: first)
    #expect(try #require(try runner.wait(third)).ok)
  }

  @Test("a queued child killed before it starts is cancelled; what waited for it moves up")
  func queuedCancelled() throws {
    let first = try runner.start(ProcessSpec(argv: ["sleep", "0.2"]))
    let second = try runner.start(ProcessSpec(argv: ["echo", "second"]), after: first)
    let third = try runner.start(ProcessSpec(argv: ["echo", "third"]), after: second)
    #expect(runner.kill(second, signal: SIGTERM))
    #expect(throws: SpawnError(.cancelled, "'echo': killed before it started", errno: ECANCELED)) {
      try runner.wait(second)
    }
    let a = try #require(try runner.wait(first))
    guard case .success(let c) = try #require(try runner.waitAny([third])).1 else {
      Issue.record("third did not run")
      return
    }
    #expect(text(c.stdout) == "third\n")
    #expect(c.startSeconds >= a.startSeconds + a.wallSeconds)  // it waited for the first, not the second
    // One that cannot start comes out of waitAny as a failure; its follower still runs.
    let before = try runner.start(ProcessSpec(argv: ["true"]))
    let bad = try runner.start(ProcessSpec(argv: ["/etc/passwd"]), after: before)
    let after = try runner.start(ProcessSpec(argv: ["true"]), after: bad)
    _ = try runner.wait(before)
    guard case .failure(let error) = try #require(try runner.waitAny([bad])).1 else {
      Issue.record("expected a spawn failure")
      return
    }
    #expect(error.code == .notExecutable)
    #expect(try #require(try runner.wait(after)).ok)
    // stopAll cancels what is queued, too.
    let running = try runner.start(ProcessSpec(argv: ["sleep", "60"]))
    _ = try runner.start(ProcessSpec(argv: ["sleep", "60"]), after: running)
    try runner.stopAll()
    #expect(runner.activeCount == 0)
  }

  @Test("waitAny gives up after its timeout")
  func waitAnyTimeout() throws {
    let slow = try runner.start(ProcessSpec(argv: ["sleep", "0.5"]))
    #expect(try runner.waitAny([slow], timeout: 0.05) == nil)
    #expect(try runner.wait(slow)?.ok == true)
  }

  @Test("stopAll ends every running child")
  func stopAll() throws {
    let a = try runner.start(ProcessSpec(argv: ["sleep", "60"]))
    let b = try runner.start(ProcessSpec(argv: ["sh", "-c", "trap '' TERM; sleep 60"]))
    let pids = [runner.pid(a)!, runner.pid(b)!]
    try runner.stopAll()
    #expect(runner.activeCount == 0)
    for pid in pids { #expect(kill(pid, 0) == -1) }
  }
}
