-- Molt's tools/throughput_matrix.py: for each build profile x compiler wrapper (sccache off/on),
-- one build alone, then every script built at once, each case with its own cache and tmp
-- dirs and one shared target dir; optionally a differential-test lane; gates on errors,
-- timeouts, failed tests and the concurrent-vs-single ratio. Build and diff commands are
-- templates, so it runs with Molt or with any compiler.

local MOLT_BUILD = "uv run --python {python_version} python -m molt.cli build {script} --profile {profile} "
  .. "--cache-report --out-dir {out_dir}"
local MOLT_DIFF = "uv run --python {python_version} python -u tests/molt_diff.py --build-profile {profile} "
  .. "--jobs {jobs} --json-output {summary} --log-dir {log_dir} --no-retry-oom {scripts}"

local function round3(x) return math.floor(x * 1000 + 0.5) / 1000 end
local function round6(x) return math.floor(x * 1e6 + 0.5) / 1e6 end

-- Molt's record keys, in its order (CommandResult, the case and meta dicts).
local RESULT_KEYS = { "command", "returncode", "elapsed_sec", "timed_out", "stdout_tail", "stderr_tail", "cwd",
  "output_size_bytes" }
local DIFF_KEYS = { "case", "profile", "wrapper", table.unpack(RESULT_KEYS) }
DIFF_KEYS[#DIFF_KEYS + 1] = "summary"
DIFF_KEYS[#DIFF_KEYS + 1] = "summary_read_error"
local META_KEYS = { "timestamp_utc", "repo_root", "output_root", "shared_target_dir", "python_version", "profiles",
  "wrappers", "build_scripts", "concurrency", "timeout_sec", "run_diff", "diff_scripts", "diff_jobs",
  "diff_timeout_sec", "diff_child_rlimit_gb", "gate_max_build_errors", "gate_max_build_timeouts",
  "gate_max_diff_command_errors", "gate_max_diff_timeouts", "gate_max_diff_failed_tests",
  "gate_max_concurrent_vs_single_ratio", "fail_on_gate" }

-- Molt's _evaluate_gate_status: counts, the cases behind them, and its reasons.
local function gate_status(p, build_matrix, diff_matrix)
  local json = rig.json
  local n = { build_errors = 0, build_timeouts = 0, diff_command_errors = 0, diff_timeouts = 0,
    diff_failed_tests = 0 }
  local v = { build_error_cases = {}, build_timeout_cases = {}, diff_error_cases = {}, diff_timeout_cases = {},
    diff_failed_cases = {}, concurrency_ratio_cases = {} }
  -- A timed-out command counts as a timeout and, with its 124, as an error too (as Molt's).
  local function tally(r, label, errors, error_cases, timeouts, timeout_cases)
    if math.type(r.returncode) == "integer" and r.returncode ~= 0 then
      n[errors] = n[errors] + 1
      table.insert(v[error_cases], label)
    end
    if r.timed_out then
      n[timeouts] = n[timeouts] + 1
      table.insert(v[timeout_cases], label)
    end
  end
  local max_ratio = p.gate_max_concurrent_vs_single_ratio
  for _, b in ipairs(build_matrix) do
    tally(b.single, b.case .. ":single", "build_errors", "build_error_cases", "build_timeouts", "build_timeout_cases")
    for i, w in ipairs(b.concurrent_workers) do
      tally(w, ("%s:worker_%d"):format(b.case, i - 1), "build_errors", "build_error_cases", "build_timeouts",
        "build_timeout_cases")
    end
    local single = b.single.elapsed_sec
    if max_ratio and single > 0 then
      local ratio = b.concurrent_wall_sec / single
      if ratio > max_ratio then
        table.insert(v.concurrency_ratio_cases, json.object({ case = b.case, single_elapsed_sec = round6(single),
          concurrent_wall_sec = round6(b.concurrent_wall_sec), ratio = round6(ratio), max_ratio = max_ratio },
          { "case", "single_elapsed_sec", "concurrent_wall_sec", "ratio", "max_ratio" }))
      end
    end
  end
  for _, d in ipairs(diff_matrix) do
    tally(d, d.case, "diff_command_errors", "diff_error_cases", "diff_timeouts", "diff_timeout_cases")
    local s = d.summary
    if type(s) == "table" and json.is_object(s) and math.type(s.failed) == "integer" and s.failed > 0 then
      n.diff_failed_tests = n.diff_failed_tests + s.failed
      table.insert(v.diff_failed_cases, json.object({ case = d.case, failed = s.failed,
        passed = s.passed == nil and json.null or s.passed, total = s.total == nil and json.null or s.total },
        { "case", "failed", "passed", "total" }))
    end
  end
  local reasons = {}
  for _, r in ipairs {
    { "build_errors", p.gate_max_build_errors, "build command errors" },
    { "build_timeouts", p.gate_max_build_timeouts, "build timeouts" },
    { "diff_command_errors", p.gate_max_diff_command_errors, "diff command errors" },
    { "diff_timeouts", p.gate_max_diff_timeouts, "diff timeouts" },
    { "diff_failed_tests", p.gate_max_diff_failed_tests, "diff failed tests" } } do
    if n[r[1]] > r[2] then reasons[#reasons + 1] = ("%s %d > %d"):format(r[3], n[r[1]], r[2]) end
  end
  if #v.concurrency_ratio_cases > 0 then
    reasons[#reasons + 1] = ("build concurrency ratio violations detected: %d over threshold")
      :format(#v.concurrency_ratio_cases)
  end
  local violations = json.object({}, { "build_error_cases", "build_timeout_cases", "diff_error_cases",
    "diff_timeout_cases", "diff_failed_cases", "concurrency_ratio_cases" })
  for k, list in pairs(v) do violations[k] = json.array(list) end
  return json.object({ passed = #reasons == 0,
    thresholds = json.object({ max_build_errors = p.gate_max_build_errors,
      max_build_timeouts = p.gate_max_build_timeouts, max_diff_command_errors = p.gate_max_diff_command_errors,
      max_diff_timeouts = p.gate_max_diff_timeouts, max_diff_failed_tests = p.gate_max_diff_failed_tests,
      max_concurrent_vs_single_ratio = max_ratio or json.null }, { "max_build_errors", "max_build_timeouts",
      "max_diff_command_errors", "max_diff_timeouts", "max_diff_failed_tests", "max_concurrent_vs_single_ratio" }),
    observed = json.object({ build_errors = n.build_errors, build_timeouts = n.build_timeouts,
      diff_command_errors = n.diff_command_errors, diff_timeouts = n.diff_timeouts,
      diff_failed_tests = n.diff_failed_tests, ratio_violations = #v.concurrency_ratio_cases },
      { "build_errors", "build_timeouts", "diff_command_errors", "diff_timeouts", "diff_failed_tests",
        "ratio_violations" }),
    failed_reasons = json.array(reasons), violations = violations },
    { "passed", "thresholds", "observed", "failed_reasons", "violations" })
end

return rig.recipe {
  description = "Run a throughput matrix over Molt build and optional differential runs (Molt's "
    .. "tools/throughput_matrix.py): per profile x wrapper one build alone, then every script at once; gates.",
  params = {
    { "output_root", type = "path", help = "Output root for artifacts/results. Defaults under the run scratch "
      .. "root: <MOLT_EXT_ROOT or the repository>/tmp/throughput_matrix_<UTC stamp>." },
    { "shared_target_dir", type = "path", help = "Optional shared CARGO_TARGET_DIR for all cases "
      .. "(default: <output root>/shared_target)." },
    { "python_version", default = "3.12", help = "uv python version for commands." },
    { "profiles", type = "list", many = true, choices = { "dev", "release" },
      help = "Build profiles to test (default: dev release)." },
    { "wrappers", type = "list", of = "integer", many = true, choices = { 0, 1 },
      help = "Wrapper modes: 0=off, 1=on (default: 0 1)." },
    { "build_scripts", type = "list", many = true, help = "Scripts used for build single/concurrent phases "
      .. "(default: examples/hello.py tests/differential/basic/ellipsis_basic.py)." },
    { "concurrency", type = "integer", default = 2, help = "Concurrent build workers." },
    { "timeout_sec", type = "number", default = 75.0, help = "Per-build command timeout in seconds." },
    { "run_diff", type = "boolean", default = false, help = "Also run a differential mini-matrix." },
    { "diff_scripts", type = "list", many = true, help = "Differential scripts when --run-diff is enabled "
      .. "(default: tests/differential/basic/{augassign_inplace,container_mutation,ellipsis_basic}.py)." },
    { "diff_jobs", type = "integer", default = 2, help = "Worker count for differential runs." },
    { "diff_timeout_sec", type = "number", default = 180.0,
      help = "Per-diff command timeout in seconds." },
    { "diff_child_rlimit_gb", type = "number", help = "Optional explicit child RLIMIT_RSS backstop for diff "
      .. "children (MOLT_DIFF_CHILD_RLIMIT_GB; default: unset)." },
    { "gate_max_build_errors", type = "integer", default = 0,
      help = "Gate threshold for non-zero build command return codes." },
    { "gate_max_build_timeouts", type = "integer", default = 0,
      help = "Gate threshold for build command timeouts." },
    { "gate_max_diff_command_errors", type = "integer", default = 0,
      help = "Gate threshold for non-zero diff command return codes." },
    { "gate_max_diff_timeouts", type = "integer", default = 0,
      help = "Gate threshold for diff command timeouts." },
    { "gate_max_diff_failed_tests", type = "integer", default = 0,
      help = "Gate threshold for summed failed diff tests from per-case summaries." },
    { "gate_max_concurrent_vs_single_ratio", type = "number",
      help = "Optional gate threshold for `concurrent_wall_sec / single_elapsed_sec` per build case." },
    { "fail_on_gate", type = "boolean", default = false, help = "Exit with code 2 when gate status fails." },
    { "build_cmd", default = MOLT_BUILD,
      help = "Rig: the build command (it makes {out_dir}, as molt build does); placeholders {script} {profile} "
        .. "{out_dir} {python_version}" },
    { "diff_cmd", default = MOLT_DIFF,
      help = "Rig: the diff command; placeholders {profile} {jobs} {summary} {log_dir} {scripts} {python_version}" },
  },
  examples = { "rig run throughput_matrix --profiles dev --wrappers 0 --build-scripts a.c b.c "
    .. "--build-cmd 'sh build.sh {profile} {out_dir} {script}'" },
  run = function(p, ctx)
    local fs, json = rig.fs, rig.json
    local profiles = #p.profiles > 0 and p.profiles or { "dev", "release" }
    local wrappers = #p.wrappers > 0 and p.wrappers or { 0, 1 }
    local scripts = #p.build_scripts > 0 and p.build_scripts
      or { "examples/hello.py", "tests/differential/basic/ellipsis_basic.py" }
    local diff_scripts = #p.diff_scripts > 0 and p.diff_scripts or { "tests/differential/basic/augassign_inplace.py",
      "tests/differential/basic/container_mutation.py", "tests/differential/basic/ellipsis_basic.py" }
    local function build_values(script, profile, out_dir)
      return { script = script, profile = profile, out_dir = out_dir, python_version = p.python_version }
    end
    local function diff_values(profile, summary, log_dir)
      return { profile = profile, jobs = tostring(p.diff_jobs), summary = summary, log_dir = log_dir,
        scripts = diff_scripts, python_version = p.python_version }
    end
    -- Misspelt placeholders are refused before anything runs.
    for flag, check in pairs { ["--build-cmd"] = { p.build_cmd, build_values("x", "dev", "x") },
      ["--diff-cmd"] = { p.diff_cmd, diff_values("dev", "x", "x") } } do
      local _, why = rig.util.expand_command(check[1], check[2])
      if why then
        ctx.log.error("%s: %s", flag, why)
        return 2
      end
    end
    -- Molt builds from the repository root. The output root defaults under the artifact root
    -- (MOLT_EXT_ROOT, else the repository); the builds' MOLT_EXT_ROOT is MOLT_EXT_ROOT, else
    -- the output root when one was given.
    local repo = rig.molt.repo_root()
    local root, why
    if p.output_root then root = fs.absolute(p.output_root)
    else root, why = rig.molt.default_output_root(repo, "throughput_matrix") end
    if not root then
      io.stderr:write(why, "\n")
      return 1
    end
    assert(fs.mkdir(root))
    root = fs.realpath(root)
    io.stdout:write("output_root=", root, "\n")
    io.stdout:flush()
    local ext
    ext, why = rig.molt.ext_root(p.output_root and root or repo)
    if not ext then
      io.stderr:write(why, "\n")
      return 1
    end
    local shared_target = p.shared_target_dir and fs.absolute(p.shared_target_dir) or fs.join(root, "shared_target")
    assert(fs.mkdir(shared_target))

    -- Molt's environment for one case's commands (golden/throughput_matrix/*/uv_calls):
    -- wrapper 0 turns sccache off and drops the inherited compiler wrappers.
    local function case_env(case_dir, wrapper)
      local env = { CARGO_TARGET_DIR = shared_target, MOLT_DIFF_CARGO_TARGET_DIR = shared_target,
        MOLT_EXT_ROOT = ext, MOLT_CACHE = fs.join(case_dir, "cache"),
        MOLT_DIFF_ROOT = fs.join(case_dir, "diff_root"), MOLT_DIFF_TMPDIR = fs.join(case_dir, "tmp"),
        TMPDIR = fs.join(case_dir, "tmp"), UV_CACHE_DIR = os.getenv("UV_CACHE_DIR") or fs.join(ext, "uv-cache"),
        PYTHONHASHSEED = "0", PYTHONPATH = "src", UV_NO_SYNC = "1",
        MOLT_USE_SCCACHE = tostring(wrapper), MOLT_DIFF_ALLOW_RUSTC_WRAPPER = tostring(wrapper) }
      if wrapper == 0 then
        env.SCCACHE_DISABLE, env.RUSTC_WRAPPER, env.CARGO_BUILD_RUSTC_WRAPPER = "1", false, false
      else
        env.SCCACHE_DISABLE = false
      end
      for _, d in ipairs { "cache", "diff_root", "tmp" } do assert(fs.mkdir(fs.join(case_dir, d))) end
      return env
    end
    -- One command's spec, under Molt's memory budget for MOLT_BENCH (taken at each launch).
    local function spec_for(argv, env, timeout)
      local spec = table.move(argv, 1, #argv, 1, {})
      spec.env = {}
      for k, v in pairs(env) do spec.env[k] = v end
      spec.timeout, spec.cwd = timeout, repo
      return rig.molt.guard(spec, "MOLT_BENCH")
    end
    -- Molt's CommandResult (tools/throughput_measurement.py).
    local function command_result(spec, r, out_dir)
      local size = json.null
      local st = out_dir and fs.stat(out_dir)
      if st then size = st.kind == "directory" and ((fs.tree_size(out_dir) or { bytes = 0 }).bytes) or st.size end
      local ran = r and r.spawn_error == nil
      local timed_out = ran and r.timed_out == true or false
      return json.object({ command = json.array(table.move(spec, 1, #spec, 1, {})),
        returncode = ran and rig.molt.guard_returncode(r) or 1,
        elapsed_sec = ran and round3(r.wall_s) or 0.0, timed_out = timed_out,
        stdout_tail = rig.util.tail_lines(ran and r.stdout or "", 12),
        stderr_tail = rig.util.tail_lines(r and r.stderr or "", 12), cwd = repo, output_size_bytes = size },
        RESULT_KEYS)
    end
    local function expand(template, values) return assert(rig.util.expand_command(template, values)) end

    local build_matrix, diff_matrix = json.array({}), json.array({})
    local function build_case(profile, wrapper)
      local name = ("build_profile_%s__wrapper_%d"):format(profile, wrapper)
      local case_dir = fs.join(root, name)
      local out_root = fs.join(case_dir, "out")
      assert(fs.mkdir(out_root))
      local env = case_env(case_dir, wrapper)
      io.stdout:write(("[build] %s: single phase\n"):format(name))
      io.stdout:flush()
      local single_out = fs.join(out_root, "single")
      local single_spec = spec_for(expand(p.build_cmd, build_values(scripts[1], profile, single_out)), env,
        p.timeout_sec)
      local single = command_result(single_spec, rig.proc.run(single_spec) or nil, single_out)
      io.stdout:write(("[build] %s: concurrent phase\n"):format(name))
      io.stdout:flush()
      -- Every script at once, min(concurrency, scripts) at a time; Molt lists the workers in
      -- the order they finished.
      local specs, outs = {}, {}
      for i, script in ipairs(scripts) do
        outs[i] = fs.join(out_root, ("concurrent_%d"):format(i - 1))
        specs[i] = spec_for(expand(p.build_cmd, build_values(script, profile, outs[i])), env, p.timeout_sec)
      end
      local started = rig.time.now()
      local results = rig.proc.run_many(specs, { jobs = math.max(1, math.min(p.concurrency, #scripts)) })
      local wall = round3(rig.time.now() - started)
      local finished = {}
      for i, r in ipairs(results) do
        finished[i] = { command_result(specs[i], r.error == nil and r or rig.proc.not_started(r.error), outs[i]),
          r.start_s and (r.start_s + (r.wall_s or 0)) or math.huge, i }
      end
      table.sort(finished, function(a, b) if a[2] ~= b[2] then return a[2] < b[2] end return a[3] < b[3] end)
      local workers = json.array({})
      for i, w in ipairs(finished) do workers[i] = w[1] end
      build_matrix[#build_matrix + 1] = json.object({ case = name, profile = profile, wrapper = wrapper == 1,
        single = single, concurrent_wall_sec = wall, concurrent_workers = workers },
        { "case", "profile", "wrapper", "single", "concurrent_wall_sec", "concurrent_workers" })
      io.stdout:write(("[build] %s: single=%ss (rc=%d) concurrent_wall=%ss\n"):format(name,
        rig.molt.py_float(single.elapsed_sec), single.returncode, rig.molt.py_float(wall)))
      io.stdout:flush()
    end
    local function diff_case(profile, wrapper)
      local name = ("diff_profile_%s__wrapper_%d"):format(profile, wrapper)
      local case_dir = fs.join(root, name)
      local log_dir, summary = fs.join(case_dir, "log_dir"), fs.join(case_dir, "summary.json")
      assert(fs.mkdir(log_dir))
      local env = case_env(case_dir, wrapper)
      env.MOLT_DIFF_MEASURE_RSS = "1"
      if p.diff_child_rlimit_gb then env.MOLT_DIFF_CHILD_RLIMIT_GB = rig.molt.py_float(p.diff_child_rlimit_gb) end
      local spec = spec_for(expand(p.diff_cmd, diff_values(profile, summary, log_dir)), env, p.diff_timeout_sec)
      io.stdout:write(("[diff] %s\n"):format(name))
      io.stdout:flush()
      local rec = command_result(spec, rig.proc.run(spec) or nil, nil)
      rec.case, rec.profile, rec.wrapper = name, profile, wrapper == 1
      if fs.exists(summary) then
        local s, err = json.read(summary)
        if s ~= nil then rec.summary = s else rec.summary_read_error = err.message end
      end
      json.object(rec, DIFF_KEYS)
      diff_matrix[#diff_matrix + 1] = rec
      io.stdout:write(("[diff] %s: elapsed=%ss rc=%d\n"):format(name, rig.molt.py_float(rec.elapsed_sec),
        rec.returncode))
      io.stdout:flush()
    end
    for _, profile in ipairs(profiles) do
      for _, wrapper in ipairs(wrappers) do build_case(profile, wrapper) end
    end
    if p.run_diff then
      for _, profile in ipairs(profiles) do
        for _, wrapper in ipairs(wrappers) do diff_case(profile, wrapper) end
      end
    end

    local gate = gate_status(p, build_matrix, diff_matrix)
    local meta = json.object({ timestamp_utc = rig.time.isoformat(), repo_root = repo, output_root = root,
      shared_target_dir = p.shared_target_dir or "", python_version = p.python_version,
      profiles = json.array(profiles), wrappers = json.array(wrappers), build_scripts = json.array(scripts),
      concurrency = p.concurrency, timeout_sec = p.timeout_sec + 0.0, run_diff = p.run_diff,
      diff_scripts = json.array(p.run_diff and diff_scripts or {}), diff_jobs = p.run_diff and p.diff_jobs or 0,
      diff_timeout_sec = p.run_diff and p.diff_timeout_sec + 0.0 or 0,
      diff_child_rlimit_gb = p.run_diff and p.diff_child_rlimit_gb and p.diff_child_rlimit_gb + 0.0 or json.null,
      gate_max_build_errors = p.gate_max_build_errors, gate_max_build_timeouts = p.gate_max_build_timeouts,
      gate_max_diff_command_errors = p.gate_max_diff_command_errors,
      gate_max_diff_timeouts = p.gate_max_diff_timeouts, gate_max_diff_failed_tests = p.gate_max_diff_failed_tests,
      gate_max_concurrent_vs_single_ratio = p.gate_max_concurrent_vs_single_ratio
        and p.gate_max_concurrent_vs_single_ratio + 0.0 or json.null,
      fail_on_gate = p.fail_on_gate }, META_KEYS)
    local out = fs.join(root, "matrix_results.json")
    assert(json.write(out, json.object({ meta = meta, build_matrix = build_matrix, diff_matrix = diff_matrix,
      gate_status = gate }, { "meta", "build_matrix", "diff_matrix", "gate_status" }), { indent = 2, ascii = true }))
    io.stdout:write("wrote ", out, "\n")
    if gate.passed then
      io.stdout:write("gate_status=pass\n")
      return 0
    end
    io.stdout:write("gate_status=fail\n")
    for _, r in ipairs(gate.failed_reasons) do io.stdout:write("gate_failure: ", r, "\n") end
    return p.fail_on_gate and 2 or 0
  end,
}
