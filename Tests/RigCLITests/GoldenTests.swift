import Foundation
import Testing

/// One case of Molt's golden outputs: a tool and a case folder under
/// Tests/Fixtures/molt/golden/<tool>/<case>.
struct GoldenCase: Sendable, CustomTestStringConvertible {
  let tool: String
  let name: String
  var testDescription: String { "\(tool)/\(name)" }
}

/// Molt's own tools run on the fixture inputs (Tests/Fixtures/molt/golden, copied from
/// ../shared with its README) against Rig's recipes: the same command line with `rig run
/// <recipe>` in place of the tool, in the same kind of tree, compared byte for byte (exit
/// code, stdout, stderr, every file the tool wrote). Tests/Fixtures/molt/golden_cases.json says
/// how each case is set up (from its `cmd` comments) and which cases still differ, and why: a
/// listed case is expected to differ, so fixing one fails the test until its entry goes.
@Suite("Molt golden outputs")
struct GoldenTests {
  struct Setup: Decodable {
    let inputs: [[String]]?
    let outputs: [String: String]?
    let cwd: String?
    let known: String?
  }
  struct Tool: Decodable {
    let recipe: String
    let cases: [String: Setup]
  }

  static let molt = RigCommand.fixture("molt")

  static let tools: [String: Tool] = {
    guard let data = FileManager.default.contents(atPath: molt + "/golden_cases.json"),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return [:] }
    var out: [String: Tool] = [:]
    for (name, value) in object where !name.hasPrefix("_") {
      if let raw = try? JSONSerialization.data(withJSONObject: value),
        let tool = try? JSONDecoder().decode(Tool.self, from: raw)
      {
        out[name] = tool
      }
    }
    return out
  }()

  static let cases: [GoldenCase] = {
    var out: [GoldenCase] = []
    for tool in tools.keys.sorted() {
      let folder = molt + "/golden/" + tool
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
      for name in names.sorted() where FileManager.default.fileExists(atPath: folder + "/" + name + "/cmd") {
        out.append(GoldenCase(tool: tool, name: name))
      }
    }
    return out
  }()

  @Test("the golden cases are all here")
  func inventory() {
    // bench_diff and bench_report: 28 cases each.
    #expect(Self.cases.filter { $0.tool == "bench_diff" }.count == 28)
    #expect(Self.cases.filter { $0.tool == "bench_report" }.count == 28)
  }

  /// The fixture tree Molt's tools ran in: bench/ and docs/ of the fixtures, and a
  /// pyproject.toml marking the repository root as Molt's checkout has one.
  func tree(at root: String) throws {
    let fm = FileManager.default
    try fm.createDirectory(atPath: root + "/tree", withIntermediateDirectories: true)
    try fm.createDirectory(atPath: root + "/home", withIntermediateDirectories: true)
    for entry in ["bench", "docs"] {
      try fm.copyItem(atPath: Self.molt + "/" + entry, toPath: root + "/tree/" + entry)
    }
    fm.createFile(atPath: root + "/tree/pyproject.toml", contents: Data())
  }

  func read(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
  }

  @Test("Rig's recipe writes what Molt's tool wrote", arguments: cases)
  func golden(_ c: GoldenCase) throws {
    let fm = FileManager.default
    let tool = try #require(Self.tools[c.tool])
    let setup = tool.cases[c.name]
    let folder = Self.molt + "/golden/" + c.tool + "/" + c.name
    let root = try RigCommand.scratch()
    try tree(at: root)
    var inputs = Set<String>()
    for pair in setup?.inputs ?? [] where pair.count == 2 {
      let (from, to) = (pair[0], pair[1])
      let source: String
      if from.hasPrefix("golden:") {
        let name = String(from.dropFirst("golden:".count))
        inputs.insert(name)
        source = folder + "/" + name
      } else {
        source = Self.molt + "/" + from.dropFirst("fixture:".count)
      }
      let target = root + "/" + to
      try fm.createDirectory(
        atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
      try fm.copyItem(atPath: source, toPath: target)
    }
    let text = try #require(read(folder + "/cmd"))
    let line = try #require(text.split(separator: "\n").last { !$0.hasPrefix("#") && !$0.isEmpty })
    let pattern = try NSRegularExpression(pattern: "(bash|python3) (\\.\\./)?tools/\(c.tool)\\.(py|sh)")
    var command = String(line)
    command = pattern.stringByReplacingMatches(
      in: command, range: NSRange(command.startIndex..., in: command),
      withTemplate: "'\(RigCommand.executable)' run \(tool.recipe)")
    command = command.replacingOccurrences(of: "<root>", with: root)

    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = ["-c", command]
    p.currentDirectoryURL = URL(fileURLWithPath: root + "/" + (setup?.cwd ?? "tree"))
    p.environment = [
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": root + "/home",
      "LANG": "C.UTF-8",
    ]
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let result = RigCommand.collect(p, out, err)

    func expected(_ name: String) -> String? {
      read(folder + "/" + name).map { $0.replacingOccurrences(of: "<root>", with: root) }
    }
    var differences: [String] = []
    let code = Int32(expected("exit_code")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
    if result.status != code { differences.append("exit \(result.status), Molt \(code)") }
    if result.stdout != expected("stdout") ?? "" { differences.append("stdout:\n\(result.stdout)") }
    let trim = { (s: String) in s.trimmingCharacters(in: .whitespacesAndNewlines) }
    if trim(result.stderr) != trim(expected("stderr") ?? "") { differences.append("stderr:\n\(result.stderr)") }
    let outputs = setup?.outputs ?? [:]
    let skipped: Set<String> = ["cmd", "stdout", "stderr", "exit_code"]
    let files = fm.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
    for rel in files.sorted() {
      var isDir: ObjCBool = false
      guard fm.fileExists(atPath: folder + "/" + rel, isDirectory: &isDir), !isDir.boolValue else { continue }
      if skipped.contains(rel) || rel.hasPrefix("input_") || (inputs.contains(rel) && outputs[rel] == nil) {
        continue
      }
      let got = root + "/" + (outputs[rel] ?? "tree/" + rel)
      if read(got) != expected(rel) { differences.append("\(rel) differs (\(got))") }
    }
    if let known = setup?.known {
      withKnownIssue(Comment(rawValue: known)) {
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
      }
    } else {
      #expect(differences.isEmpty, "\(c.tool)/\(c.name): \(differences.joined(separator: "\n"))")
    }
  }
}
