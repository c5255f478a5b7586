-- Which commit made it slower, or broke it: bisects a git repository's history between a good
-- and a bad revision. Each probed commit is built once into a cache keyed by commit (a failed
-- build skips the commit), and decided by as many runs as the data need: a slowdown against
-- the good build measured beside it, or a failure rate against the two endpoints'. An
-- interrupted bisection resumes when asked again. docs/triage.md.
-- Exit: 0 first bad commit found, 3 it is one of several (skipped neighbours), 4 the endpoints
-- are not good and bad as claimed, 2 bad usage.

-- "5%" or "0.05" as a fraction; nil and why for anything else.
local function fraction(text)
  local pct = text:match("^%s*([%d.]+)%s*%%%s*$")
  local v = tonumber(pct or text)
  if not v or v ~= v then return nil, ("%q: expected a percentage like 5%% or a fraction like 0.05"):format(text) end
  if pct then v = v / 100 elseif v >= 1 then
    return nil, ("%q: a fraction must be below 1 (write %g%% for a percentage)"):format(text, v)
  end
  if v <= 0 then return nil, ("%q: must be above 0"):format(text) end
  return v
end

local function default_cache()
  local base = os.getenv("XDG_CACHE_HOME")
  if not base or base == "" then
    local home = os.getenv("HOME")
    if not home or home == "" then return nil end
    base = home .. "/.cache"
  end
  return base .. "/rig/bisect"
end

return rig.recipe {
  description = "Find the commit that made a command slower (--slower-than 5%) or made it fail, with cached builds.",
  rest = "COMMAND [ARGS...] ({dir}: the build's folder, {commit}: its id)",
  params = {
    { "repo", type = "path", default = ".", help = "the git repository" },
    { "good", required = true, help = "a revision where it is fast / passes" },
    { "bad", default = "HEAD", help = "a revision where it is slow / fails" },
    { "build", help = "shell line run in each commit's tree before measuring (fails or exits 125: skip it)" },
    { "slower_than",
      help = "bisect a slowdown: bad when the median is slower than the good build's by more than this (5% or 0.05)" },
    { "metric", choices = { "wall", "user", "sys", "cpu", "rss" }, default = "wall",
      help = "what --slower-than measures" },
    { "probe_runs", type = "integer", default = 1,
      help = "failures: runs of each endpoint, and at most this many per probe, decided by a sequential test (flaky)" },
    { "bad_class", type = "list",
      help = "failures that count as bad: timeout, signal_exit, exit_nonzero, output_mismatch (default: all)" },
    { "same_output", type = "boolean", default = false,
      help = "a run whose stdout differs from the good build's fails as output_mismatch" },
    { "min_runs", type = "integer", help = "slowdown: runs per side before the first look (default 6)" },
    { "max_runs", type = "integer", default = 60, help = "slowdown: most runs per side in one probe" },
    { "warmup", type = "integer", default = 1, help = "slowdown: untimed runs per side in each probe" },
    { "probe_budget", type = "number", default = 60, help = "slowdown: seconds one probe may take" },
    { "alpha", type = "number", help = "error rate per probe decision (0.01)" },
    { "timeout_sec", type = "number", default = 600, help = "per run of the command" },
    { "build_timeout_sec", type = "number", default = 3600, help = "per build" },
    { "cache", type = "path", help = "the build cache and bisection state (default: $XDG_CACHE_HOME/rig/bisect)" },
    { "rebuild", type = "boolean", default = false, help = "build every probed commit again" },
    { "fresh", type = "boolean", default = false, help = "start over instead of resuming the same bisection" },
    { "seed", type = "integer", default = 1, help = "the measurement order's seed" },
    { "json_out", type = "path", help = "the report as JSON: probes, runs, rates, verdicts, the answer" },
    { "markdown_out", type = "path", help = "the report as markdown" },
    { "html_out", type = "path", help = "a self-contained HTML page with the metric along the commits" },
  },
  examples = {
    "rig run bisect --good v1.2 --bad main --build 'make -j8' --slower-than 5% -- ./bench_fib",
    "rig run bisect --good v1.2 --build 'cargo build --release' --bad-class signal_exit -- target/release/app t.py",
    "rig run bisect --good HEAD~40 --probe-runs 30 --build make -- ./flaky_test",
  },
  run = function(p, ctx)
    local log = ctx.log
    if #ctx.rest == 0 then
      log.error("no command: rig run bisect --good REV [options] -- COMMAND [ARGS...]")
      return 2
    end
    local threshold
    if p.slower_than then
      local why
      threshold, why = fraction(p.slower_than)
      if not threshold then
        log.error("--slower-than %s", why)
        return 2
      end
    end
    if p.probe_runs < 1 or p.max_runs < 2 or (p.min_runs and p.min_runs < 2) or p.warmup < 0 then
      log.error("--probe-runs must be at least 1, --min-runs and --max-runs at least 2, --warmup at least 0")
      return 2
    end
    if p.alpha and (p.alpha <= 0 or p.alpha >= 0.5) then
      log.error("--alpha must be between 0 and 0.5")
      return 2
    end
    local cache = p.cache or default_cache()
    if not cache then
      log.error("no --cache, and neither XDG_CACHE_HOME nor HOME is set")
      return 2
    end
    local checked, why = rig.util.expand_command(ctx.rest, { dir = ".", commit = "0" })
    if not checked then
      log.error("the command: %s", why)
      return 2
    end
    local bisect = rig.bisect
    local ok, report, err = pcall(bisect.git, {
      repo = p.repo, good = p.good, bad = p.bad, build = p.build, command = ctx.rest, cache = cache,
      mode = threshold and "slowdown" or "failure", threshold = threshold, metric = p.metric,
      probe_runs = p.probe_runs, bad_classes = #p.bad_class > 0 and p.bad_class or nil, same_output = p.same_output,
      min_runs = p.min_runs, max_runs = p.max_runs, warmup = p.warmup, probe_budget = p.probe_budget,
      alpha = p.alpha, timeout = p.timeout_sec, build_timeout = p.build_timeout_sec, rebuild = p.rebuild,
      fresh = p.fresh, seed = p.seed,
      on_event = function(e)
        if e.kind == "probe" then
          log.info("probe %d: %s (%d of %d) %s", e.step, e.commit.sha:sub(1, 12), e.index, e.count, e.commit.subject)
        elseif e.kind == "verdict" then
          log.info("  %s", bisect.describe(e.probe))
        end
      end,
    })
    if not ok then
      local e = report
      if type(e) == "table" and e.code then
        log.error("%s", e.message)
        return (e.code == "build_failed" or e.code == "endpoints" or e.code == "good_failed") and 4 or 2
      end
      error(e, 0)
    end
    local function write_reports()
      if p.json_out then assert(rig.json.write(p.json_out, bisect.to_json(report), { indent = 2 })) end
      if p.markdown_out then assert(rig.fs.write(p.markdown_out, bisect.markdown(report))) end
      if p.html_out then assert(rig.fs.write(p.html_out, rig.htmlreport.bisect(report))) end
    end
    write_reports()
    local out = io.stdout
    for _, e in ipairs(report.endpoints) do
      out:write(("%s %s: %s\n"):format(e.role, e.sha:sub(1, 12), bisect.describe(e)))
    end
    if err then
      log.error("%s", err)
      return 4
    end
    local a = report.answer
    local probes = #report.probes
    local summary = ("%d probes (%d resumed), %d runs; builds: %d built, %d cached, %d failed"):format(probes,
      report.resumed, report.runs, report.builds.built, report.builds.cached, report.builds.failed)
    if a.sha then
      out:write(("first bad commit: %s %s\n"):format(a.sha, a.subject or ""))
    else
      out:write("the first bad commit is one of:\n")
      for _, c in ipairs(a.candidates) do out:write(("  %s %s\n"):format(c.sha, c.subject or "")) end
    end
    local unsure = 0
    for _, e in ipairs(report.endpoints) do if e.sure == false then unsure = unsure + 1 end end
    for _, pr in ipairs(report.probes) do if pr.sure == false then unsure = unsure + 1 end end
    if unsure > 0 then
      summary = summary .. (", %d undecided at the run budget (taken by their estimate; more --max-runs would "
        .. "settle them)"):format(unsure)
    end
    out:write(summary .. (a.confidence and (", confidence at least %.1f%%"):format(a.confidence * 100) or "") .. "\n")
    return a.sha and 0 or 3
  end,
}
