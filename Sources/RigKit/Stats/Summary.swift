#if canImport(Glibc)
  import Glibc
#endif

/// Descriptive statistics of a sample. Variances and standard deviations come in both
/// flavours, named so nobody confuses them: `sample*` divide by n − 1 (Bessel), `population*`
/// by n. Percentiles interpolate linearly between order statistics, as numpy's default.
public struct Summary: Sendable, Equatable {
  public var n: Int
  public var mean: Double
  public var median: Double
  public var min: Double
  public var max: Double
  public var sum: Double
  /// Divides by n − 1; nil when n = 1.
  public var sampleVariance: Double?
  public var sampleStdDev: Double?
  /// Divides by n.
  public var populationVariance: Double
  public var populationStdDev: Double
  public var q1: Double
  public var q3: Double
  public var iqr: Double
  /// Median absolute deviation, unscaled: median |xᵢ − median|.
  public var mad: Double
  /// MAD × 1.4826…, a robust estimate of σ for normal data.
  public var madNormal: Double
  /// Coefficient of variation: sample standard deviation / mean (nil when n = 1 or mean = 0).
  public var cv: Double?
  /// exp(mean(log x)), when every value is positive.
  public var geometricMean: Double?
}

/// 1 / Φ⁻¹(3/4): scales the MAD to σ for normal data (scipy's scale="normal").
public let madNormalScale = 1.482602218505602

public enum Stats {
  /// The summary of `sample`.
  public static func summary(_ sample: Sample) -> Summary {
    let s = sample.sorted
    let n = s.count
    // Two passes for the variance (mean first): accurate for timings with a large offset.
    var sum = 0.0
    var allPositive = true
    for x in sample.values {
      sum += x
      if x <= 0 { allPositive = false }
    }
    let mean = sum / Double(n)
    var squares = 0.0, compensation = 0.0
    for x in sample.values {
      let d = x - mean
      squares += d * d
      compensation += d
    }
    // Corrected two-pass algorithm (Chan, Golub, LeVeque): removes the rounding error of the mean.
    let centered = squares - compensation * compensation / Double(n)
    let populationVariance = Swift.max(0, centered / Double(n))
    let sampleVariance = n > 1 ? Swift.max(0, centered / Double(n - 1)) : nil
    let median = percentile(sorted: s, 50)
    let mad = medianAbsoluteDeviation(sorted: s, center: median)
    let q1 = percentile(sorted: s, 25), q3 = percentile(sorted: s, 75)
    let geometric: Double? = allPositive ? exp(sumOfLogs(sample.values) / Double(n)) : nil
    let sampleStd = sampleVariance.map { $0.squareRoot() }
    return Summary(
      n: n, mean: mean, median: median, min: s[0], max: s[n - 1], sum: sum,
      sampleVariance: sampleVariance, sampleStdDev: sampleStd,
      populationVariance: populationVariance, populationStdDev: populationVariance.squareRoot(),
      q1: q1, q3: q3, iqr: q3 - q1, mad: mad, madNormal: mad * madNormalScale,
      cv: sampleStd.flatMap { mean != 0 ? $0 / mean : nil }, geometricMean: geometric)
  }

  /// Σ log xᵢ for positive finite x, with one log per 16 values instead of one per value: each
  /// x is split into its binary exponent (summed exactly as an integer) and a mantissa in
  /// [1, 2); sixteen mantissas multiply to less than 2¹⁶, so the product is exact to rounding
  /// and its log is taken once. Subnormal values take the plain path.
  static func sumOfLogs(_ values: [Double]) -> Double {
    var exponents = 0
    var total = 0.0
    var product = 1.0
    var k = 0
    for x in values {
      let bits = x.bitPattern
      let field = Int((bits >> 52) & 0x7ff)
      if field == 0 {  // subnormal
        total += log(x)
        continue
      }
      exponents += field - 1023
      product *= Double(bitPattern: (bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000)
      k += 1
      if k == 16 {
        total += log(product)
        product = 1
        k = 0
      }
    }
    return total + log(product) + Double(exponents) * M_LN2
  }

  /// The p-th percentile (0...100) of sorted values, numpy's default ("linear": h = (n−1)p/100,
  /// interpolate between the order statistics around h).
  public static func percentile(sorted s: [Double], _ p: Double) -> Double {
    let n = s.count
    if n == 1 { return s[0] }
    let h = Double(n - 1) * p / 100
    let lo = Int(h.rounded(.down))
    if lo >= n - 1 { return s[n - 1] }
    let frac = h - Double(lo)
    // numpy's _lerp: a + (b − a)·t, switched to b − (b − a)·(1 − t) for t ≥ 0.5.
    let a = s[lo], b = s[lo + 1], diff = b - a
    return frac >= 0.5 ? b - diff * (1 - frac) : a + diff * frac
  }

  /// Median of |xᵢ − center| for sorted x, in O(n) without sorting again: the deviations
  /// left and right of the center are each sorted already, so walk both like a merge.
  static func medianAbsoluteDeviation(sorted s: [Double], center: Double) -> Double {
    let n = s.count
    // First index with s[i] >= center.
    var split = 0, hi = n
    while split < hi {
      let mid = (split + hi) / 2
      if s[mid] < center { split = mid + 1 } else { hi = mid }
    }
    var left = split - 1, right = split
    func next() -> Double {
      if left >= 0 && (right >= n || center - s[left] <= s[right] - center) {
        defer { left -= 1 }
        return center - s[left]
      }
      defer { right += 1 }
      return s[right] - center
    }
    // The k-th smallest deviations, k = (n−1)/2 and n/2 (0-based), averaged as a median.
    var value = 0.0
    for _ in 0..<((n - 1) / 2) { _ = next() }
    value = next()
    if n % 2 == 0 { value = (value + next()) / 2 }
    return value
  }

  // MARK: - Confidence intervals

  /// A distribution-free interval for a quantile from order statistics (benchstat, asv): the
  /// number of values below the population quantile is Binomial(n, q). For n <= 30 the
  /// probabilities are summed exactly outward from the mode, taking the left side on ties;
  /// above, the normal approximation with continuity correction. The bounds are the order
  /// statistics X(lo) and X(hi) (1-based); -inf or +inf when the sample is too small for the
  /// confidence.
  public struct QuantileInterval: Sendable, Equatable {
    public var low: Double
    public var high: Double
    /// 1-based order statistics; 0 and n + 1 stand for -inf and +inf.
    public var lowOrder: Int
    public var highOrder: Int
    /// The coverage actually achieved (at least the requested confidence when finite).
    public var confidence: Double
  }

  public static func quantileInterval(_ sample: Sample, quantile q: Double = 0.5, confidence: Double = 0.95)
    -> QuantileInterval
  {
    let s = sample.sorted
    let n = s.count
    var l: Int, r: Int, achieved: Double
    if confidence >= 1 {
      (l, r, achieved) = (0, n + 1, 1)
    } else if n <= 30 {
      var x = Int((Double(n + 1) * q).rounded(.up)) - 1
      if q == 0 { x = 0 }
      var accum = Distributions.binomialPMF(x, n: n, p: q)
      l = x
      r = x + 1
      var lp = Distributions.binomialPMF(l - 1, n: n, p: q)
      var rp = Distributions.binomialPMF(r, n: n, p: q)
      while accum < confidence && (lp > 0 || rp > 0) {
        // Left-biased: equal probabilities (to rounding) go to the left.
        if lp >= rp || abs(lp - rp) <= 1e-12 * rp {
          accum += lp
          l -= 1
          lp = Distributions.binomialPMF(l - 1, n: n, p: q)
        } else {
          accum += rp
          r += 1
          rp = Distributions.binomialPMF(r, n: n, p: q)
        }
      }
      achieved = accum
    } else {
      let mu = Double(n) * q, sigma = (Double(n) * q * (1 - q)).squareRoot()
      let l1 = mu + sigma * Distributions.normalQuantile((1 - confidence) / 2)
      let r1 = 2 * mu - l1
      // Round out to the k ± 0.5 band edges of the discrete distribution.
      l = Int((l1 - 0.5).rounded(.down)) + 1
      r = Int((r1 - 0.5).rounded(.up)) + 1
      func coverage(_ l: Int, _ r: Int) -> Double {
        Distributions.normalCDF((Double(r) - 0.5 - mu) / sigma) - Distributions.normalCDF((Double(l) - 0.5 - mu) / sigma)
      }
      achieved = coverage(l, r)
      let biased = coverage(l, r - 1)
      if biased >= confidence && biased < achieved {
        achieved = biased
        r -= 1
      }
      if l <= 0 && r >= n + 1 { achieved = 1 }
    }
    l = Swift.max(l, 0)
    r = Swift.min(r, n + 1)
    return QuantileInterval(
      low: l < 1 ? -.infinity : s[l - 1], high: r - 1 >= n ? .infinity : s[r - 1],
      lowOrder: l, highOrder: r, confidence: achieved)
  }

  /// The t-interval of the mean: mean ± t(1 − α/2, n − 1)·s/√n. Nil when n < 2.
  public static func meanInterval(_ sample: Sample, confidence: Double = 0.95) -> (low: Double, high: Double)? {
    let summary = summary(sample)
    guard let sd = summary.sampleStdDev else { return nil }
    let t = Distributions.studentQuantile(1 - (1 - confidence) / 2, df: Double(summary.n - 1))
    let half = t * sd / Double(summary.n).squareRoot()
    return (summary.mean - half, summary.mean + half)
  }
}
