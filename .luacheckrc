-- luacheck configuration for Rig's Lua: the stdlib, the recipes and the specs.
std = "lua54"
max_line_length = 120
codes = true

-- Inside recipes, `rig` is provided by the host (read-only).
stds.rig = { read_globals = { "rig" } }

files["recipes/**/*.lua"] = { std = "lua54+rig" }
files["stdlib/spec/**/*_spec.lua"] = {
  std = "lua54+rig+busted",
}
files["stdlib/meta/**/*.lua"] = {
  -- LuaCATS declaration files: functions with empty bodies and unused parameters.
  unused_args = false,
  globals = { "rig" },
}
-- Recipes the specs run in child processes.
files["stdlib/spec/fuzz/*.lua"] = { std = "lua54+rig" }
