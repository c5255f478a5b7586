import Foundation
import RigLua

/// The repository's root, found from this file's path (tests read stdlib/ from disk, so Lua
/// edits need no rebuild).
let repositoryRoot: String = {
  var url = URL(fileURLWithPath: #filePath)
  for _ in 0..<3 { url.deleteLastPathComponent() }
  return url.path
}()

/// A fresh host per test, reading the stdlib from the working tree.
func makeHost(memoryLimitMB: Int = LuaHost.defaultMemoryLimitMB) throws -> LuaHost {
  try LuaHost(memoryLimitMB: memoryLimitMB, stdlibDirectory: repositoryRoot + "/stdlib")
}

/// Resident set size of this process in kB, from /proc/self/status.
func residentKB() -> Int {
  guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
  for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
    return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
  }
  return 0
}
