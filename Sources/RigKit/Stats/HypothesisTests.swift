#if canImport(Glibc)
  import Glibc
#endif

extension Stats {
  // MARK: - Mann–Whitney U

  public struct MannWhitney: Sendable, Equatable {
    /// U of the first sample: the number of pairs (a, b) with a > b, ties counting ½.
    public var u: Double
    /// Two-sided p-value.
    public var pValue: Double
    /// "exact" (no ties, both samples at most 50) or "asymptotic" (normal approximation with
    /// tie and continuity corrections).
    public var method: String
    /// The standardized statistic of the asymptotic method.
    public var z: Double?
    public var ties: Bool
  }

  /// Mann–Whitney U test, two-sided. The p-value is 2·P(U ≥ max(U₁, U₂)) capped at 1, as
  /// scipy.stats.mannwhitneyu computes it.
  public static func mannWhitney(_ a: Sample, _ b: Sample, exactLimit: Int = 50) -> MannWhitney {
    let n1 = a.count, n2 = b.count
    // Ranks of the pooled sample (average ranks for ties), from the two sorted samples.
    let x = a.sorted, y = b.sorted
    var i = 0, j = 0, rank = 1.0
    var rankSumA = 0.0
    var tieTerm = 0.0
    while i < n1 || j < n2 {
      let v = (j >= n2 || (i < n1 && x[i] <= y[j])) ? x[i] : y[j]
      var countA = 0, countB = 0
      while i < n1 && x[i] == v { countA += 1; i += 1 }
      while j < n2 && y[j] == v { countB += 1; j += 1 }
      let t = Double(countA + countB)
      let average = rank + (t - 1) / 2
      rankSumA += average * Double(countA)
      if t > 1 { tieTerm += t * t * t - t }
      rank += t
    }
    let u1 = rankSumA - Double(n1 * (n1 + 1)) / 2
    let u2 = Double(n1 * n2) - u1
    let u = Swift.max(u1, u2)
    let ties = tieTerm > 0
    if !ties && Swift.max(n1, n2) <= exactLimit {
      let p = Swift.min(1, 2 * exactUpperTail(Int(u.rounded()), n1, n2))
      return MannWhitney(u: u1, pValue: p, method: "exact", z: nil, ties: false)
    }
    let n = Double(n1 + n2)
    let mu = Double(n1 * n2) / 2
    let sigma = (Double(n1 * n2) / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
    let z = sigma > 0 ? (u - mu - 0.5) / sigma : 0
    let p = sigma > 0 ? Swift.min(1, 2 * Distributions.normalSF(z)) : 1
    return MannWhitney(u: u1, pValue: p, method: "asymptotic", z: z, ties: ties)
  }

  /// P(U ≥ k) under the null for sample sizes m and n, by the stable recurrence on
  /// probabilities p(u; m, n) = m/(m+n)·p(u − n; m − 1, n) + n/(m+n)·p(u; m, n − 1).
  static func exactUpperTail(_ k: Int, _ m: Int, _ n: Int) -> Double {
    if k <= 0 { return 1 }
    if k > m * n { return 0 }
    // rows[j] = distribution of U for sizes (i, j), i growing from 0 to m.
    var rows: [[Double]] = (0...n).map { _ in [1.0] }  // i = 0: U = 0 surely
    if m > 0 {
      for i in 1...m {
        var next: [[Double]] = [[1.0]]  // j = 0: U = 0 surely
        if n > 0 {
          for jj in 1...n {
            let size = i * jj + 1
            var dist = [Double](repeating: 0, count: size)
            let wa = Double(i) / Double(i + jj), wb = Double(jj) / Double(i + jj)
            let fromA = rows[jj]  // (i − 1, jj), shifted by jj
            for (u, p) in fromA.enumerated() where p != 0 { dist[u + jj] += wa * p }
            let fromB = next[jj - 1]  // (i, jj − 1)
            for (u, p) in fromB.enumerated() where p != 0 { dist[u] += wb * p }
            next.append(dist)
          }
        }
        rows = next
      }
    }
    let dist = rows[n]
    var tail = 0.0
    for u in Swift.max(0, k)..<dist.count { tail += dist[u] }
    return tail
  }

  /// The smallest two-sided p-value a Mann–Whitney test can give for these sizes (no ties):
  /// 2 / C(n1 + n2, n1).
  public static func minimumPValue(_ n1: Int, _ n2: Int) -> Double {
    Swift.min(1, 2 * exp(-Distributions.logChoose(n1 + n2, n1)))
  }

  /// The fewest values per side for which a Mann–Whitney test can reach `alpha`.
  public static func minimumSamplesPerSide(alpha: Double) -> Int {
    var k = 1
    while minimumPValue(k, k) > alpha && k < 1000 { k += 1 }
    return k
  }

  // MARK: - Welch's t-test

  public struct Welch: Sendable, Equatable {
    public var t: Double
    public var df: Double
    public var pValue: Double
  }

  /// Welch's unequal-variances t-test of mean(a) − mean(b), two-sided (scipy's
  /// ttest_ind(equal_var=False)). Nil when a side has one value.
  public static func welch(_ a: Sample, _ b: Sample) -> Welch? {
    let sa = summary(a), sb = summary(b)
    guard let va = sa.sampleVariance, let vb = sb.sampleVariance else { return nil }
    let ea = va / Double(sa.n), eb = vb / Double(sb.n)
    let se2 = ea + eb
    guard se2 > 0 else {
      let t: Double = sa.mean == sb.mean ? .nan : (sa.mean > sb.mean ? .infinity : -.infinity)
      return Welch(t: t, df: .nan, pValue: sa.mean == sb.mean ? .nan : 0)
    }
    let t = (sa.mean - sb.mean) / se2.squareRoot()
    let df = se2 * se2 / (ea * ea / Double(sa.n - 1) + eb * eb / Double(sb.n - 1))
    let p = Swift.min(1, 2 * Distributions.studentSF(abs(t), df: df))
    return Welch(t: t, df: df, pValue: p)
  }

  // MARK: - Effect sizes

  /// Hodges–Lehmann shift: the median of all differences bᵢ − aⱼ. Nil when there are more
  /// than `limit` pairs (it is computed exactly, in O(n·m·log(n·m))).
  public static func hodgesLehmann(_ a: Sample, _ b: Sample, limit: Int = 10_000_000) -> Double? {
    let n1 = a.count, n2 = b.count
    guard n1 * n2 <= limit else { return nil }
    var diffs = [Double]()
    diffs.reserveCapacity(n1 * n2)
    for y in b.values { for x in a.values { diffs.append(y - x) } }
    return percentile(sorted: Sorting.sorted(diffs), 50)
  }

  // MARK: - Multiple comparisons

  /// Holm–Bonferroni adjusted p-values (step-down; same order as given).
  public static func holm(_ p: [Double]) -> [Double] {
    let m = p.count
    let order = p.indices.sorted { p[$0] < p[$1] }
    var adjusted = [Double](repeating: 0, count: m)
    var running = 0.0
    for (rank, index) in order.enumerated() {
      running = Swift.max(running, Swift.min(1, Double(m - rank) * p[index]))
      adjusted[index] = running
    }
    return adjusted
  }

  /// Benjamini–Hochberg adjusted p-values (step-up; scipy's false_discovery_control "bh").
  public static func benjaminiHochberg(_ p: [Double]) -> [Double] {
    let m = p.count
    let order = p.indices.sorted { p[$0] < p[$1] }
    var adjusted = [Double](repeating: 0, count: m)
    var running = 1.0
    for rank in stride(from: m - 1, through: 0, by: -1) {
      let index = order[rank]
      running = Swift.min(running, p[index] * Double(m) / Double(rank + 1))
      adjusted[index] = Swift.min(1, running)
    }
    return adjusted
  }

  // MARK: - Outliers

  public struct Outliers: Sendable, Equatable {
    /// Modified Z-scores 0.6745·(xᵢ − median)/MAD (Iglewicz & Hoaglin), in input order.
    public var modifiedZ: [Double]
    /// 0-based indices with |z| above the threshold.
    public var modifiedZOutliers: [Int]
    public var threshold: Double
    /// Tukey fences at 1.5 and 3 IQR beyond the quartiles.
    public var fences: (mildLow: Double, mildHigh: Double, severeLow: Double, severeHigh: Double)
    /// Outside the 1.5-IQR fences but inside the 3-IQR ones; and outside the 3-IQR ones.
    public var mild: [Int]
    public var severe: [Int]

    public static func == (a: Outliers, b: Outliers) -> Bool {
      a.modifiedZ == b.modifiedZ && a.modifiedZOutliers == b.modifiedZOutliers && a.mild == b.mild
        && a.severe == b.severe && a.threshold == b.threshold
    }
  }

  /// Flags outliers two ways; nothing is dropped. The usual modified-Z threshold is 3.5;
  /// hyperfine's rule |x − median| / MAD > 14.826 is the threshold 10 on this scale.
  /// When the MAD is 0, any value off the median has an infinite score.
  public static func outliers(_ sample: Sample, threshold: Double = 3.5) -> Outliers {
    let s = summary(sample)
    let z = sample.values.map { x -> Double in
      let d = x - s.median
      if s.mad == 0 { return d == 0 ? 0 : (d > 0 ? .infinity : -.infinity) }
      return 0.6745 * d / s.mad
    }
    let fences = (
      mildLow: s.q1 - 1.5 * s.iqr, mildHigh: s.q3 + 1.5 * s.iqr,
      severeLow: s.q1 - 3 * s.iqr, severeHigh: s.q3 + 3 * s.iqr
    )
    var mild: [Int] = [], severe: [Int] = []
    for (i, x) in sample.values.enumerated() {
      if x < fences.severeLow || x > fences.severeHigh {
        severe.append(i)
      } else if x < fences.mildLow || x > fences.mildHigh {
        mild.append(i)
      }
    }
    return Outliers(
      modifiedZ: z, modifiedZOutliers: z.indices.filter { abs(z[$0]) > threshold }, threshold: threshold,
      fences: fences, mild: mild, severe: severe)
  }
}
