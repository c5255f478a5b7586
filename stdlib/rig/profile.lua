--- Molt's runtime profile counters (`MOLT_PROFILE=1 MOLT_PROFILE_JSON=1`): find them in logs,
--- flatten, sum, merge and diff them. Reads `molt_profile_json` (process profiles, schema 1,
--- 2 and 3), `molt_profile_epoch_json` (epochs) and the legacy text line `molt_profile k=v
--- ...`. Noise lines are skipped; a malformed or truncated record is counted and reported,
--- never fatal. reference: docs/artifacts.md (rig.profile) and docs/profiles.md.
local check = require "rig.check"
local native = require "rig._native.profile"
local json = require "rig.json"

local M = {}

local PREFIX = {
  process = "molt_profile_json ",
  epoch = "molt_profile_epoch_json ",
  text = "molt_profile ",
}

--- A process profile of any known schema: kind "runtime_feedback", schema_version 0 (legacy
--- text) to 3, and a `profile` section.
function M.is_process_profile(p)
  return type(p) == "table" and p.kind == "runtime_feedback" and math.type(p.schema_version) == "integer"
    and p.schema_version >= 0 and p.schema_version <= 3 and type(p.profile) == "table"
end

--- A profile epoch: kind "runtime_profile_epoch" with a generation and a delta section.
function M.is_epoch(p)
  return type(p) == "table" and p.kind == "runtime_profile_epoch" and math.type(p.generation) == "integer"
    and type(p.delta) == "table"
end

-- Legacy text keys that the JSON payload keeps under hot_paths and deopt_reasons (read off
-- the 2026-03-20 fixtures, where one run printed both forms); every other key is a profile
-- counter, except the memory gauges.
local HOT_PATHS = {
  ascii_i64_parse_fail = true, attr_site_name_hit = true, attr_site_name_miss = true, call_bind_ic_hit = true,
  call_bind_ic_miss = true, dict_str_int_prehash_deopt = true, dict_str_int_prehash_hit = true,
  dict_str_int_prehash_miss = true, split_ws_ascii = true, split_ws_unicode = true, taq_ingest_calls = true,
  taq_ingest_skip_marker = true,
}
local DEOPT = {
  call_indirect_noncallable_deopt = "call_indirect_noncallable",
  guard_tag_type_mismatch_deopt = "guard_tag_type_mismatch",
  guard_dict_shape_layout_mismatch_deopt = "guard_dict_shape_layout_mismatch",
  invoke_ffi_bridge_capability_denied = "invoke_ffi_bridge_capability_denied",
}
local MEMORY = { peak_rss_bytes = true, current_rss_bytes = true }

--- The legacy `molt_profile k=v ...` line as a payload shaped like schema 1 (schema_version
--- 0); values that are not integers are kept as strings.
function M.parse_text_line(payload)
  local p = { kind = "runtime_feedback", schema_version = 0, profile = {}, hot_paths = {}, deopt_reasons = {} }
  local any = false
  for key, value in payload:gmatch("(%S+)=(%S*)") do
    any = true
    local v = math.tointeger(tonumber(value)) or value
    if HOT_PATHS[key] then
      p.hot_paths[key] = v
    elseif DEOPT[key] then
      p.deopt_reasons[DEOPT[key]] = v
    elseif MEMORY[key] then
      p.memory = p.memory or {}
      p.memory[key] = v
    else
      p.profile[key] = v
    end
  end
  return any and p or nil
end


-- Chooses and decodes records among `candidates` (a flat list {line, first, last, ...});
-- `payload_of(first, last)` returns a candidate's text.
local function choose(candidates, payload_of, kind, policy)
  local count = #candidates // 3
  local report = { candidates = count, valid = 0, invalid = {} }
  local function decode(i)
    local line, first, last = candidates[3 * i - 2], candidates[3 * i - 1], candidates[3 * i]
    local text = payload_of(first, last)
    local payload, err
    if kind == "text" then
      payload = M.parse_text_line(text)
      if not payload then err = "no key=value counters" end
    else
      payload, err = json.decode(text)
      if payload ~= nil then
        local ok = kind == "process" and M.is_process_profile(payload) or kind == "epoch" and M.is_epoch(payload)
        if not ok then payload, err = nil, "not a " .. kind .. " profile record" end
      else
        err = tostring(err and err.message or err)
      end
    end
    if payload == nil then
      report.invalid[#report.invalid + 1] = { line = line, reason = err }
    else
      report.valid = report.valid + 1
    end
    return payload
  end
  if policy == "all" then
    local out = {}
    for i = 1, count do
      local p = decode(i)
      if p then out[#out + 1] = p end
    end
    return out, report
  elseif policy == "first" then
    for i = 1, count do
      local p = decode(i)
      if p then return p, report end
    end
    return nil, report
  elseif policy == "last" then
    return count > 0 and decode(count) or nil, report
  end
  for i = count, 1, -1 do
    local p = decode(i)
    if p then return p, report end
  end
  return nil, report
end

local PROFILE_OPTIONS = {
  kind = { "string", choices = { "process", "epoch", "text" }, default = "process" },
  policy = { "string", choices = { "last_valid", "last", "first", "all" }, default = "last_valid" },
  strip = "boolean",
}

local function check_options(fname, opts)
  opts = check.options(fname, 2, opts, PROFILE_OPTIONS, 1)
  return opts.kind, opts.policy, opts.strip == true
end

--- Extracts profile records from text (a log, a run's stderr, a MOLT_DIAGNOSTICS_FILE).
--- opts.kind: "process" (default), "epoch" or "text"; opts.policy: "last_valid" (default:
--- the last record that parses and validates, as Molt's perf.py), "last" (the last record,
--- nil if it is invalid, as tools/profile.py), "first", or "all" (every valid record, in
--- order); opts.strip allows white space before the prefix (bench_wasm.py).
--- Returns the payload (a list for "all"; nil when none), and a report {candidates, valid,
--- invalid = {{line=, reason=}}}. Only the records the policy needs are decoded.
---@param text string
---@param opts? {kind?: "process"|"epoch"|"text", policy?: "last_valid"|"last"|"first"|"all", strip?: boolean}
function M.extract(text, opts)
  check.arg("extract", 1, text, "string")
  local kind, policy, strip = check_options("extract", opts)
  local candidates = native.scan(text, PREFIX[kind], strip)
  return choose(candidates, function(first, last) return text:sub(first, last) end, kind, policy)
end

--- Extracts from a finished process: its stderr (where Molt prints), else its stdout.
function M.from_result(result, opts)
  check.arg("from_result", 1, result, "table")
  check_options("from_result", opts)
  local p, report = M.extract(result.stderr or "", opts)
  if (p == nil or (type(p) == "table" and #p == 0 and (opts or {}).policy == "all")) and result.stdout then
    return M.extract(result.stdout, opts)
  end
  return p, report
end

--- Reads a profile from a file: a `.json` file is one payload (a process profile or an
--- epoch); anything else (or JSON that is not a profile) is scanned as a log, without
--- loading it into memory: only the records the policy needs are read.
function M.read(path, opts)
  check.arg("read", 1, path, { "string", nonempty = true })
  local kind, policy, strip = check_options("read", opts)
  if path:sub(-5) == ".json" then
    local payload = json.read(path)
    if M.is_process_profile(payload) or M.is_epoch(payload) then
      return payload, { candidates = 1, valid = 1, invalid = {} }
    end
  end
  local candidates, err = native.scan_file(path, PREFIX[kind], strip)
  if not candidates then return nil, err end
  return choose(candidates, function(first, last)
    return native.read_range(path, first, last) or ""
  end, kind, policy)
end

--- Nested sections to dotted counter names: {["profile.call_dispatch"] = 185, ...}. Only
--- numbers are kept (kind, schema_version and other labels are left out).
function M.flatten(payload)
  local out = {}
  local function walk(prefix, t)
    for k, v in pairs(t) do
      local name = prefix and (prefix .. "." .. k) or k
      if type(v) == "number" then
        if prefix then out[name] = v end
      elseif type(v) == "table" and getmetatable(v) ~= getmetatable(json.null) then
        walk(name, v)
      end
    end
  end
  walk(nil, payload)
  return out
end

local function flat(p)
  if type(p) ~= "table" then error("a profile payload or a flat counter table expected", 3) end
  for k, v in pairs(p) do
    if type(v) == "table" or k == "schema_version" then return M.flatten(p) end
  end
  return p
end

--- Sums the counters of several runs (payloads or flattened tables).
function M.sum(list)
  local out = {}
  for _, p in ipairs(list) do
    for k, v in pairs(flat(p)) do out[k] = (out[k] or 0) + v end
  end
  return out
end

--- Merges several runs: each counter's values in run order ({name = {v1, v2, ...}}), for
--- rig.stats.
function M.merge(list)
  local out = {}
  for i, p in ipairs(list) do
    for k, v in pairs(flat(p)) do
      out[k] = out[k] or {}
      out[k][i] = v
    end
  end
  return out
end

local DIFF_OPTIONS = { top = { "integer", min = 0 } }
--- Counter changes from `a` to `b`: a list of {name, a, b, delta, ratio}, largest relative
--- change first (by |ratio - 1|; counters that start at 0 come next, by |delta|, as Molt's
--- bench_diff ranks), unchanged counters left out. opts.top keeps the first N.
function M.diff(a, b, opts)
  opts = check.options("diff", 3, opts, DIFF_OPTIONS)
  local fa, fb = flat(a), flat(b)
  local names, seen = {}, {}
  for k in pairs(fa) do names[#names + 1], seen[k] = k, true end
  for k in pairs(fb) do if not seen[k] then names[#names + 1] = k end end
  local rows = {}
  for _, name in ipairs(names) do
    local x, y = fa[name] or 0, fb[name] or 0
    if x ~= y then
      local ratio = x ~= 0 and y / x or nil
      rows[#rows + 1] = { name = name, a = x, b = y, delta = y - x, ratio = ratio }
    end
  end
  table.sort(rows, function(p, q)
    local pr, qr = p.ratio ~= nil, q.ratio ~= nil
    if pr ~= qr then return pr end
    if pr then
      local dp, dq = math.abs(p.ratio - 1), math.abs(q.ratio - 1)
      if dp ~= dq then return dp > dq end
    end
    local ap, aq = math.abs(p.delta), math.abs(q.delta)
    if ap ~= aq then return ap > aq end
    return p.name < q.name
  end)
  if opts.top and #rows > opts.top then
    for i = #rows, opts.top + 1, -1 do rows[i] = nil end
  end
  return rows
end

return M
