#if canImport(Glibc)
  import Glibc
#endif

/// The distribution functions the statistics need, to double precision. Written here because
/// no Swift package on this machine provides them (swift-numerics has no special functions
/// beyond the elementary ones); each follows a standard reference algorithm, named below.
public enum Distributions {
  // MARK: - Normal

  /// Φ(x), from erfc (accurate in both tails).
  public static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

  /// 1 − Φ(x), without cancellation for large x.
  public static func normalSF(_ x: Double) -> Double { 0.5 * erfc(x / 2.0.squareRoot()) }

  /// Φ⁻¹(p): Acklam's rational approximation (relative error 1.2e-9), refined by one Halley
  /// step on erfc to full double precision.
  public static func normalQuantile(_ p: Double) -> Double {
    if p <= 0 { return -.infinity }
    if p >= 1 { return .infinity }
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
             6.680131188771972e+01, -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    var x: Double
    if p < low {
      let q = (-2 * log(p)).squareRoot()
      x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
        / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    } else if p <= 1 - low {
      let q = p - 0.5
      let r = q * q
      x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    } else {
      let q = (-2 * log1p(-p)).squareRoot()
      x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
        / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    // Halley refinement (Acklam): e = Φ(x) − p, u = e·√(2π)·exp(x²/2). In the upper half
    // e = (1 − p) − (1 − Φ(x)), so no term is computed near 1.
    for _ in 0..<2 {
      let e = p < 0.5 ? normalCDF(x) - p : (1 - p) - normalSF(x)
      let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
      x -= u / (1 + x * u / 2)
    }
    return x
  }

  // MARK: - Incomplete beta and Student's t

  /// The regularized incomplete beta function I_x(a, b): the continued fraction of Numerical
  /// Recipes (modified Lentz), on the side of the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) where
  /// it converges fast.
  public static func incompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let lnFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
    if x < (a + 1) / (a + b + 2) {
      return exp(lnFront) * betaContinuedFraction(x, a, b) / a
    }
    return 1 - exp(lnFront) * betaContinuedFraction(1 - x, b, a) / b
  }

  /// The upper tail 1 − I_x(a, b), computed without cancellation when it is small.
  static func incompleteBetaComplement(_ x: Double, _ a: Double, _ b: Double) -> Double {
    incompleteBeta(1 - x, b, a)
  }

  private static func betaContinuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
    let tiny = 1e-300, eps = 1e-16
    let qab = a + b, qap = a + 1, qam = a - 1
    var c = 1.0
    var d = 1 - qab * x / qap
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...10_000 {
      let m = Double(m), m2 = 2 * m
      var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      h *= d * c
      aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
      d = 1 + aa * d
      if abs(d) < tiny { d = tiny }
      c = 1 + aa / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) < eps { break }
    }
    return h
  }

  /// P(T > t) for Student's t with `df` degrees of freedom.
  public static func studentSF(_ t: Double, df: Double) -> Double {
    if t.isNaN { return .nan }
    if df.isInfinite { return normalSF(t) }
    let x = df / (df + t * t)
    let tail = 0.5 * incompleteBeta(x, df / 2, 0.5)  // P(|T| > |t|) / 2
    return t >= 0 ? tail : 1 - tail
  }

  public static func studentCDF(_ t: Double, df: Double) -> Double {
    t >= 0 ? 1 - studentSF(t, df: df) : studentSF(-t, df: df)
  }

  /// The t quantile: bracketed bisection on the CDF, polished to the last bit.
  public static func studentQuantile(_ p: Double, df: Double) -> Double {
    if p <= 0 { return -.infinity }
    if p >= 1 { return .infinity }
    if p == 0.5 { return 0 }
    if p < 0.5 { return -studentQuantile(1 - p, df: df) }
    // Upper half: find t > 0 with SF(t) = 1 − p.
    let target = 1 - p
    var lo = 0.0, hi = max(1.0, normalQuantile(p) * 2)
    while studentSF(hi, df: df) > target { hi *= 2 }
    for _ in 0..<200 {
      let mid = (lo + hi) / 2
      if mid == lo || mid == hi { break }
      if studentSF(mid, df: df) > target { lo = mid } else { hi = mid }
    }
    return (lo + hi) / 2
  }

  // MARK: - Binomial

  /// P(K = k) for K ~ Binomial(n, p), via log-gamma.
  public static func binomialPMF(_ k: Int, n: Int, p: Double) -> Double {
    if k < 0 || k > n { return 0 }
    if p == 0 { return k == 0 ? 1 : 0 }
    if p == 1 { return k == n ? 1 : 0 }
    let lnChoose = lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    return exp(lnChoose + Double(k) * log(p) + Double(n - k) * log1p(-p))
  }

  /// log C(n, k).
  static func logChoose(_ n: Int, _ k: Int) -> Double {
    lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
  }
}
