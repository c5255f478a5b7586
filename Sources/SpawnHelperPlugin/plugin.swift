import Foundation
import PackagePlugin

/// Builds `rig-spawn`, the helper that forks Rig's children, with the system C compiler, and
/// embeds the program in RigKit (RigKit starts it from memory, so `rig` needs no install step).
///
/// Why not a SwiftPM executable target: SwiftPM links executables with the Swift runtime, which
/// puts the helper at about 5 MB of RSS; on Linux every child's ru_maxrss starts at the RSS of
/// the process that forked it, so the helper must be tiny. Statically linked against musl
/// (Debian's musl-tools) it is a 40 kB file; against glibc, the fallback, 0.7 MB, which also
/// costs Rig's first spawn about a millisecond to unpack; dynamically linked, the last resort
/// when libc.a is missing, about 1.2 MB resident.
@main
struct SpawnHelperPlugin: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
    let sources = context.package.directoryURL.appendingPathComponent("Sources/CRigSpawn")
    let helperSource = sources.appendingPathComponent("helper/rig-spawn.c")
    let protocolSource = sources.appendingPathComponent("spawn.c")
    let header = sources.appendingPathComponent("include/CRigSpawn.h")
    let work = context.pluginWorkDirectoryURL
    let binary = work.appendingPathComponent("rig-spawn")
    let swift = work.appendingPathComponent("SpawnHelperBinary.swift")
    let compile =
      "cc=$(command -v cc || command -v clang || command -v gcc); "
      + "flags='-Os -s -Wall -I \(sources.path)/include'; "
      + "{ command -v musl-gcc >/dev/null && musl-gcc -static $flags -o '\(binary.path)' "
      + "'\(helperSource.path)' '\(protocolSource.path)' 2>/dev/null; } "
      + "|| $cc -static $flags -o '\(binary.path)' '\(helperSource.path)' '\(protocolSource.path)' 2>/dev/null "
      + "|| $cc $flags -o '\(binary.path)' '\(helperSource.path)' '\(protocolSource.path)'"
    return [
      .buildCommand(
        displayName: "Compiling the rig-spawn helper",
        executable: URL(fileURLWithPath: "/bin/sh"),
        arguments: ["-c", compile],
        inputFiles: [helperSource, protocolSource, header],
        outputFiles: [binary]
      ),
      .buildCommand(
        displayName: "Embedding the rig-spawn helper",
        executable: try context.tool(named: "rig-embed").url,
        arguments: ["binary", "spawnHelperBase64", binary.path, swift.path],
        inputFiles: [binary],
        outputFiles: [swift]
      ),
    ]
  }
}
