--- CSV as RFC 4180 writes it: fields with a comma, a quote, CR or LF are quoted, quotes
--- doubled; lines end in CRLF (Python's csv module does the same by default).
local fs = require "rig.fs"
local json = require "rig.json"

local check = require "rig.check"

local M = {}

local function field(value)
  local text
  if value == nil then
    text = ""
  elseif math.type(value) == "float" then
    -- Python's str(float): shortest round-trip digits (rig.json writes the same).
    if value ~= value then
      text = "nan"
    elseif value == math.huge or value == -math.huge then
      text = value > 0 and "inf" or "-inf"
    else
      text = json.encode(value)
    end
  else
    text = tostring(value)
  end
  if text:find('[,"\r\n]') then text = '"' .. text:gsub('"', '""') .. '"' end
  return text
end

--- CSV text for `rows` (lists of values), with `opts.headers` first when given;
--- `opts.newline` replaces "\r\n".
---@param rows any[][]
---@param opts? {headers?: any[], newline?: string}
---@return string
function M.encode(rows, opts)
  check.arg("encode", 1, rows, "list")
  opts = check.options("encode", 2, opts, { headers = "list", newline = "string" })
  local nl = opts.newline or "\r\n"
  local out = {}
  local function line(row)
    local parts = {}
    for i = 1, #row do parts[i] = field(row[i]) end
    out[#out + 1] = table.concat(parts, ",") .. nl
  end
  if opts.headers then line(opts.headers) end
  for i, row in ipairs(rows) do
    if type(row) ~= "table" then error(("bad argument #1 to 'encode' (row %d is not a list)"):format(i), 2) end
    line(row)
  end
  return table.concat(out)
end

--- Writes CSV to a file atomically; true, or nil, err.
function M.write(path, rows, opts)
  return fs.write(path, M.encode(rows, opts))
end

return M
