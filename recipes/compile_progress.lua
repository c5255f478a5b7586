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
      if rest:match("^hit") then return "hit" end
      if rest:match("^miss") then return "miss" end
      return rest
    end
  end
  return "n/a"
end

local function md_cell(v)
  if v == nil or v == rig.json.null then return "-" end
  if v == true then return "True" end
  if v == false then return "False" end
  return tostring(v)
end

return rig.recipe {
  description = "Compile-time case matrix (Molt's compile_progress.py) with retries, snapshots and --resume.",
  params = {
    { "output_root", type = "path",
      help = "default <MOLT_EXT_ROOT or the repository>/tmp/compile_progress_<UTC stamp>" },
    { "python_version", default = "3.12" },
    { "script", type = "path", default = "examples/hello.py", help = "what each case builds" },
    { "cases", type = "list", many = true, help = "case names (default: all but dev_queue_* and release_fast_*): "
      .. table.concat(NAMES, ", ") },
    { "timeout_sec", type = "number", default = 900 },
    { "clean_state", type = "boolean", default = false, help = "remove target/ cache/ diff_root/ tmp/ first" },
    { "sccache_mode", default = "1", help = "MOLT_USE_SCCACHE for the builds" },
    { "cargo_incremental", default = "0", help = "CARGO_INCREMENTAL for the builds" },
    { "max_retries", type = "integer", default = 2 },
    { "retry_backoff_sec", type = "number", default = 2.0, help = "times the attempt number" },
    { "build_lock_timeout_sec", type = "number", default = 60,
      help = "MOLT_BUILD_LOCK_TIMEOUT, as Molt writes it (60.0); 0 leaves it unset" },
    { "diagnostics", type = "boolean", default = false, help = "read per-case phase timings from a diagnostics JSON" },
    { "resume", type = "boolean", default = false, help = "skip cases already in compile_progress.json" },
    { "build_cmd", default = MOLT_BUILD, help = "the build command; placeholders {script} {profile} {out_dir} "
      .. "{cache_flag} {diagnostics_flags} {diagnostics_file} {python_version} {case}" },
  },
  examples = {
    "rig run compile_progress --cases dev_cold dev_warm --diagnostics",
    "rig run compile_progress --script hello.c --build-cmd 'sh build.sh {profile} {out_dir} {script}'",
  },
  run = function(p, ctx)
    local fs, json = rig.fs, rig.json
    local names = (p.cases and #p.cases > 0) and p.cases or DEFAULT
    for _, n in ipairs(names) do
      if not BY_NAME[n] then
        ctx.log.error("unknown case %q%s", n, rig.util.did_you_mean(n, NAMES))
        return 2
      end
    end
    -- Molt builds from the repository root, under its artifact root.
    local repo = rig.molt.repo_root()
    local root, root_err = rig.molt.default_output_root(repo, "compile_progress")
    if not root then
      io.stderr:write(root_err, "\n")
      return 1
    end
    root = p.output_root or root
    -- What the build command's placeholders stand for in one case.
    local function build_values(spec)
      local out_dir = fs.join(root, "out", spec.name)
      local diag_file = fs.join(root, "diagnostics", spec.name .. ".json")
      return { script = p.script, profile = spec.profile, out_dir = out_dir, python_version = p.python_version,
        case = spec.name, diagnostics_file = diag_file,
        cache_flag = spec.cache_mode == "no-cache" and "--no-cache" or "--cache-report",
        diagnostics_flags = p.diagnostics and { "--diagnostics", "--diagnostics-file", diag_file } or {} }
    end
    -- A misspelt placeholder is refused before anything runs.
    local _, why = rig.util.expand_command(p.build_cmd, build_values(BY_NAME[names[1]] or { name = "x" }))
    if why then
      ctx.log.error("--build-cmd: %s", why)
      return 2
    end
    assert(fs.mkdir(root))
    root = fs.realpath(root)
    if p.clean_state then
      for _, d in ipairs { "target", "cache", "diff_root", "tmp" } do
        local path = fs.join(root, d)
        if fs.exists(path) then assert(fs.remove_tree(path, root)) end
      end
    end
    for _, d in ipairs { "logs", "cache", "target", "tmp", "diff_root", "out", "diagnostics" } do
      assert(fs.mkdir(fs.join(root, d)))
    end
    local json_path, md_path = fs.join(root, "compile_progress.json"), fs.join(root, "compile_progress.md")

    -- --resume: Molt skips case names already present, whatever their outcome.
    local previous = {}
    if p.resume then
      local old = json.read(json_path)
      for _, r in ipairs(type(old) == "table" and old.results or {}) do
        if type(r) == "table" and r.name then previous[r.name] = r end
      end
    end
    local todo = {}
    for _, n in ipairs(names) do if not previous[n] then todo[#todo + 1] = n end end

    local meta = json.object({ timestamp_utc = rig.time.iso8601(), repo_root = repo, output_root = root,
      script = p.script, python_version = p.python_version, cases = json.array(names),
      completed_cases = json.array({}), timeout_sec = p.timeout_sec, cache_root = fs.join(root, "cache"),
      target_root = fs.join(root, "target"), clean_state = p.clean_state, sccache_mode = p.sccache_mode or json.null,
      cargo_incremental = p.cargo_incremental or json.null, diagnostics = p.diagnostics, max_retries = p.max_retries,
      retry_backoff_sec = p.retry_backoff_sec, build_lock_timeout_sec = p.build_lock_timeout_sec })

    local function write_snapshots(records)
      local results, completed = {}, {}
      for _, n in ipairs(names) do
        local r = records[n] or previous[n]
        if r then
          results[#results + 1] = r
          completed[#completed + 1] = n
        end
      end
      meta.completed_cases = json.array(completed)
      assert(json.write(json_path, json.object({ meta = meta, results = json.array(results) }),
        { indent = 2, sort_keys = true }))
      local lines = { "# Compile Progress Snapshot", "" }
      for _, k in ipairs { "timestamp_utc", "output_root", "script", "python_version", "timeout_sec", "max_retries",
        "retry_backoff_sec", "build_lock_timeout_sec", "diagnostics" } do
        lines[#lines + 1] = ("- %s: `%s`"):format(k, md_cell(meta[k]))
      end
      lines[#lines + 1] = ("- completed: %d/%d"):format(#completed, #names)
      lines[#lines + 1] = ""
      lines[#lines + 1] = "| case | profile | release_cargo_profile | cache_mode | daemon | warmups | attempts | "
        .. "elapsed_sec | diag_total_sec | rc | timed_out | retry_reason | cache_state |"
      lines[#lines + 1] = "|" .. string.rep(" --- |", 13)
      for _, r in ipairs(results) do
        lines[#lines + 1] = "| " .. table.concat({ r.name, r.profile, md_cell(r.release_cargo_profile), r.cache_mode,
          md_cell(r.daemon), md_cell(r.warmup_runs), md_cell(r.attempts), md_cell(r.elapsed_sec),
          md_cell(r.diagnostics_total_sec), md_cell(r.returncode), md_cell(r.timed_out), md_cell(r.retry_reason),
          md_cell(r.cache_state) }, " | ") .. " |"
      end
      assert(fs.write(md_path, table.concat(lines, "\n") .. "\n"))
    end

    local function build_once(spec, label)
      local values = build_values(spec)
      local argv = assert(rig.util.expand_command(p.build_cmd, values))
      local out_dir, diag_file = values.out_dir, values.diagnostics_file
      assert(fs.mkdir(out_dir))
      argv.timeout, argv.cwd = p.timeout_sec, repo
      -- Molt's build environment (Tests/Fixtures/molt/golden/compile_progress/*/uv_calls).
      argv.env = { MOLT_BACKEND_DAEMON = spec.daemon and "1" or "0", PYTHONHASHSEED = "0", MOLT_HASH_SEED = "0",
        MOLT_EXT_ROOT = root, MOLT_CACHE = fs.join(root, "cache"), CARGO_TARGET_DIR = fs.join(root, "target"),
        MOLT_DIFF_CARGO_TARGET_DIR = fs.join(root, "target"), MOLT_DIFF_ROOT = fs.join(root, "diff_root"),
        MOLT_DIFF_TMPDIR = fs.join(root, "tmp"), TMPDIR = fs.join(root, "tmp"),
        UV_CACHE_DIR = fs.join(root, "uv-cache"),
        UV_NO_SYNC = "1", PYTHONPATH = "src",
        MOLT_BUILD_LOCK_TIMEOUT = p.build_lock_timeout_sec > 0 and rig.molt.py_float(p.build_lock_timeout_sec) or nil,
        MOLT_RELEASE_CARGO_PROFILE = spec.release_cargo_profile, MOLT_USE_SCCACHE = p.sccache_mode,
        CARGO_INCREMENTAL = p.cargo_incremental }
      local r, err = rig.proc.run(argv)
      local rec = { command = json.array(table.move(argv, 1, #argv, 1, {})), diag_file = diag_file }
      if not r then
        rec.returncode, rec.timed_out, rec.elapsed_sec, rec.stdout, rec.stderr = 127, false, 0, "", err.message
      else
        rec.returncode = r.code or (r.signal and -r.signal) or 1
        rec.timed_out = r.timed_out == true
        if rec.timed_out then rec.returncode = 124 end
        rec.elapsed_sec = math.floor(r.wall_s * 1000 + 0.5) / 1000
        rec.stdout, rec.stderr = r.stdout, r.stderr
        if rec.timed_out then rec.stderr = rec.stderr .. "\n[guarded-cleanup] handled_by=rig" end
      end
      assert(fs.write(fs.join(root, "logs", ("%s.%s.stdout.log"):format(spec.name, label)), rec.stdout))
      assert(fs.write(fs.join(root, "logs", ("%s.%s.stderr.log"):format(spec.name, label)), rec.stderr))
      return rec
    end

    local records = {}
    local cases = rig.sweep.cases { axes = { { "name", todo } } }
    if #todo == 0 then
      write_snapshots(records)
      io.stdout:write("nothing to do: every case is in ", json_path, "\n")
      return 0
    end
    rig.sweep.run {
      cases = cases, max_retries = p.max_retries, backoff = p.retry_backoff_sec, progress = true,
      retry_reason = retry_reason,
      run = function(case, attempt)
        local spec = BY_NAME[case.settings.name]
        if attempt == 1 then
          for i = 1, spec.warmup_runs do build_once(spec, "warmup" .. i) end
        end
        local rec = build_once(spec, "attempt" .. attempt)
        rec.ok = rec.returncode == 0 and not rec.timed_out
        rec.cache_state = cache_state(rec.stdout)
        rec.stdout_tail, rec.stderr_tail = rig.util.tail_lines(rec.stdout, 20), rig.util.tail_lines(rec.stderr, 20)
        -- The last attempt's output also stands as the case's own log.
        assert(fs.write(fs.join(root, "logs", spec.name .. ".stdout.log"), rec.stdout))
        assert(fs.write(fs.join(root, "logs", spec.name .. ".stderr.log"), rec.stderr))
        return rec
      end,
      on_snapshot = function(artifact)
        for _, c in ipairs(artifact.cases) do
          local spec, r = BY_NAME[c.settings.name], c.result
          local diag_total, diag_phases, diag_path = json.null, json.object({}), json.null
          if p.diagnostics and fs.exists(r.diag_file) then
            diag_path = r.diag_file
            local d = json.read(r.diag_file)
            if type(d) == "table" then
              diag_total = type(d.total_sec) == "number" and d.total_sec or json.null
              if type(d.phase_sec) == "table" then diag_phases = d.phase_sec end
            end
          end
          records[spec.name] = json.object({ name = spec.name, profile = spec.profile, cache_mode = spec.cache_mode,
            daemon = spec.daemon, release_cargo_profile = spec.release_cargo_profile or json.null,
            command = r.command, returncode = r.returncode, elapsed_sec = r.elapsed_sec, timed_out = r.timed_out,
            cache_state = r.cache_state, stdout_tail = r.stdout_tail, stderr_tail = r.stderr_tail,
            diagnostics_path = diag_path, diagnostics_total_sec = diag_total, diagnostics_phase_sec = diag_phases,
            attempts = c.attempts, warmup_runs = spec.warmup_runs, retry_reason = c.retry_reason })
        end
        write_snapshots(records)
      end,
    }
    io.stdout:write(("compile_progress: %d cases; wrote %s and %s\n"):format(#names, json_path, md_path))
    return 0 -- as Molt's tool: the outcome is in the snapshot
  end,
}
