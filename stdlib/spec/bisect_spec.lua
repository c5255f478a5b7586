-- rig.bisect.search: the halving with git bisect's skips, over every position of the first
-- bad candidate; the git flow is tested end to end (Tests/RigCLITests/BisectTests.swift).
describe("rig.bisect.search", function()
  it("finds the first bad candidate at every position in at most ceil(log2(n)) probes", function()
    for n = 1, 40 do
      for first = 1, n do
        local seen = {}
        local found = rig.bisect.search { count = n, probe = function(i)
          assert.falsy(seen[i], "probed twice")
          seen[i] = true
          return i >= first and "bad" or "good"
        end }
        assert.equal(first, found.first_bad)
        assert.same({ first }, found.candidates)
        assert.truthy(#found.probed <= math.ceil(math.log(n, 2)), ("n %d: %d probes"):format(n, #found.probed))
      end
    end
  end)

  it("steps around a skipped candidate and names the ones it cannot tell apart", function()
    -- 32 candidates: the first midpoint (16) does not build; the failure starts at 15.
    local found = rig.bisect.search { count = 32, probe = function(i)
      if i == 16 then return "skip" end
      return i >= 15 and "bad" or "good"
    end }
    assert.equal(15, found.first_bad)
    assert.same({ 16, 15 }, { found.probed[1], found.probed[2] })
    assert.same({ 16 }, found.skipped)
    -- The failure starts at 17, next to the skipped 16: it may be either.
    found = rig.bisect.search { count = 32, probe = function(i)
      if i == 16 then return "skip" end
      return i >= 17 and "bad" or "good"
    end }
    assert.is_nil(found.first_bad)
    assert.same({ 16, 17 }, found.candidates)
    assert.equal(15, found.last_good)
    -- Everything between skipped: the whole range.
    found = rig.bisect.search { count = 5, probe = function() return "skip" end }
    assert.same({ 1, 2, 3, 4, 5 }, found.candidates)
    assert.same({ 1, 2, 3, 4 }, found.skipped)
  end)

  it("refuses a probe answer that is not good, bad or skip", function()
    assert.has_error(function()
      rig.bisect.search { count = 4, probe = function() return true end }
    end)
    assert.has_error(function() rig.bisect.search { count = 0, probe = print } end)
  end)
end)

describe("rig.triage.decide_rate", function()
  it("decides a rate in few runs and is wrong about as often as alpha says", function()
    math.randomseed(7)
    local wrong, runs = 0, 0
    for trial = 1, 400 do
      local rate = trial % 2 == 0 and 0.3 or 0.0
      local r = rig.triage.decide_rate(function() return math.random() < rate end,
        { passing_rate = 0.0167, failing_rate = 0.3, runs = 60 })
      if r.failed ~= (rate > 0) then wrong = wrong + 1 end
      runs = runs + r.runs
    end
    assert.truthy(wrong <= 8, wrong .. " wrong of 400")
    assert.truthy(runs / 400 < 20, "mean runs " .. runs / 400)
    assert.has_error(function()
      rig.triage.decide_rate(function() return true end, { passing_rate = 0.5, failing_rate = 0.2, runs = 3 })
    end, "bad argument #2 to 'decide_rate' (failing_rate 0.2 must exceed passing_rate 0.5)")
  end)
end)
