// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
  name: "Rig",
  products: [
    .executable(name: "rig", targets: ["rig"]),
    .library(name: "RigLua", targets: ["RigLua"]),
    .library(name: "RigKit", targets: ["RigKit"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    // MARK: - Lua, and the only code that may raise Lua errors

    // Debian's liblua5.4-dev, found through pkg-config.
    .systemLibrary(
      name: "CLua",
      path: "Sources/CLua",
      pkgConfig: "lua5.4",
      providers: [.apt(["liblua5.4-dev"])]
    ),
    // C trampolines, protected calls, the allocator with a ceiling, signal handling.
    // Its public header forward-declares lua_State only: Swift never sees the raising Lua API.
    .target(name: "CRigLua", dependencies: ["CLua", "CRigSpawn"], path: "Sources/CRigLua"),

    // MARK: - Processes: the spawn protocol (C shims) and the tiny helper that forks children

    // helper/rig-spawn.c is not part of this library: SpawnHelperPlugin compiles it with the
    // system C compiler into a small static program that RigKit carries inside (see the plugin).
    .target(name: "CRigSpawn", path: "Sources/CRigSpawn", exclude: ["helper"]),
    .plugin(
      name: "SpawnHelperPlugin",
      capability: .buildTool(),
      dependencies: ["rig-embed"],
      path: "Sources/SpawnHelperPlugin"
    ),

    // MARK: - Swift core (no Lua in it)

    .target(
      name: "RigKit",
      dependencies: ["CRigSpawn"],
      path: "Sources/RigKit",
      swiftSettings: swiftSettings,
      plugins: ["SpawnHelperPlugin"]
    ),

    // MARK: - Bridge: the Lua state, value conversion, one binding file per Lua module

    .executableTarget(name: "rig-embed", path: "Sources/rig-embed", swiftSettings: swiftSettings),
    .plugin(
      name: "EmbedLuaPlugin",
      capability: .buildTool(),
      dependencies: ["rig-embed"],
      path: "Sources/EmbedLuaPlugin"
    ),
    .target(
      name: "RigLua",
      dependencies: ["CRigLua", "RigKit"],
      path: "Sources/RigLua",
      swiftSettings: swiftSettings,
      plugins: ["EmbedLuaPlugin"]
    ),

    // MARK: - The command

    .executableTarget(
      name: "rig",
      dependencies: [
        "RigLua", "RigKit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/rig",
      swiftSettings: swiftSettings
    ),

    // MARK: - Tests

    .testTarget(name: "RigKitTests", dependencies: ["RigKit"], path: "Tests/RigKitTests"),
    .testTarget(name: "RigLuaTests", dependencies: ["RigLua", "RigKit"], path: "Tests/RigLuaTests"),
    .testTarget(name: "RigCLITests", dependencies: ["RigKit"], path: "Tests/RigCLITests"),
  ]
)
