--- Failure classification as data: rule tables map a finished process (exit code, signal,
--- timeout, RSS, the text of its output) to a failure class and detail. Ships Molt's native
--- signatures and statuses (its bench.py) and its wasm classes (bench_wasm.py); teams add
--- their own rules. Used by rig.bench, rig.wasm and rig.triage. docs/triage.md.
local check = require "rig.check"

local M = {}

local function as_set(v)
  if v == nil then return nil end
  local set = {}
  for _, x in ipairs(type(v) == "table" and v or { v }) do set[x] = true end
  return set
end

local function lower_case(list)
  for _, s in ipairs(list) do
    if s ~= s:lower() then return false, ("has '%s', which must be lower case: the text is folded"):format(s) end
  end
  return true
end

-- A signal: true/false (any/none), a number, or a name with or without SIG ("SEGV", "SIGSEGV").
local function signal_value(v)
  if type(v) == "boolean" then return true end
  if math.type(v) == "integer" then return v >= 1 and v <= 64, "must be a signal number from 1 to 64" end
  if type(v) == "string" and require("rig._native.proc").signal_number(v) then return true end
  return false, "must be true, false, a signal number or a signal name such as \"SEGV\", got " .. tostring(v)
end

local function exit_value(v)
  local list = type(v) == "table" and v or { v }
  for _, x in ipairs(list) do
    if math.type(x) ~= "integer" then
      return false, "must be an exit code (an integer) or a list of them, got " .. type(x) .. " " .. tostring(x)
    end
  end
  return true
end

local RULE = {
  class = { "string", required = true, nonempty = true },
  detail = "string|callable",
  runner = "string|list",
  any = { "list", of = "string", check = lower_case },
  all = { "list", of = "string", check = lower_case },
  patterns = { "list", of = "string" },
  anywhere = "boolean",
  exit = { "integer|list", check = exit_value },
  signal = { "any", check = signal_value },
  timed_out = "boolean",
  rss_exceeded = "boolean",
  when = "callable",
}

local function check_rule(i, rule)
  local why = check.record(rule, RULE)
  if why then check.fail("classifier", 1, ("rule %d: %s"):format(i, why), 1) end
  local signal = rule.signal
  if type(signal) == "string" then signal = require("rig._native.proc").signal_number(signal) end
  return {
    class = rule.class, detail = rule.detail, runners = as_set(rule.runner), any = rule.any, all = rule.all,
    patterns = rule.patterns, anywhere = rule.anywhere, exits = as_set(rule.exit), signal = signal,
    timed_out = rule.timed_out, rss_exceeded = rule.rss_exceeded, when = rule.when,
  }
end

-- The window a rule looks at: the first `lines` lines and `chars` characters of stderr (else
-- stdout), lower-cased, as Molt's _classify_failure does.
local function head_of(text, lines, chars)
  local out, n = {}, 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    if n > lines then break end
    out[n] = line
  end
  return table.concat(out, "\n"):sub(1, chars)
end

local function matches(rule, result, head, whole, ctx)
  if rule.runners and not rule.runners[ctx.runner or false] then return false end
  if rule.timed_out ~= nil and (result.timed_out == true) ~= rule.timed_out then return false end
  if rule.rss_exceeded ~= nil and (result.rss_exceeded == true) ~= rule.rss_exceeded then return false end
  if rule.signal ~= nil then
    if rule.signal == true then
      if not result.signal then return false end
    elseif rule.signal == false then
      if result.signal then return false end
    elseif result.signal ~= rule.signal then
      return false
    end
  end
  if rule.exits and not rule.exits[result.code or false] then return false end
  local text = rule.anywhere and whole or head
  if rule.all then
    for _, s in ipairs(rule.all) do
      if not text:find(s, 1, true) then return false end
    end
  end
  if rule.any then
    local found = false
    for _, s in ipairs(rule.any) do
      if text:find(s, 1, true) then found = true break end
    end
    if not found then return false end
  end
  if rule.patterns then
    local found = false
    for _, p in ipairs(rule.patterns) do
      if text:find(p) then found = true break end
    end
    if not found then return false end
  end
  if rule.when and not rule.when(result, ctx) then return false end
  return true
end

local CLASSIFIER = {
  default = "string",
  head_lines = { "integer", min = 1, default = 8 },
  head_chars = { "integer", min = 1, default = 1200 },
}

--- Compiles a rule table into a classifier `function(result, ctx) -> class, detail`. The first
--- rule whose every given condition holds names the class; otherwise `opts.default` (nil:
--- unclassified). Conditions: `runner` (a name or list, from ctx.runner), `timed_out`,
--- `rss_exceeded`, `signal` (true: any; a number or name), `exit` (a code or list), `all` and
--- `any` (lower-case substrings), `patterns` (Lua patterns, any), `when(result, ctx)`. Text
--- conditions look at the first `opts.head_lines` (8) lines and `opts.head_chars` (1200)
--- characters of stderr, else stdout, lower-cased; `anywhere = true` searches all of both.
--- `detail` is a string or a function(result, ctx). A malformed rule raises at once.
---@param rules table[]
---@param opts? { default?: string, head_lines?: integer, head_chars?: integer }
---@return fun(result: table, ctx?: table): string?, string?
function M.classifier(rules, opts)
  check.arg("classifier", 1, rules, "list")
  opts = check.options("classifier", 2, opts, CLASSIFIER)
  local compiled = {}
  for i, rule in ipairs(rules) do compiled[i] = check_rule(i, rule) end
  local lines, chars, default = opts.head_lines, opts.head_chars, opts.default
  return function(result, ctx)
    ctx = ctx or {}
    local stderr, stdout = result.stderr or "", result.stdout or ""
    local primary = stderr:find("%S") and stderr or stdout
    local head = head_of(primary, lines, chars):lower()
    local whole
    for _, rule in ipairs(compiled) do
      if rule.anywhere and not whole then whole = (stderr .. "\n" .. stdout):lower() end
      if matches(rule, result, head, whole, ctx) then
        local detail = rule.detail
        if type(detail) == "function" then detail = detail(result, ctx) end
        return rule.class, detail
      end
    end
    return default, nil
  end
end

--- The plain classes rig.triage uses when no classifier is given: `timeout`, `signal_exit`,
--- else (default) `exit_nonzero`.
M.BASIC_RULES = {
  { class = "timeout", timed_out = true },
  { class = "signal_exit", signal = true },
}

local basic_classifier

--- Classifies with M.BASIC_RULES: timeout, signal_exit or exit_nonzero.
---@param result table
---@return string
function M.basic(result)
  basic_classifier = basic_classifier or M.classifier(M.BASIC_RULES, { default = "exit_nonzero" })
  return (basic_classifier(result))
end

--- Molt's wasm failure classes (bench_wasm.py's _classify_failure), in its order, with two of
--- Rig's own first: a sample stopped by Rig's timeout or RSS guard is `timeout` or
--- `runner_oom` for certain, whatever it printed. Signatures Molt's reference names are used
--- as written; the others (V8's heap-OOM, function-limit, node's RuntimeError traps and the
--- runners' proc_exit lines) are the words node 20 and Wasmtime print, seen in the tests.
--- `invalid_timing` is a run that succeeded with no usable time; build failures are
--- `build_setup_error` (set by rig.wasm, not by text).
M.MOLT_WASM_RULES = {
  { class = "invalid_timing", when = function(r) return r.invalid_timing == true end },
  { class = "timeout", timed_out = true, detail = function(r) return ("timeout_s=%s"):format(r.timeout_s or "?") end },
  { class = "runner_oom", rss_exceeded = true, detail = "rss_limit_exceeded" },
  { class = "node_v8_zone_oom", runner = "node",
    any = { "zone allocation failed", "fatal process out of memory: zone" } },
  -- V8 prints its GC trace before "FATAL ERROR", so the words can be past the first 8 lines.
  { class = "node_v8_heap_oom", runner = "node", anywhere = true,
    any = { "javascript heap out of memory", "reached heap limit", "fatal process out of memory" } },
  { class = "node_wasm_compile_oom", runner = "node", all = { "out of memory" },
    any = { "webassembly.instantiate", "webassembly.compile", "webassembly.module" } },
  { class = "node_wasm_function_limit", runner = "node", all = { "exceeds internal limit" },
    any = { "functions count", "function count", "function size" } },
  { class = "process_signal", signal = true },
  { class = "runner_oom", any = { "out of memory", "memory allocation of", "cannot allocate memory",
    "failed to grow memory" } },
  -- Wasmtime says "wasm trap: ..."; node says "RuntimeError: unreachable" (or "memory access
  -- out of bounds", "divide by zero", ...): RuntimeError is WebAssembly's own error type.
  { class = "wasm_trap", any = { "trap", "runtimeerror:" } },
  { class = "linked_artifact_missing", all = { "linked" }, any = { "missing", "not found", "enoent", "no such file" } },
  { class = "wasi_proc_exit", any = { "proc_exit", "exited with i32 exit status" } },
}

local molt_wasm_classifier

--- Classifies a failed wasm run the way Molt's bench_wasm.py does (M.MOLT_WASM_RULES,
--- default `runner_error`). `runner` is "node", "wasmtime" or another runner's name.
---@param result table a rig.proc result (may carry invalid_timing = true)
---@param runner string
---@return string class, string? detail
function M.molt_wasm(result, runner)
  molt_wasm_classifier = molt_wasm_classifier or M.classifier(M.MOLT_WASM_RULES, { default = "runner_error" })
  return molt_wasm_classifier(result, { runner = runner })
end

--- Molt's build-failure signatures (case-insensitive substrings of stderr + stdout), in order.
M.MOLT_BUILD_SIGNATURES = {
  { "native_runtime_staticlib_build_failed", "native runtime staticlib build failed" },
  { "backend_daemon_empty_response", "backend daemon returned empty response" },
  { "backend_daemon_died_in_flight", "backend daemon died" },
  { "backend_daemon_process_not_running", "backend daemon process is not running" },
  { "backend_daemon_closed_response_pipe", "backend daemon closed" },
  { "batch_server_response_timeout", "batch server response timed out" },
  { "batch_server_closed_response_pipe", "batch server closed" },
  { "batch_server_process_not_running", "batch server process is not running" },
  { "batch_server_protocol_unsynchronized", "batch server protocol unsynchronized" },
  { "batch_server_response_id_mismatch", "batch server response id mismatch" },
  { "batch_server_invalid_response_type", "batch server invalid response type" },
  { "batch_server_invalid_json", "batch server returned invalid json" },
}

--- Molt's run-failure signatures.
M.MOLT_RUN_SIGNATURES = {
  { "molt_runtime_invalid_object_header_before_dec_ref", "molt fatal: invalid object header before dec_ref" },
  { "molt_runtime_fatal", "molt fatal:" },
}

local function first_match(text, signatures)
  local folded = text:lower()
  for _, sig in ipairs(signatures) do
    if folded:find(sig[2], 1, true) then return sig[1] end
  end
end

local TAIL = 4000

--- The last 4000 characters, marked when cut (Molt's MAX_FAILURE_MESSAGE_CHARS).
function M.tail(text)
  text = text or ""
  if #text <= TAIL then return text end
  return "... <truncated to last 4000 chars>\n" .. text:sub(-TAIL)
end

--- Classifies a failed build or run of a lane the way Molt's bench.py does: a run failure
--- whose output carries a build signature counts as a build failure; the status follows
--- the precedence rss_limit_exceeded > timeout > signal_exit > daemon_crash >
--- runtime_crash > build_failed / runtime_failed. `result` is a rig.proc result (or nil
--- with `spawn_error` for a command that could not start). Returns Molt's failure payload.
---@param phase "build"|"run"
---@param result table?
---@param spawn_error? table
---@return table
function M.molt_failure(phase, result, spawn_error)
  result = result or {}
  local text = (result.stderr or "") .. "\n" .. (result.stdout or "")
  local build_detail = first_match(text, M.MOLT_BUILD_SIGNATURES)
  if phase == "run" and build_detail then phase = "build" end
  local detail = build_detail or first_match(text, M.MOLT_RUN_SIGNATURES)
  local status
  if result.rss_exceeded then
    status = "rss_limit_exceeded"
  elseif result.timed_out then
    status = "timeout"
  elseif result.signal then
    status = "signal_exit"
  elseif phase == "build" and detail and (detail:find("^backend_daemon_") or detail:find("^batch_server_")) then
    status = "daemon_crash"
  elseif phase == "run" and detail and detail:find("^molt_runtime_") then
    status = "runtime_crash"
  elseif spawn_error then
    status = phase == "build" and "build_failed" or "runtime_failed"
    detail = detail or spawn_error.code
  else
    status = phase == "build" and "build_failed" or "runtime_failed"
  end
  local message = spawn_error and spawn_error.message
    or (result.stderr and result.stderr ~= "" and result.stderr)
    or ("exited with code " .. tostring(result.code))
  return {
    phase = phase,
    status = status,
    detail = detail,
    message = M.tail(message),
    stdout_tail = M.tail(result.stdout),
    stderr_tail = M.tail(result.stderr),
    returncode = result.code or (result.signal and -result.signal) or nil,
    timed_out = result.timed_out == true,
    elapsed_s = result.wall_s,
    signal = result.signal and { signal = result.signal, name = result.signal_name,
      conventional_shell_status = false } or nil,
    guard_violation = result.rss_exceeded and { kind = "rss", peak_kb = result.peak_tree_rss_kb } or nil,
    orphaned_process_groups = {},
    log_refs = {},
  }
end

return M
