import Foundation
import Testing

@Suite("atomic writes")
struct AtomicWriteTests {
  @Test("a writer killed mid-write leaves the old file or the new one, never a mix")
  func killedWriter() throws {
    let dir = try RigCommand.scratch()
    let target = dir + "/results.json"
    let size = 8 << 20
    try String(repeating: "a", count: size).write(toFile: target, atomically: false, encoding: .utf8)
    // Alternates two 8 MB contents as fast as it can; says "ready" after the first write.
    let code = """
      local path, size = ...
      local a, b = ("a"):rep(size), ("b"):rep(size)
      local n = 0
      while true do
        assert(rig.fs.write(path, n % 2 == 0 and b or a))
        if n == 0 then io.stdout:write("ready\\n") io.stdout:flush() end
        n = n + 1
      end
      """
    for trial in 0..<6 {
      let (process, out, err) = try RigCommand.launch(["eval", code, target, String(size)], in: dir)
      var seen = Data()
      while !String(decoding: seen, as: UTF8.self).contains("ready\n") {
        let chunk = out.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        seen.append(chunk)
      }
      usleep(UInt32(5_000 + trial * 7_000))  // somewhere inside a later write
      kill(process.processIdentifier, SIGKILL)
      _ = RigCommand.collect(process, out, err)
      let data = try #require(FileManager.default.contents(atPath: target))
      #expect(data.count == size, "trial \(trial): \(data.count) bytes")
      let first = data.first
      #expect(first == UInt8(ascii: "a") || first == UInt8(ascii: "b"))
      #expect(data.allSatisfy { $0 == first }, "trial \(trial): the file mixes two versions")
    }
  }
}
