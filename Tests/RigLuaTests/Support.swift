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

