-- Instruction counts against wall time on a busy machine: one workload measured 5 times under
-- callgrind while another process keeps a core busy. Goal: instruction-count spread
-- (max - min) / median under 0.1%; shown next to the wall-time spread of the same runs and of
-- plain runs of the workload under the same load.
local lib = require "benchlib"

local function spread(xs)
  local lo, hi = math.huge, -math.huge
  for _, x in ipairs(xs) do lo, hi = math.min(lo, x), math.max(hi, x) end
  return (hi - lo) / lib.median(xs)
end

return rig.recipe {
  description = "callgrind instruction counts vs wall time, 5 runs of one workload with the other core loaded.",
  params = {
    { "runs", type = "integer", default = 5, help = "runs of each kind" },
    { "workload", type = "string", default = "bench_recursion.py", help = "a script in recipes/workloads" },
  },
  run = function(params, ctx)
    lib.need("valgrind", "valgrind")
    local fs = rig.fs
    local dir = assert(fs.tmpdir("rig-bench-instructions"))
    local busy = lib.compile(dir, "busy.c", "busy")
    local python = lib.python() -- not a shim: callgrind would trace the shell script
    local script = fs.normalize(ctx.dir .. "/../workloads/" .. params.workload)
    -- Python salts string hashes per process; a fixed seed makes its work the same each run.
    local env = { PYTHONHASHSEED = "0" }
    local counts, cg_walls, plain_walls = {}, {}, {}
    do
      local loader <close> = assert(rig.proc.spawn { busy, "1000000", stdout = "null" })
      for i = 1, params.runs do
        local out = ("%s/run%d.out"):format(dir, i)
        local r = rig.proc.must_run { "valgrind", "--tool=callgrind", "--callgrind-out-file=" .. out, python, script,
          env = env, stdout = "null" }
        cg_walls[i] = r.wall_s
        counts[i] = assert(rig.callgrind.read(out)).totals.Ir
        plain_walls[i] = rig.proc.must_run { python, script, env = env, stdout = "null" }.wall_s
      end
      -- The figures mean something only if the load lasted through every run.
      assert(loader:poll() == nil, "the busy loop ended before the measurements did")
    end
    io.stdout:write(("%s under %s, %d runs each, one core kept busy:\n"):format(params.workload, python, params.runs))
    local function row(name, xs, unit, fmt)
      local shown = {}
      for i, x in ipairs(xs) do shown[i] = fmt:format(x) end
      return { name, table.concat(shown, " "), ("%.4f%%"):format(100 * spread(xs)), unit }
    end
    local s = spread(counts)
    lib.print_table {
      { "measure", "values", "spread (max-min)/median", "unit" },
      row("callgrind instructions (Ir)", counts, "Ir", "%d"),
      row("wall time of the callgrind runs", cg_walls, "s", "%.3f"),
      row("wall time of plain runs", plain_walls, "s", "%.4f"),
    }
    io.stdout:write(("goal: instruction spread < 0.1%%: %s (%.4f%%)\n"):format(s < 0.001 and "yes" or "NO", 100 * s))
    fs.remove_tree(dir, fs.dirname(dir))
  end,
}
