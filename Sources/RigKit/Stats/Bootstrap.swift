#if canImport(Glibc)
  import Glibc
#endif

/// xoshiro256** (Blackman & Vigna), seeded through splitmix64: fast, and the same seed gives
/// the same stream on every machine, so bootstrap results are reproducible.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var s: (UInt64, UInt64, UInt64, UInt64)

  public init(seed: UInt64) {
    var z = seed
    func splitmix() -> UInt64 {
      z &+= 0x9E37_79B9_7F4A_7C15
      var x = z
      x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
      x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
      return x ^ (x >> 31)
    }
    s = (splitmix(), splitmix(), splitmix(), splitmix())
  }

  @inline(__always)
  public mutating func next() -> UInt64 {
    let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
    let t = s.1 << 17
    s.2 ^= s.0
    s.3 ^= s.1
    s.1 ^= s.2
    s.0 ^= s.3
    s.2 ^= t
    s.3 = s.3 << 45 | s.3 >> 19
    return result
  }

  /// A uniform integer in 0..<n (Lemire's multiply-shift with rejection: unbiased).
  @inline(__always)
  public mutating func index(_ n: Int) -> Int {
    let bound = UInt64(n)
    var m = next().multipliedFullWidth(by: bound)
    if m.low < bound {
      let threshold = (0 &- bound) % bound
      while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
    }
    return Int(m.high)
  }
}

extension Stats {
  /// A statistic the bootstrap can resample quickly.
  public enum BootstrapStatistic: String, Sendable {
    case mean
    case median
  }

  public enum BootstrapMethod: String, Sendable {
    /// The percentiles of the bootstrap distribution.
    case percentile
    /// Bias-corrected and accelerated (Efron): percentiles shifted by the bias of the
    /// bootstrap distribution and a jackknife estimate of skewness.
    case bca
  }

  public struct BootstrapInterval: Sendable, Equatable {
    public var estimate: Double
    public var low: Double
    public var high: Double
    /// Standard deviation of the bootstrap distribution.
    public var standardError: Double
    public var method: BootstrapMethod
    public var resamples: Int
    public var confidence: Double
  }

  /// The bootstrap interval of a statistic of one sample.
  public static func bootstrap(
    _ sample: Sample, statistic: BootstrapStatistic, method: BootstrapMethod = .bca,
    resamples: Int = 10_000, confidence: Double = 0.95, seed: UInt64 = 1
  ) -> BootstrapInterval {
    var rng = SeededGenerator(seed: seed)
    let resampler = Resampler(sample)
    let estimate = resampler.statistic(statistic)
    var thetas = [Double](repeating: 0, count: resamples)
    for r in 0..<resamples { thetas[r] = resampler.resampled(statistic, &rng) }
    let jackknife = method == .bca ? [resampler.jackknife(statistic)] : []
    return interval(estimate: estimate, thetas: thetas, jackknife: jackknife, method: method, confidence: confidence)
  }

  /// The bootstrap interval of median(b) / median(a), each sample resampled on its own.
  public static func bootstrapRatioOfMedians(
    _ a: Sample, _ b: Sample, method: BootstrapMethod = .bca, resamples: Int = 10_000,
    confidence: Double = 0.95, seed: UInt64 = 1
  ) -> BootstrapInterval {
    var rng = SeededGenerator(seed: seed)
    let ra = Resampler(a), rb = Resampler(b)
    let ma = ra.statistic(.median), mb = rb.statistic(.median)
    var thetas = [Double](repeating: 0, count: resamples)
    for r in 0..<resamples {
      let x = ra.resampled(.median, &rng)
      let y = rb.resampled(.median, &rng)
      thetas[r] = y / x
    }
    var jackknife: [[Double]] = []
    if method == .bca {
      jackknife = [ra.jackknife(.median).map { mb / $0 }, rb.jackknife(.median).map { $0 / ma }]
    }
    return interval(estimate: mb / ma, thetas: thetas, jackknife: jackknife, method: method, confidence: confidence)
  }

  /// Turns bootstrap replicates into an interval; `jackknife` holds, per sample, the
  /// leave-one-out values of the statistic (BCa only), combined as scipy.stats.bootstrap does.
  static func interval(
    estimate: Double, thetas: [Double], jackknife: [[Double]], method: BootstrapMethod, confidence: Double
  ) -> BootstrapInterval {
    let sorted = Sorting.sorted(thetas)
    let b = Double(thetas.count)
    let mean = thetas.reduce(0, +) / b
    let se = (thetas.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (b - 1)).squareRoot()
    let alpha = (1 - confidence) / 2
    var lowP = alpha, highP = 1 - alpha
    if method == .bca {
      // Bias: where the estimate falls in the bootstrap distribution (ties counted half).
      var below = 0, atOrBelow = 0
      for t in thetas {
        if t < estimate { below += 1 }
        if t <= estimate { atOrBelow += 1 }
      }
      let z0 = Distributions.normalQuantile(Double(below + atOrBelow) / (2 * b))
      // Acceleration from the jackknife.
      var num = 0.0, den = 0.0
      for values in jackknife {
        let n = Double(values.count)
        let dot = values.reduce(0, +) / n
        var u3 = 0.0, u2 = 0.0
        for v in values {
          let u = (n - 1) * (dot - v)
          u2 += u * u
          u3 += u * u * u
        }
        num += u3 / (n * n * n)
        den += u2 / (n * n)
      }
      let a = den > 0 ? num / (6 * pow(den, 1.5)) : 0
      let zLow = Distributions.normalQuantile(alpha), zHigh = -zLow
      lowP = Distributions.normalCDF(z0 + (z0 + zLow) / (1 - a * (z0 + zLow)))
      highP = Distributions.normalCDF(z0 + (z0 + zHigh) / (1 - a * (z0 + zHigh)))
      if !lowP.isFinite || !highP.isFinite { (lowP, highP) = (alpha, 1 - alpha) }
    }
    return BootstrapInterval(
      estimate: estimate, low: percentile(sorted: sorted, lowP * 100), high: percentile(sorted: sorted, highP * 100),
      standardError: se, method: method, resamples: thetas.count, confidence: confidence)
  }
}

/// Resamples one sample fast: a resample is a histogram of draws over the sorted values, so
/// its median or mean needs no sort (O(n) per resample, no allocation).
final class Resampler {
  let sorted: [Double]
  let n: Int
  private let counts: UnsafeMutableBufferPointer<Int32>

  init(_ sample: Sample) {
    sorted = sample.sorted
    n = sorted.count
    counts = .allocate(capacity: n)
  }

  deinit {
    counts.deallocate()
  }

  func statistic(_ statistic: Stats.BootstrapStatistic) -> Double {
    switch statistic {
    case .mean: return sorted.reduce(0, +) / Double(n)
    case .median: return Stats.percentile(sorted: sorted, 50)
    }
  }

  func resampled(_ statistic: Stats.BootstrapStatistic, _ rng: inout SeededGenerator) -> Double {
    switch statistic {
    case .mean:
      var sum = 0.0
      sorted.withUnsafeBufferPointer { s in
        for _ in 0..<n { sum += s[rng.index(n)] }
      }
      return sum / Double(n)
    case .median:
      counts.initialize(repeating: 0)
      for _ in 0..<n { counts[rng.index(n)] += 1 }
      // Walk the cumulative counts to the middle order statistics (0-based (n−1)/2 and n/2).
      let k1 = (n - 1) / 2, k2 = n / 2
      var seen = 0, low = 0.0
      return sorted.withUnsafeBufferPointer { s -> Double in
        for i in 0..<n {
          let c = Int(counts[i])
          if c == 0 { continue }
          if seen <= k1 && k1 < seen + c { low = s[i] }
          if seen <= k2 && k2 < seen + c { return k1 == k2 ? low : (low + s[i]) / 2 }
          seen += c
        }
        return low
      }
    }
  }

  /// The statistic with each value left out in turn (in sorted order; order does not matter
  /// to the acceleration).
  func jackknife(_ statistic: Stats.BootstrapStatistic) -> [Double] {
    guard n > 1 else { return [sorted[0]] }
    switch statistic {
    case .mean:
      let total = sorted.reduce(0, +)
      return sorted.map { (total - $0) / Double(n - 1) }
    case .median:
      let m = n - 1, k1 = (m - 1) / 2, k2 = m / 2
      return (0..<n).map { i in
        let a = sorted[k1 < i ? k1 : k1 + 1], b = sorted[k2 < i ? k2 : k2 + 1]
        return k1 == k2 ? a : (a + b) / 2
      }
    }
  }
}
