import Foundation
import RigLua
import Testing

/// Every `stdlib/spec/*_spec.lua`, run inside a real host (the stdlib needs host primitives).
@Suite("stdlib specs")
struct StdlibSpecTests {
  static let specFiles: [String] = {
    let folder = repositoryRoot + "/stdlib/spec"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { $0.hasSuffix("_spec.lua") }.sorted()
  }()

  @Test("there are specs to run")
  func specsExist() {
    #expect(Self.specFiles.count >= 3)
  }

  @Test("spec passes", arguments: specFiles)
  func run(spec: String) throws {
    let host = try makeHost()
    let path = repositoryRoot + "/stdlib/spec/" + spec
    let results = try host.run(
      """
      local r = require("rig.spec").run_file(..., {output = io.stderr})
      local lines = {}
      for _, f in ipairs(r.failures) do lines[#lines + 1] = f.name .. ": " .. tostring(f.message) end
      return r.passed, r.failed, table.concat(lines, "\\n")
      """, arguments: [.string(path)])
    guard case .integer(let passed) = results[0], case .integer(let failed) = results[1],
      case .string(let report) = results[2]
    else {
      Issue.record("unexpected results \(results)")
      return
    }
    #expect(failed == 0, "\(spec):\n\(report)")
    #expect(passed > 0, "\(spec) ran no test")
  }
}
