--- The bench run: every workload on every lane, fresh processes, lanes interleaved sample by
--- sample, failures classified and recorded, output parity checked, and results written in
--- Molt's `schema_version: 1` format (so Molt's diff and report tools read them) plus Rig's
--- medians, intervals and verdicts. docs/lanes.md.
local check = require "rig.check"
local proc = require "rig.proc"
local stats = require "rig.stats"
local json = require "rig.json"
local fs = require "rig.fs"
local md = require "rig.md"
local classify = require "rig.classify"
local core = require "rig._native.core"
local log = require "rig.log"
local time = require "rig.time"
local molt_adapter = require "rig.molt"
local measure = require "rig.measure"

local M = {}

local SPEEDUP = "speedup:baseline_time/candidate_time;>1=candidate_faster"
local MOLT_OVER_BASELINE = "molt_over_baseline:molt_time/baseline_time;<1=molt_faster"
local RATIO = "ratio:numerator/denominator"

--- Molt's summarize_samples: mean, median, population variance, range, min, max, samples
--- (as `*_s` keys), or nil for no samples.
---@param samples number[]
function M.summarize_samples(samples)
  local n = #samples
  if n == 0 then return nil end
  local sum = 0
  for _, v in ipairs(samples) do sum = sum + v end
  local mean = sum / n
  local var = 0
  for _, v in ipairs(samples) do var = var + (v - mean) ^ 2 end
  local sorted = { table.unpack(samples) }
  table.sort(sorted)
  local median = n % 2 == 1 and sorted[(n + 1) // 2] or (sorted[n // 2] + sorted[n // 2 + 1]) / 2
  return json.object({ mean_s = mean, median_s = median, variance_s = n > 1 and var / n or 0.0,
    range_s = sorted[n] - sorted[1], min_s = sorted[1], max_s = sorted[n], samples_s = json.array(samples) })
end


--- The workloads Rig ships (recipes/workloads/bench_*.py): from `recipes_dir` when it holds
--- them (a checkout), else the copies built into rig, written to a temp folder. Returns
--- {{name = "bench_x.py", path, args = {}}} sorted by name.
---@param recipes_dir? string
function M.shipped_workloads(recipes_dir)
  local dir = recipes_dir and fs.join(recipes_dir, "workloads")
  if not (dir and fs.exists(dir)) then
    dir = assert(fs.tmpdir("rig-workloads"))
    for _, name in ipairs(core.embedded_list("recipes/workloads/")) do
      assert(fs.write(fs.join(dir, fs.basename(name)), core.embedded(name)))
    end
  end
  local workloads = {}
  for _, name in ipairs(assert(fs.list(dir))) do
    if name:match("^bench_.*%.py$") then
      workloads[#workloads + 1] = { name = name, path = fs.join(dir, name), args = {} }
    end
  end
  table.sort(workloads, function(a, b) return a.name < b.name end)
  return workloads
end

--- A progress reporter: a live line on a terminal, plain lines otherwise.
local function progress_reporter(enabled)
  local tty = core.isatty(2)
  local last = 0
  return function(text, final)
    if not enabled then return end
    if tty then
      local now = time.now()
      if final or now - last > 0.1 then
        io.stderr:write("\r\27[K", text, final and "\n" or "")
        io.stderr:flush()
        last = now
      end
    elseif final then
      io.stderr:write(text, "\n")
    end
  end
end

-- One lane's state for one workload.
local function new_state(lane)
  return { lane = lane, ok = true, samples = {}, warmup = {}, outputs = {}, failure = nil }
end

-- The lane's command for a workload, as a rig.measure command: Molt's fixed hash seed and
-- unbuffered output, then the lane's own environment.
local function measure_command(st, workload)
  local env = { PYTHONHASHSEED = "0", PYTHONUNBUFFERED = "1" }
  for k, v in pairs(st.lane.env) do env[k] = v end
  return { name = st.lane.name, argv = st.lane:command(workload.path, workload.args, st.built), env = env,
    cwd = workload.cwd }
end

-- The runs of one rig.measure benchmark into the lane's state: wall times, output hashes,
-- and Molt's failure record when it stopped.
local function absorb(st, b, payload)
  for _, r in ipairs(b.warmup) do
    st.warmup[#st.warmup + 1] = r.wall_s
    payload.rig.samples_wall_s = payload.rig.samples_wall_s + r.wall_s
  end
  for _, r in ipairs(b.runs) do
    if r.ok then
      st.samples[#st.samples + 1] = r.wall_s
      st.outputs[#st.outputs + 1] = { r.stdout_sha256, r.stderr_sha256 }
      payload.rig.samples_wall_s = payload.rig.samples_wall_s + r.wall_s
    end
  end
  if b.failure then
    st.ok = false
    st.failure = classify.molt_failure("run", b.failure.result, b.failure.error)
  end
end

-- Warmups and samples of every lane that built, through rig.measure: interleaved (one of each
-- lane per round, every other round backwards) or sequential, a failing lane stopped and the
-- others going on; then, with min_time, one more round at a time until every lane has measured
-- that long (at most max_samples, 50 by default).
local function sample_lanes(states, workload, cfg, payload, progress)
  local live, commands = {}, {}
  for _, st in ipairs(states) do
    if st.ok then
      live[#live + 1] = st
      commands[#commands + 1] = measure_command(st, workload)
    end
  end
  if #live == 0 then return end
  local function measure_round(runs, warmup)
    local result = measure.run { commands = commands, shell = false, warmup = warmup, runs = runs,
      order = cfg.order == "sequential" and "sequential" or "interleaved", timeout = cfg.timeout, cpu = cfg.pin_cpu,
      check_output = cfg.parity ~= false, on_progress = progress }
    for j, b in ipairs(result.benchmarks) do absorb(live[j], b, payload) end
  end
  measure_round(cfg.samples, cfg.warmup)
  if not (cfg.min_time and cfg.min_time > 0) then return end
  local k = cfg.samples
  while k < (cfg.max_samples or 50) do
    local short, still, still_commands = false, {}, {}
    for j, st in ipairs(live) do
      if st.ok then
        local sum = 0
        for _, v in ipairs(st.samples) do sum = sum + v end
        short = short or sum < cfg.min_time
        still[#still + 1], still_commands[#still_commands + 1] = st, commands[j]
      end
    end
    if not short or #still == 0 then break end
    live, commands = still, still_commands
    k = k + 1
    measure_round(1, 0)
  end
end

-- One more run of the lane's command under callgrind: its instruction count, which does not
-- move with the machine's load. Returns the count, or nil and why not.
local function count_instructions(state, workload, cfg)
  local spec = { table.unpack(state.lane:command(workload.path, workload.args, state.built)) }
  spec.env = { PYTHONHASHSEED = "0", PYTHONUNBUFFERED = "1" }
  for k, v in pairs(state.lane.env) do spec.env[k] = v end
  spec.timeout = cfg.timeout
  spec.cwd = workload.cwd
  return require("rig.callgrind").instructions(spec)
end

local RUN_OPTIONS = {
  alpha = check.PROBABILITY,
  instructions = "boolean",
  lanes = { "list", required = true },
  max_samples = { "integer", min = 1, max = 1000000 },
  min_time = { "number", min = 0 },
  noise = { "number", min = 0 },
  on_snapshot = "callable",
  order = "any",
  parity = "boolean",
  pin_cpu = "any",
  progress = "boolean",
  samples = { "integer", min = 1, max = 1000000 },
  super = "boolean",
  timeout = check.SECONDS,
  warmup = { "integer", min = 0, max = 1000000 },
  workloads = { "list", required = true },
}

--- Runs the benchmark. `cfg`: workloads ({name, path, args}), lanes (from rig.lanes),
--- samples, warmup, order ("interleaved"|"sequential"), timeout, min_time, max_samples,
--- pin_cpu, super, json_out, summary_out, progress (bool), on_snapshot (function(payload)),
--- instructions (bool: also count each lane's instructions once under callgrind).
--- Returns the payload (Molt's results schema plus Rig's fields).
function M.run(cfg)
  cfg = check.options("run", 1, cfg, RUN_OPTIONS)
  local samples, warmup = cfg.samples, cfg.warmup
  local workdir = assert(fs.tmpdir("rig-bench"))
  local started = time.now()
  local children_before = proc.totals()
  local lanes_available, skipped = {}, {}
  for _, lane in ipairs(cfg.lanes) do
    local probe = lane:check()
    if probe.available then
      lanes_available[#lanes_available + 1] = lane
    else
      skipped[#skipped + 1] = { lane = lane.name, reason = probe.reason }
      log.info("lane %s skipped: %s", lane.name, tostring(probe.reason))
    end
  end
  local reference
  for _, lane in ipairs(lanes_available) do
    if lane.role == "reference" then reference = lane break end
  end

  local host = require("rig.env").host({ git = true })
  local payload = json.object({
    schema_version = 1,
    created_at = time.iso8601(),
    git_rev = host.git and host.git.commit or json.null,
    super_run = cfg.super == true,
    samples = samples,
    warmup = warmup,
    timing_mode = warmup > 0 and "warm_throughput" or "cold_first_run",
    system = molt_adapter.system(host, reference and reference:check().version),
    benchmarks = json.object(),
    rig = json.object({
      version = require("rig").version,
      host = host,
      order = cfg.order,
      lanes = json.array((function()
        local out = {}
        for _, lane in ipairs(cfg.lanes) do
          local p = lane:check()
          out[#out + 1] = json.object({ name = lane.name, role = lane.role, available = p.available,
            version = p.version or json.null, reason = p.reason or json.null, description = lane.description })
        end
        return out
      end)()),
      skipped_lanes = json.array(skipped),
      samples_wall_s = 0.0,
    }),
  })
  local report = progress_reporter(cfg.progress ~= false)
  local total_units = #cfg.workloads * #lanes_available * (warmup + samples)
  local done_units = 0

  for wi, workload in ipairs(cfg.workloads) do
    local states = {}
    for _, lane in ipairs(lanes_available) do
      -- Molt's reference contract: a Molt-only workload has no external lanes.
      if workload.molt_only and lane.name ~= "molt" then goto next_lane end
      local st = new_state(lane)
      local built = lane:build_workload(workload.path, workdir, workload.molt_args)
      if built then
        st.build = built
        if built.binary then
          st.built = built
        else
          st.ok = false
          st.failure = classify.molt_failure("build", built.result, built.error)
          if built.missing then
            st.failure.status, st.failure.detail = "build_output_invalid", "build_artifact_missing"
          end
        end
      end
      states[#states + 1] = st
      ::next_lane::
    end
    sample_lanes(states, workload, cfg, payload, function(info)
      if info.phase == "calibrating" then return end
      done_units = done_units + 1
      local elapsed = time.now() - started
      local eta = elapsed / done_units * math.max(0, total_units - done_units)
      report(("[%d/%d] %s  %s %s %d  ETA %ds"):format(wi, #cfg.workloads, workload.name, info.benchmark.name,
        info.phase == "warmup" and "warmup" or "sample", info.iteration, math.floor(eta + 0.5)))
    end)

    if cfg.instructions then
      for _, st in ipairs(states) do
        if st.ok then
          local n, why = count_instructions(st, workload, cfg)
          st.instructions = n
          if not n then log.warn("%s %s: no instruction count: %s", workload.name, st.lane.name, why) end
        end
      end
    end
    payload.benchmarks[workload.name] = M.record(workload, states, reference, cfg)
    if cfg.on_snapshot then cfg.on_snapshot(payload) end
  end
  report(("done: %d workloads x %d lanes in %.1fs"):format(#cfg.workloads, #lanes_available, time.now() - started),
    true)
  fs.remove_tree(workdir, fs.dirname(workdir))
  -- Harness overhead: the run's wall time against the wall time of every child it started
  -- (probes, builds, samples, git), all measured the same way.
  local children = proc.totals()
  payload.rig.wall_s = time.now() - started
  payload.rig.children = children.count - children_before.count
  payload.rig.children_wall_s = children.wall_s - children_before.wall_s
  payload.rig.overhead = 1 - payload.rig.children_wall_s / payload.rig.wall_s
  return payload
end

-- Output parity of a candidate against the reference (Molt's _output_parity_evidence).
local function parity(ref, cand)
  local function stable(st)
    if not st or not st.ok or #st.outputs == 0 then return nil end
    for i = 2, #st.outputs do
      if st.outputs[i][1] ~= st.outputs[1][1] or st.outputs[i][2] ~= st.outputs[1][2] then return false end
    end
    return st.outputs[1]
  end
  local out = json.object({ checked = false, ok = json.null, reference_runtime = ref and ref.lane.name or json.null,
    reason = "reference_unavailable", stdout_match = json.null, stderr_match = json.null,
    reference_stdout_sha256 = json.null, molt_stdout_sha256 = json.null,
    reference_stderr_sha256 = json.null, molt_stderr_sha256 = json.null })
  local r, c = stable(ref), stable(cand)
  if r == nil then return out end
  if r == false then out.reason = "reference_unstable" return out end
  if c == nil then out.reason = "molt_unavailable" return out end
  if c == false then out.reason = "molt_unstable" return out end
  out.checked = true
  out.stdout_match, out.stderr_match = r[1] == c[1], r[2] == c[2]
  out.reference_stdout_sha256, out.molt_stdout_sha256 = r[1], c[1]
  out.reference_stderr_sha256, out.molt_stderr_sha256 = r[2], c[2]
  out.ok = out.stdout_match and out.stderr_match
  out.reason = out.ok and "match" or (not out.stdout_match and "stdout_mismatch" or "stderr_mismatch")
  return out
end

local FAILURE_FIELDS = { "phase", "status", "detail", "message", "returncode", "timed_out", "elapsed_s", "signal",
  "guard_violation", "orphaned_process_groups" }


--- One benchmark's record in Molt's per-benchmark format, plus Rig's `rig` block.
function M.record(workload, states, reference, cfg)
  local rec = json.object({ run_args = json.array(workload.args or {}),
    molt_args = json.array(workload.molt_args or {}),
    reference_runtime = reference and reference.name or json.null,
    reference_reason = reference and "cpython_reference" or json.null,
    ratio_directions = json.object(), runtime_stats = json.object() })
  if workload.molt_only then
    reference = nil
    rec.reference_runtime, rec.reference_reason = "molt", "molt_runtime_intrinsics_without_external_reference"
  end
  local by_name = {}
  for _, st in ipairs(states) do by_name[st.lane.name] = st end
  local ref_state = reference and by_name[reference.name]
  local rigblock = json.object({ lanes = json.object(), compare = json.object() })

  for _, st in ipairs(states) do
    local name = st.lane.name
    -- Parity before the times: a mismatching candidate is not ok.
    if cfg.parity ~= false and st ~= ref_state and st.ok and ref_state then
      local p = parity(ref_state, st)
      rec[name == "molt" and "molt_output_parity" or (name .. "_output_parity")] = p
      if p.checked and p.ok == false then
        st.ok = false
        st.failure = { phase = "parity", status = "output_mismatch", detail = p.reason,
          message = "output differs from " .. ref_state.lane.name .. " (" .. p.reason .. ")" }
      end
    end
    rec[name .. "_samples_s"] = json.array(st.ok and st.samples or {})
    rec[name .. "_warmup_samples_s"] = json.array(st.warmup)
    rec[name .. "_time_s"] = st.ok and stats.mean(st.samples) or json.null
    if st ~= ref_state then rec[name .. "_ok"] = st.ok end
    if st.instructions then rec[name .. "_instructions"] = st.instructions end
    if st.build then
      rec[name .. "_build_s"] = st.build.build_s or json.null
      rec[name .. "_size_kb"] = st.build.size_kb or json.null
    end
    if st.ok and #st.samples > 0 then
      rec.runtime_stats[name] = M.summarize_samples(st.samples)
      local ci = stats.median_ci(st.samples)
      local lane_stats = json.object({ median_s = stats.summary(st.samples).median,
        ci_low_s = ci.low, ci_high_s = ci.high, ci_confidence = ci.confidence, n = #st.samples,
        warnings = json.array({}) })
      if #st.samples >= 4 then
        local o = stats.outliers(st.samples)
        if #o.severe > 0 then
          lane_stats.warnings[#lane_stats.warnings + 1] = ("%d severe outlier(s) (beyond 3 IQR)"):format(#o.severe)
        end
        local s = stats.summary(st.samples)
        if s.cv and s.cv > 0.1 then
          lane_stats.warnings[#lane_stats.warnings + 1] = ("unstable: CV %.1f%% (> 10%%)"):format(s.cv * 100)
        end
      end
      if #st.warmup > 0 and st.warmup[1] > 1.5 * lane_stats.median_s then
        lane_stats.warnings[#lane_stats.warnings + 1] = "first (warmup) run much slower than the median"
      end
      -- Infinite bounds are not JSON: record them as null.
      if lane_stats.ci_low_s == -math.huge then lane_stats.ci_low_s = json.null end
      if lane_stats.ci_high_s == math.huge then lane_stats.ci_high_s = json.null end
      rigblock.lanes[name] = lane_stats
    end
    if st.failure then
      rigblock.lanes[name] = rigblock.lanes[name] or json.object()
      rigblock.lanes[name].failure = st.failure
    end
    if st ~= ref_state and ref_state and ref_state.ok and st.ok and #st.samples > 0 and #ref_state.samples > 0 then
      local c = stats.compare(ref_state.samples, st.samples, { alpha = cfg.alpha, noise = cfg.noise })
      rigblock.compare[name] = json.object({ ratio = json.finite(c.ratio), ci_low = json.finite(c.ci_low),
        ci_high = json.finite(c.ci_high), p_value = json.finite(c.p_value), verdict = c.verdict, reason = c.reason,
        warnings = json.array(c.warnings), against = ref_state.lane.name })
    end
  end

  -- Molt's own fields, when the molt lane is part of the run.
  local molt = by_name.molt
  if molt then
    local f = molt.failure
    rec.molt_status = molt.ok and "pass" or f.status
    rec.molt_run_status = molt.ok and "pass" or f.status
    rec.molt_run_returncode = molt.ok and 0 or (f.returncode or json.null)
    rec.molt_run_timed_out = not molt.ok and f.timed_out == true or false
    rec.molt_failure = f or json.null
    for _, k in ipairs(FAILURE_FIELDS) do
      local v = f and f[k]
      rec["molt_failure_" .. k] = v == nil and json.null or v
    end
    -- Molt's values with no failure: not timed out, no orphaned process groups.
    if not f then rec.molt_failure_timed_out, rec.molt_failure_orphaned_process_groups = false, json.array({}) end
  end
  -- Ratios (only when molt is ok): speedup = reference/molt; molt_<x>_ratio = molt/x.
  local molt_time = molt and molt.ok and stats.mean(molt.samples)
  if molt then
    local ref_time = ref_state and ref_state.ok and stats.mean(ref_state.samples)
    rec.molt_speedup = molt_adapter.ratio(ref_time, molt_time)
    rec.ratio_directions.molt_speedup = SPEEDUP
    for _, st in ipairs(states) do
      if st ~= molt then
        local t = st.ok and stats.mean(st.samples)
        local key = "molt_" .. st.lane.name .. "_ratio"
        rec[key] = molt_adapter.ratio(molt_time, t)
        rec.ratio_directions[key] = MOLT_OVER_BASELINE
      end
    end
  end
  -- Rig: every candidate against the reference, as a plain time ratio.
  for _, st in ipairs(states) do
    if st ~= ref_state and ref_state and st.lane.name ~= "molt" then
      local t, rt = st.ok and stats.mean(st.samples), ref_state.ok and stats.mean(ref_state.samples)
      local key = st.lane.name .. "_" .. ref_state.lane.name .. "_ratio"
      rec[key] = molt_adapter.ratio(t, rt)
      rec.ratio_directions[key] = RATIO
    end
  end
  M.fill_molt_lanes(rec)
  if cfg.super then rec.super_stats = rec.runtime_stats end
  rec.rig = rigblock
  return rec
end

-- Molt's native lanes, which its records always carry.
local MOLT_LANES = { "cpython", "pypy", "codon", "nuitka", "pyodide", "molt" }
local BUILT_LANES = { codon = true, nuitka = true, pyodide = true, molt = true }

--- Fills the keys Molt's bench.py writes for a lane that did not run (not attempted, not
--- available, or a Molt-only workload): `<lane>_time_s`, `_samples_s` and `_warmup_samples_s`
--- null, `<lane>_ok` false (there is no cpython_ok), build time and size null for the built
--- lanes, and the Molt ratios null. Keys already there are left alone.
---@param rec table a benchmark record
---@return table rec
function M.fill_molt_lanes(rec)
  check.arg("fill_molt_lanes", 1, rec, "table")
  local function default(k, v) if rec[k] == nil then rec[k] = v end end
  for _, lane in ipairs(MOLT_LANES) do
    default(lane .. "_time_s", json.null)
    default(lane .. "_samples_s", json.null)
    default(lane .. "_warmup_samples_s", json.null)
    if lane ~= "cpython" then default(lane .. "_ok", false) end
    if BUILT_LANES[lane] then
      default(lane .. "_build_s", json.null)
      default(lane .. "_size_kb", json.null)
    end
  end
  rec.ratio_directions = rec.ratio_directions or json.object()
  default("molt_speedup", json.null)
  if rec.ratio_directions.molt_speedup == nil then rec.ratio_directions.molt_speedup = SPEEDUP end
  for _, lane in ipairs(MOLT_LANES) do
    if lane ~= "molt" then
      default("molt_" .. lane .. "_ratio", json.null)
      if rec.ratio_directions["molt_" .. lane .. "_ratio"] == nil then
        rec.ratio_directions["molt_" .. lane .. "_ratio"] = MOLT_OVER_BASELINE
      end
    end
  end
  return rec
end

local MOLT_ARTIFACT_OPTIONS = {
  json_out = { "string", required = true }, summary_out = { "string", required = true },
  profile = { "string", required = true }, lane = { "string", default = "rig run bench" },
}
--- Molt's top-level records of a bench run, added to `payload`: `provenance` (a non-canonical
--- lane, rig.molt.provenance, `profile` as measured: Molt's "release" is cargo release-fast),
--- `memory_guard` (Molt's limits for MOLT_BENCH; `enabled` false: Rig's bench does not stop
--- runs for their memory, as sampling it would tax the timings), `custody_artifacts` and
--- `molt_failure_details` (the first 32 Molt failures in benchmark order). Returns the
--- failure-details path and its JSONL text (one sorted-key line per record).
---@param payload table
---@param opts { json_out: string, summary_out: string, profile: string, lane?: string }
---@return string path
---@return string jsonl
function M.molt_artifacts(payload, opts)
  check.arg("molt_artifacts", 1, payload, "table")
  opts = check.options("molt_artifacts", 2, opts, MOLT_ARTIFACT_OPTIONS)
  payload.provenance = molt_adapter.provenance(opts.lane, opts.profile,
    payload.git_rev ~= json.null and payload.git_rev or nil)
  local limits = molt_adapter.memory_limits("MOLT_BENCH")
  limits.enabled = false
  payload.memory_guard = limits
  payload.custody_artifacts = molt_adapter.custody_artifacts { json_out = opts.json_out,
    summary_out = opts.summary_out, guard_root = fs.join(fs.dirname(opts.json_out), "memory_guard"),
    sentinel = "bench_sentinel.jsonl" }
  local records, total = json.array({}), 0
  local names = json.keys(payload.benchmarks or {})
  table.sort(names)
  for _, name in ipairs(names) do
    local f = payload.benchmarks[name].molt_failure
    if type(f) == "table" and f ~= json.null then
      total = total + 1
      if #records < 32 then
        local function v(k) if f[k] == nil then return json.null end return f[k] end
        records[#records + 1] = json.object({ benchmark = name, phase = v("phase"), status = v("status"),
          detail = v("detail"), returncode = v("returncode"), timed_out = v("timed_out"),
          elapsed_s = v("elapsed_s"), message = v("message"), guard_violation = v("guard_violation"),
          signal = v("signal"), orphaned_process_groups = v("orphaned_process_groups"),
          log_refs = f.log_refs or json.array({}) })
      end
    end
  end
  payload.molt_failure_details = json.object({ schema_version = 1, total = total, truncated = total > #records,
    max_records = 32, records = records })
  return payload.custody_artifacts.molt_failure_details_jsonl, molt_adapter.failure_details_jsonl(records)
end

local READ_RESULTS_OPTIONS = { only = "table|boolean", require_benchmarks = "boolean", skip_invalid = "boolean" }
--- Reads a results file (Molt's bench.py/bench_wasm.py schema, which Rig's bench writes) and
--- checks the shape every reader relies on: a JSON object at the top level, `benchmarks` (when
--- present) an object of objects. nil, err for a missing file, bad JSON or a wrong shape; the
--- message names the file and the key. `opts.only` as in `rig.json.read`;
--- `opts.require_benchmarks` makes a missing `benchmarks` an error too; `opts.skip_invalid`
--- leaves out entries that are not objects instead (Molt's bench_diff does), naming them in a
--- third return value.
---@param path string
---@param opts? { only?: table|true, require_benchmarks?: boolean, skip_invalid?: boolean }
---@return table? payload
---@return rig.Error? err
---@return string[]? skipped
function M.read_results(path, opts)
  check.arg("read_results", 1, path, check.PATH)
  opts = check.options("read_results", 2, opts, READ_RESULTS_OPTIONS)
  local payload, err = json.read(path, opts.only ~= nil and { only = opts.only } or nil)
  if payload == nil then return nil, err end
  local function invalid(message)
    return nil, core.error("invalid", ("%s: invalid benchmark JSON: %s"):format(path, message))
  end
  local function kind(v)
    if type(v) ~= "table" then return type(v) == "nil" and "nothing" or ("a " .. type(v)) end
    return json.is_object(v) and "an object" or "an array"
  end
  if not json.is_object(payload) then return invalid("expected an object at the top level, got " .. kind(payload)) end
  local benchmarks = payload.benchmarks
  if benchmarks == nil then
    if opts.require_benchmarks then return invalid("expected top-level 'benchmarks' dict") end
    return payload
  end
  if not json.is_object(benchmarks) then
    return invalid("key 'benchmarks' must be an object, got " .. kind(benchmarks))
  end
  local skipped = {}
  for _, name in ipairs(json.keys(benchmarks)) do
    if not json.is_object(benchmarks[name]) then
      if not opts.skip_invalid then
        return invalid(("key 'benchmarks.%s' must be an object, got %s"):format(name, kind(benchmarks[name])))
      end
      -- As Molt's bench_diff: an entry that is not an object is left out (and named here).
      skipped[#skipped + 1] = ("benchmarks.%s (%s)"):format(name, kind(benchmarks[name]))
      benchmarks[name] = nil
    end
  end
  return payload, nil, skipped
end

--- Molt's baseline gate, then Rig's check of whether the data support each regression.
--- Returns {ok, messages, unsupported}.
function M.check_baseline(current, baseline, max_regression, opts)
  opts = check.options("check_baseline", 4, opts, { statistical = "boolean" })
  local messages, unsupported = {}, {}
  local problems = {}
  for _, field in ipairs { "timing_mode", "warmup", "samples" } do
    local c, b = current[field], baseline[field]
    if c == nil then problems[#problems + 1] = "current missing " .. field
    elseif b == nil then problems[#problems + 1] = "baseline missing " .. field
    elseif c ~= b then problems[#problems + 1] = ("%s differs: current=%s, baseline=%s"):format(field, tostring(c),
      tostring(b)) end
  end
  if #problems > 0 then
    return { ok = false, messages = { "incompatible benchmark baseline: " .. table.concat(problems, "; ")
      .. "; regenerate the baseline with matching benchmark timing settings" }, unsupported = {} }
  end
  local names = json.keys(current.benchmarks or {})
  table.sort(names)
  for _, name in ipairs(names) do
    local cur, base = current.benchmarks[name], (baseline.benchmarks or {})[name]
    local cr, br = cur and cur.molt_cpython_ratio, base and base.molt_cpython_ratio
    if type(cr) == "number" and type(br) == "number" and cr > br * (1 + max_regression) then
      local line = ("%s: ratio %.4f > %.4f * %.2f"):format(name, cr, br, 1 + max_regression)
      -- Can the samples tell it from noise? Compare molt's samples now and then. Molt's
      -- gate fails on the ratio alone; only `statistical` lets the samples excuse a breach
      -- (`unsupported`), and otherwise they are evidence printed beside it.
      local a, b = base.molt_samples_s, cur.molt_samples_s
      local c = type(a) == "table" and type(b) == "table" and #a > 0 and #b > 0 and stats.compare(a, b) or nil
      if c and c.verdict ~= "slower" then
        local note = line .. (" (the molt samples do not show a slowdown: %s, %s)"):format(c.verdict, c.reason)
        if opts.statistical then
          unsupported[#unsupported + 1] = note
        else
          messages[#messages + 1] = line
          unsupported[#unsupported + 1] = note
        end
      else
        messages[#messages + 1] = line
      end
    end
  end
  return { ok = #messages == 0, messages = messages, unsupported = unsupported }
end

local function fmt(x, pattern)
  if type(x) ~= "number" then return "-" end
  return (pattern or "%.4f"):format(x)
end

-- Lane names from a list of names or of lanes (rig.lanes objects).
local function lane_names(fname, n, lanes)
  check.arg(fname, n, lanes, "list", 1)
  local out = {}
  for i, lane in ipairs(lanes) do
    if type(lane) == "table" and type(lane.name) == "string" then
      out[i] = lane.name
    elseif type(lane) == "string" then
      out[i] = lane
    else
      error(("bad argument #%d to '%s' (lanes[%d]: a lane or a lane's name, got a %s)"):format(n, fname, i,
        type(lane)), 3)
    end
  end
  return out
end

--- Molt's summary layout (bench_reporting.render_bench_summary_markdown) with Rig's medians,
--- intervals and verdicts.
function M.summary_markdown(payload, json_path, lanes)
  lanes = lane_names("summary_markdown", 3, lanes)
  local out = { "# Molt Benchmark Summary\n\n", "Generated: ", payload.created_at, "\n\n",
    "JSON: `", json_path or "-", "`\n\n" }
  local names = json.keys(payload.benchmarks)
  table.sort(names)
  local rows = {}
  for _, name in ipairs(names) do
    local r = payload.benchmarks[name]
    -- Molt's Failure cell: "status (detail)", "status", or "-".
    local f, failure = r.molt_failure, "-"
    if type(f) == "table" and f ~= json.null then
      failure = tostring(f.status or "failed")
      if f.detail and f.detail ~= json.null and f.detail ~= "" then
        failure = failure .. " (" .. tostring(f.detail) .. ")"
      end
    end
    rows[#rows + 1] = { name, r.molt_status ~= nil and r.molt_status ~= json.null and tostring(r.molt_status)
      or "unknown", fmt(r.cpython_time_s), fmt(r.molt_time_s), fmt(r.molt_cpython_ratio), failure }
  end
  out[#out + 1] = md.table(rows, { headers = { "Benchmark", "Molt Status", "CPython s", "Molt s", "Molt/CPython",
    "Failure" } })
  -- Molt's custody and failure sections.
  local custody = molt_adapter.custody_lines(payload.custody_artifacts)
  if #custody > 0 then
    out[#out + 1] = "\n## Custody Artifacts\n"
    for _, line in ipairs(custody) do out[#out + 1] = line .. "\n" end
  end
  local details = type(payload.molt_failure_details) == "table" and payload.molt_failure_details or {}
  if type(details.records) == "table" and #details.records > 0 then
    out[#out + 1] = "\n## Molt Failure Details\n"
    for _, rec in ipairs(details.records) do
      local detail = rec.detail ~= nil and rec.detail ~= json.null and rec.detail ~= "" and
        (" detail=`%s`"):format(tostring(rec.detail)) or ""
      out[#out + 1] = ("- `%s` phase=`%s` status=`%s`%s\n"):format(tostring(rec.benchmark), tostring(rec.phase),
        tostring(rec.status), detail)
      for i, ref in ipairs(type(rec.log_refs) == "table" and rec.log_refs or {}) do
        if i > 4 then break end
        if type(ref) == "table" and ref.path then
          out[#out + 1] = ("  - %s: `%s`\n"):format(tostring(ref.kind or "log"), tostring(ref.path))
        end
      end
    end
    if details.truncated == true then out[#out + 1] = "- Failure detail list truncated at 32 records.\n" end
  end
  -- Rig: medians with their intervals, and verdicts against the reference.
  out[#out + 1] = "\n## Medians and verdicts\n\n"
  local rrows = {}
  for _, name in ipairs(names) do
    local r = payload.benchmarks[name]
    for _, lane in ipairs(lanes) do
      local ls = r.rig.lanes[lane]
      local c = r.rig.compare[lane]
      if ls and ls.median_s then
        local ci = (type(ls.ci_low_s) == "number" and type(ls.ci_high_s) == "number")
          and ("[%.4f, %.4f]"):format(ls.ci_low_s, ls.ci_high_s) or "n/a (too few samples)"
        rrows[#rrows + 1] = { name, lane, fmt(ls.median_s), ci,
          c and fmt(c.ratio, "%.3fx") or "-",
          c and (type(c.ci_low) == "number" and ("[%.3f, %.3f]"):format(c.ci_low, c.ci_high) or "-") or "-",
          c and c.verdict or "reference", table.concat(ls.warnings or {}, "; ") }
      elseif ls and ls.failure then
        rrows[#rrows + 1] = { name, lane, "-", "-", "-", "-", "failed: " .. ls.failure.status, "" }
      end
    end
  end
  out[#out + 1] = md.table(rrows, { headers = { "Benchmark", "Lane", "Median s", "95% CI", "Ratio", "Ratio CI",
    "Verdict", "Warnings" }, align = { "left", "left", "right", "right", "right", "right", "left", "left" } })
  out[#out + 1] = "\nGenerated by `rig run bench`.\n"
  return table.concat(out)
end

--- The terminal table: medians, intervals and ratios per workload and lane.
function M.terminal_table(payload, lanes)
  lanes = lane_names("terminal_table", 2, lanes)
  local names = json.keys(payload.benchmarks)
  table.sort(names)
  local rows = { { "benchmark", "lane", "median s", "95% CI", "vs ref", "verdict" } }
  for _, name in ipairs(names) do
    local r = payload.benchmarks[name]
    for _, lane in ipairs(lanes) do
      local ls, c = r.rig.lanes[lane], r.rig.compare[lane]
      if ls then
        local ci = (type(ls.ci_low_s) == "number" and type(ls.ci_high_s) == "number")
          and ("%.4f-%.4f"):format(ls.ci_low_s, ls.ci_high_s) or "n/a (few samples)"
        rows[#rows + 1] = { name, lane, ls.median_s and ("%.4f"):format(ls.median_s) or "-",
          ls.median_s and ci or "-", c and ("%.3fx"):format(c.ratio or 0) or (ls.failure and "" or "ref"),
          ls.failure and ("FAILED " .. ls.failure.status) or (c and c.verdict or "") }
      end
    end
  end
  local widths = {}
  for _, row in ipairs(rows) do
    for i, cell in ipairs(row) do widths[i] = math.max(widths[i] or 0, #tostring(cell)) end
  end
  local lines = {}
  for _, row in ipairs(rows) do
    local parts = {}
    for i, cell in ipairs(row) do
      local text = tostring(cell)
      parts[i] = (i >= 3 and i <= 5) and (string.rep(" ", widths[i] - #text) .. text)
        or (text .. string.rep(" ", widths[i] - #text))
    end
    lines[#lines + 1] = table.concat(parts, "  ")
  end
  return table.concat(lines, "\n") .. "\n"
end

return M
