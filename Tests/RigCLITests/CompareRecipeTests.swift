import Foundation
import Testing

/// `rig run compare` end to end, on real commands: hyperfine's flags, the exports parsed, the
/// sequential rule's verdicts, failures with and without -i.
@Suite("rig run compare")
struct CompareRecipeTests {
  func json(_ path: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  func results(_ path: String) throws -> [[String: Any]] {
    try #require(try json(path)["results"] as? [[String: Any]])
  }

  func lines(_ path: String) -> [String] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
  }

  @Test("a parameter scan with a step: one benchmark per value, in every export")
  func parameterScan() throws {
    let dir = try RigCommand.scratch()
    let r = try RigCommand.run(
      ["run", "compare", "-N", "-P", "t", "0", "0.01", "-D", "0.005", "--runs", "3", "sleep {t}",
       "--export-json", "s.json", "--export-csv", "s.csv", "--export-markdown", "s.md"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let res = try results(dir + "/s.json")
    #expect(res.map { $0["command"] as? String } == ["sleep 0", "sleep 0.005", "sleep 0.01"])
    #expect(res.map { ($0["parameters"] as? [String: String])?["t"] } == ["0", "0.005", "0.01"])
    for entry in res {
      let times = try #require(entry["times"] as? [Double])
      #expect(times.count == 3)
      let mean = try #require(entry["mean"] as? Double)
      #expect(abs(mean - times.reduce(0, +) / 3) < 1e-12)
      #expect((entry["exit_codes"] as? [Int]) == [0, 0, 0])
    }
    // sleep 0.01 takes at least 10 ms; sleep 0 far less.
    #expect(try #require(res[2]["min"] as? Double) >= 0.01)
    #expect(try #require(res[0]["median"] as? Double) < 0.01)
    let csv = lines(dir + "/s.csv")
    #expect(csv.first == "command,mean,stddev,median,user,system,min,max,parameter_t")
    #expect(csv.count == 4 && csv[3].hasPrefix("sleep 0.01,") && csv[3].hasSuffix(",0.01"))
    let md = lines(dir + "/s.md")
    #expect(md.first == "| Command | Mean [ms] | Min [ms] | Max [ms] | Relative |")
    #expect(md.contains { $0.hasPrefix("| `sleep 0` |") && $0.hasSuffix("| 1.00 |") })
  }

  @Test("-L twice: every combination, the first list varying slowest")
  func parameterLists() throws {
    let dir = try RigCommand.scratch()
    let r = try RigCommand.run(
      ["run", "compare", "-L", "a", "x,y", "-L", "b", "1,2", "--runs", "2", "echo {a}{b}", "-n", "e-{a}-{b}",
       "--export-json", "l.json"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let res = try results(dir + "/l.json")
    #expect(res.map { $0["command"] as? String } == ["e-x-1", "e-x-2", "e-y-1", "e-y-2"])
    #expect((res[3]["parameters"] as? [String: String]) == ["a": "y", "b": "2"])
  }

  @Test("--prepare before every run and --conclude after it; --setup and --cleanup once per command")
  func hooks() throws {
    let dir = try RigCommand.scratch()
    let r = try RigCommand.run(
      ["run", "compare", "--warmup", "1", "--runs", "3", "--order", "sequential",
       "--setup", "echo setup >> log", "--prepare", "echo prepare >> log", "--conclude", "echo conclude >> log",
       "--cleanup", "echo cleanup >> log", "echo run-a >> log", "echo run-b >> log"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let log = lines(dir + "/log")
    // Sequential order: each command's setup, warmup and runs, cleanup, then the next one's.
    func block(_ run: String) -> [String] {
      ["setup"] + Array(repeating: ["prepare", run, "conclude"], count: 4).flatMap { $0 } + ["cleanup"]
    }
    #expect(log == block("run-a") + block("run-b"))
    // A prepare per command, as hyperfine takes them.
    let per = try RigCommand.run(
      ["run", "compare", "--runs", "2", "-p", "echo A >> p", "-p", "echo B >> p", "true", "true"], in: dir)
    #expect(per.status == 0, "\(per.stderr)")
    #expect(lines(dir + "/p").sorted() == ["A", "A", "B", "B"])
    let mismatch = try RigCommand.run(
      ["run", "compare", "-p", "a", "-p", "b", "-p", "c", "true", "true"], in: dir)
    #expect(mismatch.status == 2)
    #expect(mismatch.stderr.contains("--prepare given 3 times for 2 commands"))
  }

  @Test("a failing command stops with exit 1 and says why; with -i it is timed and its exit codes kept")
  func failures() throws {
    let dir = try RigCommand.scratch()
    let failing = try RigCommand.run(
      ["run", "compare", "--runs", "3", "true", "exit 3", "--export-json", "f.json"], in: dir)
    #expect(failing.status == 1)
    #expect(failing.stderr.contains("'exit 3': exit code 3"))
    #expect(failing.stderr.contains("-i/--ignore-failure"))
    #expect(failing.stdout.contains("Benchmark 1: true"))  // the other command still ran
    let doc = try json(dir + "/f.json")
    #expect((doc["results"] as? [Any])?.count == 1)
    let rig = try #require(doc["rig"] as? [String: Any])
    let benches = try #require(rig["benchmarks"] as? [[String: Any]])
    #expect((benches[1]["failure"] as? [String: Any])?["code"] as? Int == 3)

    let ignored = try RigCommand.run(
      ["run", "compare", "-i", "--runs", "3", "true", "exit 3", "--export-json", "i.json"], in: dir)
    #expect(ignored.status == 0, "\(ignored.stderr)")
    let res = try results(dir + "/i.json")
    #expect((res[1]["exit_codes"] as? [Int]) == [3, 3, 3])
    #expect(ignored.stdout.contains("3 of 3 runs failed"))
  }

  @Test("two commands 3x apart: the sequential rule decides early and says so")
  func decides() throws {
    let dir = try RigCommand.scratch()
    let r = try RigCommand.run(
      ["run", "compare", "-N", "sleep 0.01", "sleep 0.03", "--export-json", "d.json"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let rig = try #require(try json(dir + "/d.json")["rig"] as? [String: Any])
    #expect((rig["stop_reason"] as? String)?.hasPrefix("every comparison decided") == true)
    let benches = try #require(rig["benchmarks"] as? [[String: Any]])
    let verdict = try #require(benches[1]["comparison"] as? [String: Any])
    #expect(verdict["verdict"] as? String == "slower")
    #expect(try #require(verdict["ratio"] as? Double) > 2)
    #expect(try #require(benches[1]["runs"] as? Int) < 20)
    #expect(r.stdout.contains("verdict: slower than sleep 0.01"))
    // Fixed runs: no sequential rule, exactly that many.
    let fixed = try RigCommand.run(["run", "compare", "-N", "-r", "4", "true", "true", "--export-json", "x.json"],
      in: dir)
    #expect(fixed.status == 0)
    #expect(try results(dir + "/x.json").allSatisfy { ($0["times"] as? [Double])?.count == 4 })
  }

  @Test("--input feeds stdin, --output keeps stdout, --reference runs first")
  func io() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(["in.txt": "hello\n"], in: dir)
    // The file holds the last run's output (each run truncates it, as hyperfine's do).
    let io = try RigCommand.run(
      ["run", "compare", "-N", "--runs", "3", "--input", "in.txt", "--output", "out.txt", "cat"], in: dir)
    #expect(io.status == 0, "\(io.stderr)")
    #expect(lines(dir + "/out.txt") == ["hello"])
    let r = try RigCommand.run(
      ["run", "compare", "-N", "--runs", "2", "--input", "in.txt", "cat", "--reference", "true",
       "--export-json", "r.json"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let doc = try json(dir + "/r.json")
    #expect(try results(dir + "/r.json").map { $0["command"] as? String } == ["true", "cat"])
    #expect((doc["rig"] as? [String: Any])?["reference"] as? String == "true")
  }

  @Test("mistakes are usage errors naming the problem, before anything runs")
  func usage() throws {
    let dir = try RigCommand.scratch()
    for (args, message) in [
      (["echo {nn}", "-L", "n", "1,2"], "unknown placeholder {nn}; did you mean '{n}'?"),
      (["-P", "n", "5", "1", "sleep {n}"], "HIGH (1) is below LOW (5)"),
      (["-P", "n", "0", "1.5", "sleep {n}"], "must be integers unless -D"),
      (["-N", "'unterminated"], "unterminated"),
      (["--min-runs", "5", "--max-runs", "2", "true"], "--min-runs (5) is above --max-runs (2)"),
      (["--stlye", "basic", "true"], "did you mean '--style'?"),
    ] {
      let r = try RigCommand.run(["run", "compare"] + args + ["--export-json", "u.json"], in: dir)
      #expect(r.status == 2, "\(args): \(r.stderr)")
      #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
      #expect(!r.stderr.contains("traceback"), "\(args)")
    }
    #expect(!FileManager.default.fileExists(atPath: dir + "/u.json"))
  }

  @Test("piped, with NO_COLOR: no escape codes and no progress line")
  func plainWhenPiped() throws {
    let dir = try RigCommand.scratch()
    let r = try RigCommand.run(["run", "compare", "--runs", "2", "true", "true", "--style", "full"], in: dir,
      environment: ["NO_COLOR": "1"])
    #expect(r.status == 0)
    #expect(!r.stdout.contains("\u{1b}["))
    let auto = try RigCommand.run(["run", "compare", "--runs", "2", "true"], in: dir)
    #expect(!auto.stdout.contains("\u{1b}[") && !auto.stderr.contains("\r"))
  }

  @Test("the JSON holds every key hyperfine writes, with the same types")
  func hyperfineKeys() throws {
    let dir = try RigCommand.scratch()
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/hyperfine") else {
      Issue.record("hyperfine is not installed (make test installs it)")
      return
    }
    try RigCommand.shell(
      "hyperfine -N --runs 3 -L n 1,2 'echo {n}' --export-json h.json >/dev/null 2>&1", in: dir)
    let r = try RigCommand.run(["run", "compare", "-N", "--runs", "3", "-L", "n", "1,2", "echo {n}",
      "--export-json", "r.json"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let theirs = try results(dir + "/h.json"), ours = try results(dir + "/r.json")
    #expect(theirs.count == ours.count)
    for (h, o) in zip(theirs, ours) {
      for (key, value) in h {
        let mine = try #require(o[key], "missing \(key)")
        #expect(type(of: mine) == type(of: value) || (mine is NSNumber && value is NSNumber), "\(key)")
      }
      #expect(h["command"] as? String == o["command"] as? String)
      #expect((h["parameters"] as? [String: String]) == (o["parameters"] as? [String: String]))
    }
  }

  @Test("--export-html writes one self-contained page with the plots")
  func html() throws {
    let dir = try RigCommand.scratch()
    let r = try RigCommand.run(["run", "compare", "-N", "-P", "n", "1", "3", "--runs", "6", "seq {n}00",
      "--export-html", "p.html"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let page = try String(contentsOfFile: dir + "/p.html", encoding: .utf8)
    #expect(page.hasPrefix("<!DOCTYPE html>"))
    #expect(page.components(separatedBy: "<svg").count - 1 == 3)  // strip, ratios, the scan
    #expect(!page.contains("http://") || page.components(separatedBy: "http://").count - 1 == 3)  // xmlns only
    #expect(!page.contains("<script"))
  }
}
