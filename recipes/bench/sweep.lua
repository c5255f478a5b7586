-- Sweep overhead: a sweep of trivial cases (each one short process), Rig's total wall time
-- against the sum of the cases' own wall times (what the processes themselves took), with
-- the journal and snapshots written as in a real sweep. Goal: overhead under 5%. Anchor: the
-- same cases run by Python the way Molt's compile_progress.py runs them (sweep_py.py).
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
    local rows = { { "cases", "command", "form", "total s", "cases' own s", "overhead", "goal < 5%", "total / rig's" } }
    local rig_total
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
      rig_total = rig_total or total
      local overhead = total / own - 1
      rows[#rows + 1] = { tostring(#cases), params.command, "rig: " .. form[1], ("%.3f"):format(total),
        ("%.3f"):format(own), ("%.2f%%"):format(100 * overhead), overhead < 0.05 and "yes" or "NO",
        ("%.2fx"):format(total / rig_total) }
    end
    -- The anchor: the same cases in Python, as Molt's compile_progress.py runs them (timed
    -- in-process: the interpreter's start is not counted).
    local python = lib.python()
    for _, anchor in ipairs { { "python: subprocess.run loop" }, { "python: + snapshots per case", dir } } do
      local r = rig.proc.must_run { python, lib.here .. "/sweep_py.py", tostring(#cases), params.command, anchor[2] }
      local total, own = r.stdout:match("^(%S+) (%S+)")
      total, own = tonumber(total), tonumber(own)
      rows[#rows + 1] = { tostring(#cases), params.command, anchor[1], ("%.3f"):format(total), ("%.3f"):format(own),
        ("%.2f%%"):format(100 * (total / own - 1)), "", ("%.2fx"):format(total / rig_total) }
    end
    lib.print_table(rows)
    fs.remove_tree(dir, fs.dirname(dir))
  end,
}
