-- Benchmark lanes: Molt's tools/bench.py as a recipe, and better. Every shipped workload (or
-- --script files) on every lane this machine has, fresh processes, lanes interleaved sample
-- by sample; results in Molt's JSON format plus medians, intervals and verdicts.
local lanes = rig.lanes

local LANE_NAMES = { "cpython", "pypy", "molt", "codon", "nuitka", "cython", "numba", "pyodide" }

return rig.recipe {
  description = "Benchmark Python workloads across lanes (CPython, PyPy, Molt, ...): Molt's bench.py, with statistics.",
  params = {
    { "samples", type = "integer",
      help = "measured runs per lane (default 9, 1 with --smoke; Molt's is 3: 9 gives a finite 95% interval of the "
        .. "median)" },
    { "warmup", type = "integer", help = "discarded runs per lane (default: 1, or 0 for --smoke)" },
    { "smoke", type = "boolean", default = false, help = "the smoke workloads (Molt's: bench_sum, bench_bytes_find)" },
    { "super", type = "boolean", default = false,
      help = "Run all benchmarks 10x and emit mean/median/variance/range stats (super_stats)" },
    { "script", type = "list", of = "path", help = "Benchmark a custom script path." },
    { "ws", type = "boolean", default = false,
      help = "Include websocket wait benchmark (also honors MOLT_BENCH_WS=1; Molt's suite)." },
    { "dynamic_builtin_only", type = "boolean", default = false, help = "Run only isolated "
      .. "locals/dir/__import__/delattr benchmark slices (Molt's suite); kept out of core throughput KPI lanes." },
    { "tty", type = "boolean", default = false, help = "Molt's: attach runs to a pseudo-TTY (also MOLT_TTY=1); Rig "
      .. "refuses it: it captures each run's output for the parity check" },
    { "bench", type = "list", help = "only workloads whose name contains this" },
    { "lane", type = "list", help = "only these lanes: " .. table.concat(LANE_NAMES, ", ")
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
    { "molt_cmd", default = "molt", help = "the Molt program (build: MOLT build --build-profile P [--rebuild] "
      .. "[ARGS] --output OUT SCRIPT)" },
    { "molt_profile", choices = { "dev", "release" }, default = "release",
      help = "Build profile used for Molt benchmark binaries." },
    { "molt_build_cache", type = "boolean", default = true, help = "--no-molt-build-cache: disable Molt build-cache "
      .. "reads for a deliberate cold rebuild investigation (--rebuild); runs reuse the cache by default" },
    { "nuitka_cmd", help = "Override Nuitka command prefix, e.g. 'python -m nuitka' (default: python3 -m nuitka)." },
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
    { "out_dir", type = "path", help = "where default outputs go (default: bench/results in a Molt checkout, as "
      .. "Molt's bench_<YYYYmmdd_HHMMSS>.json; else rig-results)" },
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
    -- Molt's argument checks, in its order and words (exit 2).
    local function usage(fmt, ...)
      io.stderr:write("rig run bench: ", fmt:format(...), "\n")
      return 2
    end
    if p.super and p.smoke then return usage("--super cannot be combined with --smoke") end
    if p.super and p.samples then return usage("--super cannot be combined with --samples") end
    if p.dynamic_builtin_only and p.smoke then
      return usage("--dynamic-builtin-only cannot be combined with --smoke")
    end
    if #p.script > 0 and p.smoke then return usage("--script cannot be combined with --smoke") end
    if #p.script > 0 and p.dynamic_builtin_only then
      return usage("--script cannot be combined with --dynamic-builtin-only")
    end
    if p.tty then
      return usage("--tty: Rig does not attach runs to a pseudo-terminal (it captures each run's output for the "
        .. "output-parity check, and a terminal changes how a program buffers and what it prints)")
    end
    if os.getenv("MOLT_TTY") == "1" then
      ctx.log.warn("MOLT_TTY=1: Rig does not attach runs to a pseudo-terminal (it captures their output)")
    end
    local samples = p.super and 10 or p.samples or (p.smoke and 1 or 9)
    local warmup = p.warmup or (p.smoke and 0 or 1)
    if samples < 1 or warmup < 0 then
      ctx.log.error("--samples must be at least 1 and --warmup at least 0")
      return 2
    end

    -- Workloads: --script files; else Molt's suite in a Molt checkout (tests/benchmarks);
    -- else the shipped ones (from disk next to the recipe, or the copies built into rig).
    local repo = rig.molt.repo_root()
    local molt_tree = rig.molt.is_checkout(repo)
    local ws = p.ws or os.getenv("MOLT_BENCH_WS") == "1"
    local workloads = {}
    if #p.script > 0 then
      local missing = {}
      for _, path in ipairs(p.script) do
        if not fs.exists(path) then missing[#missing + 1] = path end
      end
      if #missing > 0 then return usage("Script(s) not found: %s", table.concat(missing, ", ")) end
      for _, path in ipairs(p.script) do
        local workload, why = rig.molt.bench_workload(fs.realpath(path))
        if not workload then return usage("--script %s: %s", path, why) end
        workloads[#workloads + 1] = workload
      end
    elseif molt_tree then
      local why, missing
      workloads, why, missing = rig.molt.bench_suite(repo, { smoke = p.smoke, ws = ws,
        dynamic_builtin_only = p.dynamic_builtin_only })
      if not workloads then
        ctx.log.error("%s", why)
        return 2
      end
      if #missing > 0 then
        ctx.log.warn("%d of Molt's benchmark scripts are not in this checkout (%s%s)", #missing, missing[1],
          #missing > 1 and ", ..." or "")
      end
    else
      if ws or p.dynamic_builtin_only then
        return usage("%s selects from Molt's benchmark suite: run in a Molt checkout (with tests/benchmarks)",
          p.dynamic_builtin_only and "--dynamic-builtin-only" or "--ws")
      end
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
    local nuitka_cmd
    if p.nuitka_cmd then
      local words, why = rig.util.shell_words(p.nuitka_cmd)
      if not words or #words == 0 then return usage("--nuitka-cmd: %s", why or "an empty command") end
      nuitka_cmd = words
    end
    local all = { reference, lanes.pypy(), lanes.molt { molt = p.molt_cmd, profile = p.molt_profile,
      cache = p.molt_build_cache }, lanes.codon(), lanes.nuitka { cmd = nuitka_cmd },
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
      local out_dir
      json_out, out_dir = rig.molt.default_results(repo, "bench", p.out_dir)
      assert(fs.mkdir(out_dir))
    end
    json_out = fs.absolute(json_out)
    local summary_out = fs.absolute(p.summary_out or (fs.basename(json_out) == "results.json"
      and fs.join(fs.dirname(json_out), "summary.md") or json_out:gsub("%.json$", "") .. "_summary.md"))
    -- Molt's records beside the results: provenance (its "release" is cargo release-fast),
    -- memory guard, custody files, the failure details and their JSONL.
    local profile = p.molt_profile == "release" and "release-fast" or p.molt_profile
    local function with_molt_records(payload)
      local path, jsonl = rig.bench.molt_artifacts(payload, { json_out = json_out, summary_out = summary_out,
        profile = profile })
      assert(fs.mkdir(fs.dirname(path)))
      assert(fs.write(path, jsonl))
      return payload
    end

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
      on_snapshot = function(snapshot)
        assert(json.write(json_out, with_molt_records(snapshot), { indent = 2, sort_keys = true }))
      end,
    }
    assert(fs.mkdir(fs.dirname(json_out)))
    assert(json.write(json_out, with_molt_records(payload), { indent = 2, sort_keys = true }))
    local lane_names = {}
    for _, lane in ipairs(chosen) do
      if lane:check().available then lane_names[#lane_names + 1] = lane.name end
    end
    assert(fs.write(summary_out, rig.bench.summary_markdown(payload, json_out, lane_names)))
    io.stdout:write(rig.bench.terminal_table(payload, lane_names))
    io.stdout:write(("\nresults: %s\nsummary: %s\n"):format(json_out, summary_out))

    -- Molt: a candidate whose output differs from the reference fails the run (exit 1),
    -- before any baseline is written or checked.
    for _, rec in pairs(payload.benchmarks) do
      for key, value in pairs(rec) do
        if key:match("_output_parity$") and type(value) == "table" and value.checked and value.ok == false then
          io.stderr:write(("Native Molt output parity failed; evidence written to %s.\n"):format(json_out))
          return 1
        end
      end
    end
    if p.update_baseline then
      local target = p.baseline or fs.join(repo, "bench", "results", "baseline.json")
      local folder = fs.dirname(target)
      if folder ~= "" and not fs.exists(folder) then fs.mkdir(folder) end
      local ok, werr = json.write(target, payload, { indent = 2, sort_keys = true })
      if not ok then
        ctx.log.error("--update-baseline: %s", werr and werr.message or "cannot write " .. target)
        return 2
      end
      io.stdout:write("Baseline updated: " .. target .. "\n")
      return 0
    end
    -- Molt compares only against a baseline that is there (and passes otherwise); Rig says so.
    if p.baseline and not fs.exists(p.baseline) then
      ctx.log.warn("--baseline %s does not exist: nothing to compare against (exit 0, as Molt's)", p.baseline)
    elseif p.baseline then
      local base, err = rig.bench.read_results(p.baseline)
      if not base then
        ctx.log.error("--baseline: %s", err.message)
        return 2
      end
      local gate = rig.bench.check_baseline(payload, base, p.max_regression, { statistical = p.statistical_gate })
      for _, line in ipairs(gate.unsupported) do ctx.log.warn("%s", line) end
      if not gate.ok then
        io.stdout:write("Performance regression detected:\n")
        for _, line in ipairs(gate.messages) do io.stdout:write("  - ", line, "\n") end
        return 1
      end
    end
  end,
}
