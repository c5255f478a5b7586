--- Bisection whose probes are answers: which commit made a command slower, or started its
--- failure. `search` is the neutral halving over an ordered list (good before bad, with git
--- bisect's skip semantics); `git` drives it over a repository's history with a build cache
--- keyed by commit, probes decided by rig.measure (a slowdown beyond a threshold against the
--- good build, measured beside it in every probe) or by failure rates (rig.triage's
--- sequential test), and a state file so an interrupted bisection resumes. docs/triage.md.
--
-- The history comes from `git log --first-parent good..bad` and the files from `git
-- archive`, not from `git bisect start/good/bad/run`: git bisect checks commits out in the
-- user's working tree (it must be clean, and their work waits), keeps one bisection per
-- repository in .git, decides by one exit code per commit, and picks skipped neighbours at
-- random. Its semantics are kept: good/bad/skip, exit 125 skips, and a first bad commit next
-- to skipped ones is reported as "one of".
local check = require "rig.check"
local fs = require "rig.fs"
local git = require "rig.git"
local json = require "rig.json"
local measure = require "rig.measure"
local proc = require "rig.proc"
local time = require "rig.time"
local triage = require "rig.triage"
local util = require "rig.util"

local M = {}

local SEARCH = {
  count = { "integer", min = 1, max = 10000000, required = true },
  probe = { "callable", required = true },
}

--- Halving over candidates 1..count, where a state before candidate 1 is known good and
--- candidate `count` is known bad. `probe(i)` returns "good", "bad" or "skip" (cannot tell:
--- it did not build, or exit 125). The next probe is the untested candidate nearest the
--- middle of the open range (below it first on a tie). Returns {first_bad (nil when skipped
--- candidates leave it open), candidates (the indices it may be: one, or the skipped ones
--- and the first bad), last_good, skipped = {i...}, probed = {i...} in order}.
---@param cfg { count: integer, probe: fun(i: integer): string }
function M.search(cfg)
  cfg = check.options("search", 1, cfg, SEARCH)
  local lo, hi = 0, cfg.count
  local skipped, skipped_list, probed = {}, {}, {}
  while hi - lo > 1 do
    local mid = (lo + hi) // 2
    local pick
    for d = 0, hi - lo do
      for _, i in ipairs { mid - d, mid + d } do
        if i > lo and i < hi and not skipped[i] then pick = i break end
      end
      if pick then break end
    end
    if not pick then break end
    local verdict = cfg.probe(pick)
    probed[#probed + 1] = pick
    if verdict == "good" then
      lo = pick
    elseif verdict == "bad" then
      hi = pick
    elseif verdict == "skip" then
      skipped[pick] = true
      skipped_list[#skipped_list + 1] = pick
    else
      error(("probe(%d) returned %s: expected \"good\", \"bad\" or \"skip\""):format(pick, tostring(verdict)), 2)
    end
  end
  local candidates = {}
  for i = lo + 1, hi do candidates[#candidates + 1] = i end
  table.sort(skipped_list)
  return { first_bad = #candidates == 1 and hi or nil, candidates = candidates, last_good = lo,
    skipped = skipped_list, probed = probed }
end

-- ---------------------------------------------------------------------------------------
-- The build cache: <cache>/builds/<key>/<sha> is a commit's tree after its build, and
-- <sha>.json the build's record, written last (a tree without one is a build that was
-- interrupted, removed and built again). A failed build is kept as its record only, so a
-- re-run skips it without building again. The key is the build command's hash.

local function build_root(cfg)
  local key = util.sha256("build\0" .. (cfg.build or "")):sub(1, 16)
  return fs.join(cfg.cache, "builds", key)
end

local function lock_builds(root)
  fs.mkdir(root)
  local path = fs.join(root, ".lock")
  if not fs.exists(path) then fs.write(path, "") end
  local lock, err = fs.try_lock(path)
  if lock == false then
    util.raise("locked", ("another bisection is using the build cache %s: wait for it to end, or give another "
      .. "--cache"):format(root))
  elseif not lock then
    util.raise("locked", ("cannot lock %s: %s"):format(path, err and err.message or "?"))
  end
  return lock
end

local function build_commit(cfg, root, commit)
  local dir, record_path = fs.join(root, commit.sha), fs.join(root, commit.sha .. ".json")
  if fs.exists(record_path) and not cfg.rebuild then
    local ok, rec = pcall(json.read, record_path)
    if ok and type(rec) == "table" and (rec.status == "ok" and fs.exists(dir) or rec.status == "failed") then
      rec.cached = true
      return rec, dir
    end
  end
  if fs.exists(dir) then fs.remove_tree(dir, root) end
  if fs.exists(record_path) then fs.remove(record_path) end
  local started = time.now()
  local ok, err = git.export(cfg.repo, commit.sha, dir)
  if not ok then util.raise(err.code, err.message) end
  local rec = { status = "ok", seconds = 0, cached = false }
  if cfg.build then
    if cfg.on_event then cfg.on_event { kind = "build", commit = commit } end
    local r, berr = proc.run { "sh", "-c", cfg.build, cwd = dir, timeout = cfg.build_timeout,
      env = { RIG_COMMIT = commit.sha } }
    r = r or proc.not_started(berr)
    if not r.ok then
      rec.status, rec.code, rec.signal, rec.timed_out = "failed", r.code, r.signal, r.timed_out or nil
      rec.log = util.tail_lines(((r.stdout or "") .. (r.stderr or "")), 20)
    end
  end
  rec.seconds = time.now() - started
  local keep = { status = rec.status, seconds = rec.seconds, code = rec.code, signal = rec.signal,
    timed_out = rec.timed_out, log = rec.log, sha = commit.sha }
  if rec.status == "failed" then fs.remove_tree(dir, root) end
  json.write(record_path, keep)
  return rec, dir
end

-- ---------------------------------------------------------------------------------------
-- Probes.

local function command_for(cfg, dir, commit)
  local argv, why = util.expand_command(cfg.command, { dir = dir, commit = commit.sha })
  if not argv then util.raise("bad_command", "the command: " .. why) end
  -- A relative program path (./prog, build/app) names a file of the build, as it would in a
  -- shell started in the build's folder.
  if argv[1] and argv[1]:find("/") and argv[1]:sub(1, 1) ~= "/" then argv[1] = fs.join(dir, argv[1]) end
  return argv
end

-- One run of the command at a build, classified: "bad" (a failure in the classes looked
-- for), "good", "skip" (exit 125), or "other" (a failure of another class).
local function one_run(cfg, state, dir, commit)
  local spec = command_for(cfg, dir, commit)
  spec.cwd, spec.timeout, spec.env = dir, cfg.timeout, { RIG_COMMIT = commit.sha }
  local r, err = proc.run(spec)
  r = r or proc.not_started(err)
  state.runs = state.runs + 1
  if r.code == 125 then return "skip", "exit 125" end
  local class
  if not r.ok then
    class = require("rig.classify").basic(r)
  elseif cfg.same_output and state.good_stdout and util.sha256(r.stdout or "") ~= state.good_stdout then
    class = "output_mismatch"
  end
  if not class then return "good", nil, r end
  if cfg.wanted[class] then return "bad", class, r end
  return "other", class, r
end

-- A failure probe: one run, or runs until the sequential test between the endpoints' rates
-- decides. A run that failed in another class is not counted (tried again, up to 3 times in
-- a row); one that exits 125 skips the probe.
local function failure_probe(cfg, state, dir, commit)
  local classes, skip_reason = {}, nil
  local function fails()
    for _ = 1, 3 do
      local v, class = one_run(cfg, state, dir, commit)
      if class then classes[class] = (classes[class] or 0) + 1 end
      if v == "skip" then skip_reason = "the command exited 125 (skip)" error(M, 0) end
      if v ~= "other" then return v == "bad" end
    end
    skip_reason = "it failed otherwise (" .. table.concat(util.sorted_keys(classes), ", ") .. ")"
    error(M, 0)
  end
  local ok, r = pcall(function()
    if cfg.probe_runs == 1 then
      local failed = fails()
      return { failed = failed, runs = 1, failures = failed and 1 or 0, sure = true }
    end
    return triage.decide_rate(fails, { passing_rate = state.p0, failing_rate = state.p1, runs = cfg.probe_runs,
      alpha = cfg.alpha })
  end)
  if not ok then
    if r ~= M then error(r, 0) end
    return { verdict = "skip", reason = skip_reason, classes = classes }
  end
  local low, high = triage.wilson(r.failures, r.runs)
  return { verdict = r.failed and "bad" or "good", sure = r.sure, runs = r.runs, failures = r.failures,
    rate = r.failures / r.runs, rate_low = low, rate_high = high, classes = classes }
end

-- The paired ratio of a probe to the good build: interleaved rounds run one of each, so the
-- log ratio of the two runs of a round cancels the machine's drift from minute to minute;
-- the Student-t interval of their mean, at `confidence`, back on the ratio scale. Pairs with
-- a failed run are left out.
local function paired_ratio(g, b, confidence)
  local stats = require "rig.stats"
  local d = {}
  for k = 1, math.min(#g.runs, #b.runs) do
    local x, y = g.runs[k], b.runs[k]
    if x.ok and y.ok and (x.value or 0) > 0 and (y.value or 0) > 0 then d[#d + 1] = math.log(y.value / x.value) end
  end
  if #d < 2 then return nil end
  local ci = stats.mean_ci(d, { confidence = confidence })
  if not ci then return nil end
  return { ratio = math.exp(stats.mean(d)), low = math.exp(ci.low), high = math.exp(ci.high), pairs = #d }
end

-- A slowdown probe: the good build and this one measured in interleaved rounds until the
-- paired interval of their ratio lies wholly above or below 1 + threshold. The error budget
-- alpha is split over the looks as rig.measure's sequential rule splits it.
local function slowdown_probe(cfg, state, dir, commit)
  local limit = 1 + cfg.threshold
  local looks = measure.looks(cfg.min_runs, cfg.max_runs)
  local confidence = 1 - cfg.alpha / (#looks + 1)
  local function decided(_, _, r)
    local pr = paired_ratio(r.benchmarks[1], r.benchmarks[2], confidence)
    return pr ~= nil and (pr.low > limit or pr.high < limit)
  end
  local good = state.good
  local function bench(name, d, c)
    return { name = name, argv = command_for(cfg, d, c), cwd = d, env = { RIG_COMMIT = c.sha } }
  end
  local result, err = measure.run {
    commands = { bench("good " .. git.short(good.commit.sha), good.dir, good.commit),
      bench(git.short(commit.sha), dir, commit) },
    reference = 1, metric = cfg.metric, warmup = cfg.warmup, min_runs = cfg.min_runs, max_runs = cfg.max_runs,
    alpha = cfg.alpha, time_budget = cfg.probe_budget, timeout = cfg.timeout, decided = decided, seed = cfg.seed,
  }
  if not result then util.raise(err.code or "measure_failed", err.message or tostring(err)) end
  local g, b = result.benchmarks[1], result.benchmarks[2]
  local runs = #g.runs + #g.warmup + #b.runs + #b.warmup
  state.runs = state.runs + runs
  if g.failure then
    util.raise("good_failed", ("the good build (%s) failed while measured beside %s: %s"):format(
      git.short(good.commit.sha), git.short(commit.sha), g.failure.message or "?"))
  end
  local pr = paired_ratio(g, b, confidence)
  if b.failure or not pr then
    return { verdict = "skip", runs = runs, reason = "it could not be measured: "
      .. tostring(b.failure and b.failure.message or "fewer than 2 paired runs") }
  end
  local sure = pr.low > limit or pr.high < limit
  local bad = (sure and pr.low > limit) or (not sure and pr.ratio > limit)
  local gs, bs = measure.summary(g), measure.summary(b)
  local c = result.comparisons and result.comparisons[2]
  return { verdict = bad and "bad" or "good", sure = sure, runs = runs, runs_each = pr.pairs, ratio = pr.ratio,
    ci_low = pr.low, ci_high = pr.high, median_ratio = c and c.ratio, good_median = gs and gs.median,
    median = bs and bs.median, stop_reason = result.stop_reason }
end

-- ---------------------------------------------------------------------------------------
-- The flow over git.

local CLASSES = { "timeout", "signal_exit", "exit_nonzero", "output_mismatch" }

local REQUIRED_PATH = { "string", nonempty = true, required = true, check = check.PATH.check }

local GIT = {
  repo = REQUIRED_PATH,
  good = { "string", nonempty = true, required = true },
  bad = { "string", nonempty = true, required = true },
  command = { "string|list", required = true },
  build = "string",
  cache = REQUIRED_PATH,
  mode = { "string", choices = { "failure", "slowdown" }, default = "failure" },
  threshold = { "number", gt = 0, lt = 10, default = 0.05 },
  metric = { "string", choices = { "wall", "user", "sys", "cpu", "rss" }, default = "wall" },
  warmup = { "integer", min = 0, max = 1000, default = 1 },
  min_runs = { "integer", min = 2, max = 100000 },
  max_runs = { "integer", min = 2, max = 100000, default = 60 },
  probe_runs = { "integer", min = 1, max = 100000, default = 1 },
  probe_budget = check.SECONDS,
  alpha = { "number", gt = 0, lt = 0.5, default = 0.01 },
  bad_classes = { "list", of = { "string", check = function(v)
    for _, c in ipairs(CLASSES) do if c == v then return true end end
    return false, "expected one of " .. table.concat(CLASSES, ", ") .. util.did_you_mean(v, CLASSES)
  end } },
  same_output = "boolean",
  timeout = check.SECONDS,
  build_timeout = check.SECONDS,
  rebuild = "boolean",
  fresh = "boolean",
  seed = { "integer", default = 1 },
  on_event = "callable",
}

-- What the bisection asks, as its state file's key: the same question resumes.
local function question_of(cfg, good_sha, bad_sha)
  local command = type(cfg.command) == "table" and cfg.command or { cfg.command }
  return json.object({ repo = fs.realpath(cfg.repo) or cfg.repo, good = good_sha, bad = bad_sha,
    build = cfg.build or json.null, command = json.array(command), mode = cfg.mode,
    threshold = cfg.mode == "slowdown" and cfg.threshold or json.null,
    metric = cfg.mode == "slowdown" and cfg.metric or json.null, probe_runs = cfg.probe_runs,
    max_runs = cfg.max_runs, alpha = cfg.alpha, bad_classes = json.array(cfg.bad_classes or CLASSES),
    same_output = cfg.same_output == true },
    { "repo", "good", "bad", "build", "command", "mode", "threshold", "metric", "probe_runs", "max_runs", "alpha",
      "bad_classes", "same_output" })
end

local function load_state(path, question)
  if not fs.exists(path) then return {} end
  local ok, saved = pcall(json.read, path)
  if not ok or type(saved) ~= "table" or type(saved.probes) ~= "table"
    or json.encode(saved.question) ~= json.encode(question) then
    return {}
  end
  local memo = {}
  for _, p in ipairs(saved.probes) do
    if type(p) == "table" and type(p.sha) == "string" then memo[p.sha] = p end
  end
  return memo
end

-- The endpoints: the good build must pass (or be fast), the bad one fail (or be slower).
local function check_endpoints(cfg, state, good, bad)
  if cfg.mode == "slowdown" then
    local r = slowdown_probe(cfg, state, bad.dir, bad.commit)
    r.sha, r.role, r.subject = bad.commit.sha, "bad endpoint", bad.commit.subject
    -- Undecided at the run budget but beyond the threshold: the bisection goes on (on a noisy
    -- machine the estimate is still evidence), and the report says the endpoint was unsure.
    if r.verdict ~= "bad" then
      return r, ("the bad revision is not shown slower than the good one by more than %g%%: ratio %s [%s, %s] after "
        .. "%s runs each"):format(cfg.threshold * 100, r.ratio and ("%.3f"):format(r.ratio) or "?",
        r.ci_low and ("%.3f"):format(r.ci_low) or "?", r.ci_high and ("%.3f"):format(r.ci_high) or "?",
        tostring(r.runs_each or "?"))
    end
    return r
  end
  local n, rates, records = cfg.probe_runs, {}, {}
  for _, side in ipairs { { good, "good endpoint" }, { bad, "bad endpoint" } } do
    local k, classes = 0, {}
    for _ = 1, n do
      local v, class, r = one_run(cfg, state, side[1].dir, side[1].commit)
      if class then classes[class] = (classes[class] or 0) + 1 end
      if v == "bad" then k = k + 1 end
      if side[1] == good and v == "good" and r and not state.good_stdout then
        state.good_stdout = util.sha256(r.stdout or "")
      end
    end
    local low, high = triage.wilson(k, n)
    rates[#rates + 1] = k / n
    records[#records + 1] = { sha = side[1].commit.sha, subject = side[1].commit.subject, role = side[2],
      verdict = side[1] == good and "good" or "bad",
      runs = n, failures = k, rate = k / n, rate_low = low, rate_high = high, classes = classes, sure = true }
  end
  if rates[2] == 0 then
    return records, ("the bad revision does not fail (0 of %d runs)"):format(n)
  end
  if rates[1] >= rates[2] or (n == 1 and rates[1] > 0) then
    return records, ("the good revision fails too (%d of %d runs)"):format(records[1].failures, n)
  end
  if n > 1 then
    -- The bad side's rate is an estimate from n runs: a probe is told apart from the lower
    -- end of its 95% interval (a bad commit that fails less often than the endpoint did is
    -- still called bad), which keeps the error rate near alpha when the estimate ran high.
    local low = (triage.wilson(records[2].failures, n))
    state.p0, state.p1 = triage.sprt_rates(rates[1], math.max(low, math.min(rates[2], 2 * rates[1])), n)
    if state.p1 <= state.p0 then
      return records, ("the bad revision fails (%.0f%%) no more often than the good one (%.0f%%) in %d runs")
        :format(rates[2] * 100, rates[1] * 100, n)
    end
  end
  return records
end

-- The answer's confidence: at least 1 minus the sum of the probes' error bounds (a union
-- bound: alpha per decided probe, 1/2 for one undecided at its budget); nil with one run per
-- failure probe (no error model: the command is taken as deterministic).
local function confidence_of(cfg, probes)
  if cfg.mode == "failure" and cfg.probe_runs == 1 then return nil end
  local alpha = cfg.alpha
  local err = 0
  for _, p in ipairs(probes) do
    if p.verdict ~= "skip" then err = err + (p.sure and alpha or 0.5) end
  end
  return math.max(0, 1 - err)
end

--- Bisects `repo`'s first-parent history between `good` and `bad`: each probed commit is
--- exported (git archive) into the build cache under `cache`, built with `build` (a shell
--- line run in its tree; failure or exit 125 skips the commit), and `command` (argv or shell
--- words, `{dir}` and `{commit}` filled in, run in the build's folder) decides it. `mode`
--- "failure": bad when a run fails in `bad_classes` (default all: timeout, signal_exit,
--- exit_nonzero, output_mismatch with `same_output`), with `probe_runs` > 1 by the
--- sequential test between the endpoints' failure rates. `mode` "slowdown": bad when the
--- metric's median is slower than the good build's by more than `threshold` (0.05), measured
--- beside the good build in every probe until the interval decides (`max_runs`,
--- `probe_budget`). Probes are kept in a state file under `cache` after each one; the same
--- question asked again resumes from it (`fresh` starts over). Returns the report table
--- (docs/triage.md#the-report), or raises a rig.Error (codes: unknown_revision,
--- not_ancestor, endpoints, build_failed, locked, good_failed).
---@param cfg table
---@return table report
function M.git(cfg)
  cfg = check.options("git", 1, cfg, GIT)
  cfg.min_runs = cfg.min_runs or measure.FIRST_LOOK
  cfg.wanted = {}
  for _, c in ipairs(cfg.bad_classes or CLASSES) do cfg.wanted[c] = true end
  local started = time.now()
  -- Absolute paths: git runs in the repository, builds and commands in their own folders.
  fs.mkdir(cfg.cache)
  cfg.cache = fs.realpath(cfg.cache) or cfg.cache
  cfg.repo = fs.realpath(cfg.repo) or cfg.repo
  local good_sha, gerr = git.resolve(cfg.repo, cfg.good)
  if not good_sha then util.raise(gerr.code, "--good: " .. gerr.message) end
  local commits, cerr = git.commits(cfg.repo, cfg.good, cfg.bad)
  if not commits then util.raise(cerr.code, cerr.message) end
  if #commits == 0 then util.raise("endpoints", "the good and bad revisions are the same commit") end
  local good_commit = assert(git.commit(cfg.repo, good_sha))
  local question = question_of(cfg, good_sha, commits[#commits].sha)
  local root = build_root(cfg)
  local _ <close> = lock_builds(root)
  local state_path = fs.join(cfg.cache, "state", util.sha256(json.encode(question)):sub(1, 16) .. ".json")
  fs.mkdir(fs.dirname(state_path))
  local memo = cfg.fresh and {} or load_state(state_path, question)
  local state = { runs = 0 }
  local report = { question = question, commits = {}, probes = {}, endpoints = {},
    builds = { built = 0, cached = 0, failed = 0 }, state_file = state_path }
  report.commits[1] = { index = 0, sha = good_sha, subject = good_commit.subject, time = good_commit.time }
  for i, c in ipairs(commits) do
    report.commits[i + 1] = { index = i, sha = c.sha, subject = c.subject, time = c.time }
  end

  local function built(commit)
    local rec, dir = build_commit(cfg, root, commit)
    local key = rec.cached and "cached" or (rec.status == "ok" and "built" or "failed")
    report.builds[key] = report.builds[key] + 1
    return rec, dir
  end
  local function save()
    json.write(state_path, { question = question, probes = report.probes })
  end

  -- The endpoints must build.
  local sides = {}
  for _, c in ipairs { good_commit, commits[#commits] } do
    local rec, dir = built(c)
    if rec.status ~= "ok" then
      util.raise("build_failed", ("the %s revision %s does not build (%s):\n%s"):format(
        c == good_commit and "good" or "bad", git.short(c.sha), rec.timed_out and "timed out"
        or ("exit " .. tostring(rec.code or rec.signal)), rec.log or ""))
    end
    sides[#sides + 1] = { commit = c, dir = dir }
  end
  state.good = sides[1]
  local ends, why = check_endpoints(cfg, state, sides[1], sides[2])
  report.endpoints = ends.role and { ends } or ends
  if why then
    report.runs, report.wall_s = state.runs, time.now() - started
    report.error = why
    return report, why
  end

  local step = 0
  local found = M.search { count = #commits, probe = function(i)
    local commit = commits[i]
    step = step + 1
    local rec = memo[commit.sha]
    if rec then
      rec.resumed, rec.step = true, step
      report.probes[#report.probes + 1] = rec
      return rec.verdict
    end
    if cfg.on_event then cfg.on_event { kind = "probe", commit = commit, index = i, step = step, count = #commits } end
    local b, dir = built(commit)
    local r
    if b.status ~= "ok" then
      r = { verdict = "skip", reason = b.timed_out and "the build timed out" or ("the build failed (exit %s)")
        :format(tostring(b.code or b.signal)), runs = 0 }
    elseif cfg.mode == "slowdown" then
      r = slowdown_probe(cfg, state, dir, commit)
    else
      r = failure_probe(cfg, state, dir, commit)
    end
    r.sha, r.index, r.step, r.subject = commit.sha, i, step, commit.subject
    r.build = { status = b.status, cached = b.cached == true, seconds = b.seconds }
    report.probes[#report.probes + 1] = r
    save()
    if cfg.on_event then cfg.on_event { kind = "verdict", commit = commit, index = i, probe = r } end
    return r.verdict
  end }
  save()
  local answer = { candidates = {} }
  for _, i in ipairs(found.candidates) do
    answer.candidates[#answer.candidates + 1] = { index = i, sha = commits[i].sha, subject = commits[i].subject }
  end
  if found.first_bad then
    answer.index, answer.sha, answer.subject = found.first_bad, commits[found.first_bad].sha,
      commits[found.first_bad].subject
  end
  answer.last_good = found.last_good == 0 and good_sha or commits[found.last_good].sha
  local all = {}
  for _, p in ipairs(report.endpoints) do all[#all + 1] = p end
  for _, p in ipairs(report.probes) do all[#all + 1] = p end
  answer.confidence = confidence_of(cfg, all)
  report.answer = answer
  local runs = state.runs
  for _, p in ipairs(report.probes) do if p.resumed then runs = runs + (p.runs or 0) end end
  report.runs = runs
  report.runs_this_time = state.runs
  report.resumed = 0
  for _, p in ipairs(report.probes) do if p.resumed then report.resumed = report.resumed + 1 end end
  report.wall_s = time.now() - started
  return report
end

-- ---------------------------------------------------------------------------------------
-- Reports.

local PROBE_KEYS = { "step", "role", "index", "sha", "subject", "verdict", "sure", "resumed", "reason", "runs",
  "runs_each", "ratio", "ci_low", "ci_high", "median_ratio", "good_median", "median", "failures", "rate", "rate_low",
  "rate_high", "classes", "build", "stop_reason" }

-- What a bisection with one run per probe would have taken: each probe once, and each
-- endpoint once.
local function naive_runs(report) return #(report.probes or {}) + 2 end

local function probe_json(p)
  local o = {}
  for _, k in ipairs(PROBE_KEYS) do
    local v = p[k]
    if type(v) == "number" then v = json.finite(v) end
    if k == "classes" and type(v) == "table" then v = json.object(v) end
    if k == "build" and type(v) == "table" then
      v = json.object({ status = v.status, cached = v.cached == true, seconds = json.finite(v.seconds) },
        { "status", "cached", "seconds" })
    end
    o[k] = v
  end
  return json.object(o, PROBE_KEYS)
end

--- The report as JSON-ready tables, keys in a stable order: {tool, question, answer,
--- endpoints, probes, commits, runs, runs_this_time, naive_runs, resumed, builds, wall_s,
--- error, state_file}.
---@param report table from `git`
---@return table
function M.to_json(report)
  check.arg("to_json", 1, report, "table")
  local function list(xs, f)
    local out = json.array({})
    for i, x in ipairs(xs or {}) do out[i] = f(x) end
    return out
  end
  local a = report.answer
  local answer = json.null
  if a then
    answer = json.object({ sha = a.sha or json.null, index = a.index or json.null, subject = a.subject or json.null,
      last_good = a.last_good, confidence = json.finite(a.confidence),
      candidates = list(a.candidates, function(c)
        return json.object({ index = c.index, sha = c.sha, subject = c.subject }, { "index", "sha", "subject" })
      end) }, { "sha", "index", "subject", "last_good", "confidence", "candidates" })
  end
  local b = report.builds or {}
  return json.object({
    tool = "rig bisect",
    question = report.question,
    answer = answer,
    error = report.error or json.null,
    endpoints = list(report.endpoints, probe_json),
    probes = list(report.probes, probe_json),
    commits = list(report.commits, function(c)
      return json.object({ index = c.index, sha = c.sha, subject = c.subject, time = c.time },
        { "index", "sha", "subject", "time" })
    end),
    runs = report.runs or 0,
    runs_this_time = report.runs_this_time or report.runs or 0,
    naive_runs = naive_runs(report),
    resumed = report.resumed or 0,
    builds = json.object({ built = b.built or 0, cached = b.cached or 0, failed = b.failed or 0 },
      { "built", "cached", "failed" }),
    wall_s = json.finite(report.wall_s),
    state_file = report.state_file,
  }, { "tool", "question", "answer", "error", "endpoints", "probes", "commits", "runs", "runs_this_time",
    "naive_runs", "resumed", "builds", "wall_s", "state_file" })
end

local function short(sha) return sha and sha:sub(1, 12) or "-" end

--- How one probe came out, in words: "slower 1.153x [1.141, 1.166] in 6 runs each" or
--- "fails 9 of 30 runs (30%, 95% 17% to 48%)".
---@param p table a probe or endpoint record
---@return string
function M.describe(p)
  check.arg("describe", 1, p, "table")
  local sure = p.sure == false and ", undecided at the run budget" or ""
  if p.verdict == "skip" then return "skipped: " .. tostring(p.reason or "?") end
  if p.ratio then
    return ("%s: %.3fx [%.3f, %.3f] in %s runs each%s"):format(p.verdict, p.ratio, p.ci_low or 0 / 0,
      p.ci_high or 0 / 0, tostring(p.runs_each or "?"), sure)
  end
  if p.failures and p.runs == 1 then
    local classes = type(p.classes) == "table" and util.sorted_keys(p.classes) or {}
    return ("%s: %s in its one run%s"):format(p.verdict, p.failures > 0 and "failed" or "passed",
      #classes > 0 and (" (" .. table.concat(classes, ", ") .. ")") or "")
  end
  if p.failures then
    return ("%s: failed %d of %d runs (%.0f%%, 95%% %.0f%% to %.0f%%)%s"):format(p.verdict, p.failures, p.runs,
      (p.rate or 0) * 100, (p.rate_low or 0) * 100, (p.rate_high or 0) * 100, sure)
  end
  return tostring(p.verdict)
end

--- The report as markdown: the answer with its confidence, the probes in the order they ran,
--- the runs against a naive bisection's.
---@param report table from `git`
---@return string
function M.markdown(report)
  check.arg("markdown", 1, report, "table")
  local q, out = report.question or {}, {}
  out[#out + 1] = "# Bisection"
  out[#out + 1] = ""
  out[#out + 1] = ("- repository: `%s`, good `%s`, bad `%s`"):format(tostring(q.repo), short(q.good), short(q.bad))
  out[#out + 1] = ("- question: %s"):format(q.mode == "slowdown" and ("slower than the good build by more than %g%% "
    .. "(%s)"):format((q.threshold or 0) * 100, tostring(q.metric)) or "the command fails")
  local a = report.answer
  if report.error then
    out[#out + 1] = "- **no answer**: " .. report.error
  elseif a and a.sha then
    out[#out + 1] = ("- **first bad commit: `%s`** %s"):format(short(a.sha), a.subject or "")
  elseif a then
    local names = {}
    for _, c in ipairs(a.candidates) do names[#names + 1] = "`" .. short(c.sha) .. "`" end
    out[#out + 1] = "- **the first bad commit is one of** " .. table.concat(names, ", ")
      .. " (the others were skipped)"
  end
  if a and a.confidence then
    out[#out + 1] = ("- confidence: at least %.1f%% (a union bound over the probes' error rates)"):format(
      a.confidence * 100)
  end
  out[#out + 1] = ("- %d probes, %d runs (a bisection with one run per probe: %d); builds: %d built, %d cached, %d "
    .. "failed"):format(#(report.probes or {}), report.runs or 0, naive_runs(report),
    report.builds and report.builds.built or 0, report.builds and report.builds.cached or 0,
    report.builds and report.builds.failed or 0)
  out[#out + 1] = ""
  out[#out + 1] = "| step | commit | subject | verdict | evidence | runs |"
  out[#out + 1] = "|---|---|---|---|---|---|"
  local function row(label, p)
    local subject = (p.subject or ""):gsub("|", "\\|")
    out[#out + 1] = ("| %s | `%s` | %s | %s%s | %s | %d |"):format(label, short(p.sha), subject, p.verdict,
      p.resumed and " (resumed)" or "", (M.describe(p):gsub("^[^:]*: ", ""):gsub("|", "\\|")), p.runs or 0)
  end
  for _, p in ipairs(report.endpoints or {}) do row(p.role or "endpoint", p) end
  for _, p in ipairs(report.probes or {}) do row(tostring(p.step), p) end
  return table.concat(out, "\n") .. "\n"
end

return M
