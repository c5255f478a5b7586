--- Friend suites: other projects' benchmark suites, run unmodified where possible, from
--- Molt's manifest (bench/friends/manifest.toml) into Molt's results.json and summary.md
--- (its tools/bench_friends.py), plus Rig's intervals and verdicts per runner pair.
--- docs/friends.md.
local check = require "rig.check"
local fs = require "rig.fs"
local json = require "rig.json"
local toml = require "rig.toml"
local proc = require "rig.proc"
local env = require "rig.env"
local stats = require "rig.stats"
local time = require "rig.time"
local util = require "rig.util"
local md = require "rig.md"
local classify = require "rig.classify"
local core = require "rig._native.core"

local M = {}

-- Molt's direction strings for ratio_directions: one generic form per kind of ratio.
local SPEEDUP = "speedup:baseline_time/candidate_time;>1=candidate_faster"
local MOLT_OVER = "molt_over_baseline:molt_time/baseline_time;<1=molt_faster"

M.SEMANTIC_MODES = { "runs_unmodified", "requires_adapter", "c_api_probe", "unsupported_by_molt" }
M.ROLES = { "workload", "custody_audit", "c_api_scan" }
-- Molt's lanes, in the order of its metrics and summary columns.
M.LANES = { "cpython", "pypy", "molt", "codon", "friend", "nuitka", "pyodide", "tinygrad", "numpy" }

local function set_of(list)
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end
local MODES, ROLES = set_of(M.SEMANTIC_MODES), set_of(M.ROLES)

local TOP_KEYS = { schema_version = true, defaults = true, suite = true }
local DEFAULT_KEYS = { ["repeat"] = true, timeout_sec = true, env = true }
local SUITE_KEYS = {
  id = true, friend = true, display_name = true, enabled = true, source = true, repo_url = true, repo_ref = true,
  local_path = true, workdir = true, semantic_mode = true, adapter_notes = true, tags = true, timeout_sec = true,
  ["repeat"] = true, env = true, prepare_cmds = true, runners = true,
}
local RUNNER_KEYS = {
  build_cmd = true, run_cmd = true, cmd = true, env = true, skip_reason = true, json_stdout = true,
  structured_stdout = true, role = true,
}

--- True when a ref is a placeholder, not a pin (Molt's PINNED/REQUIRED/PLACEHOLDER words, or
--- a load-time template left unresolved).
function M.is_placeholder(ref)
  if type(ref) ~= "string" or ref == "" then return true end
  local up = ref:upper()
  return (up:find("PINNED", 1, true) or up:find("REQUIRED", 1, true) or up:find("PLACEHOLDER", 1, true)
    or ref:find("{[%w_]+}")) ~= nil
end

-- Replaces {name} from `values`; {{ and }} are literal braces (Python's format_map rules).
-- Returns the text, or nil and the first unknown name.
local function format_map(text, values)
  local unknown
  local out = text:gsub("{{", "\1"):gsub("}}", "\2"):gsub("{([%w_]+)}", function(name)
    local v = values[name]
    if v == nil then
      unknown = unknown or name
      return nil
    end
    return tostring(v)
  end):gsub("\1", "{"):gsub("\2", "}")
  if unknown then return nil, unknown end
  return out
end

local function manifest_error(path, where, key, message)
  return core.error("manifest", ("%s: %s%s: %s"):format(path, where, key and (": key '" .. key .. "'") or "", message))
end

local function check_keys(t, allowed, path, where)
  for k in pairs(t) do
    if not allowed[k] then
      return manifest_error(path, where, tostring(k), "unknown key" .. util.did_you_mean(tostring(k),
        util.sorted_keys(allowed)))
    end
  end
end

local function string_list(v)
  if type(v) ~= "table" then return false end
  for _, x in ipairs(v) do
    if type(x) ~= "string" then return false end
  end
  for k in pairs(v) do
    if math.type(k) ~= "integer" then return false end
  end
  return true
end

local function string_map(v)
  if type(v) ~= "table" then return false end
  for k, x in pairs(v) do
    if type(k) ~= "string" or (type(x) ~= "string" and type(x) ~= "number" and type(x) ~= "boolean") then
      return false
    end
  end
  return true
end

local PARSE_OPTIONS = { values = "map" }

--- Loads and checks a manifest. `opts.values` fills load-time templates (Molt's
--- `{scientific_numpy_repo_ref}` and the like) in every string. Returns {schema_version,
--- defaults = {repeat, timeout_sec, env}, suites = {...}, path}, or nil and a `manifest`
--- error naming the file, the suite and the key.
---@param path string
---@param opts? { values?: table<string, string> }
function M.load(path, opts)
  check.arg("load", 1, path, { "string", nonempty = true })
  opts = check.options("load", 2, opts, PARSE_OPTIONS)
  local data, err = toml.read(path)
  if not data then return nil, err end
  return M.parse(data, path, opts)
end

--- `load` of an already decoded table (`path` is only for messages).
function M.parse(data, path, opts)
  opts = check.options("parse", 3, opts, PARSE_OPTIONS)
  local values = opts.values or {}
  local e = check_keys(data, TOP_KEYS, path, "top level")
  if e then return nil, e end
  local schema = data.schema_version or 1
  if math.type(schema) ~= "integer" then
    return nil, manifest_error(path, "top level", "schema_version", "an integer expected")
  end
  local d = data.defaults or {}
  if type(d) ~= "table" then return nil, manifest_error(path, "[defaults]", nil, "a table expected") end
  e = check_keys(d, DEFAULT_KEYS, path, "[defaults]")
  if e then return nil, e end
  local defaults = { ["repeat"] = d["repeat"] or 3, timeout_sec = d.timeout_sec or 900, env = d.env or {} }
  if math.type(defaults["repeat"]) ~= "integer" or defaults["repeat"] < 1 then
    return nil, manifest_error(path, "[defaults]", "repeat", "a positive integer expected")
  end
  if type(defaults.timeout_sec) ~= "number" or defaults.timeout_sec <= 0 then
    return nil, manifest_error(path, "[defaults]", "timeout_sec", "a positive number of seconds expected")
  end
  if not string_map(defaults.env) then
    return nil, manifest_error(path, "[defaults]", "env", "a table of NAME = \"value\" expected")
  end
  local function expand(v)
    if type(v) == "string" then
      return (v:gsub("{(scientific_[%w_]+)}", function(name) return values[name] end))
    elseif type(v) == "table" then
      local out = {}
      for k, x in pairs(v) do out[k] = expand(x) end
      return out
    end
    return v
  end
  local suites, seen = {}, {}
  local raw = data.suite or {}
  if type(raw) ~= "table" then return nil, manifest_error(path, "top level", "suite", "[[suite]] tables expected") end
  for i, s in ipairs(raw) do
    local where = ("suite #%d"):format(i)
    if type(s.id) ~= "string" or s.id == "" then
      return nil, manifest_error(path, where, "id", "a non-empty string is required")
    end
    -- The id names folders (logs, env, clones) under --output-root and --repos-root: it must
    -- stay a single name inside them.
    if not s.id:match("^[%w_][%w_.-]*$") or s.id:find("..", 1, true) then
      return nil, manifest_error(path, where, "id", ("%q would leave its folder: an id is letters, digits, "
        .. "'_', '.' and '-', not starting with '.' and without '..'"):format(s.id))
    end
    where = ("suite '%s'"):format(s.id)
    if seen[s.id] then return nil, manifest_error(path, where, "id", "used by two suites") end
    seen[s.id] = true
    e = check_keys(s, SUITE_KEYS, path, where)
    if e then return nil, e end
    local function bad(key, message) return nil, manifest_error(path, where, key, message) end
    if type(s.friend) ~= "string" or s.friend == "" then return bad("friend", "a non-empty string is required") end
    for _, key in ipairs { "display_name", "repo_url", "repo_ref", "local_path", "workdir", "adapter_notes" } do
      if s[key] ~= nil and type(s[key]) ~= "string" then return bad(key, "a string expected") end
    end
    if s.enabled ~= nil and type(s.enabled) ~= "boolean" then return bad("enabled", "true or false expected") end
    local source = s.source or "local"
    if source ~= "local" and source ~= "git" then return bad("source", "'local' or 'git' expected") end
    if source == "git" and not s.repo_url then return bad("repo_url", "required for a git suite") end
    if source == "git" and not s.repo_ref then return bad("repo_ref", "required for a git suite (a commit or tag)") end
    if source == "local" and not s.local_path then return bad("local_path", "required for a local suite") end
    local mode = s.semantic_mode or "requires_adapter"
    if not MODES[mode] then
      return bad("semantic_mode", "one of " .. table.concat(M.SEMANTIC_MODES, ", ") .. " expected"
        .. util.did_you_mean(tostring(mode), M.SEMANTIC_MODES))
    end
    if s.tags ~= nil and not string_list(s.tags) then return bad("tags", "a list of strings expected") end
    if s["repeat"] ~= nil and (math.type(s["repeat"]) ~= "integer" or s["repeat"] < 1) then
      return bad("repeat", "a positive integer expected")
    end
    if s.timeout_sec ~= nil and (type(s.timeout_sec) ~= "number" or s.timeout_sec <= 0) then
      return bad("timeout_sec", "a positive number of seconds expected")
    end
    if s.env ~= nil and not string_map(s.env) then return bad("env", "a table of NAME = \"value\" expected") end
    local prepare = s.prepare_cmds or {}
    if type(prepare) ~= "table" then return bad("prepare_cmds", "a list of commands (lists of strings) expected") end
    for j, cmd in ipairs(prepare) do
      if not string_list(cmd) or #cmd == 0 then
        return bad("prepare_cmds", ("command %d: a non-empty list of strings expected"):format(j))
      end
    end
    if type(s.runners) ~= "table" or next(s.runners) == nil then
      return bad("runners", "at least one [suite.runners.NAME] table is required")
    end
    local runners, names = {}, {}
    for name, r in pairs(s.runners) do
      local rwhere = ("%s runner '%s'"):format(where, tostring(name))
      if type(name) ~= "string" or not name:match("^[A-Za-z0-9_][A-Za-z0-9_.-]*$") or name:find("..", 1, true) then
        return nil, manifest_error(path, rwhere, nil,
          "a runner name of letters, digits, '_', '.' and '-' expected "
            .. "(it names folders: not starting with '.', no '..')")
      end
      if type(r) ~= "table" then return nil, manifest_error(path, rwhere, nil, "a table expected") end
      e = check_keys(r, RUNNER_KEYS, path, rwhere)
      if e then return nil, e end
      local run_cmd = r.run_cmd or r.cmd
      for _, key in ipairs { "build_cmd", "run_cmd", "cmd" } do
        if r[key] ~= nil and (not string_list(r[key]) or #r[key] == 0) then
          return nil, manifest_error(path, rwhere, key, "a non-empty list of strings (argv) expected")
        end
      end
      if r.env ~= nil and not string_map(r.env) then
        return nil, manifest_error(path, rwhere, "env", "a table of NAME = \"value\" expected")
      end
      if r.skip_reason ~= nil and type(r.skip_reason) ~= "string" then
        return nil, manifest_error(path, rwhere, "skip_reason", "a string expected")
      end
      if r.json_stdout ~= nil and type(r.json_stdout) ~= "boolean" then
        return nil, manifest_error(path, rwhere, "json_stdout", "true or false expected")
      end
      if r.structured_stdout ~= nil and r.structured_stdout ~= "json" then
        return nil, manifest_error(path, rwhere, "structured_stdout", "\"json\" expected")
      end
      local role = r.role or "workload"
      if not ROLES[role] then
        return nil, manifest_error(path, rwhere, "role", "one of " .. table.concat(M.ROLES, ", ") .. " expected")
      end
      names[#names + 1] = name
      runners[name] = { name = name, build_cmd = expand(r.build_cmd), run_cmd = expand(run_cmd),
        env = expand(r.env or {}), skip_reason = r.skip_reason,
        json_stdout = r.json_stdout == true or r.structured_stdout == "json", role = role }
    end
    table.sort(names)
    suites[#suites + 1] = {
      index = i, id = s.id, friend = s.friend, display_name = s.display_name or s.id, enabled = s.enabled == true,
      source = source, repo_url = s.repo_url, repo_ref = expand(s.repo_ref), local_path = expand(s.local_path),
      workdir = s.workdir, semantic_mode = mode, adapter_notes = s.adapter_notes or "", tags = s.tags or {},
      timeout_sec = s.timeout_sec or defaults.timeout_sec, ["repeat"] = s["repeat"] or defaults["repeat"],
      env = expand(s.env or {}), prepare_cmds = expand(prepare), runners = runners, runner_names = names,
    }
  end
  return { schema_version = schema, defaults = defaults, suites = suites, path = path }
end

local SELECT_OPTIONS = {
  dry_run = "boolean",
  include_disabled = "boolean",
  repo_refs = "map",
  runners = "list",
  suites = "list",
}
--- Chooses the suites to run: `opts.suites` (ids; unknown ids are an error), else the enabled
--- ones (all with `include_disabled`); `opts.runners` keeps those runners (a suite left with
--- none is an error); git refs must be pinned unless `opts.dry_run` (or overridden by
--- `opts.repo_refs[id]`). Returns the list, or nil and a `manifest` error.
function M.select(manifest, opts)
  opts = check.options("select", 2, opts, SELECT_OPTIONS)
  local by_id, out = {}, {}
  for _, s in ipairs(manifest.suites) do by_id[s.id] = s end
  -- Molt's selection: the enabled suites (all with include_disabled), in manifest order,
  -- narrowed to --suite's ids. A disabled suite named by --suite alone is not selected.
  local chosen, wanted = {}, nil
  if opts.suites and #opts.suites > 0 then
    wanted = set_of(opts.suites)
    for _, id in ipairs(opts.suites) do
      if not by_id[id] then
        local ids = {}
        for _, s in ipairs(manifest.suites) do ids[#ids + 1] = s.id end
        return nil, manifest_error(manifest.path, ("suite '%s'"):format(id), nil, "not in the manifest"
          .. util.did_you_mean(id, ids))
      end
    end
  end
  for _, s in ipairs(manifest.suites) do
    if (s.enabled or opts.include_disabled) and (not wanted or wanted[s.id]) then chosen[#chosen + 1] = s end
  end
  local filter = opts.runners and #opts.runners > 0 and set_of(opts.runners) or nil
  for _, s in ipairs(chosen) do
    local ref = (opts.repo_refs or {})[s.id] or s.repo_ref
    if s.source == "git" and not opts.dry_run and M.is_placeholder(ref) then
      return nil, manifest_error(manifest.path, ("suite '%s'"):format(s.id), "repo_ref",
        ("'%s' is not a pinned commit or tag%s (pin it, pass --repo-ref %s=REF, or use --dry-run)"):format(
          tostring(ref), ref and ref:find("{[%w_]+}") and ", and its template has no value" or "", s.id))
    end
    local names = {}
    for _, n in ipairs(s.runner_names) do
      if not filter or filter[n] then names[#names + 1] = n end
    end
    if #names == 0 then
      return nil, { code = "no_runners", message = ("suite %s: --runner filter selected no configured runners"):format(
        s.id) }
    end
    local copy = {}
    for k, v in pairs(s) do copy[k] = v end
    copy.runner_names, copy.requested_ref = names, ref
    out[#out + 1] = copy
  end
  return out
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

local function slug(name) return (tostring(name):gsub("[^A-Za-z0-9_]+", "_"):lower()) end

--- Molt's structured timings from a runner's JSON stdout: `workloads{name: {elapsed_s}}`,
--- `results[{benchmark|workload, elapsed_s}]`, top-level `elapsed_s` as `total`
--- (`total_elapsed_s` wins). Names are slugified. Returns {metric = seconds}.
function M.structured_timings(doc)
  local out = {}
  if type(doc) ~= "table" then return out end
  if type(doc.workloads) == "table" then
    for name, w in pairs(doc.workloads) do
      if type(w) == "table" and type(w.elapsed_s) == "number" then out[slug(name)] = w.elapsed_s end
    end
  end
  if type(doc.results) == "table" then
    for _, r in ipairs(doc.results) do
      local name = type(r) == "table" and (r.benchmark or r.workload)
      if name and type(r.elapsed_s) == "number" then out[slug(name)] = r.elapsed_s end
    end
  end
  if type(doc.elapsed_s) == "number" then out.total = doc.elapsed_s end
  if type(doc.total_elapsed_s) == "number" then out.total = doc.total_elapsed_s end
  return out
end

-- Runs one phase (a prepare step, a build, one run) with its logs; Molt's PhaseResult. Only
-- a run phase of a JSON runner has its stdout parsed.
local function phase(ctx, suite, argv, runner, log_stem, is_run)
  local dir = fs.join(ctx.output_root, "logs", suite.id)
  assert(fs.mkdir(dir))
  local out_path, err_path = fs.join(dir, log_stem .. ".stdout.log"), fs.join(dir, log_stem .. ".stderr.log")
  local result = json.object({ cmd = json.array(argv), returncode = json.null, elapsed_s = 0.0, timed_out = false,
    stdout_path = out_path, stderr_path = err_path, stdout_json = json.null, stdout_json_error = json.null,
    guard_status = "pass", guard_violation = json.null, guard_limit_at_violation = json.null,
    guard_orphaned_process_groups = json.array({}), guard_exit_signal = json.null,
    guard_cargo_incremental_quarantine = json.null, molt_failure = json.null })
  if ctx.dry_run then
    assert(fs.write(out_path, ("[dry-run] cwd=%s\n$ %s\n"):format(ctx.cwd, table.concat(argv, " "))))
    assert(fs.write(err_path, ""))
    result.returncode = 0
    return result, true
  end
  ctx.heartbeat(("start suite=%s runner=%s phase=%s timeout_s=%s argv_count=%d stdout=%s stderr=%s"):format(
    suite.id, runner and runner.name or "-", log_stem, tostring(suite.timeout_sec), #argv, out_path, err_path))
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
  local json_phase = is_run and runner and runner.json_stdout
  if json_phase and ok then
    local text = r.stdout or ""
    if not text:find("%S") then
      result.stdout_json_error, ok = "stdout was empty", false
    else
      local doc, jerr = json.decode(text)
      if doc == nil then
        result.stdout_json_error, ok = "stdout was not valid JSON: " .. tostring(jerr and jerr.message or jerr), false
      else
        result.stdout_json = doc
        if type(doc) == "table" and doc.status ~= nil and doc.status ~= json.null and doc.status ~= "ok" then
          result.stdout_json_error, ok = ("stdout JSON status is %s"):format(tostring(doc.status)), false
        end
      end
    end
  elseif json_phase and not ok and not (r.stdout or ""):find("%S") then
    result.stdout_json_error = "stdout was empty"
  end
  if runner and runner.name == "molt" and not ok then
    local f = classify.molt_failure(log_stem:match("build") and "build" or "run", r)
    f.log_refs = json.array({ json.object({ kind = "stdout", path = out_path }),
      json.object({ kind = "stderr", path = err_path }) })
    result.molt_failure = f
  end
  ctx.heartbeat(("finish suite=%s runner=%s phase=%s status=%s rc=%s elapsed_s=%.3f%s"):format(suite.id,
    runner and runner.name or "-", log_stem, ok and "ok" or "failed", tostring(result.returncode), result.elapsed_s,
    result.timed_out and " timed_out=true" or ""))
  return result, ok
end

local function git(dir, ...)
  local r = proc.run { "git", "-C", dir, ... }
  if not r then return nil, "git could not start" end
  return r.ok and (r.stdout or ""):gsub("%s+$", "") or nil, (r.stderr or ""):gsub("%s+$", "")
end

-- Where a suite's sources are, and whether they are what the manifest pins (Molt's custody).
local function acquire(ctx, suite, opts)
  local custody = json.object({ source = suite.source, requested_ref = suite.requested_ref or json.null,
    expected_ref = json.null, head_ref = json.null, ref_verified = false, git_clean = json.null,
    git_status_porcelain = json.null, git_ignored_artifacts = json.array({}),
    suite_root_overridden = false, verification = "not_acquired" })
  local override = (opts.suite_roots or {})[suite.id]
  if override or suite.source == "local" then
    local root = override or suite.local_path
    if not root:match("^/") then root = fs.join(ctx.values.repo_root, root) end
    custody.suite_root_overridden = override ~= nil
    if not fs.exists(root) then
      return nil, ("suite root %s does not exist"):format(root), custody
    end
    custody.verification = "local_path_exists"
    return fs.realpath(root) or root, nil, custody
  end
  local root = fs.join(opts.repos_root, suite.id)
  if ctx.dry_run then
    custody.verification = "dry_run"
    return root, nil, custody
  end
  if not fs.exists(root) then
    if not opts.checkout then return nil, ("%s is not there and --no-checkout was given"):format(root), custody end
    fs.mkdir(opts.repos_root)
    local r = proc.run { "git", "clone", "--quiet", suite.repo_url, root, timeout = suite.timeout_sec }
    if not (r and r.ok) then
      local why = r and util.tail_lines(r.stderr, 3) or "git could not start"
      return nil, ("git clone %s failed: %s"):format(suite.repo_url, why), custody
    end
  end
  if opts.fetch then
    local _, ferr = git(root, "fetch", "--all", "--tags", "--prune", "--quiet")
    if ferr and ferr ~= "" and not git(root, "rev-parse", "HEAD") then
      return nil, "git fetch failed: " .. ferr, custody
    end
  end
  if opts.checkout then
    local out, cerr = git(root, "checkout", "--quiet", "--detach", suite.requested_ref)
    if not out then return nil, ("git checkout %s failed: %s"):format(suite.requested_ref, cerr), custody end
  end
  return root, nil, custody
end

-- Molt's custody check: HEAD is the pinned ref and the tree is clean (no changes, no ignored
-- files). Fills `custody`; returns nil when it holds, else why not.
local function check_custody(root, suite, custody, verification)
  if not git(root, "rev-parse", "--is-inside-work-tree") then
    return ("%s is not a git work tree"):format(root)
  end
  local expected = git(root, "rev-parse", suite.requested_ref .. "^{commit}")
  local head = git(root, "rev-parse", "HEAD")
  local status = git(root, "status", "--porcelain") or ""
  local ignored = git(root, "ls-files", "--others", "--ignored", "--exclude-standard") or ""
  custody.expected_ref, custody.head_ref = expected or json.null, head or json.null
  custody.ref_verified = expected ~= nil and expected == head
  custody.git_status_porcelain = status
  local ignored_list = {}
  for line in ignored:gmatch("[^\n]+") do ignored_list[#ignored_list + 1] = line end
  custody.git_ignored_artifacts = json.array(ignored_list)
  custody.git_clean = status == "" and #ignored_list == 0
  custody.verification = verification
  if not expected then return ("ref %s is not in the repository"):format(suite.requested_ref) end
  if not custody.ref_verified then return ("HEAD %s is not the pinned ref %s (%s)"):format(head, suite.requested_ref,
    expected) end
  if not custody.git_clean then
    local first = status:match("[^\n]+") or ignored_list[1]
    return ("the work tree is not clean (%s)"):format(first)
  end
end

local function runner_stats(rr, samples)
  rr.run_samples_s = json.array(samples)
  if #samples == 0 then
    rr.run_median_s, rr.run_mean_s, rr.run_stdev_s = json.null, json.null, json.null
    return
  end
  local s = stats.summary(samples)
  rr.run_median_s, rr.run_mean_s = s.median, s.mean
  rr.run_stdev_s = #samples > 1 and s.std_sample or 0.0
end

-- Molt's suite metrics over the ok workload runners, plus ratio directions.
function M.metrics(runners)
  local m = json.object({})
  local dirs = json.object({})
  local med = {}
  for name, rr in pairs(runners) do
    if rr.role == "workload" and rr.status == "ok" and type(rr.run_median_s) == "number" then
      med[name] = rr.run_median_s
    end
  end
  local function num(x) return x == nil and json.null or x end
  local function ratio(a, b) return (a and b and b > 0) and a / b or nil end
  for _, lane in ipairs(M.LANES) do
    m[lane .. "_median_s"] = num(med[lane])
    m[lane .. "_time_s"] = num(med[lane])
  end
  local molt = med.molt
  m.molt_speedup = num(ratio(med.cpython, molt))
  dirs.molt_speedup = SPEEDUP
  for _, lane in ipairs(M.LANES) do
    if lane ~= "molt" then
      local k = "molt_vs_" .. lane .. "_speedup"
      m[k] = num(ratio(med[lane], molt))
      dirs[k] = SPEEDUP
    end
  end
  for _, lane in ipairs { "friend", "nuitka", "pyodide", "tinygrad", "numpy" } do
    local k = lane .. "_vs_molt_speedup"
    m[k] = num(ratio(molt, med[lane]))
    dirs[k] = SPEEDUP
  end
  for _, lane in ipairs { "cpython", "pypy", "codon", "nuitka", "pyodide", "tinygrad", "numpy" } do
    local k = "molt_" .. lane .. "_ratio"
    m[k] = num(ratio(molt, med[lane]))
    dirs[k] = MOLT_OVER
  end
  for name, rr in pairs(runners) do
    if med[name] then
      m[slug(name) .. "_median_s"] = med[name]
      m[slug(name) .. "_time_s"] = med[name]
      for metric, value in pairs(rr.structured_median_s) do
        m[("%s_%s_median_s"):format(slug(name), metric)] = value
      end
    end
  end
  local molt_rr = runners.molt
  if molt_rr and med.molt then
    for _, lane in ipairs { "cpython", "friend", "tinygrad", "numpy" } do
      local other = runners[lane]
      if other and med[lane] then
        for metric, value in pairs(molt_rr.structured_median_s) do
          local theirs = other.structured_median_s[metric]
          if type(theirs) == "number" and value > 0 then
            local k = ("molt_vs_%s_%s_speedup"):format(lane, metric)
            m[k] = theirs / value
            dirs[k] = SPEEDUP
          end
        end
      end
    end
  end
  m.ratio_directions = dirs
  return m
end

-- Rig's evidence: every pair of ok workload runners, the ratio of medians with its interval
-- and a verdict (few repeats give wide intervals, and the verdict says so).
local function pairs_evidence(runners, names, noise)
  local out = json.array({})
  for i = 1, #names do
    for j = i + 1, #names do
      local a, b = runners[names[i]], runners[names[j]]
      if a.role == "workload" and b.role == "workload" and a.status == "ok" and b.status == "ok"
        and #a.run_samples_s > 0 and #b.run_samples_s > 0 then
        local c = stats.compare(a.run_samples_s, b.run_samples_s, { noise = noise })
        out[#out + 1] = json.object({ baseline = names[i], candidate = names[j], ratio = json.finite(c.ratio),
          ci_low = json.finite(c.ci_low), ci_high = json.finite(c.ci_high), p_value = json.finite(c.p_value),
          verdict = c.verdict, reason = c.reason, warnings = json.array(c.warnings) })
      end
    end
  end
  return out
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
    rss_limit_mb = opts.rss_limit_mb, base_env = opts.base_env or M.base_env() }
  if opts["repeat"] then suite["repeat"] = opts["repeat"] end
  if opts.timeout_sec then suite.timeout_sec = opts.timeout_sec end
  local rec = json.object({ id = suite.id, friend = suite.friend, display_name = suite.display_name,
    semantic_mode = suite.semantic_mode, source = suite.source, suite_root = json.null, suite_workdir = json.null,
    resolved_ref = json.null, requested_ref = suite.requested_ref or json.null, status = "failed", reason = json.null,
    adapter_notes = suite.adapter_notes, tags = json.array(suite.tags), metrics = json.object({}),
    runners = json.object({}) })
  ctx.values = { repo_root = opts.repo_root, output_root = opts.output_root, pathsep = ":", python = opts.python,
    project_python = opts.project_python }
  local root, why, custody = acquire(ctx, suite, opts)
  rec.source_custody = custody
  if root and suite.source == "git" and not opts.suite_roots[suite.id] and not ctx.dry_run then
    why = check_custody(root, suite, custody, "git_ref_and_clean_tree")
    if why then why = "source custody failed: " .. why end
  end
  if why then
    rec.reason = why
    rec.metrics = M.metrics({})
    return rec
  end
  rec.suite_root = root
  rec.resolved_ref = custody.expected_ref ~= json.null and custody.expected_ref or (suite.requested_ref or json.null)
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
      local _, ok = phase(ctx, suite, argv, nil, ("prepare_%d"):format(i))
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
      rr.status, rr.reason = "skipped", runner.skip_reason or "no run_cmd"
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
          local b, ok = phase(ctx, suite, build_argv, runner, name .. ".build")
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
            local r, ok = phase(ctx, suite, run_argv, runner, ("%s.run%d"):format(name, i), true)
            rr.runs[#rr.runs + 1] = r
            if not ok then
              rr.status = "failed"
              rr.reason = ("run %d failed%s"):format(i, r.timed_out and " (timeout)" or
                (r.stdout_json_error ~= json.null and r.returncode == 0) and (": " .. r.stdout_json_error) or "")
              rr.molt_failure = r.molt_failure
              break
            end
            samples[#samples + 1] = r.elapsed_s
            if r.stdout_json ~= json.null then
              local t = M.structured_timings(r.stdout_json)
              rr.structured_outputs[#rr.structured_outputs + 1] = json.object(t)
              for metric, v in pairs(t) do
                rr.structured_samples_s[metric] = rr.structured_samples_s[metric] or json.array({})
                table.insert(rr.structured_samples_s[metric], v)
              end
            end
          end
        end
      end
    end
    if rr.status ~= "ok" then samples = {} end
    runner_stats(rr, samples)
    for metric, xs in pairs(rr.structured_samples_s) do rr.structured_median_s[metric] = stats.median(xs) end
    if rr.status == "failed" then failures[#failures + 1] = name end
    if rr.status == "ok" then any_ok = true end
    rec.runners[name] = rr
  end

  -- Custody after the run: a suite that dirtied its checkout fails.
  if suite.source == "git" and not opts.suite_roots[suite.id] and not ctx.dry_run then
    local after = check_custody(root, suite, custody, "post_run_git_ref_and_clean_tree")
    if after then failures[#failures + 1] = "source custody after the run: " .. after end
  end

  -- A dry run's phases "pass" in no time, so its statuses are Molt's: ok, or skipped.
  if #failures > 0 then
    rec.status, rec.reason = "failed", "runner failures: " .. table.concat(failures, ", ")
  elseif not any_ok then
    rec.status, rec.reason = "skipped", "no runnable runners"
  else
    rec.status = "ok"
  end
  rec.metrics = M.metrics(rec.runners)
  rec.rig = json.object({ pairs = pairs_evidence(rec.runners, suite.runner_names, opts.noise) })
  return rec
end

-- Summary cells: %.4f or "-".
local function cell(v)
  if type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge then return ("%.4f"):format(v) end
  return "-"
end

local SUMMARY_LANES = { { "CPython", "cpython" }, { "PyPy", "pypy" }, { "Codon", "codon" }, { "Nuitka", "nuitka" },
  { "Pyodide", "pyodide" }, { "Friend", "friend" }, { "Tinygrad", "tinygrad" }, { "NumPy", "numpy" },
  { "Molt", "molt" } }
local SUMMARY_RATIOS = { { "CPython", "cpython" }, { "PyPy", "pypy" }, { "Codon", "codon" }, { "Nuitka", "nuitka" },
  { "Pyodide", "pyodide" }, { "Friend", "friend" }, { "NumPy", "numpy" } }

--- Molt's summary.md for a results payload (sections and table as its writer, the notes and
--- the footer Rig's own). `json_path` is shown on the JSON line.
---@param payload table
---@param json_path? string
---@return string
function M.summary_markdown(payload, json_path)
  local out = {}
  local function add(line) out[#out + 1] = line end
  add("# Friend Benchmark Summary")
  add("")
  add("Generated: " .. tostring(payload.generated_at))
  add(("Manifest: `%s`"):format(tostring(payload.manifest_path)))
  add(("JSON: `%s`"):format(tostring(json_path or "-")))
  add("")
  local header = { "Suite", "Semantic Mode", "Status" }
  local align = { "---", "---", "---" }
  for _, l in ipairs(SUMMARY_LANES) do header[#header + 1], align[#align + 1] = l[1] .. " s", "---:" end
  for _, l in ipairs(SUMMARY_RATIOS) do header[#header + 1], align[#align + 1] = "Molt/" .. l[1], "---:" end
  add("| " .. table.concat(header, " | ") .. " |")
  add("| " .. table.concat(align, " | ") .. " |")
  local non_ok, failures, pairs_lines = {}, {}, {}
  for _, s in ipairs(payload.suites or {}) do
    local m = s.metrics or {}
    local cells = { md.escape(s.id), md.escape(s.semantic_mode), md.escape(s.status) }
    for _, l in ipairs(SUMMARY_LANES) do cells[#cells + 1] = cell(m[l[2] .. "_median_s"]) end
    -- Molt's columns: Molt/CPython ... Molt/Pyodide are molt_<lane>_ratio (Molt time over
    -- the lane's, < 1 Molt faster); Molt/Friend and Molt/NumPy are speedups (> 1 Molt faster).
    for _, l in ipairs(SUMMARY_RATIOS) do
      local key = (l[2] == "friend" or l[2] == "numpy") and ("molt_vs_" .. l[2] .. "_speedup")
        or ("molt_" .. l[2] .. "_ratio")
      cells[#cells + 1] = cell(m[key])
    end
    add("| " .. table.concat(cells, " | ") .. " |")
    if s.status ~= "ok" then
      non_ok[#non_ok + 1] = ("- `%s`: %s (%s)"):format(s.id, tostring(s.status), tostring(s.reason))
    end
    for _, name in ipairs(util.sorted_keys(s.runners or {})) do
      local f = s.runners[name].molt_failure
      if type(f) == "table" and f.status then
        failures[#failures + 1] = ("- `%s` / `%s`: %s %s%s"):format(s.id, name, tostring(f.phase), tostring(f.status),
          (f.detail and f.detail ~= json.null) and (" (" .. tostring(f.detail) .. ")") or "")
      end
    end
    -- Rig's runner-pair verdicts, only the decided ones (nothing otherwise: Molt's layout).
    for _, p in ipairs(s.rig and s.rig.pairs or {}) do
      if p.verdict == "faster" or p.verdict == "slower" or p.verdict == "same" then
        pairs_lines[#pairs_lines + 1] = ("- `%s`: %s/%s %s (95%% CI %s to %s): %s"):format(s.id, p.candidate,
          p.baseline, cell(p.ratio), cell(p.ci_low), cell(p.ci_high), tostring(p.verdict))
      end
    end
  end
  add("")
  add("## Notes")
  add("- Semantic mode values: `runs_unmodified`, `requires_adapter`, `c_api_probe`, `unsupported_by_molt`.")
  add("- Ratio direction is serialized in `metrics.ratio_directions`: `Molt/CPython` through `Molt/Pyodide` are Molt "
    .. "time over baseline time (< 1.0 means Molt is faster), while `Molt/Friend` and `Molt/NumPy` are speedup "
    .. "columns (> 1.0 means Molt is faster).")
  add("- Compile-vs-run separation is recorded per runner when build commands are configured.")
  -- Molt lists the custody files except the results and the summary themselves.
  local custody = type(payload.custody_artifacts) == "table" and payload.custody_artifacts or {}
  local custody_lines = {}
  for _, k in ipairs { "molt_failure_details_jsonl", "harness_command_profile_jsonl", "repo_process_sentinel_jsonl",
    "backend_daemon_cleanup_jsonl" } do
    if type(custody[k]) == "string" then custody_lines[#custody_lines + 1] = ("- `%s`: `%s`"):format(k, custody[k]) end
  end
  -- The sections Molt writes when they have something to say, in its order.
  local function section(title, lines)
    if #lines == 0 then return end
    add("")
    add("## " .. title)
    for _, l in ipairs(lines) do add(l) end
  end
  local incidents, cleanup, interruption = {}, {}, {}
  for _, i in ipairs(type(payload.memory_guard_incidents) == "table" and payload.memory_guard_incidents or {}) do
    incidents[#incidents + 1] = ("- `%s` violation=`%s` victim_pgid=%s action=`%s`"):format(tostring(i.event),
      tostring(i.violation), tostring(i.victim_pgid), tostring(i.action))
  end
  if type(payload.interrupted) == "table" and payload.interrupted ~= json.null then
    local it = payload.interrupted
    interruption[1] = ("- %s (signal %s) at %s: partial results, exit %s"):format(tostring(it.signame),
      tostring(it.signum), tostring(it.recorded_at), tostring(it.returncode))
  end
  for _, c in ipairs(type(payload.backend_daemon_cleanup) == "table" and payload.backend_daemon_cleanup or {}) do
    cleanup[#cleanup + 1] = ("- `%s` reason=`%s` terminated=%s session=`%s`"):format(tostring(c.status),
      tostring(c.reason), tostring(c.terminated_count), tostring(c.session_id))
  end
  section("Custody Artifacts", custody_lines)
  section("Runner Comparisons (Rig)", pairs_lines)
  section("Molt Failure Details", failures)
  section("Non-OK Suites", non_ok)
  section("Memory Guard Incidents", incidents)
  section("Interruption", interruption)
  section("Backend Daemon Cleanup", cleanup)
  add("")
  add("Generated by `tools/bench_friends.py`.")
  return table.concat(out, "\n") .. "\n"
end

--- A fresh results payload (Molt's top level) for a run of `manifest` with `options`.
function M.new_payload(manifest, options, dry_run)
  local host = env.host({ git = true })
  return json.object({
    schema_version = 1, manifest_schema_version = manifest.schema_version, generated_at = time.iso8601(),
    manifest_path = fs.realpath(manifest.path) or manifest.path,
    git_rev = host.git and host.git.commit or json.null,
    provenance = json.object({ profile = "manifest-defined", lane = "rig run friends", source = "non-canonical",
      authoritative = false }),
    dry_run = dry_run == true, partial = false, interrupted = json.null,
    backend_daemon_cleanup = json.array({}), memory_guard_incidents = json.array({}),
    custody_artifacts = json.object({}),
    molt_failure_details = json.object({ schema_version = 1, total = 0, truncated = false, max_records = 32,
      records = json.array({}) }),
    memory_guard = json.object({ enabled = options.rss_limit_mb ~= nil,
      max_process_rss_gb = options.rss_limit_mb and options.rss_limit_mb / 1024 or json.null }),
    host = json.object({ platform = ("linux-%s"):format(host.machine or "unknown"), machine = host.machine,
      python = env.version({ "python3", "--version" }) or json.null, cpu_count = host.cpu_count }),
    options = json.object({ include_disabled = options.include_disabled == true, checkout = options.checkout ~= false,
      fetch = options.fetch == true, repeat_override = options["repeat"] or json.null,
      timeout_override = options.timeout_sec or json.null, runner_filter = json.array(options.runners or {}),
      suite_root_overrides = json.object(options.suite_roots or {}),
      repo_ref_overrides = json.object(options.repo_refs or {}) }),
    suites = json.array({}),
  })
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
