--- Reads callgrind's output files (`valgrind --tool=callgrind`): the event totals (instruction
--- count `Ir` by default: the same number on a busy machine as on an idle one) and each
--- function's exclusive and inclusive cost. Written here because callgrind_annotate prints
--- text for people; its format (valgrind's docs, "Callgrind Format Specification") is
--- simple to read directly: name compression, relative positions, and a cost line after each
--- `calls=` line that is the call's inclusive cost.
local check = require "rig.check"

local M = {}

---@class rig.CallgrindProfile
---@field events string[] event names, in file order ("Ir", ...)
---@field totals table<string, integer> per event, from `totals:`/`summary:` (else summed)
---@field functions { name: string, self: integer, inclusive: integer }[] by self cost, largest first (first event)
---@field command string? the profiled command line (`cmd:`)
---@field edges table<string, table<string, integer>> caller -> callee -> inclusive cost of those calls

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
  -- Name compression ("fn=(12) name", later "fn=(12)"): one id space per kind.
  local names = { fn = {}, ob = {} }
  -- Functions are keyed by name and object: "(below main)" lives in the program and in libc.
  local self, calls = {}, {} -- function key -> cost of the first event
  local edges = {}           -- caller key -> callee key -> inclusive cost of those calls
  local key_name, key_object = {}, {}
  local callee_name, callee_object = nil, nil
  local order = {}
  local current, object, pending_call = nil, nil, false
  local summed = 0
  local positions = 1       -- fields of position per cost line ("positions: instr line" = 2)
  local function name_of(kind, spec)
    local id, name = spec:match("^%((%d+)%)%s*(.*)$")
    if not id then return spec end
    if name ~= "" then names[kind][id] = name end
    return names[kind][id] or ("(" .. id .. ")")
  end
  local function key_of(name, ob)
    local key = name .. "\1" .. (ob or "")
    if not key_name[key] then key_name[key], key_object[key] = name, ob end
    return key
  end
  local function fail(line_no, what)
    local err = require("rig._native.core").error("callgrind_syntax",
      ("%s:%d: %s"):format(source or "callgrind output", line_no, what))
    err.line = line_no
    return nil, err
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
        if callee_name then
          local callee = key_of(callee_name, callee_object or object)
          edges[current] = edges[current] or {}
          edges[current][callee] = (edges[current][callee] or 0) + cost
        end
        pending_call, callee_object = false, nil
      else
        self[current] = (self[current] or 0) + cost
        summed = summed + cost
      end
    elseif line:match("^fn=") then
      current = key_of(name_of("fn", line:sub(4)), object)
      callee_name, callee_object = nil, nil
      if self[current] == nil then self[current] = 0; order[#order + 1] = current end
    elseif line:match("^ob=") then
      object = name_of("ob", line:sub(4))
    elseif line:match("^cob=") then
      callee_object = name_of("ob", line:sub(5))
    elseif line:match("^cfn=") then
      callee_name = name_of("fn", line:sub(5))
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
  -- Shown names: the plain name, with the object's file name where two objects share it.
  local uses = {}
  for _, name in pairs(key_name) do uses[name] = (uses[name] or 0) + 1 end
  local shown = {}
  for key, name in pairs(key_name) do
    local ob = key_object[key]
    shown[key] = (uses[name] > 1 and ob) and (name .. " [" .. ob:match("[^/]*$") .. "]") or name
  end
  local functions = {}
  for _, key in ipairs(order) do
    functions[#functions + 1] = { name = shown[key], self = self[key], inclusive = self[key] + (calls[key] or 0) }
  end
  table.sort(functions, function(a, b) if a.self ~= b.self then return a.self > b.self end return a.name < b.name end)
  local shown_edges = {}
  for caller, list in pairs(edges) do
    local out = {}
    for callee, cost in pairs(list) do out[shown[callee]] = (out[shown[callee]] or 0) + cost end
    shown_edges[shown[caller]] = out
  end
  return { events = events, totals = totals, functions = functions, command = command, edges = shown_edges }
end

local FOLDED_OPTIONS = {
  min_share = { "number", min = 0, max = 1 },
  max_depth = { "integer", min = 1, max = 10000 },
}
--- Folded stacks from the call graph, for rig.flame: callgrind records who called whom and
--- at what inclusive cost, not whole stacks, so each function's cost is split among its
--- callers in proportion to what each call cost (gprof's assumption). Exact for call trees
--- where a function's calls cost the same from every caller; recursion is cut where a
--- function reappears on its own path. opts.min_share (0.0005): calls below this share of
--- the total stay in their caller's own cost; opts.max_depth (64).
---@param profile rig.CallgrindProfile
---@param opts? { min_share?: number, max_depth?: integer }
---@return string folded
function M.folded(profile, opts)
  opts = check.options("folded", 2, opts, FOLDED_OPTIONS)
  local edges = profile.edges or {}
  local inclusive, called = {}, {}
  for _, f in ipairs(profile.functions) do inclusive[f.name] = f.inclusive end
  for caller, list in pairs(edges) do
    for name in pairs(list) do
      if name ~= caller then called[name] = true end
    end
  end
  local total = profile.totals[profile.events[1]] or 0
  local min_cost = total * (opts.min_share or 0.0005)
  local max_depth = opts.max_depth or 64
  local lines = {}
  local path, on_path = {}, {}
  local function walk(fn, amount)
    local children, sum = {}, 0
    if #path < max_depth and (inclusive[fn] or 0) > 0 then
      local scale = amount / inclusive[fn]
      for name, cost in pairs(edges[fn] or {}) do
        local share = cost * scale
        if not on_path[name] and share >= min_cost then
          children[#children + 1] = { name, share }
          sum = sum + share
        end
      end
    end
    -- Calls can add up to more than the caller (recursion counted twice): scale them down.
    local fit = sum > amount and amount / sum or 1
    table.sort(children, function(a, b) return a[1] < b[1] end)
    local self_cost = amount
    for _, child in ipairs(children) do
      local share = child[2] * fit
      self_cost = self_cost - share
      path[#path + 1], on_path[child[1]] = child[1], true
      walk(child[1], share)
      path[#path], on_path[child[1]] = nil, nil
    end
    local n = math.floor(self_cost + 0.5)
    if n > 0 then lines[#lines + 1] = table.concat(path, ";") .. " " .. n end
  end
  local roots = {}
  for _, f in ipairs(profile.functions) do
    if not called[f.name] and f.inclusive >= min_cost then roots[#roots + 1] = f.name end
  end
  table.sort(roots)
  for _, name in ipairs(roots) do
    path[1], on_path[name] = name, true
    walk(name, inclusive[name])
    path[1], on_path[name] = nil, nil
  end
  return table.concat(lines, "\n") .. (#lines > 0 and "\n" or "")
end

--- Runs a command under `valgrind --tool=callgrind --trace-children=yes` and returns its
--- instruction count (`Ir`, every process it starts included: one output file each, summed
--- and removed), or nil and why not. `spec` is a rig.proc spec; its timeout, if any, is
--- stretched 100 times (callgrind runs code about 50 times slower). For metrics that do not
--- move with the machine's load.
---@param spec table a rig.proc.run spec
---@return integer? instructions
---@return string? why
function M.instructions(spec)
  local fs = require "rig.fs"
  check.arg("instructions", 1, spec, "table")
  local dir, derr = fs.tmpdir("rig-callgrind")
  if not dir then return nil, derr.message end
  local prefix = dir .. "/cg"
  local run = { "valgrind", "--tool=callgrind", "--trace-children=yes", "--callgrind-out-file=" .. prefix .. ".%p.out",
    table.unpack(spec) }
  for k, v in pairs(spec) do
    if type(k) == "string" then run[k] = v end
  end
  run.timeout = spec.timeout and math.min(spec.timeout * 100, 1e9)
  run.stdout = spec.stdout or "null"
  local r, err = require("rig.proc").run(run)
  local total, why = 0, nil
  if not r then
    why = err.message
  elseif not r.ok then
    why = ("the callgrind run ended with %s"):format(r.signal_name or r.timed_out and "a timeout"
      or ("exit " .. tostring(r.code)))
  else
    local files = fs.glob(prefix .. ".*.out")
    for _, file in ipairs(files) do
      local cg, cg_err = M.read(file)
      if not cg then why = cg_err.message break end
      total = total + (cg.totals.Ir or 0)
    end
    if #files == 0 then why = "callgrind wrote no output" end
  end
  fs.remove_tree(dir, fs.dirname(dir))
  if why then return nil, why end
  return total
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
