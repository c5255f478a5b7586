--- Command-line parsing for recipes: turns `rig run NAME ARGS...` into the `params` table a
--- recipe's `run` receives, from the parameters the recipe declared. Molt-style options
--- (`--samples 5`, `--samples=5`, `--bench a --bench b`, `--no-pypy`), short options (`-n 5`),
--- positionals, and everything after `--` as `ctx.rest`. Mistakes raise a `usage` error
--- naming the option and the closest valid one.
local util = require "rig.util"

local M = {}

local function usage_error(recipe_name, message)
  util.raise("usage", ("rig run %s: %s"):format(recipe_name, message))
end

local TRUE_WORDS = { ["true"] = true, yes = true, on = true, ["1"] = true }
local FALSE_WORDS = { ["false"] = true, no = true, off = true, ["0"] = true }

-- `value` when it is one of the option's choices, else a usage error with a suggestion.
local function one_of(recipe_name, p, value, text, shown)
  local names = {}
  for i, c in ipairs(p.choices) do
    if c == value then return value end
    names[i] = tostring(c)
  end
  usage_error(recipe_name, ("%s expects one of %s, got '%s'%s"):format(shown, table.concat(names, ", "), text,
    util.did_you_mean(text, names)))
end

local function convert_one(recipe_name, p, kind, text, shown)
  if kind == "string" then
    return text
  elseif kind == "path" then
    if text == "" then
      usage_error(recipe_name, ("%s expects a path, got an empty string"):format(shown))
    end
    return text
  elseif kind == "integer" then
    local n = tonumber(text)
    n = n and math.tointeger(n)
    if not n then
      usage_error(recipe_name, ("%s expects an integer, got '%s'"):format(shown, text))
    end
    return n
  elseif kind == "number" then
    local n = tonumber(text)
    if not n or n ~= n then
      usage_error(recipe_name, ("%s expects a number, got '%s'"):format(shown, text))
    end
    return n + 0.0
  elseif kind == "boolean" then
    local word = text:lower()
    if TRUE_WORDS[word] then return true end
    if FALSE_WORDS[word] then return false end
    usage_error(recipe_name, ("%s expects true or false, got '%s'"):format(shown, text))
  elseif kind == "choice" then
    return one_of(recipe_name, p, text, text, shown)
  end
  error("unreachable: type " .. tostring(kind))
end

-- A value of an option; a list with `choices` takes only those (as argparse's nargs with choices).
local function convert(recipe_name, p, kind, text, shown)
  local v = convert_one(recipe_name, p, kind, text, shown)
  if p.type == "list" and p.choices and kind ~= "boolean" then return one_of(recipe_name, p, v, text, shown) end
  return v
end

local function metavar(p)
  if p.metavar then return p.metavar end
  if p.choices then
    local names = {}
    for i, c in ipairs(p.choices) do names[i] = tostring(c) end
    return "{" .. table.concat(names, "|") .. "}"
  end
  local kind = p.type == "list" and p.of or p.type
  local one = ({ integer = "N", number = "X", path = "PATH", string = "TEXT" })[kind] or "VALUE"
  if p.nargs then return (one .. " "):rep(p.nargs):sub(1, -2) end
  return one
end

local function option_names(recipe)
  local names = { "--help" }
  for _, p in ipairs(recipe.params) do
    if not p.positional then
      names[#names + 1] = "--" .. p.option
      if p.type == "boolean" then
        names[#names + 1] = "--no-" .. p.option
      end
    end
  end
  return names
end

local function copy(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = v end
  return out
end

--- Parses `argv` for `recipe`. Returns `params, rest`, or `nil` when help was asked for.
---@param recipe table a recipe from rig.recipe
---@param argv string[]
---@param recipe_name? string shown in messages
---@return table? params
---@return string[]? rest
function M.parse(recipe, argv, recipe_name)
  recipe_name = recipe_name or recipe.name or "recipe"
  local by_option, by_short, positionals = {}, {}, {}
  for _, p in ipairs(recipe.params) do
    if p.positional then
      positionals[#positionals + 1] = p
    else
      by_option[p.option] = p
      if p.short then by_short[p.short] = p end
    end
  end

  local values, given = {}, {}
  local function store(p, value)
    if p.type == "list" then
      values[p.name] = values[p.name] or {}
      table.insert(values[p.name], value)
    else
      values[p.name] = value
    end
    given[p.name] = true
  end
  local function take_value(i, p, shown)
    local v = argv[i + 1]
    if v == nil then
      usage_error(recipe_name, ("option %s needs a value (%s)"):format(shown, p.type == "list" and p.of or p.type))
    end
    return v
  end

  -- `nargs`: each use takes exactly that many words (hyperfine's `-L NAME VALUES`), stored
  -- as one item, a list of the converted words. Returns the index of the last word taken.
  local function take_values(i, p, shown, first)
    local words = { first }
    while #words < p.nargs do
      local v = argv[i + 1]
      if v == nil then
        usage_error(recipe_name, ("option %s needs %d values (%s), got %d"):format(shown, p.nargs, metavar(p), #words))
      end
      words[#words + 1], i = v, i + 1
    end
    for k, w in ipairs(words) do words[k] = convert(recipe_name, p, p.of, w, shown) end
    store(p, words)
    return i
  end

  local rest
  local loose = {}
  local i = 1
  while i <= #argv do
    local arg = argv[i]
    if arg == "--" then
      rest = table.move(argv, i + 1, #argv, 1, {})
      break
    elseif arg == "--help" or arg == "-h" then
      return nil
    elseif arg:sub(1, 2) == "--" then
      local name, inline = arg:match("^%-%-([^=]+)=(.*)$")
      name = name or arg:sub(3)
      local p = by_option[name]
      local negated = false
      if not p and name:sub(1, 3) == "no-" then
        local q = by_option[name:sub(4)]
        if q then
          p, negated = q, true
        end
      end
      if not p then
        usage_error(recipe_name, ("unknown option '--%s'%s"):format(name,
          util.did_you_mean("--" .. name, option_names(recipe))))
      end
      local shown = "--" .. name
      if p.nargs then
        if inline ~= nil or negated then
          usage_error(recipe_name, ("option %s takes %d values (%s), not '='"):format(shown, p.nargs, metavar(p)))
        end
        i = take_values(i, p, shown, nil)
      elseif p.type == "boolean" then
        local v = true
        if inline ~= nil then
          v = convert(recipe_name, p, "boolean", inline, shown)
        end
        if negated then v = not v end
        store(p, v)
      else
        if negated then
          usage_error(recipe_name, ("option '--%s' is not a flag"):format(name))
        end
        local text = inline
        if text == nil then
          text = take_value(i, p, shown)
          i = i + 1
        end
        store(p, convert(recipe_name, p, p.type == "list" and p.of or p.type, text, shown))
        -- `many`: argparse's nargs="+": the words after the first value are values too,
        -- up to the next option (`--cases a b c`).
        if p.many and inline == nil then
          while argv[i + 1] ~= nil and argv[i + 1]:sub(1, 1) ~= "-" do
            i = i + 1
            store(p, convert(recipe_name, p, p.of, argv[i], shown))
          end
        end
      end
    elseif arg:match("^%-%a") then
      local letter, inline = arg:sub(2, 2), arg:sub(3)
      local p = by_short[letter]
      if not p then
        local shorts = {}
        for s in pairs(by_short) do shorts[#shorts + 1] = "-" .. s end
        table.sort(shorts)
        usage_error(recipe_name, ("unknown option '-%s'%s"):format(letter,
          #shorts > 0 and (" (short options: " .. table.concat(shorts, " ") .. ")") or ""))
      end
      local shown = "-" .. letter
      if p.nargs then
        i = take_values(i, p, shown, inline ~= "" and inline or nil)
      elseif p.type == "boolean" then
        if inline ~= "" then
          usage_error(recipe_name, ("%s is a flag and takes no value"):format(shown))
        end
        store(p, true)
      else
        local text = inline ~= "" and inline:gsub("^=", "") or nil
        if text == nil then
          text = take_value(i, p, shown)
          i = i + 1
        end
        store(p, convert(recipe_name, p, p.type == "list" and p.of or p.type, text, shown))
      end
    else
      loose[#loose + 1] = arg
    end
    i = i + 1
  end

  -- Positionals, in declared order; a positional list takes all that remain.
  local k = 1
  for _, p in ipairs(positionals) do
    local shown = (p.metavar or p.name:upper())
    if p.type == "list" then
      while k <= #loose do
        store(p, convert(recipe_name, p, p.of, loose[k], shown))
        k = k + 1
      end
    elseif loose[k] ~= nil then
      store(p, convert(recipe_name, p, p.type, loose[k], shown))
      k = k + 1
    end
  end
  if loose[k] ~= nil then
    usage_error(recipe_name, ("unexpected argument '%s'%s"):format(loose[k],
      loose[k]:sub(1, 1) == "-" and " (a negative number or an option? use --name=value)" or ""))
  end

  for _, p in ipairs(recipe.params) do
    if not given[p.name] then
      if p.required then
        usage_error(recipe_name, p.positional and ("missing argument %s"):format(p.metavar or p.name:upper())
          or ("missing required option --%s"):format(p.option))
      end
      if p.type == "list" then
        values[p.name] = copy(p.default or {})
      else
        values[p.name] = p.default
      end
    end
  end

  if rest and not recipe.rest then
    usage_error(recipe_name, "this recipe takes no command after '--'")
  end
  return values, rest or {}
end

local function default_text(p)
  if p.type == "boolean" then
    if p.default == nil then return nil end  -- the recipe decides (its help says how)
    return p.default and "on" or "off"
  elseif p.type == "list" then
    return p.default and #p.default > 0 and not p.nargs and table.concat(p.default, ", ") or nil
  elseif p.default ~= nil then
    return tostring(p.default)
  end
end

--- The `--help` text for a recipe.
---@param recipe table
---@param recipe_name string
---@return string
function M.help(recipe, recipe_name)
  local usage = { "usage: rig run " .. recipe_name }
  local has_options = false
  for _, p in ipairs(recipe.params) do
    if p.positional then
      local mv = p.metavar or p.name:upper()
      if p.type == "list" then mv = mv .. "..." end
      usage[#usage + 1] = p.required and mv or ("[" .. mv .. "]")
    else
      has_options = true
    end
  end
  if has_options then table.insert(usage, 2, "[options]") end
  if recipe.rest then usage[#usage + 1] = "[-- " .. recipe.rest .. "]" end
  local lines = { table.concat(usage, " ") }
  if recipe.description ~= "" then
    lines[#lines + 1] = ""
    lines[#lines + 1] = recipe.description
  end

  local rows = {}
  for _, p in ipairs(recipe.params) do
    if p.positional then
      rows[#rows + 1] = { "  " .. (p.metavar or p.name:upper()) .. (p.type == "list" and "..." or ""), p }
    end
  end
  if #rows > 0 then
    lines[#lines + 1] = ""
    lines[#lines + 1] = "arguments:"
  end
  local function add_rows(list)
    local width = 0
    for _, row in ipairs(list) do width = math.max(width, #row[1]) end
    width = math.min(width, 34)
    for _, row in ipairs(list) do
      local p = row[2]
      local notes = {}
      if p then
        if p.type == "list" and not p.positional then notes[#notes + 1] = "repeatable" end
        if p.required then notes[#notes + 1] = "required" end
        local d = default_text(p)
        if d then notes[#notes + 1] = "default: " .. d end
      end
      local text = (p and p.help or row[3] or "")
      if #notes > 0 then text = text .. (text ~= "" and " " or "") .. "(" .. table.concat(notes, "; ") .. ")" end
      if #row[1] > width then
        lines[#lines + 1] = row[1]
        lines[#lines + 1] = string.rep(" ", width + 2) .. text
      else
        lines[#lines + 1] = row[1] .. string.rep(" ", width - #row[1] + 2) .. text
      end
    end
  end
  add_rows(rows)

  rows = {}
  for _, p in ipairs(recipe.params) do
    if not p.positional then
      local flag = p.short and ("-" .. p.short .. ", ") or "    "
      if p.type == "boolean" then
        -- A flag named no_x reads --no-x (its --no-no-x still works, but is not shown).
        rows[#rows + 1] = { "  " .. flag .. (p.option:find("^no%-") and "--" or "--[no-]") .. p.option, p }
      else
        rows[#rows + 1] = { "  " .. flag .. "--" .. p.option .. " " .. metavar(p), p }
      end
    end
  end
  rows[#rows + 1] = { "  -h, --help", nil, "show this help and exit" }
  lines[#lines + 1] = ""
  lines[#lines + 1] = "options:"
  add_rows(rows)
  if #recipe.examples > 0 then
    lines[#lines + 1] = ""
    lines[#lines + 1] = "examples:"
    for _, e in ipairs(recipe.examples) do lines[#lines + 1] = "  " .. e end
  end
  return table.concat(lines, "\n") .. "\n"
end

return M
