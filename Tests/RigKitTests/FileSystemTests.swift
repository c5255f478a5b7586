import Foundation
import RigKit
import Testing

@Suite("FileSystem")
struct FileSystemTests {
  @Test("an atomic write of many parts is their concatenation, past one writev's 1024 parts")
  func writeParts() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rig-fs-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/parts.txt"
    let pieces = (0..<2500).map { $0 % 9 == 0 ? [UInt8]() : Array("piece \($0)\n".utf8) } + [[UInt8](repeating: 120, count: 300_000)]
    let expected = pieces.flatMap { $0 }
    // Buffers into the arrays, valid for the call: the closure nesting keeps every one alive.
    func withBuffers<R>(_ i: Int, _ acc: [UnsafeRawBufferPointer], _ body: ([UnsafeRawBufferPointer]) throws -> R) rethrows -> R {
      if i == pieces.count { return try body(acc) }
      return try pieces[i].withUnsafeBytes { try withBuffers(i + 1, acc + [$0], body) }
    }
    try withBuffers(0, []) { try FileSystem.writeAtomic(path, parts: $0) }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["parts.txt"])
  }
}
