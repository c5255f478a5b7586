// libFuzzer target for RigKit's JSON parser (Sources/RigKit/Artifacts/JSONParser.swift), built
// by `make fuzz` with swiftc -sanitize=fuzzer,address from the parser's own sources.
// What must hold for any bytes: the parser returns or throws a JSONSyntaxError whose position
// is inside the input (never a trap, an overflow or a read past the end); the builder sees
// well-nested calls (each element numbered in order, each count right); and a document it
// accepts, written back by JSONWriter (ASCII and UTF-8, compact and indented), parses to the
// same tree. Any violation is a crash, which libFuzzer saves with its input.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  guard let tree = parse(bytes) else { return 0 }
  for (indent, ascii) in [(nil, true), (2, false)] as [(Int?, Bool)] {
    var w = JSONWriter(indent: indent, ascii: ascii, allowNaN: true)
    guard write(tree, into: &w) else { continue }
    let again = w.bytes.withUnsafeBytes { parse($0) }
    guard again == tree else {
      fatalError("round trip changed the document: \(String(decoding: w.bytes.prefix(200), as: UTF8.self))")
    }
  }
  return 0
}
