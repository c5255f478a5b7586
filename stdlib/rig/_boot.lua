-- Run once by the host when a Lua state is made: teaches `require` where Rig's stdlib is,
-- and where Lua modules installed on the machine are. Argument: RIG_STDLIB_DIR (string) or
-- nil. The stdlib is text only; Lua C modules (lpeg, cjson, lfs) load from absolute folders.
local stdlib_dir, rock_trees = ...
local registry = debug.getregistry()
local embedded = registry["rig.embedded"]

-- The host's native modules: out of `require`'s reach (a recipe calling them directly could
-- pass what their Lua wrappers never would). Only stdlib chunks get them, through the
-- `require` of their own environment below. They check their arguments anyway.
local natives = registry["rig.natives"] or {}
registry["rig.natives"] = nil
local global_require = require

local function stdlib_require(name)
  if type(name) == "string" and name:sub(1, 12) == "rig._native." then
    local native = natives[name:sub(13)] or natives[name]
    if native == nil then
      error("module '" .. name .. "' not found: no such native module", 2)
    end
    return native
  end
  return global_require(name)
end

-- A stdlib chunk's environment: the globals, with the stdlib's own `require`. Assignments
-- still go to the globals (luacheck keeps the stdlib from making any).
local stdlib_env = setmetatable({ require = stdlib_require }, { __index = _G, __newindex = _G })

-- Binary chunks can crash Lua (its bytecode is not verified): `load`, `loadfile` and
-- `dofile` take text only, for recipes and the stdlib alike. C libraries cannot be loaded.
local text_load, text_loadfile = load, loadfile
local function text_mode(mode, fname)
  if mode ~= nil and mode ~= "t" then
    if type(mode) ~= "string" or mode:find("[^bt]") then
      error("bad argument #3 to '" .. fname .. "' (invalid mode)", 3)
    end
    if not mode:find("t") then
      error("bad argument #3 to '" .. fname .. "' (Rig loads text chunks only: binary chunks can crash Lua)", 3)
    end
  end
end
function load(chunk, name, mode, ...) -- luacheck: ignore 121
  text_mode(mode, "load")
  if select("#", ...) > 0 then return text_load(chunk, name, "t", ...) end
  return text_load(chunk, name, "t")
end
function loadfile(name, mode, ...) -- luacheck: ignore 121
  text_mode(mode, "loadfile")
  if select("#", ...) > 0 then return text_loadfile(name, "t", ...) end
  return text_loadfile(name, "t")
end
function dofile(name) -- luacheck: ignore 121
  local chunk = assert(text_loadfile(name, "t"))
  return chunk()
end
package.loadlib = nil -- luacheck: ignore 122

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
      local chunk, err = text_loadfile(path, "t", stdlib_env)
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
      local chunk, err = text_load(source, "@" .. key, "t", stdlib_env)
      if not chunk then
        error(err, 0)
      end
      return chunk, key
    end
  end
  return "\n\tno module '" .. name .. "' built into rig"
end

-- Installed Lua modules: Lua's own paths (LUA_PATH_5_4 / LUA_PATH and LUA_CPATH_5_4 /
-- LUA_CPATH when set, else Debian's defaults: /usr/share/lua/5.4, /usr/lib/<arch>/lua/5.4),
-- then the LuaRocks trees `luarocks path --lua-version 5.4` names, as the host found them
-- (RigKit's LuaRocksTrees: ~/.luarocks, RIG_LUAROCKS_TREES, /usr/local). Relative entries
-- (`./?.so`) are dropped
-- from the C path: native code is loaded from where it was installed, never from whatever
-- folder a recipe happens to run in.
local function absolute_only(path)
  local kept = {}
  for entry in path:gmatch("[^;]+") do
    if entry:sub(1, 1) == "/" then kept[#kept + 1] = entry end
  end
  return table.concat(kept, ";")
end
local lua_paths, c_paths = { package.path }, { absolute_only(package.cpath) }
for _, tree in ipairs(type(rock_trees) == "table" and rock_trees or {}) do
  local share, lib = tree .. "/share/lua/5.4/?.lua", tree .. "/lib/lua/5.4/?.so"
  if not package.path:find(share, 1, true) then
    lua_paths[#lua_paths + 1] = share .. ";" .. tree .. "/share/lua/5.4/?/init.lua"
  end
  if not package.cpath:find(lib, 1, true) then c_paths[#c_paths + 1] = lib end
end
package.path = table.concat(lua_paths, ";")
package.cpath = table.concat(c_paths, ";"):gsub("^;+", "")

local searchers = package.searchers
table.insert(searchers, 2, from_embedded)
if stdlib_dir then
  table.insert(searchers, 2, from_directory)
end
