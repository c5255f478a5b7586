--- Recipe definitions: `rig.recipe{...}` validates a recipe's fields and its parameter
--- declarations, so mistakes are reported when the recipe loads (and by `rig check`), with the
--- recipe's file and line, not halfway through a long run.
local util = require "rig.util"

local M = {}

local RECIPE_FIELDS = {
  name = "string", description = "string", params = "table", run = "function",
  rest = "string", examples = "table", requires = "table",
}
local PARAM_FIELDS = {
  name = "string", type = "string", default = "any", help = "string", short = "string",
  positional = "boolean", required = "boolean", choices = "table", of = "string",
  metavar = "string", many = "boolean", nargs = "number",
}
local TYPES = {
  string = true, number = true, integer = true, boolean = true, path = true, list = true,
  choice = true,
}
local ELEMENT_TYPES = { string = true, number = true, integer = true, path = true }

local recipe_mt = { __name = "rig.Recipe" }
recipe_mt.__index = recipe_mt

-- Raises a `definition` error. `return rig.recipe{...}` is a tail call, so the recipe's frame
-- is gone from the stack by now: the loader adds the file and line (see _runner.load_recipe),
-- helped by `field`, the offending key when there is one.
local function fail(message, field)
  local err = require("rig._native.core").error("definition", "rig.recipe: " .. message)
  err.field = field
  error(err, 0)
end

local function check_value(kind, value)
  if kind == "string" or kind == "path" then
    return type(value) == "string"
  elseif kind == "number" then
    return type(value) == "number"
  elseif kind == "integer" then
    return math.type(value) == "integer"
  elseif kind == "boolean" then
    return type(value) == "boolean"
  end
  return false
end

local function normalize_param(raw, index)
  if type(raw) ~= "table" then
    fail(("params[%d] must be a table, got %s"):format(index, type(raw)))
  end
  local p = {}
  for key, value in pairs(raw) do
    if key == 1 then
      key = "name"
    end
    local expected = PARAM_FIELDS[key]
    if expected == nil then
      fail(("params[%d]: unknown field '%s'%s"):format(index, tostring(key),
        util.did_you_mean(tostring(key), util.sorted_keys(PARAM_FIELDS))), key)
    end
    if expected ~= "any" and type(value) ~= expected then
      fail(("params[%d].%s must be a %s, got %s"):format(index, key, expected, type(value)))
    end
    p[key] = value
  end
  local name = p.name
  if not name or not name:match("^[%a_][%w_]*$") then
    fail(("params[%d] needs a name made of letters, digits and '_' (got %s)")
      :format(index, name and ("'" .. name .. "'") or "none"))
  end
  p.type = p.type or (p.choices and "choice") or (p.default ~= nil and math.type(p.default) == "integer" and "integer")
    or (p.default ~= nil and type(p.default) ~= "table" and type(p.default)) or "string"
  if not TYPES[p.type] then
    fail(("param '%s': unknown type '%s'%s"):format(name, p.type,
      util.did_you_mean(p.type, util.sorted_keys(TYPES))))
  end
  if p.type == "choice" then
    if type(p.choices) ~= "table" or #p.choices == 0 then
      fail(("param '%s': a choice needs a non-empty 'choices' list"):format(name))
    end
    for _, c in ipairs(p.choices) do
      if type(c) ~= "string" then
        fail(("param '%s': choices must be strings"):format(name))
      end
    end
  elseif p.choices and p.type == "list" then
    -- A list of choices: each value one of them (strings, or integers for `of = "integer"`).
    local want = p.of == "integer" and "integer" or "string"
    if type(p.choices) ~= "table" or #p.choices == 0 then
      fail(("param '%s': 'choices' must be a non-empty list"):format(name))
    end
    for _, c in ipairs(p.choices) do
      if (want == "integer" and math.type(c) ~= "integer") or (want == "string" and type(c) ~= "string") then
        fail(("param '%s': choices of a list of %s must be %ss"):format(name, p.of or "string", want))
      end
    end
    if p.of ~= nil and p.of ~= "string" and p.of ~= "integer" then
      fail(("param '%s': 'choices' goes with a list of strings or integers"):format(name))
    end
  elseif p.choices then
    fail(("param '%s': 'choices' goes with type 'choice' or 'list'"):format(name))
  end
  if p.many and p.type ~= "list" then
    fail(("param '%s': 'many' goes with type 'list'"):format(name))
  end
  if p.nargs ~= nil then
    if math.type(p.nargs) ~= "integer" or p.nargs < 2 or p.nargs > 9 then
      fail(("param '%s': nargs must be an integer from 2 to 9"):format(name))
    end
    if p.type ~= "list" or p.positional or p.many then
      fail(("param '%s': 'nargs' goes with a list option (not positional, not 'many')"):format(name))
    end
  end
  if p.type == "list" then
    p.of = p.of or "string"
    if not ELEMENT_TYPES[p.of] then
      fail(("param '%s': list items must be string, number, integer or path, not '%s'"):format(name, p.of))
    end
    if p.default ~= nil then
      if type(p.default) ~= "table" then
        fail(("param '%s': default of a list must be a list"):format(name))
      end
      for _, v in ipairs(p.default) do
        if not check_value(p.of, v) then
          fail(("param '%s': default items must be %s values"):format(name, p.of))
        end
      end
    end
  elseif p.of then
    fail(("param '%s': 'of' goes with type 'list'"):format(name))
  elseif p.default ~= nil then
    local ok = p.type == "choice" and type(p.default) == "string" or check_value(p.type, p.default)
    if not ok then
      fail(("param '%s': default %s is not a %s"):format(name, tostring(p.default), p.type))
    end
    if p.type == "choice" then
      local found = false
      for _, c in ipairs(p.choices) do found = found or c == p.default end
      if not found then
        fail(("param '%s': default '%s' is not one of its choices"):format(name, p.default))
      end
    end
  end
  if p.short and not p.short:match("^%a$") then
    fail(("param '%s': short must be one letter"):format(name))
  end
  if p.type == "boolean" and p.positional then
    fail(("param '%s': a boolean cannot be positional"):format(name))
  end
  p.option = name:gsub("_", "-")
  return p
end

-- "1.2.3" -> {1, 2, 3}; nil for anything else.
local function version_parts(text)
  local a, b, c = tostring(text):match("^(%d+)%.(%d+)%.?(%d*)$")
  if not a then return nil end
  return { tonumber(a), tonumber(b), tonumber(c ~= "" and c or "0") }
end

-- `requires = {rig = "0.1", modules = {"teamx.common"}}`: this Rig at least that version
-- (same major version), and each module found by `require`. Raises a definition error
-- naming what is missing.
local function check_requires(req)
  for key in pairs(req) do
    if key ~= "rig" and key ~= "modules" then
      fail(("requires: unknown field '%s'%s"):format(tostring(key),
        util.did_you_mean(tostring(key), { "modules", "rig" })), "requires")
    end
  end
  if req.rig ~= nil then
    local want = version_parts(req.rig)
    if not want then fail(("requires.rig must be a version like \"0.1\" or \"1.2.3\", got %s"):format(
      tostring(req.rig)), "requires") end
    local have = version_parts(require("rig").version) or { 0, 0, 0 }
    local newer = have[1] == want[1] and (have[2] > want[2] or have[2] == want[2] and have[3] >= want[3])
    if not newer then
      fail(("needs Rig %s (same major version, at least that), this is Rig %s"):format(req.rig,
        require("rig").version), "requires")
    end
  end
  if req.modules ~= nil then
    if type(req.modules) ~= "table" then fail("requires.modules must be a list of module names", "requires") end
    for i, name in ipairs(req.modules) do
      if type(name) ~= "string" then fail(("requires.modules[%d] must be a module name"):format(i), "requires") end
      local ok, err = pcall(require, name)
      if not ok then
        local why = (type(err) == "table" and err.message or tostring(err)):gsub("\n.*", "")
        why = why:gsub("^[^:]*:%d+: ", "")
        if why:find("^module '.-' not found") then
          why = "not found in the recipe's folder, RIG_PATH or package.path"
        end
        fail(("needs module '%s': %s"):format(name, why), "requires")
      end
    end
  end
end

--- Validates a recipe definition and returns it as a recipe. Unknown fields, ill-typed fields
--- and inconsistent parameters raise an error at the caller's line.
---@param definition table
---@return table recipe
function M.define(definition)
  if type(definition) ~= "table" then
    fail("expects a table {name=, description=, params=, run=}, got " .. type(definition))
  end
  if getmetatable(definition) == recipe_mt then
    return definition
  end
  for key, value in pairs(definition) do
    local expected = RECIPE_FIELDS[key]
    if expected == nil then
      fail(("unknown field '%s'%s"):format(tostring(key),
        util.did_you_mean(tostring(key), util.sorted_keys(RECIPE_FIELDS))), key)
    end
    if type(value) ~= expected then
      fail(("field '%s' must be a %s, got %s"):format(key, expected, type(value)), key)
    end
  end
  if type(definition.run) ~= "function" then
    fail("field 'run' (a function(params, ctx)) is required")
  end
  if definition.requires then check_requires(definition.requires) end
  local recipe = {
    name = definition.name,
    description = definition.description or "",
    run = definition.run,
    rest = definition.rest,
    examples = definition.examples or {},
    params = {},
  }
  local seen, shorts = {}, {}
  local saw_list_positional = false
  for i, raw in ipairs(definition.params or {}) do
    local p = normalize_param(raw, i)
    if seen[p.name] then
      fail(("param '%s' is declared twice"):format(p.name))
    end
    if p.name == "help" or p.short == "h" then
      fail(("param '%s': --help and -h are reserved"):format(p.name))
    end
    if p.short then
      if shorts[p.short] then
        fail(("params '%s' and '%s' share -%s"):format(shorts[p.short], p.name, p.short))
      end
      shorts[p.short] = p.name
    end
    if p.positional then
      if saw_list_positional then
        fail(("param '%s': no positional may follow a positional list"):format(p.name))
      end
      saw_list_positional = p.type == "list"
    end
    seen[p.name] = true
    recipe.params[#recipe.params + 1] = p
  end
  if definition.params then
    local n = 0
    for _ in pairs(definition.params) do n = n + 1 end
    if n ~= #recipe.params then
      fail("params must be a list {{name=...}, ...}, in the order options are shown")
    end
  end
  return setmetatable(recipe, recipe_mt)
end

--- True when `value` was made by `define`.
function M.is_recipe(value)
  return getmetatable(value) == recipe_mt
end

return M
