-- Benchmark of rig.json and rig.profile against Python in one run:
--   1. decode + encode (indent=2, Python's format) of a ~50 MB results file, built by scaling
--      a real Molt fixture; goal: Rig at most 0.5x Python's json;
--   2. profile extraction from a ~100 MB log of mixed noise and profile lines; goal: Rig at
--      most 0.3x the Python loop (startswith + json.loads, as Molt's perf.py).
-- Both sides read the files from disk inside the timing; medians of --reps.
local lib = require "benchlib"
local json, fs = rig.json, rig.fs

return rig.recipe {
  description = "rig.json and rig.profile against Python's json on 50 MB and 100 MB inputs.",
  params = {
    { "reps", type = "integer", default = 5, help = "timings per measurement (median)" },
    { "json_mb", type = "number", default = 50, help = "size of the results file" },
    { "log_mb", type = "number", default = 100, help = "size of the log" },
    { "fixture", type = "path", help = "a Molt results file to scale (default: the one in Tests/Fixtures)" },
  },
  run = function(params, ctx)
    local root = fs.normalize(ctx.dir .. "/../..")
    local fixture = params.fixture
      or (root .. "/Tests/Fixtures/molt/bench/results/full_native_refresh_20260522_tracked_vec.json")
    local dir = assert(fs.tmpdir("rig-bench"))
    local results_path, log_path = dir .. "/results.json", dir .. "/run.log"

    -- 1. A large results file: the fixture's benchmarks, copied under new names.
    local base = assert(json.read(fixture))
    local names = json.keys(base.benchmarks)
    local one = #json.encode(base.benchmarks, { indent = 2 })
    local copies = math.max(1, math.floor(params.json_mb * 1e6 / one))
    local benchmarks = json.object()
    local order = {}
    for c = 1, copies do
      for _, name in ipairs(names) do
        local key = ("%s__copy%04d"):format(name, c)
        benchmarks[key] = base.benchmarks[name]
        order[#order + 1] = key
      end
    end
    base.benchmarks = json.object(benchmarks, order)
    assert(json.write(results_path, base, { indent = 2 }))
    local size = fs.stat(results_path).size

    -- 2. A large log: build noise, program output and profile lines (1 in 25 lines).
    local profile_line = "molt_profile_json " .. json.encode(assert(json.read(root ..
      "/Tests/Fixtures/molt/bench/results/profiles_20260320/bench_fib.json")), { separators = { ",", ":" } })
    local noise = {
      "ld64.lld: warning: directory not found for option -L/usr/local/lib",
      "Successfully built /tmp/molt_cache/home/bin/bench_fib_molt",
      "832040",
      "molt_profile call_dispatch=185 attr_lookup=723 handle_resolve=361 alloc_count=8101402",
      "[MOLT_PROFILE] LEAK WARNING: 12 objects not freed at process exit (expected_live=3)",
    }
    local chunk = {}
    for i = 1, 24 do chunk[i] = noise[(i - 1) % #noise + 1] end
    chunk[25] = profile_line
    local block = table.concat(chunk, "\n") .. "\n"
    local parts = {}
    local blocks = math.floor(params.log_mb * 1e6 / #block)
    for i = 1, blocks do parts[i] = block end
    assert(fs.write(log_path, table.concat(parts)))
    local log_size = fs.stat(log_path).size
    collectgarbage()

    local py = rig.proc.must_run { "python3", ctx.dir .. "/artifacts_py.py", results_path, log_path,
      tostring(params.reps) }
    local python = {}
    for name, ms in py.stdout:gmatch("(%S+) ([%d%.]+)\n") do python[name] = tonumber(ms) end

    local function timed(fn)
      local times = {}
      for r = 1, params.reps do
        collectgarbage()
        local start = rig.time.now()
        fn()
        times[r] = (rig.time.now() - start) * 1e3
      end
      return lib.median(times)
    end
    local original = assert(fs.read(results_path))
    local rig_json = timed(function()
      local text = assert(fs.read(results_path))
      local out = json.encode(assert(json.decode(text)), { indent = 2 }) .. "\n"
      assert(#out == #original)
    end)
    assert(json.encode(assert(json.decode(original)), { indent = 2 }) .. "\n" == original, "round trip differs")
    local rig_profile = timed(function()
      local p = rig.profile.read(log_path)
      assert(p and p.kind == "runtime_feedback")
    end)
    -- The same from a log already in memory as a Lua string (a run's captured stderr).
    local rig_profile_text = timed(function()
      local p = rig.profile.extract(assert(fs.read(log_path)))
      assert(p and p.kind == "runtime_feedback")
    end)

    io.stdout:write(("inputs: results %.1f MB (%d benchmarks), log %.1f MB (%d profile lines)\n"):format(
      size / 1e6, copies * #names, log_size / 1e6, blocks))
    local r1, m1 = lib.verdict(rig_json / python.json_roundtrip, 0.5)
    local r2, m2 = lib.verdict(rig_profile / python.profile_extract, 0.3)
    lib.print_table {
      { "measurement", "rig ms", "python ms", "rig / python", "goal", "met" },
      { "json decode + encode (indent 2)", ("%.0f"):format(rig_json), ("%.0f"):format(python.json_roundtrip), r1,
        "<= 0.5x", m1 },
      { "profile extraction (last valid), rig.profile.read", ("%.0f"):format(rig_profile),
        ("%.0f"):format(python.profile_extract), r2, "<= 0.3x", m2 },
      { "  the same via fs.read + rig.profile.extract", ("%.0f"):format(rig_profile_text),
        ("%.0f"):format(python.profile_extract), (lib.verdict(rig_profile_text / python.profile_extract, 0.3)),
        "<= 0.3x", select(2, lib.verdict(rig_profile_text / python.profile_extract, 0.3)) },
    }
    fs.remove_tree(dir, dir .. "/..")
  end,
}
