import Foundation
import Testing

/// The bench recipe end to end on tiny workloads, with a stand-in `molt` that misbehaves on
/// purpose (crash, timeout, wrong output, failed build), and real Molt results as baselines.
@Suite("rig run bench", .serialized)
struct BenchRecipeTests {
  static let fakeMolt = """
    #!/bin/sh
    # A stand-in for `molt build --build-profile P [--rebuild] [ARGS] --output OUT SCRIPT`: the
    # "binary" runs the script with python3, misbehaving according to the script's name. Each
    # build's arguments are logged next to this script.
    if [ "$1" = "--version" ]; then echo "fake-molt 0.0"; exit 0; fi
    echo "$*" >> "$(dirname "$0")/builds.log"
    prev=""; for a; do [ "$prev" = --output ] && out="$a"; prev="$a"; done; script="$a"
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
    #expect(summary.contains("| bench_daemon.py | daemon_crash |") && summary.contains("daemon_crash (backend_daemon_empty_response) |"))
    #expect(summary.contains("\n## Custody Artifacts\n- `molt_failure_details_jsonl`: `\(dir)/out_molt_failure_details.jsonl`"))
    #expect(summary.contains("\n## Molt Failure Details\n- `bench_crash.py` phase=`run` status=`signal_exit`"))

    // Molt's top level: provenance (its "release" is cargo release-fast), memory guard,
    // custody files, the failure details and their JSONL (one line per failure).
    let provenance = try #require(results["provenance"] as? [String: Any])
    #expect(provenance["lane"] as? String == "rig run bench" && provenance["profile"] as? String == "release-fast")
    #expect(provenance["authoritative"] as? Bool == false && (provenance["canonical_gate"] as? String)?
      .hasPrefix("tools/perf_scoreboard.py --set core") == true)
    #expect((results["memory_guard"] as? [String: Any])?["max_process_rss_gb"] is Double)
    let custody = try #require(results["custody_artifacts"] as? [String: String])
    #expect(custody["results_json"] == dir + "/out.json" && custody["summary_md"] == dir + "/out_summary.md")
    let details = try #require(results["molt_failure_details"] as? [String: Any])
    #expect(details["total"] as? Int == 5 && (details["records"] as? [[String: Any]])?.first?["benchmark"] as? String
      == "bench_crash.py")
    let jsonl = try String(contentsOfFile: dir + "/out_molt_failure_details.jsonl", encoding: .utf8)
    #expect(jsonl.split(separator: "\n").count == 5)
    // A lane that did not run keeps Molt's keys: null times, ok false; no failure is false and [].
    #expect(ok["codon_ok"] as? Bool == false && ok["codon_time_s"] is NSNull && ok["codon_samples_s"] is NSNull)
    #expect(ok["pypy_ok"] as? Bool == false && ok["molt_pypy_ratio"] is NSNull && ok["nuitka_build_s"] is NSNull)
    #expect(ok["molt_failure_timed_out"] as? Bool == false)
    #expect((ok["molt_failure_orphaned_process_groups"] as? [Any])?.isEmpty == true)
    // The builds asked for Molt's release profile.
    let builds = try String(contentsOfFile: dir + "/builds.log", encoding: .utf8)
    #expect(builds.hasPrefix("build --build-profile release --output "))
  }

  @Test("Molt's flags: --molt-profile, --no-molt-build-cache, its refusals; its suite in a Molt checkout")
  func moltFlags() throws {
    let dir = try setUp()
    func bench(_ extra: [String], in folder: String? = nil) throws -> RigCommand.Result {
      try RigCommand.run(["run", "bench", "--lane", "molt", "--molt-cmd", dir + "/fake-molt", "--samples", "1",
                          "--warmup", "0"] + extra, in: folder ?? dir)
    }
    let cold = try bench(["--script", dir + "/bench_ok.py", "--molt-profile", "dev", "--no-molt-build-cache",
                          "--json-out", dir + "/cold.json"])
    #expect(cold.status == 0, "\(cold.stderr)")
    let builds = try String(contentsOfFile: dir + "/builds.log", encoding: .utf8)
    #expect(builds.hasPrefix("build --build-profile dev --rebuild --output "))
    #expect(((try load(dir + "/cold.json"))["provenance"] as? [String: Any])?["profile"] as? String == "dev")
    // Molt's refusals, in its words (exit 2).
    for (args, message) in [
      (["--super", "--smoke"], "--super cannot be combined with --smoke"),
      (["--super", "--samples", "3"], "--super cannot be combined with --samples"),
      (["--dynamic-builtin-only", "--smoke"], "--dynamic-builtin-only cannot be combined with --smoke"),
      (["--script", "x.py", "--smoke"], "--script cannot be combined with --smoke"),
      (["--script", dir + "/nope.py", "--script", dir + "/gone.py"],
       "Script(s) not found: \(dir)/nope.py, \(dir)/gone.py"),
      (["--ws"], "--ws selects from Molt's benchmark suite"),
      (["--tty"], "--tty: Rig does not attach runs to a pseudo-terminal"),
    ] {
      let r = try RigCommand.run(["run", "bench"] + args, in: dir)
      #expect(r.status == 2 && r.stderr.contains(message), "\(args): \(r.stderr)")
    }
    // In a Molt checkout, Molt's suite: --smoke is its two smoke scripts, --ws adds the
    // websocket wait, per-script build arguments, and the Molt-only scripts' reference.
    let molt = dir + "/molt"
    var files = ["pyproject.toml": ""]
    for name in ["sum", "bytes_find", "ws_wait", "sum_list_hints", "channel_throughput", "fib"] {
      files["tests/benchmarks/bench_\(name).py"] = "print('\(name)')\n"
    }
    try RigCommand.write(files, in: molt)
    let smoke = try bench(["--smoke", "--ws", "--json-out", dir + "/smoke.json"], in: molt)
    #expect(smoke.status == 0, "\(smoke.stderr)")
    let names = try #require((try load(dir + "/smoke.json"))["benchmarks"] as? [String: Any]).keys.sorted()
    #expect(names == ["bench_bytes_find.py", "bench_sum.py", "bench_ws_wait.py"])
    let full = try RigCommand.run(["run", "bench", "--lane", "cpython", "--lane", "molt", "--molt-cmd",
                                   dir + "/fake-molt", "--samples", "1", "--warmup", "0", "--bench", "hints",
                                   "--bench", "channel", "--json-out", dir + "/full.json"], in: molt)
    #expect(full.status == 0, "\(full.stderr)")
    let recs = try #require((try load(dir + "/full.json"))["benchmarks"] as? [String: [String: Any]])
    #expect(recs["bench_sum_list_hints.py"]?["molt_args"] as? [String] == ["--type-hints", "trust"])
    let channel = try #require(recs["bench_channel_throughput.py"])
    #expect(channel["reference_runtime"] as? String == "molt")
    #expect(channel["reference_reason"] as? String == "molt_runtime_intrinsics_without_external_reference")
    #expect(channel["cpython_samples_s"] is NSNull, "no external lane runs a Molt-only script")
    #expect(try String(contentsOfFile: dir + "/builds.log", encoding: .utf8).contains("--type-hints trust --output"))
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
    #expect(gated.stdout.contains("Performance regression detected:\n  - bench_fib.py: ratio"))
    #expect(gated.stderr.contains("the molt samples do not show a slowdown: inconclusive"))
    // Only the statistical gate, asked for, lets the samples excuse it.
    let statistical = try RigCommand.run(common + ["--samples", "3", "--warmup", "1", "--statistical-gate"], in: dir)
    #expect(statistical.status == 0, "\(statistical.stdout)\(statistical.stderr)")
    #expect(statistical.stderr.contains("bench_fib.py: ratio"))
  }
}
