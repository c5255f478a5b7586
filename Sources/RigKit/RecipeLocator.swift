import Foundation

/// Where a recipe came from and its text.
public struct RecipeSource: Sendable, Equatable {
  public enum Origin: String, Sendable {
    case path  // named by a path on the command line
    case project  // ./recipes
    case rigPath  // a directory of RIG_PATH
    case rock  // installed by LuaRocks (TREE/share/lua/5.4/rig_recipes)
    case builtIn  // shipped inside the rig binary
  }
  /// The name used with `rig run NAME` (the file name without `.lua`).
  public let name: String
  /// The chunk name's file part, shown in error messages and tracebacks.
  public let displayPath: String
  /// The directory added to `package.path` (nil for built-in recipes).
  public let directory: String?
  public let text: String
  public let origin: Origin
}

/// Errors finding or reading a recipe.
public struct RecipeLookupError: Error, CustomStringConvertible, Equatable {
  public let message: String
  public var description: String { message }
}

/// Finds recipes by path or by name in `./recipes`, the directories of `RIG_PATH`, and the
/// recipes built into Rig, in that order (the first match wins).
public struct RecipeLocator: Sendable {
  public let workingDirectory: String
  public let searchPath: [String]
  /// Built-in recipe texts keyed by name.
  public let builtIn: [String: String]

  /// Recipe folders of LuaRocks trees, searched after RIG_PATH.
  public let rockDirectories: [String]

  public init(workingDirectory: String, rigPath: String?, builtIn: [String: String], rockDirectories: [String] = []) {
    self.workingDirectory = workingDirectory
    self.searchPath = (rigPath ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
    self.builtIn = builtIn
    self.rockDirectories = rockDirectories
  }

  /// The directories searched for a recipe name, in order, with their origin.
  public var directories: [(String, RecipeSource.Origin)] {
    [(absolute("recipes"), .project)] + searchPath.map { (absolute($0), .rigPath) }
      + rockDirectories.map { ($0, .rock) }
  }

  /// Resolves `nameOrPath`: an existing file path, else a name in the search order.
  public func find(_ nameOrPath: String) throws -> RecipeSource {
    let looksLikePath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".lua")
    if looksLikePath {
      let path = absolute(nameOrPath)
      if isFile(path) {
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try read(path, name: stem, display: nameOrPath, origin: .path)
      }
      if nameOrPath.hasSuffix(".lua") {
        throw RecipeLookupError(message: "recipe file '\(nameOrPath)' not found")
      }
    }
    for (directory, origin) in directories {
      let path = directory + "/" + nameOrPath + ".lua"
      if isFile(path) { return try read(path, name: nameOrPath, display: display(path), origin: origin) }
    }
    if let text = builtIn[nameOrPath] {
      return RecipeSource(
        name: nameOrPath, displayPath: "recipes/\(nameOrPath).lua", directory: nil, text: text,
        origin: .builtIn)
    }
    let searched = directories.map(\.0).joined(separator: ", ")
    throw RecipeLookupError(
      message: "no recipe named '\(nameOrPath)' (searched \(searched) and the built-in recipes; `rig list` shows them)")
  }

  /// Every recipe visible by name, first match per name, plus the ones it shadows.
  public func all() -> [(RecipeSource, shadowed: [RecipeSource])] {
    var found: [String: [RecipeSource]] = [:]
    var order: [String] = []
    func add(_ source: RecipeSource) {
      if found[source.name] == nil { order.append(source.name) }
      found[source.name, default: []].append(source)
    }
    for (directory, origin) in directories {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
      for file in names.sorted() where file.hasSuffix(".lua") {
        let path = directory + "/" + file
        guard isFile(path), let source = try? read(path, name: String(file.dropLast(4)), display: display(path), origin: origin)
        else { continue }
        add(source)
      }
    }
    for (name, text) in builtIn.sorted(by: { $0.key < $1.key }) {
      add(RecipeSource(name: name, displayPath: "recipes/\(name).lua", directory: nil, text: text, origin: .builtIn))
    }
    return order.sorted().map { name in
      let sources = found[name]!
      return (sources[0], Array(sources.dropFirst()))
    }
  }

  private func read(_ path: String, name: String, display: String, origin: RecipeSource.Origin) throws
    -> RecipeSource
  {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw RecipeLookupError(message: "\(display): cannot read the recipe file")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw RecipeLookupError(message: "\(display): the recipe is not UTF-8 text")
    }
    let directory = ((path as NSString).deletingLastPathComponent as NSString).standardizingPath
    return RecipeSource(name: name, displayPath: display, directory: directory, text: text, origin: origin)
  }

  private func absolute(_ path: String) -> String {
    let joined = path.hasPrefix("/") ? path : workingDirectory + "/" + path
    return (joined as NSString).standardizingPath
  }

  /// Paths under the working directory are shown relative to it, as users typed them.
  private func display(_ path: String) -> String {
    let prefix = (workingDirectory as NSString).standardizingPath + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
  }

  private func isFile(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
  }
}
