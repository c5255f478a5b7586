#if canImport(Glibc)
  import Glibc
#endif

/// Clocks for measuring: a monotonic clock for durations and UTC stamps for naming artifacts.
public enum Clock {
  /// Monotonic time in nanoseconds (CLOCK_MONOTONIC; not affected by wall-clock changes).
  @inline(__always)
  public static func nowNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
  }

  /// Monotonic time in seconds, as a Double (nanosecond resolution for about 100 days of uptime).
  @inline(__always)
  public static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }

  /// `seconds` as nanoseconds, saturating: NaN and negatives are 0, anything past about 31
  /// years is 1e18 ns (far enough for a deadline, and no overflow when added to a clock).
  /// The one conversion of user-given seconds: `Int64(seconds * 1e9)` traps on 1e10.
  public static func nanoseconds(_ seconds: Double) -> Int64 {
    guard seconds > 0 else { return 0 }
    return seconds < 1e9 ? Int64(seconds * 1e9) : 1_000_000_000_000_000_000
  }

  /// Sleeps for `seconds`, waking early when `shouldStop` returns true (checked after every
  /// signal and at least every 50 ms). Returns false when it stopped early.
  public static func sleep(seconds: Double, shouldStop: () -> Bool = { false }) -> Bool {
    guard seconds > 0 else { return !shouldStop() }
    let deadline = nowNanoseconds() + nanoseconds(seconds)
    while true {
      if shouldStop() { return false }
      let left = deadline - nowNanoseconds()
      if left <= 0 { return true }
      let slice = min(left, 50_000_000)
      var request = timespec(tv_sec: Int(slice / 1_000_000_000), tv_nsec: Int(slice % 1_000_000_000))
      var remaining = timespec()
      _ = nanosleep(&request, &remaining)  // EINTR: loop and look at shouldStop again
    }
  }

  /// Wall-clock time as UTC calendar fields and nanoseconds: now, or at `seconds` since the
  /// epoch (then with `nanos` as given).
  static func utcFields(_ seconds: Int? = nil, nanos: Int = 0) -> (tm, Int) {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    var t = time_t(seconds ?? ts.tv_sec)
    var fields = tm()
    gmtime_r(&t, &fields)
    return (fields, seconds == nil ? Int(ts.tv_nsec) : nanos)
  }

  /// `20260522T102249Z`: the stamp Molt's tools put in artifact names.
  public static func utcStamp(epochSeconds: Int? = nil) -> String {
    let (f, _) = utcFields(epochSeconds)
    return String(
      format4(Int(f.tm_year) + 1900) + pad2(Int(f.tm_mon) + 1) + pad2(Int(f.tm_mday)) + "T"
        + pad2(Int(f.tm_hour)) + pad2(Int(f.tm_min)) + pad2(Int(f.tm_sec)) + "Z")
  }

  /// `2026-05-22T10:22:49.123Z`: ISO 8601 in UTC with milliseconds.
  public static func iso8601(epochSeconds: Int? = nil) -> String {
    iso8601(utcFields(epochSeconds))
  }

  /// The ISO 8601 stamp of an instant of the monotonic clock (`nowNanoseconds`) in the past:
  /// when something another process timed started, on the wall clock.
  public static func iso8601(monotonicNanoseconds instant: Int64) -> String {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    let wall = Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec) &- (nowNanoseconds() &- instant)
    return iso8601(utcFields(Int(wall / 1_000_000_000), nanos: Int(wall % 1_000_000_000)))
  }

  /// `2026-05-22T10:22:49.123456+00:00`: now in UTC as Python's
  /// `datetime.now(timezone.utc).isoformat()` writes it (microseconds, left out when 0), or
  /// at `seconds` since the epoch. Molt's tools date their artifacts so.
  public static func pythonISOFormat(epochSeconds: Int? = nil) -> String {
    let (f, nanos) = utcFields(epochSeconds)
    let micros = nanos / 1000
    let digits = String(micros)
    let fraction = micros == 0 ? "" : "." + String(repeating: "0", count: 6 - digits.count) + digits
    return format4(Int(f.tm_year) + 1900) + "-" + pad2(Int(f.tm_mon) + 1) + "-" + pad2(Int(f.tm_mday))
      + "T" + pad2(Int(f.tm_hour)) + ":" + pad2(Int(f.tm_min)) + ":" + pad2(Int(f.tm_sec)) + fraction
      + "+00:00"
  }

  private static func iso8601(_ fields: (tm, Int)) -> String {
    let (f, nanos) = fields
    let millis = nanos / 1_000_000
    let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
    return format4(Int(f.tm_year) + 1900) + "-" + pad2(Int(f.tm_mon) + 1) + "-" + pad2(Int(f.tm_mday))
      + "T" + pad2(Int(f.tm_hour)) + ":" + pad2(Int(f.tm_min)) + ":" + pad2(Int(f.tm_sec)) + "."
      + ms + "Z"
  }

  private static func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
  private static func format4(_ v: Int) -> String {
    let s = "\(v)"
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
  }
}
