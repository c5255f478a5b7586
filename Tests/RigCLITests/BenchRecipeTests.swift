import Foundation
import Testing

/// The bench recipe end to end on tiny workloads, with a stand-in `molt` that misbehaves on
/// purpose (crash, timeout, wrong output, failed build), and real Molt results as baselines.
@Suite("rig run bench", .serialized)
struct BenchRecipeTests {
  static let fakeMolt = """
    #!/bin/sh
    # A stand-in for `molt build --output OUT SCRIPT`: the "binary" runs the script with
    # python3, misbehaving according to the script's name.
    if [ "$1" = "--version" ]; then echo "fake-molt 0.0"; exit 0; fi
    out="$3"; script="$4"
    case "$script" in
      *nobuild*) echo "error: cannot compile $script" >&2; exit 1 ;;
      *daemon*) echo "Backend daemon compile failed: backend daemon returned empty response" >&2; exit 1 ;;
    esac
    cat > "$out" <<SH
    #!/bin/sh
    case "$script" in
      *crash*) kill -SEGV \\$\\$ ;;
      *slow*) sleep 30 ;;
      *mismatch*) echo different; exit 0 ;;
    esac
    exec python3 "$script" "\\$@"
    SH
    chmod +x "$out"
    """

  func setUp() throws -> String {
    let dir = try RigCommand.scratch()
    var files = ["fake-molt": Self.fakeMolt]
    for name in ["ok", "crash", "slow", "mismatch", "nobuild", "daemon"] {
      files["bench_\(name).py"] = "print('hello from \(name)')\n"
    }
    try RigCommand.write(files, in: dir)
    chmod(dir + "/fake-molt", 0o755)
    return dir
  }

  func load(_ path: String) throws -> [String: Any] {
    let data = try #require(FileManager.default.contents(atPath: path))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test("failures are classified with Molt's statuses and the run goes on")
  func failures() throws {
    let dir = try setUp()
    var args = ["run", "bench", "--lane", "cpython", "--lane", "molt", "--lane", "codon", "--molt-cmd", dir + "/fake-molt",
                "--runtime-timeout-sec", "1", "--samples", "4", "--warmup", "1", "--json-out", dir + "/out.json"]
    for name in ["ok", "crash", "slow", "mismatch", "nobuild", "daemon"] { args += ["--script", dir + "/bench_\(name).py"] }
    let r = try RigCommand.run(args, in: dir, environment: ["PATH": "/usr/bin:/bin"])
    #expect(r.status == 1, "a mismatching candidate makes the run exit 1, as Molt's does\n\(r.stderr)")
    #expect(r.stderr.contains("lane codon skipped:"))
    let results = try load(dir + "/out.json")
    #expect(results["schema_version"] as? Int == 1)
    #expect(results["samples"] as? Int == 4 && results["warmup"] as? Int == 1)
    #expect(results["timing_mode"] as? String == "warm_throughput")
    let benchmarks = try #require(results["benchmarks"] as? [String: [String: Any]])
    #expect(Set(benchmarks.keys) == Set(["bench_ok.py", "bench_crash.py", "bench_slow.py", "bench_mismatch.py",
                                         "bench_nobuild.py", "bench_daemon.py"]))
    let expected: [String: (String, String?)] = [
      "bench_crash.py": ("signal_exit", nil), "bench_slow.py": ("timeout", nil),
      "bench_mismatch.py": ("output_mismatch", "stdout_mismatch"), "bench_nobuild.py": ("build_failed", nil),
      "bench_daemon.py": ("daemon_crash", "backend_daemon_empty_response"),
    ]
    for (name, (status, detail)) in expected {
      let rec = try #require(benchmarks[name])
      #expect(rec["molt_ok"] as? Bool == false, "\(name)")
      #expect(rec["molt_status"] as? String == status, "\(name): \(String(describing: rec["molt_status"]))")
      #expect(rec["molt_failure_status"] as? String == status)
      if let detail { #expect(rec["molt_failure_detail"] as? String == detail) }
      #expect(rec["molt_time_s"] is NSNull)
      #expect((rec["molt_samples_s"] as? [Double])?.isEmpty == true)
      #expect(rec["molt_cpython_ratio"] is NSNull)
      #expect((rec["cpython_samples_s"] as? [Double])?.count == 4, "the reference lane still ran")
    }
    let ok = try #require(benchmarks["bench_ok.py"])
    #expect(ok["molt_ok"] as? Bool == true && ok["molt_status"] as? String == "pass")
    let molt = try #require(ok["molt_samples_s"] as? [Double]), cpython = try #require(ok["cpython_samples_s"] as? [Double])
    #expect(molt.count == 4 && cpython.count == 4)
    #expect((ok["molt_warmup_samples_s"] as? [Double])?.count == 1)
    let mean = molt.reduce(0, +) / 4
    #expect(abs((ok["molt_time_s"] as? Double ?? 0) - mean) < 1e-12, "molt_time_s is the mean")
    let cmean = cpython.reduce(0, +) / 4
    #expect(abs((ok["molt_cpython_ratio"] as? Double ?? 0) - mean / cmean) < 1e-12)
    #expect(abs((ok["molt_speedup"] as? Double ?? 0) - cmean / mean) < 1e-12)
    let parity = try #require(ok["molt_output_parity"] as? [String: Any])
    #expect(parity["checked"] as? Bool == true && parity["reason"] as? String == "match")
    #expect((parity["molt_stdout_sha256"] as? String)?.count == 64)
    let directions = try #require(ok["ratio_directions"] as? [String: String])
    #expect(directions["molt_speedup"] == "speedup:baseline_time/candidate_time;>1=candidate_faster")
    #expect(directions["molt_cpython_ratio"] == "molt_over_baseline:molt_time/baseline_time;<1=molt_faster")
    let stats = try #require((ok["runtime_stats"] as? [String: [String: Any]])?["molt"])
    #expect(Set(stats.keys) == Set(["mean_s", "median_s", "variance_s", "range_s", "min_s", "max_s", "samples_s"]))
    let rig = try #require(ok["rig"] as? [String: Any])
    let compare = try #require((rig["compare"] as? [String: [String: Any]])?["molt"])
    #expect(["slower", "faster", "same", "inconclusive"].contains(compare["verdict"] as? String ?? ""))
    // The markdown summary follows Molt's layout.
    let summary = try String(contentsOfFile: dir + "/out_summary.md", encoding: .utf8)
    #expect(summary.hasPrefix("# Molt Benchmark Summary\n\nGenerated: "))
    #expect(summary.contains("| Benchmark | Molt Status | CPython s | Molt s | Molt/CPython | Failure |"))
    #expect(summary.contains("| bench_slow.py | timeout |"))
  }

  @Test("real Molt results load as baselines: mismatched settings fail closed, matching ones gate")
  func baselines() throws {
    let baseline = RigCommand.fixture("molt/bench/results/full_native_refresh_20260522_tracked_vec.json")
    let dir = try setUp()
    try RigCommand.write(["bench_fib.py": "print(sum(range(1000)))\n"], in: dir)
    let common = ["run", "bench", "--lane", "cpython", "--lane", "molt", "--molt-cmd", dir + "/fake-molt",
                  "--script", dir + "/bench_fib.py", "--json-out", dir + "/cur.json", "--baseline", baseline]
    let mismatched = try RigCommand.run(common + ["--samples", "4"], in: dir)
    #expect(mismatched.status == 1)
    #expect(mismatched.stdout.contains("incompatible benchmark baseline: samples differs: current=4, baseline=3"))
    // Same settings as the fixture (3 samples, 1 warmup): the gate compares molt_cpython_ratio.
    let matching = try RigCommand.run(common + ["--samples", "3", "--warmup", "1", "--max-regression", "100"], in: dir)
    #expect(matching.status == 0, "\(matching.stdout)\(matching.stderr)")
    // At the default 15% the ratio "regressed" (the stand-in is slow): Molt's gate fails, and
    // so does Rig's, saying beside it that 3 samples a side cannot tell it from noise.
    let gated = try RigCommand.run(common + ["--samples", "3", "--warmup", "1"], in: dir)
    #expect(gated.status == 1, "\(gated.stdout)\(gated.stderr)")
    #expect(gated.stdout.contains("Performance regression detected:\n  bench_fib.py: ratio"))
    #expect(gated.stderr.contains("the molt samples do not show a slowdown: inconclusive"))
    // Only the statistical gate, asked for, lets the samples excuse it.
    let statistical = try RigCommand.run(common + ["--samples", "3", "--warmup", "1", "--statistical-gate"], in: dir)
    #expect(statistical.status == 0, "\(statistical.stdout)\(statistical.stderr)")
    #expect(statistical.stderr.contains("bench_fib.py: ratio"))
  }
}
