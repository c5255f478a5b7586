import Foundation

/// Finds the lines of a large text that start with a prefix, without splitting the text:
/// memchr to each newline, memcmp at each line start. Profile logs are mostly noise.
public enum LineScanner {
  public struct Match: Sendable, Equatable {
    /// 1-based line number.
    public var line: Int
    /// Byte range of what follows the prefix, up to (not including) the line end ("\r\n" or "\n").
    public var payload: Range<Int>
  }

  /// Lines starting with `prefix`; with `strip`, leading white space before the prefix is
  /// allowed (bench_wasm.py strips; perf.py does not).
  public static func matches(in text: UnsafeRawBufferPointer, prefix: [UInt8], strip: Bool = false) -> [Match] {
    var out: [Match] = []
    guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return out }
    let n = text.count
    var start = 0
    var line = 1
    while start < n {
      let rest = n - start
      let newline = memchr(base + start, 0x0a, rest).map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base }
      let end = newline ?? n
      var s = start
      if strip {
        while s < end && (base[s] == 0x20 || base[s] == 0x09) { s += 1 }
      }
      if end - s >= prefix.count && prefix.withUnsafeBufferPointer({ memcmp(base + s, $0.baseAddress!, prefix.count) }) == 0 {
        var e = end
        if e > s && base[e - 1] == 0x0d { e -= 1 }
        if strip { while e > s + prefix.count && (base[e - 1] == 0x20 || base[e - 1] == 0x09) { e -= 1 } }
        out.append(Match(line: line, payload: (s + prefix.count)..<e))
      }
      start = end + 1
      line += 1
    }
    return out
  }
}
