import Foundation

/// Receives the values a `JSONParser` reads, in document order. The Lua bridge builds Lua
/// tables with it directly; `JSONValue.parse` builds a Swift tree.
public protocol JSONBuilder {
  mutating func null() throws
  mutating func bool(_ value: Bool) throws
  mutating func integer(_ value: Int64) throws
  mutating func double(_ value: Double) throws
  /// A string's UTF-8 bytes (escapes already decoded; valid only during the call).
  mutating func string(_ bytes: UnsafeRawBufferPointer) throws
  mutating func beginArray() throws
  /// The element just built goes at 1-based position `index`.
  mutating func arrayElement(_ index: Int) throws
  mutating func endArray(count: Int) throws
  mutating func beginObject() throws
  /// The member's key; its value follows.
  mutating func key(_ bytes: UnsafeRawBufferPointer) throws
  mutating func objectMember() throws
  mutating func endObject(count: Int) throws
}

/// A JSON syntax error, with where it happened.
public struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
  public let message: String
  /// 0-based byte offset, and 1-based line and column (in bytes).
  public let offset: Int
  public let line: Int
  public let column: Int
  public var description: String { "line \(line), column \(column) (byte \(offset)): \(message)" }
}

/// Which parts of a document to build: a tree over object keys. A node names the keys it keeps
/// (each with the node for its value), may keep every other key (`wildcard`), and may drop
/// some by exact name or by suffix first; a node applies to an array's elements as it does to
/// the array. Values it leaves out are skipped: scanned for well-formed strings and balanced
/// brackets, never built, which is what makes reading a few fields of a large file cheap.
/// Built once before a parse and only read during it (hence @unchecked Sendable).
public final class JSONProjection: @unchecked Sendable {
  /// Keeps everything below (as no projection at all).
  public static let all = JSONProjection()
  // Keys by length (lookups are a length index and a memcmp or two, no hashing: this runs
  // for every key of a large file).
  var named: [[([UInt8], JSONProjection)]] = []
  var dropped: [[[UInt8]]] = []
  var droppedSuffixes: [[UInt8]] = []
  public var wildcard: JSONProjection?

  public init() {}

  public func keep(_ key: String, _ node: JSONProjection) {
    let bytes = Array(key.utf8)
    while named.count <= bytes.count { named.append([]) }
    named[bytes.count].append((bytes, node))
  }

  /// Drops `key`; a key starting with `*` drops every key ending with the rest.
  public func drop(_ key: String) {
    if key.hasPrefix("*") {
      droppedSuffixes.append(Array(key.utf8.dropFirst()))
    } else {
      let bytes = Array(key.utf8)
      while dropped.count <= bytes.count { dropped.append([]) }
      dropped[bytes.count].append(bytes)
    }
  }

  @inlinable static func same(_ a: [UInt8], _ key: UnsafeRawBufferPointer) -> Bool {
    a.withUnsafeBytes { memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }
  }

  /// The node for `key`'s value, or nil when the key is skipped.
  public func child(_ key: UnsafeRawBufferPointer) -> JSONProjection? {
    if self === Self.all { return self }
    let n = key.count
    guard n > 0 else { return wildcard }
    if n < dropped.count {
      for d in dropped[n] where Self.same(d, key) { return nil }
    }
    for suffix in droppedSuffixes where suffix.count <= n {
      let tail = UnsafeRawBufferPointer(rebasing: key[(n - suffix.count)...])
      if Self.same(suffix, tail) { return nil }
    }
    if n < named.count {
      for (k, node) in named[n] where Self.same(k, key) { return node }
    }
    return wildcard
  }
}

/// A strict RFC 8259 parser that also takes what Python's `json` writes and reads: `NaN`,
/// `Infinity` and `-Infinity`. Integers that fit 64 bits stay integers; other numbers are
/// doubles, correctly rounded (strtod). Strings must be UTF-8; `\u` escapes of lone
/// surrogates, which Python accepts, come out as WTF-8 so they survive a round trip.
/// Written by hand because no package on this machine parses into a caller's structure with
/// key order, exact integers, byte offsets in errors, and Python's extensions together.
public struct JSONParser<Builder: JSONBuilder> {
  @usableFromInline let base: UnsafePointer<UInt8>
  @usableFromInline let end: Int
  @usableFromInline var position = 0
  @usableFromInline var scratch: [UInt8] = []
  public var builder: Builder
  public var maxDepth = 2000
  /// What to build (nil: everything). See `JSONProjection`.
  public var projection: JSONProjection? {
    get { current }
    set { current = newValue === JSONProjection.all ? nil : newValue }
  }
  @usableFromInline var current: JSONProjection?

  public init(bytes: UnsafeRawBufferPointer, builder: Builder) {
    base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
    end = bytes.count
    self.builder = builder
  }

  /// Parses one JSON text (surrounding white space allowed).
  public mutating func parse() throws {
    skipSpace()
    try value(depth: 0)
    skipSpace()
    if position < end { throw fail("extra data after the JSON value") }
  }

  // MARK: - Errors

  @usableFromInline
  func fail(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
    let at = min(offset ?? position, end)
    var line = 1, lineStart = 0
    for i in 0..<at where base[i] == UInt8(ascii: "\n") {
      line += 1
      lineStart = i + 1
    }
    return JSONSyntaxError(message: message, offset: at, line: line, column: at - lineStart + 1)
  }

  @usableFromInline
  func describeHere() -> String {
    if position >= end { return "the end of the text" }
    let c = base[position]
    if c >= 0x20 && c < 0x7f { return "'\(Character(UnicodeScalar(c)))'" }
    return "byte 0x\(String(c, radix: 16))"
  }

  // MARK: - Grammar

  @inlinable @inline(__always)
  mutating func skipSpace() {
    while position < end {
      let c = base[position]
      if c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 { position += 1 } else { return }
    }
  }

  @inlinable
  mutating func value(depth: Int) throws {
    guard position < end else { throw fail("expected a value, found the end of the text") }
    switch base[position] {
    case UInt8(ascii: "{"): try object(depth: depth + 1)
    case UInt8(ascii: "["): try array(depth: depth + 1)
    case UInt8(ascii: "\""):
      try parseString()
      try emitString(isKey: false)
    case UInt8(ascii: "t"): try literal("true"); try builder.bool(true)
    case UInt8(ascii: "f"): try literal("false"); try builder.bool(false)
    case UInt8(ascii: "n"): try literal("null"); try builder.null()
    case UInt8(ascii: "N"): try literal("NaN"); try builder.double(.nan)
    case UInt8(ascii: "I"): try literal("Infinity"); try builder.double(.infinity)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
    default: throw fail("expected a value, found \(describeHere())")
    }
  }

  @usableFromInline
  mutating func literal(_ word: StaticString) throws {
    let n = word.utf8CodeUnitCount
    guard end - position >= n, memcmp(base + position, word.utf8Start, n) == 0 else {
      throw fail("expected a value, found \(describeHere())")
    }
    position += n
  }

  @inlinable
  mutating func array(depth: Int) throws {
    if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
    position += 1
    try builder.beginArray()
    skipSpace()
    var count = 0
    if position < end && base[position] == UInt8(ascii: "]") {
      position += 1
      try builder.endArray(count: 0)
      return
    }
    while true {
      try value(depth: depth)
      count += 1
      try builder.arrayElement(count)
      skipSpace()
      guard position < end else { throw fail("expected ',' or ']' in an array, found the end of the text") }
      let c = base[position]
      position += 1
      if c == UInt8(ascii: "]") { break }
      if c != UInt8(ascii: ",") {
        position -= 1
        throw fail("expected ',' or ']' in an array, found \(describeHere())")
      }
      skipSpace()
    }
    try builder.endArray(count: count)
  }

  @inlinable
  mutating func object(depth: Int) throws {
    if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
    position += 1
    try builder.beginObject()
    skipSpace()
    var count = 0
    if position < end && base[position] == UInt8(ascii: "}") {
      position += 1
      try builder.endObject(count: 0)
      return
    }
    let node = current
    while true {
      guard position < end, base[position] == UInt8(ascii: "\"") else {
        throw fail("expected a string key in an object, found \(describeHere())")
      }
      try parseString()
      var keep = true
      var child: JSONProjection? = nil
      if let node {
        if usedScratch {
          child = scratch.withUnsafeBytes { node.child($0) }
        } else {
          child = node.child(UnsafeRawBufferPointer(start: base + sliceStart, count: sliceLength))
        }
        keep = child != nil
        if child === JSONProjection.all { child = nil }
      }
      if keep { try emitString(isKey: true) }
      skipSpace()
      guard position < end, base[position] == UInt8(ascii: ":") else {
        throw fail("expected ':' after an object key, found \(describeHere())")
      }
      position += 1
      skipSpace()
      if keep {
        current = child
        try value(depth: depth)
        current = node
        try builder.objectMember()
        count += 1
      } else {
        try skipValue()
      }
      skipSpace()
      guard position < end else { throw fail("expected ',' or '}' in an object, found the end of the text") }
      let c = base[position]
      position += 1
      if c == UInt8(ascii: "}") { break }
      if c != UInt8(ascii: ",") {
        position -= 1
        throw fail("expected ',' or '}' in an object, found \(describeHere())")
      }
      skipSpace()
    }
    try builder.endObject(count: count)
  }

  /// Steps over one value without building it: strings must end, brackets must balance.
  @usableFromInline
  mutating func skipValue() throws {
    let start = position
    var nest = 0
    while true {
      guard position < end else { throw fail("expected a value, found the end of the text", at: start) }
      let c = base[position]
      switch c {
      case UInt8(ascii: "\""):
        // memchr to the next quote; it closes the string unless an odd run of backslashes
        // stands before it.
        let open = position
        position += 1
        while true {
          guard position < end, let q = memchr(base + position, 0x22, end - position) else {
            throw fail("unterminated string", at: open)
          }
          let at = UnsafePointer<UInt8>(q.assumingMemoryBound(to: UInt8.self)) - base
          var slashes = 0
          while at - slashes - 1 > open && base[at - slashes - 1] == UInt8(ascii: "\\") { slashes += 1 }
          position = at + 1
          if slashes % 2 == 0 { break }
        }
        if nest == 0 { return }
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        nest += 1
        position += 1
      case UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ","):
        if nest == 0 {
          if position == start { throw fail("expected a value, found \(describeHere())") }
          return  // the end of a number or literal
        }
        if c != UInt8(ascii: ",") { nest -= 1 }
        position += 1
        if nest == 0 { return }
      default:
        // White space, numbers, literals, ':': run to the next byte that matters.
        position += 1
        while position < end {
          let d = base[position]
          if d == 0x22 || d == 0x2c || d == 0x5b || d == 0x5d || d == 0x7b || d == 0x7d { break }
          position += 1
        }
      }
    }
  }

  // MARK: - Strings

  /// Where the last string's bytes are: a slice of the input when it had no escapes.
  @usableFromInline var sliceStart = 0
  @usableFromInline var sliceLength = 0
  @usableFromInline var usedScratch = false

  @inlinable
  mutating func emitString(isKey: Bool) throws {
    if usedScratch {
      let bytes = scratch  // a reference, not a copy: the builder may not touch `scratch`
      try bytes.withUnsafeBytes { isKey ? try builder.key($0) : try builder.string($0) }
    } else {
      let slice = UnsafeRawBufferPointer(start: base + sliceStart, count: sliceLength)
      if isKey { try builder.key(slice) } else { try builder.string(slice) }
    }
  }

  /// Reads the string at `position` (on its opening quote).
  @inlinable
  mutating func parseString() throws {
    let open = position
    position += 1
    let start = position
    // Fast path: no escapes, ASCII or valid UTF-8.
    while position < end {
      let c = base[position]
      if c == UInt8(ascii: "\"") {
        sliceStart = start
        sliceLength = position - start
        usedScratch = false
        position += 1
        return
      }
      if c == UInt8(ascii: "\\") { break }
      if c < 0x20 { throw fail("control character 0x\(String(c, radix: 16)) in a string (escape it)") }
      if c >= 0x80 { try skipUTF8() } else { position += 1 }
    }
    guard position < end else { throw fail("unterminated string", at: open) }
    // Slow path: copy what was read, then decode escapes.
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: position - start))
    while position < end {
      let c = base[position]
      if c == UInt8(ascii: "\"") {
        usedScratch = true
        position += 1
        return
      }
      if c < 0x20 { throw fail("control character 0x\(String(c, radix: 16)) in a string (escape it)") }
      if c >= 0x80 {
        let s = position
        try skipUTF8()
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + s, count: position - s))
        continue
      }
      if c != UInt8(ascii: "\\") {
        scratch.append(c)
        position += 1
        continue
      }
      guard position + 1 < end else { break }
      let e = base[position + 1]
      position += 2
      switch e {
      case UInt8(ascii: "\""): scratch.append(0x22)
      case UInt8(ascii: "\\"): scratch.append(0x5c)
      case UInt8(ascii: "/"): scratch.append(0x2f)
      case UInt8(ascii: "b"): scratch.append(0x08)
      case UInt8(ascii: "f"): scratch.append(0x0c)
      case UInt8(ascii: "n"): scratch.append(0x0a)
      case UInt8(ascii: "r"): scratch.append(0x0d)
      case UInt8(ascii: "t"): scratch.append(0x09)
      case UInt8(ascii: "u"):
        var code = try hex4()
        if code >= 0xD800 && code < 0xDC00, position + 6 <= end, base[position] == UInt8(ascii: "\\"),
          base[position + 1] == UInt8(ascii: "u")
        {
          let save = position
          position += 2
          let low = try hex4()
          if low >= 0xDC00 && low < 0xE000 {
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          } else {
            position = save  // not a pair: the high surrogate stands alone
          }
        }
        appendUTF8(code)
      default:
        position -= 1
        throw fail("invalid escape '\\\(Character(UnicodeScalar(e)))' in a string")
      }
    }
    throw fail("unterminated string", at: open)
  }

  @usableFromInline
  mutating func hex4() throws -> UInt32 {
    guard position + 4 <= end else { throw fail("incomplete \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let c = base[position]
      let d: UInt32
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
      default: throw fail("invalid hexadecimal digit in a \\u escape")
      }
      v = v << 4 | d
      position += 1
    }
    return v
  }

  /// UTF-8 (WTF-8 for lone surrogates) of a code point.
  @usableFromInline
  mutating func appendUTF8(_ c: UInt32) {
    switch c {
    case 0..<0x80: scratch.append(UInt8(c))
    case 0x80..<0x800:
      scratch.append(UInt8(0xC0 | (c >> 6)))
      scratch.append(UInt8(0x80 | (c & 0x3F)))
    case 0x800..<0x10000:
      scratch.append(UInt8(0xE0 | (c >> 12)))
      scratch.append(UInt8(0x80 | ((c >> 6) & 0x3F)))
      scratch.append(UInt8(0x80 | (c & 0x3F)))
    default:
      scratch.append(UInt8(0xF0 | (c >> 18)))
      scratch.append(UInt8(0x80 | ((c >> 12) & 0x3F)))
      scratch.append(UInt8(0x80 | ((c >> 6) & 0x3F)))
      scratch.append(UInt8(0x80 | (c & 0x3F)))
    }
  }

  /// Checks one UTF-8 sequence at `position` and steps over it.
  @usableFromInline
  mutating func skipUTF8() throws {
    let c = base[position]
    let length: Int, minimum: UInt32
    var code: UInt32
    switch c {
    case 0xC2...0xDF: (length, minimum, code) = (2, 0x80, UInt32(c & 0x1F))
    case 0xE0...0xEF: (length, minimum, code) = (3, 0x800, UInt32(c & 0x0F))
    case 0xF0...0xF4: (length, minimum, code) = (4, 0x10000, UInt32(c & 0x07))
    default: throw fail("invalid UTF-8 byte 0x\(String(c, radix: 16)) in a string")
    }
    guard position + length <= end else { throw fail("truncated UTF-8 sequence in a string") }
    for k in 1..<length {
      let b = base[position + k]
      guard b & 0xC0 == 0x80 else { throw fail("invalid UTF-8 sequence in a string") }
      code = code << 6 | UInt32(b & 0x3F)
    }
    // Overlong forms and code points past U+10FFFF are invalid; encoded surrogates are kept
    // (WTF-8), as this parser writes them for lone surrogate escapes.
    guard code >= minimum && code <= 0x10FFFF else { throw fail("invalid UTF-8 sequence in a string") }
    position += length
  }

  // MARK: - Numbers

  @inlinable
  mutating func number() throws {
    let start = position
    var negative = false
    if base[position] == UInt8(ascii: "-") {
      negative = true
      position += 1
      if position + 8 <= end && memcmp(base + position, "Infinity", 8) == 0 {
        position += 8
        try builder.double(-.infinity)
        return
      }
    }
    guard position < end, base[position] >= UInt8(ascii: "0") && base[position] <= UInt8(ascii: "9") else {
      throw fail("expected a digit in a number, found \(describeHere())")
    }
    var integer: UInt64 = 0
    var overflow = false
    if base[position] == UInt8(ascii: "0") {
      position += 1
    } else {
      while position < end, base[position] >= UInt8(ascii: "0") && base[position] <= UInt8(ascii: "9") {
        let d = UInt64(base[position] - UInt8(ascii: "0"))
        let (m, o1) = integer.multipliedReportingOverflow(by: 10)
        let (s, o2) = m.addingReportingOverflow(d)
        if o1 || o2 { overflow = true }
        integer = s
        position += 1
      }
    }
    var isFloat = false
    if position < end && base[position] == UInt8(ascii: ".") {
      isFloat = true
      position += 1
      let digits = position
      while position < end, base[position] >= UInt8(ascii: "0") && base[position] <= UInt8(ascii: "9") { position += 1 }
      if position == digits { throw fail("expected a digit after '.' in a number") }
    }
    if position < end && (base[position] == UInt8(ascii: "e") || base[position] == UInt8(ascii: "E")) {
      isFloat = true
      position += 1
      if position < end && (base[position] == UInt8(ascii: "+") || base[position] == UInt8(ascii: "-")) { position += 1 }
      let digits = position
      while position < end, base[position] >= UInt8(ascii: "0") && base[position] <= UInt8(ascii: "9") { position += 1 }
      if position == digits { throw fail("expected a digit in a number's exponent") }
    }
    if !isFloat && !overflow {
      if negative {
        if integer <= UInt64(Int64.max) + 1 {
          try builder.integer(integer == UInt64(Int64.max) + 1 ? Int64.min : -Int64(integer))
          return
        }
      } else if integer <= UInt64(Int64.max) {
        try builder.integer(Int64(integer))
        return
      }
    }
    // Correctly rounded conversion of the literal (NUL-terminated copy for strtod).
    let length = position - start
    let value: Double = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
      for i in 0..<length { buffer[i] = CChar(bitPattern: base[start + i]) }
      buffer[length] = 0
      return strtod(buffer.baseAddress!, nil)
    }
    try builder.double(value)
  }
}
