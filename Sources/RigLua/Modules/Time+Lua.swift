internal import CRigLua
import RigKit

// rig.time: thin binding over RigKit.Clock.
extension LuaHost {
  func openTimeModule() {
    registerModule(
      "rig._native.time",
      [
        ("now", { call in call.push(Clock.now()) }),
        ("now_ns", { call in call.push(Clock.nowNanoseconds()) }),
        (
          "sleep",
          { call in
            let seconds = try call.number(1)
            guard seconds.isFinite, seconds >= 0 else {
              throw LuaArgumentError.message(index: 1, "a finite, non-negative number of seconds expected")
            }
            if !Clock.sleep(seconds: seconds, shouldStop: { LuaHost.interruptSignal != nil }) {
              throw LuaRaise.interrupted
            }
            return 0
          }
        ),
        ("utc_stamp", { call in call.push(Clock.utcStamp(epochSeconds: try call.optionalInteger(1).map(Int.init))) }),
        ("iso8601", { call in call.push(Clock.iso8601(epochSeconds: try call.optionalInteger(1).map(Int.init))) }),
        (
          "isoformat",
          { call in call.push(Clock.pythonISOFormat(epochSeconds: try call.optionalInteger(1).map(Int.init))) }
        ),
      ])
  }
}
