import Foundation
import Testing

/// Shell completion through a real bash: the script `rig completions bash` prints, sourced,
/// and its function called as bash calls it on TAB.
@Suite("shell completion")
struct CompletionTests {
  /// What bash would offer for `line` (the cursor at its end).
  func complete(_ line: String, in dir: String, environment: [String: String] = [:]) throws -> [String] {
    let rigDir = (RigCommand.executable as NSString).deletingLastPathComponent
    let script = """
      export PATH='\(rigDir)':"$PATH"
      source <(rig completions bash)
      COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
      read -ra COMP_WORDS <<< "$COMP_LINE"
      [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
      COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
      _rig rig "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
      printf '%s\\n' "${COMPREPLY[@]}"
      """
    let out = try RigCommand.shell(script, in: dir, arguments: [line], environment: environment, shell: "/bin/bash")
    return out.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
  }

  @Test("subcommands, recipe names (built in, ./recipes, RIG_PATH) and a recipe's own options")
  func bash() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write([
      "recipes/mine.lua": """
        return rig.recipe { description = "x", params = { { "samples", type = "integer", short = "n" },
          { "fast", type = "boolean" } }, run = function() end }
        """,
      "lib/teamrecipe.lua": "return rig.recipe { description = \"y\", run = function() end }\n",
    ], in: dir)
    #expect(try complete("rig ru", in: dir) == ["run"])
    #expect(try complete("rig run comp", in: dir) == ["compare", "compile_progress"])
    #expect(try complete("rig run mi", in: dir) == ["mine"])
    #expect(try complete("rig run team", in: dir, environment: ["RIG_PATH": dir + "/lib"]) == ["teamrecipe"])
    #expect(try complete("rig run mine --", in: dir) == ["--help", "--samples", "--fast", "--no-fast"])
    #expect(try complete("rig run -v --lua-memory-mb 10 mine --sa", in: dir) == ["--samples"])
    #expect(try complete("rig run compare --war", in: dir) == ["--warmup"])
    #expect(try complete("rig check gat", in: dir) == ["gate"])
    // A recipe that does not load completes to nothing rather than failing.
    try RigCommand.write(["recipes/broken.lua": "return rig.recipe { nope = 1 }\n"], in: dir)
    #expect(try complete("rig run broken --", in: dir).isEmpty)
  }

  @Test("zsh and fish scripts are printed; an unknown shell is a usage error")
  func scripts() throws {
    let dir = try RigCommand.scratch()
    let zsh = try RigCommand.run(["completions", "zsh"], in: dir)
    #expect(zsh.status == 0 && zsh.stdout.hasPrefix("#compdef rig") && zsh.stdout.contains("rig __complete --"))
    let fish = try RigCommand.run(["completions", "fish"], in: dir)
    #expect(fish.status == 0 && fish.stdout.contains("complete -c rig -a '(__rig_complete)'"))
    let tcsh = try RigCommand.run(["completions", "tcsh"], in: dir)
    #expect(tcsh.status == 2 && tcsh.stderr.contains("say bash, zsh or fish"))
  }
}
