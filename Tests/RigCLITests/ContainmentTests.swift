import Foundation
import Testing

/// Nothing a command starts outlives it: real processes that leave their process group
/// (setsid, `set -m` job control), under a case's end, a timeout, a SIGKILL of Rig, and the
/// death of the spawn helper.
@Suite("process containment")
struct ContainmentTests {
  /// Processes whose command line holds `marker` (each test sleeps for a unique odd time).
  func survivors(_ marker: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { Int32($0) }.filter { pid in
      guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
      let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
      return words.first.map { ($0 as NSString).lastPathComponent == "sleep" } == true && words.contains(marker)
    }
  }

  /// Waits up to `seconds` for `marker`'s processes to be gone; returns what is left.
  func settle(_ marker: String, seconds: Double = 3) -> [Int32] {
    let deadline = Date().addingTimeInterval(seconds)
    var left = survivors(marker)
    while !left.isEmpty && Date() < deadline {
      usleep(20_000)
      left = survivors(marker)
    }
    for pid in left { kill(pid, SIGKILL) }
    return left
  }

  @Test("setsid and set -m descendants end with their case, and after its timeout")
  func caseEnd() throws {
    let dir = try RigCommand.scratch()
    let escapes = [
      ("901.1", "setsid sleep 901.1 & exit 0"),
      ("901.2", "bash -c 'set -m; sleep 901.2 & exit 0'"),
      ("901.3", "(setsid sleep 901.3 &); sleep 0.05"),
      ("901.4", "env -i /bin/sh -c 'setsid sleep 901.4 & exit 0'"),
    ]
    for (marker, script) in escapes {
      let r = try RigCommand.run(
        ["eval", "local r = rig.proc.run{'sh', '-c', ...}; rig.time.sleep(0.2); return r.code", script], in: dir)
      #expect(r.stdout.hasPrefix("0"), "\(script): \(r.stderr)")
      #expect(settle(marker, seconds: 0.5).isEmpty, "\(script) left a process behind")
    }
    let timed = try RigCommand.run(
      ["eval", "return rig.proc.run{'sh', '-c', 'setsid sleep 902.1 & sleep 902.2', timeout = 0.3}.timed_out"], in: dir)
    #expect(timed.stdout.hasPrefix("true"), "\(timed.stderr)")
    #expect(settle("902.1", seconds: 0.5).isEmpty && settle("902.2", seconds: 0.5).isEmpty)
  }

  @Test("back-to-back (pipelined) runs that each leave an orphan: none is left once they end")
  func pipelined() throws {
    let dir = try RigCommand.scratch()
    // Counted while Rig still runs (when it exits, the helper kills everything anyway).
    let r = try RigCommand.run(
      ["eval", """
        local m = rig.measure.run{commands = {{'sh', '-c', 'setsid sleep 905.1 & exit 0'}}, shell = false, runs = 30}
        rig.time.sleep(0.3)
        local left = rig.proc.run{'sh', '-c', 'pgrep -ax sleep | grep -c 905.1'}.stdout
        return #m.benchmarks[1].runs, (left:gsub('%s', ''))
        """], in: dir)
    #expect(r.stdout == "30\t0\n", "\(r.stdout) \(r.stderr)")
    #expect(settle("905.1", seconds: 0.5).isEmpty)
  }

  @Test("SIGKILL of Rig: the helper ends every descendant, in whatever session")
  func rigKilled() throws {
    let dir = try RigCommand.scratch()
    let (process, out, err) = try RigCommand.launch(
      ["eval", "rig.proc.run{'bash', '-c', 'set -m; sleep 903.1 & setsid sleep 903.2 & sleep 903.3'}"], in: dir)
    // All three started (setsid forks once more under job control: the last to appear).
    let deadline = Date().addingTimeInterval(10)
    while ["903.1", "903.2", "903.3"].contains(where: { survivors($0).isEmpty }) && Date() < deadline {
      usleep(20_000)
    }
    #expect(!survivors("903.2").isEmpty)
    kill(process.processIdentifier, SIGKILL)
    _ = RigCommand.collect(process, out, err)
    for marker in ["903.1", "903.2", "903.3"] { #expect(settle(marker).isEmpty, "\(marker) outlived Rig") }
  }

  @Test("the spawn helper killed under a running case: helper_failed at once, no survivors, the next run works")
  func helperKilled() throws {
    let dir = try RigCommand.scratch()
    for signal in [SIGKILL, SIGTERM] {
      let marker = signal == SIGKILL ? "904.1" : "904.2"
      let (process, out, err) = try RigCommand.launch(
        ["eval", """
          local r, e = rig.proc.run{'sh', '-c', 'setsid sleep \(marker) & sleep \(marker)'}
          print(e and e.code, rig.proc.run{'echo', 'again'}.stdout)
          """], in: dir)
      let deadline = Date().addingTimeInterval(10)
      while survivors(marker).count < 2 && Date() < deadline { usleep(20_000) }
      // The helper is the only child of Rig that is not a sleep.
      let children = (try? String(
        contentsOfFile: "/proc/\(process.processIdentifier)/task/\(process.processIdentifier)/children",
        encoding: .utf8)) ?? ""
      let helper = try #require(children.split(separator: " ").compactMap { Int32($0) }.first)
      let killed = Date()
      kill(helper, signal)
      let r = RigCommand.collect(process, out, err)
      #expect(Date().timeIntervalSince(killed) < 2, "Rig took too long to notice")
      #expect(r.stdout.hasPrefix("helper_failed\tagain"), "\(r.stdout) \(r.stderr)")
      #expect(settle(marker).isEmpty, "the case's processes outlived the helper")
    }
  }
}
