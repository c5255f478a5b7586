import Foundation
import Testing

@Suite("rig's memory over many boundary errors")
struct LeakTests {
  @Test("errors raised inside host functions, 2 x 200,000 times, do not grow rig's RSS")
  func noLeak() throws {
    let code = """
      local function rss()
        local f = io.open("/proc/self/status") local s = f:read("a") f:close()
        return tonumber(s:match("VmRSS:%s*(%d+)"))
      end
      local function round()
        local n = 0
        for i = 1, 100000 do
          if not pcall(rig.time.sleep, "x") then n = n + 1 end
          if not pcall(rig.time.sleep, -1) then n = n + 1 end
        end
        collectgarbage("collect")
        return n
      end
      round()
      local before = rss()
      local n = round()
      return n, rss() - before
      """
    let r = try RigCommand.run(["eval", code], in: try RigCommand.scratch())
    #expect(r.status == 0, "\(r.stderr)")
    let fields = r.stdout.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    #expect(fields.first == "200000")
    let growth = Int(fields.last ?? "") ?? .max
    #expect(growth < 1024, "RSS grew by \(growth) kB over 200,000 raised errors")
  }
}
