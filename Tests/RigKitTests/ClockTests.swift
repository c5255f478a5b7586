import Foundation
import RigKit
import Testing

@Suite("Clock")
struct ClockTests {
  @Test("UTC stamps use Molt's artifact naming and ISO 8601")
  func stamps() {
    #expect(Clock.utcStamp(epochSeconds: 1_779_445_369) == "20260522T102249Z")
    #expect(Clock.iso8601(epochSeconds: 1_779_445_369) == "2026-05-22T10:22:49.000Z")
    #expect(Clock.utcStamp(epochSeconds: 0) == "19700101T000000Z")
    #expect(Clock.utcStamp().count == 16)
  }

  @Test("a monotonic instant becomes the wall-clock stamp of that moment")
  func monotonicToWallClock() {
    let parse = ISO8601DateFormatter()
    parse.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    let now = Clock.iso8601()
    let minuteAgo = Clock.iso8601(monotonicNanoseconds: Clock.nowNanoseconds() - 61_500_000_000)
    let justNow = Clock.iso8601(monotonicNanoseconds: Clock.nowNanoseconds())
    let (a, b, c) = (parse.date(from: minuteAgo), parse.date(from: now), parse.date(from: justNow))
    #expect(a != nil && b != nil && c != nil, "\(minuteAgo) \(now) \(justNow)")
    if let a, let b, let c {
      #expect(abs(b.timeIntervalSince(a) - 61.5) < 0.05)
      #expect(abs(c.timeIntervalSince(b)) < 0.05)
    }
  }

  @Test("the monotonic clock advances across a sleep")
  func monotonic() {
    let start = Clock.nowNanoseconds()
    let completed = Clock.sleep(seconds: 0.02)
    let elapsed = Clock.nowNanoseconds() - start
    #expect(completed)
    #expect(elapsed >= 20_000_000)
    #expect(abs(Clock.now() - Double(Clock.nowNanoseconds()) / 1e9) < 0.01)
  }

  @Test("a sleep stops early when asked to")
  func interruptibleSleep() {
    let start = Clock.now()
    var polls = 0
    let completed = Clock.sleep(seconds: 5) {
      polls += 1
      return polls > 2
    }
    #expect(!completed)
    #expect(Clock.now() - start < 1)
  }
}
