--- Rig's Lua API. `require "rig"` (or the `rig` global inside recipes) gives the namespaces;
--- each loads on first use. See docs/scripting.md and stdlib/meta/rig.lua for the reference.
local core = require "rig._native.core"

local M = {}

--- Rig's version string.
M.version = core.version()

--- Declares a recipe; a recipe file returns the result. See `rig.recipe` in docs/recipes.md.
M.recipe = function(definition)
  return require("rig.recipe").define(definition)
end

--- A `rig.Error` value {code=, message=}: raise it with `error(...)` or return it as `nil, err`.
M.error = core.error

-- Namespaces, loaded on first access.
local namespaces = {
  time = "rig.time",
  proc = "rig.proc",
  env = "rig.env",
  stats = "rig.stats",
  json = "rig.json",
  fs = "rig.fs",
  md = "rig.md",
  csv = "rig.csv",
  profile = "rig.profile",
  toml = "rig.toml",
  lanes = "rig.lanes",
  bench = "rig.bench",
  classify = "rig.classify",
  report = "rig.report",
  diff = "rig.diff",
  gate = "rig.gate",
  flame = "rig.flame",
  sweep = "rig.sweep",
  prune = "rig.prune",
  envprofile = "rig.envprofile",
  triage = "rig.triage",
  wasm = "rig.wasm",
  friends = "rig.friends",
  size = "rig.size",
  callgrind = "rig.callgrind",
  log = "rig.log",
  cli = "rig.cli",
  spec = "rig.spec",
  util = "rig.util",
  check = "rig.check",
  measure = "rig.measure",
  hyperfine = "rig.hyperfine",
  htmlreport = "rig.htmlreport",
  molt = "rig.molt",
  git = "rig.git",
  bisect = "rig.bisect",
}

return setmetatable(M, {
  __index = function(self, key)
    local module = namespaces[key]
    if not module then
      error("rig has no field '" .. tostring(key) .. "'", 2)
    end
    local value = require(module)
    rawset(self, key, value)
    return value
  end,
  __newindex = function(_, key)
    error("cannot assign to rig." .. tostring(key) .. ": the rig table is read-only", 2)
  end,
})
