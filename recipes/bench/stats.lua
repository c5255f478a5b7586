-- Benchmark of rig.stats against numpy/scipy, in one run: `summary` of 10^6 values, and a
-- 10,000-resample bootstrap of a 1,000-value median (BCa and percentile). Goal: Rig at most
-- 1.0x their time. Both sides use the same data (an integer formula) and report the median
-- of --reps timings; Rig's summary timing includes sorting (a fresh sample each time) but not
-- the conversion of the Lua list, as numpy's excludes building the array.
local lib = require "benchlib"

local function data(n, offset)
  local xs = {}
  for i = offset, offset + n - 1 do
    xs[#xs + 1] = 50.0 + 100.0 * ((i * 2654435761) % 4294967296) / 4294967296.0
  end
  return xs
end

local function timed(reps, prepare, fn)
  local times = {}
  for r = 1, reps do
    local input = prepare()
    local start = rig.time.now()
    fn(input)
    times[r] = (rig.time.now() - start) * 1e3
  end
  return lib.median(times)
end

return rig.recipe {
  description = "rig.stats against numpy and scipy: summary of 10^6 values, bootstrap of a median.",
  params = { { "reps", type = "integer", default = 7, help = "timings per measurement (median)" } },
  run = function(params, ctx)
    lib.need("python3", "python3")
    local py = rig.proc.must_run { "python3", ctx.dir .. "/stats_numpy.py", tostring(params.reps) }
    local numpy = {}
    for name, ms in py.stdout:gmatch("(%S+) ([%d%.]+)\n") do numpy[name] = tonumber(ms) end
    local version = py.stdout:match("numpy (%S+)")

    local big, small = data(1000000, 0), data(1000, 7)
    local rig_ms = {
      summary_1e6 = timed(params.reps, function() return rig.stats.sample(big) end, rig.stats.summary),
      bootstrap_median_bca = timed(params.reps, function() return rig.stats.sample(small) end, function(s)
        rig.stats.bootstrap(s, { statistic = "median", method = "bca", resamples = 10000 })
      end),
      bootstrap_median_percentile = timed(params.reps, function() return rig.stats.sample(small) end, function(s)
        rig.stats.bootstrap(s, { statistic = "median", method = "percentile", resamples = 10000 })
      end),
    }
    local rows = { { "measurement", "rig ms", "numpy/scipy ms", "rig / them", "goal <= 1.0x" } }
    for _, name in ipairs { "summary_1e6", "bootstrap_median_bca", "bootstrap_median_percentile" } do
      local ratio, meets = lib.verdict(rig_ms[name] / numpy[name], 1.0)
      rows[#rows + 1] = { name, ("%.2f"):format(rig_ms[name]), ("%.2f"):format(numpy[name]), ratio, meets }
    end
    io.stdout:write(("rig.stats vs numpy %s / scipy, median of %d\n"):format(version or "?", params.reps))
    lib.print_table(rows)
  end,
}
