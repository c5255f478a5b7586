--- Friend suites: other projects' benchmark suites, run unmodified where possible, from
--- Molt's manifest (bench/friends/manifest.toml) into Molt's results.json and summary.md
--- (its tools/bench_friends.py), plus Rig's intervals and verdicts per runner pair.
--- docs/friends.md.
---
--- Split along its seams: rig.friends.manifest (loading, checks, selection),
--- rig.friends.custody (sources and their pins), rig.friends.metrics (statistics, Molt's
--- metrics, Rig's evidence) and rig.friends.markdown (summary.md); this module runs suites and
--- keeps the results payload, and re-exports the public functions of the others.
local check = require "rig.check"
local fs = require "rig.fs"
local json = require "rig.json"
local proc = require "rig.proc"
local env = require "rig.env"
local stats = require "rig.stats"
local time = require "rig.time"
local util = require "rig.util"
local classify = require "rig.classify"
local manifests = require "rig.friends.manifest"
local sources = require "rig.friends.custody"
local metrics = require "rig.friends.metrics"
local markdown = require "rig.friends.markdown"

local M = {}

M.SEMANTIC_MODES, M.ROLES, M.LANES = manifests.SEMANTIC_MODES, manifests.ROLES, metrics.LANES
M.is_placeholder, M.load, M.parse, M.select = manifests.is_placeholder, manifests.load, manifests.parse,
  manifests.select
M.metrics, M.structured_timings = metrics.metrics, metrics.structured_timings
M.summary_markdown = markdown.summary_markdown
local format_map = manifests.format_map
local molt = require "rig.molt"
local py_float = molt.py_float

local function set_of(list)
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end

-- The children's environment: a whitelist of Rig's (Molt's passthrough), Molt's Python
-- settings, then defaults, suite and runner env layered.
local PASSTHROUGH = set_of { "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TERM", "TMPDIR", "TZ",
  "CC", "CXX", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "LIBRARY_PATH", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH",
  "SDKROOT", "DEVELOPER_DIR", "CARGO_HOME", "RUSTUP_HOME", "UV_CACHE_DIR", "PYENV_ROOT", "PYENV_VERSION",
  "XDG_CACHE_HOME", "SSL_CERT_FILE", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY" }
local PASSTHROUGH_PREFIXES = { "LC_", "MOLT_BENCH_", "MOLT_MEMORY_GUARD_" }
local PATH_SUFFIXES = { "_DIR", "_HOME", "_ROOT", "_FILE", "_LOG", "_JSON", "_DB", "_PATH", "_CACHE" }

function M.base_env()
  local out = {}
  for k, v in pairs(env.all()) do
    local keep = PASSTHROUGH[k]
    for _, p in ipairs(PASSTHROUGH_PREFIXES) do
      if k:sub(1, #p) == p then keep = true end
    end
    if keep then out[k] = v end
  end
  out.PYTHONHASHSEED, out.PYTHONUNBUFFERED, out.PYTHONNOUSERSITE = "0", "1", "1"
  local tmp = out.TMPDIR or "/tmp"
  out.TMP, out.TEMP = tmp, tmp
  out.PYTHONPATH = nil
  return out
end

local function layered_env(ctx, ...)
  local out = {}
  for k, v in pairs(ctx.base_env) do out[k] = v end
  for i = 1, select("#", ...) do
    for k, v in pairs(select(i, ...) or {}) do
      local text, unknown = format_map(tostring(v), ctx.values)
      if not text then return nil, ("env %s uses {%s}, which has no value"):format(k, unknown) end
      out[k] = text
    end
  end
  -- Values that name places under the output root get their folders made first (Molt).
  for k, v in pairs(out) do
    if v:sub(1, #ctx.values.output_root) == ctx.values.output_root then
      for _, suffix in ipairs(PATH_SUFFIXES) do
        if k:sub(-#suffix) == suffix then
          local is_file = suffix == "_FILE" or suffix == "_LOG" or suffix == "_JSON" or suffix == "_DB"
          fs.mkdir(is_file and fs.dirname(v) or v)
          break
        end
      end
    end
  end
  return out
end

local function expand_argv(argv, values)
  local out = {}
  for i, word in ipairs(argv) do
    local text, unknown = format_map(word, values)
    if not text then return nil, ("{%s} has no value here"):format(unknown) end
    out[i] = text
  end
  return out
end

-- Runs one phase (a prepare step, a build, one run) with its logs; Molt's PhaseResult. Only
-- a run phase of a JSON runner has its stdout parsed. `label` names it in the heartbeat
-- lines, as Molt's: "suite=S runner=R phase=run repeat=i/n".
local function phase(ctx, suite, argv, runner, log_stem, is_run, label)
  local dir = fs.join(ctx.output_root, "logs", suite.id)
  assert(fs.mkdir(dir))
  local out_path, err_path = fs.join(dir, log_stem .. ".stdout.log"), fs.join(dir, log_stem .. ".stderr.log")
  local result = json.object({ cmd = json.array(argv), returncode = json.null, elapsed_s = 0.0, timed_out = false,
    stdout_path = out_path, stderr_path = err_path, stdout_json = json.null, stdout_json_error = json.null,
    guard_status = "pass", guard_violation = json.null, guard_limit_at_violation = json.null,
    guard_orphaned_process_groups = json.array({}), guard_exit_signal = json.null,
    guard_cargo_incremental_quarantine = json.null, molt_failure = json.null })
  local timeout = math.type(suite.timeout_sec) == "float" and py_float(suite.timeout_sec)
    or tostring(suite.timeout_sec)
  if ctx.dry_run then
    -- Molt's dry run: the plan in the stdout log, a phase that passed in no time, no guard.
    ctx.heartbeat(("start %s dry_run=true timeout_s=%s stdout=%s stderr=%s"):format(label, timeout, out_path,
      err_path))
    assert(fs.write(out_path, ("[dry-run] cwd=%s\n$ %s\n"):format(ctx.cwd, table.concat(argv, " "))))
    assert(fs.write(err_path, ""))
    result.returncode, result.guard_status = 0, json.null
    ctx.heartbeat(("finish %s status=ok elapsed_s=0.000"):format(label))
    return result, true
  end
  ctx.heartbeat(("start %s timeout_s=%s argv_count=%d stdout=%s stderr=%s"):format(label, timeout, #argv, out_path,
    err_path))
  local spec = { table.unpack(argv) }
  spec.env, spec.env_clear, spec.cwd, spec.timeout = ctx.env, true, ctx.cwd, suite.timeout_sec
  spec.rss_limit_mb = ctx.rss_limit_mb
  local r, err = proc.run(spec)
  local ok
  if not r then
    assert(fs.write(out_path, ""))
    assert(fs.write(err_path, err.message .. "\n"))
    result.returncode, result.guard_status = 127, "failed"
    ok = false
    r = proc.not_started(err)
  else
    assert(fs.write(out_path, r.stdout or ""))
    assert(fs.write(err_path, r.stderr or ""))
    result.elapsed_s = r.wall_s
    result.returncode = r.timed_out and -9 or (r.code or (r.signal and -r.signal))
    result.timed_out = r.timed_out == true
    if r.rss_exceeded then
      result.guard_status = "rss_limit_exceeded"
      result.guard_violation = json.object({ kind = "rss", peak_kb = r.peak_tree_rss_kb })
      result.guard_limit_at_violation = ctx.rss_limit_mb and ctx.rss_limit_mb * 1024 or json.null
    elseif r.timed_out then
      result.guard_status = "timeout"
    elseif r.signal then
      result.guard_status, result.guard_exit_signal = "signal_exit", r.signal_name or r.signal
    elseif not r.ok then
      result.guard_status = "failed"
    end
    ok = r.ok
  end
  -- A JSON runner's run phase has its stdout parsed, passed or not (Molt's _parse_stdout_json);
  -- whether the JSON is usable is the runner's question, not the phase's.
  if is_run and runner and runner.json_stdout then
    local text = (r.stdout or ""):match("^%s*(.-)%s*$")
    if text == "" then
      result.stdout_json_error = "stdout was empty"
    else
      local doc, jerr = json.decode(text)
      if doc == nil then
        result.stdout_json_error = "stdout was not valid JSON: " .. tostring(jerr and jerr.message or jerr)
      else
        result.stdout_json = doc
      end
    end
  end
  -- Molt classifies a molt phase that did not pass (exit, timeout, RSS) into molt_failure.
  if runner and runner.name == "molt" and not ok then
    local f = classify.molt_failure(log_stem:match("build") and "build" or "run", r)
    f.log_refs = json.array({ json.object({ kind = "stdout", path = out_path }),
      json.object({ kind = "stderr", path = err_path }) })
    result.molt_failure = f
  end
  ctx.heartbeat(("finish %s status=%s rc=%s elapsed_s=%.3f%s"):format(label, ok and "ok" or "failed",
    tostring(result.returncode), result.elapsed_s, result.timed_out and " timed_out=true" or ""))
  if not ok and ctx.incident then ctx.incident(result, ctx.cwd) end
  return result, ok
end

local RUN_SUITE_OPTIONS = {
  base_env = "map",
  defaults_env = "map",
  dry_run = "boolean",
  heartbeat = "callable",
  repo_refs = "any",
  runners = "any",
  include_disabled = "any",
  ["repeat"] = "any",
  noise = "any",
  output_root = "any",
  project_python = "any",
  python = "any",
  repo_root = "any",
  repos_root = "any",
  rss_limit_mb = check.MEGABYTES,
  incident = "callable",
  suite_roots = "map",
  timeout_sec = check.SECONDS,
  checkout = "any",
  fetch = "any",
}

--- Runs one selected suite: acquire (custody before and after), prepare, then per runner a
--- build phase once and the run phase `repeat` times. Returns the suite record (Molt's
--- layout plus `rig.pairs`).
function M.run_suite(suite, opts)
  check.arg("run_suite", 1, suite, "table")
  opts = check.options("run_suite", 2, opts, RUN_SUITE_OPTIONS)
  opts.suite_roots = opts.suite_roots or {}
  local ctx = { output_root = opts.output_root, dry_run = opts.dry_run, heartbeat = opts.heartbeat or function() end,
    rss_limit_mb = opts.rss_limit_mb, base_env = opts.base_env or M.base_env(), incident = opts.incident }
  if opts["repeat"] then suite["repeat"] = opts["repeat"] end
  if opts.timeout_sec then suite.timeout_sec = opts.timeout_sec end
  local rec = json.object({ id = suite.id, friend = suite.friend, display_name = suite.display_name,
    semantic_mode = suite.semantic_mode, source = suite.source, suite_root = json.null, suite_workdir = json.null,
    resolved_ref = json.null, requested_ref = suite.requested_ref or json.null, status = "failed", reason = json.null,
    adapter_notes = suite.adapter_notes, tags = json.array(suite.tags), metrics = json.object({}),
    runners = json.object({}) })
  ctx.values = { repo_root = opts.repo_root, output_root = opts.output_root, pathsep = ":", python = opts.python,
    project_python = opts.project_python }
  -- Custody before the run: git suites (an overridden root too) must be at their pinned ref,
  -- clean. A suite that cannot be had is Molt's failed record: no runners, no root.
  local root, why, custody = sources.acquire(ctx, suite, opts)
  if root and suite.source == "git" and not ctx.dry_run then
    why = sources.check_custody(root, suite, custody, "git_ref_and_clean_tree")
  end
  if why then
    rec.source_custody = sources.unverified(suite, opts.suite_roots[suite.id] ~= nil)
    rec.suite_root, rec.suite_workdir, rec.reason = "", "", why
    rec.metrics = M.metrics({})
    return rec
  end
  rec.source_custody = custody
  rec.suite_root = root
  rec.resolved_ref = custody.head_ref
  local workdir = suite.workdir and fs.join(root, suite.workdir) or root
  rec.suite_workdir = workdir
  ctx.values.suite_root, ctx.values.suite_workdir = root, workdir
  ctx.cwd = workdir

  local suite_env, eerr = layered_env(ctx, opts.defaults_env, suite.env)
  local prepare_failed
  if not suite_env then
    prepare_failed = eerr
  else
    ctx.env = suite_env
    for i, cmd in ipairs(suite.prepare_cmds) do
      local argv, aerr = expand_argv(cmd, ctx.values)
      if not argv then prepare_failed = ("prepare step %d: %s"):format(i, aerr) break end
      local _, ok = phase(ctx, suite, argv, nil, ("prepare_%d"):format(i), false,
        ("suite=%s phase=prepare step=%d/%d"):format(suite.id, i, #suite.prepare_cmds))
      if not ok then prepare_failed = ("prepare step %d failed"):format(i) break end
    end
  end

  local failures, any_ok = {}, false
  for _, name in ipairs(suite.runner_names) do
    local runner = suite.runners[name]
    local rr = json.object({ name = name, role = runner.role, status = "ok", reason = json.null, build = json.null,
      runs = json.array({}), structured_outputs = json.array({}), structured_samples_s = json.object({}),
      structured_median_s = json.object({}), molt_failure = json.null })
    local samples = {}
    if prepare_failed then
      rr.status, rr.reason = "failed", prepare_failed
    elseif runner.skip_reason or not runner.run_cmd then
      rr.status, rr.reason = "skipped", runner.skip_reason or "run_cmd not configured"
    else
      local renv, rerr = layered_env(ctx, opts.defaults_env, suite.env, runner.env)
      local build_argv, berr
      if runner.build_cmd then build_argv, berr = expand_argv(runner.build_cmd, ctx.values) end
      local run_argv, uerr = expand_argv(runner.run_cmd, ctx.values)
      if not renv or (runner.build_cmd and not build_argv) or not run_argv then
        rr.status, rr.reason = "failed", "template: " .. tostring(rerr or berr or uerr)
      else
        ctx.env = renv
        if build_argv then
          local b, ok = phase(ctx, suite, build_argv, runner, name .. ".build", false,
            ("suite=%s runner=%s phase=build"):format(suite.id, name))
          rr.build = b
          if not ok then
            rr.status = "failed"
            local f = b.molt_failure
            local detail = f ~= json.null and f.detail and (" (" .. f.detail .. ")") or ""
            rr.reason = f ~= json.null and ("build failed: %s%s"):format(f.status, detail) or "build failed"
            rr.molt_failure = f
          end
        end
        if rr.status == "ok" then
          for i = 1, suite["repeat"] do
            local r, ok = phase(ctx, suite, run_argv, runner, ("%s.run%d"):format(name, i), true,
              ("suite=%s runner=%s phase=run repeat=%d/%d"):format(suite.id, name, i, suite["repeat"]))
            rr.runs[#rr.runs + 1] = r
            -- Molt's reasons: the phase failed (with the Molt failure's status and detail),
            -- or its JSON is missing, unreadable or not ok.
            local failed_why
            if not ok then
              local f = r.molt_failure
              failed_why = ("run %d failed%s"):format(i, f ~= json.null and (": %s%s"):format(tostring(f.status),
                f.detail and f.detail ~= json.null and (" (" .. tostring(f.detail) .. ")") or "") or "")
              rr.molt_failure = f
            elseif runner.json_stdout and not ctx.dry_run then
              local doc = r.stdout_json
              if r.stdout_json_error ~= json.null then
                failed_why = ("run %d JSON parse failed: %s"):format(i, r.stdout_json_error)
              elseif doc == json.null then
                failed_why = ("run %d did not emit JSON stdout"):format(i)
              elseif type(doc) == "table" and json.is_object(doc) and doc.status ~= nil and doc.status ~= json.null
                and doc.status ~= "ok" then
                failed_why = ("run %d emitted non-ok JSON status: %s"):format(i, type(doc.status) == "string"
                  and ("'" .. doc.status .. "'") or json.encode(doc.status))
              end
            end
            if failed_why then
              rr.status, rr.reason = "failed", failed_why
              break
            end
            if runner.json_stdout and not ctx.dry_run then
              rr.structured_outputs[#rr.structured_outputs + 1] = r.stdout_json
              for metric, v in pairs(metrics.structured_timings(r.stdout_json)) do
                rr.structured_samples_s[metric] = rr.structured_samples_s[metric] or json.array({})
                table.insert(rr.structured_samples_s[metric], v)
              end
            end
            samples[#samples + 1] = r.elapsed_s
          end
        end
      end
    end
    if rr.status ~= "ok" then samples = {} end
    metrics.runner_stats(rr, samples)
    for metric, xs in pairs(rr.structured_samples_s) do rr.structured_median_s[metric] = stats.median(xs) end
    if rr.status == "failed" then failures[#failures + 1] = name end
    if rr.status == "ok" then any_ok = true end
    rec.runners[name] = rr
  end

  -- Custody after the run: a suite that dirtied its checkout fails.
  local post_run
  if suite.source == "git" and not ctx.dry_run then
    post_run = sources.check_custody(root, suite, custody, "post_run_git_ref_and_clean_tree", true)
    if post_run and custody.verification ~= "post_run_git_ref_and_clean_tree" then
      custody.git_clean, custody.verification = false, "post_run_git_ref_and_clean_tree_failed"
    end
  end

  -- Molt's _suite_status (a dry run's phases pass in no time: ok, or skipped), then a
  -- post-run custody failure fails the suite, its reason added.
  if #failures > 0 then
    table.sort(failures)
    rec.status, rec.reason = "failed", "runner failures: " .. table.concat(failures, ", ")
  elseif not any_ok then
    rec.status, rec.reason = "skipped", "no runnable runners"
  else
    rec.status = "ok"
  end
  if prepare_failed and rec.reason == json.null then rec.reason = prepare_failed end
  if post_run then
    rec.status = "failed"
    rec.reason = rec.reason ~= json.null and (rec.reason .. "; " .. post_run) or post_run
  end
  rec.metrics = M.metrics(rec.runners)
  -- Rig's runner-pair evidence, when something was measured (a dry run measures nothing).
  if not ctx.dry_run then
    rec.rig = json.object({ pairs = metrics.pairs_evidence(rec.runners, suite.runner_names, opts.noise) })
  end
  return rec
end

--- A fresh results payload (Molt's top level) for a run of `manifest` with `options`:
--- `started_at` (Python's isoformat, the run's start), `memory_guard` (rig.molt.memory_limits),
--- `custody_artifacts`, `host_python` ({platform, version} of the interpreter behind {python},
--- as Python's platform module says them) besides the run's own options.
function M.new_payload(manifest, options, dry_run)
  local host = env.host({ git = true })
  local commit = host.git and host.git.commit
  local py = type(options.host_python) == "table" and options.host_python or {}
  local runners = {}
  for i, r in ipairs(options.runners or {}) do runners[i] = r end
  table.sort(runners)
  return json.object({
    schema_version = 1, manifest_schema_version = manifest.schema_version,
    generated_at = options.started_at or time.isoformat(),
    manifest_path = fs.realpath(manifest.path) or manifest.path,
    git_rev = commit or json.null,
    provenance = molt.provenance("rig run friends", "manifest-defined", commit),
    dry_run = dry_run == true, partial = false, interrupted = json.null,
    backend_daemon_cleanup = json.array({}), memory_guard_incidents = json.array({}),
    custody_artifacts = json.object(options.custody_artifacts or {}),
    molt_failure_details = json.object({ schema_version = 1, total = 0, truncated = false, max_records = 32,
      records = json.array({}) }),
    memory_guard = options.memory_guard or json.object({ enabled = false }),
    host = json.object({ platform = py.platform or ("Linux-%s-%s"):format(host.kernel or "unknown",
      host.machine or "unknown"), machine = host.machine, python = py.version or json.null,
      cpu_count = host.cpu_count }),
    options = json.object({ include_disabled = options.include_disabled == true, checkout = options.checkout ~= false,
      fetch = options.fetch == true, repeat_override = options["repeat"] or json.null,
      timeout_override = options.timeout_sec or json.null, runner_filter = json.array(runners),
      suite_root_overrides = json.object(options.suite_roots or {}),
      repo_ref_overrides = json.object(options.repo_refs or {}) }),
    suites = json.array({}),
  })
end

--- Molt's backend-daemon cleanup event at the end of a run (`reason` harness_exit or
--- interrupted). Rig ends every descendant of a command with it, so no daemon a suite
--- started outlives its phase: nothing is left to terminate, and the event says so.
function M.cleanup_event(session_id, project_root, reason)
  return json.object({ schema_version = 1, event = "bench_friends_backend_daemon_cleanup",
    recorded_at = time.isoformat(), reason = reason, session_id = session_id, project_root = project_root,
    status = "ok", terminated = json.array({}), terminated_count = 0 })
end

--- Molt's command-profile record of a phase that did not pass (its guard's "incident" mode),
--- for memory_guard/commands.jsonl: the command, how it ended and the limits it ran under
--- (not the environment, which Molt's also records: it can hold secrets).
function M.incident_record(result, cwd, session_id, memory_guard)
  return json.object({ schema_version = "1.0", event = "guarded_command_profile", recorded_at = time.isoformat(),
    prefix = "MOLT_BENCH", session_id = session_id, cwd = cwd, command = result.cmd, returncode = result.returncode,
    status = result.guard_status, elapsed_s = result.elapsed_s, memory_guard = memory_guard or json.null,
    memory_guard_enabled = memory_guard ~= nil, timed_out = result.timed_out, violation = result.guard_violation,
    limit_at_violation = result.guard_limit_at_violation, exit_signal = result.guard_exit_signal,
    orphaned_process_groups = result.guard_orphaned_process_groups })
end

--- Adds a suite record to the payload, with its Molt failures in `molt_failure_details`.
function M.add_suite(payload, rec)
  payload.suites[#payload.suites + 1] = rec
  local d = payload.molt_failure_details
  for _, name in ipairs(util.sorted_keys(rec.runners)) do
    local f = rec.runners[name].molt_failure
    if type(f) == "table" and f.status then
      d.total = d.total + 1
      if #d.records < d.max_records then
        local r = json.object({ suite = rec.id, runner = name })
        for k, v in pairs(f) do r[k] = v end
        d.records[#d.records + 1] = r
      else
        d.truncated = true
      end
    end
  end
end

return M
