import Foundation
import Testing

/// `rig run friends` end to end on git repositories made in the test: acquisition at a pinned
/// ref, custody before and after, prepare and build failures, timeouts, JSON runners with each
/// structured timing shape, interruption; and Molt's fixture manifest and results.
@Suite("rig run friends")
struct FriendsTests {
  static let fixtures = RigCommand.fixture("molt/bench")

  /// A friend's repository: scripts that print each of Molt's structured timing shapes.
  func makeRepo(_ dir: String) throws -> String {
    try RigCommand.write([
      "friend/workloads.sh": "echo '{\"status\": \"ok\", \"workloads\": {\"Fib Small\": {\"elapsed_s\": 0.5}}}'\n",
      "friend/results.sh":
        "echo '{\"results\": [{\"benchmark\": \"nbody\", \"elapsed_s\": 0.25}, {\"workload\": \"x-y\", \"elapsed_s\": 1}]}'\n",
      "friend/total.sh": "echo '{\"elapsed_s\": 2.0, \"total_elapsed_s\": 3.0}'\n",
      "friend/bad_status.sh": "echo '{\"status\": \"error\"}'\n",
      "friend/not_json.sh": "echo 'not json'\n",
      "friend/.gitignore": "*.tmp\n",
    ], in: dir)
    try RigCommand.shell("git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm one && git tag v1",
      in: dir + "/friend")
    return try RigCommand.shell("git rev-parse HEAD", in: dir + "/friend")
  }

  func manifest(_ dir: String, _ body: String) throws {
    try RigCommand.write(["manifest.toml": "schema_version = 1\n[defaults]\nrepeat = 3\ntimeout_sec = 60\n" + body],
      in: dir)
  }

  func friends(_ dir: String, _ args: [String]) throws -> RigCommand.Result {
    try RigCommand.run(["run", "friends", "--manifest", dir + "/manifest.toml", "--output-root", dir + "/out",
      "--repos-root", dir + "/repos"] + args, in: dir)
  }

  func results(_ dir: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/out/results.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  func suite(_ dir: String, _ index: Int = 0) throws -> [String: Any] {
    let suites = try #require(try results(dir)["suites"] as? [[String: Any]])
    return suites[index]
  }

  func gitSuite(_ dir: String, ref: String, extra: String = "", runners: String) -> String {
    """
    [[suite]]
    id = "shapes"
    friend = "friend"
    enabled = true
    source = "git"
    repo_url = "\(dir)/friend"
    repo_ref = "\(ref)"
    semantic_mode = "runs_unmodified"
    \(extra)
    \(runners)
    """
  }

  @Test("a pinned git suite: clone, custody before and after, JSON runners in every timing shape, Molt's metrics")
  func pinnedSuite() throws {
    let dir = try RigCommand.scratch()
    let sha = try makeRepo(dir)
    try manifest(dir, gitSuite(dir, ref: sha, runners: """
      [suite.runners.cpython]
      run_cmd = ["sh", "-c", "sleep 0.3"]
      [suite.runners.molt]
      run_cmd = ["sh", "-c", "sleep 0.1"]
      [suite.runners.workloads]
      json_stdout = true
      run_cmd = ["sh", "{suite_root}/workloads.sh"]
      [suite.runners.results]
      structured_stdout = "json"
      run_cmd = ["sh", "{suite_workdir}/results.sh"]
      [suite.runners.total]
      json_stdout = true
      build_cmd = ["sh", "-c", "echo building {repo_root}"]
      run_cmd = ["sh", "total.sh"]
      """))
    let r = try friends(dir, [])
    #expect(r.status == 0, "\(r.stderr)")
    let s = try suite(dir)
    #expect(s["status"] as? String == "ok")
    #expect(s["resolved_ref"] as? String == sha)
    let custody = try #require(s["source_custody"] as? [String: Any])
    #expect(custody["ref_verified"] as? Bool == true)
    #expect(custody["git_clean"] as? Bool == true)
    #expect(custody["head_ref"] as? String == sha)
    #expect(custody["verification"] as? String == "post_run_git_ref_and_clean_tree")
    let runners = try #require(s["runners"] as? [String: [String: Any]])
    #expect(runners["workloads"]?["structured_median_s"] as? [String: Double] == ["fib_small": 0.5])
    #expect(runners["results"]?["structured_median_s"] as? [String: Double] == ["nbody": 0.25, "x_y": 1.0])
    #expect(runners["total"]?["structured_median_s"] as? [String: Double] == ["total": 3.0])
    #expect((runners["total"]?["build"] as? [String: Any])?["returncode"] as? Int == 0)
    #expect((runners["cpython"]?["run_samples_s"] as? [Double])?.count == 3)
    #expect((runners["cpython"]?["run_stdev_s"] as? Double ?? -1) >= 0)
    let m = try #require(s["metrics"] as? [String: Any])
    let speedup = try #require(m["molt_vs_cpython_speedup"] as? Double)
    #expect(speedup > 1.4 && speedup < 3.5)  // 0.3 s against 0.1 s, plus process start-up under load
    #expect(m["workloads_fib_small_median_s"] as? Double == 0.5)
    #expect(m["pypy_median_s"] is NSNull)
    let log = try String(contentsOfFile: dir + "/out/logs/shapes/total.build.stdout.log", encoding: .utf8)
    #expect(log == "building \(dir)\n" || log.hasPrefix("building /"))
    let summary = try String(contentsOfFile: dir + "/out/summary.md", encoding: .utf8)
    #expect(summary.contains("| shapes | runs_unmodified | ok | "))
    // Rig's runner-pair section lists only decided verdicts (few repeats rarely decide).
    #expect(!summary.contains("inconclusive"))
    #expect(!summary.contains("## Interruption") && !summary.contains("## Non-OK Suites"))

    // A tag is a pin too; a ref the repository lacks fails custody.
    try manifest(dir, gitSuite(dir, ref: "v1", runners: "[suite.runners.cpython]\nrun_cmd = [\"true\"]"))
    #expect(try friends(dir, []).status == 0)
    try manifest(dir, gitSuite(dir, ref: "v2", runners: "[suite.runners.cpython]\nrun_cmd = [\"true\"]"))
    let missing = try friends(dir, [])
    #expect(missing.status == 1)
    let reason = try suite(dir)["reason"] as? String ?? ""
    #expect(reason.hasPrefix("suite ") && reason.contains(": git checkout v2 failed"), "\(reason)")
  }

  @Test("--fetch brings a newly pinned commit; --fail-fast stops at the first failed suite; --update-doc")
  func fetchFailFastUpdateDoc() throws {
    let dir = try RigCommand.scratch()
    let first = try makeRepo(dir)
    let runner = "[suite.runners.cpython]\nrun_cmd = [\"true\"]"
    try manifest(dir, gitSuite(dir, ref: first, runners: runner))
    #expect(try friends(dir, ["--repeat", "1"]).status == 0)
    try RigCommand.shell("echo two > two.txt && git add -A && git -c user.name=t -c user.email=t@t commit -qm two", in: dir + "/friend")
    let second = try RigCommand.shell("git rev-parse HEAD", in: dir + "/friend")
    try manifest(dir, gitSuite(dir, ref: second, runners: runner))
    #expect(try friends(dir, ["--repeat", "1"]).status == 1)  // the clone has not seen it
    let fetched = try friends(dir, ["--repeat", "1", "--fetch", "--update-doc"])
    #expect(fetched.status == 0, "\(fetched.stderr)")
    #expect(try suite(dir)["resolved_ref"] as? String == second)
    let doc = try String(contentsOfFile: dir + "/docs/benchmarks/friend_summary.md", encoding: .utf8)
    #expect(doc.contains("| shapes | runs_unmodified | ok | "))

    let failing = gitSuite(dir, ref: second, runners: "[suite.runners.cpython]\nrun_cmd = [\"false\"]")
    try manifest(dir, failing + "\n" + failing.replacingOccurrences(of: "id = \"shapes\"", with: "id = \"later\""))
    #expect(try friends(dir, ["--repeat", "1", "--fail-fast"]).status == 1)
    #expect((try results(dir)["suites"] as? [[String: Any]])?.count == 1)
    #expect(try friends(dir, ["--repeat", "1"]).status == 1)
    #expect((try results(dir)["suites"] as? [[String: Any]])?.count == 2)
  }

  @Test("dirty trees fail the suite: dirt found before the run, and dirt the run made")
  func dirtyTrees() throws {
    let dir = try RigCommand.scratch()
    let sha = try makeRepo(dir)
    try manifest(dir, gitSuite(dir, ref: sha, runners: """
      [suite.runners.cpython]
      run_cmd = ["sh", "-c", "touch {suite_root}/made_by_run.tmp"]
      """))
    let r = try friends(dir, ["--repeat", "1"])
    #expect(r.status == 1)
    let s = try suite(dir)
    // Molt's words, and its record: the ignored files as git lists them, one string.
    #expect((s["reason"] as? String)?.contains(
      "post-run source custody check failed; git checkout contains ignored artifacts after suite execution:\n"
        + "made_by_run.tmp") == true)
    #expect((s["source_custody"] as? [String: Any])?["git_ignored_artifacts"] as? String == "made_by_run.tmp")

    // The clone is now dirty: the next run refuses it before running anything.
    try manifest(dir, gitSuite(dir, ref: sha, runners: "[suite.runners.cpython]\nrun_cmd = [\"true\"]"))
    let again = try friends(dir, ["--no-checkout"])
    #expect(again.status == 1)
    #expect((try suite(dir)["reason"] as? String)?.contains(
      ": git checkout contains ignored artifacts; refusing off-the-shelf benchmark custody:\nmade_by_run.tmp") == true)
  }

  @Test("a git suite under --suite-root is held to its pin too: a dirty checkout there fails before it runs")
  func overriddenRootCustody() throws {
    let dir = try RigCommand.scratch()
    let sha = try makeRepo(dir)
    try RigCommand.write(["friend/workloads.sh": "echo changed\n"], in: dir)  // a tracked file changed
    try manifest(dir, gitSuite(dir, ref: sha, runners: "[suite.runners.cpython]\nrun_cmd = [\"sh\", \"-c\", \"touch ran\"]"))
    let r = try friends(dir, ["--suite-root", "shapes=" + dir + "/friend", "--repeat", "1"])
    #expect(r.status == 1)
    let s = try suite(dir)
    #expect((s["reason"] as? String)?.hasPrefix(
      "suite shapes: git checkout is dirty; refusing off-the-shelf benchmark custody:\nM workloads.sh") == true)  // stripped, as Molt's
    #expect((s["source_custody"] as? [String: Any])?["suite_root_overridden"] as? Bool == true)
    #expect(!FileManager.default.fileExists(atPath: dir + "/friend/ran"))  // nothing ran
  }

  @Test("prepare and build failures, timeouts and JSON errors are recorded per runner")
  func failures() throws {
    let dir = try RigCommand.scratch()
    let sha = try makeRepo(dir)
    try manifest(dir, gitSuite(dir, ref: sha, extra: "prepare_cmds = [[\"sh\", \"-c\", \"exit 3\"]]", runners: """
      [suite.runners.cpython]
      run_cmd = ["true"]
      [suite.runners.pypy]
      skip_reason = "not installed"
      """))
    #expect(try friends(dir, []).status == 1)
    var runners = try #require(try suite(dir)["runners"] as? [String: [String: Any]])
    #expect(runners["cpython"]?["reason"] as? String == "prepare step 1 failed")
    #expect(runners["pypy"]?["status"] as? String == "failed")

    try manifest(dir, gitSuite(dir, ref: sha, extra: "timeout_sec = 0.5", runners: """
      [suite.runners.molt]
      build_cmd = ["sh", "-c", "echo 'backend daemon returned empty response' >&2; exit 4"]
      run_cmd = ["true"]
      [suite.runners.slow]
      run_cmd = ["sleep", "5"]
      [suite.runners.empty]
      json_stdout = true
      run_cmd = ["true"]
      [suite.runners.garbled]
      json_stdout = true
      run_cmd = ["sh", "not_json.sh"]
      [suite.runners.errored]
      json_stdout = true
      run_cmd = ["sh", "bad_status.sh"]
      [suite.runners.skipped]
      skip_reason = "deferred"
      """))
    #expect(try friends(dir, ["--repeat", "2"]).status == 1)
    let s = try suite(dir)
    runners = try #require(s["runners"] as? [String: [String: Any]])
    #expect(runners["molt"]?["reason"] as? String == "build failed: daemon_crash (backend_daemon_empty_response)")
    #expect((runners["molt"]?["molt_failure"] as? [String: Any])?["phase"] as? String == "build")
    #expect(runners["slow"]?["reason"] as? String == "run 1 failed")  // Molt's words; the run says timed_out
    let slowRun = try #require((runners["slow"]?["runs"] as? [[String: Any]])?.first)
    #expect(slowRun["returncode"] as? Int == -9)
    #expect(slowRun["timed_out"] as? Bool == true)
    #expect(slowRun["guard_status"] as? String == "timeout")
    #expect(runners["empty"]?["reason"] as? String == "run 1 JSON parse failed: stdout was empty")
    #expect((runners["garbled"]?["reason"] as? String)?.hasPrefix("run 1 JSON parse failed: stdout was not valid JSON")
      == true)
    #expect(runners["errored"]?["reason"] as? String == "run 1 emitted non-ok JSON status: 'error'")
    #expect(runners["skipped"]?["status"] as? String == "skipped")
    #expect(s["reason"] as? String == "runner failures: empty, errored, garbled, molt, slow")
    let payload = try results(dir)
    let details = try #require(payload["molt_failure_details"] as? [String: Any])
    #expect(details["total"] as? Int == 1)
    // Molt's custody files: the failure details beside the JSON, the commands that did not
    // pass, appended run after run as Molt's guard does (the first run's prepare step, then
    // the molt build and the timed-out run; the JSON errors' commands passed), and the
    // cleanup at the end.
    let custody = try #require(payload["custody_artifacts"] as? [String: String])
    #expect(Set(custody.keys) == [
      "results_json", "summary_md", "molt_failure_details_jsonl", "harness_command_profile_jsonl",
      "repo_process_sentinel_jsonl", "backend_daemon_cleanup_jsonl",
    ])
    let failureLines = try String(contentsOfFile: custody["molt_failure_details_jsonl"] ?? "", encoding: .utf8)
      .split(separator: "\n")
    #expect(failureLines.count == 1 && failureLines[0].contains("\"runner\": \"molt\""))
    let incidents = try String(contentsOfFile: custody["harness_command_profile_jsonl"] ?? "", encoding: .utf8)
      .split(separator: "\n").compactMap {
        try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
      }
    #expect(incidents.map { $0["status"] as? String } == ["failed", "failed", "timeout"])
    #expect(incidents.allSatisfy { $0["event"] as? String == "guarded_command_profile" && $0["env"] == nil })
    let cleanup = try String(contentsOfFile: custody["backend_daemon_cleanup_jsonl"] ?? "", encoding: .utf8)
    #expect(cleanup.contains("\"reason\": \"harness_exit\"") && cleanup.contains("\"terminated_count\": 0"))
    let guardBlock = try #require(payload["memory_guard"] as? [String: Any])
    #expect(guardBlock["enabled"] as? Bool == true && (guardBlock["max_total_rss_gb"] as? Double ?? 0) > 0)
  }

  @Test("SIGTERM mid-run writes partial artifacts and exits 143")
  func interruption() throws {
    let dir = try RigCommand.scratch()
    let sha = try makeRepo(dir)
    try manifest(dir, gitSuite(dir, ref: sha, runners: """
      [suite.runners.fast]
      run_cmd = ["true"]
      """) + "\n" + gitSuite(dir, ref: sha, runners: "[suite.runners.slow]\nrun_cmd = [\"sleep\", \"30\"]")
        .replacingOccurrences(of: "id = \"shapes\"", with: "id = \"slow_suite\""))
    let (process, out, err) = try RigCommand.launch(["run", "friends", "--manifest", dir + "/manifest.toml",
      "--output-root", dir + "/out", "--repos-root", dir + "/repos", "--repeat", "1"], in: dir)
    // Wait until the slow suite's run has started.
    let deadline = Date().addingTimeInterval(60)
    while !FileManager.default.fileExists(atPath: dir + "/out/results.json") && Date() < deadline {
      Thread.sleep(forTimeInterval: 0.05)
    }
    Thread.sleep(forTimeInterval: 0.5)
    kill(process.processIdentifier, SIGTERM)
    let r = RigCommand.collect(process, out, err)
    #expect(r.status == 143, "\(r.stderr)")
    let payload = try results(dir)
    #expect(payload["partial"] as? Bool == true)
    let interrupted = try #require(payload["interrupted"] as? [String: Any])
    #expect(interrupted["signum"] as? Int == 15)
    #expect(interrupted["returncode"] as? Int == 143)
    #expect((payload["suites"] as? [[String: Any]])?.count == 1)
    let summary = try String(contentsOfFile: dir + "/out/summary.md", encoding: .utf8)
    #expect(summary.contains("## Interruption"))
  }

  @Test("manifest errors name the suite and the key; placeholders need --dry-run; Molt's manifest dry-runs")
  func manifests() throws {
    let dir = try RigCommand.scratch()
    try manifest(dir, """
      [[suite]]
      id = "typo"
      friend = "x"
      enabled = true
      local_path = "."
      [suite.runners.cpython]
      run_cdm = ["true"]
      """)
    let typo = try friends(dir, [])
    #expect(typo.status == 2)
    #expect(typo.stderr.contains("suite 'typo' runner 'cpython': key 'run_cdm': unknown key; did you mean 'run_cmd'?"))

    try manifest(dir, gitSuite(dir, ref: "PINNED_COMMIT_REQUIRED", runners: "[suite.runners.a]\nrun_cmd = [\"true\"]"))
    let placeholder = try friends(dir, [])
    #expect(placeholder.status == 2)
    #expect(placeholder.stderr.contains("suite 'shapes': key 'repo_ref': 'PINNED_COMMIT_REQUIRED' is not a pinned"))

    // Molt's manifest: its {scientific_*} values come from Molt's config (here a --values
    // file); without them the numpy runner cannot even be planned, and the dry run says so.
    let molt = Self.fixtures + "/friends/manifest.toml"
    let unfilled = try RigCommand.run(["run", "friends", "--manifest", molt, "--dry-run", "--include-disabled",
      "--output-root", dir + "/unfilled"], in: dir)
    #expect(unfilled.status == 1)
    let unfilledJSON = try String(contentsOfFile: dir + "/unfilled/results.json", encoding: .utf8)
    #expect(unfilledJSON.contains("template: {scientific_numpy_requirement} has no value here"))
    try RigCommand.write(["values.toml": """
      scientific_numpy_repo_ref = "0123456789abcdef0123456789abcdef01234567"
      scientific_numpy_requirement = "numpy==2.2.0"
      scientific_numpy_version = "2.2.0"
      scientific_scipy_repo_ref = "89abcdef0123456789abcdef0123456789abcdef"
      """], in: dir)
    let dry = try RigCommand.run(["run", "friends", "--manifest", molt, "--dry-run", "--include-disabled",
      "--values", dir + "/values.toml", "--output-root", dir + "/dry"], in: dir)
    #expect(dry.status == 0, "\(dry.stderr)")
    let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/dry/results.json"))
    let payload = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect((payload["suites"] as? [[String: Any]])?.count == 8)
    #expect(payload["dry_run"] as? Bool == true)
    let planned = try String(contentsOfFile: dir + "/dry/logs/tinygrad_off_the_shelf/prepare_1.stdout.log",
      encoding: .utf8)
    #expect(planned.hasPrefix("[dry-run] cwd=\(dir)/bench/friends/repos/tinygrad_off_the_shelf\n$ "))
    #expect(planned.contains("tools/tinygrad_upat_static_exec_registry.py --suite-root"))
  }

  @Test("Molt's results.json re-renders to its summary.md's sections and table rows")
  func renderExisting() throws {
    let dir = try RigCommand.scratch()
    let run = Self.fixtures + "/results/friends/20260612T205850Z"
    try FileManager.default.copyItem(atPath: run + "/results.json", toPath: dir + "/results.json")
    let r = try RigCommand.run(["run", "friends", "--render-existing-json", "results.json"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    // Written next to the JSON, as Molt does; the byte-for-byte check is GoldenTests'.
    #expect(r.stdout == "Rendered summary: \(dir)/summary.md\n")
    let text = try String(contentsOfFile: dir + "/summary.md", encoding: .utf8)
    // What Molt's own tool renders from it today (the fixture summary.md beside it is an older
    // tool's render).
    let golden = try String(
      contentsOfFile: RigCommand.fixture("molt/golden/bench_friends/render_existing_json_default/summary.md"),
      encoding: .utf8)
    func structure(_ text: String) -> [String] {
      text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("|") || $0.hasPrefix("#") }
    }
    #expect(structure(text) == structure(golden))
    #expect(text.contains("- `tinygrad_off_the_shelf`: failed (runner failures: molt)"))
  }
}
