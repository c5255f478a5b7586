-- rig.sweep on real commands: matrices, stable ids, retries, snapshots, resume, shards.
local fs, json = rig.fs, rig.json

local matrix = { axes = { { "profile", { "dev", "release" } }, { "cache", { "cold", "warm" } } } }

local function strip_times(artifact)
  local out = {}
  for i, c in ipairs(artifact.cases) do
    out[i] = { id = c.id, status = c.status, attempts = c.attempts, settings = c.settings, code = c.result.code }
  end
  return out
end

describe("rig.sweep.cases", function()
  it("crosses the axes, excludes and includes as CI matrices do", function()
    local cases = rig.sweep.cases {
      axes = matrix.axes,
      exclude = { { profile = "dev", cache = "warm" } },
      include = { { profile = "release", daemon = true }, { profile = "debug", cache = "cold" } },
    }
    local shown = {}
    for i, c in ipairs(cases) do
      shown[i] = ("%s/%s/%s"):format(c.settings.profile, c.settings.cache, tostring(c.settings.daemon))
    end
    assert.same({ "dev/cold/nil", "release/cold/true", "release/warm/true", "debug/cold/nil" }, shown)
  end)

  it("takes axes as {name =, values =}, as the TOML writes them, and gives the same cases", function()
    local named = rig.sweep.cases { axes = { { name = "profile", values = { "dev", "release" } },
      { name = "cache", values = { "cold", "warm" } } } }
    local positional = rig.sweep.cases {
      axes = { { "profile", { "dev", "release" } }, { "cache", { "cold", "warm" } } },
    }
    assert.same(positional, named)
    assert.has_error(function() rig.sweep.cases { axes = { { name = "x" } } } end,
      'axes[1] must be {name = "...", values = {...}}')
  end)

  it("gives ids from the settings, not the position, and repeats with a rep setting", function()
    local a = rig.sweep.cases(matrix)
    local b = rig.sweep.cases { axes = { { "cache", { "warm", "cold" } }, { "profile", { "release", "dev" } } } }
    local ids_a, ids_b = {}, {}
    for _, c in ipairs(a) do ids_a[c.id] = true end
    for _, c in ipairs(b) do ids_b[c.id] = true end
    assert.same(ids_a, ids_b)
    assert.equal(12, #a[1].id)
    local reps = rig.sweep.cases { axes = matrix.axes, ["repeat"] = 3 }
    assert.equal(12, #reps)
    assert.equal(3, reps[3].settings.rep)
    assert.has_error(function() rig.sweep.cases { axes = { { "x", { 1, 1 } } } } end, "duplicate case")
  end)
end)

describe("rig.sweep.run", function()
  local dir
  before_each(function() dir = assert(fs.tmpdir("rig-sweep-spec")) end)
  after_each(function() fs.remove_tree(dir, fs.dirname(dir)) end)

  it("retries a retryable failure with backoff until it passes, and not a plain one", function()
    local counter = dir .. "/count"
    -- Exits 124 (as timeout(1) does) twice, then succeeds.
    local flaky = ("n=$(cat %s 2>/dev/null || echo 0); n=$((n+1)); echo $n > %s; [ $n -ge 3 ] || exit 124")
      :format(counter, counter)
    local cases = rig.sweep.cases { axes = { { "kind", { "flaky", "broken" } } } }
    local started = rig.time.now()
    local artifact = rig.sweep.run {
      cases = cases, max_retries = 3, backoff = 0.05, progress = false,
      run = function(case)
        if case.settings.kind == "flaky" then return rig.proc.run { "sh", "-c", flaky } end
        return rig.proc.run { "sh", "-c", "exit 1" }
      end,
    }
    local flaky_case, broken_case = artifact.cases[1], artifact.cases[2]
    assert.equal("ok", flaky_case.status)
    assert.equal(3, flaky_case.attempts)
    assert.equal("exit_124", flaky_case.retry_reason)
    assert.equal("failed", broken_case.status)
    assert.equal(1, broken_case.attempts)
    assert.truthy(rig.time.now() - started >= 0.05 + 0.10) -- linear backoff: 0.05 then 0.10
  end)

  it("tells on_case of each case as it finishes, retries done, in the order they finish", function()
    local seen = {}
    local cases = rig.sweep.cases { axes = { { "n", { 1, 2 } } } }
    rig.sweep.run {
      cases = cases, max_retries = 1, progress = false,
      run = function(case, attempt)
        seen[#seen + 1] = ("run %d/%d"):format(case.settings.n, attempt)
        return { ok = attempt == 2, code = 124 }
      end,
      on_case = function(record, index)
        seen[#seen + 1] = ("done %d: %s after %d"):format(index, record.status, record.attempts)
      end,
    }
    assert.same({ "run 1/1", "run 1/2", "done 1: ok after 2", "run 2/1", "run 2/2", "done 2: ok after 2" }, seen)
  end)

  it("snapshots after every case and resumes without running finished cases again", function()
    local out = dir .. "/sweep.json"
    local cases = rig.sweep.cases { axes = { { "n", { 1, 2, 3, 4 } } } }
    local runs = {}
    local ok = pcall(rig.sweep.run, { cases = cases, json_out = out, progress = false,
      run = function(case)
        if case.settings.n == 3 then error("interrupted") end
        runs[#runs + 1] = case.settings.n
        return rig.proc.run { "true" }
      end })
    assert.is_nil(ok and true or nil)
    -- The snapshot parses; the journal holds both finished cases (the snapshot may lag it
    -- when cases are this short).
    local partial = assert(json.read(out))
    assert.truthy(#partial.cases >= 1 and #partial.cases <= 2)
    local journaled = 0
    for _ in assert(fs.read(out .. ".journal")):gmatch("[^\n]+") do journaled = journaled + 1 end
    assert.equal(2, journaled)
    runs = {}
    local artifact = rig.sweep.run { cases = cases, json_out = out, resume = true, progress = false,
      run = function(case)
        runs[#runs + 1] = case.settings.n
        return rig.proc.run { "true" }
      end }
    assert.same({ 3, 4 }, runs)
    assert.equal(4, #artifact.cases)
    assert.equal(2, artifact.totals.resumed)
    assert.same(artifact.cases[1].id, cases[1].id)
    assert.is_nil(fs.stat(out .. ".journal"))
    assert.equal(4, #assert(json.read(out)).cases)
  end)

  it("runs cases at once with jobs, retries among them, and lists them in matrix order", function()
    local cases = rig.sweep.cases { axes = { { "n", { 1, 2, 3, 4 } } } }
    local artifact = rig.sweep.run {
      cases = cases, jobs = 4, max_retries = 1, progress = false,
      command = function(case, attempt)
        -- Case 2 times out on its first attempt (exit 124), then passes.
        if case.settings.n == 2 and attempt == 1 then return { "sh", "-c", "sleep 0.3; exit 124" } end
        return { "sleep", "0.3" }
      end,
    }
    local ns, attempts = {}, {}
    for i, c in ipairs(artifact.cases) do ns[i], attempts[i] = c.settings.n, c.attempts end
    assert.same({ 1, 2, 3, 4 }, ns)
    assert.same({ 1, 2, 1, 1 }, attempts)
    assert.equal("exit_124", artifact.cases[2].retry_reason)
    assert.equal(4, artifact.totals.ok)
    -- Five 0.3 s processes; four ran side by side.
    assert.truthy(artifact.concurrency.achieved > 1.5, tostring(artifact.concurrency.achieved))
    assert.has_error(function() rig.sweep.run { cases = cases, jobs = 2, run = function() end } end,
      "give 'command(case, attempt)'")
  end)

  it("with command, starts each case as the one before ends, while Rig is still recording it", function()
    local cases = rig.sweep.cases { axes = { { "n", { 1, 2, 3 } } } }
    local function sweep(overlap)
      return rig.sweep.run {
        cases = cases, overlap = overlap, progress = false,
        command = function() return { "sleep", "0.2" } end,
        -- Recording a case takes Rig 0.1 s here (less than a case: the next one covers it).
        finish = function(_, _, r) rig.time.sleep(0.1) return r end,
      }
    end
    local function gaps(artifact)
      local out = {}
      for i = 2, #artifact.cases do
        local before, after = artifact.cases[i - 1].result, artifact.cases[i].result
        out[#out + 1] = after.start_s - (before.start_s + before.wall_s)
      end
      return out
    end
    for _, gap in ipairs(gaps(sweep(nil))) do assert.truthy(gap < 0.05, tostring(gap)) end
    for _, gap in ipairs(gaps(sweep(false))) do assert.truthy(gap >= 0.1, tostring(gap)) end
  end)

  it("with command, retries at the back of the queue and records a queued case that cannot start", function()
    local counter = dir .. "/count"
    local flaky = ("n=$(cat %s 2>/dev/null || echo 0); n=$((n+1)); echo $n > %s; [ $n -ge 2 ] || exit 124")
      :format(counter, counter)
    local cases = rig.sweep.cases { axes = { { "kind", { "flaky", "plain", "unstartable" } } } }
    local order = {}
    local artifact = rig.sweep.run {
      cases = cases, max_retries = 2, progress = false,
      command = function(case, attempt)
        order[#order + 1] = case.settings.kind .. attempt
        if case.settings.kind == "flaky" then return { "sh", "-c", flaky } end
        if case.settings.kind == "unstartable" then return { "/etc/passwd" } end
        return { "true" }
      end,
    }
    -- plain1 was queued behind flaky1 before flaky1's failure was known.
    assert.same({ "flaky1", "plain1", "unstartable1", "flaky2" }, order)
    assert.same({ "ok", "ok", "failed" }, { artifact.cases[1].status, artifact.cases[2].status,
      artifact.cases[3].status })
    assert.equal(2, artifact.cases[1].attempts)
    assert.equal("exit_124", artifact.cases[1].retry_reason)
    assert.equal("not_executable", artifact.cases[3].result.code)
  end)

  it("runs warmups before each case's first attempt, right before it, and keeps only the measured", function()
    local log = dir .. "/log"
    local cases = rig.sweep.cases { axes = { { "n", { 1, 2 } } } }
    local function step(case, attempt)
      return { "sh", "-c", ("echo %s%d >> %s"):format(attempt == 0 and "w" or "m", case.settings.n, log) }
    end
    local artifact = rig.sweep.run { cases = cases, warmup = 2, progress = false, command = step }
    assert.equal("w1\nw1\nm1\nw2\nw2\nm2\n", fs.read(log))
    assert.equal(2, artifact.cases[1].warmups)
    assert.equal(1, artifact.cases[1].attempts)
    fs.remove(log)
    local calls = {}
    artifact = rig.sweep.run { cases = cases, warmup = 1, progress = false,
      run = function(case, attempt)
        calls[#calls + 1] = attempt .. ":" .. case.settings.n
        return rig.proc.run(step(case, attempt))
      end }
    assert.same({ "0:1", "1:1", "0:2", "1:2" }, calls)
    assert.equal(1, artifact.cases[2].warmups)
    assert.has_error(function() rig.sweep.run { cases = cases, warmup = -1, run = step } end,
      "option 'warmup' must be at least 0")
  end)

  it("records its matrix, so shards of a matrix written only in Lua merge with no matrix file", function()
    local lua_matrix = { axes = { { name = "n", values = { 1, 2, 3, 4, 5, 6 } },
      { name = "mode", values = { "a", "b" } } } }
    local cases = rig.sweep.cases(lua_matrix)
    local shards = {}
    for k = 1, 2 do
      shards[k] = rig.sweep.run { cases = cases, shard = { k, 2 }, json_out = dir .. "/lua-shard" .. k .. ".json",
        progress = false, command = function() return { "true" } end }
    end
    assert.same({ "n", "mode" }, { shards[1].matrix.axes[1].name, shards[1].matrix.axes[2].name })
    local read = { json.read(dir .. "/lua-shard1.json"), json.read(dir .. "/lua-shard2.json") }
    local merged = assert(rig.sweep.merge(read))
    assert.equal(12, #merged.cases)
    for i, c in ipairs(cases) do assert.equal(c.id, merged.cases[i].id) end
    -- Shards of two different matrices do not merge.
    local other = rig.sweep.run { cases = rig.sweep.cases { axes = { { name = "n", values = { 1 } } } },
      progress = false, command = function() return { "true" } end }
    local none, why = rig.sweep.merge({ read[1], other })
    assert.is_nil(none)
    assert.matches("shard artifact 2 ran another matrix than the first", why)
  end)

  it("makes the artifact's folder when it does not exist", function()
    local out = dir .. "/new/deeper/sw.json"
    local cases = rig.sweep.cases { axes = { { name = "n", values = { 1, 2 } } } }
    rig.sweep.run { cases = cases, json_out = out, progress = false, command = function() return { "true" } end }
    assert.equal(2, #json.read(out).cases)
  end)

  it("writes snapshots that are the returned artifact as JSON and markdown", function()
    local out, md = dir .. "/sweep.json", dir .. "/sweep.md"
    -- An included case brings a setting the others lack: a markdown column added midway.
    local cases = rig.sweep.cases { axes = { { "n", { 1, 2, 3 } } }, include = { { n = 4, extra = "yes|no" } } }
    local artifact = rig.sweep.run { cases = cases, json_out = out, markdown_out = md, progress = false,
      command = function(case) return { "sh", "-c", "exit " .. (case.settings.n % 2) } end }
    assert.equal(json.encode(artifact, { indent = 2, sort_keys = true }) .. "\n", fs.read(out))
    assert.equal(rig.sweep.markdown(artifact), fs.read(md))
    assert.matches("| extra |", fs.read(md), 1, true)
    assert.matches("yes\\|no", fs.read(md), 1, true)
  end)

  it("splits into shards that merge back into the unsharded artifact", function()
    local cases = rig.sweep.cases { axes = { { "a", { 1, 2, 3, 4, 5 } }, { "b", { "x", "y" } } } }
    local function run(case) return rig.proc.run { "sh", "-c", "exit " .. (case.settings.a % 2) } end
    local whole = rig.sweep.run { cases = cases, run = run, progress = false }
    local shards, seen = {}, 0
    for k = 1, 3 do
      shards[k] = rig.sweep.run { cases = cases, run = run, shard = { k, 3 }, progress = false }
      seen = seen + #shards[k].cases
    end
    assert.equal(#cases, seen)
    local merged = assert(rig.sweep.merge(shards, cases))
    assert.same(strip_times(whole), strip_times(merged))
    assert.equal(whole.totals.ok, merged.totals.ok)
    local missing, err = rig.sweep.merge({ shards[1], shards[2] }, cases)
    assert.is_nil(missing)
    assert.matches("is in no shard artifact", err)
    assert.is_nil((rig.sweep.parse_shard("4/3")))
    assert.same({ 2, 3 }, { rig.sweep.parse_shard("2/3") })
  end)
end)

describe("rig.sweep tuning", function()
  -- A seeded generator: the same noise every run.
  local function noise(seed)
    local x = seed
    return function()
      x = (x * 1103515245 + 12345) % 2147483648
      return x / 2147483648 - 0.5
    end
  end
  local MEANS = { a = 1.00, b = 1.005, c = 1.30, d = 1.60 }

  it("ranks by median and separates the indistinguishable from the worse", function()
    local r = noise(7)
    local samples = {}
    for name, mean in pairs(MEANS) do
      samples[name] = {}
      for i = 1, 20 do samples[name][i] = mean * (1 + 0.04 * r()) end
    end
    local ranking = rig.sweep.rank(samples)
    -- a and b are 0.5% apart under 4% noise: either may come first; the other is not worse.
    local verdicts = {}
    for _, row in ipairs(ranking) do verdicts[row.name] = row.verdict end
    assert.same({ "best", "indistinguishable" }, { ranking[1].verdict, ranking[2].verdict })
    assert.truthy(verdicts.a ~= "worse" and verdicts.b ~= "worse")
    assert.same({ "c", "d" }, { ranking[3].name, ranking[4].name })
    assert.same({ "worse", "worse" }, { verdicts.c, verdicts.d })
    assert.near(1.3, ranking[3].ratio, 0.05)
    local higher = rig.sweep.rank(samples, { higher = true })
    assert.equal("d", higher[1].name)
  end)

  it("halving drops the clearly worse early and spends the samples on the close ones", function()
    local r = noise(11)
    local counts = { a = 0, b = 0, c = 0, d = 0 }
    local final, history = rig.sweep.halving {
      configs = { "a", "b", "c", "d" }, batch = 5, max_rounds = 4,
      measure = function(config)
        counts[config] = counts[config] + 1
        return MEANS[config] * (1 + 0.04 * r())
      end,
    }
    assert.same({ "c", "d" }, (function()
      local out = {}
      for _, row in ipairs(final) do if row.verdict == "worse" then out[#out + 1] = row.name end end
      table.sort(out)
      return out
    end)())
    assert.truthy(final[1].name == "a" or final[1].name == "b")
    assert.truthy(counts.a > counts.c and counts.b > counts.d)
    assert.truthy(#history >= 2)
  end)
end)
