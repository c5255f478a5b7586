--- Logging to standard error, with levels. `rig run -v` shows debug lines, `-q` only errors.
--- Colours on a terminal unless NO_COLOR is set.
local core = require "rig._native.core"

local M = {}

local LEVELS = { debug = 10, info = 20, warn = 30, error = 40, quiet = 100 }
local threshold = LEVELS.info
local use_color = core.isatty(2) and (os.getenv("NO_COLOR") or "") == ""

local STYLE = {
  debug = { "debug: ", "\27[2m" },
  info = { "", "" },
  warn = { "warning: ", "\27[33m" },
  error = { "error: ", "\27[31m" },
}

--- Sets the lowest level shown: "debug", "info", "warn", "error" or "quiet".
---@param level string
function M.set_level(level)
  if LEVELS[level] == nil then
    error("bad argument #1 to 'set_level' (one of debug, info, warn, error, quiet expected, got "
      .. tostring(level) .. ")", 2)
  end
  threshold = LEVELS[level]
end

--- The current level's name.
function M.level()
  for name, value in pairs(LEVELS) do
    if value == threshold then
      return name
    end
  end
end

--- True when messages of `level` are shown.
function M.enabled(level)
  return (LEVELS[level] or 0) >= threshold
end

local function emit(level, fmt, ...)
  if LEVELS[level] < threshold then
    return
  end
  local message = select("#", ...) > 0 and string.format(fmt, ...) or tostring(fmt)
  local prefix, color = STYLE[level][1], STYLE[level][2]
  if use_color and color ~= "" then
    io.stderr:write(color, prefix, message, "\27[0m\n")
  else
    io.stderr:write(prefix, message, "\n")
  end
end

--- `string.format`-style messages at each level.
function M.debug(fmt, ...) emit("debug", fmt, ...) end
function M.info(fmt, ...) emit("info", fmt, ...) end
function M.warn(fmt, ...) emit("warn", fmt, ...) end
function M.error(fmt, ...) emit("error", fmt, ...) end

return M
