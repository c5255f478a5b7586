import Foundation
import Testing

/// `rig run bisect` end to end, on real git repositories built here: a planted slowdown, a
/// crash beside a commit that does not build, a flaky failure, an interrupted bisection that
/// resumes; and `rig run triage`'s env bisection with a flaky predicate.
@Suite("rig run bisect", .serialized)
struct BisectTests {
  /// A repository of 33 commits (the good one and 32 after it) made by `script`, which is run
  /// once per commit with the commit's number as $1 and writes the files.
  func repository(_ script: String) throws -> String {
    let dir = try RigCommand.scratch()
    try RigCommand.write(["make.sh": script], in: dir)
    try RigCommand.shell(
      """
      mkdir repo && cd repo && git init -q && git config user.email t@example.com && git config user.name t
      for i in $(seq 0 32); do sh ../make.sh "$i"; git add -A; git commit -qm "commit $i"; done
      """, in: dir)
    return dir
  }

  func json(_ path: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  func sha(_ dir: String, _ n: Int) throws -> String {
    try RigCommand.shell("git log --format=%H --grep='^commit \(n)$'", in: dir + "/repo")
  }

  @Test("a planted 15% slowdown among 32 commits is found at its commit in at least 9 of 10 seeded runs")
  func slowdown() throws {
    var found = 0
    var runs: [Int] = [], naive: [Int] = []
    for seed in 1...10 {
      let planted = 1 + (seed * 13) % 32
      // About 6 ms of loop; 15% more from the planted commit on. The threshold, 7%, is halfway.
      let dir = try repository(
        """
        n=7000000; [ "$1" -ge \(planted) ] && n=8050000
        printf '#include <stdio.h>\\nint main(void){volatile unsigned long s=0;for(unsigned long i=0;i<%dUL;i++)s+=i;/* %s */printf("%%d\\\\n",s>0);return 0;}\\n' "$n" "$1" > prog.c
        """)
      let r = try RigCommand.run(
        [
          "run", "bisect", "--repo", "repo", "--good", "HEAD~32", "--build", "cc -O1 -o prog prog.c",
          "--slower-than", "7%", "--metric", "cpu", "--seed", "\(seed)", "--cache", "cache", "--json-out", "b.json",
          // Twice the default budget: on two busy cores a probe's interval can still straddle
          // the threshold at 60 runs a side, and one taken by its estimate then may go wrong.
          "--max-runs", "120", "--", "./prog",
        ], in: dir)
      let report = try json(dir + "/b.json")
      let answer = report["answer"] as? [String: Any]
      if r.status == 0, answer?["sha"] as? String == (try sha(dir, planted)) {
        found += 1
      } else {
        print("bisect slowdown, seed \(seed), planted at \(planted): exit \(r.status) \(r.stdout) \(r.stderr) in \(dir)")
      }
      runs.append(report["runs"] as? Int ?? 0)
      naive.append(report["naive_runs"] as? Int ?? 0)
    }
    let median = runs.sorted()[runs.count / 2]
    print("bisect slowdown: found \(found)/10; median \(median) runs (runs \(runs)); one run per probe: \(naive)")
    #expect(found >= 9, "found \(found) of 10; runs \(runs)")
  }

  @Test("a crash next to a commit that does not build: the commit is skipped, the crash found, a re-run is cheap")
  func crashWithUnbuildableNeighbour() throws {
    // The crash starts at commit 15; commit 16, the first midpoint, does not compile.
    let dir = try repository(
      """
      body='return 0;'; [ "$1" -ge 15 ] && body='int *p = 0; return *p;'
      extra=''; [ "$1" -eq 16 ] && extra='this is not C'
      printf '#include <stdio.h>\\nint main(void){ %s }\\n%s\\n/* %s */\\n' "$body" "$extra" "$1" > prog.c
      """)
    let args = [
      "run", "bisect", "--repo", "repo", "--good", "HEAD~32", "--build", "cc -O0 -o prog prog.c", "--cache", "cache",
      "--json-out", "b.json", "--markdown-out", "b.md", "--html-out", "b.html", "--", "./prog",
    ]
    let r = try RigCommand.run(args, in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let crash = try sha(dir, 15), broken = try sha(dir, 16)
    #expect(r.stdout.contains("first bad commit: \(crash)"), "\(r.stdout)")
    let report = try json(dir + "/b.json")
    let probes = try #require(report["probes"] as? [[String: Any]])
    #expect(probes.first?["sha"] as? String == broken)
    #expect(probes.first?["verdict"] as? String == "skip")
    #expect((probes.first?["reason"] as? String ?? "").contains("build failed"))
    #expect((report["builds"] as? [String: Any])?["failed"] as? Int == 1)
    let bad = probes.first { $0["sha"] as? String == crash }
    #expect(bad?["verdict"] as? String == "bad")
    let markdown = try String(contentsOfFile: dir + "/b.md", encoding: .utf8)
    #expect(markdown.contains("**first bad commit: `\(crash.prefix(12))`**"))
    let html = try String(contentsOfFile: dir + "/b.html", encoding: .utf8)
    #expect(html.contains("<svg") && html.contains("First bad commit: \(crash.prefix(12))"))
    // The same question again: every probe comes from the state file, every build from the cache.
    let again = try RigCommand.run(args, in: dir)
    #expect(again.status == 0)
    #expect(again.stdout.contains("first bad commit: \(crash)"))
    #expect(again.stdout.contains("(\(probes.count) resumed)"), "\(again.stdout)")
    #expect(again.stdout.contains("builds: 0 built"), "\(again.stdout)")
  }

  @Test("a flaky failure (30% from one commit on, 0% before) is found with the sequential rate test")
  func flakyFailure() throws {
    // Failures drawn from a counter kept outside the repository, so the test is repeatable:
    // a run fails when the counter's hash falls in the lowest 30 of 100.
    let dir = try repository(
      """
      rate=0; [ "$1" -ge 21 ] && rate=30
      cat > t.sh <<EOF
      #!/bin/sh
      # commit $1
      n=\\$(cat "\\$COUNTER" 2>/dev/null || echo 0); n=\\$((n + 1)); echo \\$n > "\\$COUNTER"
      [ \\$(( (n * 2654435761) % 1000 / 10 )) -lt $rate ] && exit 3
      exit 0
      EOF
      chmod +x t.sh
      """)
    let r = try RigCommand.run(
      [
        "run", "bisect", "--repo", "repo", "--good", "HEAD~32", "--probe-runs", "30", "--cache", "cache",
        "--json-out", "b.json", "--", "./t.sh",
      ], in: dir, environment: ["COUNTER": dir + "/counter"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("first bad commit: \(try sha(dir, 21))"), "\(r.stdout)")
    let report = try json(dir + "/b.json")
    let ends = try #require(report["endpoints"] as? [[String: Any]])
    #expect(ends.first?["failures"] as? Int == 0)
    #expect((ends.last?["failures"] as? Int ?? 0) > 0)
    // Fewer runs than 30 per probe (at most two thirds): the sequential test stops once a
    // side is clear.
    let probes = try #require(report["probes"] as? [[String: Any]])
    let probeRuns = probes.map { $0["runs"] as? Int ?? 0 }.reduce(0, +)
    #expect(probeRuns * 3 < 30 * probes.count * 2, "probe runs \(probeRuns) over \(probes.count) probes")
  }

  @Test("SIGKILL midway: the next run resumes the probes already decided")
  func resumeAfterKill() throws {
    let dir = try repository(
      """
      code=0; [ "$1" -ge 9 ] && code=1
      printf '#!/bin/sh\\n# %s\\nsleep 0.2\\nexit %s\\n' "$1" "$code" > t.sh; chmod +x t.sh
      """)
    let args = [
      "run", "bisect", "--repo", "repo", "--good", "HEAD~32", "--cache", "cache", "--", "./t.sh",
    ]
    let (process, out, err) = try RigCommand.launch(args, in: dir)
    // Wait for a state file holding two probes, then kill rig outright.
    let deadline = Date().addingTimeInterval(20)
    var held = 0
    while Date() < deadline, held < 2 {
      usleep(50_000)
      let files = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/cache/state")) ?? []
      for f in files where f.hasSuffix(".json") {
        held = ((try? json(dir + "/cache/state/" + f))?["probes"] as? [Any])?.count ?? 0
      }
    }
    kill(process.processIdentifier, SIGKILL)
    _ = RigCommand.collect(process, out, err)
    #expect(held >= 2)
    let r = try RigCommand.run(args, in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("first bad commit: \(try sha(dir, 9))"), "\(r.stdout)")
    let resumed = r.stdout.range(of: #"\((\d+) resumed\)"#, options: .regularExpression).map {
      Int(r.stdout[$0].dropFirst().prefix { $0.isNumber }) ?? 0
    }
    #expect((resumed ?? 0) >= 2, "\(r.stdout)")
  }

  @Test("triage's env bisection with a 50%-flaky predicate finds the planted pair without repeating a probe")
  func flakyEnvPair() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(
      [
        "envbug.sh": """
        #!/bin/sh
        n=$(cat "$COUNTER" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$COUNTER"
        if [ "$FOO" = 1 ] && [ "$BAR" = 2 ] && [ $(( (n * 2654435761) % 1000 / 10 )) -lt 50 ]; then exit 1; fi
        exit 0
        """
      ], in: dir)
    try RigCommand.shell("chmod +x envbug.sh", in: dir)
    var args = ["run", "triage", "--runs", "4", "--probe-runs", "30", "--json-out", "t.json"]
    for (name, bad, good) in [("FOO", "1", "0"), ("BAR", "2", "0"), ("BAZ", "1", "0"), ("QUX", "7", "0")] {
      args += ["--failing-env", "\(name)=\(bad)", "--passing-env", "\(name)=\(good)"]
    }
    let r = try RigCommand.run(args + ["--", "./envbug.sh"], in: dir, environment: ["COUNTER": dir + "/counter"])
    #expect(r.stdout.contains("bisect: BAR=2 FOO=1 flips it"), "\(r.stdout)\(r.stderr)")
    let report = try json(dir + "/t.json")
    let probes = try #require((report["bisect"] as? [String: Any])?["probes"] as? [[String: Any]])
    let changes = probes.map { ($0["changed"] as? [String] ?? []).joined(separator: ",") }
    #expect(Set(changes).count == changes.count, "repeated probes: \(changes)")
  }
}
