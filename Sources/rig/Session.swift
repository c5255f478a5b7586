import ArgumentParser
import Foundation
import RigKit
import RigLua

/// Finding recipes for the commands.
enum Recipes {
  static func locator() -> RecipeLocator {
    RecipeLocator(
      workingDirectory: FileManager.default.currentDirectoryPath,
      rigPath: ProcessInfo.processInfo.environment["RIG_PATH"],
      builtIn: LuaHost.builtInRecipes,
      rockDirectories: LuaRocksTrees.recipeDirectories(LuaRocksTrees.current()))
  }

  static func find(_ nameOrPath: String) throws -> RecipeSource {
    do {
      return try locator().find(nameOrPath)
    } catch let error as RecipeLookupError {
      Session.printError("rig: " + error.message)
      throw ExitCode(2)
    }
  }

  /// What the Lua runner needs to know about a recipe.
  static func spec(_ source: RecipeSource, argv: [String], logLevel: String) -> LuaValue {
    .table([
      ("source", .string(source.text)),
      ("chunk", .string(source.displayPath)),
      ("dir", source.directory.map { .string($0) } ?? .null),
      ("name", .string(source.name)),
      ("argv", .array(argv.map { .string($0) })),
      ("log_level", .string(logLevel)),
    ])
  }
}

/// One run of Lua code for a command, with Rig's error reporting and exit codes.
enum Session {
  /// Writes to stderr with write(2): a failing stderr (`2>/dev/full`, a closed pipe) loses the
  /// text but never stops Rig (FileHandle.write traps on such errors).
  static func printError(_ text: String) { write(2, text) }

  /// Writes to stdout the same way.
  static func printOutput(_ text: String) { write(1, text) }

  private static func write(_ fd: Int32, _ text: String) {
    _ = FileSystem.writeAll(fd, Array((text.hasSuffix("\n") ? text : text + "\n").utf8))
  }

  /// Creates the Lua host, runs `body`, and exits with the code the outcome calls for.
  static func execute(_ options: HostOptions, _ body: (LuaHost) throws -> [LuaValue]) throws {
    guard options.luaMemoryMB >= 0 else {
      throw ValidationError("--lua-memory-mb must be 0 (no ceiling) or a positive number of MB")
    }
    let host: LuaHost
    do {
      host = try LuaHost(
        memoryLimitMB: options.luaMemoryMB,
        stdlibDirectory: ProcessInfo.processInfo.environment["RIG_STDLIB_DIR"])
    } catch {
      printError("rig: \(error)")
      throw ExitCode(1)
    }
    host.handleInterruptSignals()
    host.releasesMemoryOnClose = false  // the process exits right after this function
    var status: Int32 = 0
    do {
      let results = try body(host)
      status = Int32(results.first?.integerValue ?? 0)
    } catch let error as LuaError {
      status = report(error)
    }
    fflush(nil)
    if let signal = LuaHost.interruptSignal, status != 128 + signal {
      // The recipe caught the interruption and carried on: the run was still interrupted.
      printError("rig: interrupted by signal \(signal)")
      status = 128 + signal
    }
    if status != 0 { throw ExitCode(status) }
  }

  /// Prints `error` the way users expect for its kind and returns the exit code.
  static func report(_ error: LuaError) -> Int32 {
    switch error {
    case .syntax(let message):
      printError("rig: " + message)
      return 2
    case .runtime(let message, let traceback, let code, let signal):
      switch code {
      case "usage":
        printError(message)  // already "rig run NAME: ..."
        return 2
      case "out_of_memory":  // a host function's result passed the ceiling: as Lua's own
        printError("rig: " + message)
        return 1
      case "syntax", "definition":
        printError("rig: " + message)
        return 2
      case "interrupted":
        printError("rig: " + message)
        return Int32(128 + (signal ?? 2))
      default:
        printError("rig: " + message + (traceback.isEmpty ? "" : "\n" + traceback))
        return 1
      }
    case .outOfMemory, .handler, .setup:
      printError("rig: \(error)")
      return 1
    }
  }
}
