-- Benchmark of the Rig host itself:
--   1. startup: `rig run` of an empty recipe against `lua5.4 -e ''` and `python3 -c pass`,
--      interleaved sample by sample, wall time of each process (medians);
--   2. host calls: a Lua loop calling rig.time.now() against the same loop calling os.clock(),
--      a Lua C builtin; goal: a host call costs at most 1.5x the builtin.
local lib = require "benchlib"

local function loop_ns(fn, calls)
  local start = rig.time.now_ns()
  for _ = 1, calls do fn() end
  return (rig.time.now_ns() - start) / calls
end

local function empty_loop_ns(calls)
  local noop = function() end
  return loop_ns(noop, calls)
end

return rig.recipe {
  description = "Rig's startup and host-call cost against lua5.4, python3 and a C builtin.",
  params = {
    { "samples", type = "integer", default = 30, help = "processes per command (startup)" },
    { "calls", type = "integer", default = 2000000, help = "calls per timed loop" },
    { "rounds", type = "integer", default = 15, help = "timed loops per function" },
    { "rig", type = "path", help = "the rig binary to measure (default: the one running)" },
  },
  run = function(params, ctx)
    local rig_bin = params.rig or rig.env.executable()
    local lua = lib.need("lua5.4", "lua5.4")
    local python = lib.python()
    local commands = {
      { "rig run (empty recipe)", { rig_bin, "run", ctx.dir .. "/empty.lua" } },
      { "lua5.4 -e ''", { lua, "-e", "" } },
      { "python3 -c pass", { python, "-c", "pass" } },
    }
    ctx.log.info("startup: %d processes per command, interleaved", params.samples)
    local times = {}
    for _, c in ipairs(commands) do
      rig.proc.must_run(c[2])  -- warm the page cache
      times[c[1]] = {}
    end
    for _ = 1, params.samples do
      for _, c in ipairs(commands) do
        local r = rig.proc.must_run(c[2])
        table.insert(times[c[1]], r.wall_s)
      end
    end
    local rig_median = lib.median(times[commands[1][1]])
    local rows = { { "command", "median ms", "min ms", "rig / this" } }
    for _, c in ipairs(commands) do
      local t = times[c[1]]
      local m = lib.median(t)
      rows[#rows + 1] = { c[1], ("%.2f"):format(m * 1e3), ("%.2f"):format(math.min(table.unpack(t)) * 1e3),
        ("%.2fx"):format(rig_median / m) }
    end
    lib.print_table(rows)

    ctx.log.info("host calls: %d rounds of %d calls, alternating", params.rounds, params.calls)
    local now, clock = rig.time.now, os.clock
    local host, builtin, empty = {}, {}, {}
    for i = 1, params.rounds do
      host[i] = loop_ns(now, params.calls)
      builtin[i] = loop_ns(clock, params.calls)
      empty[i] = empty_loop_ns(params.calls)
    end
    local h, b, e = lib.median(host), lib.median(builtin), lib.median(empty)
    io.stdout:write("\n")
    lib.print_table {
      { "loop body", "median ns/call", "minus empty loop" },
      { "rig.time.now()", ("%.1f"):format(h), ("%.1f"):format(h - e) },
      { "os.clock()", ("%.1f"):format(b), ("%.1f"):format(b - e) },
      { "(empty Lua function)", ("%.1f"):format(e), "" },
    }
    local ratio, meets = lib.verdict(h / b, 1.5)
    io.stdout:write(("\nhost call / builtin: %s (goal <= 1.5x: %s)\n"):format(ratio, meets))
  end,
}
