-- Molt's tools/compile_progress.py on rig.sweep: compile-time cases (profile x cache mode x
-- daemon, cold before warm on fresh roots), retries of retryable failures, per-attempt logs,
-- compile_progress.json and .md rewritten after every case in Molt's layout, --resume.
-- The build command is a template, so it runs with Molt or with any compiler.

-- Molt's CASE_SPECS: name, profile, cache_mode, daemon, release_cargo_profile, warmup_runs.
local CASES = {
  { "dev_cold", "dev", "cache-report", true, nil, 0 },
  { "dev_warm", "dev", "cache-report", true, nil, 0 },
  { "dev_nocache_daemon_on", "dev", "no-cache", true, nil, 0 },
  { "dev_nocache_daemon_off", "dev", "no-cache", false, nil, 0 },
  { "release_cold", "release", "cache-report", true, nil, 0 },
  { "release_warm", "release", "cache-report", true, nil, 0 },
  { "release_nocache_warm", "release", "no-cache", true, nil, 0 },
  { "release_fast_cold", "release", "cache-report", true, "release-fast", 0 },
  { "release_fast_warm", "release", "cache-report", true, "release-fast", 0 },
  { "release_fast_nocache_warm", "release", "no-cache", true, "release-fast", 0 },
  { "dev_queue_daemon_on", "dev", "no-cache", true, nil, 2 },
  { "dev_queue_daemon_off", "dev", "no-cache", false, nil, 2 },
}
local BY_NAME, NAMES, DEFAULT = {}, {}, {}
for _, c in ipairs(CASES) do
  local spec = { name = c[1], profile = c[2], cache_mode = c[3], daemon = c[4], release_cargo_profile = c[5],
    warmup_runs = c[6] }
  BY_NAME[spec.name] = spec
  NAMES[#NAMES + 1] = spec.name
  if not spec.name:match("^dev_queue_") and not spec.name:match("^release_fast_") then
    DEFAULT[#DEFAULT + 1] = spec.name
  end
end

local MOLT_BUILD = "uv run --python {python_version} python3 -m molt.cli build {script} --build-profile {profile} "
  .. "--out-dir {out_dir} {diagnostics_flags} {cache_flag}"

-- Molt's retry rules (and its reason names).
local function retry_reason(r)
  if r.timed_out then return "timeout" end
  if r.returncode == 124 then return "timeout_exit_124" end
  if r.returncode == 143 or r.returncode == -15 then return "sigterm" end
  if r.returncode ~= 0 and (r.stderr or ""):find("Timed out waiting for build lock", 1, true) then
    return "build_lock_timeout"
  end
end

-- Molt's cache_state: from the first stdout line starting "Cache: ".
local function cache_state(stdout)
  for line in (stdout or ""):gmatch("[^\n]+") do
    local rest = line:match("^Cache: (.*)$")
    if rest then
      if line:find("hit", 1, true) then return "hit" end
      if line:find("miss", 1, true) then return "miss" end
      rest = rest:match("^%s*(.-)%s*$")
      return rest ~= "" and rest or "unknown"
    end
  end
  return "n/a"
end

-- Molt's record keys, in its order (CaseResult) and its snapshot's meta keys.
local RESULT_KEYS = { "name", "profile", "cache_mode", "daemon", "release_cargo_profile", "command", "returncode",
  "elapsed_sec", "timed_out", "cache_state", "stdout_tail", "stderr_tail", "diagnostics_path",
  "diagnostics_total_sec", "diagnostics_phase_sec", "attempts", "warmup_runs", "retry_reason" }
local META_KEYS = { "timestamp_utc", "repo_root", "output_root", "script", "python_version", "cases",
  "completed_cases", "timeout_sec", "cache_root", "target_root", "clean_state", "sccache_mode", "cargo_incremental",
  "diagnostics", "max_retries", "retry_backoff_sec", "build_lock_timeout_sec" }

-- compile_progress.md as Molt renders it.
local function markdown(meta, results)
  local py = rig.molt.py_float
  local lines = { "# Compile Progress Snapshot", "",
    ("- `timestamp_utc`: %s"):format(rig.time.isoformat()),
    ("- `output_root`: `%s`"):format(meta.output_root),
    ("- `script`: `%s`"):format(meta.script),
    ("- `python_version`: `%s`"):format(meta.python_version),
    ("- `timeout_sec`: `%s`"):format(py(meta.timeout_sec)),
    ("- `cache_root`: `%s`"):format(meta.cache_root),
    ("- `target_root`: `%s`"):format(meta.target_root), "",
    "| case | profile | release_cargo_profile | cache_mode | daemon | warmups | attempts | elapsed_sec | "
      .. "diag_total_sec | rc | timed_out | retry_reason | cache_state |",
    "| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |" }
  local null = rig.json.null
  for _, r in ipairs(results) do
    local diag = r.diagnostics_total_sec
    lines[#lines + 1] = "| " .. table.concat({ r.name, r.profile,
      r.release_cargo_profile ~= null and r.release_cargo_profile or "-", r.cache_mode, r.daemon and "on" or "off",
      tostring(r.warmup_runs), tostring(r.attempts), ("%.3f"):format(r.elapsed_sec),
      type(diag) == "number" and ("%.3f"):format(diag) or "n/a", tostring(r.returncode),
      r.timed_out and "yes" or "no", r.retry_reason ~= null and r.retry_reason or "-", r.cache_state }, " | ") .. " |"
  end
  return table.concat(lines, "\n") .. "\n"
end

-- Molt's diagnostics_phase_sec: the numeric values of an object, as floats, in its order;
-- null for anything else (a diagnostics file's phase_sec, or one read back for --resume).
local function phase_seconds(v)
  local json = rig.json
  if not json.is_object(v) then return json.null end
  local keys, values = {}, {}
  for _, k in ipairs(json.keys(v)) do
    if type(v[k]) == "number" then keys[#keys + 1], values[k] = k, v[k] + 0.0 end
  end
  return json.object(values, keys)
end

-- A result read back for --resume, as Molt's _coerce_case_result keeps it: nil unless name,
-- profile and cache_mode are strings; the rest filled with Molt's defaults.
local function restored(r)
  local json = rig.json
  if type(r) ~= "table" or type(r.name) ~= "string" or type(r.profile) ~= "string"
    or type(r.cache_mode) ~= "string" then
    return nil
  end
  local function num(v, default) return type(v) == "number" and v or default end
  local command = json.array({})
  for i, v in ipairs(type(r.command) == "table" and r.command or {}) do command[i] = tostring(v) end
  local phases = phase_seconds(r.diagnostics_phase_sec)
  local function opt_string(v) return (v ~= nil and v ~= json.null) and tostring(v) or json.null end
  return json.object({ name = r.name, profile = r.profile, cache_mode = r.cache_mode,
    daemon = r.daemon ~= nil and r.daemon ~= false and r.daemon ~= json.null,
    release_cargo_profile = opt_string(r.release_cargo_profile), command = command,
    returncode = math.tointeger(num(r.returncode, 1)) or 1, elapsed_sec = num(r.elapsed_sec, 0) + 0.0,
    timed_out = r.timed_out == true, cache_state = type(r.cache_state) == "string" and r.cache_state or "n/a",
    stdout_tail = tostring(r.stdout_tail or ""), stderr_tail = tostring(r.stderr_tail or ""),
    diagnostics_path = opt_string(r.diagnostics_path),
    diagnostics_total_sec = type(r.diagnostics_total_sec) == "number" and r.diagnostics_total_sec + 0.0 or json.null,
    diagnostics_phase_sec = phases, attempts = math.tointeger(num(r.attempts, 1)) or 1,
    warmup_runs = math.tointeger(num(r.warmup_runs, 0)) or 0, retry_reason = opt_string(r.retry_reason) },
    RESULT_KEYS)
end

return rig.recipe {
  description = "Run a standard compile-progress suite and write JSON + markdown snapshots for regression "
    .. "tracking (Molt's tools/compile_progress.py): retries, a snapshot after every case, --resume.",
  params = {
    { "output_root", type = "path", help = "Output directory for logs/results. Defaults under the configured "
      .. "artifact root (`MOLT_EXT_ROOT` when set, otherwise repo-local `tmp/`)." },
    { "python_version", default = "3.12", help = "uv Python version for measurements." },
    { "script", default = "examples/hello.py",
      help = "Python script used for compile timing." },
    { "cases", type = "list", many = true, choices = NAMES,
      help = "Subset of suite cases to run (default: baseline cases; queue cases are opt-in)." },
    { "timeout_sec", type = "number", default = 900.0, help = "Per-case timeout in seconds." },
    { "clean_state", type = "boolean", default = false,
      help = "Remove target/cache roots under output-root before running." },
    { "sccache_mode", default = "1", help = "Set MOLT_USE_SCCACHE." },
    { "cargo_incremental", default = "0", help = "Set CARGO_INCREMENTAL." },
    { "max_retries", type = "integer", default = 2, help = "Additional retries for timeout/lock-timeout failures "
      .. "(2 means up to 3 attempts in all)." },
    { "retry_backoff_sec", type = "number", default = 2.0,
      help = "Linear backoff in seconds between retries." },
    { "build_lock_timeout_sec", type = "number", default = 60.0, help = "Set MOLT_BUILD_LOCK_TIMEOUT for each "
      .. "case to fail fast under contention and allow retries (0 leaves it unset)." },
    { "diagnostics", type = "boolean", default = false,
      help = "Enable `molt build --diagnostics` for each case and capture per-case diagnostics JSON files." },
    { "resume", type = "boolean", default = false, help = "Resume from an existing compile_progress.json in "
      .. "output-root by skipping already-completed cases." },
    { "build_cmd", default = MOLT_BUILD, help = "Rig: the build command, for another compiler (it makes "
      .. "{out_dir}, as molt build does); placeholders "
      .. "{script} {profile} {out_dir} {cache_flag} {diagnostics_flags} {diagnostics_file} {python_version} {case}" },
  },
  examples = {
    "rig run compile_progress --cases dev_cold dev_warm --diagnostics",
    "rig run compile_progress --script hello.c --build-cmd 'sh build.sh {profile} {out_dir} {script}'",
  },
  run = function(p, ctx)
    local fs, json = rig.fs, rig.json
    local names = (p.cases and #p.cases > 0) and p.cases or DEFAULT
    -- Molt builds from the repository root. Its artifact root (MOLT_EXT_ROOT of the builds) is
    -- MOLT_EXT_ROOT, else the output root when one is given, else the repository; the output
    -- root defaults to <artifact root>/tmp/compile_progress_<UTC stamp>.
    local repo = rig.molt.repo_root()
    local root, ext, why
    if p.output_root then
      root = fs.absolute(p.output_root)
      ext, why = rig.molt.ext_root(root)
    else
      root, why = rig.molt.default_output_root(repo, "compile_progress")
      ext = root and rig.molt.ext_root(repo)
    end
    if not root or not ext then
      io.stderr:write(why, "\n")
      return 1
    end
    assert(fs.mkdir(root))
    if ext == root then ext = fs.realpath(root) end
    root = fs.realpath(root)
    local dirs = {}
    for _, d in ipairs { "target", "cache", "diff_root", "tmp", "logs", "out" } do dirs[d] = fs.join(root, d) end
    -- What the build command's placeholders stand for in one case.
    local function build_values(spec)
      local diag_file = fs.join(dirs.out, "diagnostics", spec.name .. ".json")
      return { script = p.script, profile = spec.profile, out_dir = fs.join(dirs.out, spec.name),
        python_version = p.python_version, case = spec.name, diagnostics_file = diag_file,
        cache_flag = spec.cache_mode == "no-cache" and "--no-cache" or "--cache-report",
        diagnostics_flags = p.diagnostics and { "--diagnostics", "--diagnostics-file", diag_file } or {} }
    end
    -- A misspelt placeholder is refused before anything runs.
    local _, bad = rig.util.expand_command(p.build_cmd, build_values(BY_NAME[names[1]] or { name = "x" }))
    if bad then
      ctx.log.error("--build-cmd: %s", bad)
      return 2
    end
    assert(fs.mkdir(dirs.logs))
    if p.clean_state then
      for _, d in ipairs { "target", "cache", "diff_root", "tmp" } do
        if fs.exists(dirs[d]) then assert(fs.remove_tree(dirs[d], root)) end
      end
    end
    for _, d in ipairs { "target", "cache", "diff_root", "tmp" } do assert(fs.mkdir(dirs[d])) end
    local json_path, md_path = fs.join(root, "compile_progress.json"), fs.join(root, "compile_progress.md")

    -- --resume: Molt keeps every result it can read back and skips those case names.
    local results, done = {}, {}
    if p.resume and fs.exists(json_path) then
      local old = json.read(json_path)
      for _, r in ipairs(type(old) == "table" and type(old.results) == "table" and old.results or {}) do
        local kept = restored(r)
        if kept then
          results[#results + 1] = kept
          done[kept.name] = true
        end
      end
    end
    local meta = { repo_root = repo, output_root = root, script = p.script, python_version = p.python_version,
      cases = json.array(names), timeout_sec = p.timeout_sec + 0.0, cache_root = dirs.cache,
      target_root = dirs.target, clean_state = p.clean_state, sccache_mode = p.sccache_mode,
      cargo_incremental = p.cargo_incremental, diagnostics = p.diagnostics, max_retries = p.max_retries,
      retry_backoff_sec = p.retry_backoff_sec + 0.0, build_lock_timeout_sec = p.build_lock_timeout_sec + 0.0 }
    local function write_snapshot()
      meta.timestamp_utc = rig.time.isoformat()
      local completed = json.array({})
      for i, r in ipairs(results) do completed[i] = r.name end
      meta.completed_cases = completed
      assert(json.write(json_path, json.object({ meta = json.object(meta, META_KEYS), results = json.array(results) },
        { "meta", "results" }), { indent = 2, ascii = true }))
      assert(fs.write(md_path, markdown(meta, results)))
    end

    local function build_once(spec, label)
      local values = build_values(spec)
      local argv = assert(rig.util.expand_command(p.build_cmd, values))
      if p.diagnostics then assert(fs.mkdir(fs.dirname(values.diagnostics_file))) end
      argv.timeout, argv.cwd = p.timeout_sec, repo
      -- Molt's build environment (Tests/Fixtures/molt/golden/compile_progress/*/uv_calls),
      -- under its memory budget for the build, taken at each launch as its guard takes it.
      argv.env = { MOLT_BACKEND_DAEMON = spec.daemon and "1" or "0", PYTHONHASHSEED = "0", MOLT_HASH_SEED = "0",
        MOLT_EXT_ROOT = ext, MOLT_CACHE = dirs.cache, CARGO_TARGET_DIR = dirs.target,
        MOLT_DIFF_CARGO_TARGET_DIR = dirs.target, MOLT_DIFF_ROOT = dirs.diff_root,
        MOLT_DIFF_TMPDIR = dirs.tmp, TMPDIR = dirs.tmp,
        UV_CACHE_DIR = os.getenv("UV_CACHE_DIR") or fs.join(ext, "uv-cache"),
        UV_NO_SYNC = "1", PYTHONPATH = "src",
        MOLT_BUILD_LOCK_TIMEOUT = p.build_lock_timeout_sec > 0 and rig.molt.py_float(p.build_lock_timeout_sec) or nil,
        MOLT_RELEASE_CARGO_PROFILE = spec.release_cargo_profile or false, MOLT_USE_SCCACHE = p.sccache_mode,
        CARGO_INCREMENTAL = p.cargo_incremental }
      local r, err = rig.proc.run(rig.molt.guard(argv, "MOLT_COMPILE_PROGRESS"))
      local rec = { command = json.array(table.move(argv, 1, #argv, 1, {})), diag_file = values.diagnostics_file }
      if not r then
        -- Molt's OSError: exit 1 with the error as stderr.
        rec.returncode, rec.timed_out, rec.elapsed_sec, rec.stdout, rec.stderr = 1, false, 0.0, "", err.message
      else
        rec.timed_out = r.timed_out == true
        rec.returncode = rig.molt.guard_returncode(r)
        rec.elapsed_sec = math.floor(r.wall_s * 1000 + 0.5) / 1000
        rec.stdout, rec.stderr = r.stdout, r.stderr
        -- As Molt's guard says it: the whole process tree is gone.
        if rec.timed_out or r.rss_exceeded then rec.stderr = rec.stderr .. "\n[guarded-cleanup] handled_by=rig" end
      end
      assert(fs.write(fs.join(dirs.logs, ("%s.%s.stdout.log"):format(spec.name, label)), rec.stdout))
      assert(fs.write(fs.join(dirs.logs, ("%s.%s.stderr.log"):format(spec.name, label)), rec.stderr))
      return rec
    end

    -- Molt's record of a finished case (its last attempt's values).
    local function record(spec, r, attempts, reason)
      local total, phases, path = json.null, json.null, json.null
      if p.diagnostics then
        path = r.diag_file
        local d = fs.exists(r.diag_file) and json.read(r.diag_file)
        if type(d) == "table" then
          if type(d.total_sec) == "number" then total = d.total_sec + 0.0 end
          phases = phase_seconds(d.phase_sec)
        end
      end
      return json.object({ name = spec.name, profile = spec.profile, cache_mode = spec.cache_mode,
        daemon = spec.daemon, release_cargo_profile = spec.release_cargo_profile or json.null, command = r.command,
        returncode = r.returncode, elapsed_sec = r.elapsed_sec, timed_out = r.timed_out,
        cache_state = cache_state(r.stdout), stdout_tail = rig.util.tail_lines(r.stdout, 20),
        stderr_tail = rig.util.tail_lines(r.stderr, 20), diagnostics_path = path, diagnostics_total_sec = total,
        diagnostics_phase_sec = phases, attempts = attempts, warmup_runs = spec.warmup_runs,
        retry_reason = reason or json.null }, RESULT_KEYS)
    end

    -- Molt walks the names in order: a name already done says so, the others run.
    local todo, queued, skipped = {}, {}, {} -- skipped[i]: the names said before todo[i] runs
    for _, n in ipairs(names) do
      if done[n] or queued[n] then
        local at = #todo + 1
        skipped[at] = skipped[at] or {}
        table.insert(skipped[at], n)
      else
        todo[#todo + 1], queued[n] = n, true
      end
    end
    local function say_skipped(before)
      for _, n in ipairs(skipped[before] or {}) do
        io.stdout:write(("[compile-progress] case=%s skipped=resume\n"):format(n))
      end
    end
    if #todo > 0 then
      local last = {}
      rig.sweep.run {
        cases = rig.sweep.cases { axes = { { "name", todo } } }, max_retries = p.max_retries,
        backoff = p.retry_backoff_sec, progress = false, retry_reason = retry_reason,
        run = function(case, attempt)
          local spec = BY_NAME[case.settings.name]
          if attempt == 1 then
            for i, n in ipairs(todo) do if n == spec.name then say_skipped(i) end end
            io.stdout:write(("[compile-progress] case=%s\n"):format(spec.name))
            io.stdout:flush()
            for i = 1, spec.warmup_runs do build_once(spec, "warmup" .. i) end
          end
          local rec = build_once(spec, "attempt" .. attempt)
          rec.ok = rec.returncode == 0 and not rec.timed_out
          last[spec.name] = rec
          -- The last attempt's output also stands as the case's own log.
          assert(fs.write(fs.join(dirs.logs, spec.name .. ".stdout.log"), rec.stdout))
          assert(fs.write(fs.join(dirs.logs, spec.name .. ".stderr.log"), rec.stderr))
          return { ok = rec.ok, returncode = rec.returncode, timed_out = rec.timed_out, stderr = rec.stderr }
        end,
        on_case = function(c)
          local spec = BY_NAME[c.settings.name]
          local rec = record(spec, last[spec.name], c.attempts, c.retry_reason ~= json.null and c.retry_reason or nil)
          results[#results + 1] = rec
          io.stdout:write(("[compile-progress] case=%s elapsed=%ss rc=%d cache=%s attempts=%d warmups=%d\n"):format(
            spec.name, rig.molt.py_float(rec.elapsed_sec), rec.returncode, rec.cache_state, rec.attempts,
            rec.warmup_runs))
          io.stdout:flush()
          write_snapshot()
        end,
      }
    end
    say_skipped(#todo + 1)
    write_snapshot()
    io.stdout:write("wrote ", json_path, "\nwrote ", md_path, "\n")
    return 0 -- as Molt's tool: the outcome is in the snapshot
  end,
}
