-- Benchmark lanes: Molt's tools/bench.py as a recipe, and better. Every shipped workload (or
-- --script files) on every lane this machine has, fresh processes, lanes interleaved sample
-- by sample; results in Molt's JSON format plus medians, intervals and verdicts.
local lanes = rig.lanes

local LANE_NAMES = { "cpython", "pypy", "molt", "codon", "nuitka", "cython", "numba", "pyodide" }

return rig.recipe {
  description = "Benchmark Python workloads across lanes (CPython, PyPy, Molt, ...): Molt's bench.py, with statistics.",
  params = {
    { "samples", type = "integer", default = 9,
      help = "measured runs per lane (Molt's default is 3; 9 gives a finite 95% interval of the median)" },
    { "warmup", type = "integer", default = 1, help = "discarded runs per lane" },
    { "smoke", type = "boolean", default = false, help = "two workloads, 1 sample, no warmup" },
    { "super", type = "boolean", default = false, help = "10 samples and super_stats" },
    { "script", type = "list", of = "path", help = "a script to benchmark (repeatable; replaces the workloads)" },
    { "bench", type = "list", help = "only workloads whose name contains this (repeatable)" },
    { "lane", type = "list", help = "only these lanes (repeatable): " .. table.concat(LANE_NAMES, ", ")
      .. ", or python3_X" },
    { "cpython", type = "boolean", default = true, help = "the CPython reference lane" },
    { "pypy", type = "boolean", default = true, help = "the PyPy lane" },
    { "molt", type = "boolean", default = true, help = "the Molt lane" },
    { "codon", type = "boolean", default = true, help = "the Codon lane" },
    { "nuitka", type = "boolean", default = true, help = "the Nuitka lane" },
    { "cython", type = "boolean", default = true, help = "the Cython lane" },
    { "numba", type = "boolean", default = true, help = "the Numba lane" },
    { "pyodide", type = "boolean", default = true, help = "the Pyodide lane" },
    { "other_pythons", type = "boolean", default = true, help = "a lane for every other python3.X on PATH" },
    { "python", type = "path", help = "the reference interpreter (default: the one behind python3)" },
    { "molt_cmd", default = "molt", help = "the Molt program (build: MOLT build --output OUT SCRIPT)" },
    { "pyodide_cmd", help = "the Pyodide runner command (or MOLT_BENCH_PYODIDE_CMD)" },
    { "order", choices = { "interleaved", "sequential" }, default = "interleaved",
      help = "interleaved: A B C A B C (cancels drift); sequential: Molt's order" },
    { "runtime_timeout_sec", type = "number", help = "per-run timeout" },
    { "min_time", type = "number", help = "add samples until each lane measured this many seconds" },
    { "max_samples", type = "integer", default = 50, help = "cap for --min-time" },
    { "pin_cpu", type = "integer", help = "run every child on this CPU" },
    { "instructions", type = "boolean", default = false,
      help = "also count each lane's instructions once under callgrind (<lane>_instructions)" },
    { "json_out", type = "path", help = "results JSON (default bench_<UTC stamp>.json in --out-dir)" },
    { "summary_out", type = "path", help = "markdown summary (default: next to the JSON)" },
    { "out_dir", type = "path", default = "rig-results", help = "where default outputs go" },
    { "baseline", type = "path", help = "compare against this results file (Molt's gate)" },
    { "update_baseline", type = "boolean", default = false, help = "write the results to --baseline and stop" },
    { "statistical_gate", type = "boolean", default = false,
      help = "let the samples excuse a --baseline breach they do not support (Molt's gate: the ratio alone)" },
    { "max_regression", type = "number", default = 0.15, help = "allowed growth of molt_cpython_ratio" },
    { "noise", type = "number", default = 0.02, help = "noise band for verdicts (0.02 = ±2%)" },
  },
  examples = {
    "rig run bench",
    "rig run bench --bench numeric --samples 10 --no-pypy",
    "rig run bench --script my_bench.py --lane cpython --lane pypy --json-out out.json",
  },
  run = function(p, ctx)
    local fs, json = rig.fs, rig.json
    local samples, warmup = p.samples, p.warmup
    if p.super then samples = 10 end
    if p.smoke then samples, warmup = 1, 0 end
    if samples < 1 or warmup < 0 then
      ctx.log.error("--samples must be at least 1 and --warmup at least 0")
      return 2
    end

    -- Workloads: --script files, else the shipped ones (from disk next to the recipe, or
    -- the copies built into rig).
    local workloads = {}
    if #p.script > 0 then
      for _, path in ipairs(p.script) do
        if not fs.exists(path) then
          ctx.log.error("--script %s: no such file", path)
          return 2
        end
        workloads[#workloads + 1] = { name = fs.basename(path), path = fs.realpath(path), args = {} }
      end
    else
      workloads = rig.bench.shipped_workloads(ctx.dir)
      if p.smoke then workloads = { workloads[1], workloads[2] } end
    end
    if #p.bench > 0 then
      local kept = {}
      for _, w in ipairs(workloads) do
        for _, part in ipairs(p.bench) do
          if w.name:find(part, 1, true) then kept[#kept + 1] = w break end
        end
      end
      workloads = kept
    end
    if #workloads == 0 then
      ctx.log.error("no workloads selected")
      return 2
    end

    -- Lanes.
    local reference = lanes.cpython { python = p.python }
    local all = { reference, lanes.pypy(), lanes.molt { molt = p.molt_cmd }, lanes.codon(), lanes.nuitka(),
      lanes.cython(), lanes.numba(), lanes.pyodide { cmd = p.pyodide_cmd } }
    if p.other_pythons then
      for _, l in ipairs(lanes.pythons(reference)) do all[#all + 1] = l end
    end
    local chosen = {}
    local wanted = {}
    for _, name in ipairs(p.lane) do wanted[name] = true end
    for _, lane in ipairs(all) do
      local enabled = p[lane.name] ~= false
      if #p.lane > 0 then enabled = wanted[lane.name] == true end
      if enabled then chosen[#chosen + 1] = lane end
    end
    if #chosen == 0 then
      ctx.log.error("no lanes selected")
      return 2
    end

    -- Outputs.
    local json_out = p.json_out
    if not json_out then
      assert(fs.mkdir(p.out_dir))
      json_out = fs.join(p.out_dir, ("bench_%s.json"):format(rig.time.utc_stamp()))
    end
    local summary_out = p.summary_out or (fs.basename(json_out) == "results.json"
      and fs.join(fs.dirname(json_out), "summary.md") or json_out:gsub("%.json$", "") .. "_summary.md")

    local available = 0
    for _, lane in ipairs(chosen) do
      if lane:check().available then available = available + 1 end
    end
    if available == 0 then
      ctx.log.error("none of the selected lanes can run here (see the notes above); install python3, or choose lanes")
      return 2
    end

    if p.instructions and not rig.env.which("valgrind") then
      ctx.log.error("--instructions needs valgrind (Debian: apt-get install valgrind)")
      return 2
    end
    local payload = rig.bench.run {
      workloads = workloads, lanes = chosen, samples = samples, warmup = warmup, order = p.order,
      timeout = p.runtime_timeout_sec, min_time = p.min_time, max_samples = p.max_samples, pin_cpu = p.pin_cpu,
      super = p.super, noise = p.noise, instructions = p.instructions,
      -- Nothing is lost: the results so far are on disk after every workload.
      on_snapshot = function(snapshot) assert(json.write(json_out, snapshot, { indent = 2, sort_keys = true })) end,
    }
    assert(json.write(json_out, payload, { indent = 2, sort_keys = true }))
    local lane_names = {}
    for _, lane in ipairs(chosen) do
      if lane:check().available then lane_names[#lane_names + 1] = lane.name end
    end
    assert(fs.write(summary_out, rig.bench.summary_markdown(payload, json_out, lane_names)))
    io.stdout:write(rig.bench.terminal_table(payload, lane_names))
    io.stdout:write(("\nresults: %s\nsummary: %s\n"):format(json_out, summary_out))

    if p.update_baseline then
      local target = p.baseline or "bench/results/baseline.json"
      local folder = fs.dirname(target)
      if folder ~= "" and not fs.exists(folder) then fs.mkdir(folder) end
      local ok, werr = json.write(target, payload, { indent = 2, sort_keys = true })
      if not ok then
        ctx.log.error("--update-baseline: %s", werr and werr.message or "cannot write " .. target)
        return 2
      end
      io.stdout:write("baseline updated: " .. target .. "\n")
      return 0
    end
    if p.baseline then
      local base, err = rig.bench.read_results(p.baseline)
      if not base then
        ctx.log.error("--baseline: %s", err.message)
        return 2
      end
      local gate = rig.bench.check_baseline(payload, base, p.max_regression, { statistical = p.statistical_gate })
      for _, line in ipairs(gate.unsupported) do ctx.log.warn("%s", line) end
      if not gate.ok then
        io.stdout:write("Performance regression detected:\n")
        for _, line in ipairs(gate.messages) do io.stdout:write("  ", line, "\n") end
        return 1
      end
    end
    -- Molt exits 1 when a candidate's output differs from the reference.
    for _, rec in pairs(payload.benchmarks) do
      for key, value in pairs(rec) do
        if key:match("_output_parity$") and type(value) == "table" and value.checked and value.ok == false then
          return 1
        end
      end
    end
  end,
}
