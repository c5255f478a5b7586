import Foundation
import PackagePlugin

/// Embeds the package's `stdlib/rig/**.lua` and `recipes/*.lua` into the target that uses it,
/// so a freshly built `rig` works from any directory with no install step.
///
/// SwiftPM plans build commands (and so runs this plugin) only when the package structure
/// changes, not when a Lua file is added or removed; `make build` touches Package.swift when
/// the set of Lua files changed, which makes SwiftPM plan again (see docs/contributing.md).
/// `rig-embed` alone decides which files are embedded (`luaFiles()` in Sources/rig-embed); the
/// plugin and the Makefile only watch every file under stdlib/rig and recipes, a superset, so
/// the selection is written once and a change to any embedded file re-runs the embedding.
@main
struct EmbedLuaPlugin: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
    let root = context.package.directoryURL
    var inputs: [URL] = []
    for folder in ["stdlib/rig", "recipes"].map({ root.appendingPathComponent($0) }) {
      guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
      else { continue }
      for case let url as URL in walker
      where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
        inputs.append(url)
      }
    }
    let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedLua.swift")
    return [
      .buildCommand(
        displayName: "Embedding Rig's Lua files",
        executable: try context.tool(named: "rig-embed").url,
        arguments: ["lua", root.path, output.path],
        inputFiles: inputs.sorted { $0.path < $1.path },
        outputFiles: [output]
      )
    ]
  }
}
