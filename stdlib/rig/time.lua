--- Clocks. `now()` and `now_ns()` read the monotonic clock (for durations); `utc_stamp()` and
--- `iso8601()` the wall clock (for naming and dating artifacts).
local native = require "rig._native.time"

local M = {}

--- Monotonic time in seconds (float). Only differences are meaningful.
M.now = native.now
--- Monotonic time in nanoseconds (integer).
M.now_ns = native.now_ns
--- Sleeps `seconds`; raises an `interrupted` error if Rig gets SIGINT/SIGTERM meanwhile.
M.sleep = native.sleep
--- `20260522T102249Z` (UTC), as Molt names its result files; `epoch` seconds optional.
M.utc_stamp = native.utc_stamp
--- `2026-05-22T10:22:49.123Z` (UTC, milliseconds); `epoch` seconds optional.
M.iso8601 = native.iso8601
--- `2026-05-22T10:22:49.123456+00:00` (UTC, microseconds), as Python's
--- `datetime.now(timezone.utc).isoformat()` writes it (Molt's tools date artifacts so).
M.isoformat = native.isoformat

--- Runs `fn(...)` and returns the elapsed monotonic seconds followed by `fn`'s results.
function M.measure(fn, ...)
  if type(fn) ~= "function" then
    error("bad argument #1 to 'measure' (function expected, got " .. type(fn) .. ")", 2)
  end
  local start = native.now_ns()
  local results = table.pack(fn(...))
  local elapsed = (native.now_ns() - start) / 1e9
  return elapsed, table.unpack(results, 1, results.n)
end

return M
