import Foundation
import PackagePlugin

/// Embeds the package's `stdlib/` and `recipes/` Lua files into the target that uses it, so a
/// freshly built `rig` works from any directory with no install step.
@main
struct EmbedLuaPlugin: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
    let root = context.package.directoryURL
    let folders = ["stdlib", "recipes"].map { root.appendingPathComponent($0) }
    var inputs: [URL] = []
    for folder in folders {
      guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
      else { continue }
      for case let url as URL in walker where url.pathExtension == "lua" {
        inputs.append(url)
      }
    }
    inputs.sort { $0.path < $1.path }
    let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedLua.swift")
    return [
      .buildCommand(
        displayName: "Embedding \(inputs.count) Lua files",
        executable: try context.tool(named: "embed-lua").url,
        arguments: [root.path, output.path] + inputs.map(\.path),
        inputFiles: inputs,
        outputFiles: [output]
      )
    ]
  }
}
