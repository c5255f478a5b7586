// libFuzzer target for the profile scanner (Sources/RigKit/Artifacts/LineScanner.swift) and
// the JSON of each line it finds, as rig.profile reads Molt's `molt_profile_json` lines.
// The first byte of the input picks the prefix (Molt's, another, or empty) and whether
// leading blanks are stripped; the rest is the log. What must hold: every match is a real
// line of the log that starts with the prefix, in order, with the right line number, and its
// payload's JSON parses or fails cleanly (FuzzJSON.swift's checks).

let prefixes: [[UInt8]] = [Array("molt_profile_json ".utf8), Array("m".utf8), [], Array("{".utf8)]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProfile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let data, size > 0 else { return 0 }
  let prefix = prefixes[Int(data[0] & 3)]
  let strip = data[0] & 4 != 0
  let log = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
  let found = LineScanner.matches(in: log, prefix: prefix, strip: strip)
  // The lines, as a slow reference: split at "\n".
  var starts = [0]
  for i in 0..<log.count where log[i] == 0x0a { starts.append(i + 1) }
  var lastLine = 0
  for m in found {
    guard m.line > lastLine, m.line <= starts.count else { fatalError("line \(m.line) after \(lastLine)") }
    lastLine = m.line
    let lineStart = starts[m.line - 1]
    let lineEnd = m.line < starts.count ? starts[m.line] - 1 : log.count
    guard m.payload.lowerBound >= lineStart + prefix.count, m.payload.upperBound <= lineEnd,
      m.payload.lowerBound <= m.payload.upperBound
    else { fatalError("payload \(m.payload) outside line \(m.line) (\(lineStart)..<\(lineEnd))") }
    var s = lineStart
    if strip { while s < lineEnd && (log[s] == 0x20 || log[s] == 0x09) { s += 1 } }
    guard Array(log[s..<(s + prefix.count)]) == prefix, m.payload.lowerBound == s + prefix.count else {
      fatalError("line \(m.line) does not start with the prefix")
    }
    _ = parse(UnsafeRawBufferPointer(rebasing: log[m.payload]))
  }
  // And no line that starts with the prefix is missed (a final "\n" starts no line).
  var expected = 0
  for (i, start) in starts.enumerated() where start < log.count {
    let end = i + 1 < starts.count ? starts[i + 1] - 1 : log.count
    var s = start
    if strip { while s < end && (log[s] == 0x20 || log[s] == 0x09) { s += 1 } }
    if end - s >= prefix.count && Array(log[s..<(s + prefix.count)]) == prefix { expected += 1 }
  }
  guard expected == found.count else { fatalError("\(found.count) matches, \(expected) lines start with the prefix") }
  return 0
}
