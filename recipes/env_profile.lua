-- Print or apply an environment profile (Molt's tools/throughput_env.sh --print/--apply):
-- `eval "$(rig run env_profile --root /tmp/tp --print)"` sets it up in a shell.
-- Molt's profile: throughput_env.sh's exports, computed from the environment as Molt's
-- run-context layer does (rig.molt.throughput_env). Without --print it applies, as Molt's
-- script does with no argument: the folders, a prune of MOLT_CACHE, and the summary.
local function molt_profile(p, ctx)
  local molt = rig.molt
  local repo = p.root and (rig.fs.realpath(p.root) or p.root) or molt.repo_root()
  local tp = molt.throughput_env { repo = repo, pid = rig.env.pid() }
  if tp.warning then io.stderr:write(tp.warning, "\n") end
  if p.print then
    local text, why = molt.export_lines(tp.exports)
    if not text then
      ctx.log.error("%s", why)
      return 2
    end
    io.stdout:write(text)
    if not p.apply then return 0 end
  end
  for _, d in ipairs(tp.dirs) do
    local ok, err = pcall(rig.fs.mkdir, d)
    if not ok then
      ctx.log.error("cannot create %s: %s", d, type(err) == "table" and err.message or tostring(err))
      return 1
    end
  end
  local v = tp.values
  -- Molt restarts sccache with the profile's cache folder and size.
  if tp.sccache then
    for _, verb in ipairs { "--stop-server", "--start-server" } do
      rig.proc.run { tp.sccache, verb, env = { SCCACHE_DIR = v.SCCACHE_DIR, SCCACHE_CACHE_SIZE = v.SCCACHE_CACHE_SIZE },
        timeout = 60 }
    end
  end
  if os.getenv("MOLT_CACHE_PRUNE") ~= "0" then
    local opts = { max_gb = tonumber(v.MOLT_CACHE_MAX_GB) or 30,
      max_age_days = tonumber(v.MOLT_CACHE_MAX_AGE_DAYS) or 30 }
    local report, err = rig.prune.prune(v.MOLT_CACHE, opts)
    if not report then
      ctx.log.error("%s", err.message)
      return 1
    end
    io.stdout:write(rig.prune.lines(report, opts))
  end
  local lines = { "Configured throughput env:" }
  for _, k in ipairs { "MOLT_EXT_ROOT", "MOLT_CACHE", "CARGO_TARGET_DIR", "MOLT_DIFF_CARGO_TARGET_DIR",
    "MOLT_TARGET_ROOT", "MOLT_DIFF_ROOT", "MOLT_DIFF_TMPDIR", "UV_CACHE_DIR", "TMPDIR",
    "MOLT_BACKEND_DAEMON_SOCKET_DIR", "SCCACHE_DIR",
    "SCCACHE_CACHE_SIZE" } do
    lines[#lines + 1] = ("  %s=%s"):format(k, v[k])
  end
  io.stdout:write(table.concat(lines, "\n"), "\n")
  return 0
end

return rig.recipe {
  description = "Print (as export lines) or apply (create its directories) an environment profile.",
  params = {
    { "name", default = "throughput",
      help = "the profile (built in: throughput, and molt: what Molt's tools/throughput_env.sh exports)" },
    { "file", type = "path", help = "a TOML file of [profile.NAME] tables to choose from as well" },
    { "root", type = "path", help = "the directory {root} stands for (molt: the repository, found by default)" },
    { "print", type = "boolean", default = false, help = "print export lines" },
    { "apply", type = "boolean", default = false,
      help = "create the profile's directories (molt: the default; also prunes MOLT_CACHE unless MOLT_CACHE_PRUNE=0)" },
  },
  examples = { 'eval "$(rig run env_profile --root /tmp/throughput --apply --print)"' },
  run = function(p, ctx)
    local ep = rig.envprofile
    if p.name == "molt" and not p.file then return molt_profile(p, ctx) end
    if not p.root then
      ctx.log.error("--root is required for the %s profile (the directory {root} stands for)", p.name)
      return 2
    end
    local profile = p.name
    if p.file then
      local profiles, err = ep.read(p.file)
      if not profiles then
        ctx.log.error("%s", err.message)
        return 2
      end
      profile = profiles[p.name] or p.name
    end
    local root = rig.fs.normalize(p.root:sub(1, 1) == "/" and p.root or (rig.fs.realpath(".") .. "/" .. p.root))
    local env, dirs = ep.resolve(profile, root)
    if not env then
      ctx.log.error("%s", dirs.message)
      return 2
    end
    if not p.print and not p.apply then
      ctx.log.error("say --print, --apply or both")
      return 2
    end
    if p.apply then
      local ok, err = ep.apply(dirs)
      if not ok then
        ctx.log.error("%s", err.message)
        return 1
      end
    end
    if p.print then
      local lines, err = ep.export_lines(env)
      if not lines then
        ctx.log.error("%s", err.message)
        return 2
      end
      io.stdout:write(lines)
    end
    return 0
  end,
}
