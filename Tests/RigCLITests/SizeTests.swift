import Foundation
import Testing

/// `rig run size` end to end on a C program built in the test and on a wasm module.
@Suite("rig run size")
struct SizeTests {
  func audit(_ path: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test("sizes match gzip/brotli/zstd and size -A; three start-up modes and the baselines; budgets gate")
  func nativeBinary() throws {
    let dir = try RigCommand.scratch()
    let source = RigCommand.fixture("compile_progress/hello.c")
    _ = try RigCommand.shell("cc -O2 -o hello \(source)", in: dir)
    try RigCommand.write(["ok.toml": "[budget]\nbytes = 10000000\nstartup_same_path_s = 5.0\n",
      "tight.toml": "[budget]\ngzip_bytes = 10\n[budget.sections]\n\".text\" = 1\n",
      "typo.toml": "[budget]\nbytess = 1\n"], in: dir)
    let r = try RigCommand.run(["run", "size", "hello", "--runs", "3", "--cold-runs", "2", "--budget", "ok.toml",
      "--json-out", "audit.json"], in: dir)
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    let a = try audit(dir + "/audit.json")
    let c = try #require((a["cases"] as? [[String: Any]])?.first)
    let art = try #require(c["artifact"] as? [String: Any])
    let bytes = try FileManager.default.attributesOfItem(atPath: dir + "/hello")[.size] as? Int
    #expect(art["bytes"] as? Int == bytes)
    #expect(art["gzip_bytes"] as? Int == Int(try RigCommand.shell("gzip -9 -c hello | wc -c", in: dir)))
    #expect(art["zstd_bytes"] as? Int == Int(try RigCommand.shell("zstd -19 -q -c hello | wc -c", in: dir)))
    #expect(art["brotli_bytes"] as? Int == Int(try RigCommand.shell("brotli -q 11 -c hello | wc -c", in: dir)))
    let sections = try #require(art["sections"] as? [String: Int])
    let text = try RigCommand.shell("size -A hello | awk '$1 == \".text\" {print $2}'", in: dir)
    #expect(sections[".text"] == Int(text))
    let startup = try #require(c["startup"] as? [String: [String: Any]])
    #expect((startup["same_path"]?["samples_s"] as? [Double])?.count == 3)
    for mode in ["same_path", "page_cache_cold", "cold_first_sighting"] {
      let median = (startup[mode]?["stats"] as? [String: Any])?["median_s"] as? Double ?? 0
      #expect(median > 0 && median < 5, "\(mode)")
    }
    let baselines = try #require(a["baselines"] as? [String: [String: Any]])
    #expect(baselines["c"] != nil && baselines["cpython"] != nil)
    #expect((c["budgets"] as? [String: Any])?["passed"] as? Bool == true)

    let tight = try RigCommand.run(["run", "size", "hello", "--no-run", "--budget", "tight.toml"], in: dir)
    #expect(tight.status == 1)
    #expect(tight.stdout.contains("hello: budget exceeded: gzip_bytes = "))
    #expect(tight.stdout.contains("hello: budget exceeded: section .text = "))
    let typo = try RigCommand.run(["run", "size", "hello", "--no-run", "--budget", "typo.toml"], in: dir)
    #expect(typo.status == 2)
    #expect(typo.stderr.contains("unknown budget key 'bytess'; did you mean 'bytes'?"))

    // The audit feeds the report's Cold Start & Binary Size section.
    let molt = RigCommand.fixture("molt/bench/results")
    let report = try RigCommand.run(["run", "report", "--native", molt + "/full_native_refresh_20260522_tracked_vec.json",
      "--wasm", molt + "/bench_wasm_20260522_tracked_vec.json", "--startup-audit", "audit.json", "--out", "r.md"],
      in: dir)
    #expect(report.status == 0, "\(report.stderr)")
    let md = try String(contentsOfFile: dir + "/r.md", encoding: .utf8)
    #expect(md.contains("| hello | - | - | \(bytes ?? -1) ("), "\(md)")
  }

  @Test("a wasm module: sections from its own header, started through a runner command")
  func wasmModule() throws {
    let dir = try RigCommand.scratch()
    _ = try RigCommand.shell("wat2wasm \(RigCommand.fixture("wasm/pass.wat")) -o pass.wasm", in: dir)
    let runner = RigCommand.fixture("../../recipes/wasm/run_node.mjs")
    let r = try RigCommand.run(["run", "size", "pass.wasm", "--runs", "2", "--cold-runs", "1", "--no-baselines",
      "--cmd", "node --no-warnings \(runner) {artifact}", "--json-out", "audit.json"], in: dir)
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    let c = try #require((try audit(dir + "/audit.json")["cases"] as? [[String: Any]])?.first)
    let art = try #require(c["artifact"] as? [String: Any])
    #expect(art["sections_source"] as? String == "rig.wasm")
    #expect((art["sections"] as? [String: Int])?["code"] != nil)
    #expect(r.stdout.contains("pass.wasm sections (rig.wasm): "))
  }
}
