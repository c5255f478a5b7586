--- JSON that round-trips Molt's artifacts unchanged: integers stay exact (64-bit), `[]` and
--- `{}` stay apart, JSON null is `json.null`, objects keep their key order, Python's NaN and
--- Infinity are read (and written only when asked), and `encode` writes byte for byte what
--- Python's `json.dumps` writes with the same options (indent, sort_keys, ensure_ascii).
--- So `json.encode(json.decode(s), {indent = 2}) .. "\n"` is the file Python wrote.
local native = require "rig._native.json"
local check = require "rig.check"
local fs = require "rig._native.fs"
local util = require "rig.util"

local M = {}

--- JSON null (a value distinct from nil, so it survives in tables).
M.null = setmetatable({}, {
  __name = "json.null",
  __tostring = function() return "null" end,
  __newindex = function() error("json.null is read-only", 2) end,
  __metatable = "json.null",
})

-- Marks empty arrays and all objects from decode (and from M.array / M.object).
local ARRAY = { __name = "json.array" }
local OBJECT = { __name = "json.object" }
-- Key order of decoded objects (weak: it goes away with the object).
local ORDER = setmetatable({}, { __mode = "k" })

--- Marks a table as a JSON array (so an empty one writes as `[]`). Returns it.
function M.array(t)
  return setmetatable(t or {}, ARRAY)
end

--- Marks a table as a JSON object (so an empty one writes as `{}`; keys keep the order given
--- in `keys`, if any, then sorted). Returns it.
function M.object(t, keys)
  t = setmetatable(t or {}, OBJECT)
  if keys then ORDER[t] = keys end
  return t
end

--- True for tables that decode made from a JSON array (or M.array marked).
function M.is_array(t) return getmetatable(t) == ARRAY end
--- True for tables that decode made from a JSON object (or M.object marked).
function M.is_object(t) return getmetatable(t) == OBJECT end
--- `x` when it is a finite number, else null: NaN and the infinities have no JSON form.
---@param x any
---@return number|userdata
function M.finite(x)
  if type(x) == "number" and x == x and x ~= math.huge and x ~= -math.huge then return x end
  return M.null
end

--- The keys of a decoded object in their original order.
function M.keys(t)
  return util.ordered_keys(t, ORDER[t])
end

-- Checks a projection (see M.decode) and returns where it is wrong, or nil.
local function projection_problem(node, path)
  if node == true then return nil end
  if type(node) ~= "table" then return path .. ": true or a table expected, got " .. tostring(node) end
  for k, v in pairs(node) do
    if type(k) ~= "string" then return path .. ": keys must be strings" end
    if k == "-" then
      local list = type(v) == "string" and { v } or v
      if type(list) ~= "table" then return path .. "['-']: a list of key names expected" end
      for _, name in ipairs(list) do
        if type(name) ~= "string" then return path .. "['-']: a list of key names expected" end
      end
    else
      local why = projection_problem(v, path .. "." .. k)
      if why then return why end
    end
  end
end

local ONLY = { only = { "table|boolean", check = function(v)
  local why = projection_problem(v, "only")
  return why == nil, why and ("is not a projection: " .. why)
end } }

local function checked_only(fname, opts)
  if opts == nil then return nil end
  return check.options(fname, 2, opts, ONLY, 1).only
end

--- Parses JSON text. Returns the value, or nil and an error {code = "json_syntax", message,
--- line, column, offset}. `opts.only` builds just part of the document, for reading a few
--- fields of a large file: a tree over object keys where `true` keeps everything below, a
--- table keeps only the keys it names (each with its own tree), `["*"]` keeps every other
--- key with that tree, and `["-"]` lists keys to drop first (`"*_samples_s"`: every key
--- ending so). A tree applies to an array's elements as to the array. Skipped values are
--- only checked for closed strings and balanced brackets.
---@param text string
---@param opts? { only?: table|true }
---@return any value
---@return rig.Error? err
function M.decode(text, opts)
  if type(text) ~= "string" then
    error("bad argument #1 to 'decode' (string expected, got " .. type(text) .. ")", 2)
  end
  local only = checked_only("decode", opts)
  return native.decode(text, M.null, ARRAY, OBJECT, ORDER, nil, only)
end

local ENCODE_OPTIONS = {
  indent = "number", sort_keys = "boolean", ascii = "boolean", allow_nan = "boolean", separators = "table",
}
local ENCODE_NAMES = util.sorted_keys(ENCODE_OPTIONS)

local function check_encode_options(fname, opts, level)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    error(("bad argument #2 to '%s' (options table expected, got %s)"):format(fname, type(opts)), level + 1)
  end
  for k, v in pairs(opts) do
    local expected = ENCODE_OPTIONS[k]
    if expected == nil then
      error(("bad argument #2 to '%s' (unknown option '%s'%s)"):format(fname, tostring(k),
        util.did_you_mean(tostring(k), ENCODE_NAMES)), level + 1)
    end
    if type(v) ~= expected then
      error(("bad argument #2 to '%s' (option '%s' must be a %s)"):format(fname, k, expected), level + 1)
    end
  end
  return opts
end

--- JSON text for a value, as Python's json.dumps(value, indent=, sort_keys=,
--- ensure_ascii=ascii, allow_nan=, separators=) writes it. Raises (bad argument) for values
--- JSON cannot hold: functions, NaN without allow_nan, mixed tables, non-UTF-8 strings.
---@param value any
---@param opts? {indent?: integer, sort_keys?: boolean, ascii?: boolean, allow_nan?: boolean, separators?: string[]}
---@return string
function M.encode(value, opts)
  opts = check_encode_options("encode", opts, 2)
  local sep = opts.separators
  local ok, result = pcall(native.encode, value, M.null, ARRAY, OBJECT, ORDER, opts.indent, opts.sort_keys,
    opts.ascii, opts.allow_nan, sep and sep[1], sep and sep[2])
  if not ok then
    error((tostring(result):gsub("^.-bad argument #1 to '[^']*'", "bad argument #1 to 'encode'")), 2)
  end
  return result
end

--- Reads and parses a JSON file; nil, err for a missing file or a syntax error (the message
--- names the file, line, column and byte offset). `opts.only` as in `decode`.
---@param path string
---@param opts? { only?: table|true }
function M.read(path, opts)
  if type(path) ~= "string" then
    error("bad argument #1 to 'read' (string expected, got " .. type(path) .. ")", 2)
  end
  local only = checked_only("read", opts)
  return native.decode_file(path, M.null, ARRAY, OBJECT, ORDER, only)
end

--- Writes a value as JSON atomically. Options as `encode`, plus `newline` (default true: a
--- final "\n", as Molt's tools write their files).
function M.write(path, value, opts)
  if type(path) ~= "string" then
    error("bad argument #1 to 'write' (string expected, got " .. type(path) .. ")", 2)
  end
  opts = opts or {}
  local newline = opts.newline
  local rest = {}
  for k, v in pairs(opts) do
    if k ~= "newline" then rest[k] = v end
  end
  check_encode_options("write", rest, 2)
  local ok, text = pcall(M.encode, value, rest)
  if not ok then error((tostring(text):gsub("'encode'", "'write'")), 2) end
  if newline ~= false then text = text .. "\n" end
  return fs.write(path, text)
end

return M
