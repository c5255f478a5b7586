--- Ranking configurations by a metric and successive halving for tuning: which of several
--- settings is best, which are indistinguishable from it, and where to spend more samples.
--- Also reachable as rig.sweep.rank and rig.sweep.halving. docs/sweeps.md.
local check = require "rig.check"

local M = {}

local RANK = {
  higher = "boolean",
  alpha = check.PROBABILITY,
  noise = { "number", min = 0, lt = 1 },
}

--- Ranks configurations by a metric: `samples` maps a configuration's name to its measured
--- values. The best is the lowest median (`opts.higher`: the highest); every other one is
--- compared with it (`rig.stats.compare`: Mann-Whitney, the ratio of medians with its
--- interval, the noise band) and called "worse" only when the data show it, else
--- "indistinguishable" from the best. opts: higher, alpha (0.05), noise (0.02).
--- Returns a list, best first: {name, n, median, ci_low, ci_high, ratio (to the best),
--- ratio_low, ratio_high, p_value, verdict ("best"|"indistinguishable"|"worse"), reason}.
function M.rank(samples, opts)
  check.arg("rank", 1, samples, "map")
  opts = check.options("rank", 2, opts, RANK)
  local stats = require "rig.stats"
  local rows = {}
  for name, xs in pairs(samples) do
    if type(xs) == "table" and #xs > 0 then
      local ci = stats.median_ci(xs)
      rows[#rows + 1] = { name = name, xs = xs, n = #xs, median = stats.summary(xs).median, ci_low = ci.low,
        ci_high = ci.high }
    end
  end
  table.sort(rows, function(a, b)
    if a.median ~= b.median then
      if opts.higher then return a.median > b.median end
      return a.median < b.median
    end
    return tostring(a.name) < tostring(b.name)
  end)
  local best = rows[1]
  for i, r in ipairs(rows) do
    if i == 1 then
      r.verdict, r.ratio = "best", 1.0
    else
      local c = stats.compare(best.xs, r.xs, { alpha = opts.alpha, noise = opts.noise,
        direction = opts.higher and "higher" or "lower" })
      r.ratio, r.ratio_low, r.ratio_high, r.p_value = c.ratio, c.ci_low, c.ci_high, c.p_value
      r.verdict = c.verdict == "slower" and "worse" or "indistinguishable"
      r.reason = c.reason
    end
  end
  for _, r in ipairs(rows) do r.xs = nil end
  return rows
end

local HALVING = {
  configs = { "list", of = "string|number", required = true, nonempty = true },
  measure = { "callable", required = true },
  batch = { "integer", min = 1, max = 1000000, default = 5 },
  max_rounds = { "integer", min = 1, max = 1000000, default = 5 },
  max_samples = { "integer", min = 1, max = 100000000, default = 40 },
  higher = "boolean",
  alpha = check.PROBABILITY,
  noise = { "number", min = 0, lt = 1 },
}

--- Successive halving for tuning: every round measures each surviving configuration
--- `batch` more times (`measure(config, round)` returns one value), ranks them (`rank`), and
--- drops the ones the data show worse than the best, so the samples go to the close ones.
--- Stops when one configuration is left, after `max_rounds` (5), or when a round drops
--- nothing and every survivor has `max_samples` (40). cfg: configs (list of names), measure,
--- batch (5), higher, alpha, noise. Returns the final ranking (dropped configurations at the
--- end, "worse", with the round they left) and the history {round, survivors, dropped}.
function M.halving(cfg)
  cfg = check.options("halving", 1, cfg, HALVING)
  local batch, max_rounds, max_samples = cfg.batch, cfg.max_rounds, cfg.max_samples
  local samples, alive, dropped, history = {}, {}, {}, {}
  for _, c in ipairs(cfg.configs) do samples[c], alive[#alive + 1] = {}, c end
  local ranking
  for round = 1, max_rounds do
    for _ = 1, batch do
      for _, c in ipairs(alive) do table.insert(samples[c], cfg.measure(c, round)) end
    end
    local current = {}
    for _, c in ipairs(alive) do current[c] = samples[c] end
    ranking = M.rank(current, { higher = cfg.higher, alpha = cfg.alpha, noise = cfg.noise })
    local keep, gone = {}, {}
    for _, r in ipairs(ranking) do
      if r.verdict == "worse" then
        gone[#gone + 1] = r.name
        r.dropped_round = round
        dropped[#dropped + 1] = r
      else
        keep[#keep + 1] = r.name
      end
    end
    history[#history + 1] = { round = round, survivors = keep, dropped = gone }
    alive = keep
    if #alive <= 1 or (#gone == 0 and #samples[alive[1]] >= max_samples) then break end
  end
  local final = {}
  for _, r in ipairs(ranking) do if r.verdict ~= "worse" then final[#final + 1] = r end end
  for _, r in ipairs(dropped) do final[#final + 1] = r end
  return final, history
end

return M
