-- Helpers shared by Rig's own benchmarks (recipes/bench/*.lua): medians, C anchors compiled
-- on the spot, hyperfine's JSON, and a table printer. Not a stable API.
local rig = require "rig"

local M = {}

--- This file's directory, where the C anchors live.
M.here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]+$") or "."

--- Median of a list of numbers (the list is untouched), nil for an empty one.
M.median = rig.stats.median

--- A fresh temporary directory.
function M.tmpdir()
  return assert(rig.fs.tmpdir("rig-bench"))
end

--- Compiles C source `file` (next to the benchmarks) into `dir`; returns the binary's path.
function M.compile(dir, file, name)
  local cc = rig.env.which("cc") or rig.env.which("gcc") or rig.env.which("clang")
  if not cc then error("benchmarks need a C compiler for their anchors (cc)") end
  local out = dir .. "/" .. name
  rig.proc.must_run { cc, "-O2", "-o", out, M.here .. "/" .. file }
  return out
end

--- The `times` arrays of a hyperfine `--export-json` file, one list per command.
function M.hyperfine_times(path)
  local lists = {}
  for i, result in ipairs(assert(rig.json.read(path)).results) do lists[i] = result.times end
  return lists
end

--- The Python interpreter itself (sys.executable), not a wrapper in front of it: pyenv's
--- `python3` is a bash shim that costs about 50 ms per start and would flatter whatever is
--- compared with a whole Python process.
function M.python()
  M.need("python3", "python3")
  return (rig.proc.must_run { "python3", "-c", "import sys; print(sys.executable)" }.stdout:gsub("%s+$", ""))
end

--- Requires a program; raises with an install hint.
function M.need(program, package)
  local path = rig.env.which(program)
  if not path then
    error(("this benchmark needs '%s' (Debian package %s; `make bench` installs it)"):format(program, package), 2)
  end
  return path
end

--- Prints rows of cells as an aligned table (first column left-aligned).
function M.print_table(rows)
  local widths = {}
  for _, row in ipairs(rows) do
    for i, cell in ipairs(row) do widths[i] = math.max(widths[i] or 0, #tostring(cell)) end
  end
  for _, row in ipairs(rows) do
    local parts = {}
    for i, cell in ipairs(row) do
      local text = tostring(cell)
      parts[i] = i == 1 and text .. string.rep(" ", widths[i] - #text) or string.rep(" ", widths[i] - #text) .. text
    end
    io.stdout:write(table.concat(parts, "  "), "\n")
  end
end

--- "1.23x" and whether it meets `goal` (ratio <= goal).
function M.verdict(ratio, goal)
  return ("%.3fx"):format(ratio), ratio <= goal and "yes" or "NO"
end

return M
