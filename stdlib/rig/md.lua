--- Markdown for reports: tables with column alignment and escaping, and replacing the block
--- between two marker lines in an existing file (Molt's `--update-readme`), atomically.
local fs = require "rig.fs"
local core = require "rig._native.core"

local check = require "rig.check"

local M = {}

--- A table cell: `|` escaped, line breaks turned into spaces (a cell is one line).
---@param value any
---@return string
function M.escape(value)
  local text = value == nil and "" or tostring(value)
  -- Most cells need nothing: one scan instead of two substitutions (tables of thousands of
  -- rows are rewritten after sweep cases).
  if not text:find("[\n|]") then return text end
  return (text:gsub("\r?\n", " "):gsub("|", "\\|"))
end

local SEPARATORS = { left = ":---", right = "---:", center = ":---:", none = "---" }

--- One row of an unpadded table, `| a | b |` and a line break, cells escaped: for building a
--- long table a row at a time (keeping rows that do not change between rewrites).
---@param cells any[]
---@return string
function M.row(cells)
  local parts = {}
  for i = 1, #cells do parts[i] = M.escape(cells[i]) end
  return "| " .. table.concat(parts, " | ") .. " |\n"
end

local TABLE_OPTIONS = { headers = { "list", required = true }, align = "list", pad = "boolean" }

--- A markdown table. `rows` is a list of lists of cells; `opts.headers` the header cells;
--- `opts.align` a list of "left", "right", "center" or "none" per column (default "none");
--- `opts.pad` pads columns to equal width (default false: `| a | b |`). Lines end in "\n".
---@param rows any[][]
---@param opts {headers: any[], align?: string[], pad?: boolean}
---@return string
function M.table(rows, opts)
  check.arg("table", 1, rows, "list")
  opts = check.options("table", 2, opts, TABLE_OPTIONS)
  local ncol = #opts.headers
  local align = opts.align or {}
  for i = 1, ncol do
    local a = align[i] or "none"
    if not SEPARATORS[a] then
      error(("bad argument #2 to 'table' (align[%d] must be left, right, center or none, got %s)"):format(i,
        tostring(a)), 2)
    end
  end
  local cells = { {} }
  for i = 1, ncol do cells[1][i] = M.escape(opts.headers[i]) end
  for r, row in ipairs(rows) do
    if type(row) ~= "table" then error(("bad argument #1 to 'table' (row %d is not a list)"):format(r), 2) end
    local out = {}
    for i = 1, ncol do out[i] = M.escape(row[i]) end
    cells[#cells + 1] = out
  end
  local widths = {}
  for i = 1, ncol do
    widths[i] = opts.pad and #SEPARATORS[align[i] or "none"] or 0
    if opts.pad then
      for _, row in ipairs(cells) do widths[i] = math.max(widths[i], utf8.len(row[i]) or #row[i]) end
    end
  end
  local function line(row)
    local parts = {}
    for i = 1, ncol do
      local text = row[i]
      if opts.pad then
        local w = utf8.len(text) or #text
        local a = align[i] or "none"
        if a == "right" then
          text = string.rep(" ", widths[i] - w) .. text
        elseif a == "center" then
          local left = (widths[i] - w) // 2
          text = string.rep(" ", left) .. text .. string.rep(" ", widths[i] - w - left)
        else
          text = text .. string.rep(" ", widths[i] - w)
        end
      end
      parts[i] = text
    end
    return "| " .. table.concat(parts, " | ") .. " |\n"
  end
  local out = { line(cells[1]) }
  local seps = {}
  for i = 1, ncol do
    local sep = SEPARATORS[align[i] or "none"]
    if opts.pad and widths[i] > #sep then
      local dashes = string.rep("-", widths[i] - #sep)
      sep = sep:sub(1, 1) == ":" and (":" .. dashes .. sep:sub(2)) or (dashes .. sep)
    end
    seps[i] = sep
  end
  out[2] = "| " .. table.concat(seps, " | ") .. " |\n"
  for r = 2, #cells do out[#out + 1] = line(cells[r]) end
  return table.concat(out)
end

local function find_line(text, marker, from)
  local pos = from
  while true do
    local s, e = text:find(marker, pos, true)
    if not s then return nil end
    local line_start = text:sub(1, s - 1):match(".*\n()") or 1
    local line_end = text:find("\n", e + 1, true) or #text
    -- The marker must be the whole line (surrounding white space allowed).
    if text:sub(line_start, line_end):match("^%s*(.-)%s*$") == marker then return line_start, line_end end
    pos = e + 1
  end
end

--- Replaces what lies between the line `start_marker` and the line `end_marker` in `text`
--- with `content` (markers kept). Returns the new text, or nil and an error when a marker is
--- missing or out of order.
---@return string? text
---@return rig.Error? err
function M.replace_block_text(text, start_marker, end_marker, content)
  local _, start_end = find_line(text, start_marker, 1)
  if not start_end then
    return nil, core.error("markers_not_found", "start marker '" .. start_marker .. "' not found")
  end
  local end_start = find_line(text, end_marker, start_end + 1)
  if not end_start then
    return nil, core.error("markers_not_found", "end marker '" .. end_marker .. "' not found after the start marker")
  end
  if content ~= "" and content:sub(-1) ~= "\n" then content = content .. "\n" end
  return text:sub(1, start_end) .. content .. text:sub(end_start)
end

--- Replaces the block between two marker lines in a file, atomically. Returns true when the
--- file changed, false when it already had that content, or nil, err.
function M.replace_block(path, start_marker, end_marker, content)
  local text, err = fs.read(path)
  if not text then return nil, err end
  local new, err2 = M.replace_block_text(text, start_marker, end_marker, content)
  if not new then
    err2.message = path .. ": " .. err2.message
    return nil, err2
  end
  if new == text then return false end
  local ok, err3 = fs.write(path, new)
  if not ok then return nil, err3 end
  return true
end

return M
