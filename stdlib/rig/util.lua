--- Small helpers shared by the stdlib: suggestions for misspelt names, table utilities.
local M = {}

--- Levenshtein edit distance between two strings (bytes).
---@param a string
---@param b string
---@return integer
function M.edit_distance(a, b)
  local la, lb = #a, #b
  if la == 0 then return lb end
  if lb == 0 then return la end
  local previous, current = {}, {}
  for j = 0, lb do previous[j] = j end
  for i = 1, la do
    current[0] = i
    local ca = a:byte(i)
    for j = 1, lb do
      local cost = (ca == b:byte(j)) and 0 or 1
      local best = previous[j - 1] + cost
      if previous[j] + 1 < best then best = previous[j] + 1 end
      if current[j - 1] + 1 < best then best = current[j - 1] + 1 end
      current[j] = best
    end
    previous, current = current, previous
  end
  return previous[lb]
end

--- The candidate closest to `word`, or nil when none is close enough to be a plausible typo
--- (a unique prefix, or an edit distance of at most max(2, #word // 3)).
---@param word string
---@param candidates string[]
---@return string?
function M.closest(word, candidates)
  local prefixed
  for _, candidate in ipairs(candidates) do
    if candidate:sub(1, #word) == word then
      if prefixed then prefixed = false break end
      prefixed = candidate
    end
  end
  if prefixed then return prefixed end
  local best, best_distance = nil, math.max(2, #word // 3) + 1
  for _, candidate in ipairs(candidates) do
    local d = M.edit_distance(word, candidate)
    if d < best_distance then
      best, best_distance = candidate, d
    end
  end
  return best
end

--- " (did you mean 'x'?)" or "".
function M.did_you_mean(word, candidates, decorate)
  local guess = M.closest(word, candidates)
  if not guess then return "" end
  return "; did you mean '" .. (decorate and decorate(guess) or guess) .. "'?"
end

--- Escapes text for XML and HTML (text and attribute values): & < > " '.
---@param s any converted with tostring
---@return string
function M.xml_escape(s)
  return (tostring(s):gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;",
    ["'"] = "&#39;" }))
end

--- The last `n` lines of `text` (trailing empty lines dropped), as Molt's tools keep
--- stdout_tail and stderr_tail.
---@param text string?
---@param n integer
---@return string
function M.tail_lines(text, n)
  local lines = {}
  for line in (text or ""):gmatch("[^\n]*") do lines[#lines + 1] = line end
  while #lines > 0 and lines[#lines] == "" do lines[#lines] = nil end
  return table.concat(lines, "\n", math.max(1, #lines - n + 1), #lines)
end

--- A command template to argv: split at white space, `{name}` replaced from `values`; a
--- value with spaces becomes several words and an empty one none (`{diagnostics_flags}`).
--- No shell quoting: a word cannot hold a space (use a wrapper script for that).
---@param template string
---@param values table<string, any>
---@return string[]
function M.expand_command(template, values)
  local argv = {}
  for word in template:gmatch("%S+") do
    local expanded = word:gsub("{([%w_]+)}", function(k)
      local v = values[k]
      return v ~= nil and tostring(v) or nil
    end)
    for w in expanded:gmatch("%S+") do argv[#argv + 1] = w end
  end
  return argv
end

--- `{"A=1", "B=x=y"}` (repeatable NAME=VALUE options) to `{A = "1", B = "x=y"}`; nil and a
--- message naming `flag` and the bad item when one has no `=` or an empty name.
---@param list string[]
---@param flag string the option, for the message (e.g. "--env")
---@return table<string, string>?
---@return string? why
function M.parse_assignments(list, flag)
  local out = {}
  for _, item in ipairs(list) do
    local k, v = item:match("^([^=]+)=(.*)$")
    if not k then return nil, ("%s %s: expected NAME=VALUE"):format(flag, item) end
    out[k] = v
  end
  return out
end

--- Sorted keys of a table.
function M.sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(x, y) return tostring(x) < tostring(y) end)
  return keys
end

--- SHA-256 of a string, as lowercase hex.
M.sha256 = require("rig._native.core").sha256

--- Raises a `rig.Error` {code=, message=} at `level` (position info is not added to tables,
--- so the message names the place itself when it matters).
function M.raise(code, message)
  error(require("rig._native.core").error(code, message), 0)
end

return M
