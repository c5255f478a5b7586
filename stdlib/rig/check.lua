--- The one argument checker of Rig's Lua API. Every public function checks its arguments and
--- option tables here, so a wrong type, a value out of range, a missing field or a misspelt
--- option name raises Lua's usual `bad argument #n to 'name' (...)`, with a suggestion for a
--- misspelt name, at the caller's line. Nothing is silently ignored. docs/scripting.md#rigcheck.
---
--- A field spec is a type name, several joined by `|` (`"string|table"`), or a table whose
--- first item is that and whose keys constrain it:
--- `{ "integer", min = 1, max = 100, default = 10 }`, `{ "string", choices = { "a", "b" } }`,
--- `{ "list", of = "string" }`, `{ "map", of = "string" }` (string keys),
--- `{ "table", fields = SCHEMA }` (a nested options table), `required = true`,
--- `gt`/`lt` (exclusive bounds), `finite = false` (allow ±inf), `nonempty = true`,
--- `pattern = "^[%w_]+$"` (with `what` naming it in the message), `check = function(v) ->
--- ok, why` (anything else), `optional = true` (an argument that may be nil). Types: string,
--- number, integer, boolean, table, function, callable (a function or a table with `__call`),
--- list, map, any, and a host object's class ("rig.Process").
local util = require "rig.util"

local M = {}

--- Specs shared by the API, so one bound holds everywhere. SECONDS and MEGABYTES are the
--- bounds of the spawn binding (ProcessSpec.maxSeconds and maxRSSLimitMB in RigKit): a
--- timeout past 1e9 s or an RSS limit past 1e12 MB cannot be turned into a deadline or a kB
--- count. PROBABILITY is an open (0, 1) interval: a significance level or a confidence.
M.SECONDS = { "number", gt = 0, max = 1e9 }
M.MEGABYTES = { "number", gt = 0, max = 1e12 }
M.PROBABILITY = { "number", gt = 0, lt = 1 }
--- A path the OS can take: not empty, no NUL byte (the OS would cut the path there). The
--- natives check the same (FileSystem.checkPath in RigKit).
M.PATH = { "string", nonempty = true, check = function(v)
  return not v:find("\0", 1, true), "contains a NUL byte"
end }

local TYPES = {
  string = true, number = true, integer = true, boolean = true, table = true, ["function"] = true,
  callable = true, list = true, map = true, any = true, userdata = true,
}
local SPEC_KEYS = {
  [1] = true, min = true, max = true, gt = true, lt = true, choices = true, of = true, fields = true,
  required = true, default = true, finite = true, nonempty = true, pattern = true, what = true,
  check = true, optional = true,
}

local function with_article(t)
  if t == "integer" then return "an integer" end
  if t == "list" or t == "map" then return "a " .. t .. " (table)" end
  return "a " .. t
end

-- Raises at the caller of the public function: raise (1) <- the check function (2) <- the
-- public function (3) <- its caller (4), plus `extra` levels of the stdlib's own helpers.
local function raise(fname, n, message, extra)
  local where = n and ("#" .. n .. " ") or ""
  error(("bad argument %sto '%s' (%s)"):format(where, fname, message), 4 + (extra or 0))
end

local function parse(spec)
  if type(spec) == "string" then return { spec } end
  return spec
end

local function is_callable(v)
  if type(v) == "function" then return true end
  local mt = getmetatable(v)
  return type(mt) == "table" and type(rawget(mt, "__call")) == "function"
end

local function has_type(v, t)
  if t == "any" then return true end
  if t:find(".", 1, true) then  -- a host object's class: "rig.Process", "rig.Sample"
    return type(v) == "userdata" and tostring(v):sub(1, #t + 1) == t .. " "
  end
  if t == "integer" then return math.type(v) == "integer" or (math.type(v) == "float" and math.tointeger(v) ~= nil) end
  if t == "callable" then return is_callable(v) end
  if t == "list" or t == "map" then return type(v) == "table" end
  return type(v) == t
end

local function type_names(types)
  local out = {}
  for i, t in ipairs(types) do out[i] = with_article(t) end
  return table.concat(out, " or ")
end

local function describe(v)
  local t = type(v)
  if t == "number" then
    if v ~= v then return "nan" end
    if math.type(v) == "float" and math.tointeger(v) == nil then return "number " .. tostring(v) end
    return tostring(v)
  elseif t == "string" then
    return ("'%s'"):format(#v > 40 and v:sub(1, 40) .. "..." or v)
  end
  return t
end

--- Checks one value against a spec; returns nil when it passes, else the complaint.
--- `path` names the value in the message ("option 'runs'", "item 3 of option 'cases'").
---@return string? complaint
---@return any value the value (integers as integers)
---@return string[]? types the expected types, when the complaint is about the type
local function complaint(v, spec, path)
  local types = {}
  for t in spec[1]:gmatch("[^|]+") do types[#types + 1] = t end
  local matched
  for _, t in ipairs(types) do
    if has_type(v, t) then matched = t break end
  end
  if not matched then
    return ("%s must be %s, got %s"):format(path, type_names(types), v == nil and "nil" or type(v)), nil, types
  end
  if matched == "integer" then v = math.tointeger(v) end
  if matched == "number" or matched == "integer" then
    if v ~= v then return path .. " must be a number, got nan" end
    if spec.finite ~= false and (v == math.huge or v == -math.huge) then
      return path .. " must be finite, got " .. tostring(v)
    end
    if spec.min and v < spec.min then return ("%s must be at least %s, got %s"):format(path, spec.min, v) end
    if spec.max and v > spec.max then return ("%s must be at most %s, got %s"):format(path, spec.max, v) end
    if spec.gt and v <= spec.gt then return ("%s must be above %s, got %s"):format(path, spec.gt, v) end
    if spec.lt and v >= spec.lt then return ("%s must be below %s, got %s"):format(path, spec.lt, v) end
  elseif matched == "string" then
    if spec.nonempty and v == "" then return path .. " must not be empty" end
    if spec.choices then
      local ok = false
      for _, c in ipairs(spec.choices) do if c == v then ok = true break end end
      if not ok then
        return ("%s must be one of %s, got %s%s"):format(path, table.concat(spec.choices, ", "), describe(v),
          util.did_you_mean(v, spec.choices))
      end
    end
    if spec.pattern and not v:find(spec.pattern) then
      return ("%s must be %s, got %s"):format(path, spec.what or ("a string matching " .. spec.pattern), describe(v))
    end
  elseif matched == "list" then
    local n = 0
    for k in pairs(v) do
      if math.type(k) ~= "integer" or k < 1 then
        return ("%s must be a list, but has the key %s"):format(path, describe(k))
      end
      n = n + 1
    end
    if n ~= #v then return path .. " must be a list without holes" end
    if spec.nonempty and n == 0 then return path .. " must not be empty" end
    if spec.of then
      local item = parse(spec.of)
      for i = 1, n do
        local why, value = complaint(v[i], item, ("item %d of %s"):format(i, path))
        if why then return why end
        v[i] = value
      end
    end
  elseif matched == "map" then
    for k, x in pairs(v) do
      if type(k) ~= "string" then return ("%s must have string keys, but has %s"):format(path, describe(k)) end
      if spec.of then
        local why = complaint(x, parse(spec.of), ("%s.%s"):format(path, k))
        if why then return why end
      end
    end
  elseif matched == "table" and spec.fields then
    local why = M._fields(v, spec.fields, path:match("'(.*)'") and (path:match("'(.*)'") .. ".") or "")
    if why then return why end
  end
  if spec.check then
    local ok, why = spec.check(v)
    if not ok then return ("%s %s"):format(path, why or "is not valid") end
  end
  return nil, v
end

-- The complaint about an options table against a schema, or nil; fills defaults in `out`.
-- `noun`: what the keys are called in messages ("option", or "field" for records).
function M._fields(opts, schema, prefix, out, noun)
  noun = noun or "option"
  local names = {}
  for name in pairs(schema) do names[#names + 1] = name end
  table.sort(names)
  for key in pairs(opts) do
    if schema[key] == nil then
      local name = tostring(key)
      if type(key) ~= "string" then
        return ("unexpected %s key %s"):format(type(key), describe(key))
      end
      return ("unknown %s '%s%s'%s"):format(noun, prefix, name, util.did_you_mean(name, names, function(g)
        return prefix .. g
      end))
    end
  end
  for _, name in ipairs(names) do
    local spec = parse(schema[name])
    local v = opts[name]
    if v == nil then
      if spec.required then
        return ("%s '%s%s' is required (%s)"):format(noun, prefix, name, (spec[1]:gsub("|", " or ")))
      end
      if out then out[name] = spec.default end
    else
      local why, value = complaint(v, spec, ("%s '%s%s'"):format(noun, prefix, name))
      if why then return why end
      if out then out[name] = value end
    end
  end
  return nil
end

--- Checks argument `n` of `fname` against `spec`; returns it (its default when nil and one is
--- set). `extra`: levels of stdlib helpers between the public function and this call.
---@param fname string
---@param n integer
---@param value any
---@param spec string|table
---@param extra? integer
---@return any
function M.arg(fname, n, value, spec, extra)
  spec = parse(spec)
  if value == nil and spec.default ~= nil then return spec.default end
  if value == nil and spec.optional then return nil end
  local why, checked, types = complaint(value, spec, "the argument")
  if types then
    -- As Lua's own: "string expected, got nil".
    why = ("%s expected, got %s"):format(table.concat(types, " or "), value == nil and "nil" or type(value))
  end
  if why then raise(fname, n, why, extra) end
  return checked
end

--- Checks the options table `opts` (argument `n` of `fname`) against `schema` (option name ->
--- field spec) and returns a new table with the defaults filled in. `nil` is an empty table.
---@param fname string
---@param n integer
---@param opts table?
---@param schema table<string, string|table>
---@param extra? integer
---@return table
function M.options(fname, n, opts, schema, extra)
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then
    raise(fname, n, "options table expected, got " .. type(opts), extra)
  end
  local out = {}
  local why = M._fields(opts, schema, "", out)
  if why then raise(fname, n, why, extra) end
  return out
end

--- The complaint about a record (a table of named fields) against `schema`, or nil, with the
--- defaults filled into `out` when given: for lists of records (rules, cases), whose callers
--- say which item it was. `noun` names the keys ("field" by default).
---@param record table
---@param schema table<string, string|table>
---@param out? table
---@param noun? string
---@return string?
function M.record(record, schema, out, noun)
  if type(record) ~= "table" then return "a table expected, got " .. type(record) end
  return M._fields(record, schema, "", out, noun or "field")
end

--- The complaint about `value` against `spec` (a string), or nil: for callers that report
--- in their own words (a file and key, a recipe option).
---@param value any
---@param spec string|table
---@param name string how the message names the value
---@return string?
function M.problem(value, spec, name)
  return (complaint(value, parse(spec), name))
end

--- Raises `bad argument #n to 'fname' (message)` at the caller of the public function (for
--- checks no spec expresses). `extra` as in `arg`.
---@param fname string
---@param n integer?
---@param message string
---@param extra? integer
function M.fail(fname, n, message, extra)
  raise(fname, n, message, extra)
end

--- Checks that a schema is well formed (a test runs it over every registered schema).
---@param schema table
---@return string? complaint
function M.validate_schema(schema)
  for name, spec in pairs(schema) do
    spec = parse(spec)
    if type(spec) ~= "table" or type(spec[1]) ~= "string" then return ("field %s: no type"):format(name) end
    for t in spec[1]:gmatch("[^|]+") do
      if not TYPES[t] and not t:find("^rig%.%u%a+$") then return ("field %s: unknown type '%s'"):format(name, t) end
    end
    for k in pairs(spec) do
      if not SPEC_KEYS[k] then return ("field %s: unknown spec key '%s'"):format(name, tostring(k)) end
    end
    if spec.fields then
      local why = M.validate_schema(spec.fields)
      if why then return name .. "." .. why end
    end
  end
end

return M
