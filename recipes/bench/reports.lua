-- Benchmark of the diff and report recipes on inputs scaled to 10,000 benchmarks (built from
-- Molt's fixtures), against the least any Python tool must spend on the same inputs: a
-- `python3 -c` that only json.loads them. Whole processes on both sides (startup included),
-- medians of --reps, alternating. Goal: Rig's whole diff or report at most 1.0x that.
local lib = require "benchlib"

local function scaled(json, path, count)
  local base = assert(json.read(path))
  local names = json.keys(base.benchmarks)
  local out, order = json.object(), {}
  local n = 0
  while n < count do
    for _, name in ipairs(names) do
      if n >= count then break end
      n = n + 1
      local key = name:gsub("%.py$", "") .. ("_%05d"):format(n) .. (name:match("%.py$") and ".py" or "")
      out[key] = base.benchmarks[name]
      order[#order + 1] = key
    end
  end
  base.benchmarks = json.object(out, order)
  return base
end

return rig.recipe {
  description = "diff and report on 10,000-benchmark inputs against python3 json.load of the same files.",
  params = {
    { "count", type = "integer", default = 10000, help = "benchmarks per file" },
    { "reps", type = "integer", default = 5, help = "runs per command (median)" },
  },
  run = function(params, ctx)
    local json, fs = rig.json, rig.fs
    local root = fs.normalize(ctx.dir .. "/../..") .. "/Tests/Fixtures/molt/bench/results/"
    local dir = assert(fs.tmpdir("rig-bench-reports"))
    local files = {
      old = dir .. "/old.json", new = dir .. "/new.json", native = dir .. "/native.json", wasm = dir .. "/wasm.json",
    }
    -- old/new share names (from the two native fixtures); native/wasm likewise.
    assert(json.write(files.old, scaled(json, root .. "full_native_baseline_20260320.json", params.count),
      { indent = 2, sort_keys = true }))
    assert(json.write(files.new, scaled(json, root .. "full_native_refresh_20260522_tracked_vec.json", params.count),
      { indent = 2, sort_keys = true }))
    assert(fs.copy(files.new, files.native))
    assert(json.write(files.wasm, scaled(json, root .. "bench_wasm_20260522_tracked_vec.json", params.count),
      { indent = 2, sort_keys = true }))
    local rig_bin = rig.env.executable()
    local python = lib.python()
    local commands = {
      { "rig run diff (old vs new)", { rig_bin, "run", "diff", files.old, files.new, "--top", "10",
        stdout = "null" } },
      { "python3: json.load of old + new", { python, "-c",
        "import json,sys\nfor p in sys.argv[1:]: json.load(open(p))", files.old, files.new } },
      { "rig run report (native + wasm)", { rig_bin, "run", "report", "--native", files.native, "--wasm",
        files.wasm, "--out", dir .. "/report.md", stdout = "null" } },
      { "python3: json.load of native + wasm", { python, "-c",
        "import json,sys\nfor p in sys.argv[1:]: json.load(open(p))", files.native, files.wasm } },
    }
    local times = {}
    for _, c in ipairs(commands) do times[c[1]] = {} end
    for _ = 1, params.reps do
      for _, c in ipairs(commands) do
        local r = rig.proc.must_run(c[2])
        table.insert(times[c[1]], r.wall_s)
      end
    end
    local m = {}
    for _, c in ipairs(commands) do m[c[1]] = lib.median(times[c[1]]) end
    local sizes = ("%.1f MB + %.1f MB"):format(fs.stat(files.old).size / 1e6, fs.stat(files.new).size / 1e6)
    io.stdout:write(("inputs: %d benchmarks per file (%s)\n"):format(params.count, sizes))
    local d = m["rig run diff (old vs new)"] / m["python3: json.load of old + new"]
    local r = m["rig run report (native + wasm)"] / m["python3: json.load of native + wasm"]
    lib.print_table {
      { "command", "median s", "rig / python", "goal <= 1.0x" },
      { "rig run diff (old vs new)", ("%.3f"):format(m["rig run diff (old vs new)"]), ("%.3fx"):format(d),
        d <= 1 and "yes" or "NO" },
      { "python3: json.load of old + new", ("%.3f"):format(m["python3: json.load of old + new"]), "", "" },
      { "rig run report (native + wasm)", ("%.3f"):format(m["rig run report (native + wasm)"]), ("%.3fx"):format(r),
        r <= 1 and "yes" or "NO" },
      { "python3: json.load of native + wasm", ("%.3f"):format(m["python3: json.load of native + wasm"]), "", "" },
    }
    if os.getenv("RIG_BENCH_KEEP") then
      io.stdout:write("inputs kept in ", dir, "\n")
    else
      fs.remove_tree(dir, fs.dirname(dir))
    end
  end,
}
