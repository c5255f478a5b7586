--- Friend manifests (Molt's bench/friends/manifest.toml): loading, checking every key with
--- the file, suite and key named, load-time templates, and choosing the suites to run. The
--- manifest part of rig.friends (which re-exports `load`, `parse`, `select`, `is_placeholder`).
local check = require "rig.check"
local toml = require "rig.toml"
local util = require "rig.util"
local core = require "rig._native.core"

local M = {}

M.SEMANTIC_MODES = { "runs_unmodified", "requires_adapter", "c_api_probe", "unsupported_by_molt" }
M.ROLES = { "workload", "custody_audit", "c_api_scan" }

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
function M.format_map(text, values)
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

local PARSE_OPTIONS = { values = "map", values_error = "string" }

--- Loads and checks a manifest. `opts.values` fills load-time templates (Molt's
--- `{scientific_numpy_repo_ref}` and the like) in every string; `opts.values_error` is why
--- they could not be had, said when the manifest uses one. Returns {schema_version,
--- defaults = {repeat, timeout_sec, env}, suites = {...}, path}, or nil and a `manifest`
--- error naming the file, the suite and the key.
---@param path string
---@param opts? { values?: table<string, string>, values_error?: string }
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
  local values_error
  local function expand(v)
    if type(v) == "string" then
      return (v:gsub("{(scientific_[%w_]+)}", function(name)
        if values[name] == nil and opts.values_error then values_error = values_error or opts.values_error end
        return values[name]
      end))
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
    -- The runners in the manifest's order (Molt runs them so).
    for _, name in ipairs(toml.keys(s.runners)) do
      local r = s.runners[name]
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
    suites[#suites + 1] = {
      index = i, id = s.id, friend = s.friend, display_name = s.display_name or s.id, enabled = s.enabled == true,
      source = source, repo_url = s.repo_url, repo_ref = expand(s.repo_ref), local_path = expand(s.local_path),
      workdir = s.workdir, semantic_mode = mode, adapter_notes = s.adapter_notes or "", tags = s.tags or {},
      timeout_sec = s.timeout_sec or defaults.timeout_sec, ["repeat"] = s["repeat"] or defaults["repeat"],
      env = expand(s.env or {}), prepare_cmds = expand(prepare), runners = runners, runner_names = names,
    }
  end
  if values_error then return nil, core.error("manifest", values_error) end
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

return M
