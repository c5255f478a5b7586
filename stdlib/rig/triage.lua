--- Triage flows: what people write custom recipes for when a case failed or got slow. Each
--- flow takes a `run` function (settings or attempt in, a result table with `ok` out: a
--- finished process works as it is) so it serves processes, lanes and whole builds alike, and
--- records every probe it made. docs/triage.md.
local check = require "rig.check"

local M = {}

local function class_of(result, classify)
  if result.ok then return nil end
  if classify then return (classify(result)) end
  return require("rig.classify").basic(result)
end

--- Wilson score interval of a proportion (successes of n) at `z` (1.96: 95%).
function M.wilson(successes, n, z)
  n = check.arg("wilson", 2, n, { "integer", min = 0 })
  successes = check.arg("wilson", 1, successes, { "integer", min = 0, max = n })
  z = check.arg("wilson", 3, z, { "number", gt = 0, default = 1.959963984540054 })
  if n == 0 then return 0, 1 end
  local p = successes / n
  local denom = 1 + z * z / n
  local centre = (p + z * z / (2 * n)) / denom
  local half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
  return math.max(0, centre - half), math.min(1, centre + half)
end

local CLASSIFY = "callable"
local FLAKY = { runs = { "integer", min = 1, max = 1000000, default = 10 }, classify = CLASSIFY }

--- Runs a case `runs` times (default 10): the failure rate with its 95% Wilson interval and
--- the failure classes seen. `classify(result)` names a failure (default: timeout,
--- signal_exit or exit_nonzero). Returns {runs, failures, rate, rate_low, rate_high, classes =
--- {class = count}, verdict ("passes"|"fails"|"flaky"), results}.
---@param run fun(i: integer): table
---@param opts? { runs?: integer, classify?: fun(result: table): string }
function M.flaky(run, opts)
  check.arg("flaky", 1, run, "callable")
  opts = check.options("flaky", 2, opts, FLAKY)
  local n = opts.runs
  local failures, classes, results = 0, {}, {}
  for i = 1, n do
    local r = run(i)
    results[i] = r
    if not r.ok then
      failures = failures + 1
      local c = class_of(r, opts.classify)
      classes[c] = (classes[c] or 0) + 1
    end
  end
  local low, high = M.wilson(failures, n)
  local verdict = failures == 0 and "passes" or failures == n and "fails" or "flaky"
  return { runs = n, failures = failures, rate = failures / n, rate_low = low, rate_high = high, classes = classes,
    verdict = verdict, results = results }
end

local RETRY = {
  classes = { "list", of = { "string", nonempty = true }, required = true },
  overrides = { "table|callable", required = true },
  classify = CLASSIFY,
}

--- Runs once; when the failure's class is one of `classes`, runs again with `overrides`
--- (passed to `run` as its second argument: env overrides, extra arguments, whatever the
--- run function understands), as Molt retries build timeouts and lock waits with stricter
--- settings. `overrides` may be a function(class, result) returning the overrides for that
--- failure (nil: no retry), for flows whose retry depends on what went wrong. Returns the
--- final result and the attempts {{overrides, ok, class}}.
---@param run fun(attempt: integer, overrides?: table): table
---@param opts { classes: string[], overrides: table|fun(class: string, result: table): table?,
---  classify?: fun(result: table): string }
function M.retry_with(run, opts)
  check.arg("retry_with", 1, run, "callable")
  opts = check.options("retry_with", 2, opts, RETRY)
  local first = run(1, nil)
  local attempts = { { overrides = false, ok = first.ok == true, class = class_of(first, opts.classify) } }
  if first.ok then return first, attempts end
  local wanted = {}
  for _, c in ipairs(opts.classes) do wanted[c] = true end
  if not wanted[attempts[1].class] then return first, attempts end
  local overrides = opts.overrides
  if type(overrides) ~= "table" or getmetatable(overrides) then
    overrides = overrides(attempts[1].class, first)
    if overrides == nil then return first, attempts end
  end
  local second = run(2, overrides)
  attempts[2] = { overrides = overrides, ok = second.ok == true, class = class_of(second, opts.classify) }
  return second, attempts
end

--- Re-runs a failed case once under a second runner and returns the `<prefix>_control_*`
--- fields Molt's bench_wasm.py writes beside the primary's `<prefix>_failure_*`: ok, time_s,
--- failure_class, returncode, failure (text). Nothing is run for a primary that passed.
---@param primary table the primary runner's result
---@param control fun(): table runs the case under the second runner
---@param prefix string e.g. "molt_wasm"
---@param opts? { classify?: fun(result: table): string }
function M.control(primary, control, prefix, opts)
  check.arg("control", 1, primary, "table")
  check.arg("control", 2, control, "callable")
  check.arg("control", 3, prefix, { "string", pattern = "^[%a_][%w_]*$",
    what = "a field prefix of letters, digits and _" })
  opts = check.options("control", 4, opts, { classify = CLASSIFY })
  if primary.ok then return {} end
  local r = control()
  local fields = {}
  fields[prefix .. "_control_ok"] = r.ok == true
  fields[prefix .. "_control_time_s"] = r.ok and r.wall_s or nil
  fields[prefix .. "_control_failure_class"] = class_of(r, opts.classify)
  fields[prefix .. "_control_returncode"] = r.code or (r.signal and -r.signal) or nil
  fields[prefix .. "_control_failure"] = (not r.ok) and require("rig.classify").tail((r.stderr or "") ~= ""
    and r.stderr or (r.stdout or "")) or nil
  return fields
end

local function merged(base, keys, from)
  local s = {}
  for k, v in pairs(base) do s[k] = v end
  for _, k in ipairs(keys) do s[k] = from[k] end
  return s
end

local BISECT = {
  failing = { "map", required = true },
  passing = { "map", required = true },
  fails = { "callable", required = true },
  runs = { "integer", min = 1, max = 10000, default = 1 },
  alpha = { "number", gt = 0, lt = 0.5, default = 0.01 },
}

local DECIDE = {
  passing_rate = { "number", min = 0, lt = 1, required = true },
  failing_rate = { "number", gt = 0, max = 1, required = true },
  runs = { "integer", min = 1, max = 1000000, required = true },
  alpha = { "number", gt = 0, lt = 0.5, default = 0.01 },
}

--- The two rates a probe is told apart by, from the endpoints' observed failure rates over
--- `runs` runs each, kept off 0 and 1 (a rate seen as 0 in a few runs is not 0).
---@param passing_rate number
---@param failing_rate number
---@param runs integer
---@return number p0
---@return number p1
function M.sprt_rates(passing_rate, failing_rate, runs)
  passing_rate = check.arg("sprt_rates", 1, passing_rate, { "number", min = 0, max = 1 })
  failing_rate = check.arg("sprt_rates", 2, failing_rate, { "number", min = 0, max = 1 })
  runs = check.arg("sprt_rates", 3, runs, { "integer", min = 1 })
  return math.max(passing_rate, 0.5 / runs, 1e-3), math.min(failing_rate, 1 - 0.5 / runs, 1 - 1e-3)
end

--- Runs `fails()` until Wald's sequential probability ratio test tells "fails at
--- `failing_rate`" from "fails at `passing_rate`": each run adds log(p1/p0) on a failure and
--- log((1-p1)/(1-p0)) on a pass, and the probe is decided when the sum leaves
--- (log(alpha/(1-alpha)), log((1-alpha)/alpha)), so each decision is wrong with probability
--- about `alpha` (0.01). At `runs` runs it goes by the sign of the sum and is marked
--- `sure = false`. Returns {failed, runs, failures, llr, sure}.
---@param fails fun(): boolean true when this run failed
---@param opts { passing_rate: number, failing_rate: number, runs: integer, alpha?: number }
function M.decide_rate(fails, opts)
  check.arg("decide_rate", 1, fails, "callable")
  opts = check.options("decide_rate", 2, opts, DECIDE)
  local p0, p1 = opts.passing_rate, opts.failing_rate
  if p1 <= p0 then
    error(("bad argument #2 to 'decide_rate' (failing_rate %g must exceed passing_rate %g)"):format(p1, p0), 2)
  end
  local alpha = opts.alpha
  local upper, lower = math.log((1 - alpha) / alpha), math.log(alpha / (1 - alpha))
  local step_fail = p0 > 0 and math.log(p1 / p0) or math.huge
  local step_pass = p1 < 1 and math.log((1 - p1) / (1 - p0)) or -math.huge
  local llr, n, k = 0, 0, 0
  while n < opts.runs do
    n = n + 1
    if fails() then k, llr = k + 1, llr + step_fail else llr = llr + step_pass end
    if llr >= upper or llr <= lower then break end
  end
  return { failed = llr > 0, runs = n, failures = k, llr = llr, sure = llr >= upper or llr <= lower }
end

--- Finds a minimal set of settings that flips a passing configuration to failing (delta
--- debugging, Zeller's ddmin). `failing` and `passing` are tables of settings (env vars,
--- flags); `fails(settings)` runs the case once and returns true when it failed. Starting
--- from `passing`, it applies subsets of the settings that differ. Every probe is memoized by
--- the settings it changes: none is run twice. With `runs` > 1 (for a flaky case) each
--- endpoint is run `runs` times to measure its failure rate, and each probe is run until a
--- sequential test (Wald's SPRT between the two rates, error `alpha` = 0.01 per decision)
--- says which side it is on, at most `runs` times. One culprit among n costs at most
--- 2*log2(n) + 2 probes. Returns {culprits = {names}, settings (passing plus the culprits),
--- probes = {{changed, failed, runs, failures, rate, rate_low, rate_high, sure}}, runs (all
--- of them), rates = {failing, passing}}, or nil and a message when the endpoints do not
--- fail and pass as claimed.
---@param cfg { failing: table, passing: table, fails: fun(settings: table): boolean, runs?: integer, alpha?: number }
function M.bisect_settings(cfg)
  cfg = check.options("bisect_settings", 1, cfg, BISECT)
  local probes, seen, total = {}, {}, 0
  local p0, p1
  local function record(keys, r)
    local low, high = M.wilson(r.failures, r.runs)
    probes[#probes + 1] = { changed = keys, failed = r.failed, runs = r.runs, failures = r.failures,
      rate = r.failures / r.runs, rate_low = low, rate_high = high, sure = r.sure }
    total = total + r.runs
  end
  -- An endpoint: `runs` runs, its failure rate.
  local function endpoint(keys)
    table.sort(keys)
    local settings, k = merged(cfg.passing, keys, cfg.failing), 0
    for _ = 1, cfg.runs do if cfg.fails(settings) then k = k + 1 end end
    local r = { failed = k > 0, runs = cfg.runs, failures = k, sure = true }
    record(keys, r)
    seen[table.concat(keys, "\0")] = r.failed
    return k / cfg.runs
  end
  local function probe(keys)
    table.sort(keys)
    local key = table.concat(keys, "\0")
    if seen[key] ~= nil then return seen[key] end
    local settings = merged(cfg.passing, keys, cfg.failing)
    local r
    if cfg.runs == 1 then
      local failed = cfg.fails(settings) and true or false
      r = { failed = failed, runs = 1, failures = failed and 1 or 0, sure = true }
    else
      r = M.decide_rate(function() return cfg.fails(settings) end,
        { passing_rate = p0, failing_rate = p1, runs = cfg.runs, alpha = cfg.alpha })
    end
    record(keys, r)
    seen[key] = r.failed
    return r.failed
  end
  local diff = {}
  local names = {}
  for k in pairs(cfg.failing) do names[k] = true end
  for k in pairs(cfg.passing) do names[k] = true end
  for k in pairs(names) do
    if cfg.failing[k] ~= cfg.passing[k] then diff[#diff + 1] = k end
  end
  table.sort(diff)
  local rate1 = endpoint({ table.unpack(diff) })
  if rate1 == 0 then
    return nil, ("the failing settings do not fail (0 of %d runs)"):format(cfg.runs), probes
  end
  local rate0 = endpoint({})
  if rate0 >= rate1 or (cfg.runs == 1 and rate0 > 0) then
    return nil, ("the passing settings do not pass (%d of %d runs failed)"):format(math.floor(rate0 * cfg.runs + 0.5),
      cfg.runs), probes
  end
  p0, p1 = M.sprt_rates(rate0, rate1, cfg.runs)
  if cfg.runs > 1 and p1 <= p0 then
    return nil, ("the failing settings fail (%.0f%%) no more often than the passing ones (%.0f%%) tell apart in %d "
      .. "runs"):format(rate1 * 100, rate0 * 100, cfg.runs), probes
  end
  -- ddmin: split the changes into n parts; keep a part (or, with more than two parts, a
  -- complement) that still fails; refine n when nothing does.
  local c, n = diff, 2
  while #c >= 2 do
    local parts = {}
    for i = 1, n do parts[i] = {} end
    for i, k in ipairs(c) do table.insert(parts[(i - 1) * n // #c + 1], k) end
    local reduced = false
    for _, part in ipairs(parts) do
      if #part > 0 and probe({ table.unpack(part) }) then
        c, n, reduced = part, 2, true
        break
      end
    end
    if not reduced and n > 2 then
      for i = 1, n do
        local complement = {}
        for j, part in ipairs(parts) do
          if j ~= i then for _, k in ipairs(part) do complement[#complement + 1] = k end end
        end
        if #complement > 0 and probe({ table.unpack(complement) }) then
          c, n, reduced = complement, math.max(n - 1, 2), true
          break
        end
      end
    end
    if not reduced then
      if n >= #c then break end
      n = math.min(#c, 2 * n)
    end
  end
  table.sort(c)
  return { culprits = c, settings = merged(cfg.passing, c, cfg.failing), probes = probes, runs = total,
    rates = { failing = rate1, passing = rate0 } }
end

return M
