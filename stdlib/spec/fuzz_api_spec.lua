-- The API fuzz test: 120,000 seeded calls of every public function with random arguments
-- (numbers at the extremes, NaN, strings with NUL and %, tables with trapping metamethods,
-- holes and float keys, functions that raise), in 12 child processes of `rig run` so that a
-- crash is seen as what it is: a signal. Each child runs stdlib/spec/fuzz/api_child.lua in a
-- scratch directory. RIG_FUZZ_SEED shifts the seeds (a failure names its seed and the call).
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]+$") or "."
local child = assert(rig.fs.realpath(here .. "/fuzz/api_child.lua"))

describe("API fuzz", function()
  it("120,000 random calls in 12 processes: no signal, no trap, every batch completes", function()
    local self = rig.env.executable()
    local root = debug.getinfo(1, "S").source:match("^@(.*)/stdlib/spec/[^/]+$") or "."
    local rig_bin = self and self:match("/rig$") and self or assert(rig.fs.realpath(root .. "/.build/debug/rig"))
    local base = tonumber(os.getenv("RIG_FUZZ_SEED") or "") or 20261201
    local scratch = assert(rig.fs.tmpdir("rig-fuzz-api"))
    local total = 0
    local env = { RIG_STDLIB_DIR = os.getenv("RIG_STDLIB_DIR") }
    for batch = 1, 12 do
      local seed = base + batch
      local dir = rig.fs.join(scratch, tostring(batch))
      assert(rig.fs.mkdir(dir))
      local journal = rig.fs.join(scratch, batch .. ".journal")
      local r = assert(rig.proc.run {
        rig_bin, "run", child, "--seed", tostring(seed), "--calls", "10000", "--journal", journal,
        cwd = dir, env = env, timeout = 120, stdout = "capture", stderr = "capture",
      })
      local last = rig.fs.read(journal) or "?"
      local context = ("seed %d, call in flight: %s; stderr: %s"):format(seed, last:match("^[^\n]*"),
        (r.stderr or ""):sub(-600))
      assert.falsy(r.signal, "batch died of signal " .. tostring(r.signal_name) .. " (" .. context .. ")")
      assert.falsy(r.timed_out, "batch timed out (" .. context .. ")")
      assert.equal(0, r.code, "batch failed (" .. context .. ")")
      local calls = tonumber(r.stdout:match("calls (%d+)"))
      assert.equal(10000, calls, context)
      total = total + calls
    end
    rig.fs.remove_tree(scratch, rig.fs.dirname(scratch))
    assert.truthy(total >= 100000, "calls: " .. total)
    io.stderr:write(("fuzz_api_spec: %d calls, seeds %d-%d\n"):format(total, base + 1, base + 12))
  end)
end)
