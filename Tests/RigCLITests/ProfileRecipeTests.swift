import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Whether a shell command succeeds here (for tools a machine may lack or forbid).
private func succeeds(_ command: String) -> Bool {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: "/bin/sh")
  p.arguments = ["-c", command + " >/dev/null 2>&1"]
  guard (try? p.run()) != nil else { return false }
  p.waitUntilExit()
  return p.terminationStatus == 0
}

/// Whether `perf record` can sample a user program here (it needs linux-perf for the running
/// kernel and perf_event_paranoid <= 2); containers often forbid it.
private let perfWorks = succeeds("perf record -q -e cpu-clock -o /dev/null -- true")

/// Whether py-spy (from PyPI) is installed.
private let pySpyInstalled = succeeds("py-spy --version")

/// `rig run profile` on a C program with a known call tree (Tests/Fixtures/profiles/tree.c),
/// built in the test, and on Molt's real profile logs.
@Suite("rig run profile")
struct ProfileRecipeTests {
  /// A scratch directory with `tree` built from the fixture source.
  func buildTree() throws -> String {
    let dir = try RigCommand.scratch()
    let cc = Process()
    cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    cc.arguments = ["cc", "-O0", "-g", "-fno-omit-frame-pointer", "-o", dir + "/tree",
                    RigCommand.fixture("profiles/tree.c")]
    try cc.run()
    cc.waitUntilExit()
    try #require(cc.terminationStatus == 0)
    return dir
  }

  func manifest(_ dir: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/profile.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test("time: the command's end, times and peak RSS land in profile.json; a failing command exits 1")
  func timeBackend() throws {
    let dir = try buildTree()
    let ok = try RigCommand.run(["run", "profile", "--out", dir + "/p", "--", dir + "/tree", "1000"], in: dir)
    #expect(ok.status == 0, "\(ok.stderr)")
    let m = try manifest(dir + "/p")
    let result = try #require(m["result"] as? [String: Any])
    #expect(result["code"] as? Int == 0)
    #expect((result["max_rss_kb"] as? Int ?? 0) > 0)
    let failing = try RigCommand.run(["run", "profile", "--out", dir + "/q", "--", "/bin/sh", "-c", "exit 3"], in: dir)
    #expect(failing.status == 1)
    #expect(failing.stdout.contains("time: exit 3"))
    // --script runs it the way the lane does: the real interpreter, the script, the arguments.
    try RigCommand.write(["argv.py": "import sys; print(sys.argv[1:])\n"], in: dir)
    let lane = try RigCommand.run(
      ["run", "profile", "--script", dir + "/argv.py", "--lane", "cpython", "--out", dir + "/s", "--", "x", "y"], in: dir)
    #expect(lane.status == 0, "\(lane.stderr)")
    let command = try #require(try manifest(dir + "/s")["command"] as? [String])
    #expect(command.count == 4 && command[1] == dir + "/argv.py" && command[2...] == ["x", "y"])
    #expect(try String(contentsOfFile: dir + "/s/stdout.txt", encoding: .utf8) == "['x', 'y']\n")
    let missing = try RigCommand.run(["run", "profile", "--out", dir + "/r"], in: dir)
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("no command: give it after --"))
  }

  @Test("callgrind: the instruction count is the same on every run, and the call tree is right")
  func callgrindBackend() throws {
    let dir = try buildTree()
    var counts: [Int] = []
    for run in 1...2 {
      let r = try RigCommand.run(
        ["run", "profile", "--backend", "callgrind", "--out", dir + "/cg\(run)", "--", dir + "/tree", "200000"], in: dir)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.contains("costliest functions (self):"))
      #expect(r.stdout.contains("| spin "))
      counts.append(try #require(try manifest(dir + "/cg\(run)")["instructions"] as? Int))
    }
    #expect(counts[0] == counts[1])
    let folded = try String(contentsOfFile: dir + "/cg1/stacks.folded", encoding: .utf8)
    func cost(_ suffix: String) -> Double {
      folded.split(separator: "\n").filter { $0.hasSuffix(suffix) || $0.contains(suffix + " ") }
        .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
    }
    // spin runs 3n iterations under a() and n under b(): a 3:1 split of its instructions.
    let underA = cost(";main;a;leaf;spin"), underB = cost(";main;b;spin")
    #expect(underB > 1_000_000 && abs(underA / underB - 3) < 0.01, "a=\(underA) b=\(underB)")
    #expect(FileManager.default.fileExists(atPath: dir + "/cg1/flamegraph.svg"))
    // spin runs 4 * 200,000 iterations; the program's other work is small next to it.
    #expect(counts[0] > 4 * 200_000 * 5 && counts[0] < 4 * 200_000 * 12)
    let compared = try RigCommand.run(
      ["run", "profile", "--backend", "callgrind", "--out", dir + "/cg3", "--compare", dir + "/cg1", "--",
       dir + "/tree", "200000"], in: dir)
    #expect(compared.stdout.contains("instructions: \(counts[0]) -> \(counts[0]) (1.0000x)"))
  }

  @Test("counters: Molt's real profile logs give the counter diff, largest relative change first")
  func countersBackend() throws {
    let dir = try RigCommand.scratch()
    let logs = RigCommand.fixture("molt/bench/results/profiles_20260320")
    let first = try RigCommand.run(
      ["run", "profile", "--backend", "counters", "--out", dir + "/sum", "--", "cat", logs + "/bench_sum.log"], in: dir)
    #expect(first.status == 0, "\(first.stderr)")
    let counters = try #require(try manifest(dir + "/sum")["counters"] as? [String: Any])
    #expect(counters["profile.alloc_tuple"] as? Int == 2844)
    let second = try RigCommand.run(
      ["run", "profile", "--backend", "counters", "--out", dir + "/list", "--compare", dir + "/sum", "--", "cat",
       logs + "/bench_sum_list.log"], in: dir)
    #expect(second.status == 0, "\(second.stderr)")
    let rows = second.stdout.split(separator: "\n").filter { $0.hasPrefix("| profile.") }
    try #require(rows.count == 3)
    #expect(rows[0].hasPrefix("| profile.alloc_tuple  |   2844 | 1002845 | 352.618x |"))
    #expect(rows[1].hasPrefix("| profile.alloc_string |  15063 | 2015066 | 133.776x |"))
    #expect(rows[2].hasPrefix("| profile.alloc_count  |  23755 | 3023765 | 127.290x |"))
  }

  @Test("bench --instructions: the same count twice within 0.01%, and diff gates on a change in it (f(22) -> f(23))")
  func instructionsAsLaneMetric() throws {
    let dir = try RigCommand.scratch()
    func script(_ n: Int) -> String { "def f(n):\n    return n if n < 2 else f(n - 1) + f(n - 2)\nprint(f(\(n)))\n" }
    func bench(_ n: Int, _ out: String) throws -> Int {
      try RigCommand.write(["wl.py": script(n)], in: dir)
      let r = try RigCommand.run(
        ["run", "bench", "--lane", "cpython", "--script", dir + "/wl.py", "--samples", "3", "--warmup", "0",
         "--instructions", "--json-out", dir + "/" + out], in: dir)
      try #require(r.status == 0, "\(r.stderr)")
      let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + out))
      let payload = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      let rows = try #require(payload["benchmarks"] as? [String: Any])
      let row = try #require(rows["wl.py"] as? [String: Any])
      return try #require(row["cpython_instructions"] as? Int)
    }
    let a = try bench(22, "a.json"), b = try bench(22, "b.json"), c = try bench(23, "c.json")
    // Not always identical (a few dozen instructions of 171 million move between runs of
    // CPython: allocator and environment details), but far inside a 0.1% gate.
    #expect(abs(Double(b - a)) / Double(a) < 1e-4, "a=\(a) b=\(b)")
    #expect(Double(c - a) / Double(a) > 0.1)
    let same = try RigCommand.run(
      ["run", "diff", dir + "/a.json", dir + "/b.json", "--metrics", "cpython_instructions", "--fail-regression-pct",
       "0.1"], in: dir)
    #expect(same.status == 0, "\(same.stdout)")
    let slower = try RigCommand.run(
      ["run", "diff", dir + "/a.json", dir + "/c.json", "--metrics", "cpython_instructions", "--fail-regression-pct",
       "0.1"], in: dir)
    #expect(slower.status == 2)
    #expect(slower.stdout.contains("regressed=1"))
  }

  @Test("py-spy: a recursive Python function dominates its flame graph", .enabled(if: pySpyInstalled, "no py-spy"))
  func pySpyBackend() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(
      ["fib.py": "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nprint(fib(30))\n"], in: dir)
    // Through the cpython lane: the real interpreter, not a pyenv shim's own start-up.
    let r = try RigCommand.run(
      ["run", "profile", "--backend", "py-spy", "--out", dir + "/p", "--top", "1", "--script", dir + "/fib.py"],
      in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("| fib (fib.py)"))
    #expect(FileManager.default.fileExists(atPath: dir + "/p/flamegraph.svg"))
  }

  @Test("perf-stat: the task clock always, hardware counters as numbers or marked unsupported",
        .enabled(if: perfWorks, "perf cannot sample here"))
  func perfStatBackend() throws {
    let dir = try buildTree()
    let r = try RigCommand.run(
      ["run", "profile", "--backend", "perf-stat", "--out", dir + "/s", "--", dir + "/tree", "10000000"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let events = try #require(try manifest(dir + "/s")["perf_stat"] as? [String: Any])
    #expect((events["task-clock"] as? Double ?? 0) > 1)
    for name in ["instructions:u", "cycles:u", "cache-misses:u"] {
      let value = events[name]
      #expect((value as? Double).map { $0 > 0 } ?? (value as? String == "<not supported>"), "\(name): \(String(describing: value))")
    }
  }

  @Test("perf: folded stacks split 3:1 between a() and b(), as the program spends its time",
        .enabled(if: perfWorks, "perf cannot sample here"))
  func perfBackend() throws {
    let dir = try buildTree()
    let r = try RigCommand.run(
      ["run", "profile", "--backend", "perf", "--out", dir + "/p", "--", dir + "/tree", "100000000"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let folded = try String(contentsOfFile: dir + "/p/stacks.folded", encoding: .utf8)
    func samples(_ suffix: String) -> Int {
      folded.split(separator: "\n").filter { $0.contains(suffix) }
        .compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
    }
    let a = samples(";main;a;leaf;spin"), b = samples(";main;b;spin")
    #expect(b > 20)
    #expect(abs(Double(a) / Double(b) - 3.0) < 0.6, "a=\(a) b=\(b)")
    let svg = try String(contentsOfFile: dir + "/p/flamegraph.svg", encoding: .utf8)
    #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    #expect((try? XMLDocument(xmlString: svg)) != nil)
  }
}
