local stats = rig.stats

-- Normal variates from Lua's own generator (seeded), by Box-Muller.
local function normals(n, mean, sd, seed)
  math.randomseed(seed)
  local out = {}
  for i = 1, n do
    local u1, u2 = 1 - math.random(), math.random()
    out[i] = mean + sd * math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)
  end
  return out
end

describe("rig.stats.summary", function()
  it("summarizes a list", function()
    local s = stats.summary { 1, 2, 3, 4, 100 }
    assert.equal(5, s.n)
    assert.equal(22.0, s.mean)
    assert.equal(3.0, s.median)
    assert.equal(1.0, s.mad)
    assert.equal(2.0, s.q1)
    assert.equal(4.0, s.q3)
    assert.near(1.482602218505602, s.mad_normal, 1e-12)
    assert.near(43.617657, s.std_sample, 1e-6)
    assert.near(39.012818, s.std_population, 1e-6)
    assert.equal(3.0, stats.median { 100, 1, 3, 2, 4 })
    assert.equal(2.5, stats.median { 4, 1, 2, 3 })
    assert.is_nil(stats.median {})
  end)

  it("leaves undefined statistics out instead of inventing them", function()
    local one = stats.summary { 7 }
    assert.is_nil(one.var_sample)
    assert.is_nil(one.cv)
    assert.is_nil(stats.summary({ -1, 2 }).geomean)
  end)

  it("rejects empty samples, non-numbers, NaN and infinity", function()
    assert.has_error(function() stats.summary {} end, "bad argument #1 to 'summary' (empty sample)")
    assert.has_error(function() stats.summary { 1, "2" } end, "number expected at index 2")
    assert.has_error(function() stats.summary { 1, 0 / 0 } end, "value at index 2 is NaN")
    assert.has_error(function() stats.summary { math.huge } end, "value at index 1 is infinite")
    assert.has_error(function() stats.summary("x") end, "sample or table expected, got string")
  end)
end)

describe("rig.stats.sample", function()
  it("holds values natively and answers the same as a list", function()
    local xs = normals(1000, 10, 1, 1)
    local s = stats.sample(xs)
    assert.equal(1000, #s)
    assert.equal(1000, s:n())
    assert.equal(stats.summary(xs).median, s:summary().median)
    assert.equal(stats.percentile(xs, 90), s:percentile(90))
    assert.same(stats.percentile(s, { 10, 50 }), stats.percentile(xs, { 10, 50 }))
    local sorted = s:sorted()
    assert.truthy(sorted[1] <= sorted[2] and sorted[999] <= sorted[1000])
    assert.matches("^rig.Sample %(n = 1000%)$", tostring(s))
  end)
end)

describe("intervals", function()
  it("gives the order-statistic interval of the median", function()
    local ci = stats.median_ci { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }
    assert.equal(2, ci.low)
    assert.equal(9, ci.high)
    assert.truthy(ci.confidence >= 0.95)
    assert.equal(-math.huge, stats.median_ci({ 1, 2, 3 }).low)
  end)

  it("bootstraps reproducibly with a seed", function()
    local xs = normals(200, 5, 1, 2)
    local a = stats.bootstrap(xs, { statistic = "median", seed = 42 })
    local b = stats.bootstrap(xs, { statistic = "median", seed = 42 })
    assert.same(a, b)
    assert.truthy(a.low < a.estimate and a.estimate < a.high)
    assert.equal("bca", a.method)
    local c = stats.bootstrap(xs, { statistic = "mean", method = "percentile", resamples = 2000 })
    assert.equal(2000, c.resamples)
  end)

  it("rejects unknown options with a suggestion", function()
    assert.has_error(function() stats.bootstrap({ 1, 2, 3 }, { resample = 100 }) end,
      "unknown option 'resample'; did you mean 'resamples'?")
    assert.has_error(function() stats.bootstrap({ 1, 2, 3 }, { method = "bc" }) end,
      "option 'method' must be one of bca, percentile, got 'bc'; did you mean 'bca'?")
  end)
end)

describe("tests and corrections", function()
  it("runs Mann-Whitney exactly for small samples without ties", function()
    local t = stats.mann_whitney({ 1, 2, 3, 4 }, { 5, 6, 7, 8 })
    assert.equal("exact", t.method)
    assert.equal(0, t.u)
    assert.near(2 / 70, t.p_value, 1e-12)
  end)

  it("adjusts p-values for many comparisons", function()
    assert.same({ 0.04, 0.09, 0.09, 0.2 }, (function()
      local r = stats.holm { 0.01, 0.04, 0.03, 0.20 }
      for i, v in ipairs(r) do r[i] = math.floor(v * 1e6 + 0.5) / 1e6 end
      return r
    end)())
    local bh = stats.bh { 0.01, 0.04, 0.03, 0.20 }
    assert.near(0.04, bh[1], 1e-12)
    assert.near(0.0533333333, bh[2], 1e-9)
  end)

  it("flags outliers without dropping anything", function()
    local o = stats.outliers { 10, 10.1, 9.9, 10.05, 9.95, 10.02, 30 }
    assert.same({ 7 }, o.severe)
    assert.same({ 7 }, o.modified_z_outliers)
    assert.equal(7, #o.modified_z)
  end)
end)

describe("rig.stats.compare", function()
  it("calls a real 5% slowdown slower and noise of the same spread same, 19 times in 20", function()
    local flagged, quiet = 0, 0
    for trial = 1, 20 do
      local base = normals(20, 100, 1, 1000 + trial)
      local slow = normals(20, 105, 1, 2000 + trial)
      local noise = normals(20, 100, 1, 3000 + trial)
      if stats.compare(base, slow, { seed = trial }).verdict == "slower" then flagged = flagged + 1 end
      local v = stats.compare(base, noise, { seed = trial }).verdict
      if v == "same" or v == "inconclusive" then quiet = quiet + 1 end
    end
    assert.truthy(flagged >= 19, "slowdowns flagged: " .. flagged)
    assert.truthy(quiet >= 19, "noise left alone: " .. quiet)
  end)

  it("says faster for a speed-up and honours direction", function()
    local base, fast = normals(30, 100, 1, 1), normals(30, 90, 1, 2)
    assert.equal("faster", stats.compare(base, fast).verdict)
    assert.equal("slower", stats.compare(base, fast, { direction = "higher" }).verdict)
  end)

  it("is inconclusive with too few samples, and says why", function()
    local c = stats.compare({ 1, 2, 3 }, { 10, 11, 12 })
    assert.equal("inconclusive", c.verdict)
    assert.contains("need at least 4 per side", c.reason)
    assert.contains("need at least 4 samples per side at alpha 0.05", c.warnings[1])
    assert.equal(4, stats.min_samples(0.05))
  end)

  it("reports the ratio with its interval and p-value", function()
    local c = stats.compare(normals(25, 100, 1, 5), normals(25, 110, 1, 6))
    assert.near(1.10, c.ratio, 0.01)
    assert.truthy(c.ci_low < c.ratio and c.ratio < c.ci_high)
    assert.truthy(c.p_value < 1e-6)
    assert.equal("mann-whitney exact", c.test)
  end)
end)
