/// Writes JSON text the way Python's `json.dumps` does, byte for byte: its float repr, its
/// escapes (`ensure_ascii` on or off), its separators with and without `indent`.
public struct JSONWriter {
  public var bytes: [UInt8] = []
  /// Python's `indent`: nil for one line.
  public let indent: Int?
  /// Python's `ensure_ascii` (its default: true).
  public let ascii: Bool
  /// Python's `separators`: (", ", ": ") on one line, (",", ": ") with an indent.
  public let itemSeparator: [UInt8]
  public let keySeparator: [UInt8]
  /// Write NaN and ±Infinity as Python does, instead of refusing them.
  public let allowNaN: Bool

  /// - Parameter buffer: storage to reuse (its contents are discarded, its capacity kept).
  public init(
    indent: Int? = nil, ascii: Bool = true, separators: (String, String)? = nil, allowNaN: Bool = false,
    buffer: [UInt8] = []
  ) {
    bytes = buffer
    bytes.removeAll(keepingCapacity: true)
    self.indent = indent
    self.ascii = ascii
    self.allowNaN = allowNaN
    let (item, key) = separators ?? (indent == nil ? (", ", ": ") : (",", ": "))
    itemSeparator = Array(item.utf8)
    keySeparator = Array(key.utf8)
    if bytes.capacity < 4096 { bytes.reserveCapacity(4096) }
  }

  public enum Failure: Error, Equatable {
    case notANumber(Double)
    case invalidUTF8
  }

  // MARK: - Structure

  /// A newline and the indentation of `level` (nothing on one line).
  /// "\n" and spaces, sliced for each indentation.
  private var newlineAndSpaces: [UInt8] = [0x0a] + [UInt8](repeating: 0x20, count: 256)

  @inline(__always)
  public mutating func newline(level: Int) {
    guard let indent else { return }
    let n = indent * level
    if n <= 256 {
      newlineAndSpaces.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0...n])) }
    } else {
      bytes.append(0x0a)
      bytes.append(contentsOf: repeatElement(0x20, count: n))
    }
  }

  @inline(__always)
  public mutating func separator() { bytes.append(contentsOf: itemSeparator) }

  @inline(__always)
  public mutating func colon() { bytes.append(contentsOf: keySeparator) }

  @inline(__always)
  public mutating func raw(_ text: StaticString) {
    bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  // MARK: - Scalars

  public mutating func integer(_ value: Int64) {
    if value == 0 {
      bytes.append(0x30)
      return
    }
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
      (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var n = value.magnitude
    var count = 0
    withUnsafeMutableBytes(of: &digits) { d in
      while n > 0 {
        d[19 - count] = UInt8(truncatingIfNeeded: n % 10) + 0x30
        n /= 10
        count += 1
      }
      if value < 0 { bytes.append(0x2d) }
      bytes.append(contentsOf: d[(20 - count)...])
    }
  }

  /// Python's `float.__repr__`: the shortest digits that read back to the same double, in
  /// fixed notation for exponents from -4 to 15 and scientific ("1e+16", "1e-05") outside;
  /// Swift's `description` follows the same rules.
  public mutating func double(_ value: Double) throws(Failure) {
    if !value.isFinite {
      guard allowNaN else { throw .notANumber(value) }
      if value.isNaN { raw("NaN") } else if value > 0 { raw("Infinity") } else { raw("-Infinity") }
      return
    }
    var text = value.description
    text.withUTF8 { bytes.append(contentsOf: $0) }
  }

  /// A JSON string from UTF-8 bytes (WTF-8 surrogates, which the parser makes of lone
  /// surrogate escapes, are written back as \u escapes).
  public mutating func string(_ s: UnsafeRawBufferPointer) throws(Failure) {
    bytes.append(0x22)
    var i = 0
    let n = s.count
    var runStart = 0
    @inline(__always) func flush(_ upTo: Int) {
      if upTo > runStart { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: s[runStart..<upTo])) }
    }
    while i < n {
      let c = s[i]
      if c >= 0x20 && c != 0x22 && c != 0x5c && c < 0x7f {
        i += 1
        continue
      }
      if c == 0x7f && !ascii {  // DEL: escaped only under ensure_ascii, as Python does
        i += 1
        continue
      }
      flush(i)
      if c < 0x80 {
        switch c {
        case 0x22: raw("\\\"")
        case 0x5c: raw("\\\\")
        case 0x0a: raw("\\n")
        case 0x0d: raw("\\r")
        case 0x09: raw("\\t")
        case 0x08: raw("\\b")
        case 0x0c: raw("\\f")
        default: hexEscape(UInt32(c))
        }
        i += 1
      } else {
        // A UTF-8 (or WTF-8) sequence.
        let length: Int
        var code: UInt32
        switch c {
        case 0xC2...0xDF: (length, code) = (2, UInt32(c & 0x1F))
        case 0xE0...0xEF: (length, code) = (3, UInt32(c & 0x0F))
        case 0xF0...0xF4: (length, code) = (4, UInt32(c & 0x07))
        default: throw .invalidUTF8
        }
        guard i + length <= n else { throw .invalidUTF8 }
        for k in 1..<length {
          let b = s[i + k]
          guard b & 0xC0 == 0x80 else { throw .invalidUTF8 }
          code = code << 6 | UInt32(b & 0x3F)
        }
        let isSurrogate = code >= 0xD800 && code < 0xE000
        if ascii || isSurrogate {
          if code >= 0x10000 {
            let v = code - 0x10000
            hexEscape(0xD800 + (v >> 10))
            hexEscape(0xDC00 + (v & 0x3FF))
          } else {
            hexEscape(code)
          }
        } else {
          bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: s[i..<(i + length)]))
        }
        i += length
      }
      runStart = i
    }
    flush(n)
    bytes.append(0x22)
  }

  private mutating func hexEscape(_ code: UInt32) {
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    bytes.append(contentsOf: [0x5c, 0x75, hex[Int(code >> 12 & 0xF)], hex[Int(code >> 8 & 0xF)],
                              hex[Int(code >> 4 & 0xF)], hex[Int(code & 0xF)]])
  }
}
