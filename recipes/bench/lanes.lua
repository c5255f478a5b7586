-- Benchmark of the bench harness itself, in one run:
--   1. overhead: the wall time of a bench run over the shipped workloads (CPython lanes)
--      against the wall time of every child it started (probes, samples, git); goal < 3%;
--   2. agreement: the medians `bench` reports for two workloads against hyperfine's medians for
--      the same commands, alternating rounds; goal within 2%.
local lib = require "benchlib"

return rig.recipe {
  description = "The bench harness's overhead, and its medians against hyperfine's.",
  params = {
    { "samples", type = "integer", default = 9, help = "samples per lane in the overhead run" },
    { "rounds", type = "integer", default = 4, help = "alternating rounds for the agreement check" },
    { "per_round", type = "integer", default = 10, help = "samples per tool per round" },
  },
  run = function(params, ctx)
    local fs = rig.fs
    local hyperfine = lib.need("hyperfine", "hyperfine")
    local dir = fs.normalize(ctx.dir .. "/../workloads")
    local workloads = {}
    for _, name in ipairs(assert(fs.list(dir))) do
      if name:match("^bench_.*%.py$") then workloads[#workloads + 1] = { name = name, path = dir .. "/" .. name } end
    end
    local reference = rig.lanes.cpython()
    local chosen = { reference }
    for _, l in ipairs(rig.lanes.pythons(reference)) do chosen[#chosen + 1] = l end

    -- 1. Overhead.
    local payload = rig.bench.run { workloads = workloads, lanes = chosen, samples = params.samples, warmup = 1,
      order = "interleaved", progress = false }
    local r = payload.rig
    io.stdout:write(("1. harness overhead: %d workloads x %d lanes, %d children\n"):format(#workloads, #chosen,
      r.children))
    lib.print_table {
      { "bench run wall s", "children wall s", "of which samples s", "overhead", "goal < 3%" },
      { ("%.3f"):format(r.wall_s), ("%.3f"):format(r.children_wall_s), ("%.3f"):format(r.samples_wall_s),
        ("%.2f%%"):format(r.overhead * 100), r.overhead < 0.03 and "yes" or "NO" },
    }

    -- 2. Agreement with hyperfine on two workloads, the reference interpreter.
    io.stdout:write("\n2. medians against hyperfine (same commands, alternating rounds)\n")
    local rows = { { "workload", "bench median s", "hyperfine median s", "bench / hyperfine", "goal within 2%" } }
    local json_path = assert(fs.tmpdir()) .. "/h.json"
    for _, w in ipairs { workloads[1], workloads[2] } do
      local ours, theirs = {}, {}
      for _ = 1, params.rounds do
        local p = rig.bench.run { workloads = { w }, lanes = { reference }, samples = params.per_round, warmup = 1,
          order = "interleaved", progress = false }
        for _, v in ipairs(p.benchmarks[w.name].cpython_samples_s) do ours[#ours + 1] = v end
        rig.proc.must_run { hyperfine, "-N", "--style", "none", "--warmup", "1", "--runs", tostring(params.per_round),
          "--export-json", json_path, reference.python .. " " .. w.path }
        for _, v in ipairs(lib.hyperfine_times(json_path)[1]) do theirs[#theirs + 1] = v end
      end
      local a, b = lib.median(ours), lib.median(theirs)
      rows[#rows + 1] = { w.name, ("%.5f"):format(a), ("%.5f"):format(b), ("%.4fx"):format(a / b),
        math.abs(a / b - 1) <= 0.02 and "yes" or "NO" }
    end
    lib.print_table(rows)
  end,
}
