-- Helpers shared by Rig's own benchmarks (recipes/bench/*.lua): medians, C anchors compiled
-- on the spot, hyperfine's JSON, and a table printer. Not a stable API: rig.stats and
-- rig.json (later issues) replace the ad-hoc parts.
local rig = require "rig"

local M = {}

--- Median of a list of numbers (copy sorted; the list is untouched).
function M.median(xs)
  local s = {}
  for i, v in ipairs(xs) do s[i] = v end
  table.sort(s)
  local n = #s
  if n == 0 then return nil end
  return n % 2 == 1 and s[(n + 1) // 2] or (s[n // 2] + s[n // 2 + 1]) / 2
end

--- A fresh temporary directory.
function M.tmpdir()
  return (rig.proc.must_run { "mktemp", "-d", "-t", "rig-bench.XXXXXX" }.stdout:gsub("%s+$", ""))
end

--- Compiles C source `file` (next to the benchmarks) into `dir`; returns the binary's path.
function M.compile(dir, file, name)
  local cc = rig.env.which("cc") or rig.env.which("gcc") or rig.env.which("clang")
  if not cc then error("benchmarks need a C compiler for their anchors (cc)") end
  local out = dir .. "/" .. name
  rig.proc.must_run { cc, "-O2", "-o", out, M.here .. "/" .. file }
  return out
end

--- The `times` arrays of a hyperfine `--export-json` file, one list per command. The JSON is
--- read with patterns because rig.json has not landed yet; hyperfine writes plain numbers.
function M.hyperfine_times(path)
  local f = assert(io.open(path))
  local text = f:read("a")
  f:close()
  local lists = {}
  for body in text:gmatch('"times"%s*:%s*%[([^%]]*)%]') do
    local list = {}
    for number in body:gmatch("[-%d%.eE+]+") do list[#list + 1] = tonumber(number) end
    lists[#lists + 1] = list
  end
  return lists
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
