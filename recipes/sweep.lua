-- Run one command over a matrix of cases: settings substituted into the command, retries
-- with backoff, a snapshot after every case, --resume after an interruption, and --shard to
-- split the cases over machines (put the shards back together with the sweep_merge recipe).
-- {name} placeholders in the command from the case's settings (and {id}), or nil and why.
local function expand(template, case)
  local values = { id = case.id }
  for k, v in pairs(case.settings) do values[k] = v end
  return rig.util.expand_command(template, values)
end

return rig.recipe {
  description = "Run a command over a matrix of cases, with retries, snapshots, --resume and --shard.",
  params = {
    { "matrix", type = "path", required = true, help = "TOML or JSON: [[axis]] name/values, [[include]], [[exclude]]" },
    { "json_out", type = "path", default = "sweep.json", help = "the artifact, rewritten after every case" },
    { "markdown_out", type = "path", help = "the same as a markdown table (default: next to the JSON)" },
    { "resume", type = "boolean", default = false, help = "skip cases the artifact already holds" },
    { "shard", help = "K/N: run only this share of the cases" },
    { "max_retries", type = "integer", default = 0, help = "retries of a retryable failure (timeout, 124, SIGTERM)" },
    { "backoff", type = "number", default = 0, help = "seconds before a retry (times the attempt number)" },
    { "exponential", type = "boolean", default = false, help = "double the backoff each retry instead" },
    { "timeout", type = "number", help = "seconds per attempt" },
    { "jobs", type = "integer", default = 1, help = "cases run at once" },
    { "warmup", type = "integer", default = 0, help = "runs of each case before its measured one (not kept)" },
    { "overlap", type = "boolean", default = true,
      help = "start the next case the moment one ends, recording it meanwhile (--no-overlap: one at a time)" },
    { "env_profile", help = "an environment profile for every case (built in: throughput; see rig.envprofile)" },
    { "env_profile_file", type = "path", help = "a TOML file of [profile.NAME] tables" },
    { "env_root", type = "path", help = "what {root} stands for in the profile (default: next to --json-out)" },
    { "keep_output", default = "failed",
      help = "each attempt's stdout/stderr in <json-out stem>_logs: keep, discard, failed (only failed attempts), "
        .. "or last:N (the last N bytes of each)" },
  },
  rest = "COMMAND with {setting} placeholders",
  examples = { "rig run sweep --matrix cases.toml --max-retries 2 -- ./build.sh {profile} {cache}" },
  run = function(p, ctx)
    local fs = rig.fs
    if #ctx.rest == 0 then
      ctx.log.error("no command: give it after --, with {setting} placeholders")
      return 2
    end
    -- The output policy. Default "failed": logs are read to find out why an attempt failed;
    -- a passing attempt's output is rarely read and can be large (7 MB for two `gzip -c`
    -- cases kept in full), and what a case measures goes into its result, not its log.
    local keep, tail = p.keep_output, nil
    if keep:match("^last:") then
      tail = tonumber(keep:match("^last:(%d+)$"))
      if not tail or tail < 1 then
        ctx.log.error("--keep-output last:N needs a number of bytes, got '%s'", keep)
        return 2
      end
      keep = "last"
    elseif keep ~= "keep" and keep ~= "discard" and keep ~= "failed" then
      ctx.log.error("--keep-output: keep, discard, failed or last:N, got '%s'%s", keep,
        rig.util.did_you_mean(keep, { "keep", "discard", "failed" }))
      return 2
    end
    if p.warmup < 0 then
      ctx.log.error("--warmup: a number of runs, 0 or more")
      return 2
    end
    local cases, err = rig.sweep.read_cases(p.matrix)
    if not cases then
      ctx.log.error("%s", err)
      return 2
    end
    -- Every case's command is built before any runs: a misspelt {placeholder} is a usage error.
    local argv_of = {}
    for _, case in ipairs(cases) do
      local argv, why = expand(ctx.rest, case)
      if not argv then
        ctx.log.error("the command, case %s: %s", case.id, why)
        return 2
      end
      argv_of[case.id] = argv
    end
    local shard
    if p.shard then
      local k, n = rig.sweep.parse_shard(p.shard)
      if not k then
        ctx.log.error("--shard: %s", n)
        return 2
      end
      shard = { k, n }
    end
    local profile_env = {}
    if p.env_profile then
      local profile = p.env_profile
      if p.env_profile_file then
        local profiles, perr = rig.envprofile.read(p.env_profile_file)
        if not profiles then
          ctx.log.error("%s", perr.message)
          return 2
        end
        profile = profiles[profile] or profile
      end
      local root = p.env_root or fs.join(fs.dirname(p.json_out), fs.stem(p.json_out) .. "_env")
      if root:sub(1, 1) ~= "/" then root = fs.realpath(".") .. "/" .. root end
      local env, dirs = rig.envprofile.resolve(profile, fs.normalize(root))
      if not env then
        ctx.log.error("%s", dirs.message)
        return 2
      end
      assert(rig.envprofile.apply(dirs))
      profile_env = env
    end
    local logs = fs.join(fs.dirname(p.json_out), fs.stem(p.json_out) .. "_logs")
    local function command(case)
      local argv = argv_of[case.id]
      local spec = table.move(argv, 1, #argv, 1, {})  -- a fresh spec per attempt
      spec.timeout = p.timeout
      spec.env = { RIG_CASE_ID = case.id }
      for k, v in pairs(profile_env) do spec.env[k] = v end
      for k, v in pairs(case.settings) do spec.env["RIG_CASE_" .. k:upper()] = tostring(v) end
      return spec
    end
    local function finish(case, attempt, r)
      if keep == "keep" or keep == "last" or (keep == "failed" and not r.ok) then
        local dir = fs.join(logs, case.id)
        assert(fs.mkdir(dir))
        local out, errs = r.stdout or "", r.stderr or ""
        if tail then out, errs = out:sub(-tail), errs:sub(-tail) end
        assert(fs.write(fs.join(dir, ("attempt%d.stdout"):format(attempt)), out))
        assert(fs.write(fs.join(dir, ("attempt%d.stderr"):format(attempt)), errs))
      end
      return { ok = r.ok, code = r.code, signal = r.signal_name, timed_out = r.timed_out, wall_s = r.wall_s,
        user_s = r.user_s, sys_s = r.sys_s, max_rss_kb = r.max_rss_kb, stdout = r.stdout, stderr = r.stderr }
    end
    local ok, artifact = pcall(rig.sweep.run, {
      cases = cases, shard = shard, resume = p.resume, json_out = p.json_out,
      markdown_out = p.markdown_out or (p.json_out:gsub("%.json$", "") .. ".md"),
      max_retries = p.max_retries, backoff = p.backoff, backoff_kind = p.exponential and "exponential" or "linear",
      meta = rig.json.object({ matrix = p.matrix, command = rig.json.array(ctx.rest) }),
      jobs = p.jobs, overlap = p.overlap, warmup = p.warmup,
      command = command,
      finish = finish,
    })
    if not ok then
      -- Refusals are the user's to act on, not bugs: another sweep holds the artifact, or
      -- --resume names a file that is not this sweep's.
      if type(artifact) == "table" and (artifact.code == "locked" or artifact.code == "resume") then
        ctx.log.error("%s", artifact.message)
        return 2
      end
      error(artifact, 0)
    end
    local t = artifact.totals
    io.stdout:write(("%d/%d cases: %d ok, %d failed, %d resumed; wrote %s\n"):format(t.finished, t.cases, t.ok,
      t.failed, t.resumed, p.json_out))
    if (t.left_matrix or 0) > 0 then
      ctx.log.info("%d finished cases of the artifact are not in this matrix any more: kept, marked left_matrix",
        t.left_matrix)
    end
    local c = artifact.concurrency
    if c then
      io.stdout:write(("%d jobs: the cases' own %.2f s ran in %.2f s of wall time (%.2f at once)\n"):format(c.jobs,
        c.cases_wall_s, c.group_wall_s, c.achieved))
    end
    return t.failed > 0 and 1 or 0
  end,
}
