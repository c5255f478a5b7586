--- Failure classification as data: rule tables map a finished process (exit code, signal,
--- timeout, RSS, the text of its output) to a failure class and detail. Ships Molt's native
--- tables (reference section 1.6); teams add their own rules. Used by rig.bench and triage.
local M = {}

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
