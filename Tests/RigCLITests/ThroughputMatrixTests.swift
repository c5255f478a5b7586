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
    #expect(r.stdout.hasPrefix("output_root=\(dir)/tm\n[build] build_profile_dev__wrapper_0: single phase\n"))
    #expect(r.stdout.hasSuffix("gate_status=fail\ngate_failure: diff failed tests 4 > 0\n"))
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

  @Test("wrapper 0 turns sccache off and drops the inherited compiler wrappers; wrapper 1 keeps them")
  func wrapperEnvironment() throws {
    let dir = try RigCommand.scratch()
    let r = try RigCommand.run(
      ["run", "throughput_matrix", "--output-root", dir + "/tm", "--profiles", "dev", "--wrappers", "0", "1",
       "--build-scripts", "a", "--concurrency", "1",
       "--build-cmd", "sh -c 'mkdir -p \"$1\"; env > \"$1/env.txt\"' sh {out_dir}"], in: dir,
      environment: ["RUSTC_WRAPPER": "sccache", "CARGO_BUILD_RUSTC_WRAPPER": "sccache", "SCCACHE_DISABLE": "1"])
    #expect(r.status == 0, "\(r.stderr)")
    func env(_ wrapper: Int) throws -> [String: String] {
      let text = try String(
        contentsOfFile: dir + "/tm/build_profile_dev__wrapper_\(wrapper)/out/single/env.txt", encoding: .utf8)
      var out: [String: String] = [:]
      for line in text.split(separator: "\n") {
        if let eq = line.firstIndex(of: "=") { out[String(line[..<eq])] = String(line[line.index(after: eq)...]) }
      }
      return out
    }
    let off = try env(0), on = try env(1)
    #expect(off["RUSTC_WRAPPER"] == nil && off["CARGO_BUILD_RUSTC_WRAPPER"] == nil)
    #expect(off["SCCACHE_DISABLE"] == "1" && off["MOLT_USE_SCCACHE"] == "0")
    #expect(on["RUSTC_WRAPPER"] == "sccache" && on["SCCACHE_DISABLE"] == nil && on["MOLT_USE_SCCACHE"] == "1")
    #expect(Double(on["MOLT_BACKEND_MAX_RSS_GB"] ?? "") ?? 0 > 0)  // Molt's memory budget for the build
  }
}
