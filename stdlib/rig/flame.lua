--- Flamegraphs from folded stacks (`main;parse;lex 123` lines, the format of Brendan Gregg's
--- stackcollapse tools, py-spy and inferno): parse them into a call tree, fold `perf script`
--- output, and render a self-contained SVG (no script: every frame is a rectangle with its
--- label and a <title> tooltip) or a differential one (growth red, shrinkage blue).
--- Written here rather than shelling out to flamegraph.pl or inferno: neither is packaged for
--- Debian bookworm, and rendering is a few dozen lines once the tree exists.
local check = require "rig.check"
local core = require "rig._native.core"

local M = {}

---@class rig.FlameNode
---@field name string
---@field total number samples in this frame and below
---@field self number samples in this frame itself
---@field children rig.FlameNode[] in first-seen order
---@field index table<string, rig.FlameNode>

local function node(name)
  return { name = name, total = 0, self = 0, children = {}, index = {} }
end

local function add_stack(root, frames, count)
  root.total = root.total + count
  local at = root
  for _, f in ipairs(frames) do
    local child = at.index[f]
    if not child then
      child = node(f)
      at.index[f] = child
      at.children[#at.children + 1] = child
    end
    child.total = child.total + count
    at = child
  end
  at.self = at.self + count
end

--- Parses folded stacks into a call tree rooted at "all". Returns the tree, or nil and an
--- error {code = "folded_syntax", message, line} naming the first malformed line. Blank lines
--- are skipped; the same stack on several lines adds up.
---@param text string
---@param source? string shown in error messages
---@return rig.FlameNode? tree
---@return rig.Error? err
function M.parse_folded(text, source)
  if type(text) ~= "string" then
    error("bad argument #1 to 'parse_folded' (string expected, got " .. type(text) .. ")", 2)
  end
  local root = node("all")
  local line_no = 0
  for line in (text:sub(-1) == "\n" and text or text .. "\n"):gmatch("([^\n]*)\n") do
    line_no = line_no + 1
    line = line:gsub("\r$", "")
    if line:match("%S") then
      -- The count follows white space (the frontier: "5" alone is not a sample); an empty
      -- stack (py-spy writes " 1" for samples with no Python frame) counts at the root.
      local stack, count = line:match("^(.-)%s*%f[%S]([%d%.eE+]+)%s*$")
      count = tonumber(count)
      if not stack or not count or count < 0 or count ~= count or count == math.huge then
        local err = core.error("folded_syntax",
          ("%s:%d: expected 'frame;frame;... COUNT' (a non-negative count after the last space), got %q")
            :format(source or "folded stacks", line_no, #line > 80 and line:sub(1, 77) .. "..." or line))
        err.line = line_no
        return nil, err
      end
      local frames = {}
      if stack ~= "" then
        for f in (stack .. ";"):gmatch("([^;]*);") do frames[#frames + 1] = f ~= "" and f or "[unknown]" end
      end
      add_stack(root, frames, count)
    end
  end
  return root
end

--- Folds the text of `perf script` (one event header line, then its stack leaf first, then
--- a blank line) into folded-stack lines, root first and the command name as the root
--- frame, as stackcollapse-perf.pl does. Offsets (`+0x1f`) are dropped; a frame without a
--- symbol is shown by its module, `[unknown]` when there is none.
---@param text string
---@return string folded
function M.fold_perf_script(text)
  local counts, order = {}, {}
  local comm, frames = nil, {}
  local function flush()
    if comm and #frames > 0 then
      local path = { comm }
      for i = #frames, 1, -1 do path[#path + 1] = frames[i] end
      local key = table.concat(path, ";")
      if not counts[key] then order[#order + 1] = key end
      counts[key] = (counts[key] or 0) + 1
    end
    comm, frames = nil, {}
  end
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    if line:match("^%s*$") then
      flush()
    elseif line:match("^%s") then
      if comm then
        -- "\t    55d4c3 fib+0x1f (/tmp/prog)" or "\t 7f.. [unknown] (/usr/lib/libc.so.6)"
        local sym, module = line:match("^%s+%x+%s+(.-)%s+%((.*)%)%s*$")
        if not sym then sym = line:match("^%s+%x+%s+(.-)%s*$") end
        sym = sym and sym:gsub("%+0x%x+$", "") or "[unknown]"
        if sym == "[unknown]" and module and module ~= "[unknown]" then
          sym = "[" .. module:match("[^/]*$") .. "]"
        end
        frames[#frames + 1] = (sym:gsub(";", ":"))
      end
    else
      flush()
      -- "prog 12345 [000] 123.456: 1000000 cpu-clock:u:" -- the command may contain spaces.
      comm = line:match("^(.-)%s+%d+/?%d*%s+") or line:match("^(%S+)")
      comm = comm and comm:gsub(";", ":")
    end
  end
  flush()
  local out = {}
  for i, key in ipairs(order) do out[i] = key .. " " .. counts[key] end
  return table.concat(out, "\n") .. (#out > 0 and "\n" or "")
end

--- Every frame of the tree as a flat list {path = "a;b", name, total, self, depth}, parents
--- before children (for tables and tests).
---@param tree rig.FlameNode
---@return table[]
function M.frames(tree)
  local out = {}
  local function walk(n, path, depth)
    for _, c in ipairs(n.children) do
      local p = path and (path .. ";" .. c.name) or c.name
      out[#out + 1] = { path = p, name = c.name, total = c.total, self = c.self, depth = depth }
      walk(c, p, depth + 1)
    end
  end
  walk(tree, nil, 1)
  return out
end

--- The frames with the most samples of their own: {name, self, share} summed over every place
--- the function appears, largest first.
---@param tree rig.FlameNode
---@param top? integer
function M.top_self(tree, top)
  local by_name = {}
  for _, f in ipairs(M.frames(tree)) do by_name[f.name] = (by_name[f.name] or 0) + f.self end
  local out = {}
  for name, self in pairs(by_name) do
    if self > 0 then out[#out + 1] = { name = name, self = self, share = tree.total > 0 and self / tree.total or 0 } end
  end
  table.sort(out, function(a, b) if a.self ~= b.self then return a.self > b.self end return a.name < b.name end)
  if top then for i = #out, top + 1, -1 do out[i] = nil end end
  return out
end

local escape = require("rig.util").xml_escape

-- A warm colour that depends only on the frame's name (so the same function has the same
-- colour in every graph): FNV-1a of the name picks the hue offsets.
local function warm(name)
  local h = 2166136261
  for i = 1, #name do h = ((h ~ name:byte(i)) * 16777619) & 0xffffffff end
  local r = 205 + (h % 50)
  local g = ((h >> 8) % 170) + 40
  local b = ((h >> 16) % 55)
  return ("rgb(%d,%d,%d)"):format(r, g, b)
end

local FRAME_H, FONT_W = 16, 6.6

-- Renders the tree; `fill(node, path)` gives each frame's colour and `note(node, path)` extra
-- tooltip text.
local SVG_OPTIONS = {
  title = "string", width = { "integer", min = 100, max = 100000 }, min_width = { "number", min = 0 },
}

local function render(tree, opts, fill, note)
  local width = opts.width or 1200
  local pad, title_h = 10, 36
  local scale = tree.total > 0 and (width - 2 * pad) / tree.total or 0
  local min_w = opts.min_width or 0.1
  -- Only frames wide enough to draw count towards the height (a lone deep stack of one
  -- sample would otherwise make the picture mostly empty space).
  local max_depth = 0
  for _, f in ipairs(M.frames(tree)) do
    if f.total * scale >= min_w then max_depth = math.max(max_depth, f.depth) end
  end
  local height = title_h + (max_depth + 1) * FRAME_H + pad * 2
  local out = {
    ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">'):format(width, height,
      width, height),
    -- A faint outline keeps the near-white frames of a differential graph visible.
    '<style>text{font:11px Verdana,sans-serif;fill:#000}.t{font-size:16px;text-anchor:middle}'
      .. 'g rect{stroke:rgba(0,0,0,.2);stroke-width:.5}</style>',
    '<rect width="100%" height="100%" fill="#f8f8f8"/>',
    ('<text class="t" x="%d" y="24">%s</text>'):format(width // 2, escape(opts.title or "Flame graph")),
  }
  local function frame(n, path, depth, x)
    local w = n.total * scale
    if w < min_w then return end
    -- Flame: the root at the bottom, callees above their callers.
    local y = height - pad - (depth + 1) * FRAME_H
    local pct = tree.total > 0 and 100 * n.total / tree.total or 0
    out[#out + 1] = ('<g><title>%s (%s samples, %.2f%%%s)</title><rect x="%.2f" y="%d" width="%.2f" height="%d" '
      .. 'rx="2" fill="%s"/>'):format(escape(n.name), ("%.15g"):format(n.total), pct, note(n, path) or "", x, y, w,
      FRAME_H - 1, fill(n, path))
    local chars = math.floor((w - 6) / FONT_W)
    if chars >= 3 then
      local label = #n.name <= chars and n.name or (n.name:sub(1, chars - 2) .. "..")
      out[#out + 1] = ('<text x="%.2f" y="%d">%s</text>'):format(x + 3, y + FRAME_H - 4, escape(label))
    end
    out[#out + 1] = "</g>"
    local cx = x
    for _, c in ipairs(n.children) do
      frame(c, path and (path .. ";" .. c.name) or c.name, depth + 1, cx)
      cx = cx + c.total * scale
    end
  end
  frame(tree, nil, 0, pad)
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n") .. "\n"
end

--- An SVG flame graph of the tree: frame width by samples, the root at the bottom, labels
--- truncated to fit, one stable warm colour per function name. opts: title, width (1200),
--- min_width (frames narrower than this many pixels are left out, 0.1).
---@param tree rig.FlameNode
---@param opts? { title?: string, width?: number, min_width?: number }
---@return string svg
function M.svg(tree, opts)
  check.arg("svg", 1, tree, "table")
  opts = check.options("svg", 2, opts, SVG_OPTIONS)
  return render(tree, opts, function(n) return n.name == "all" and "rgb(220,220,220)" or warm(n.name) end,
    function() return nil end)
end

local DIFF_SVG_OPTIONS = {
  title = "string",
  width = { "integer", min = 100, max = 100000 },
  min_width = { "number", min = 0 },
  saturate = { "number", gt = 0 },
}
--- A differential flame graph: the shape of `after`, each frame coloured by how its share of
--- all samples changed from `before` (red grew, blue shrank, white unchanged; full colour at a
--- change of `opts.saturate` percentage points, default 5). Shares, not raw counts, so two
--- profiles of different lengths compare.
---@param before rig.FlameNode
---@param after rig.FlameNode
---@param opts? { title?: string, width?: number, min_width?: number, saturate?: number }
---@return string svg
function M.diff_svg(before, after, opts)
  opts = check.options("diff_svg", 3, opts, DIFF_SVG_OPTIONS)
  local old = {}
  for _, f in ipairs(M.frames(before)) do old[f.path] = f.total end
  local saturate = opts.saturate or 5
  local function change(n, path)
    if not path then return 0 end
    local a = before.total > 0 and 100 * (old[path] or 0) / before.total or 0
    local b = after.total > 0 and 100 * n.total / after.total or 0
    return b - a
  end
  local function fill(n, path)
    local d = change(n, path)
    local k = math.min(1, math.abs(d) / saturate)
    local fade = math.floor(255 * (1 - k) + 0.5)
    if d > 0 then return ("rgb(255,%d,%d)"):format(fade, fade) end
    if d < 0 then return ("rgb(%d,%d,255)"):format(fade, fade) end
    return "rgb(255,255,255)"
  end
  local function note(n, path)
    if not path then return nil end
    return (", %+.2f points"):format(change(n, path))
  end
  return render(after, { title = opts.title or "Differential flame graph", width = opts.width,
    min_width = opts.min_width }, fill, note)
end

return M
