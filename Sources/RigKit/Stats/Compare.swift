import Foundation

extension Stats {
  /// Which way is better for a metric.
  public enum Direction: String, Sendable {
    /// Times, sizes, counts: a smaller value is better (ratio < 1 is "faster").
    case lowerIsBetter = "lower"
    /// Throughputs: a larger value is better (ratio > 1 is "faster").
    case higherIsBetter = "higher"
  }

  public struct CompareOptions: Sendable {
    /// Significance level of the Mann–Whitney test.
    public var alpha = 0.05
    /// Half-width of the band around 1 within which a change does not matter (0.02 = ±2%).
    public var noise = 0.02
    /// Confidence of the ratio's interval.
    public var confidence = 0.95
    public var resamples = 10_000
    public var seed: UInt64 = 1
    public var method: BootstrapMethod = .bca
    public var direction: Direction = .lowerIsBetter
    public init() {}
  }

  public struct Comparison: Sendable {
    /// median(b) / median(a): the candidate against the baseline.
    public var ratio: Double
    public var ciLow: Double
    public var ciHigh: Double
    /// Two-sided Mann–Whitney p-value.
    public var pValue: Double
    /// "faster", "slower", "same" or "inconclusive".
    public var verdict: String
    /// Why, in a sentence.
    public var reason: String
    public var nA: Int
    public var nB: Int
    public var medianA: Double
    public var medianB: Double
    /// Median of the differences b − a (Hodges–Lehmann), when computed.
    public var shift: Double?
    public var test: String
    /// Problems with the data worth a look (too few samples, outliers).
    public var warnings: [String]
  }

  /// Compares a candidate `b` with a baseline `a`: the ratio of medians with a bootstrap
  /// interval, a Mann–Whitney p-value, and a verdict that needs both significance and an
  /// interval clear of the noise band:
  /// - `inconclusive` when the samples are too small for the test to reach alpha, a median is
  ///   0, or the interval straddles an edge of the noise band;
  /// - `same` when the interval lies inside the band (significant or not);
  /// - `faster`/`slower` when p <= alpha and the whole interval is beyond the band;
  /// - otherwise (p > alpha, interval not inside the band) `inconclusive`.
  public static func compare(_ a: Sample, _ b: Sample, options: CompareOptions = CompareOptions()) -> Comparison {
    let ma = percentile(sorted: a.sorted, 50), mb = percentile(sorted: b.sorted, 50)
    let test = mannWhitney(a, b)
    var warnings: [String] = []
    let needed = minimumSamplesPerSide(alpha: options.alpha)
    let alphaText = String(format: "%g", options.alpha)
    let reachable = minimumPValue(a.count, b.count) <= options.alpha
    if !reachable {
      warnings.append("need at least \(needed) samples per side at alpha \(alphaText)")
    }
    for (name, sample) in [("baseline", a), ("candidate", b)] where sample.count >= 4 {
      let o = outliers(sample)
      if !o.severe.isEmpty {
        warnings.append("\(name): \(o.severe.count) severe outlier\(o.severe.count == 1 ? "" : "s") (beyond 3 IQR)")
      }
    }
    var result = Comparison(
      ratio: ma != 0 ? mb / ma : .nan, ciLow: .nan, ciHigh: .nan, pValue: test.pValue, verdict: "inconclusive",
      reason: "", nA: a.count, nB: b.count, medianA: ma, medianB: mb,
      shift: hodgesLehmann(a, b, limit: 1_000_000), test: "mann-whitney " + test.method, warnings: warnings)
    guard ma != 0 else {
      result.reason = "the baseline median is 0, so no ratio"
      return result
    }
    let ci = bootstrapRatioOfMedians(
      a, b, method: options.method, resamples: options.resamples, confidence: options.confidence, seed: options.seed)
    result.ciLow = ci.low
    result.ciHigh = ci.high
    let lowBand = 1 - options.noise, highBand = 1 + options.noise
    let pct = { (x: Double) in String(format: "%.1f%%", (x - 1) * 100) }
    let band = "±\(String(format: "%g", options.noise * 100))%"
    if !reachable {
      result.reason = "too few samples: with \(a.count) and \(b.count) values no difference can reach p <= \(alphaText); need at least \(needed) per side"
      return result
    }
    if ci.low >= lowBand && ci.high <= highBand {
      result.verdict = "same"
      result.reason = "the ratio's \(String(format: "%.3g", options.confidence * 100))% interval [\(pct(ci.low)), \(pct(ci.high))] lies inside the noise band \(band)"
      return result
    }
    let beyondHigh = ci.low > highBand, beyondLow = ci.high < lowBand
    if test.pValue <= options.alpha && (beyondHigh || beyondLow) {
      let bigger = beyondHigh
      let better = options.direction == .lowerIsBetter ? !bigger : bigger
      result.verdict = better ? "faster" : "slower"
      result.reason = "p = \(String(format: "%.3g", test.pValue)) <= \(alphaText) and the interval [\(pct(ci.low)), \(pct(ci.high))] lies beyond the noise band \(band)"
      return result
    }
    if test.pValue > options.alpha {
      result.reason = "no significant difference (p = \(String(format: "%.3g", test.pValue)) > \(alphaText)), and the interval [\(pct(ci.low)), \(pct(ci.high))] is not inside the noise band \(band)"
    } else {
      result.reason = "significant (p = \(String(format: "%.3g", test.pValue))), but the interval [\(pct(ci.low)), \(pct(ci.high))] straddles the noise band \(band)"
    }
    return result
  }
}
