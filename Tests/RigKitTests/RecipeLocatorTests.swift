import Foundation
import RigKit
import Testing

@Suite("RecipeLocator")
struct RecipeLocatorTests {
  /// A scratch tree: project/recipes/{a,b}.lua, shared/{b,c}.lua.
  func scratch() throws -> (project: String, shared: String) {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("rig-locator-\(UUID().uuidString)").path
    let project = root + "/project", shared = root + "/shared"
    try FileManager.default.createDirectory(atPath: project + "/recipes", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
    try "-- a (project)".write(toFile: project + "/recipes/a.lua", atomically: true, encoding: .utf8)
    try "-- b (project)".write(toFile: project + "/recipes/b.lua", atomically: true, encoding: .utf8)
    try "-- b (shared)".write(toFile: shared + "/b.lua", atomically: true, encoding: .utf8)
    try "-- c (shared)".write(toFile: shared + "/c.lua", atomically: true, encoding: .utf8)
    return (project, shared)
  }

  @Test("names resolve in ./recipes, then RIG_PATH, then built-in")
  func searchOrder() throws {
    let (project, shared) = try scratch()
    let locator = RecipeLocator(
      workingDirectory: project, rigPath: shared, builtIn: ["c": "-- c (built in)", "d": "-- d (built in)"])
    #expect(try locator.find("a").text == "-- a (project)")
    #expect(try locator.find("b").text == "-- b (project)")
    #expect(try locator.find("b").displayPath == "recipes/b.lua")
    #expect(try locator.find("c").text == "-- c (shared)")
    #expect(try locator.find("c").origin == .rigPath)
    let d = try locator.find("d")
    #expect(d.origin == .builtIn && d.directory == nil && d.displayPath == "recipes/d.lua")
  }

  @Test("paths are used as given")
  func paths() throws {
    let (project, shared) = try scratch()
    let locator = RecipeLocator(workingDirectory: project, rigPath: nil, builtIn: [:])
    let byPath = try locator.find(shared + "/c.lua")
    #expect(byPath.name == "c" && byPath.origin == .path && byPath.directory == shared)
    #expect(try locator.find("recipes/a.lua").displayPath == "recipes/a.lua")
    #expect(throws: RecipeLookupError.self) { try locator.find("missing.lua") }
  }

  @Test("an unknown name says where it looked")
  func unknown() throws {
    let (project, _) = try scratch()
    let locator = RecipeLocator(workingDirectory: project, rigPath: nil, builtIn: [:])
    let error = #expect(throws: RecipeLookupError.self) { try locator.find("nope") }
    #expect(error?.message.contains("no recipe named 'nope'") == true)
    #expect(error?.message.contains(project + "/recipes") == true)
  }

  @Test("all() lists each name once with what it shadows")
  func listing() throws {
    let (project, shared) = try scratch()
    let locator = RecipeLocator(workingDirectory: project, rigPath: shared, builtIn: ["a": "-- a (built in)"])
    let all = locator.all()
    #expect(all.map(\.0.name) == ["a", "b", "c"])
    #expect(all[0].shadowed.map(\.origin) == [.builtIn])
    #expect(all[1].shadowed.map(\.origin) == [.rigPath])
    #expect(all[2].shadowed.isEmpty)
  }
}
