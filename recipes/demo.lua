-- A first recipe: times a few small Lua workloads in this process and prints a table.
-- It shows the shape every recipe has: declared params, a run function, rig.* calls.
local workloads = {
  { "string concat", function(n)
    local parts = {}
    for i = 1, n do parts[i] = tostring(i) end
    return #table.concat(parts)
  end },
  { "table insert", function(n)
    local t = {}
    for i = 1, n do t[#t + 1] = i end
    return #t
  end },
  { "float loop", function(n)
    local acc = 0.0
    for i = 1, n do acc = acc + math.sqrt(i) end
    return acc
  end },
  { "closure calls", function(n)
    local function add(a, b) return a + b end
    local acc = 0
    for i = 1, n do acc = add(acc, i) end
    return acc
  end },
}

return rig.recipe {
  description = "Time a few Lua workloads in-process (a tour of the recipe model).",
  params = {
    { "samples", type = "integer", default = 7, short = "n", help = "timed runs per workload" },
    { "size", type = "integer", default = 200000, help = "loop iterations per run" },
    { "only", type = "list", help = "run only workloads whose name contains this text" },
  },
  examples = { "rig run demo", "rig run demo --samples 15 --only loop" },
  run = function(params, ctx)
    if params.samples < 1 then
      ctx.log.error("--samples must be at least 1")
      return 2
    end
    ctx.log.info("demo: %d samples of %d iterations, started %s", params.samples, params.size, rig.time.iso8601())
    io.stdout:write(("%-16s %12s %12s %12s\n"):format("workload", "median ms", "min ms", "max ms"))
    for _, w in ipairs(workloads) do
      local name, fn = w[1], w[2]
      local wanted = #params.only == 0
      for _, part in ipairs(params.only) do wanted = wanted or name:find(part, 1, true) ~= nil end
      if wanted then
        fn(params.size)  -- warmup
        local times = {}
        for i = 1, params.samples do
          times[i] = rig.time.measure(fn, params.size) * 1e3
        end
        local s = rig.stats.summary(times)
        io.stdout:write(("%-16s %12.3f %12.3f %12.3f\n"):format(name, s.median, s.min, s.max))
      end
    end
  end,
}
