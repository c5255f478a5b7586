import Foundation
import Testing

/// Runs the built `rig` binary, as a user would.
struct RigCommand {
  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  /// The `rig` built beside this test bundle (or RIG_BIN).
  static let executable: String = {
    if let path = ProcessInfo.processInfo.environment["RIG_BIN"] { return path }
    let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var folder = here.deletingLastPathComponent()
    // The test runner may live inside an .xctest bundle folder.
    while !FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("rig").path),
      folder.path != "/"
    {
      folder.deleteLastPathComponent()
    }
    return folder.appendingPathComponent("rig").path
  }()

  /// The path of `relative` under Tests/Fixtures (the tests run from the source tree).
  /// A fixture JSON of named entries (keys starting with "_" are notes), each decoded as T:
  /// golden_cases.json, flags.json. Entries that do not decode are left out (the tests that
  /// read these count what they expect).
  static func namedEntries<T: Decodable>(_ path: String, as: T.Type) -> [String: T] {
    guard let data = FileManager.default.contents(atPath: path),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return [:] }
    var out: [String: T] = [:]
    for (name, value) in object where !name.hasPrefix("_") {
      if let raw = try? JSONSerialization.data(withJSONObject: value),
        let entry = try? JSONDecoder().decode(T.self, from: raw)
      {
        out[name] = entry
      }
    }
    return out
  }

  static func fixture(_ relative: String) -> String {
    var url = URL(fileURLWithPath: #filePath)
    url.deleteLastPathComponent()
    url.deleteLastPathComponent()
    return url.appendingPathComponent("Fixtures").appendingPathComponent(relative).path
  }

  /// Runs `/bin/sh -c script` in `directory` for a test's setup (git, a compiler, gzip) and
  /// returns its stdout, trimmed; a failing command fails the test.
  /// `arguments` become the script's `$1`...; `environment` is added to this process's;
  /// `shell` may be another, such as /bin/bash.
  @discardableResult
  static func shell(
    _ script: String, in directory: String, arguments: [String] = [], environment: [String: String] = [:],
    shell: String = "/bin/sh"
  ) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: shell)
    p.arguments = ["-c", script, (shell as NSString).lastPathComponent] + arguments
    p.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    p.environment = env
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "\(script)")
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// A fresh scratch directory.
  static func scratch() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rig-cli-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// Writes `files` (relative path -> text) under `directory`.
  static func write(_ files: [String: String], in directory: String) throws {
    for (relative, text) in files {
      let path = directory + "/" + relative
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
  }

  static func launch(_ arguments: [String], in directory: String, environment: [String: String] = [:])
    throws -> (Process, Pipe, Pipe)
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    env.removeValue(forKey: "RIG_PATH")
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let (out, err) = try start(process)
    return (process, out, err)
  }

  /// Starts `process` with its stdout and stderr on pipes (returned) and stdin empty.
  static func start(_ process: Process) throws -> (Pipe, Pipe) {
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return (out, err)
  }

  /// Runs `rig arguments...` in `directory` and collects its output.
  static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> Result {
    let (process, out, err) = try launch(arguments, in: directory, environment: environment)
    return collect(process, out, err)
  }

  static func collect(_ process: Process, _ out: Pipe, _ err: Pipe) -> Result {
    // Drain stderr on another thread so neither pipe can fill up and block the child.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
      errData = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus,
      stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }
}
