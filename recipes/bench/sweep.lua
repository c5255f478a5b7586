-- Sweep overhead: a sweep of trivial cases (each one short process), Rig's total wall time
-- against the sum of the cases' own wall times (what the processes themselves took), with
-- the journal and snapshots written as in a real sweep. Goal: overhead under 5%.
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
    local spec = { "sh", "-c", params.command }
    -- The same sweep three ways: cases as process specs (the next one queued behind the
    -- running one, Rig's default), as specs one at a time, and as a Lua `run` function.
    local forms = {
      { "command, overlap", { command = function() return spec end } },
      { "command, --no-overlap", { command = function() return spec end, overlap = false } },
      { "run function", { run = function() return rig.proc.run(spec) end } },
    }
    local rows = { { "cases", "command", "form", "rig total s", "cases' own s", "overhead", "goal < 5%" } }
    for _, form in ipairs(forms) do
      local cfg = form[2]
      cfg.cases, cfg.progress = cases, false
      cfg.json_out, cfg.markdown_out = dir .. "/sweep.json", dir .. "/sweep.md"
      local started = rig.time.now()
      local artifact = rig.sweep.run(cfg)
      local total = rig.time.now() - started
      local own = 0
      for _, c in ipairs(artifact.cases) do
        assert(c.status == "ok", "case " .. c.id .. " failed")
        own = own + c.result.wall_s
      end
      local overhead = total / own - 1
      rows[#rows + 1] = { tostring(#cases), params.command, form[1], ("%.3f"):format(total), ("%.3f"):format(own),
        ("%.2f%%"):format(100 * overhead), overhead < 0.05 and "yes" or "NO" }
    end
    lib.print_table(rows)
    fs.remove_tree(dir, fs.dirname(dir))
  end,
}
