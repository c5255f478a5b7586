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

-- Milliseconds since the epoch of an ISO 8601 UTC stamp ("2026-11-27T07:25:13.426Z"), for
-- ordering finishes.
local function stamp_ms(iso)
  local y, mo, d, h, mi, s, ms = iso:match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)%.?(%d*)")
  if not y then return 0 end
  local t = os.time { year = tonumber(y), month = tonumber(mo), day = tonumber(d), hour = tonumber(h),
    min = tonumber(mi), sec = tonumber(s) }
  return t * 1000 + (tonumber(ms) or 0)
end

return rig.recipe {
  description = "Build throughput per profile x wrapper: single vs concurrent builds, gates (throughput_matrix.py).",
  params = {
    { "output_root", type = "path",
      help = "default <MOLT_EXT_ROOT or the repository>/tmp/throughput_matrix_<UTC stamp>" },
    { "shared_target_dir", type = "path", help = "one CARGO_TARGET_DIR for all cases (default <out>/shared_target)" },
    { "python_version", default = "3.12" },
    { "profiles", type = "list", many = true, help = "build profiles (default dev release)" },
    { "wrappers", type = "list", of = "integer", many = true, help = "0 sccache off, 1 on (default 0 1)" },
    { "build_scripts", type = "list", many = true, help = "what to build (the first also alone)" },
    { "concurrency", type = "integer", default = 2 },
    { "timeout_sec", type = "number", default = 75, help = "per build" },
    { "run_diff", type = "boolean", default = false },
    { "diff_scripts", type = "list", many = true },
    { "diff_jobs", type = "integer", default = 2 },
    { "diff_timeout_sec", type = "number", default = 180 },
    { "diff_child_rlimit_gb", type = "number" },
    { "gate_max_build_errors", type = "integer", default = 0 },
    { "gate_max_build_timeouts", type = "integer", default = 0 },
    { "gate_max_diff_command_errors", type = "integer", default = 0 },
    { "gate_max_diff_timeouts", type = "integer", default = 0 },
    { "gate_max_diff_failed_tests", type = "integer", default = 0 },
    { "gate_max_concurrent_vs_single_ratio", type = "number", help = "off unless given" },
    { "fail_on_gate", type = "boolean", default = false, help = "exit 2 when a gate fails" },
    { "build_cmd", default = MOLT_BUILD, help = "placeholders {script} {profile} {out_dir} {python_version}" },
    { "diff_cmd", default = MOLT_DIFF,
      help = "placeholders {profile} {jobs} {summary} {log_dir} {scripts} {python_version}" },
  },
  examples = { "rig run throughput_matrix --profiles dev --wrappers 0 --build-scripts a.c b.c "
    .. "--build-cmd 'sh build.sh {profile} {out_dir} {script}'" },
  run = function(p, ctx)
    local fs, json = rig.fs, rig.json
    local profiles = #p.profiles > 0 and p.profiles or { "dev", "release" }
    local wrappers = #p.wrappers > 0 and p.wrappers or { 0, 1 }
    local scripts = #p.build_scripts > 0 and p.build_scripts
      or { "examples/hello.py", "tests/differential/basic/ellipsis_basic.py" }
    for _, w in ipairs(wrappers) do
      if w ~= 0 and w ~= 1 then
        ctx.log.error("--wrappers takes 0 (sccache off) or 1 (on), got %s", tostring(w))
        return 2
      end
    end
    local function build_values(script, profile, out_dir)
      return { script = script, profile = profile, out_dir = out_dir, python_version = p.python_version }
    end
    local function diff_values(profile, summary, log_dir)
      return { profile = profile, jobs = tostring(p.diff_jobs), summary = summary, log_dir = log_dir,
        scripts = p.diff_scripts, python_version = p.python_version }
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
    -- Molt builds from the repository root, under its artifact root.
    local repo = rig.molt.repo_root()
    local root, root_err = rig.molt.default_output_root(repo, "throughput_matrix")
    if not root then
      io.stderr:write(root_err, "\n")
      return 1
    end
    root = p.output_root or root
    assert(fs.mkdir(root))
    root = fs.realpath(root)
    local shared_target = p.shared_target_dir or fs.join(root, "shared_target")
    assert(fs.mkdir(shared_target))

    local function wrapper_env(case_dir, wrapper)
      -- Molt's build environment (Tests/Fixtures/molt/golden/throughput_matrix/*/uv_calls).
      local env = { CARGO_TARGET_DIR = shared_target, MOLT_DIFF_CARGO_TARGET_DIR = shared_target,
        MOLT_EXT_ROOT = root, MOLT_CACHE = fs.join(case_dir, "cache"),
        MOLT_DIFF_ROOT = fs.join(case_dir, "diff_root"), MOLT_DIFF_TMPDIR = fs.join(case_dir, "tmp"),
        TMPDIR = fs.join(case_dir, "tmp"), UV_CACHE_DIR = fs.join(root, "uv-cache"), PYTHONHASHSEED = "0",
        PYTHONPATH = "src", UV_NO_SYNC = "1",
        MOLT_USE_SCCACHE = tostring(wrapper), MOLT_DIFF_ALLOW_RUSTC_WRAPPER = tostring(wrapper) }
      if wrapper == 0 then env.SCCACHE_DISABLE = "1" end
      for _, d in ipairs { "cache", "diff_root", "tmp" } do assert(fs.mkdir(fs.join(case_dir, d))) end
      return env
    end
    -- Molt's CommandResult.
    local shown = setmetatable({}, { __mode = "k" }) -- spec -> the command as recorded
    local function command_result(spec, r, err, out_dir)
      local argv = shown[spec] or spec
      local size = 0
      if out_dir and fs.exists(out_dir) then size = (fs.tree_size(out_dir) or { bytes = 0 }).bytes end
      if not r then
        return json.object({ command = json.array(table.move(argv, 1, #argv, 1, {})), returncode = 127,
          elapsed_sec = 0.0, timed_out = false, stdout_tail = "", stderr_tail = err and err.message or "",
          cwd = spec.cwd or fs.realpath("."), output_size_bytes = size })
      end
      return json.object({ command = json.array(table.move(argv, 1, #argv, 1, {})),
        returncode = r.timed_out and 124 or (r.code or (r.signal and -r.signal) or 1),
        elapsed_sec = round3(r.wall_s), timed_out = r.timed_out == true,
        stdout_tail = rig.util.tail_lines(r.stdout, 12),
        stderr_tail = rig.util.tail_lines(r.stderr, 12), cwd = spec.cwd or fs.realpath("."), output_size_bytes = size })
    end
    -- Wrapper 0 also drops RUSTC_WRAPPER from the inherited environment (through env -u,
    -- since a spec's env only adds); the recorded command is the build's own.
    local function spec_for(argv, env, wrapper, timeout)
      local spec = wrapper == 0 and { "env", "-u", "RUSTC_WRAPPER" } or {}
      for _, a in ipairs(argv) do spec[#spec + 1] = a end
      spec.env, spec.timeout, spec.cwd = env, timeout, repo
      shown[spec] = argv
      return spec
    end

    local build_matrix, diff_matrix = json.array({}), json.array({})
    local matrix = rig.sweep.cases { axes = { { "profile", profiles }, { "wrapper", wrappers } } }
    rig.sweep.run {
      cases = matrix, progress = true,
      run = function(case)
        local profile, wrapper = case.settings.profile, case.settings.wrapper
        local name = ("build_profile_%s__wrapper_%d"):format(profile, wrapper)
        local case_dir = fs.join(root, name)
        local env = wrapper_env(case_dir, wrapper)
        -- (a) One build alone.
        local single_out = fs.join(case_dir, "out", "single")
        assert(fs.mkdir(single_out))
        local function expand(template, values) return assert(rig.util.expand_command(template, values)) end
        local single_spec = spec_for(expand(p.build_cmd, build_values(scripts[1], profile, single_out)), env, wrapper,
          p.timeout_sec)
        local r, err = rig.proc.run(single_spec)
        local single = command_result(single_spec, r, err, single_out)
        -- (b) Every script at once, min(concurrency, #scripts) at a time.
        local specs, outs = {}, {}
        for i, script in ipairs(scripts) do
          outs[i] = fs.join(case_dir, "out", ("concurrent_%d"):format(i))
          assert(fs.mkdir(outs[i]))
          specs[i] = spec_for(expand(p.build_cmd, build_values(script, profile, outs[i])), env, wrapper, p.timeout_sec)
        end
        local started = rig.time.now()
        local results = rig.proc.run_many(specs, { jobs = math.max(1, math.min(p.concurrency, #scripts)) })
        local wall = rig.time.now() - started
        local workers = {}
        for i, res in ipairs(results) do
          local w = command_result(specs[i], res.ok ~= nil and res.error == nil and res or nil, res.error, outs[i])
          w.script = scripts[i]
          workers[i] = { w, res.started_at and (stamp_ms(res.started_at) + (res.wall_s or 0) * 1000) or math.huge, i }
        end
        -- Molt lists the workers in completion order.
        table.sort(workers, function(a, b) if a[2] ~= b[2] then return a[2] < b[2] end return a[3] < b[3] end)
        local listed = {}
        for i, w in ipairs(workers) do listed[i] = w[1] end
        build_matrix[#build_matrix + 1] = json.object({ case = name, profile = profile, wrapper = wrapper,
          single = single, concurrent_wall_sec = round3(wall), concurrent_workers = json.array(listed) })
        local ok = single.returncode == 0
        for _, w in ipairs(listed) do ok = ok and w.returncode == 0 end
        if p.run_diff then
          local diff_name = ("diff_profile_%s__wrapper_%d"):format(profile, wrapper)
          local diff_dir = fs.join(root, diff_name)
          assert(fs.mkdir(fs.join(diff_dir, "log_dir")))
          local summary = fs.join(diff_dir, "summary.json")
          local denv = {}
          for k, v in pairs(env) do denv[k] = v end
          denv.MOLT_DIFF_MEASURE_RSS = "1"
          if p.diff_child_rlimit_gb then denv.MOLT_DIFF_CHILD_RLIMIT_GB = tostring(p.diff_child_rlimit_gb) end
          local dspec = spec_for(expand(p.diff_cmd, diff_values(profile, summary, fs.join(diff_dir, "log_dir"))), denv,
            wrapper, p.diff_timeout_sec)
          local dr, derr = rig.proc.run(dspec)
          local rec = command_result(dspec, dr, derr, nil)
          rec.case, rec.profile, rec.wrapper = diff_name, profile, wrapper
          local s, serr = json.read(summary)
          if s then rec.summary = s else rec.summary_read_error = serr.message end
          diff_matrix[#diff_matrix + 1] = rec
        end
        return { ok = ok }
      end,
    }

    -- Molt's _evaluate_gate_status.
    local observed = { build_errors = 0, build_timeouts = 0, diff_command_errors = 0, diff_timeouts = 0,
      diff_failed_tests = 0, ratio_violations = 0 }
    local violations = { build_error_cases = {}, build_timeout_cases = {}, diff_error_cases = {},
      diff_timeout_cases = {}, diff_failed_cases = {}, concurrency_ratio_cases = {} }
    -- A command that timed out counts as a timeout, one that failed otherwise as an error.
    local function tally(r, case, timeouts, timeout_cases, errors, error_cases)
      if r.timed_out then
        observed[timeouts] = observed[timeouts] + 1
        table.insert(violations[timeout_cases], case)
      elseif r.returncode ~= 0 then
        observed[errors] = observed[errors] + 1
        table.insert(violations[error_cases], case)
      end
    end
    for _, b in ipairs(build_matrix) do
      tally(b.single, b.case, "build_timeouts", "build_timeout_cases", "build_errors", "build_error_cases")
      for _, w in ipairs(b.concurrent_workers) do
        tally(w, b.case, "build_timeouts", "build_timeout_cases", "build_errors", "build_error_cases")
      end
      local max_ratio = p.gate_max_concurrent_vs_single_ratio
      if max_ratio and b.single.elapsed_sec > 0 then
        local ratio = b.concurrent_wall_sec / b.single.elapsed_sec
        if ratio > max_ratio then
          observed.ratio_violations = observed.ratio_violations + 1
          violations.concurrency_ratio_cases[#violations.concurrency_ratio_cases + 1] = json.object({ case = b.case,
            single_elapsed_sec = b.single.elapsed_sec, concurrent_wall_sec = b.concurrent_wall_sec,
            ratio = round3(ratio), max_ratio = max_ratio })
        end
      end
    end
    for _, d in ipairs(diff_matrix) do
      tally(d, d.case, "diff_timeouts", "diff_timeout_cases", "diff_command_errors", "diff_error_cases")
      local s = type(d.summary) == "table" and d.summary or {}
      local failed = type(s.failed) == "number" and s.failed or 0
      observed.diff_failed_tests = observed.diff_failed_tests + failed
      if failed > 0 then
        violations.diff_failed_cases[#violations.diff_failed_cases + 1] = json.object({ case = d.case, failed = failed,
          passed = s.passed or json.null, total = s.total or json.null })
      end
    end
    local thresholds = { max_build_errors = p.gate_max_build_errors, max_build_timeouts = p.gate_max_build_timeouts,
      max_diff_command_errors = p.gate_max_diff_command_errors, max_diff_timeouts = p.gate_max_diff_timeouts,
      max_diff_failed_tests = p.gate_max_diff_failed_tests,
      max_concurrent_vs_single_ratio = p.gate_max_concurrent_vs_single_ratio or json.null }
    local reasons = {}
    for _, pair in ipairs { { "build_errors", "max_build_errors" }, { "build_timeouts", "max_build_timeouts" },
      { "diff_command_errors", "max_diff_command_errors" }, { "diff_timeouts", "max_diff_timeouts" },
      { "diff_failed_tests", "max_diff_failed_tests" } } do
      if observed[pair[1]] > thresholds[pair[2]] then
        reasons[#reasons + 1] = ("%s=%d exceeds %s=%d"):format(pair[1], observed[pair[1]], pair[2], thresholds[pair[2]])
      end
    end
    if observed.ratio_violations > 0 then
      reasons[#reasons + 1] = ("concurrent_vs_single_ratio exceeded in %d case(s)"):format(observed.ratio_violations)
    end
    local vjson = json.object({})
    for k, v in pairs(violations) do vjson[k] = json.array(v) end
    local gate = json.object({ passed = #reasons == 0, thresholds = json.object(thresholds),
      observed = json.object(observed), failed_reasons = json.array(reasons), violations = vjson })
    local meta = json.object({ output_root = root, shared_target_dir = shared_target,
      python_version = p.python_version, profiles = json.array(profiles), wrappers = json.array(wrappers),
      build_scripts = json.array(scripts), concurrency = p.concurrency, timeout_sec = p.timeout_sec,
      run_diff = p.run_diff, diff_scripts = json.array(p.diff_scripts), diff_jobs = p.diff_jobs,
      diff_timeout_sec = p.diff_timeout_sec, diff_child_rlimit_gb = p.diff_child_rlimit_gb or json.null,
      fail_on_gate = p.fail_on_gate, timestamp_utc = rig.time.iso8601() })
    local out = fs.join(root, "matrix_results.json")
    assert(json.write(out, json.object({ meta = meta, build_matrix = build_matrix, diff_matrix = diff_matrix,
      gate_status = gate }), { indent = 2, sort_keys = true }))
    io.stdout:write("gate_status=", gate.passed and "pass" or "fail", "\n")
    for _, r in ipairs(reasons) do io.stdout:write("gate_failure: ", r, "\n") end
    io.stdout:write("results: ", out, "\n")
    return (p.fail_on_gate and not gate.passed) and 2 or 0
  end,
}
