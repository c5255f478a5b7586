import ArgumentParser
import Foundation
import RigKit
import RigLua

/// Options shared by the commands that run Lua.
struct HostOptions: ParsableArguments {
  @Option(name: .customLong("lua-memory-mb"), help: "Ceiling for the Lua heap, in MB (0 = none).")
  var luaMemoryMB: Int = LuaHost.defaultMemoryLimitMB

  @Flag(name: .shortAndLong, help: "Show debug log lines.")
  var verbose = false

  @Flag(name: .shortAndLong, help: "Show only errors.")
  var quiet = false

  var logLevel: String { verbose ? "debug" : quiet ? "error" : "info" }

  /// Host options are Rig's wherever they stand before `--`: `rig eval CODE --lua-memory-mb 50`
  /// and `rig run RECIPE --lua-memory-mb 50` set the ceiling rather than passing the words on.
  /// They move to just after the subcommand. `-v`/`-q` move for `eval` alone (a recipe may have
  /// options of those names; for `run`, write them before RECIPE).
  static func hoisted(_ arguments: [String]) -> [String] {
    guard let command = arguments.first, ["run", "check", "eval"].contains(command) else { return arguments }
    var moved: [String] = [], kept: [String] = []
    var i = 1
    while i < arguments.count {
      let word = arguments[i]
      if word == "--" {
        kept += arguments[i...]
        break
      }
      if word == "--lua-memory-mb", i + 1 < arguments.count {
        moved += [word, arguments[i + 1]]
        i += 2
        continue
      }
      if word.hasPrefix("--lua-memory-mb=") || (command == "eval" && ["-v", "-q", "--verbose", "--quiet"].contains(word)) {
        moved.append(word)
      } else {
        kept.append(word)
      }
      i += 1
    }
    return [command] + moved + kept
  }
}

@main
struct Rig: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rig",
    abstract: "Benchmark recipes in Lua: lanes, sweeps, triage, diffs, gates and reports.",
    discussion: """
      Exit codes: 0 success; 1 the recipe failed (run-time error, Lua memory ceiling, or its run \
      returned false); 2 usage error (bad command line, unknown recipe, syntax error, invalid \
      recipe definition); 3-125 as the recipe returns; 130 SIGINT; 143 SIGTERM.
      """,
    version: RigVersion.string,
    subcommands: [Run.self, List.self, Check.self, Eval.self, CompletionsCommand.self, CompleteCommand.self]
  )

  /// Parses and runs with Rig's exit codes on every path: ArgumentParser's usage errors exit
  /// 2 (README's table), not its EX_USAGE 64; help and version exit 0.
  static func main() {
    // Every child of rig comes through the spawn helper: should it die, its orphans come here.
    ProcessRunner.adoptOrphans()
    let arguments = HostOptions.hoisted(Array(CommandLine.arguments.dropFirst()))
    let code: Int32
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
      code = 0
    } catch {
      let exit = exitCode(for: error).rawValue
      let message = fullMessage(for: error)
      if exit == 0 {
        if !message.isEmpty { Session.printOutput(message) }
        code = 0
      } else {
        if !message.isEmpty { Session.printError(message) }
        code = exit == ExitCode.validationFailure.rawValue ? 2 : exit
      }
    }
    fflush(nil)
    Foundation.exit(code)
  }
}

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a recipe (a path, or a name from ./recipes, RIG_PATH or the built-in recipes).",
    discussion: "Options after RECIPE belong to the recipe: `rig run RECIPE --help` lists them."
  )

  @OptionGroup var host: HostOptions

  @Argument(help: "Recipe name or path.")
  var recipe: String

  @Argument(parsing: .captureForPassthrough, help: "The recipe's own options and arguments.")
  var arguments: [String] = []

  func run() throws {
    let source = try Recipes.find(recipe)
    try Session.execute(host) { lua in
      try lua.call("rig._runner", "run", [Recipes.spec(source, argv: arguments, logLevel: host.logLevel)])
    }
  }
}

struct List: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the recipes found, with their descriptions and where they come from.")

  @OptionGroup var host: HostOptions

  func run() throws {
    let entries = Recipes.locator().all().map { found, shadowed in
      var spec = Recipes.spec(found, argv: [], logLevel: host.logLevel)
      if case .table(var pairs) = spec {
        pairs.append(("origin", .string(found.origin.rawValue)))
        pairs.append(("shadowed", .array(shadowed.map { .string($0.displayPath) })))
        spec = .table(pairs)
      }
      return spec
    }
    try Session.execute(host) { lua in try lua.call("rig._runner", "list", [.array(entries)]) }
  }
}

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Load and validate a recipe without running it.")

  @OptionGroup var host: HostOptions

  @Argument(help: "Recipe name or path.")
  var recipe: String

  func run() throws {
    let source = try Recipes.find(recipe)
    try Session.execute(host) { lua in
      try lua.call("rig._runner", "check", [Recipes.spec(source, argv: [], logLevel: host.logLevel)])
    }
  }
}

struct Eval: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a line of Lua with the rig API; prints what it returns.",
    discussion: "Example: rig eval 'rig.time.utc_stamp()'")

  @OptionGroup var host: HostOptions

  @Argument(help: "Lua code (an expression or statements).")
  var code: String

  @Argument(parsing: .captureForPassthrough, help: "Values passed to the code as `...`.")
  var arguments: [String] = []

  func run() throws {
    try Session.execute(host) { lua in
      try lua.call("rig._runner", "eval", [.string(code), .array(arguments.map { .string($0) })])
    }
  }
}
