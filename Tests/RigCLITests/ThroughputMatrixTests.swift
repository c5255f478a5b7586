import Foundation
import Testing

/// `rig run throughput_matrix` end to end with the system C compiler.
@Suite("rig run throughput_matrix")
struct ThroughputMatrixTests {
  static let fixture = RigCommand.fixture("compile_progress")

  @Test("profile x wrapper cases build single and concurrent; gates fail on a diff failure with --fail-on-gate")
  func matrix() throws {
    let dir = try RigCommand.scratch()
    let f = Self.fixture
    let r = try RigCommand.run(
      ["run", "throughput_matrix", "--output-root", dir + "/tm", "--profiles", "dev", "release", "--wrappers", "0", "1",
       "--build-scripts", f + "/hello.c", f + "/hello2.c", "--build-cmd", "sh \(f)/tbuild.sh {profile} {out_dir} {script}",
       "--run-diff", "--diff-cmd", "sh \(f)/fakediff.sh {summary}", "--fail-on-gate"], in: dir)
    #expect(r.status == 2, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("gate_status=fail\ngate_failure: diff_failed_tests=4 exceeds max_diff_failed_tests=0\n"))
    let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/tm/matrix_results.json"))
    let results = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let builds = try #require(results["build_matrix"] as? [[String: Any]])
    #expect(builds.map { $0["case"] as? String } == [
      "build_profile_dev__wrapper_0", "build_profile_dev__wrapper_1",
      "build_profile_release__wrapper_0", "build_profile_release__wrapper_1",
    ])
    for b in builds {
      let single = try #require(b["single"] as? [String: Any])
      #expect(single["returncode"] as? Int == 0)
      #expect((single["output_size_bytes"] as? Int ?? 0) > 1000)  // a real binary was written
      #expect((single["command"] as? [String])?.first == "sh")  // the build's own command, not env -u
      let workers = try #require(b["concurrent_workers"] as? [[String: Any]])
      #expect(workers.count == 2 && workers.allSatisfy { $0["returncode"] as? Int == 0 })
      #expect((b["concurrent_wall_sec"] as? Double ?? 0) > 0)
    }
    let diffs = try #require(results["diff_matrix"] as? [[String: Any]])
    #expect(diffs.count == 4)
    #expect((diffs[0]["summary"] as? [String: Any])?["failed"] as? Int == 1)
    let gate = try #require(results["gate_status"] as? [String: Any])
    #expect(gate["passed"] as? Bool == false)
    #expect((gate["observed"] as? [String: Any])?["diff_failed_tests"] as? Int == 4)
  }
}
