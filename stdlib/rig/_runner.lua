-- Entry points the `rig` command calls: run, check, list and eval. Recipe errors are not
-- caught here (no pcall around a recipe's code): they travel to the host's protected call,
-- which takes the traceback where the error was raised.
local recipe_mod = require "rig.recipe"
local cli = require "rig.cli"
local log = require "rig.log"
local util = require "rig.util"

local M = {}

--- A fresh environment for a recipe chunk: the standard globals and `rig`, read-only;
--- reading or writing an undeclared global raises (a typo is caught at its line).
local function recipe_env()
  local rig = require "rig"
  return setmetatable({}, {
    __index = function(_, key)
      if key == "rig" then return rig end
      local value = _G[key]
      if value == nil then
        error("undeclared global '" .. tostring(key) .. "'", 2)
      end
      return value
    end,
    __newindex = function(_, key)
      error("assignment to undeclared global '" .. tostring(key)
        .. "' (declare it with 'local')", 2)
    end,
  })
end
M.recipe_env = recipe_env

-- Team libraries: modules found in a recipe's own folder or in a folder of RIG_PATH are
-- loaded as recipes are, with `rig` visible and undeclared globals an error at their line.
-- Modules found anywhere else on package.path (Penlight, argparse in /usr/share/lua/5.4) keep
-- the plain globals they were written for. docs/sharing.md.
local library_dirs, library_seen = {}, {}

local function add_library_dir(directory)
  if directory and directory ~= "" and not library_seen[directory] then
    library_seen[directory] = true
    library_dirs[#library_dirs + 1] = directory
  end
end

for directory in (os.getenv("RIG_PATH") or ""):gmatch("[^:]+") do add_library_dir(directory) end

local function from_library(name)
  if type(name) ~= "string" or name == "rig" or name:sub(1, 4) == "rig." then return nil end
  local patterns = {}
  for i, directory in ipairs(library_dirs) do
    patterns[i] = directory .. "/?.lua;" .. directory .. "/?/init.lua"
  end
  if #patterns == 0 then return nil end
  local path, tried = package.searchpath(name, table.concat(patterns, ";"))
  if not path then return "\n\t" .. tried:gsub("^\n\t", "") .. " (recipe folders and RIG_PATH)" end
  local chunk, err = loadfile(path, "t", recipe_env())
  if not chunk then error(err, 0) end
  return chunk, path
end
table.insert(package.searchers, 2, from_library)

local function add_to_path(directory)
  if directory then
    add_library_dir(directory)
    package.path = directory .. "/?.lua;" .. directory .. "/?/init.lua;" .. package.path
  end
end

-- The line to blame for an invalid definition: where the offending field is written, else
-- where `rig.recipe` is called, else the first line.
local function definition_line(source, field)
  local function line_of(position)
    local n = 1
    for _ in source:sub(1, position):gmatch("\n") do n = n + 1 end
    return n
  end
  if type(field) == "string" then
    local at = source:find("[%s,{;]" .. field:gsub("%p", "%%%0") .. "%s*=")
    if at then return line_of(at + 1) end
  end
  local at = source:find("rig%.recipe")
  return at and line_of(at) or 1
end

-- Compiles and runs a recipe chunk, returning its recipe. `spec`: {source, chunk, dir, name}.
local function load_recipe(spec)
  local chunk, err = load(spec.source, "@" .. spec.chunk, "t", recipe_env())
  if not chunk then
    util.raise("syntax", err)
  end
  add_to_path(spec.dir)
  local ok, definition = xpcall(chunk, function(e)
    if type(e) == "table" and e.code == "definition" then
      return e
    end
    -- Keep the traceback of any other error: the host's handler keeps a `traceback` field.
    return { message = type(e) == "string" and e or tostring(e), traceback = debug.traceback(nil, 2),
      code = type(e) == "table" and e.code or nil }
  end)
  if not ok then
    if definition.code == "definition" then
      util.raise("definition", spec.chunk .. ":" .. definition_line(spec.source, definition.field) .. ": "
        .. definition.message)
    end
    error(definition, 0)
  end
  if definition == nil then
    util.raise("definition", spec.chunk .. ": the recipe returned nothing; it must end with 'return rig.recipe{...}'")
  end
  if not recipe_mod.is_recipe(definition) then
    if type(definition) ~= "table" then
      util.raise("definition", spec.chunk .. ": the recipe must return rig.recipe{...}, got a " .. type(definition))
    end
    definition = recipe_mod.define(definition)
  end
  return definition
end

local function exit_status(result)
  if result == nil or result == true then
    return 0
  elseif result == false then
    return 1
  elseif math.type(result) == "integer" and result >= 0 and result <= 125 then
    return result
  end
  util.raise("recipe", "the recipe's run returned " .. tostring(result)
    .. "; expected nothing, a boolean, or an exit code from 0 to 125")
end

--- Runs a recipe. `spec`: {source, chunk, dir, name, argv, log_level}. Returns the exit code.
function M.run(spec)
  if spec.log_level then log.set_level(spec.log_level) end
  local recipe = load_recipe(spec)
  local name = spec.name
  local params, rest = cli.parse(recipe, spec.argv or {}, name)
  if params == nil then
    io.stdout:write(cli.help(recipe, name))
    return 0
  end
  local ctx = {
    name = name,
    path = spec.chunk,
    dir = spec.dir,
    rest = rest,
    argv = spec.argv or {},
    log = log,
  }
  return exit_status(recipe.run(params, ctx))
end

--- The option words of a recipe, for shell completion: `--name` (and `--no-name` for a
--- flag), `-x` for a short one, and `--help`. An empty list when the recipe does not load.
function M.options(spec)
  local ok, recipe = pcall(load_recipe, spec)
  if not ok then return {} end
  local out = { "--help" }
  for _, p in ipairs(recipe.params) do
    if not p.positional then
      out[#out + 1] = "--" .. p.option
      if p.type == "boolean" and not p.option:find("^no%-") then out[#out + 1] = "--no-" .. p.option end
      if p.short then out[#out + 1] = "-" .. p.short end
    end
  end
  return out
end

--- Loads and validates a recipe without running it; prints a one-line summary. Returns 0.
function M.check(spec)
  local recipe = load_recipe(spec)
  local n = #recipe.params
  io.stdout:write(("%s: ok (recipe '%s', %d parameter%s)\n"):format(spec.chunk, spec.name, n, n == 1 and "" or "s"))
  return 0
end

--- Prints the recipes found: name, origin and description. `entries`: list of specs with
--- `origin` and `shadowed` (list of chunk paths it hides). Returns 0.
function M.list(entries)
  local rows, width = {}, 4
  for _, spec in ipairs(entries) do
    local ok, recipe = pcall(load_recipe, spec)
    local description
    if ok then
      description = recipe.description ~= "" and recipe.description:match("^[^\n]*") or "(no description)"
    else
      -- A raised table (a rig.Error, or the report load_recipe keeps) shows its message.
      local why = type(recipe) == "table" and (recipe.message or recipe.value) or recipe
      description = "(does not load: " .. tostring(why):gsub("\n.*", "") .. ")"
    end
    local where = spec.origin == "builtIn" and "built in" or spec.chunk
    if spec.shadowed and #spec.shadowed > 0 then
      where = where .. "; hides " .. table.concat(spec.shadowed, ", ")
    end
    rows[#rows + 1] = { spec.name, description, where }
    width = math.max(width, #spec.name)
  end
  for _, row in ipairs(rows) do
    io.stdout:write(row[1], string.rep(" ", width - #row[1] + 2), row[2], "  [", row[3], "]\n")
  end
  return 0
end

--- Runs a one-liner with the `rig` global; prints what it returns. Returns 0.
function M.eval(code, argv)
  local chunk, err = load("return " .. code, "=(eval)", "t", recipe_env())
  if not chunk then
    chunk, err = load(code, "=(eval)", "t", recipe_env())
  end
  if not chunk then
    util.raise("syntax", err)
  end
  local results = table.pack(chunk(table.unpack(argv or {})))
  if results.n > 0 then
    local parts = {}
    for i = 1, results.n do parts[i] = tostring(results[i]) end
    io.stdout:write(table.concat(parts, "\t"), "\n")
  end
  return 0
end

return M
