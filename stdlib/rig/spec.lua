--- A small busted-compatible spec runner that runs inside Rig, so specs can use the host
--- primitives (busted itself cannot see them). `describe`, `it`, `before_each`, `after_each`,
--- `pending` and `assert.*` are globals inside a spec file.
local check = require "rig.check"

local M = {}

local failure_mt = { __tostring = function(e) return e.message end }

local function fail(message, level)
  error(setmetatable({ message = message }, failure_mt), (level or 1) + 1)
end

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then return tostring(v) end
  local keys, parts = {}, {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do
    parts[#parts + 1] = (math.type(k) == "integer" and "" or (tostring(k) .. "=")) .. show(v[k])
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local function same(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do
    if not same(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

--- Assertions; each raises a failure with both values shown.
local assert_ = {}
function assert_.equal(expected, actual, msg)
  if expected ~= actual then
    fail((msg and msg .. ": " or "") .. "expected " .. show(expected) .. ", got " .. show(actual), 2)
  end
end
assert_.equals = assert_.equal
function assert_.same(expected, actual, msg)
  if not same(expected, actual) then
    fail((msg and msg .. ": " or "") .. "expected " .. show(expected) .. ", got " .. show(actual), 2)
  end
end
function assert_.truthy(v, msg)
  if not v then fail(msg or ("expected a truthy value, got " .. show(v)), 2) end
  return v
end
assert_.is_true = function(v, msg)
  if v ~= true then fail(msg or ("expected true, got " .. show(v)), 2) end
end
function assert_.falsy(v, msg)
  if v then fail(msg or ("expected a falsy value, got " .. show(v)), 2) end
end
assert_.is_false = function(v, msg)
  if v ~= false then fail(msg or ("expected false, got " .. show(v)), 2) end
end
assert_.is_nil = function(v, msg)
  if v ~= nil then fail(msg or ("expected nil, got " .. show(v)), 2) end
end
function assert_.near(expected, actual, tolerance, msg)
  if type(actual) ~= "number" or math.abs(expected - actual) > tolerance then
    fail((msg and msg .. ": " or "")
      .. ("expected %s within %s, got %s"):format(show(expected), show(tolerance), show(actual)), 2)
  end
end
--- Asserts that `fn` raises; when `pattern` is given, the error's text must contain it
--- (plain text, not a Lua pattern). Returns the error value.
function assert_.has_error(fn, pattern)
  local ok, err = pcall(fn)
  if ok then fail("expected an error, but the function returned normally", 2) end
  if pattern and not tostring(err):find(pattern, 1, true) then
    fail("expected an error containing " .. show(pattern) .. ", got " .. show(tostring(err)), 2)
  end
  return err
end
assert_.error = assert_.has_error
function assert_.matches(pattern, text, msg)
  if type(text) ~= "string" or not text:find(pattern) then
    fail((msg and msg .. ": " or "") .. "expected text matching " .. show(pattern) .. ", got " .. show(text), 2)
  end
end
function assert_.contains(needle, text, msg)
  if type(text) ~= "string" or not text:find(needle, 1, true) then
    fail((msg and msg .. ": " or "") .. "expected text containing " .. show(needle) .. ", got " .. show(text), 2)
  end
end
setmetatable(assert_, {
  __call = function(_, v, msg, ...)
    if not v then fail(msg or "assertion failed!", 2) end
    return v, msg, ...
  end,
})
M.assert = assert_

local RUN_FILE_OPTIONS = { filter = "string", output = "any" }
--- Runs one spec file; returns {passed=, failed=, pending=, failures={{name=, message=}}}.
---@param path string
---@param opts? {filter?: string, output?: file*}
function M.run_file(path, opts)
  opts = check.options("run_file", 2, opts, RUN_FILE_OPTIONS)
  local out = opts.output or io.stdout
  local result = { passed = 0, failed = 0, pending = 0, failures = {} }
  local root = { name = nil, children = {}, before = {}, after = {} }
  local current = root

  local env = setmetatable({}, { __index = _G })
  env.rig = require "rig"
  env.assert = assert_
  function env.describe(name, body)
    local block = { name = name, children = {}, before = {}, after = {}, parent = current }
    table.insert(current.children, block)
    local saved = current
    current = block
    body()
    current = saved
  end
  function env.it(name, body)
    table.insert(current.children, { name = name, test = body, parent = current })
  end
  function env.pending(name)
    table.insert(current.children, { name = name, pending = true, parent = current })
  end
  function env.before_each(fn) table.insert(current.before, fn) end
  function env.after_each(fn) table.insert(current.after, fn) end

  local chunk, err = loadfile(path, "t", env)
  if not chunk then
    result.failed = 1
    result.failures[1] = { name = path, message = err }
    out:write("FAIL: ", path, " does not compile\n  ", tostring(err), "\n")
    return result
  end
  local ok, load_err = xpcall(chunk, debug.traceback)
  if not ok then
    -- A syntax error, a failed require, an error at the file's top level: say so, with its
    -- file:line, rather than count a failure with no reason.
    local why = type(load_err) == "table" and (load_err.message or load_err.value) or load_err
    result.failed = 1
    result.failures[1] = { name = path, message = tostring(why) }
    out:write("FAIL: ", path, " does not load\n  ", tostring(why):gsub("\n", "\n  "), "\n")
    return result
  end

  local function full_name(node)
    local parts = {}
    while node and node.name do
      table.insert(parts, 1, node.name)
      node = node.parent
    end
    return table.concat(parts, " ")
  end
  local function hooks(node, field, list)
    if node.parent then hooks(node.parent, field, list) end
    for _, fn in ipairs(node[field] or {}) do list[#list + 1] = fn end
    return list
  end
  local function handler(e)
    if getmetatable(e) == failure_mt then
      return e.message .. "\n" .. debug.traceback("", 2):gsub("^\n", "")
    end
    return debug.traceback(tostring(e), 2)
  end
  local function run(node)
    for _, child in ipairs(node.children) do
      if child.children then
        run(child)
      else
        local name = full_name(child)
        local selected = not opts.filter or name:find(opts.filter, 1, true)
        if not selected then
          result.skipped = (result.skipped or 0) + 1
        elseif child.pending then
          result.pending = result.pending + 1
          out:write("pending: ", name, "\n")
        else
          local passed, message = true, nil
          for _, fn in ipairs(hooks(child.parent, "before", {})) do
            if passed then passed, message = xpcall(fn, handler) end
          end
          if passed then passed, message = xpcall(child.test, handler) end
          local after = hooks(child.parent, "after", {})
          for k = #after, 1, -1 do
            local ok2, m2 = xpcall(after[k], handler)
            if passed and not ok2 then passed, message = false, m2 end
          end
          if passed then
            result.passed = result.passed + 1
          else
            result.failed = result.failed + 1
            result.failures[#result.failures + 1] = { name = name, message = message }
            out:write("FAIL: ", name, "\n  ", tostring(message):gsub("\n", "\n  "), "\n")
          end
        end
      end
    end
  end
  run(root)
  return result
end

return M
