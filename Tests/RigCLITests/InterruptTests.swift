import Foundation
import Testing

@Suite("rig and its children on interruption")
struct InterruptTests {
  /// Starts `rig run child` with a recipe whose child starts a grandchild, and waits for it.
  func startChildRecipe() throws -> (String, Process, Pipe, Pipe) {
    let dir = try RigCommand.scratch()
    let recipe = [
      "return rig.recipe { run = function()",
      "  rig.proc.run { 'sh', '-c', 'trap \"\" TERM; sleep 60 & echo $! > gc.pid; echo $$ > child.pid; echo ready; wait', stdout = 'inherit' }",
      "  print('not reached')",
      "end }",
    ].joined(separator: "\n")
    try RigCommand.write(["recipes/child.lua": recipe], in: dir)
    let (process, out, err) = try RigCommand.launch(["run", "child"], in: dir)
    var seen = Data()
    while !String(decoding: seen, as: UTF8.self).contains("ready\n") {
      let chunk = out.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      seen.append(chunk)
    }
    return (dir, process, out, err)
  }

  func expectGone(_ dir: String) throws {
    for file in ["child.pid", "gc.pid"] {
      let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
      let pid = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
      #expect(kill(pid, 0) == -1, "\(file) \(pid) is still alive")
    }
  }

  @Test("SIGINT while a child runs stops the child and its grandchildren before rig exits 130")
  func sigintStopsChildren() throws {
    let (dir, process, out, err) = try startChildRecipe()
    kill(process.processIdentifier, SIGINT)
    let result = RigCommand.collect(process, out, err)
    #expect(result.status == 130)
    #expect(!result.stdout.contains("not reached"))
    #expect(result.stderr == "rig: interrupted by SIGINT\n")
    try expectGone(dir)
  }

  @Test("a second signal exits at once and still kills the children")
  func secondSignal() throws {
    let (dir, process, out, err) = try startChildRecipe()
    kill(process.processIdentifier, SIGTERM)
    usleep(50_000)
    kill(process.processIdentifier, SIGTERM)
    let result = RigCommand.collect(process, out, err)
    #expect(result.status == 143)
    usleep(100_000)
    try expectGone(dir)
  }

  @Test("SIGKILL of rig: the spawn helper kills the children")
  func sigkill() throws {
    let (dir, process, out, err) = try startChildRecipe()
    kill(process.processIdentifier, SIGKILL)
    _ = RigCommand.collect(process, out, err)
    usleep(300_000)
    try expectGone(dir)
  }
}
