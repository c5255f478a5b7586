import Foundation
import Testing

/// `rig run bench_wasm` and `rig run triage` end to end: WAT modules from Tests/Fixtures/wasm
/// built by a stand-in for Molt's wasm build (wat2wasm), run under node with Wasmtime (from
/// PyPI) as the control runner.
@Suite("rig run bench_wasm and triage")
struct BenchWasmTests {
  static let fixture = RigCommand.fixture("wasm")
  static let buildCmd = "sh \(fixture)/build.sh {script} {out}"

  func json(_ path: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  /// Copies fixture modules into `dir` under the given names (the names become bench keys).
  func scripts(_ dir: String, _ names: [String: String]) throws -> [String] {
    var args: [String] = []
    for (name, source) in names.sorted(by: { $0.key < $1.key }) {
      let text = try String(contentsOfFile: Self.fixture + "/" + source, encoding: .utf8)
      try RigCommand.write([name + ".wat": text], in: dir)
      args += ["--script", dir + "/" + name + ".wat"]
    }
    return args
  }

  func benchWasm(_ dir: String, _ args: [String], env: [String: String] = [:]) throws -> RigCommand.Result {
    try RigCommand.run(["run", "bench_wasm", "--build-cmd", Self.buildCmd, "--json-out", dir + "/out.json"] + args,
      in: dir, environment: env)
  }

  @Test("classified failures, Molt's record fields, the control runner's fields, a log of every command")
  func endToEnd() throws {
    let dir = try RigCommand.scratch()
    let args = try scripts(dir, ["bench_sum": "pass.wat", "trap": "trap.wat", "exit3": "exit3.wat", "hang": "hang.wat"])
    let r = try benchWasm(dir, args + ["--control-runner", "wasmtime", "--run-timeout-sec", "1",
      "--log-file", dir + "/wasm.log"])
    #expect(r.status == 0, "\(r.stderr)")
    let out = try json(dir + "/out.json")
    #expect(Set(out.keys) == ["schema_version", "created_at", "git_rev", "runner", "control_runner",
      "node_max_old_space_mb", "super_run", "samples", "warmup", "system", "memory_guard", "benchmarks", "rig"])
    #expect(out["runner"] as? String == "node")
    #expect(out["control_runner"] as? String == "wasmtime")
    #expect(out["samples"] as? Int == 3 && out["warmup"] as? Int == 1)
    let benches = try #require(out["benchmarks"] as? [String: [String: Any]])
    let ok = try #require(benches["bench_sum"])
    #expect(ok["molt_wasm_ok"] as? Bool == true)
    let samples = try #require(ok["molt_wasm_samples_s"] as? [Double])
    #expect(samples.count == 3 && samples.allSatisfy { $0 > 0 })
    #expect(abs((ok["molt_wasm_time_s"] as? Double ?? 0) - samples.reduce(0, +) / 3) < 1e-12)
    #expect(ok["molt_wasm_function_import_count"] as? Int == 1)
    #expect(ok["molt_wasm_linked"] as? Bool == true)
    #expect(ok["molt_wasm_failure_class"] == nil && ok["molt_wasm_control_ok"] == nil)

    let expected = ["trap": ("wasm_trap", 1), "exit3": ("wasi_proc_exit", 3), "hang": ("timeout", nil)]
    for (name, (cls, code)) in expected {
      let rec = try #require(benches[name])
      #expect(rec["molt_wasm_ok"] as? Bool == false, "\(name)")
      #expect(rec["molt_wasm_failure_class"] as? String == cls, "\(name)")
      if let code { #expect(rec["molt_wasm_failure_returncode"] as? Int == code, "\(name)") }
      #expect(rec["molt_wasm_time_s"] is NSNull, "\(name)")
      // A failing warmup ends the case: no measured samples.
      #expect((rec["molt_wasm_samples_s"] as? [Double])?.isEmpty == true, "\(name)")
      #expect(rec["molt_wasm_control_runner"] as? String == "wasmtime", "\(name)")
      #expect(rec["molt_wasm_control_ok"] as? Bool == false, "\(name)")
      #expect(rec["molt_wasm_control_failure_class"] as? String == cls, "\(name)")
    }
    let log = try String(contentsOfFile: dir + "/wasm.log", encoding: .utf8)
    #expect(log.contains("$ node --no-warnings --no-wasm-tier-up"))
    #expect(log.contains("RuntimeError: unreachable"))

    // Molt's own wasm results load as the baseline of a diff against Rig's.
    let baseline = RigCommand.fixture("molt/bench/results/bench_wasm_20260522_tracked_vec.json")
    let diff = try RigCommand.run(["run", "diff", baseline, dir + "/out.json", "--json-out", dir + "/diff.json"],
      in: dir)
    #expect(diff.status == 0, "\(diff.stderr)")
    let d = try json(dir + "/diff.json")
    let counts = try #require(d["benchmarks"] as? [String: Any])
    #expect(counts["shared_count"] as? Int == 1)
    let metrics = try #require(d["metrics"] as? [[String: Any]])
    #expect(metrics.contains { $0["metric"] as? String == "molt_wasm_time_s" })
  }

  @Test("Molt's sampling rules: a failed measured sample is recorded and sampling goes on")
  func samplingRules() throws {
    let dir = try RigCommand.scratch()
    let args = try scripts(dir, ["bench_pass": "pass.wat"])
    let node = "sh \(Self.fixture)/nth_fails.sh node {node_flags} {runner_js} {artifact}"
    // Run 1 is the warmup; run 3 is the second measured sample.
    let r = try benchWasm(dir, args + ["--node-cmd", node, "--samples", "4"],
      env: ["COUNTER": dir + "/n", "FAIL_RUN": "3"])
    #expect(r.status == 0, "\(r.stderr)")
    let rec = try #require((try json(dir + "/out.json")["benchmarks"] as? [String: [String: Any]])?["bench_pass"])
    #expect(rec["molt_wasm_ok"] as? Bool == false)
    #expect((rec["molt_wasm_samples_s"] as? [Double])?.count == 3)
    #expect(rec["molt_wasm_failure_class"] as? String == "wasm_trap")
    #expect(rec["molt_wasm_time_s"] is NSNull)
  }

  @Test("Molt's profile lines on each sample's stderr are kept per sample")
  func profiles() throws {
    let dir = try RigCommand.scratch()
    let args = try scripts(dir, ["bench_pass": "pass.wat"])
    let node = "sh \(Self.fixture)/profile_runner.sh node {node_flags} {runner_js} {artifact}"
    let log = RigCommand.fixture("molt/bench/results/profiles_20260320/bench_fib.log")
    let r = try benchWasm(dir, args + ["--node-cmd", node, "--samples", "2", "--warmup", "0"],
      env: ["PROFILE_LOG": log])
    #expect(r.status == 0, "\(r.stderr)")
    let rec = try #require((try json(dir + "/out.json")["benchmarks"] as? [String: [String: Any]])?["bench_pass"])
    #expect(rec["molt_wasm_ok"] as? Bool == true)
    let profiles = try #require(rec["molt_wasm_profile_samples"] as? [[String: Any]])
    #expect(profiles.map { $0["sample_index"] as? Int } == [0, 1])
    for p in profiles {
      let profile = try #require(p["profile"] as? [String: Any])
      #expect(profile["kind"] as? String == "runtime_feedback")
      #expect((profile["profile"] as? [String: Any])?["call_dispatch"] as? Int == 185)
      let epochs = try #require(p["epochs"] as? [[String: Any]])
      #expect(epochs.map { $0["generation"] as? Int } == [1])
    }
  }

  @Test("builds: a timeout retried with Molt's stricter settings, a lock wait with isolated state, failures recorded")
  func buildRetries() throws {
    let dir = try RigCommand.scratch()
    let args = try scripts(dir, ["bench_pass": "pass.wat"])
    func attempts(_ mode: String, _ extra: [String] = []) throws -> ([String: Any], [[String: Any]]) {
      let r = try benchWasm(dir, args + ["--smoke", "--build-timeout-sec", "1"] + extra, env: ["BUILD_MODE": mode])
      #expect(r.status == 0, "\(mode): \(r.stderr)")
      let rec = try #require((try json(dir + "/out.json")["benchmarks"] as? [String: [String: Any]])?["bench_pass"])
      let rig = try #require(rec["rig"] as? [String: Any])
      return (rec, try #require(rig["build_attempts"] as? [[String: Any]]))
    }
    let (timedOut, t) = try attempts("timeout")
    #expect(timedOut["molt_wasm_ok"] as? Bool == true)
    #expect(t.map { $0["class"] as? String } == ["build_timeout", nil])
    #expect((t[1]["env"] as? [String: String])?["MOLT_MIDEND_MAX_ROUNDS"] == "2")
    let (locked, l) = try attempts("lock")
    #expect(locked["molt_wasm_ok"] as? Bool == true)
    #expect(l.map { $0["class"] as? String } == ["build_lock", nil])
    #expect((l[1]["env"] as? [String: String])?["MOLT_BUILD_STATE_DIR"] != nil)
    let (failed, f) = try attempts("fail")
    #expect(f.count == 2)  // one more full attempt, as Molt does
    #expect(failed["molt_wasm_failure_class"] as? String == "build_setup_error")
    #expect(failed["molt_wasm_failure_returncode"] as? Int == -1)
    #expect((failed["molt_wasm_failure"] as? String)?.hasPrefix("build_failed returncode=3\n") == true)
    #expect((failed["molt_wasm_failure"] as? String)?.contains("backend exploded") == true)
    let (unlinked, _) = try attempts("unlinked")
    #expect(unlinked["molt_wasm_ok"] as? Bool == true)
    #expect(unlinked["molt_wasm_linked"] as? Bool == false)

    let required = try benchWasm(dir, args + ["--smoke", "--require-linked"], env: ["BUILD_MODE": "unlinked"])
    #expect(required.status == 1)
    #expect(required.stderr.contains("WASM bench aborted"))
    #expect(required.stderr.contains("wrote no linked module"))
  }

  @Test("Molt's environment and flags: MOLT_NODE_BIN, --no-molt-build-cache, and what Rig refuses, saying why")
  func moltEnvironment() throws {
    let dir = try RigCommand.scratch()
    let args = try scripts(dir, ["bench_sum": "pass.wat"])
    // A node of Molt's choosing runs the modules; the cache flag reaches the build.
    try RigCommand.write(["mynode": "#!/bin/sh\necho ran >> \"$(dirname \"$0\")/node.log\"\nexec node \"$@\"\n",
                          "build.sh": "echo \"$3\" >> \"$(dirname \"$0\")/cache.log\"\nexec sh \(Self.fixture)/build.sh \"$1\" \"$2\"\n"],
      in: dir)
    chmod(dir + "/mynode", 0o755)
    let r = try RigCommand.run(["run", "bench_wasm", "--build-cmd", "sh \(dir)/build.sh {script} {out} {cache_flag}",
      "--json-out", dir + "/out.json", "--smoke", "--no-molt-build-cache"] + args, in: dir,
      environment: ["MOLT_NODE_BIN": dir + "/mynode"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try String(contentsOfFile: dir + "/node.log", encoding: .utf8).contains("ran"))
    #expect(try String(contentsOfFile: dir + "/cache.log", encoding: .utf8) == "--no-cache\n")
    for (extra, env, message) in [
      (["--tty"], [String: String](), "--tty: Rig does not attach runs to a pseudo-terminal"),
      (["--no-molt-build-cache", "--build-cmd", "sh b.sh {script} {out}"], [:], "has no {cache_flag}"),
      (["--ws"], [:], "--ws selects from Molt's benchmark suite"),
      ([], ["MOLT_STDLIB_PROFILE": "huge"], "MOLT_STDLIB_PROFILE=huge: expected micro or full"),
    ] {
      let bad = try RigCommand.run(["run", "bench_wasm"] + args + extra, in: dir, environment: env)
      #expect(bad.status == 2 && bad.stderr.contains(message), "\(extra): \(bad.stderr)")
    }
  }

  @Test("bad flags exit 2 with a reason")
  func badFlags() throws {
    let dir = try RigCommand.scratch()
    let same = try RigCommand.run(["run", "bench_wasm", "--runner", "node", "--control-runner", "node"], in: dir)
    #expect(same.status == 2)
    #expect(same.stderr.contains("--control-runner must differ from --runner"))
    let nobuild = try RigCommand.run(["run", "bench_wasm", "--smoke", "--build-cmd", "no-such-compiler {script}"],
      in: dir)
    #expect(nobuild.status == 2)
    #expect(nobuild.stderr.contains("'no-such-compiler' is not on PATH"))
    let unknown = try RigCommand.run(["run", "bench_wasm", "--bench", "bench_nope"], in: dir)
    #expect(unknown.status == 2)
    #expect(unknown.stderr.contains("--bench bench_nope: no such workload"))
  }

  @Test("triage: a flaky module, a control runner, and the env setting to blame")
  func triage() throws {
    let dir = try RigCommand.scratch()
    let wasm = dir + "/flaky.wasm"
    let build = try Process.run(URL(fileURLWithPath: "/bin/sh"),
      arguments: ["-c", "wat2wasm \(Self.fixture)/flaky.wat -o \(wasm)"])
    build.waitUntilExit()
    #expect(build.terminationStatus == 0)
    let runnerJS = RigCommand.fixture("../../recipes/wasm/run_node.mjs")
    let r = try RigCommand.run(["run", "triage", "--runs", "16", "--classes", "molt_wasm", "--json-out",
      dir + "/t.json", "--control", "python3 \(RigCommand.fixture("../../recipes/wasm/run_wasmtime.py")) \(wasm)",
      "--", "node", "--no-warnings", runnerJS, wasm], in: dir)
    #expect(r.status == 3, "\(r.stdout)\(r.stderr)")  // flaky; all 16 alike has odds 1 in 32768
    #expect(r.stdout.contains("flaky; classes: wasi_proc_exit x"))
    #expect(r.stdout.contains("verdict: flaky"))
    let evidence = try json(dir + "/t.json")
    let control = try #require(evidence["control"] as? [String: Any])
    #expect(control["triage_control_ok"] != nil)

    // Sixteen settings, one to blame.
    var args = ["run", "triage", "--runs", "1"]
    for i in 1...16 {
      args += ["--failing-env", String(format: "S%02d=1", i), "--passing-env", String(format: "S%02d=0", i)]
    }
    args += ["--", "sh", "-c", "[ \"$S07\" != 1 ]"]
    let b = try RigCommand.run(args, in: dir, environment: ["S07": "1"])
    #expect(b.status == 1, "\(b.stdout)\(b.stderr)")
    let line = try #require(b.stdout.split(separator: "\n").first { $0.hasPrefix("bisect:") })
    #expect(line.hasPrefix("bisect: S07=1 flips it ("))
    let probes = Int(line.split(separator: "(")[1].split(separator: " ")[0]) ?? 99
    #expect(probes <= 10)  // 2 * log2(16) + 2
  }
}
