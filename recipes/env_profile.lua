-- Print or apply an environment profile (Molt's tools/throughput_env.sh --print/--apply):
-- `eval "$(rig run env_profile --root /tmp/tp --print)"` sets it up in a shell.
return rig.recipe {
  description = "Print (as export lines) or apply (create its directories) an environment profile.",
  params = {
    { "name", default = "throughput", help = "the profile (built in: throughput)" },
    { "file", type = "path", help = "a TOML file of [profile.NAME] tables to choose from as well" },
    { "root", type = "path", required = true, help = "the directory {root} stands for" },
    { "print", type = "boolean", default = false, help = "print export lines" },
    { "apply", type = "boolean", default = false, help = "create the profile's directories" },
  },
  examples = { 'eval "$(rig run env_profile --root /tmp/throughput --apply --print)"' },
  run = function(p, ctx)
    local ep = rig.envprofile
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
