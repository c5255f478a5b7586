import Foundation

/// The LuaRocks trees Rig looks in, the same way `luarocks path --lua-version 5.4` does: the
/// user's `~/.luarocks`, each absolute folder of `RIG_LUAROCKS_TREES` (colon-separated), and
/// the system tree `/usr/local`. Lua modules come from `TREE/share/lua/5.4` and
/// `TREE/lib/lua/5.4` (stdlib/rig/_boot.lua adds them to package.path and package.cpath), and
/// recipes a rock installs as `rig_recipes.NAME` from `TREE/share/lua/5.4/rig_recipes`.
public enum LuaRocksTrees {
  public static func current(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
    var trees: [String] = []
    if let home = environment["HOME"], home.hasPrefix("/") { trees.append(home + "/.luarocks") }
    for tree in (environment["RIG_LUAROCKS_TREES"] ?? "").split(separator: ":") where tree.hasPrefix("/") {
      trees.append(String(tree))
    }
    trees.append("/usr/local")
    var seen = Set<String>()
    return trees.filter { seen.insert($0).inserted }
  }

  /// Where rocks put their recipes: `TREE/share/lua/5.4/rig_recipes`, for each tree.
  public static func recipeDirectories(_ trees: [String]) -> [String] {
    trees.map { $0 + "/share/lua/5.4/rig_recipes" }
  }
}
