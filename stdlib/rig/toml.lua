--- TOML 1.0 decoding (friend-suite manifests and other configuration). Errors name the line:
--- `manifest.toml:12: expected '=' after a key`. Dates and times come back as their RFC 3339
--- text. Written by hand: the one TOML package for Swift on this machine (TOMLKit) depends on
--- a package the machine cannot fetch, and native Lua modules are not loaded by Rig.
local M = {}

--- How deep arrays and inline tables may nest (rig.json's bound too).
M.MAX_DEPTH = 2000

-- The order keys were written in, per decoded table (weak: it goes with the table).
local ORDER = setmetatable({}, { __mode = "k" })

-- Sets a new key, remembering its place.
local function put(t, k, v)
  local order = ORDER[t]
  if not order then
    order = {}
    ORDER[t] = order
  end
  order[#order + 1] = k
  t[k] = v
end

--- The keys of a decoded table in the order the document wrote them (as Python's tomllib
--- keeps them); keys added later come after, sorted.
---@param t table
---@return string[]
function M.keys(t)
  if type(t) ~= "table" then error("bad argument #1 to 'keys' (table expected, got " .. type(t) .. ")", 2) end
  return require("rig.util").ordered_keys(t, ORDER[t])
end

local Parser = {}
Parser.__index = Parser

local function new_parser(text, source)
  return setmetatable({ text = text, pos = 1, depth = 0, source = source or "toml" }, Parser)
end

function Parser:line_at(pos)
  local n = 1
  for _ in self.text:sub(1, (pos or self.pos) - 1):gmatch("\n") do n = n + 1 end
  return n
end

function Parser:fail(message, pos)
  error({ toml_error = true, message = ("%s:%d: %s"):format(self.source, self:line_at(pos), message) }, 0)
end

function Parser:peek(n) return self.text:sub(self.pos, self.pos + (n or 1) - 1) end

function Parser:describe()
  local c = self:peek()
  if c == "" then return "the end of the file" end
  if c == "\n" then return "the end of the line" end
  return "'" .. c .. "'"
end

function Parser:skip_ws()
  local _, e = self.text:find("^[ \t]*", self.pos)
  self.pos = e + 1
end

-- White space, comments and newlines (inside arrays).
function Parser:skip_ws_nl()
  while true do
    local _, e = self.text:find("^[ \t\r\n]*", self.pos)
    self.pos = e + 1
    if self:peek() == "#" then
      self:skip_comment()
    else
      return
    end
  end
end

function Parser:skip_comment()
  if self:peek() == "#" then
    local e = self.text:find("\n", self.pos, true) or (#self.text + 1)
    local comment = self.text:sub(self.pos, e - 1)
    if comment:find("[%z\1-\8\11-\31\127]") then self:fail("control character in a comment") end
    self.pos = e
  end
end

-- After a value or header: optional white space and comment, then a newline or the end.
function Parser:end_of_line()
  self:skip_ws()
  self:skip_comment()
  local c = self:peek()
  if c == "\r" and self:peek(2) == "\r\n" then
    self.pos = self.pos + 2
  elseif c == "\n" then
    self.pos = self.pos + 1
  elseif c ~= "" then
    self:fail("expected the end of the line, found " .. self:describe())
  end
end

local ESCAPES = { b = "\b", t = "\t", n = "\n", f = "\f", r = "\r", ['"'] = '"', ["\\"] = "\\" }

function Parser:basic_string(multiline)
  local open = self.pos
  self.pos = self.pos + (multiline and 3 or 1)
  if multiline then
    if self:peek(2) == "\r\n" then self.pos = self.pos + 2 elseif self:peek() == "\n" then self.pos = self.pos + 1 end
  end
  local out = {}
  while true do
    local c = self:peek()
    if c == "" then self:fail("unterminated string", open) end
    if multiline and self:peek(3) == '"""' then
      -- Up to two quotes may end the content right before the closing three.
      local extra = 0
      while self.text:sub(self.pos + 3 + extra, self.pos + 3 + extra) == '"' and extra < 2 do extra = extra + 1 end
      out[#out + 1] = string.rep('"', extra)
      self.pos = self.pos + 3 + extra
      return table.concat(out)
    elseif not multiline and c == '"' then
      self.pos = self.pos + 1
      return table.concat(out)
    elseif c == "\\" then
      local e = self.text:sub(self.pos + 1, self.pos + 1)
      if ESCAPES[e] then
        out[#out + 1] = ESCAPES[e]
        self.pos = self.pos + 2
      elseif e == "u" or e == "U" then
        local n = e == "u" and 4 or 8
        local hex = self.text:sub(self.pos + 2, self.pos + 1 + n)
        if #hex ~= n or not hex:match("^%x+$") then self:fail("invalid \\" .. e .. " escape") end
        local code = tonumber(hex, 16)
        if code > 0x10FFFF or (code >= 0xD800 and code < 0xE000) then
          self:fail("escape \\" .. e .. hex .. " is not a Unicode scalar value")
        end
        out[#out + 1] = utf8.char(code)
        self.pos = self.pos + 2 + n
      elseif multiline and self.text:find("^\\[ \t]*\r?\n", self.pos) then
        -- Line-ending backslash: drop it and all white space up to the next content.
        local _, e2 = self.text:find("^\\[ \t]*\r?\n[ \t\r\n]*", self.pos)
        self.pos = e2 + 1
      else
        self:fail("invalid escape '\\" .. e .. "' in a string")
      end
    elseif c == "\n" and not multiline then
      self:fail("newline in a single-line string", open)
    elseif c:find("[%z\1-\8\11-\31\127]") and not (multiline and c == "\r") then
      self:fail("control character in a string")
    else
      out[#out + 1] = c
      self.pos = self.pos + 1
    end
  end
end

function Parser:literal_string(multiline)
  local open = self.pos
  if multiline then
    self.pos = self.pos + 3
    if self:peek(2) == "\r\n" then self.pos = self.pos + 2 elseif self:peek() == "\n" then self.pos = self.pos + 1 end
    local s = self.text:find("'''", self.pos, true)
    if not s then self:fail("unterminated string", open) end
    local extra = 0
    while self.text:sub(s + 3 + extra, s + 3 + extra) == "'" and extra < 2 do extra = extra + 1 end
    local value = self.text:sub(self.pos, s - 1 + extra)
    self.pos = s + 3 + extra
    return value
  end
  self.pos = self.pos + 1
  local s = self.text:find("['\n]", self.pos)
  if not s or self.text:sub(s, s) ~= "'" then self:fail("unterminated string", open) end
  local value = self.text:sub(self.pos, s - 1)
  self.pos = s + 1
  return value
end

function Parser:key_part()
  local c = self:peek()
  if c == '"' then return self:basic_string(false) end
  if c == "'" then return self:literal_string(false) end
  local s, e = self.text:find("^[A-Za-z0-9_%-]+", self.pos)
  if not s then self:fail("expected a key, found " .. self:describe()) end
  self.pos = e + 1
  return self.text:sub(s, e)
end

-- A dotted key: a list of parts.
function Parser:key()
  local parts = {}
  while true do
    self:skip_ws()
    parts[#parts + 1] = self:key_part()
    self:skip_ws()
    if self:peek() ~= "." then return parts end
    self.pos = self.pos + 1
  end
end

local DATETIME = {
  "^%d%d%d%d%-%d%d%-%d%d[Tt ]%d%d:%d%d:%d%d[%.%d]*[Zz]",
  "^%d%d%d%d%-%d%d%-%d%d[Tt ]%d%d:%d%d:%d%d[%.%d]*[+-]%d%d:%d%d",
  "^%d%d%d%d%-%d%d%-%d%d[Tt ]%d%d:%d%d:%d%d[%.%d]*",
  "^%d%d%d%d%-%d%d%-%d%d",
  "^%d%d:%d%d:%d%d[%.%d]*",
}

function Parser:number_or_date()
  for _, pattern in ipairs(DATETIME) do
    local s, e = self.text:find(pattern, self.pos)
    if s then
      self.pos = e + 1
      return self.text:sub(s, e)
    end
  end
  local s, e = self.text:find("^[+-]?[%w_%.+-]+", self.pos)
  local word = self.text:sub(s or self.pos, e or self.pos - 1)
  self.pos = (e or self.pos - 1) + 1
  local sign, body = word:match("^([+-]?)(.*)$")
  if body == "inf" then return sign == "-" and -math.huge or math.huge end
  if body == "nan" then return 0 / 0 end
  local function digits(text, class)
    -- Underscores only between digits.
    if text == "" or text:find("^_") or text:find("_$") or text:find("__") then return nil end
    if not text:gsub("_", ""):match("^" .. class .. "+$") then return nil end
    return text:gsub("_", "")
  end
  local prefix, rest = body:match("^0([xob])(.*)$")
  if prefix then
    if sign ~= "" then self:fail("a sign is not allowed on a hex, octal or binary integer") end
    local class = ({ x = "%x", o = "[0-7]", b = "[01]" })[prefix]
    local d = digits(rest, class)
    if not d then self:fail("invalid integer '" .. word .. "'") end
    local base = ({ x = 16, o = 8, b = 2 })[prefix]
    local value = 0
    for ch in d:gmatch(".") do value = value * base + tonumber(ch, 16) end
    return value
  end
  local int_part = body:match("^[%d_]+$")
  if int_part then
    local d = digits(int_part, "%d")
    if not d or (d:sub(1, 1) == "0" and #d > 1) then self:fail("invalid integer '" .. word .. "'") end
    local value = math.tointeger(tonumber(sign .. d))
    if not value then self:fail("integer '" .. word .. "' does not fit 64 bits") end
    return value
  end
  local mantissa, exponent = body:match("^([%d_%.]+)[eE]([+-]?[%d_]+)$")
  mantissa = mantissa or body
  local whole, frac = mantissa:match("^([%d_]+)%.([%d_]+)$")
  if not whole then whole = mantissa end
  local ok = digits(whole, "%d") and (not frac or digits(frac, "%d"))
    and (not exponent or digits(exponent:gsub("^[+-]", ""), "%d"))
    and not (whole:gsub("_", ""):sub(1, 1) == "0" and #whole:gsub("_", "") > 1)
    and (frac or exponent)
  if not ok then self:fail("invalid value '" .. word .. "'") end
  return tonumber(sign .. body:gsub("_", "")) + 0.0
end

function Parser:value()
  local c = self:peek()
  if c == '"' then return self:basic_string(self:peek(3) == '"""') end
  if c == "'" then return self:literal_string(self:peek(3) == "'''") end
  if c == "[" or c == "{" then
    -- Nesting is bounded as rig.json's is, so a hostile file is a syntax error, not a Lua
    -- stack overflow with no file or line.
    if self.depth >= M.MAX_DEPTH then self:fail(("nesting deeper than %d"):format(M.MAX_DEPTH)) end
    self.depth = self.depth + 1
    local v
    if c == "[" then v = self:array() else v = self:inline_table() end
    self.depth = self.depth - 1
    return v
  end
  if self.text:find("^true", self.pos) then self.pos = self.pos + 4 return true end
  if self.text:find("^false", self.pos) then self.pos = self.pos + 5 return false end
  if c:match("[%d+-.in]") then return self:number_or_date() end
  self:fail("expected a value, found " .. self:describe())
end

function Parser:array()
  self.pos = self.pos + 1
  local out = {}
  while true do
    self:skip_ws_nl()
    if self:peek() == "]" then
      self.pos = self.pos + 1
      return out
    end
    out[#out + 1] = self:value()
    self:skip_ws_nl()
    local c = self:peek()
    if c == "," then
      self.pos = self.pos + 1
    elseif c == "]" then
      self.pos = self.pos + 1
      return out
    else
      self:fail("expected ',' or ']' in an array, found " .. self:describe())
    end
  end
end

-- Sets a dotted key in `t`; `defined` remembers tables made by dotted keys and inline tables.
function Parser:assign(t, parts, value, frozen)
  for i = 1, #parts - 1 do
    local k = parts[i]
    local v = t[k]
    if v == nil then
      v = {}
      put(t, k, v)
    elseif type(v) ~= "table" or frozen[v] then
      self:fail("key '" .. table.concat(parts, ".", 1, i) .. "' is already defined")
    end
    t = v
  end
  local last = parts[#parts]
  if t[last] ~= nil then self:fail("key '" .. table.concat(parts, ".") .. "' is defined twice") end
  put(t, last, value)
end

function Parser:inline_table()
  self.pos = self.pos + 1
  local out = {}
  self:skip_ws()
  if self:peek() == "}" then
    self.pos = self.pos + 1
    self.frozen[out] = true
    return out
  end
  while true do
    local parts = self:key()
    if self:peek() ~= "=" then self:fail("expected '=' after a key, found " .. self:describe()) end
    self.pos = self.pos + 1
    self:skip_ws()
    self:assign(out, parts, self:value(), self.frozen)
    self:skip_ws()
    local c = self:peek()
    if c == "," then
      self.pos = self.pos + 1
    elseif c == "}" then
      self.pos = self.pos + 1
      self.frozen[out] = true
      return out
    else
      self:fail("expected ',' or '}' in an inline table, found " .. self:describe())
    end
  end
end

function Parser:document()
  local root = {}
  local current = root
  self.frozen = setmetatable({}, { __mode = "k" })  -- inline tables and arrays: closed
  local explicit = {}  -- tables defined by a [header]
  local arrays = {}  -- arrays made by [[headers]]
  while true do
    self:skip_ws_nl()
    if self.pos > #self.text then return root end
    if self:peek(2) == "[[" then
      local at = self.pos
      self.pos = self.pos + 2
      local parts = self:key()
      if self:peek(2) ~= "]]" then self:fail("expected ']]' after a table array name, found " .. self:describe()) end
      self.pos = self.pos + 2
      self:end_of_line()
      local t = root
      for i = 1, #parts - 1 do
        local v = t[parts[i]]
        if v == nil then
          v = {}
          put(t, parts[i], v)
        elseif type(v) ~= "table" or self.frozen[v] then
          self:fail("'" .. table.concat(parts, ".", 1, i) .. "' is not a table", at)
        end
        if arrays[v] then v = v[#v] end
        t = v
      end
      local last = parts[#parts]
      local list = t[last]
      if list == nil then
        list = {}
        put(t, last, list)
        arrays[list] = true
      elseif not arrays[list] then
        self:fail("'" .. table.concat(parts, ".") .. "' is already defined and is not an array of tables", at)
      end
      current = {}
      list[#list + 1] = current
    elseif self:peek() == "[" then
      local at = self.pos
      self.pos = self.pos + 1
      local parts = self:key()
      if self:peek() ~= "]" then self:fail("expected ']' after a table name, found " .. self:describe()) end
      self.pos = self.pos + 1
      self:end_of_line()
      local t = root
      for i = 1, #parts do
        local v = t[parts[i]]
        if v == nil then
          v = {}
          put(t, parts[i], v)
        elseif type(v) ~= "table" or self.frozen[v] then
          self:fail("'" .. table.concat(parts, ".", 1, i) .. "' is already defined as a value", at)
        end
        if arrays[v] then v = v[#v] end
        t = v
      end
      if explicit[t] then self:fail("table [" .. table.concat(parts, ".") .. "] is defined twice", at) end
      explicit[t] = true
      current = t
    else
      local parts = self:key()
      if self:peek() ~= "=" then self:fail("expected '=' after a key, found " .. self:describe()) end
      self.pos = self.pos + 1
      self:skip_ws()
      self:assign(current, parts, self:value(), self.frozen)
      self:end_of_line()
    end
  end
end

--- Parses TOML text. Returns a table, or nil and an error {code = "toml_syntax", message
--- naming `source` (default "toml") and the line}.
---@param text string
---@param source? string a name for messages (a file path)
function M.decode(text, source)
  if type(text) ~= "string" then
    error("bad argument #1 to 'decode' (string expected, got " .. type(text) .. ")", 2)
  end
  local parser = new_parser(text, source)
  local ok, result = pcall(parser.document, parser)
  if ok then return result end
  if type(result) == "table" and result.toml_error then
    return nil, require("rig._native.core").error("toml_syntax", result.message)
  end
  error(result, 0)
end

--- Reads and parses a TOML file; nil, err when it cannot be read or parsed.
function M.read(path)
  local text, err = require("rig.fs").read(path)
  if not text then return nil, err end
  return M.decode(text, path)
end

return M
