/// A sample of measurements, held natively so that a recipe with 100,000 timings does not pay
/// for table conversions on every statistic. Values are checked once (finite numbers only),
/// sorted once on first need, and shared.
public final class Sample: @unchecked Sendable {
  /// The values in the order they were given.
  public let values: [Double]
  private var sortedCache: [Double]?

  /// Why values cannot make a sample.
  public enum Problem: Error, Equatable {
    case empty
    /// A NaN or an infinity at this (0-based) index.
    case notFinite(index: Int)
  }

  public init(_ values: [Double]) throws(Problem) {
    guard !values.isEmpty else { throw .empty }
    if let bad = values.firstIndex(where: { !$0.isFinite }) { throw .notFinite(index: bad) }
    self.values = values
  }

  /// Already checked values (internal use: resamples, transformed copies).
  init(unchecked values: [Double]) {
    self.values = values
  }

  public var count: Int { values.count }

  /// The values in ascending order (computed once).
  public var sorted: [Double] {
    if let sortedCache { return sortedCache }
    let s = Sorting.sorted(values)
    sortedCache = s
    return s
  }
}

/// Sorting doubles: an LSD radix sort for large arrays (linear time, no comparisons), the
/// standard library's sort for small ones. Finite values only (NaN ordering is not defined).
enum Sorting {
  static func sorted(_ values: [Double]) -> [Double] {
    if values.count < 2048 { return values.sorted() }
    return radixSorted(values)
  }

  /// Order-preserving map from Double to UInt64: flip all bits of negatives, the sign bit of
  /// positives, so unsigned order equals numeric order (-0.0 sorts just before +0.0).
  @inline(__always)
  static func key(_ x: Double) -> UInt64 {
    let bits = x.bitPattern
    return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
  }

  @inline(__always)
  static func value(_ k: UInt64) -> Double {
    Double(bitPattern: k & (1 << 63) != 0 ? k & ~(1 << 63) : ~k)
  }

  /// 11-bit digits, 6 passes; passes where every key has the same digit are skipped (the high
  /// bits of timings usually agree).
  static func radixSorted(_ values: [Double]) -> [Double] {
    let n = values.count
    let bits = 11, radix = 1 << bits, mask = UInt64(radix - 1), passes = 6
    var a = [UInt64](repeating: 0, count: n)
    var b = [UInt64](repeating: 0, count: n)
    var counts = [Int](repeating: 0, count: radix * passes)
    a.withUnsafeMutableBufferPointer { ka in
      counts.withUnsafeMutableBufferPointer { c in
        values.withUnsafeBufferPointer { v in
          for i in 0..<n {
            let k = key(v[i])
            ka[i] = k
            var shifted = k
            for p in 0..<passes {
              c[p * radix + Int(shifted & mask)] += 1
              shifted >>= UInt64(bits)
            }
          }
        }
      }
    }
    var sourceIsA = true
    for p in 0..<passes {
      let base = p * radix
      // Skip a pass whose digit is the same for every key.
      var single = false
      for d in 0..<radix where counts[base + d] != 0 {
        single = counts[base + d] == n
        break
      }
      if single { continue }
      var offsets = [Int](repeating: 0, count: radix)
      var total = 0
      for d in 0..<radix {
        offsets[d] = total
        total += counts[base + d]
      }
      let shift = UInt64(p * bits)
      a.withUnsafeMutableBufferPointer { ka in
        b.withUnsafeMutableBufferPointer { kb in
          offsets.withUnsafeMutableBufferPointer { off in
            let (src, dst) = sourceIsA ? (ka, kb) : (kb, ka)
            for i in 0..<n {
              let k = src[i]
              let d = Int((k >> shift) & mask)
              dst[off[d]] = k
              off[d] += 1
            }
          }
        }
      }
      sourceIsA.toggle()
    }
    let keys = sourceIsA ? a : b
    return [Double](unsafeUninitializedCapacity: n) { out, count in
      keys.withUnsafeBufferPointer { k in
        for i in 0..<n { out[i] = value(k[i]) }
      }
      count = n
    }
  }
}
