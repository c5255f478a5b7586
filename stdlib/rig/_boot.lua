-- Run once by the host when a Lua state is made: teaches `require` where Rig's stdlib is.
-- Argument: RIG_STDLIB_DIR (string) or nil. Modules are text only, never native code.
local stdlib_dir = ...
local embedded = debug.getregistry()["rig.embedded"]

-- "rig.time" -> {"rig/time.lua", "rig/time/init.lua"}
local function candidates(name)
  local base = name:gsub("%.", "/")
  return { base .. ".lua", base .. "/init.lua" }
end

local function in_rig_namespace(name)
  return name == "rig" or name:sub(1, 4) == "rig."
end

local function from_directory(name)
  if not in_rig_namespace(name) then
    return nil
  end
  local tried = {}
  for _, relative in ipairs(candidates(name)) do
    local path = stdlib_dir .. "/" .. relative
    local file = io.open(path, "r")
    if file then
      file:close()
      local chunk, err = loadfile(path, "t")
      if not chunk then
        error(err, 0)
      end
      return chunk, path
    end
    tried[#tried + 1] = "\n\tno file '" .. path .. "' (RIG_STDLIB_DIR)"
  end
  return table.concat(tried)
end

local function from_embedded(name)
  if not in_rig_namespace(name) then
    return nil
  end
  for _, relative in ipairs(candidates(name)) do
    local key = "stdlib/" .. relative
    local source = embedded[key]
    if source then
      local chunk, err = load(source, "@" .. key, "t")
      if not chunk then
        error(err, 0)
      end
      return chunk, key
    end
  end
  return "\n\tno module '" .. name .. "' built into rig"
end

local searchers = package.searchers
table.insert(searchers, 2, from_embedded)
if stdlib_dir then
  table.insert(searchers, 2, from_directory)
end
