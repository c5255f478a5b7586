--- Processes: run commands and measure them. A finished process is data (exit code, signal,
--- timeout, times, peak RSS, output); a command that cannot start returns `nil, err`.
--- The waiting, timing and killing happen in Rig's Swift core; see docs/processes.md.
local native = require "rig._native.proc"
local util = require "rig.util"

local M = {}

-- Every child that `run`, `shell`, `must_run` and `run_many` finished: how many, and their
-- wall time added up (for harness-overhead figures).
local totals = { count = 0, wall_s = 0.0 }

local function counted(result, err)
  if result then
    totals.count = totals.count + 1
    totals.wall_s = totals.wall_s + result.wall_s
  end
  return result, err
end

--- {count, wall_s}: the children finished through this module so far.
function M.totals()
  return { count = totals.count, wall_s = totals.wall_s }
end

local SPEC_FIELDS = {
  env = "table", env_clear = "boolean", cwd = "string", stdin = "any", stdout = "any",
  stderr = "any", timeout = "number", kill_grace = "number", max_capture = "number",
  rss_limit_mb = "number", cpu = "number", keep_group = "boolean", argv = "table",
}
local FIELD_NAMES = util.sorted_keys(SPEC_FIELDS)

local function bad(fname, message, level)
  error(("bad argument #1 to '%s' (%s)"):format(fname, message), level + 1)
end

local function output_mode(fname, stream, value, out, level)
  if value == nil or value == "capture" then
    out[stream .. "_mode"] = "capture"
  elseif value == "inherit" or value == "null" then
    out[stream .. "_mode"] = value
  elseif type(value) == "string" and value ~= "" then
    out[stream .. "_mode"], out[stream .. "_path"] = "file", value
  elseif type(value) == "table" and type(value.file) == "string" then
    out[stream .. "_mode"], out[stream .. "_path"] = "file", value.file
  elseif type(value) == "table" and type(value.append) == "string" then
    out[stream .. "_mode"], out[stream .. "_path"] = "append", value.append
  else
    bad(fname, ("%s must be 'capture', 'inherit', 'null', a file path, {file=PATH} or {append=PATH}")
      :format(stream), level + 1)
  end
end

--- Checks a spec and turns it into the flat table the native module reads.
--- `level` is the stack level to blame (the recipe's call).
local function normalize(spec, fname, level)
  level = level + 1
  if type(spec) ~= "table" then
    bad(fname, "table expected, got " .. type(spec), level)
  end
  local out = { argv = {} }
  local argv = spec.argv or spec
  for i, word in ipairs(argv) do
    if type(word) == "number" then
      word = tostring(word)
    elseif type(word) ~= "string" then
      bad(fname, ("command word %d is a %s, not a string"):format(i, type(word)), level)
    end
    out.argv[i] = word
  end
  if #out.argv == 0 then
    bad(fname, "a command expected: {\"program\", \"arg\", ..., option = value}", level)
  end
  for key, value in pairs(spec) do
    if math.type(key) ~= "integer" then
      local expected = SPEC_FIELDS[key]
      if expected == nil then
        local name = tostring(key)
        bad(fname, ("unknown option '%s'%s"):format(name, util.did_you_mean(name, FIELD_NAMES)), level)
      elseif expected ~= "any" and type(value) ~= expected then
        bad(fname, ("option '%s' must be a %s, got %s"):format(key, expected, type(value)), level)
      end
    end
  end
  if spec.env then
    out.env = {}
    for k, v in pairs(spec.env) do
      if type(k) ~= "string" or (type(v) ~= "string" and type(v) ~= "number") then
        bad(fname, "env must map names to strings", level)
      end
      out.env[k] = tostring(v)
    end
  end
  out.env_clear = spec.env_clear
  out.cwd = spec.cwd
  local stdin = spec.stdin
  if stdin == nil or stdin == false then
    out.stdin_mode = "null"
  elseif stdin == true then
    out.stdin_mode = "inherit"
  elseif type(stdin) == "string" then
    out.stdin_mode, out.stdin_bytes = "bytes", stdin
  elseif type(stdin) == "table" and type(stdin.file) == "string" then
    out.stdin_mode, out.stdin_path = "file", stdin.file
  else
    bad(fname, "stdin must be a string (the input), {file=PATH}, true (inherit) or false", level)
  end
  output_mode(fname, "stdout", spec.stdout, out, level)
  output_mode(fname, "stderr", spec.stderr, out, level)
  for _, key in ipairs { "timeout", "kill_grace", "rss_limit_mb" } do
    local v = spec[key]
    if v ~= nil and not (v > 0 and v < math.huge) then
      bad(fname, ("option '%s' must be a positive number of %s"):format(key,
        key == "rss_limit_mb" and "MB" or "seconds"), level)
    end
    out[key] = v
  end
  if spec.max_capture ~= nil then
    if math.type(spec.max_capture) ~= "integer" or spec.max_capture < 0 then
      bad(fname, "option 'max_capture' must be a non-negative integer (bytes)", level)
    end
    out.max_capture = spec.max_capture
  end
  if spec.cpu ~= nil then
    if math.type(spec.cpu) ~= "integer" or spec.cpu < 0 then
      bad(fname, "option 'cpu' must be a CPU number", level)
    end
    out.cpu = spec.cpu
  end
  out.keep_group = spec.keep_group
  return out
end
M._normalize = normalize

--- Runs a command to completion and returns its result table, or `nil, err` when it cannot
--- start (err.code: not_found, not_executable, bad_cwd, bad_stdin, bad_output, spawn_failed).
--- `spec`: `{"prog", "arg", ..., env=, env_clear=, cwd=, stdin=, stdout=, stderr=, timeout=,
--- kill_grace=, max_capture=, rss_limit_mb=, cpu=, keep_group=}`.
---@param spec table
---@return table? result
---@return rig.Error? err
function M.run(spec)
  return counted(native.run(normalize(spec, "run", 2)))
end

--- A result table standing for a command that could not start (`err` from run): not ok,
--- exit 127 as a shell reports it, the reason as its stderr, `spawn_error` the code. For
--- flows that classify and record results (triage, wasm runs, friend suites), so a missing
--- program is a failure like the others rather than a hole in the data.
---@param err rig.Error
---@return table
function M.not_started(err)
  return { ok = false, code = 127, stdout = "", stderr = err.message, wall_s = 0, spawn_error = err.code }
end

--- Starts a command and returns a handle: `:wait()`, `:poll()`, `:kill([sig])`, `:pid()`.
--- Use with `local p <close> = rig.proc.spawn{...}`: leaving the scope kills and reaps it.
--- `opts.after` (a handle): start the command the moment that process ends, in Rig's spawn
--- helper, without waiting for Rig (back-to-back runs while Rig records the previous one); at
--- once if it has ended. Returns at once; a queued command that cannot start, or is killed
--- before it starts (code `cancelled`), makes `:wait()` return `nil, err`. Its wall time,
--- timeout and `started_at` count from its real start.
---@param spec table
---@param opts? {after?: rig.Process}
---@return rig.Process? handle
---@return rig.Error? err
function M.spawn(spec, opts)
  local normalized = normalize(spec, "spawn", 2)
  if opts == nil then return native.spawn(normalized) end
  if type(opts) ~= "table" then
    error("bad argument #2 to 'spawn' (table expected, got " .. type(opts) .. ")", 2)
  end
  for key in pairs(opts) do
    if key ~= "after" then
      error(("bad argument #2 to 'spawn' (unknown option '%s'%s)"):format(tostring(key),
        util.did_you_mean(tostring(key), { "after" })), 2)
    end
  end
  if opts.after ~= nil and type(opts.after) ~= "userdata" then
    error("bad argument #2 to 'spawn' (option 'after' must be a rig.Process, got " .. type(opts.after) .. ")", 2)
  end
  return native.spawn(normalized, opts.after)
end

--- Waits until one of `handles` (a list of `rig.Process`) finishes and returns its position
--- in the list and its result (that handle is closed), or its position, `nil, err` when it
--- was queued with `after` and could not start. Wakes at once, without polling: for running
--- several commands at once and taking each result as it comes. With `timeout_s`, returns
--- nothing (nil) when that many seconds pass first.
---@param handles rig.Process[]
---@param timeout_s? number
---@return integer? index
---@return rig.ProcResult? result
---@return rig.Error? err
function M.wait_any(handles, timeout_s)
  if type(handles) ~= "table" or #handles == 0 then
    error("bad argument #1 to 'wait_any' (a non-empty list of rig.Process handles expected)", 2)
  end
  if timeout_s ~= nil and (type(timeout_s) ~= "number" or timeout_s ~= timeout_s or timeout_s < 0) then
    error("bad argument #2 to 'wait_any' (a number of seconds >= 0 expected)", 2)
  end
  return native.wait_any(handles, timeout_s)
end

--- Runs many commands, up to `opts.jobs` at a time (default 1), and returns their results in
--- input order. A command that cannot start gets `{ok = false, error = err, argv = ...}`.
---@param specs table[]
---@param opts? {jobs?: integer}
---@return table[]
function M.run_many(specs, opts)
  if type(specs) ~= "table" then
    error("bad argument #1 to 'run_many' (table expected, got " .. type(specs) .. ")", 2)
  end
  local normalized = {}
  for i, spec in ipairs(specs) do
    local ok, result = pcall(normalize, spec, "run_many", 1)
    if not ok then
      error(("bad argument #1 to 'run_many' (item %d: %s)"):format(i,
        tostring(result):gsub("^.-bad argument #1 to 'run_many' %((.*)%)$", "%1")), 2)
    end
    normalized[i] = result
  end
  opts = opts or {}
  local jobs = opts.jobs or 1
  if math.type(jobs) ~= "integer" or jobs < 1 then
    error("bad argument #2 to 'run_many' (jobs must be a positive integer)", 2)
  end
  local results = native.run_many(normalized, jobs)
  for _, r in ipairs(results) do
    if r and r.wall_s then counted(r) end
  end
  return results
end

--- Runs `command` through `/bin/sh -c`; `opts` as for `run`.
---@param command string
---@param opts? table
function M.shell(command, opts)
  if type(command) ~= "string" then
    error("bad argument #1 to 'shell' (string expected, got " .. type(command) .. ")", 2)
  end
  local spec = { "/bin/sh", "-c", command }
  for k, v in pairs(opts or {}) do
    if math.type(k) ~= "integer" then spec[k] = v end
  end
  return counted(native.run(normalize(spec, "shell", 2)))
end

--- Like `run`, but raises when the command cannot start or does not succeed; returns the
--- result otherwise. The error names the command, how it ended and the start of its stderr.
---@param spec table
---@return table result
function M.must_run(spec)
  local result, err = counted(native.run(normalize(spec, "must_run", 2)))
  if not result then
    error(err, 2)
  end
  if not result.ok then
    local how = result.timed_out and "timed out"
      or result.rss_exceeded and "exceeded its RSS limit"
      or result.signal and ("was killed by " .. result.signal_name)
      or ("exited with code " .. tostring(result.code))
    local tail = (result.stderr or ""):sub(1, 400):gsub("%s+$", "")
    error(("command %s %s%s"):format(table.concat(result.argv, " "), how,
      tail ~= "" and (": " .. tail) or ""), 2)
  end
  return result
end

--- Signal number for a name ("TERM", "SIGKILL") or nil; and the name for a number.
M.signal_number = native.signal_number
M.signal_name = native.signal_name

return M
