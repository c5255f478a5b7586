--- Processes: run commands and measure them. A finished process is data (exit code, signal,
--- timeout, times, peak RSS, output); a command that cannot start returns `nil, err`.
--- The waiting, timing and killing happen in Rig's Swift core; see docs/processes.md.
local native = require "rig._native.proc"
local check = require "rig.check"

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

-- For engines that wait on spawned handles (rig.measure): count a finished child as `run`
-- does, so harness-overhead figures see it.
function M._count(result)
  counted(result)
end

--- {count, wall_s}: the children finished through this module so far.
function M.totals()
  return { count = totals.count, wall_s = totals.wall_s }
end

-- The options of a command spec (its words are the list part). The bounds are the spawn
-- binding's too (Proc+Lua.swift): seconds up to 1e9, MB up to 1e12, CPUs 0-1023.
local SPEC_FIELDS = {
  env = { "map", of = "string|number|boolean" }, env_clear = "boolean", cwd = { "string", nonempty = true },
  stdin = "any", stdout = "any", stderr = "any", timeout = check.SECONDS, kill_grace = check.SECONDS,
  max_capture = { "integer", min = 0 }, rss_limit_mb = check.MEGABYTES,
  cpu = { "integer", min = 0, max = 1023 }, keep_group = "boolean", argv = "list",
}

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
  local options = {}
  for key, value in pairs(spec) do
    if math.type(key) ~= "integer" then options[key] = value end
  end
  local why = check.record(options, SPEC_FIELDS, nil, "option")
  if why then bad(fname, why, level) end
  if spec.env then
    out.env = {}
    -- Names and values are checked above; false unsets an inherited variable.
    for k, v in pairs(spec.env) do
      if v == true then
        bad(fname, ("env.%s: a string, a number or false (to unset it) expected, got true"):format(k), level)
      end
      out.env[k] = v ~= false and tostring(v) or false
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
  out.timeout, out.kill_grace, out.rss_limit_mb = spec.timeout, spec.kill_grace, spec.rss_limit_mb
  out.max_capture = math.tointeger(spec.max_capture)
  out.cpu = math.tointeger(spec.cpu)
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

local SPAWN = { after = "rig.Process" }

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
  opts = check.options("spawn", 2, opts, SPAWN)
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
  check.arg("wait_any", 1, handles, { "list", of = "rig.Process", nonempty = true })
  check.arg("wait_any", 2, timeout_s, { "number", min = 0, finite = false, optional = true })
  return native.wait_any(handles, timeout_s)
end

--- Runs many commands, up to `opts.jobs` at a time (default 1), and returns their results in
--- input order. A command that cannot start gets `{ok = false, error = err, argv = ...}`.
---@param specs table[]
---@param opts? {jobs?: integer}
---@return table[]
function M.run_many(specs, opts)
  check.arg("run_many", 1, specs, "list")
  local normalized = {}
  for i, spec in ipairs(specs) do
    local ok, result = pcall(normalize, spec, "run_many", 1)
    if not ok then
      error(("bad argument #1 to 'run_many' (item %d: %s)"):format(i,
        tostring(result):gsub("^.-bad argument #1 to 'run_many' %((.*)%)$", "%1")), 2)
    end
    normalized[i] = result
  end
  local jobs = check.options("run_many", 2, opts, { jobs = { "integer", min = 1, max = 4096, default = 1 } }).jobs
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
  check.arg("shell", 1, command, "string")
  check.arg("shell", 2, opts, { "table", optional = true })
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
