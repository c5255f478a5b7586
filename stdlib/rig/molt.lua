--- Molt's result files, the parts every writer of them shares: the `system` block of
--- bench.py and bench_wasm.py, and the guarded ratios of their records. The engines
--- (rig.measure, rig.stats) know nothing of these names; rig.bench, rig.wasm and
--- rig.friends write them through here. docs/lanes.md.
local json = require "rig.json"

local M = {}

--- True for a number that can divide or be divided: finite and above 0 (Molt's `_positive`).
---@param x any
---@return boolean
function M.positive(x)
  return type(x) == "number" and x > 0 and x < math.huge
end

--- `a / b` when both are positive, else JSON null: Molt writes null for a ratio it cannot form.
---@param a any
---@param b any
---@return number|userdata
function M.ratio(a, b)
  if M.positive(a) and M.positive(b) then return a / b end
  return json.null
end

--- `platform` as Molt writes it: linux-<machine>.
---@param host table rig.env.host()
---@return string
function M.platform(host)
  return ("linux-%s"):format(host.machine or "unknown")
end

--- The `system` block of bench.py and bench_wasm.py: platform, python, machine, cpu_count,
--- load_avg.
---@param host table rig.env.host()
---@param python string? the Python version the file names (null when none)
---@return table
function M.system(host, python)
  return json.object({ platform = M.platform(host), python = python or json.null, machine = host.machine,
    cpu_count = host.cpu_count, load_avg = host.load_avg and json.array(host.load_avg) or json.null })
end

return M
