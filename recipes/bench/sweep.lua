-- Sweep overhead: a sweep of trivial cases (each one short process), Rig's total wall time
-- against the sum of the cases' own wall times (what the processes themselves took), with
-- the JSON and markdown snapshots rewritten atomically after every case as in a real sweep.
-- Goal: overhead under 5%.
local lib = require "benchlib"

return rig.recipe {
  description = "Overhead of rig.sweep: 500 trivial cases, total wall vs the cases' own wall.",
  params = {
    { "cases", type = "integer", default = 500, help = "cases in the sweep" },
    { "command", default = "sleep 0.01", help = "each case's command (through /bin/sh)" },
  },
  run = function(params)
    local fs = rig.fs
    local dir = assert(fs.tmpdir("rig-bench-sweep"))
    local values = {}
    for i = 1, params.cases do values[i] = i end
    local cases = rig.sweep.cases { axes = { { "i", values } } }
    local started = rig.time.now()
    local artifact = rig.sweep.run {
      cases = cases, json_out = dir .. "/sweep.json", markdown_out = dir .. "/sweep.md", progress = false,
      run = function() return rig.proc.run { "sh", "-c", params.command } end,
    }
    local total = rig.time.now() - started
    local own = 0
    for _, c in ipairs(artifact.cases) do own = own + c.result.wall_s end
    local overhead = total / own - 1
    lib.print_table {
      { "cases", "command", "rig total s", "cases' own s", "overhead", "goal < 5%" },
      { tostring(#cases), params.command, ("%.3f"):format(total), ("%.3f"):format(own),
        ("%.2f%%"):format(100 * overhead), overhead < 0.05 and "yes" or "NO" },
    }
    fs.remove_tree(dir, fs.dirname(dir))
  end,
}
