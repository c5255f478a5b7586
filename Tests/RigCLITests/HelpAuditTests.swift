import Foundation
import Testing

/// Every flag of Molt's Molt-compatible tools has a line in the Rig recipe's --help, with
/// Molt's spelling, its type (N for an integer, X for a number, TEXT or PATH for a string,
/// {a|b} for choices, --[no-]flag for a switch) and its default (Tests/Fixtures/molt/flags.json,
/// from Molt's own --help and argparse definitions). A default Rig changes on purpose is named
/// with Molt's beside it. And no line says its default or "(repeatable)" twice.
@Suite("Molt's flags in Rig's --help")
struct HelpAuditTests {
  struct Flag: Decodable {
    let flag: String
    let type: String
    let `default`: String?
    let choices: [String]?
    let molt_default: String?
    let deliberate: String?
  }
  struct Tool: Decodable {
    let recipe: String
    let flags: [Flag]
  }

  static let tools = RigCommand.namedEntries(RigCommand.fixture("molt") + "/flags.json", as: Tool.self)

  /// The option entries of a --help text: (names and metavar, help), continuation lines joined.
  static func entries(_ help: String) -> [(head: String, text: String)] {
    var out: [(String, String)] = []
    var inOptions = false
    for line in help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      if line == "options:" { inOptions = true; continue }
      guard inOptions else { continue }
      if line.isEmpty { break }
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("-") {
        // "--name META  help": the head ends at the first run of two spaces.
        if let gap = trimmed.range(of: "  ") {
          out.append((String(trimmed[..<gap.lowerBound]), trimmed[gap.upperBound...].trimmingCharacters(in: .whitespaces)))
        } else {
          out.append((trimmed, ""))
        }
      } else if !out.isEmpty {
        out[out.count - 1].1 += (out[out.count - 1].1.isEmpty ? "" : " ") + trimmed
      }
    }
    return out
  }

  @Test("the flag inventory is all here")
  func inventory() {
    #expect(Self.tools.count == 9)
    #expect(Self.tools.values.reduce(0) { $0 + $1.flags.count } > 100)
  }

  @Test("each Molt flag has a --help line with Molt's spelling, type and default", arguments: tools.keys.sorted())
  func help(_ name: String) throws {
    let tool = try #require(Self.tools[name])
    let r = try RigCommand.run(["run", tool.recipe, "--help"], in: try RigCommand.scratch())
    #expect(r.status == 0)
    let entries = Self.entries(r.stdout)
    for flag in tool.flags {
      let bare = flag.flag.hasPrefix("--no-") ? String(flag.flag.dropFirst(5)) : String(flag.flag.dropFirst(2))
      let found = entries.first { entry in
        let words = entry.head.split(separator: " ").map(String.init)
        let names = words.first.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        return names.contains(flag.flag) || names.contains("--[no-]" + bare)
      }
      guard let entry = found else {
        Issue.record("\(tool.recipe) --help has no line for Molt's \(flag.flag)")
        continue
      }
      let meta = entry.head.split(separator: " ").dropFirst().joined(separator: " ")
      switch flag.type {
      case "bool":
        #expect(meta.isEmpty, "\(flag.flag) is a switch in Molt; Rig's line: \(entry.head)")
      case "int":
        #expect(meta == "N", "\(flag.flag) takes an integer in Molt; Rig's line: \(entry.head)")
      case "float":
        #expect(meta == "X", "\(flag.flag) takes a number in Molt; Rig's line: \(entry.head)")
      case "str":
        // TEXT, PATH, or a name of its own (argparse's METRICS).
        #expect(meta == "TEXT" || meta == "PATH" || meta.range(of: "^[A-Z][A-Z_]*$", options: .regularExpression) != nil,
          "\(flag.flag) takes a string in Molt; Rig's line: \(entry.head)")
      case "choice":
        #expect(meta == "{" + (flag.choices ?? []).joined(separator: "|") + "}",
          "\(flag.flag) takes one of \(flag.choices ?? []) in Molt; Rig's line: \(entry.head)")
      default:
        Issue.record("flags.json: unknown type \(flag.type)")
      }
      for value in [flag.default, flag.molt_default].compactMap({ $0 }) {
        let text = entry.text
        let said = text.range(of: "default", options: .caseInsensitive).map { text[$0.upperBound...].contains(value) }
          ?? false
        #expect(said || text.contains("Molt's is " + value), "\(flag.flag): Molt's default \(value) is not on its line: \(text)")
      }
    }
    for entry in entries {
      #expect(entry.text.components(separatedBy: "(default").count <= 2, "default said twice: \(entry.text)")
      #expect(!entry.text.contains("(repeatable) (repeatable)") && !entry.text.contains("(repeatable). (repeatable)"),
        "repeatable said twice: \(entry.text)")
    }
  }
}
