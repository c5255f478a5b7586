-- rig.triage flows on real processes.
local fs = rig.fs

local function sh(script, env, timeout)
  return rig.proc.run { "sh", "-c", script, env = env, timeout = timeout }
end

describe("rig.triage", function()
  local dir
  before_each(function() dir = assert(fs.tmpdir("rig-triage-spec")) end)
  after_each(function() fs.remove_tree(dir, fs.dirname(dir)) end)

  it("flaky: the failure rate with its Wilson interval and the classes seen", function()
    local counter = dir .. "/n"
    -- Runs 2, 5 and 7 fail (exit 3); run 9 hangs and is stopped by the timeout.
    local script = ("n=$(( $(cat %s 2>/dev/null || echo 0) + 1 )); echo $n > %s; "
      .. "case $n in 2|5|7) exit 3;; 9) sleep 5;; esac"):format(counter, counter)
    local report = rig.triage.flaky(function() return sh(script, nil, 0.5) end, { runs = 10 })
    assert.equal(4, report.failures)
    assert.equal("flaky", report.verdict)
    assert.same({ exit_nonzero = 3, timeout = 1 }, report.classes)
    assert.near(0.168, report.rate_low, 0.001) -- Wilson 95% for 4/10
    assert.near(0.687, report.rate_high, 0.001)
    assert.equal("passes", rig.triage.flaky(function() return sh("true") end, { runs = 3 }).verdict)
  end)

  it("retry_with: a lock-wait failure is retried once with isolated settings", function()
    local function run(_, overrides)
      local env = overrides and overrides.env or nil
      return sh('[ "$ISOLATED" = 1 ] || { echo "Timed out waiting for build lock" >&2; exit 1; }', env)
    end
    local classify = function(r) return r.stderr:find("build lock", 1, true) and "build_lock_timeout" or "other" end
    local result, attempts = rig.triage.retry_with(run, { classes = { "build_lock_timeout" },
      overrides = { env = { ISOLATED = "1" } }, classify = classify })
    assert.is_true(result.ok)
    assert.equal(2, #attempts)
    assert.equal("build_lock_timeout", attempts[1].class)
    local _, once = rig.triage.retry_with(function() return sh("exit 2") end,
      { classes = { "build_lock_timeout" }, overrides = {}, classify = classify })
    assert.equal(1, #once) -- another class: no retry
  end)

  it("control: a failed case under a second runner, in Molt's field names", function()
    local primary = sh("echo 'RuntimeError: unreachable' >&2; exit 1")
    local agrees = rig.triage.control(primary, function() return sh("echo trap >&2; exit 7") end, "molt_wasm")
    assert.is_false(agrees.molt_wasm_control_ok)
    assert.equal(7, agrees.molt_wasm_control_returncode)
    assert.equal("exit_nonzero", agrees.molt_wasm_control_failure_class)
    assert.equal("trap\n", agrees.molt_wasm_control_failure)
    local differs = rig.triage.control(primary, function() return sh("true") end, "molt_wasm")
    assert.is_true(differs.molt_wasm_control_ok)
    assert.truthy(differs.molt_wasm_control_time_s > 0)
    assert.same({}, rig.triage.control(sh("true"), function() error("not run") end, "molt_wasm"))
  end)

  it("bisect_settings: finds the culprit among 16 env settings in at most 2*log2(16)+2 probes", function()
    local failing, passing = {}, {}
    for i = 1, 16 do
      local k = ("S%02d"):format(i)
      failing[k], passing[k] = "1", "0"
    end
    local runs = 0
    local function fails_when(script)
      return function(settings)
        runs = runs + 1
        return not sh(script, settings).ok
      end
    end
    for _, culprit in ipairs { "S01", "S11", "S16" } do
      runs = 0
      local found = assert(rig.triage.bisect_settings { failing = failing, passing = passing,
        fails = fails_when(('[ "$%s" = 1 ] && exit 1; exit 0'):format(culprit)) })
      assert.same({ culprit }, found.culprits)
      assert.truthy(#found.probes <= 10, #found.probes .. " probes")
      assert.equal(runs, #found.probes)
    end
    -- Two settings needed together are both found.
    local pair = assert(rig.triage.bisect_settings { failing = failing, passing = passing,
      fails = fails_when('[ "$S03" = 1 ] && [ "$S12" = 1 ] && exit 1; exit 0') })
    assert.same({ "S03", "S12" }, pair.culprits)
    local none, why = rig.triage.bisect_settings { failing = failing, passing = passing,
      fails = function() return false end }
    assert.is_nil(none)
    assert.equal("the failing settings do not fail (0 of 1 runs)", why)
  end)

  it("bisect_settings with a 50%-flaky case: finds the pair, never probes the same settings twice", function()
    local names = { "FOO", "BAR", "BAZ", "QUX", "A1", "A2", "A3", "A4" }
    local failing, passing = {}, {}
    for _, k in ipairs(names) do failing[k], passing[k] = "1", "0" end
    local right = 0
    for seed = 1, 10 do
      -- A seeded generator: fails half the time when FOO and BAR are both set, never else.
      local state = seed * 7919
      local function coin()
        state = (state * 1103515245 + 12345) % 2147483648
        return state / 2147483648
      end
      local found = assert(rig.triage.bisect_settings { failing = failing, passing = passing, runs = 30,
        fails = function(s) return s.FOO == "1" and s.BAR == "1" and coin() < 0.5 end })
      local keys = {}
      for _, p in ipairs(found.probes) do
        local key = table.concat(p.changed, ",")
        assert.is_nil(keys[key], "probed twice: " .. key)
        keys[key] = true
        assert.truthy(p.runs >= 1 and p.runs <= 30 and p.rate_low <= p.rate + 1e-9 and p.rate <= p.rate_high + 1e-9)
      end
      if table.concat(found.culprits, ",") == "BAR,FOO" then right = right + 1 end
      assert.truthy(found.runs < 30 * #found.probes, "the sequential test stopped no probe early")
    end
    assert.truthy(right >= 9, right .. " of 10 found the pair")
  end)
end)
