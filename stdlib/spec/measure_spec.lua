local measure = rig.measure

local function schedule_of(r)
  local out = {}
  for _, s in ipairs(r.schedule) do out[#out + 1] = s[1] .. ":" .. s[2] end
  return table.concat(out, " ")
end

describe("rig.measure.run", function()
  it("interleaves rounds by default, every other one backwards (ABBA), and records the schedule", function()
    local r = measure.run { commands = { { "true" }, { "true" } }, shell = false, runs = 3, warmup = 1 }
    assert.equal("1:0 2:0 1:1 2:1 2:2 1:2 1:3 2:3", schedule_of(r))
    assert.equal(3, #r.benchmarks[1].runs)
    assert.equal(1, #r.benchmarks[1].warmup)
    assert.equal("planned runs done", r.stop_reason)
  end)

  it("runs one command after another in sequential order", function()
    local r = measure.run { commands = { { "true" }, { "true" } }, shell = false, runs = 2, order = "sequential" }
    assert.equal("1:1 1:2 2:1 2:2", schedule_of(r))
  end)

  it("shuffles each round in random order, the same way for the same seed", function()
    local function run(seed)
      return measure.run { commands = { { "true" }, { "true" }, { "true" } }, shell = false, runs = 8,
        order = "random", seed = seed }
    end
    local a, b, c = run(7), run(7), run(8)
    assert.equal(schedule_of(a), schedule_of(b))
    assert.truthy(schedule_of(a) ~= schedule_of(c))
    -- Every round is a permutation of the three benchmarks.
    for k = 0, 7 do
      local seen = {}
      for j = 1, 3 do seen[a.schedule[3 * k + j][1]] = true end
      assert.truthy(seen[1] and seen[2] and seen[3])
    end
  end)

  it("expands parameters into benchmarks, commands first, and fills names and hooks", function()
    local prepared = {}
    local r = measure.run { commands = { { name = "echo-{n}{m}", argv = { "echo", "{n}", "{m}" } } }, runs = 1,
      parameters = { { name = "n", values = { 1, 2 } }, { name = "m", values = { "a", "b" } } },
      prepare = function(b) prepared[#prepared + 1] = b.name end, shell = false }
    local names = {}
    for _, b in ipairs(r.benchmarks) do names[#names + 1] = b.name end
    assert.same({ "echo-1a", "echo-1b", "echo-2a", "echo-2b" }, names)
    assert.same({ "echo", "2", "b" }, r.benchmarks[4].argv)
    assert.same({ n = "2", m = "b" }, r.benchmarks[4].parameters)
    assert.same(names, prepared)
  end)

  it("takes commands literally when there are no parameters (hyperfine's rule)", function()
    local r = measure.run { commands = { { "echo", "{x}", "{{" } }, shell = false, runs = 1, output = "pipe",
      check_output = true }
    assert.same({ "echo", "{x}", "{{" }, r.benchmarks[1].argv)
    assert.equal(rig.util.sha256("{x} {{\n"), r.benchmarks[1].runs[1].stdout_sha256)
    local line = measure.run { commands = { "printf '%s' '{a}'" }, runs = 1 }
    assert.same({ "sh", "-c", "printf '%s' '{a}'" }, line.benchmarks[1].argv)
  end)

  it("takes the shell's start-up time off runs made through it", function()
    local r = measure.run { commands = { "true" }, runs = 3 }
    assert.truthy(r.shell and r.shell.wall_s > 0 and r.shell.runs == 50)
    for _, run in ipairs(r.benchmarks[1].runs) do assert.truthy(run.wall_s >= 0) end
    assert.same({ "sh", "-c", "true" }, r.benchmarks[1].argv)
    local plain = measure.run { commands = { "true" }, runs = 1, shell = false }
    assert.is_nil(plain.shell)
  end)

  it("follows hyperfine's count: min_runs, runs that fit min_time, max_runs", function()
    local r = measure.run { commands = { { "true" } }, shell = false, min_time = 0 }
    assert.equal(10, #r.benchmarks[1].runs)
    r = measure.run { commands = { { "true" } }, shell = false, min_runs = 2, max_runs = 3 }
    assert.equal(3, #r.benchmarks[1].runs)
    r = measure.run { commands = { { "true" } }, shell = false, min_runs = 4, min_time = 0 }
    assert.equal(4, #r.benchmarks[1].runs)
  end)

  it("stops a failing benchmark (a record, not an error) and goes on with the others", function()
    local r = measure.run { commands = { { "true" }, { "sh", "-c", "exit 3" } }, shell = false, runs = 4 }
    assert.equal(4, #r.benchmarks[1].runs)
    local b = r.benchmarks[2]
    assert.equal(1, #b.runs)
    assert.equal("run", b.failure.phase)
    assert.equal(3, b.failure.code)
    assert.equal("exit code 3", b.failure.message)
    assert.equal("failed", r.comparisons[2].verdict)
    local ignored = measure.run { commands = { { "sh", "-c", "exit 3" } }, shell = false, runs = 3, failure = "ignore" }
    assert.equal(3, #ignored.benchmarks[1].runs)
    assert.equal(3, #measure.samples(ignored.benchmarks[1]))
  end)

  it("a failing prepare stops its benchmark with the hook's phase", function()
    local r = measure.run { commands = { { "true" } }, shell = false, runs = 3, prepare = { "sh", "-c", "exit 9" } }
    assert.equal("prepare", r.benchmarks[1].failure.phase)
    assert.matches("exit 9", r.benchmarks[1].failure.message)
    assert.equal(0, #r.benchmarks[1].runs)
  end)

  it("measures other metrics: cpu time, custom values from the output, output hashes", function()
    local r = measure.run { commands = { { "sh", "-c", "echo one; echo two" } }, shell = false, runs = 2,
      metric = "cpu", check_output = true,
      metrics = { lines = function(res) return select(2, res.stdout:gsub("\n", "")) end } }
    local run = r.benchmarks[1].runs[1]
    assert.equal(run.user_s + run.sys_s, run.value)
    assert.same({ 2, 2 }, measure.samples(r.benchmarks[1], "lines"))
    assert.equal(rig.util.sha256("one\ntwo\n"), run.stdout_sha256)
    local differ = measure.run { commands = { { "echo", "a" }, { "echo", "b" } }, shell = false, runs = 2,
      check_output = true, reference = 1 }
    assert.matches("its output differs from echo a's", table.concat(differ.comparisons[2].warnings, "; "))
  end)

  it("refuses bad commands, parameters and options before anything runs", function()
    assert.has_error(function() measure.run { commands = { "true" }, wramup = 1 } end,
      "unknown option 'wramup'; did you mean 'warmup'?")
    assert.has_error(function() measure.run { commands = { { shell = "true", nmae = "x" } } } end,
      "commands[1]: unknown field 'nmae'; did you mean 'name'?")
    assert.has_error(function() measure.run { commands = { { name = "x" } } } end,
      "commands[1]: give a command line")
    local n = { { name = "n", values = { 1 } } }
    assert.has_error(function() measure.run { commands = { "echo {nn}" }, parameters = n } end,
      "unknown placeholder {nn}; did you mean '{n}'?")
    local bad = { { name = "a b", values = { 1 } } }
    assert.has_error(function() measure.run { commands = { "x" }, parameters = bad } end,
      "parameters[1]")
    assert.has_error(function() measure.run { commands = { "x" }, metric = "wal" } end, "did you mean 'wall'?")
    assert.has_error(function() measure.run { commands = { "x" }, reference = 2 } end, "there are 1 benchmarks")
    assert.has_error(function() measure.run { commands = { "'open" }, shell = false } end, "unterminated")
  end)
end)

describe("the sequential rule", function()
  it("looks at 6 runs, then half again each time, up to max_runs", function()
    assert.same({ 6, 9, 14, 21, 32, 48, 72, 108, 162, 243, 365, 548, 822, 1000 }, measure.looks(6, 1000))
    assert.same({ 6, 9, 10 }, measure.looks(6, 10))
    assert.same({ 5 }, measure.looks(1, 5))
  end)

  it("stops as soon as a clear difference is decided, at alpha split over the looks", function()
    local looks = {}
    local r = measure.run { commands = { { "sleep", "0.001" }, { "sleep", "0.02" } }, shell = false,
      on_look = function(res) looks[#looks + 1] = #res.benchmarks[1].runs end }
    assert.equal("decide", r.plan.mode)
    assert.equal(0.05 / 15, r.plan.alpha)
    assert.equal(1, r.reference)
    assert.equal("slower", r.comparisons[2].verdict)
    assert.matches("^every comparison decided after %d+ runs each$", r.stop_reason)
    assert.truthy(#r.benchmarks[1].runs <= 14, #r.benchmarks[1].runs)
    assert.equal(looks[#looks], #r.benchmarks[1].runs)
  end)

  it("with the caller's own question, makes a look's comparison only if the caller reads it", function()
    local stats = require "rig.stats" -- the module rig.measure calls
    local real, made = stats.compare, 0
    stats.compare = function(...) made = made + 1 return real(...) end
    local ok, err = pcall(function()
      local asked = 0
      local r = measure.run { commands = { { "true" }, { "true" } }, shell = false, min_runs = 6, max_runs = 15,
        reference = 1, decided = function(_, i, res) asked = asked + 1 return #res.benchmarks[i].runs >= 15 end }
      assert.equal(#measure.looks(6, 15), asked) -- one question per look
      assert.equal(1, made) -- only the final verdicts
      assert.truthy(r.comparisons[2].verdict)
      -- A caller that reads the comparison gets it, made then.
      made = 0
      measure.run { commands = { { "true" }, { "true" } }, shell = false, min_runs = 6, max_runs = 9, reference = 1,
        decided = function(c) return c.verdict ~= nil and false end }
      assert.equal(2, made) -- one per look; the last look's is the final one
    end)
    stats.compare = real
    if not ok then error(err, 0) end
  end)

  it("stops at the time budget, undecided", function()
    local r = measure.run { commands = { { "sleep", "0.01" }, { "sleep", "0.01" } }, shell = false,
      time_budget = 0.05 }
    -- The budget ends before the first look (6 runs): no verdict can be reached at 3 runs.
    assert.matches("^time budget of 0.05s spent after %d runs each$", r.stop_reason)
    assert.equal("inconclusive", r.comparisons[3 - r.reference].verdict)
  end)
end)

describe("rig.hyperfine", function()
  -- 50 ms apart: on two busy cores a run of `true` alone can take several ms, and with 4 runs
  -- a side one overlap leaves the rank test inconclusive.
  local r = measure.run { commands = { { "true" }, { "sleep", "0.05" } }, shell = false, runs = 4 }

  it("exports hyperfine's JSON fields and Rig's under one key", function()
    local doc = rig.hyperfine.export_json(r, { version = "x" })
    local first = doc.results[1]
    for _, key in ipairs { "command", "mean", "stddev", "median", "user", "system", "min", "max", "times",
      "memory_usage_byte", "exit_codes" } do
      assert.truthy(first[key] ~= nil, key)
    end
    assert.equal(4, #first.times)
    assert.is_nil(first.parameters)
    assert.equal("x", doc.rig.version)
    assert.equal("true", doc.rig.reference)
    assert.equal("slower", doc.rig.benchmarks[2].comparison.verdict)
    assert.equal(8, #doc.rig.schedule)
    -- Encodes: no NaN or infinity anywhere.
    assert.truthy(rig.json.decode(rig.json.encode(doc)))
  end)

  it("writes hyperfine's Markdown and CSV layouts", function()
    local md = rig.hyperfine.markdown(r)
    assert.matches("^| Command | Mean %[ms%] | Min %[ms%] | Max %[ms%] | Relative |\n|:%-%-%-|%-%-%-:|", md)
    assert.matches("| `true` | [%d.]+ ± [%d.]+ | [%d.]+ | [%d.]+ | 1.00 |", md)
    assert.matches("| `sleep 0.05` | [%d.]+ ± [%d.]+ | [%d.]+ | [%d.]+ | [%d.]+ ± [%d.]+ |", md)
    assert.matches("| Median %[s%] |", rig.hyperfine.markdown(r, { unit = "second" }))
    local csv = rig.hyperfine.csv(r)
    assert.matches("^command,mean,stddev,median,user,system,min,max\ntrue,", csv)
  end)

  it("quotes CSV fields that hold commas or quotes", function()
    local q = measure.run { commands = { { name = 'a,"b"', argv = { "true" } } }, shell = false, runs = 1 }
    assert.matches('\n"a,""b""",', rig.hyperfine.csv(q))
  end)
end)

describe("rig.bench over rig.measure", function()
  local dir = assert(rig.fs.tmpdir("rig-bench-spec"))
  local script = rig.fs.join(dir, "w.txt")
  assert(rig.fs.write(script, "data\n"))
  local function lanes()
    return {
      rig.lanes.define { name = "first", role = "reference", run = { "sh", "-c", "echo 1; cat {script} >/dev/null" } },
      rig.lanes.define { name = "second", run = { "sh", "-c", "echo two; cat {script} >/dev/null" } },
    }
  end

  it("times shell-command lanes; parity = false lets lanes with other outputs pass", function()
    local ls = lanes()
    local workloads = { { name = "w", path = script, args = {} } }
    local checked = rig.bench.run { lanes = ls, workloads = workloads, samples = 3, warmup = 1, progress = false }
    assert.equal("output_mismatch", checked.benchmarks.w.rig.lanes.second.failure.status)
    local free = rig.bench.run { lanes = ls, workloads = workloads, samples = 3, warmup = 1, progress = false,
      parity = false }
    local rec = free.benchmarks.w
    assert.equal(3, #rec.second_samples_s)
    assert.equal(1, #rec.second_warmup_samples_s)
    assert.is_nil(rec.second_output_parity)
    assert.truthy(rec.rig.compare.second.verdict)
    -- The table takes the lanes themselves or their names.
    local by_lane, by_name = rig.bench.terminal_table(free, ls), rig.bench.terminal_table(free, { "first", "second" })
    assert.equal(by_name, by_lane)
    assert.matches("w%s+second%s+[%d.]+", by_lane)
    assert.has_error(function() rig.bench.terminal_table(free, { 3 }) end, "lanes[1]: a lane or a lane's name")
  end)
end)
