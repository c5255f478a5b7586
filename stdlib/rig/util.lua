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

--- The string keys of `t`: first those in `order` (a list, as a decoder recorded them) that
--- are still there, then the rest sorted. rig.json and rig.toml keep their documents' key
--- order so.
---@param t table
---@param order? string[]
---@return string[]
function M.ordered_keys(t, order)
  local out, seen = {}, {}
  for _, k in ipairs(order or {}) do
    if t[k] ~= nil and not seen[k] then out[#out + 1], seen[k] = k, true end
  end
  local rest = {}
  for k in pairs(t) do
    if type(k) == "string" and not seen[k] then rest[#rest + 1] = k end
  end
  table.sort(rest)
  for _, k in ipairs(rest) do out[#out + 1] = k end
  return out
end

--- The last `n` lines of `text` joined by line breaks, as Molt's tools keep stdout_tail and
--- stderr_tail (Python's `"\n".join(text.splitlines()[-n:])`: a final line break ends the
--- last line, "\r\n" counts as one).
---@param text string?
---@param n integer
---@return string
function M.tail_lines(text, n)
  local lines = {}
  text = (text or ""):gsub("\r\n", "\n")
  for line in text:gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  local last = text:match("[^\n]+$")
  if last then lines[#lines + 1] = last end
  return table.concat(lines, "\n", math.max(1, #lines - n + 1), #lines)
end

--- Splits text into words as a POSIX shell does, without expanding anything: blanks separate
--- words, '...' keeps everything literally, "..." keeps everything but \\ before $ ` " \\ or
--- a newline, a backslash outside quotes keeps the next character. Returns the words and, for
--- each, whether any of it was quoted (`{name}` unquoted may split into words; quoted it stays
--- one), or nil and why (an unterminated quote). Written by hand: no Lua package here does
--- shlex, and the rules are these few.
---@param text string
---@return string[]? words
---@return boolean[]|string quoted (or the complaint)
function M.shell_words(text)
  require("rig.check").arg("shell_words", 1, text, "string")
  local words, quoted = {}, {}
  local buf, started, was_quoted = {}, false, false
  local i, n = 1, #text
  local function finish()
    if started then
      words[#words + 1], quoted[#words + 1] = table.concat(buf), was_quoted
      buf, started, was_quoted = {}, false, false
    end
  end
  while i <= n do
    local c = text:sub(i, i)
    if c == " " or c == "\t" or c == "\n" then
      finish()
      i = i + 1
    elseif c == "'" then
      local close = text:find("'", i + 1, true)
      if not close then return nil, ("unterminated ' quote at character %d"):format(i) end
      buf[#buf + 1] = text:sub(i + 1, close - 1)
      started, was_quoted, i = true, true, close + 1
    elseif c == '"' then
      started, was_quoted, i = true, true, i + 1
      while true do
        if i > n then return nil, "unterminated \" quote" end
        local d = text:sub(i, i)
        if d == '"' then i = i + 1 break end
        if d == "\\" and text:sub(i + 1, i + 1):find('^[$`"\\\n]') then
          if text:sub(i + 1, i + 1) ~= "\n" then buf[#buf + 1] = text:sub(i + 1, i + 1) end
          i = i + 2
        else
          buf[#buf + 1] = d
          i = i + 1
        end
      end
    elseif c == "\\" then
      if i == n then return nil, "ends with a backslash" end
      if text:sub(i + 1, i + 1) ~= "\n" then  -- backslash-newline joins lines
        buf[#buf + 1] = text:sub(i + 1, i + 1)
        started, was_quoted = true, true
      end
      i = i + 2
    else
      buf[#buf + 1] = c
      started, i = true, i + 1
    end
  end
  finish()
  return words, quoted
end

-- `{name}` replaced through `value_of`, `{{` and `}}` as literal braces (Python's format).
local function fill(word, value_of)
  if not word:find("[{}]") then return word end
  local parts, i = {}, 1
  while i <= #word do
    local two = word:sub(i, i + 1)
    local name, after = word:match("^{([%w_]+)}()", i)
    if two == "{{" or two == "}}" then
      parts[#parts + 1], i = two:sub(1, 1), i + 2
    elseif name then
      local v = value_of(name)
      parts[#parts + 1], i = v ~= nil and tostring(v) or "", after
    else
      parts[#parts + 1], i = word:sub(i, i), i + 1
    end
  end
  return table.concat(parts)
end

-- A placeholder lookup into `values` that remembers the first name it lacks: value_of(name),
-- and missing() -> the complaint (with a suggestion), or nil.
local function lookup(values)
  local names, missing
  local function value_of(k)
    local v = values[k]
    if v == nil and not missing then
      names = names or M.sorted_keys(values)
      missing = ("unknown placeholder {%s}%s (known: %s; write {{ and }} for literal braces)"):format(k,
        M.did_you_mean(k, names, function(g) return "{" .. g .. "}" end),
        #names > 0 and table.concat(names, ", ") or "none")
    end
    return v
  end
  return value_of, function() return missing end
end

--- A command template to argv. `template` is a list of words (taken as they are) or a string
--- (split into shell words, quotes honoured). `{name}` is replaced from `values` inside any
--- word (`{{` and `}}` are literal braces); a word that is exactly an unquoted `{name}` of a
--- string template becomes the value's shell words (an empty value none:
--- `{diagnostics_flags}`), and one whose value is a list becomes its items (`{args}`). Returns
--- nil and why for a placeholder `values` lacks (with a suggestion) or a bad quote, so a
--- recipe can refuse the command before running anything.
---@param template string|string[]
---@param values table<string, any>
---@return string[]? argv
---@return string? why
function M.expand_command(template, values)
  local check = require "rig.check"  -- here: rig.check requires this module
  check.arg("expand_command", 1, template, "string|list")
  check.arg("expand_command", 2, values, "table")
  local words, quoted
  if type(template) == "string" then
    words, quoted = M.shell_words(template)
    if not words then return nil, quoted end
  else
    words, quoted = template, {}
    for i = 1, #words do quoted[i] = true end
  end
  local value_of, missing = lookup(values)
  local argv = {}
  for i, word in ipairs(words) do
    local whole = word:match("^{([%w_]+)}$")
    local v = whole and value_of(whole)
    if whole and type(v) == "table" then
      for _, item in ipairs(v) do argv[#argv + 1] = tostring(item) end
    elseif whole and not quoted[i] then
      local split, why = M.shell_words(v ~= nil and tostring(v) or "")
      if not split then return nil, ("{%s} = %s: %s"):format(whole, tostring(v), why) end
      for _, w in ipairs(split) do argv[#argv + 1] = w end
    else
      argv[#argv + 1] = fill(word, value_of)
    end
  end
  if missing() then return nil, missing() end
  return argv
end

--- A text template filled in: `{name}` replaced by `tostring(values[name])` (`{{` and `}}`
--- are literal braces), for a command line a shell will read (hyperfine's parameters) or a
--- label. nil and why for a placeholder `values` lacks, with a suggestion.
---@param template string
---@param values table<string, any>
---@return string? text
---@return string? why
function M.expand_text(template, values)
  local check = require "rig.check"
  check.arg("expand_text", 1, template, "string")
  check.arg("expand_text", 2, values, "table")
  local value_of, missing = lookup(values)
  local text = fill(template, value_of)
  if missing() then return nil, missing() end
  return text
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

--- True when file descriptor `fd` (0 stdin, 1 stdout, 2 stderr) is a terminal: for progress
--- lines and colours that only make sense on one.
---@param fd integer
---@return boolean
function M.isatty(fd)
  require("rig.check").arg("isatty", 1, fd, { "integer", min = 0, max = 2 })
  return require("rig._native.core").isatty(fd)
end

--- Raises a `rig.Error` {code=, message=} at `level` (position info is not added to tables,
--- so the message names the place itself when it matters).
function M.raise(code, message)
  error(require("rig._native.core").error(code, message), 0)
end

return M
