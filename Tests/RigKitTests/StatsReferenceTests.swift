import Foundation
import RigKit
import Testing

/// Rig's statistics against numpy/scipy values in Tests/Fixtures/stats/reference.json.
@Suite("Statistics against numpy and scipy")
struct StatsReferenceTests {
  nonisolated(unsafe) static let reference: [String: Any] = {
    var url = URL(fileURLWithPath: #filePath)
    url.deleteLastPathComponent()
    url.deleteLastPathComponent()
    let path = url.appendingPathComponent("Fixtures/stats/reference.json").path
    let data = FileManager.default.contents(atPath: path)!
    return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
  }()

  static let datasets = reference["datasets"] as! [String: [Double]]
  nonisolated(unsafe) static let summaries = reference["summaries"] as! [String: [String: Any]]

  static func values(_ name: String) -> [Double] {
    if name == "big" {
      return (0..<100_000).map { i in 50.0 + 100.0 * Double((UInt64(i) * 2_654_435_761) % 4_294_967_296) / 4_294_967_296.0 }
    }
    return datasets[name]!
  }

  static func sample(_ name: String) -> Sample { try! Sample(values(name)) }

  /// Within 1e-9 relative (1e-12 absolute near zero).
  func close(_ a: Double, _ b: Double, _ what: String, relative: Double = 1e-9) {
    let ok = a == b || abs(a - b) <= relative * max(abs(a), abs(b)) || abs(a - b) <= 1e-12
    #expect(ok, "\(what): rig \(a), reference \(b)")
  }

  func number(_ any: Any?) -> Double? { (any as? NSNumber)?.doubleValue }

  @Test("summary statistics and percentiles", arguments: summaries.keys.sorted())
  func summary(name: String) {
    let ref = Self.summaries[name]!
    let s = Stats.summary(Self.sample(name))
    #expect(s.n == ref["n"] as! Int)
    close(s.mean, number(ref["mean"])!, "\(name) mean")
    close(s.median, number(ref["median"])!, "\(name) median")
    close(s.min, number(ref["min"])!, "\(name) min")
    close(s.max, number(ref["max"])!, "\(name) max")
    close(s.sum, number(ref["sum"])!, "\(name) sum")
    close(s.populationVariance, number(ref["var_population"])!, "\(name) var_population")
    close(s.populationStdDev, number(ref["std_population"])!, "\(name) std_population")
    #expect((s.sampleVariance == nil) == (ref["var_sample"] is NSNull))
    if let v = s.sampleVariance { close(v, number(ref["var_sample"])!, "\(name) var_sample") }
    if let v = s.sampleStdDev { close(v, number(ref["std_sample"])!, "\(name) std_sample") }
    close(s.q1, number(ref["q1"])!, "\(name) q1")
    close(s.q3, number(ref["q3"])!, "\(name) q3")
    close(s.iqr, number(ref["iqr"])!, "\(name) iqr")
    close(s.mad, number(ref["mad"])!, "\(name) mad")
    close(s.madNormal, number(ref["mad_normal"])!, "\(name) mad_normal")
    #expect((s.geometricMean == nil) == (ref["gmean"] is NSNull))
    if let g = s.geometricMean { close(g, number(ref["gmean"])!, "\(name) gmean") }
    #expect((s.cv == nil) == (ref["cv"] is NSNull))
    if let cv = s.cv { close(cv, number(ref["cv"])!, "\(name) cv") }
    let sorted = Self.sample(name).sorted
    for (p, v) in ref["percentiles"] as! [String: Any] {
      close(Stats.percentile(sorted: sorted, Double(p)!), number(v)!, "\(name) p\(p)")
    }
  }

  @Test("confidence intervals: t-interval of the mean, order-statistic interval of the median",
    arguments: summaries.keys.sorted())
  func intervals(name: String) {
    let ref = Self.summaries[name]!
    let sample = Self.sample(name)
    if let ci = ref["mean_ci95"] as? [Double] {
      let rig = Stats.meanInterval(sample)!
      close(rig.low, ci[0], "\(name) mean CI low")
      close(rig.high, ci[1], "\(name) mean CI high")
    }
    let m = ref["median_ci95"] as! [String: Any]
    let rig = Stats.quantileInterval(sample)
    #expect(rig.lowOrder == m["low_order"] as! Int, "\(name) low order")
    #expect(rig.highOrder == m["high_order"] as! Int, "\(name) high order")
    close(rig.confidence, number(m["confidence"])!, "\(name) coverage")
  }

  @Test("benchstat's worked examples of the median interval")
  func workedExamples() throws {
    for (n, lo, hi) in [(6, 1, 6), (10, 2, 9), (20, 6, 15), (30, 10, 21)] {
      let ci = Stats.quantileInterval(try Sample((1...n).map(Double.init)))
      #expect(ci.lowOrder == lo && ci.highOrder == hi, "n=\(n): got [\(ci.lowOrder), \(ci.highOrder)]")
      #expect(ci.low == Double(lo) && ci.high == Double(hi))
    }
    let five = Stats.quantileInterval(try Sample([1, 2, 3, 4, 5]))
    #expect(five.low == -.infinity && five.high == 5, "n = 5 cannot reach 95% with finite bounds")
  }

  @Test("outliers: modified Z-scores and Tukey fences", arguments: summaries.keys.sorted())
  func outliers(name: String) {
    let ref = Self.summaries[name]!
    guard let z = ref["modified_z"] as? [Any] else { return }
    let rig = Stats.outliers(Self.sample(name))
    let infinite = Set(ref["modified_z_infinite"] as! [Int])
    for (i, expected) in z.enumerated() {
      if infinite.contains(i) {
        #expect(rig.modifiedZ[i].isInfinite, "\(name) z[\(i)]")
      } else {
        close(rig.modifiedZ[i], number(expected)!, "\(name) z[\(i)]")
      }
    }
    #expect(rig.mild == ref["tukey_mild"] as! [Int], "\(name) mild")
    #expect(rig.severe == ref["tukey_severe"] as! [Int], "\(name) severe")
  }

  @Test("bootstrap intervals within 0.25 standard errors of scipy's", arguments: summaries.keys.sorted())
  func bootstrap(name: String) {
    guard let boot = Self.summaries[name]!["bootstrap"] as? [String: [String: Double]] else { return }
    let sample = Self.sample(name)
    for (key, ref) in boot {
      let parts = key.split(separator: "_")
      let statistic = Stats.BootstrapStatistic(rawValue: String(parts[0]))!
      let method = Stats.BootstrapMethod(rawValue: String(parts[1]))!
      let rig = Stats.bootstrap(sample, statistic: statistic, method: method, resamples: 10_000, seed: 3)
      let tolerance = 0.25 * ref["standard_error"]!
      #expect(abs(rig.low - ref["low"]!) <= tolerance, "\(name) \(key) low: rig \(rig.low), scipy \(ref["low"]!)")
      #expect(abs(rig.high - ref["high"]!) <= tolerance, "\(name) \(key) high: rig \(rig.high), scipy \(ref["high"]!)")
      #expect(abs(rig.standardError - ref["standard_error"]!) <= 0.1 * ref["standard_error"]!)
    }
  }

  @Test("two-sample tests: Mann-Whitney, Welch, Hodges-Lehmann, ratio of medians")
  func pairs() {
    for pair in Self.reference["pairs"] as! [[String: Any]] {
      let an = pair["a"] as! String, bn = pair["b"] as! String
      let a = Self.sample(an), b = Self.sample(bn)
      let label = "\(an) vs \(bn)"
      let mw = pair["mann_whitney"] as! [String: Any]
      let rig = Stats.mannWhitney(a, b)
      #expect(rig.method == mw["method"] as! String, "\(label) method")
      close(rig.u, number(mw["u"])!, "\(label) U")
      close(rig.pValue, number(mw["p"])!, "\(label) p")
      if let w = pair["welch"] as? [String: Double] {
        let rw = Stats.welch(a, b)!
        close(rw.t, w["t"]!, "\(label) t")
        close(rw.df, w["df"]!, "\(label) df")
        close(rw.pValue, w["p"]!, "\(label) Welch p")
      }
      close(Stats.hodgesLehmann(a, b)!, number(pair["hodges_lehmann"])!, "\(label) HL")
      if let ratio = pair["ratio_of_medians"] as? [String: [String: Double]] {
        for (method, ref) in ratio {
          let rig = Stats.bootstrapRatioOfMedians(a, b, method: Stats.BootstrapMethod(rawValue: method)!, seed: 5)
          let tolerance = 0.25 * ref["standard_error"]!
          #expect(abs(rig.low - ref["low"]!) <= tolerance, "\(label) ratio \(method) low: \(rig.low) vs \(ref["low"]!)")
          #expect(abs(rig.high - ref["high"]!) <= tolerance, "\(label) ratio \(method) high: \(rig.high) vs \(ref["high"]!)")
        }
      }
    }
  }

  @Test("Holm and Benjamini-Hochberg adjusted p-values")
  func multiple() {
    for set in Self.reference["multiple"] as! [[String: [Double]]] {
      let holm = Stats.holm(set["p"]!), bh = Stats.benjaminiHochberg(set["p"]!)
      for i in holm.indices {
        close(holm[i], set["holm"]![i], "holm[\(i)]")
        close(bh[i], set["bh"]![i], "bh[\(i)]")
      }
    }
  }

  @Test("distribution functions")
  func distributions() {
    let d = Self.reference["distributions"] as! [String: [[Double]]]
    for row in d["norm_ppf"]! { close(Distributions.normalQuantile(row[0]), row[1], "norm.ppf(\(row[0]))") }
    for row in d["t_ppf"]! { close(Distributions.studentQuantile(row[0], df: row[1]), row[2], "t.ppf(\(row[0]), \(row[1]))") }
    for row in d["t_sf"]! { close(Distributions.studentSF(row[0], df: row[1]), row[2], "t.sf(\(row[0]), \(row[1]))") }
  }
}
