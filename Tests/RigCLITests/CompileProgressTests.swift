import Foundation
import Testing

/// `rig run compile_progress` end to end against the system C compiler, through the stand-in
/// build script in Tests/Fixtures/compile_progress.
@Suite("rig run compile_progress")
struct CompileProgressTests {
  static let fixture = RigCommand.fixture("compile_progress")

  func snapshot(_ root: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: root + "/compile_progress.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  func run(_ dir: String, _ extra: [String], env: [String: String] = [:]) throws -> RigCommand.Result {
    try RigCommand.run(
      ["run", "compile_progress", "--output-root", dir + "/out", "--script", Self.fixture + "/hello.c",
       "--diagnostics", "--retry-backoff-sec", "0",
       "--build-cmd", "sh \(Self.fixture)/build.sh {profile} {out_dir} {script} {cache_flag} {diagnostics_flags}"]
        + extra, in: dir, environment: env)
  }

  @Test("cases build with a real compiler; Molt's snapshot layout, cache states, diagnostics, a retried lock wait")
  func endToEnd() throws {
    let dir = try RigCommand.scratch()
    let r = try run(dir, ["--cases", "dev_cold", "dev_warm", "release_cold"], env: ["FAIL_ONCE_FILE": dir + "/failed"])
    #expect(r.status == 0, "\(r.stderr)")
    let s = try snapshot(dir + "/out")
    let meta = try #require(s["meta"] as? [String: Any])
    #expect(Set(meta.keys) == [
      "timestamp_utc", "repo_root", "output_root", "script", "python_version", "cases", "completed_cases",
      "timeout_sec", "cache_root", "target_root", "clean_state", "sccache_mode", "cargo_incremental", "diagnostics",
      "max_retries", "retry_backoff_sec", "build_lock_timeout_sec",
    ])
    let results = try #require(s["results"] as? [[String: Any]])
    #expect(results.map { $0["name"] as? String } == ["dev_cold", "dev_warm", "release_cold"])
    #expect(Set(results[0].keys) == [
      "name", "profile", "cache_mode", "daemon", "release_cargo_profile", "command", "returncode", "elapsed_sec",
      "timed_out", "cache_state", "stdout_tail", "stderr_tail", "diagnostics_path", "diagnostics_total_sec",
      "diagnostics_phase_sec", "attempts", "warmup_runs", "retry_reason",
    ])
    // The first build met the lock message and was retried.
    #expect(results[0]["attempts"] as? Int == 2)
    #expect(results[0]["retry_reason"] as? String == "build_lock_timeout")
    #expect(results.map { $0["cache_state"] as? String } == ["miss", "hit", "miss"])
    #expect(results.allSatisfy { ($0["diagnostics_total_sec"] as? Double ?? 0) > 0 })
    #expect(results.allSatisfy { $0["returncode"] as? Int == 0 })
    let md = try String(contentsOfFile: dir + "/out/compile_progress.md", encoding: .utf8)
    #expect(md.hasPrefix("# Compile Progress Snapshot\n"))
    #expect(md.contains("| case | profile | release_cargo_profile | cache_mode | daemon | warmups | attempts | "
      + "elapsed_sec | diag_total_sec | rc | timed_out | retry_reason | cache_state |"))
    #expect(FileManager.default.fileExists(atPath: dir + "/out/logs/dev_cold.attempt1.stderr.log"))
    #expect(FileManager.default.fileExists(atPath: dir + "/out/logs/dev_cold.stdout.log"))

    // --resume runs only the case that is not there yet.
    let before = try FileManager.default.contentsOfDirectory(atPath: dir + "/out/logs").count
    let resumed = try run(dir, ["--cases", "dev_cold", "dev_warm", "release_cold", "dev_nocache_daemon_off", "--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let after = try FileManager.default.contentsOfDirectory(atPath: dir + "/out/logs").count
    #expect(after - before == 4)  // attempt1 stdout/stderr and the case's own two logs
    let all = try #require(try snapshot(dir + "/out")["results"] as? [[String: Any]])
    #expect(all.count == 4)
    #expect(all[0]["attempts"] as? Int == 2)  // kept from the first run
    #expect(all[3]["cache_mode"] as? String == "no-cache" && all[3]["daemon"] as? Bool == false)
  }

  /// The variables a Molt build sees, from one of Molt's own recorded launches (golden uv call
  /// records), with the output root written as <out>.
  static func moltBuildEnvironment(_ record: String, root: String) throws -> [String: String] {
    let text = try String(contentsOfFile: RigCommand.fixture("molt/golden/" + record), encoding: .utf8)
    var env: [String: String] = [:]
    var inEnv = false
    for line in text.split(separator: "\n") {
      if line == "ENV:" { inEnv = true; continue }
      if inEnv, let eq = line.firstIndex(of: "=") {
        env[String(line[..<eq])] = String(line[line.index(after: eq)...]).replacingOccurrences(of: root, with: "<out>")
      }
    }
    return env
  }

  @Test("builds run from the repository root with Molt's build environment (its defaults, 60.0, PYTHONPATH=src)")
  func moltBuildEnvironment() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(["repo/pyproject.toml": "", "repo/sub/.keep": ""], in: dir)
    let r = try RigCommand.run(
      ["run", "compile_progress", "--output-root", dir + "/out", "--cases", "dev_cold", "--build-cmd",
       "sh -c 'mkdir -p \"$1\"; env > \"$1/env.txt\"; pwd > \"$1/cwd.txt\"' sh {out_dir}"], in: dir + "/repo/sub")
    #expect(r.status == 0, "\(r.stderr)")
    let got = try String(contentsOfFile: dir + "/out/out/dev_cold/env.txt", encoding: .utf8)
    var env: [String: String] = [:]
    for line in got.split(separator: "\n") {
      if let eq = line.firstIndex(of: "=") {
        env[String(line[..<eq])] = String(line[line.index(after: eq)...]).replacingOccurrences(
          of: dir + "/out", with: "<out>")
      }
    }
    let cwd = try String(contentsOfFile: dir + "/out/out/dev_cold/cwd.txt", encoding: .utf8)
    #expect(cwd == dir + "/repo\n")
    let molt = try Self.moltBuildEnvironment(
      "compile_progress/two_cases_diagnostics/uv_calls/call001.txt", root: "<root>/tree/out/cp")
    for key in [
      "CARGO_INCREMENTAL", "MOLT_USE_SCCACHE", "MOLT_BUILD_LOCK_TIMEOUT", "PYTHONPATH", "MOLT_EXT_ROOT", "UV_CACHE_DIR",
      "CARGO_TARGET_DIR", "MOLT_DIFF_CARGO_TARGET_DIR", "MOLT_CACHE", "MOLT_DIFF_ROOT", "MOLT_DIFF_TMPDIR", "TMPDIR",
      "PYTHONHASHSEED", "MOLT_HASH_SEED", "UV_NO_SYNC", "MOLT_BACKEND_DAEMON",
    ] {
      #expect(env[key] == molt[key], "\(key): rig \(env[key] ?? "unset"), Molt \(molt[key] ?? "unset")")
    }
    // --build-lock-timeout-sec 0 leaves it unset, as in Molt.
    let zero = try RigCommand.run(
      ["run", "compile_progress", "--output-root", dir + "/z", "--cases", "dev_cold", "--build-lock-timeout-sec", "0",
       "--build-cmd", "sh -c 'mkdir -p \"$1\"; env > \"$1/env.txt\"' sh {out_dir}"], in: dir + "/repo")
    #expect(zero.status == 0)
    let zenv = try String(contentsOfFile: dir + "/z/out/dev_cold/env.txt", encoding: .utf8)
    #expect(!zenv.contains("MOLT_BUILD_LOCK_TIMEOUT="))
    // MOLT_EXT_ROOT that is not a folder: Molt's message, exit 1.
    let bad = try RigCommand.run(["run", "compile_progress", "--cases", "dev_cold"], in: dir + "/repo",
      environment: ["MOLT_EXT_ROOT": dir + "/no_such_dir"])
    #expect(bad.status == 1)
    #expect(bad.stderr == "MOLT_EXT_ROOT is not a directory: \(dir)/no_such_dir.\n")
  }
}
