--- Reads callgrind's output files (`valgrind --tool=callgrind`): the event totals (instruction
--- count `Ir` by default: the same number on a busy machine as on an idle one) and each
--- function's exclusive and inclusive cost. Written here because callgrind_annotate prints
--- text for people; its format (valgrind's docs, "Callgrind Format Specification") is
--- simple to read directly: name compression, relative positions, and a cost line after each
--- `calls=` line that is the call's inclusive cost.
local M = {}

---@class rig.CallgrindProfile
---@field events string[] event names, in file order ("Ir", ...)
---@field totals table<string, integer> per event, from `totals:`/`summary:` (else summed)
---@field functions { name: string, self: integer, inclusive: integer }[] by self cost, largest first (first event)
---@field command string? the profiled command line (`cmd:`)

--- Parses the text of a callgrind output file. Returns the profile, or nil and an error
--- {code = "callgrind_syntax", message, line}.
---@param text string
---@param source? string shown in error messages
---@return rig.CallgrindProfile? profile
---@return rig.Error? err
function M.parse(text, source)
  if type(text) ~= "string" then
    error("bad argument #1 to 'parse' (string expected, got " .. type(text) .. ")", 2)
  end
  local events, totals, command = nil, nil, nil
  local names = {}          -- compressed id -> name
  local self, calls = {}, {} -- function -> cost of the first event
  local order = {}
  local current, pending_call = nil, false
  local summed = 0
  local positions = 1       -- fields of position per cost line ("positions: instr line" = 2)
  local function name_of(spec)
    local id, name = spec:match("^%((%d+)%)%s*(.*)$")
    if not id then return spec end
    if name ~= "" then names[id] = name end
    return names[id] or ("(" .. id .. ")")
  end
  local function fail(line_no, what)
    return nil, setmetatable({ code = "callgrind_syntax", line = line_no,
      message = ("%s:%d: %s"):format(source or "callgrind output", line_no, what) },
      { __tostring = function(e) return e.message end })
  end
  local line_no = 0
  for line in (text:sub(-1) == "\n" and text or text .. "\n"):gmatch("([^\n]*)\n") do
    line_no = line_no + 1
    local c = line:sub(1, 1)
    if c:match("[%d%+%-%*]") then
      -- A cost line: a position (or two with --dump-instr), then the event costs.
      local costs = {}
      for field in line:gmatch("%S+") do costs[#costs + 1] = field end
      -- Trailing zero costs may be left out, so the first event is found by position count.
      local cost = tonumber(costs[positions + 1] or "0")
      if not cost then return fail(line_no, ("expected a cost line, got %q"):format(line)) end
      if not current then return fail(line_no, "cost line before any fn= line") end
      if pending_call then
        calls[current] = (calls[current] or 0) + cost
        pending_call = false
      else
        self[current] = (self[current] or 0) + cost
        summed = summed + cost
      end
    elseif line:match("^fn=") then
      current = name_of(line:sub(4))
      if self[current] == nil then self[current] = 0; order[#order + 1] = current end
    elseif line:match("^cfn=") or line:match("^cfi=") or line:match("^cfl=") or line:match("^cob=") then
      if line:match("^cfn=") then name_of(line:sub(5)) end
    elseif line:match("^calls=") then
      pending_call = true
    elseif line:match("^positions:") then
      positions = 0
      for _ in line:sub(11):gmatch("%S+") do positions = positions + 1 end
    elseif line:match("^events:") then
      events = {}
      for e in line:sub(8):gmatch("%S+") do events[#events + 1] = e end
    elseif line:match("^summary:") or line:match("^totals:") then
      totals = {}
      local i = 0
      for v in line:match(":(.*)$"):gmatch("%S+") do
        i = i + 1
        totals[events and events[i] or ("event" .. i)] = math.tointeger(tonumber(v)) or tonumber(v)
      end
    elseif line:match("^cmd:") then
      command = line:sub(5):gsub("^%s+", "")
    end
  end
  if not events then return fail(line_no, "no 'events:' line: not a callgrind output file") end
  if not totals then totals = { [events[1]] = summed } end
  local functions = {}
  for _, name in ipairs(order) do
    functions[#functions + 1] = { name = name, self = self[name], inclusive = self[name] + (calls[name] or 0) }
  end
  table.sort(functions, function(a, b) if a.self ~= b.self then return a.self > b.self end return a.name < b.name end)
  return { events = events, totals = totals, functions = functions, command = command }
end

--- Reads and parses a callgrind output file.
---@param path string
---@return rig.CallgrindProfile? profile
---@return rig.Error? err
function M.read(path)
  local text, err = require("rig.fs").read(path)
  if not text then return nil, err end
  return M.parse(text, path)
end

return M
