--- Statistics a careful performance engineer would trust: medians with distribution-free
--- intervals, bootstrap (BCa) intervals, Mann-Whitney and Welch tests, Holm and
--- Benjamini-Hochberg corrections, outlier warnings, and `compare`, which says whether a
--- change is real. Every function takes a Lua array of numbers or a `rig.Sample`
--- (`stats.sample(xs)`: the values converted once, sorted once). Methods: docs/statistics.md.
local native = require "rig._native.stats"
local check = require "rig.check"

local M = {}

-- Option tables are checked by rig.check; these are the shapes the natives take.
local function check_options(fname, opts, allowed, level, n)
  local checked = check.options(fname, n or 2, opts, allowed, level - 1)
  return checked  -- not a tail call: the error's level counts this frame
end

local PROBABILITY = check.PROBABILITY

local BOOT = {
  method = { "string", choices = { "bca", "percentile" } },
  resamples = { "integer", min = 100, max = 10000000 },
  confidence = PROBABILITY,
  seed = "integer",
}

--- A sample held natively: `s:n()`, `#s`, `s:values()`, `s:sorted()`, `s:summary()`,
--- `s:percentile(p)`. Raises on an empty list, a non-number, NaN or infinity.
---@param xs number[]
---@return rig.Sample
function M.sample(xs) return native.sample(xs) end

--- n, mean, median, min, max, sum, var_sample/std_sample (n − 1), var_population/
--- std_population (n), q1, q3, iqr, mad (unscaled), mad_normal (× 1.4826), cv, geomean.
---@param xs number[]|rig.Sample
---@return rig.Summary
function M.summary(xs) return native.summary(xs) end

--- The mean of a list, or nil for an empty one.
---@param xs number[]
---@return number?
function M.mean(xs)
  if #xs == 0 then return nil end
  local s = 0
  for _, v in ipairs(xs) do s = s + v end
  return s / #xs
end

--- The median of a list, or nil for an empty one (reports format "-" then).
---@param xs number[]
---@return number?
function M.median(xs)
  if #xs == 0 then return nil end
  return native.summary(xs).median
end

--- The p-th percentile (0..100; numpy's linear interpolation), or a list for a list of p.
---@param xs number[]|rig.Sample
---@param p number|number[]
---@return number|number[]
function M.percentile(xs, p) return native.percentile(xs, p) end

--- Distribution-free interval of the median (or another quantile) from order statistics
--- (benchstat): {low, high, low_order, high_order, confidence}; bounds are -inf/+inf when the
--- sample is too small for the confidence.
---@param xs number[]|rig.Sample
---@param opts? {confidence?: number, quantile?: number}
function M.median_ci(xs, opts)
  opts = check_options("median_ci", opts, { confidence = PROBABILITY, quantile = PROBABILITY }, 2)
  return native.median_ci(xs, opts.confidence, opts.quantile)
end

--- Student-t interval of the mean: {low, high}, or nil for a single value.
---@param xs number[]|rig.Sample
---@param opts? {confidence?: number}
function M.mean_ci(xs, opts)
  opts = check_options("mean_ci", opts, { confidence = PROBABILITY }, 2)
  return native.mean_ci(xs, opts.confidence)
end

--- Bootstrap interval of the mean or median: {estimate, low, high, standard_error, method,
--- resamples, confidence, seed}. method "bca" (default) or "percentile"; 10,000 resamples;
--- seed 1 (the same seed gives the same interval).
---@param xs number[]|rig.Sample
---@param opts? rig.BootstrapOptions|{statistic?: "mean"|"median"}
function M.bootstrap(xs, opts)
  local allowed = { statistic = { "string", choices = { "mean", "median" } } }
  for k, v in pairs(BOOT) do allowed[k] = v end
  opts = check_options("bootstrap", opts, allowed, 2)
  return native.bootstrap(xs, opts.statistic, opts.method, opts.resamples, opts.confidence, opts.seed)
end

--- Bootstrap interval of median(b) / median(a).
---@param a number[]|rig.Sample baseline
---@param b number[]|rig.Sample candidate
---@param opts? rig.BootstrapOptions
function M.ratio_ci(a, b, opts)
  opts = check_options("ratio_ci", opts, BOOT, 2, 3)
  return native.ratio_ci(a, b, opts.method, opts.resamples, opts.confidence, opts.seed)
end

--- Two-sided Mann-Whitney U test: {u, p_value, method ("exact"|"asymptotic"), z, ties}.
function M.mann_whitney(a, b) return native.mann_whitney(a, b) end

--- Welch's t-test of mean(a) − mean(b): {t, df, p_value}, or nil when a side has one value.
function M.welch(a, b) return native.welch(a, b) end

--- Hodges-Lehmann shift: median of all differences b − a (nil beyond 10^7 pairs).
function M.hodges_lehmann(a, b) return native.hodges_lehmann(a, b) end

--- Holm-Bonferroni adjusted p-values, in the order given.
---@param p number[]
---@return number[]
function M.holm(p) return native.holm(p) end

--- Benjamini-Hochberg adjusted p-values (false discovery rate), in the order given.
---@param p number[]
---@return number[]
function M.bh(p) return native.bh(p) end

--- Outliers, flagged never dropped: modified Z-scores 0.6745·(x − median)/MAD with indices
--- beyond `threshold` (default 3.5; hyperfine's rule is 10 on this scale), and Tukey's mild
--- (1.5 IQR) and severe (3 IQR) outliers. Indices are 1-based.
---@param xs number[]|rig.Sample
---@param opts? {threshold?: number}
function M.outliers(xs, opts)
  opts = check_options("outliers", opts, { threshold = { "number", gt = 0 } }, 2)
  return native.outliers(xs, opts.threshold)
end

--- Compares a candidate `b` with a baseline `a`: {ratio (median b / median a), ci_low,
--- ci_high, p_value, verdict, reason, n_a, n_b, median_a, median_b, shift, test, warnings}.
--- verdict: "faster" or "slower" (significant and the interval beyond the noise band),
--- "same" (interval inside the band), or "inconclusive" (too few samples, or the interval
--- straddles the band). alpha 0.05, noise 0.02 (±2%), direction "lower" (is better).
---@param a number[]|rig.Sample
---@param b number[]|rig.Sample
---@param opts? rig.CompareOptions
function M.compare(a, b, opts)
  local allowed = { alpha = PROBABILITY, noise = { "number", min = 0, lt = 1 },
    direction = { "string", choices = { "lower", "higher" } } }
  for k, v in pairs(BOOT) do allowed[k] = v end
  opts = check_options("compare", opts, allowed, 2, 3)
  return native.compare(a, b, opts.alpha, opts.noise, opts.method, opts.resamples, opts.confidence, opts.seed,
    opts.direction)
end

--- Welch's t-test on log times: the ratio of geometric means b/a and the p-value of "no
--- change", which assumes times are log-normal (pyperf's compare_to tests with a t-test
--- too). Unlike a rank test it can decide with 3 samples a side when the change is large
--- against the spread. verdict: "faster"/"slower" (p <= alpha and the ratio beyond the
--- noise band, with at least 3 values a side), else "inconclusive". Returns {ratio,
--- p_value, t, df, verdict, test = "welch_log"}, or nil when a side has fewer than 2 values
--- or a value is not positive.
---@param a number[]
---@param b number[]
---@param opts? { alpha?: number, noise?: number }
function M.log_welch(a, b, opts)
  opts = check_options("log_welch", opts, { alpha = PROBABILITY, noise = { "number", min = 0, lt = 1 } }, 2, 3)
  check.arg("log_welch", 1, a, "list")
  check.arg("log_welch", 2, b, "list")
  local la, lb = {}, {}
  for i, v in ipairs(a) do
    if type(v) ~= "number" or v ~= v or v <= 0 or v == math.huge then return nil end
    la[i] = math.log(v)
  end
  for i, v in ipairs(b) do
    if type(v) ~= "number" or v ~= v or v <= 0 or v == math.huge then return nil end
    lb[i] = math.log(v)
  end
  if #la < 2 or #lb < 2 then return nil end
  local w = native.welch(la, lb)
  if not w then return nil end
  local ratio = math.exp(M.mean(lb) - M.mean(la))
  local alpha, noise = opts.alpha or 0.05, opts.noise or 0.02
  local verdict = "inconclusive"
  -- Two values a side leave the spread itself unknown: no verdict below three.
  if #la >= 3 and #lb >= 3 and w.p_value == w.p_value and w.p_value <= alpha then
    if ratio < 1 - noise then verdict = "faster" elseif ratio > 1 + noise then verdict = "slower" end
  end
  return { ratio = ratio, p_value = w.p_value, t = w.t, df = w.df, verdict = verdict, test = "welch_log" }
end

--- The fewest samples per side for which Mann-Whitney can reach `alpha` (4 at 0.05).
---@param alpha? number
---@return integer
function M.min_samples(alpha) return native.min_samples(alpha) end

return M
