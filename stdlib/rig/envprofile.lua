--- Environment profiles: named sets of environment variables and directories that a sweep
--- (or any recipe) applies to the commands it runs, printable as shell `export` lines. Ships
--- Molt's throughput environment (tools/throughput_env.sh); teams declare their own in TOML.
--- docs/sweeps.md.
local util = require "rig.util"

local M = {}

--- Built-in profiles. Values may use {root}; `dirs` lists the variables naming directories
--- to create. Molt resolves its roots through molt_run_context_env; the layout under {root}
--- here is Rig's choice of names for the same variables.
M.PROFILES = {
  throughput = {
    description = "Molt's throughput environment (throughput_env.sh): isolated caches and targets, "
      .. "no incremental Cargo, fixed hash seed",
    env = {
      MOLT_CACHE = "{root}/molt_cache", CARGO_TARGET_DIR = "{root}/cargo_target",
      MOLT_TARGET_ROOT = "{root}/molt_target", MOLT_DIFF_ROOT = "{root}/diff_root",
      MOLT_DIFF_TMPDIR = "{root}/diff_tmp", UV_CACHE_DIR = "{root}/uv_cache", TMPDIR = "{root}/tmp",
      MOLT_BACKEND_DAEMON_SOCKET_DIR = "{root}/daemon_sockets", SCCACHE_DIR = "{root}/sccache",
      SCCACHE_CACHE_SIZE = "10G", CARGO_INCREMENTAL = "0", PYTHONHASHSEED = "0",
      MOLT_CACHE_MAX_GB = "30", MOLT_CACHE_MAX_AGE_DAYS = "30",
    },
    dirs = { "MOLT_CACHE", "CARGO_TARGET_DIR", "MOLT_TARGET_ROOT", "MOLT_DIFF_ROOT", "MOLT_DIFF_TMPDIR",
      "UV_CACHE_DIR", "TMPDIR", "MOLT_BACKEND_DAEMON_SOCKET_DIR", "SCCACHE_DIR" },
  },
}

local function fail(message)
  return nil, require("rig._native.core").error("env_profile", message)
end

--- Reads profiles from a TOML file: `[profile.NAME]` with `description`, `dirs = [...]` and an
--- `[profile.NAME.env]` table of strings. Returns {NAME = profile}, or nil and an error naming
--- the file and the profile.
function M.read(path)
  local data, err = require("rig.toml").read(path)
  if not data then return nil, err end
  local out = {}
  for name, p in pairs(type(data.profile) == "table" and data.profile or {}) do
    if type(p) ~= "table" or type(p.env) ~= "table" then
      return fail(("%s: profile %q needs an [profile.%s.env] table"):format(path, name, name))
    end
    for k, v in pairs(p.env) do
      if not M.valid_name(k) then
        return fail(("%s: profile %q: env key %q is not a variable name (letters, digits and _, not first a digit)")
          :format(path, name, tostring(k)))
      end
      if type(v) ~= "string" then
        return fail(("%s: profile %q: env.%s must be a string"):format(path, name, k))
      end
    end
    for _, d in ipairs(p.dirs or {}) do
      if p.env[d] == nil then
        return fail(("%s: profile %q: dirs names %q, which env does not set"):format(path, name, d))
      end
    end
    out[name] = { description = p.description, env = p.env, dirs = p.dirs or {} }
  end
  return out
end

--- The variables of `profile` (a name of a built-in one, or a profile table) with {root}
--- filled in. Returns env, dirs (the directory paths), or nil and an error.
function M.resolve(profile, root)
  local p = type(profile) == "table" and profile or M.PROFILES[profile]
  if not p then
    return fail(("no environment profile %q%s"):format(tostring(profile),
      util.did_you_mean(tostring(profile), util.sorted_keys(M.PROFILES))))
  end
  local env, dirs = {}, {}
  for k, v in pairs(p.env) do env[k] = (v:gsub("{root}", function() return root end)) end
  for i, d in ipairs(p.dirs or {}) do dirs[i] = env[d] end
  return env, dirs
end

-- Single-quoted for POSIX shells ('it'"'"'s').
local function quote(v)
  return "'" .. v:gsub("'", "'\"'\"'") .. "'"
end

--- True for a name a POSIX shell takes as a variable: `[A-Za-z_][A-Za-z0-9_]*`.
---@param name any
---@return boolean
function M.valid_name(name)
  return type(name) == "string" and name:match("^[%a_][%w_]*$") ~= nil
end

--- `export NAME='value'` lines, sorted by name (what throughput_env.sh --print shows), for
--- `eval "$(...)"`: values single-quoted, and a name that is not a shell variable name (which
--- the shell would run as code: `C;touch x`) is refused: nil and an error naming it.
---@param env table<string, string>
---@return string? lines
---@return rig.Error? err
function M.export_lines(env)
  local names = util.sorted_keys(env)
  local lines = {}
  for i, k in ipairs(names) do
    if not M.valid_name(k) then
      return fail(("%q is not a shell variable name (letters, digits and _, not first a digit)"):format(tostring(k)))
    end
    lines[i] = ("export %s=%s"):format(k, quote(tostring(env[k])))
  end
  return table.concat(lines, "\n") .. (#lines > 0 and "\n" or "")
end

--- Creates the profile's directories. Returns true, or nil and an error.
function M.apply(dirs)
  local fs = require("rig.fs")
  for _, d in ipairs(dirs) do
    local ok, err = fs.mkdir(d)
    if not ok then return nil, err end
  end
  return true
end

return M
