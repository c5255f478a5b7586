internal import CRigLua
import RigKit

/// Samples held for Lua: `rig.Sample` objects carry a handle into this table.
final class SampleStore {
  var samples: [Int64: Sample] = [:]
  var next: Int64 = 1

  func add(_ sample: Sample) -> Int64 {
    defer { next += 1 }
    samples[next] = sample
    return next
  }
}

// rig.stats: thin binding over RigKit.Stats. stdlib/rig/stats.lua checks option tables.
extension LuaHost {
  static let sampleClass = "rig.Sample"

  func openStatsModule() {
    let store = SampleStore()

    /// Argument `i` as a sample: a rig.Sample, or a Lua array of finite numbers.
    func sample(_ call: LuaCall, _ i: Int32) throws -> Sample {
      var handle: Int64 = 0
      if rig_object_handle(call.L, i, Self.sampleClass, &handle) != 0 {
        guard handle >= 0, let s = store.samples[handle] else { throw LuaRaise.message("attempt to use a closed rig.Sample") }
        return s
      }
      guard rig_type(call.L, i) == RIG_TTABLE else { throw LuaArgumentError.type(index: i, expected: "sample or table") }
      let n = Int(clamping: rig_rawlen(call.L, i))
      var values = [Double](repeating: 0, count: n)
      let bad = values.withUnsafeMutableBufferPointer { rig_read_numbers(call.L, i, $0.baseAddress, Int64(n)) }
      if bad > 0 { throw LuaArgumentError.message(index: i, "number expected at index \(bad)") }
      do { return try Sample(values) } catch {
        switch error {
        case .empty: throw LuaArgumentError.message(index: i, "empty sample")
        case .notFinite(let k):
          throw LuaArgumentError.message(index: i, "value at index \(k + 1) is \(values[k].isNaN ? "NaN" : "infinite")")
        }
      }
    }

    func number(_ x: Double?) -> LuaValue { x.map { .number($0) } ?? .null }

    func summaryValue(_ s: Summary) -> LuaValue {
      .table([
        ("n", .integer(Int64(s.n))), ("mean", .number(s.mean)), ("median", .number(s.median)),
        ("min", .number(s.min)), ("max", .number(s.max)), ("sum", .number(s.sum)),
        ("var_sample", number(s.sampleVariance)), ("std_sample", number(s.sampleStdDev)),
        ("var_population", .number(s.populationVariance)), ("std_population", .number(s.populationStdDev)),
        ("q1", .number(s.q1)), ("q3", .number(s.q3)), ("iqr", .number(s.iqr)), ("mad", .number(s.mad)),
        ("mad_normal", .number(s.madNormal)), ("cv", number(s.cv)), ("geomean", number(s.geometricMean)),
      ])
    }

    func probability(_ call: LuaCall, _ i: Int32, default value: Double, name: String) throws -> Double {
      let p = try call.optionalNumber(i) ?? value
      guard p > 0 && p < 1 else { throw LuaArgumentError.message(index: i, "\(name) must be between 0 and 1") }
      return p
    }

    func bootstrapValue(_ b: Stats.BootstrapInterval, seed: UInt64) -> LuaValue {
      .table([
        ("estimate", .number(b.estimate)), ("low", .number(b.low)), ("high", .number(b.high)),
        ("standard_error", .number(b.standardError)), ("method", .string(b.method.rawValue)),
        ("resamples", .integer(Int64(b.resamples))), ("confidence", .number(b.confidence)),
        ("seed", .integer(Int64(bitPattern: seed))),
      ])
    }

    func bootstrapOptions(_ call: LuaCall, from i: Int32) throws -> (Stats.BootstrapMethod, Int, Double, UInt64) {
      let methodName = try call.optionalString(i) ?? "bca"
      guard let method = Stats.BootstrapMethod(rawValue: methodName) else {
        throw LuaArgumentError.message(index: i, "method must be 'percentile' or 'bca'")
      }
      let resamples = Int(try call.optionalInteger(i + 1) ?? 10_000)
      guard resamples >= 100 && resamples <= 10_000_000 else {
        throw LuaArgumentError.message(index: i + 1, "resamples must be between 100 and 10,000,000")
      }
      let confidence = try probability(call, i + 2, default: 0.95, name: "confidence")
      let seed = UInt64(bitPattern: try call.optionalInteger(i + 3) ?? 1)
      return (method, resamples, confidence, seed)
    }

    func numbers(_ call: LuaCall, _ i: Int32) throws -> [Double] {
      guard rig_type(call.L, i) == RIG_TTABLE else { throw LuaArgumentError.type(index: i, expected: "table") }
      let n = Int(clamping: rig_rawlen(call.L, i))
      var values = [Double](repeating: 0, count: n)
      let bad = values.withUnsafeMutableBufferPointer { rig_read_numbers(call.L, i, $0.baseAddress, Int64(n)) }
      if bad > 0 { throw LuaArgumentError.message(index: i, "number expected at index \(bad)") }
      if let k = values.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
        throw LuaArgumentError.message(index: i, "p-value at index \(k + 1) is not between 0 and 1")
      }
      return values
    }

    func pushNumbers(_ call: LuaCall, _ values: [Double]) -> Int32 {
      values.withUnsafeBufferPointer { rig_push_numbers(call.L, $0.baseAddress, Int64($0.count)) }
      return 1
    }

    registerModule(
      "rig._native.stats",
      [
        ("sample", { call in call.pushObject(Self.sampleClass, handle: store.add(try sample(call, 1))) }),
        ("summary", { call in call.push(summaryValue(Stats.summary(try sample(call, 1)))) }),
        (
          "percentile",
          { call in
            let s = try sample(call, 1).sorted
            func check(_ p: Double, _ i: Int32) throws -> Double {
              guard p >= 0 && p <= 100 else { throw LuaArgumentError.message(index: i, "percentile must be between 0 and 100") }
              return Stats.percentile(sorted: s, p)
            }
            if rig_type(call.L, 2) == RIG_TTABLE {
              let n = Int(clamping: rig_rawlen(call.L, 2))
              var ps = [Double](repeating: 0, count: n)
              let bad = ps.withUnsafeMutableBufferPointer { rig_read_numbers(call.L, 2, $0.baseAddress, Int64(n)) }
              if bad > 0 { throw LuaArgumentError.message(index: 2, "number expected at index \(bad)") }
              return pushNumbers(call, try ps.map { try check($0, 2) })
            }
            return call.push(try check(try call.number(2), 2))
          }
        ),
        (
          "median_ci",
          { call in
            let s = try sample(call, 1)
            let confidence = try probability(call, 2, default: 0.95, name: "confidence")
            let q = try call.optionalNumber(3) ?? 0.5
            guard q > 0 && q < 1 else { throw LuaArgumentError.message(index: 3, "quantile must be between 0 and 1") }
            let ci = Stats.quantileInterval(s, quantile: q, confidence: confidence)
            return call.push(.table([
              ("low", .number(ci.low)), ("high", .number(ci.high)), ("low_order", .integer(Int64(ci.lowOrder))),
              ("high_order", .integer(Int64(ci.highOrder))), ("confidence", .number(ci.confidence)),
            ]))
          }
        ),
        (
          "mean_ci",
          { call in
            let s = try sample(call, 1)
            let confidence = try probability(call, 2, default: 0.95, name: "confidence")
            guard let ci = Stats.meanInterval(s, confidence: confidence) else { return call.pushNil() }
            return call.push(.table([("low", .number(ci.low)), ("high", .number(ci.high))]))
          }
        ),
        (
          "bootstrap",
          { call in
            let s = try sample(call, 1)
            let statisticName = try call.optionalString(2) ?? "median"
            guard let statistic = Stats.BootstrapStatistic(rawValue: statisticName) else {
              throw LuaArgumentError.message(index: 2, "statistic must be 'mean' or 'median'")
            }
            let (method, resamples, confidence, seed) = try bootstrapOptions(call, from: 3)
            let b = Stats.bootstrap(
              s, statistic: statistic, method: method, resamples: resamples, confidence: confidence, seed: seed)
            return call.push(bootstrapValue(b, seed: seed))
          }
        ),
        (
          "ratio_ci",
          { call in
            let a = try sample(call, 1), b = try sample(call, 2)
            let (method, resamples, confidence, seed) = try bootstrapOptions(call, from: 3)
            let r = Stats.bootstrapRatioOfMedians(
              a, b, method: method, resamples: resamples, confidence: confidence, seed: seed)
            return call.push(bootstrapValue(r, seed: seed))
          }
        ),
        (
          "mann_whitney",
          { call in
            let t = Stats.mannWhitney(try sample(call, 1), try sample(call, 2))
            return call.push(.table([
              ("u", .number(t.u)), ("p_value", .number(t.pValue)), ("method", .string(t.method)),
              ("z", number(t.z)), ("ties", .boolean(t.ties)),
            ]))
          }
        ),
        (
          "welch",
          { call in
            guard let t = Stats.welch(try sample(call, 1), try sample(call, 2)) else { return call.pushNil() }
            return call.push(.table([("t", .number(t.t)), ("df", .number(t.df)), ("p_value", .number(t.pValue))]))
          }
        ),
        (
          "hodges_lehmann",
          { call in
            guard let shift = Stats.hodgesLehmann(try sample(call, 1), try sample(call, 2)) else { return call.pushNil() }
            return call.push(shift)
          }
        ),
        ("holm", { call in pushNumbers(call, Stats.holm(try numbers(call, 1))) }),
        ("bh", { call in pushNumbers(call, Stats.benjaminiHochberg(try numbers(call, 1))) }),
        (
          "outliers",
          { call in
            let s = try sample(call, 1)
            let threshold = try call.optionalNumber(2) ?? 3.5
            guard threshold > 0 else { throw LuaArgumentError.message(index: 2, "threshold must be positive") }
            let o = Stats.outliers(s, threshold: threshold)
            let oneBased = { (xs: [Int]) in LuaValue.array(xs.map { .integer(Int64($0 + 1)) }) }
            return call.push(.table([
              ("modified_z", .array(o.modifiedZ.map { .number($0) })),
              ("modified_z_outliers", oneBased(o.modifiedZOutliers)), ("threshold", .number(o.threshold)),
              ("mild", oneBased(o.mild)), ("severe", oneBased(o.severe)),
              ("fences", .table([
                ("mild_low", .number(o.fences.mildLow)), ("mild_high", .number(o.fences.mildHigh)),
                ("severe_low", .number(o.fences.severeLow)), ("severe_high", .number(o.fences.severeHigh)),
              ])),
            ]))
          }
        ),
        (
          "compare",
          { call in
            let a = try sample(call, 1), b = try sample(call, 2)
            var options = Stats.CompareOptions()
            options.alpha = try probability(call, 3, default: 0.05, name: "alpha")
            options.noise = try call.optionalNumber(4) ?? 0.02
            guard options.noise >= 0 && options.noise < 1 else {
              throw LuaArgumentError.message(index: 4, "noise must be between 0 and 1")
            }
            let (method, resamples, confidence, seed) = try bootstrapOptions(call, from: 5)
            options.method = method
            options.resamples = resamples
            options.confidence = confidence
            options.seed = seed
            if let direction = try call.optionalString(9) {
              guard let d = Stats.Direction(rawValue: direction) else {
                throw LuaArgumentError.message(index: 9, "direction must be 'lower' or 'higher'")
              }
              options.direction = d
            }
            let c = Stats.compare(a, b, options: options)
            return call.push(.table([
              ("ratio", .number(c.ratio)), ("ci_low", .number(c.ciLow)), ("ci_high", .number(c.ciHigh)),
              ("p_value", .number(c.pValue)), ("verdict", .string(c.verdict)), ("reason", .string(c.reason)),
              ("n_a", .integer(Int64(c.nA))), ("n_b", .integer(Int64(c.nB))), ("median_a", .number(c.medianA)),
              ("median_b", .number(c.medianB)), ("shift", number(c.shift)), ("test", .string(c.test)),
              ("warnings", .array(c.warnings.map { .string($0) })), ("alpha", .number(options.alpha)),
              ("noise", .number(options.noise)), ("confidence", .number(options.confidence)),
            ]))
          }
        ),
        ("min_samples", { call in call.push(Int64(Stats.minimumSamplesPerSide(alpha: try probability(call, 1, default: 0.05, name: "alpha")))) }),
      ])

    registerClass(
      Self.sampleClass,
      [
        ("n", { call in call.push(Int64(try sample(call, 1).count)) }),
        ("__len", { call in call.push(Int64(try sample(call, 1).count)) }),
        (
          "values",
          { call in
            let s = try sample(call, 1)
            return pushNumbers(call, s.values)
          }
        ),
        ("sorted", { call in pushNumbers(call, try sample(call, 1).sorted) }),
        ("summary", { call in call.push(summaryValue(Stats.summary(try sample(call, 1)))) }),
        (
          "percentile",
          { call in
            let p = try call.number(2)
            guard p >= 0 && p <= 100 else { throw LuaArgumentError.message(index: 2, "percentile must be between 0 and 100") }
            return call.push(Stats.percentile(sorted: try sample(call, 1).sorted, p))
          }
        ),
        (
          "__gc",
          { call in
            var handle: Int64 = 0
            if rig_object_handle(call.L, 1, Self.sampleClass, &handle) != 0, handle >= 0 {
              store.samples[handle] = nil
              call.closeObject(1)
            }
            return 0
          }
        ),
        (
          "__tostring",
          { call in
            var handle: Int64 = 0
            _ = rig_object_handle(call.L, 1, Self.sampleClass, &handle)
            guard let s = store.samples[handle] else { return call.push("rig.Sample (closed)") }
            return call.push("rig.Sample (n = \(s.count))")
          }
        ),
      ])
  }
}
