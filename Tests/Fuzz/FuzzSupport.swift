// Shared by the libFuzzer targets (FuzzJSON.swift, FuzzProfile.swift): a JSON tree, a
// builder that checks the parser's calls, and a writer back to text.

/// A parsed document, kept exactly (doubles by their bits, objects as their member list).
indirect enum Tree: Equatable {
  case null, bool(Bool), integer(Int64), double(UInt64), string([UInt8])
  case array([Tree])
  case object(keys: [[UInt8]], values: [Tree])
}

/// Builds a Tree and checks the order of the parser's calls.
struct TreeBuilder: JSONBuilder {
  enum Open { case array([Tree]), object(keys: [[UInt8]], values: [Tree], pending: [UInt8]?) }
  var open: [Open] = []
  var done: [Tree] = []

  mutating func scalar(_ t: Tree) { done.append(t) }
  mutating func null() throws { scalar(.null) }
  mutating func bool(_ value: Bool) throws { scalar(.bool(value)) }
  mutating func integer(_ value: Int64) throws { scalar(.integer(value)) }
  mutating func double(_ value: Double) throws {
    // One NaN: the parser may make any NaN of "NaN"; the bits of others must survive.
    scalar(.double(value.isNaN ? Double.nan.bitPattern : value.bitPattern))
  }
  mutating func string(_ bytes: UnsafeRawBufferPointer) throws { scalar(.string(Array(bytes))) }
  mutating func beginArray() throws { open.append(.array([])) }
  mutating func arrayElement(_ index: Int) throws {
    guard case .array(var items)? = open.popLast(), let value = done.popLast() else {
      fatalError("arrayElement outside an array or without a value")
    }
    items.append(value)
    guard items.count == index else { fatalError("element \(index) arrived as item \(items.count)") }
    open.append(.array(items))
  }
  mutating func endArray(count: Int) throws {
    guard case .array(let items)? = open.popLast(), items.count == count else { fatalError("endArray(\(count))") }
    done.append(.array(items))
  }
  mutating func beginObject() throws { open.append(.object(keys: [], values: [], pending: nil)) }
  mutating func key(_ bytes: UnsafeRawBufferPointer) throws {
    guard case .object(let keys, let values, nil)? = open.popLast() else { fatalError("key outside an object") }
    open.append(.object(keys: keys, values: values, pending: Array(bytes)))
  }
  mutating func objectMember() throws {
    guard case .object(var keys, var values, let key?)? = open.popLast(), let value = done.popLast() else {
      fatalError("objectMember without a key and a value")
    }
    keys.append(key)
    values.append(value)
    open.append(.object(keys: keys, values: values, pending: nil))
  }
  mutating func endObject(count: Int) throws {
    guard case .object(let keys, let values, nil)? = open.popLast(), keys.count == count else {
      fatalError("endObject(\(count))")
    }
    done.append(.object(keys: keys, values: values))
  }
}

/// The tree of `bytes`, or nil for a syntax error (checked to point inside the input).
func parse(_ bytes: UnsafeRawBufferPointer, projection: JSONProjection? = nil) -> Tree? {
  var parser = JSONParser(bytes: bytes, builder: TreeBuilder())
  parser.projection = projection
  do {
    try parser.parse()
  } catch let error as JSONSyntaxError {
    guard error.offset >= 0, error.offset <= bytes.count, error.line >= 1, error.column >= 1 else {
      fatalError("syntax error outside the input: \(error)")
    }
    return nil
  } catch {
    fatalError("the parser threw \(error), not a JSONSyntaxError")
  }
  guard parser.builder.open.isEmpty, parser.builder.done.count == 1, let tree = parser.builder.done.first else {
    fatalError("a parse that succeeded left \(parser.builder.open.count) open, \(parser.builder.done.count) done")
  }
  return tree
}

/// Writes `tree` back; nil where the writer refuses it (bytes that are not UTF-8).
func write(_ tree: Tree, into w: inout JSONWriter, level: Int = 0) -> Bool {
  switch tree {
  case .null: w.raw("null")
  case .bool(let b): if b { w.raw("true") } else { w.raw("false") }
  case .integer(let i): w.integer(i)
  case .double(let bits): do { try w.double(Double(bitPattern: bits)) } catch { return false }
  case .string(let s): do { try s.withUnsafeBytes { try w.string($0) } } catch { return false }
  case .array(let items):
    w.raw("[")
    for (i, item) in items.enumerated() {
      if i > 0 { w.separator() }
      w.newline(level: level + 1)
      if !write(item, into: &w, level: level + 1) { return false }
    }
    if !items.isEmpty { w.newline(level: level) }
    w.raw("]")
  case .object(let keys, let values):
    w.raw("{")
    for i in keys.indices {
      if i > 0 { w.separator() }
      w.newline(level: level + 1)
      do { try keys[i].withUnsafeBytes { try w.string($0) } } catch { return false }
      w.colon()
      if !write(values[i], into: &w, level: level + 1) { return false }
    }
    if !keys.isEmpty { w.newline(level: level) }
    w.raw("}")
  }
  return true
}
