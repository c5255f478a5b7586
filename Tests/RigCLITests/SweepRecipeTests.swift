import Foundation
import Testing

/// `rig run sweep` end to end: SIGKILL midway, then --resume.
@Suite("rig run sweep")
struct SweepRecipeTests {
  let matrix = """
    [[axis]]
    name = "n"
    values = [1, 2, 3, 4, 5, 6, 7, 8]
    """

  func cases(_ path: String) throws -> [[String: Any]] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let artifact = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    return try #require(artifact["cases"] as? [[String: Any]])
  }

  @Test("SIGKILL loses at most the case in flight; --resume runs only the rest")
  func killAndResume() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(["m.toml": matrix], in: dir)
    // Each case notes that it ran, then takes 0.3 s.
    let command = ["--", "sh", "-c", "echo {n} >> ran.txt; sleep 0.3"]
    let (process, out, err) = try RigCommand.launch(
      ["run", "sweep", "--matrix", "m.toml", "--json-out", "s.json"] + command, in: dir)
    // Wait for at least three finished cases in the snapshot, then kill rig outright.
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline {
      if let done = try? cases(dir + "/s.json"), done.count >= 3 { break }
      usleep(20_000)
    }
    kill(process.processIdentifier, SIGKILL)
    _ = RigCommand.collect(process, out, err)
    let snapshot = try cases(dir + "/s.json")  // parses: never torn
    #expect(snapshot.count >= 3 && snapshot.count < 8)
    // The journal holds every finished case at once; the snapshot may lag it (rewritten at most
    // once a second). A torn last line (killed mid-append) would not count.
    let journal = (try? String(contentsOfFile: dir + "/s.json.journal", encoding: .utf8)) ?? ""
    let journaled = journal.split(separator: "\n").compactMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
    var byID: [String: [String: Any]] = [:]
    for c in snapshot + journaled { if let id = c["id"] as? String { byID[id] = c } }
    let finished = Array(byID.values)
    let ranBefore = try String(contentsOfFile: dir + "/ran.txt", encoding: .utf8).split(separator: "\n")
    #expect(ranBefore.count <= finished.count + 1)  // at most the case in flight is lost

    let resumed = try RigCommand.run(
      ["run", "sweep", "--matrix", "m.toml", "--json-out", "s.json", "--resume"] + command, in: dir)
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stdout.contains("8/8 cases: 8 ok, 0 failed, \(finished.count) resumed"))
    let all = try cases(dir + "/s.json")
    #expect(all.compactMap { ($0["settings"] as? [String: Any])?["n"] as? Int } == Array(1...8))
    // No finished case ran again.
    let ran = try String(contentsOfFile: dir + "/ran.txt", encoding: .utf8).split(separator: "\n").map(String.init)
    let finishedNs = Set(finished.compactMap { ($0["settings"] as? [String: Any])?["n"] as? Int }.map(String.init))
    for n in finishedNs { #expect(ran.filter { $0 == n }.count == 1, "case \(n) ran again") }
  }

  @Test("a retryable failure is retried; a bad matrix is named with its file")
  func retriesAndBadMatrix() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(["m.toml": "[[axis]]\nname = \"n\"\nvalues = [1]\n", "bad.toml": "[[axis]]\nname = 3\n"], in: dir)
    let r = try RigCommand.run(
      ["run", "sweep", "--matrix", "m.toml", "--max-retries", "2", "--json-out", "s.json", "--", "sh", "-c",
       "echo x >> tries; [ $(wc -l < tries) -ge 3 ] || exit 124"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let c = try #require(try cases(dir + "/s.json").first)
    #expect(c["attempts"] as? Int == 3)
    #expect(c["retry_reason"] as? String == "exit_124")
    let bad = try RigCommand.run(["run", "sweep", "--matrix", "bad.toml", "--", "true"], in: dir)
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("bad.toml: axis 1 needs a name and a non-empty list of values"))
  }

  @Test("one writer per artifact: a second sweep on it is refused at once, the first finishes intact")
  func secondWriterRefused() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(["m.toml": matrix], in: dir)
    let (first, out, err) = try RigCommand.launch(
      ["run", "sweep", "--matrix", "m.toml", "--json-out", "s.json", "--", "sh", "-c", "sleep 0.1; echo {n}"], in: dir)
    usleep(300_000)
    let second = try RigCommand.run(
      ["run", "sweep", "--matrix", "m.toml", "--json-out", "s.json", "--", "sh", "-c", "echo other"], in: dir)
    #expect(second.status == 2)
    #expect(second.stderr.contains("s.json is being written by another sweep"), "\(second.stderr)")
    let r = RigCommand.collect(first, out, err)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try cases(dir + "/s.json").count == 8)
  }

  @Test("--resume refuses a file that is not a sweep artifact, or another command's; keeps cases that left the matrix")
  func resumeChecks() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(["m.toml": matrix, "small.toml": "[[axis]]\nname = \"n\"\nvalues = [1, 2]\n",
      "other.json": "{\"not\": \"a sweep\"}\n"], in: dir)
    let foreign = try RigCommand.run(
      ["run", "sweep", "--matrix", "m.toml", "--json-out", "other.json", "--resume", "--", "true"], in: dir)
    #expect(foreign.status == 2 && foreign.stderr.contains("is not a sweep artifact"))
    #expect(try String(contentsOfFile: dir + "/other.json", encoding: .utf8) == "{\"not\": \"a sweep\"}\n")
    _ = try RigCommand.run(["run", "sweep", "--matrix", "m.toml", "--json-out", "s.json", "--", "true"], in: dir)
    let otherCommand = try RigCommand.run(
      ["run", "sweep", "--matrix", "m.toml", "--json-out", "s.json", "--resume", "--", "echo", "x"], in: dir)
    #expect(otherCommand.status == 2 && otherCommand.stderr.contains("another command's sweep"))
    let smaller = try RigCommand.run(
      ["run", "sweep", "--matrix", "small.toml", "--json-out", "s.json", "--resume", "--", "true"], in: dir)
    #expect(smaller.status == 0, "\(smaller.stderr)")
    #expect(smaller.stderr.contains("6 finished cases of the artifact are not in this matrix any more"))
    let kept = try cases(dir + "/s.json")
    #expect(kept.count == 8)
    #expect(kept.filter { $0["left_matrix"] as? Bool == true }.count == 6)
  }
}
