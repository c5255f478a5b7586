--- Sweeps: a matrix of cases (settings x workloads x repetitions) that may run for hours on a
--- busy machine and be interrupted. Cases come from axes declared as data (with CI-style
--- include/exclude) and carry a stable id derived from their settings, so a changed matrix
--- still resumes right. Each case may be retried with backoff when its failure is retryable;
--- every finished case is journaled at once and the JSON snapshot rewritten atomically, so a
--- kill (even SIGKILL) loses at most the case in flight and `resume` skips what finished. `--shard K/N` runs a
--- deterministic share of the cases and `merge` puts shard artifacts back together.
--- docs/sweeps.md.
local json = require "rig.json"
local time = require "rig.time"
local core = require "rig._native.core"
local util = require "rig.util"
local check = require "rig.check"
local md = require "rig.md"

-- Seconds between two snapshots at least (see M.run): people read them, the journal is what
-- makes a kill lose nothing.
local SNAPSHOT_INTERVAL = 1

local M = {}


-- A canonical text of the settings: keys sorted, values by type, so equal settings give
-- the same text whatever order they were written in.
local function canonical(settings)
  local parts = {}
  for _, k in ipairs(util.sorted_keys(settings)) do
    local v = settings[k]
    parts[#parts + 1] = ("%s=%s:%s"):format(k, type(v), tostring(v))
  end
  return table.concat(parts, "\n")
end

--- The stable id of a case: the first 12 hex digits of the SHA-256 of its settings.
---@param settings table<string, string|number|boolean>
---@return string
function M.case_id(settings)
  return core.sha256(canonical(settings)):sub(1, 12)
end

local function matches(settings, pattern)
  for k, v in pairs(pattern) do
    if settings[k] ~= v then return false end
  end
  return true
end

-- The matrix each list of cases came from (weak: a list that is dropped takes it along), so
-- that run can record it in the artifact and merge can rebuild the cases from the shards
-- alone, with no copy of a matrix that was only ever written in Lua.
local matrix_of = setmetatable({}, { __mode = "k" })

-- A matrix as JSON data: axes as {name, values} objects (the TOML's spelling).
local function matrix_record(matrix)
  local axes = json.array({})
  for i, axis in ipairs(matrix.axes) do
    local values = json.array({ table.unpack(axis.values or axis[2]) })
    axes[i] = json.object({ name = axis.name or axis[1], values = values })
  end
  local function list(t) return type(t) == "table" and json.array({ table.unpack(t) }) or nil end
  -- Absent parts stay absent (not null), so the record is a matrix `cases` takes as it is.
  return json.object({ axes = axes, include = list(matrix.include), exclude = list(matrix.exclude),
    ["repeat"] = math.type(matrix["repeat"]) == "integer" and matrix["repeat"] or nil })
end

--- Cases from a matrix: `axes` is a list of {name = , values = } (as in the TOML's
--- `[[axis]]`; `{name, values}` positionally too) (the cross product, first axis
--- outermost), `exclude` a list of partial settings to drop, `include` a list of settings to
--- add (a partial one that matches existing cases extends them, as in GitHub Actions; one
--- that matches none becomes a case of its own), `repeat` (default 1) adds a `rep` setting.
--- Returns a list of {id, settings}; ids are unique (a duplicate case raises).
---@param matrix { axes: ({ name: string, values: any[] }|{ [1]: string, [2]: any[] })[], include?: table[],
---  exclude?: table[], ["repeat"]?: integer }
---@return { id: string, settings: table }[]
function M.cases(matrix)
  if type(matrix) ~= "table" or type(matrix.axes) ~= "table" then
    error("bad argument #1 to 'cases' (a matrix with 'axes' expected)", 2)
  end
  local list = { {} }
  for i, axis in ipairs(matrix.axes) do
    local is_table = type(axis) == "table"
    local name, values = is_table and (axis.name or axis[1]), is_table and (axis.values or axis[2])
    if type(name) ~= "string" or type(values) ~= "table" or #values == 0 then
      error(("bad argument #1 to 'cases' (axes[%d] must be {name = \"...\", values = {...}})"):format(i), 2)
    end
    local grown = {}
    for _, base in ipairs(list) do
      for _, v in ipairs(values) do
        local s = {}
        for k, x in pairs(base) do s[k] = x end
        s[name] = v
        grown[#grown + 1] = s
      end
    end
    list = grown
  end
  local kept = {}
  for _, s in ipairs(list) do
    local drop = false
    for _, pattern in ipairs(matrix.exclude or {}) do
      if matches(s, pattern) then drop = true break end
    end
    if not drop then kept[#kept + 1] = s end
  end
  for _, extra in ipairs(matrix.include or {}) do
    -- Extends the cases it agrees with on every axis it names; otherwise a new case.
    local axis_names, extended = {}, false
    for _, axis in ipairs(matrix.axes) do axis_names[axis.name or axis[1]] = true end
    for _, s in ipairs(kept) do
      local agrees = true
      for k, v in pairs(extra) do
        if axis_names[k] and s[k] ~= v then agrees = false break end
      end
      local names_an_axis = false
      for k in pairs(extra) do if axis_names[k] then names_an_axis = true end end
      if agrees and names_an_axis then
        for k, v in pairs(extra) do s[k] = v end
        extended = true
      end
    end
    if not extended then
      local s = {}
      for k, v in pairs(extra) do s[k] = v end
      kept[#kept + 1] = s
    end
  end
  local reps = matrix["repeat"] or 1
  local out, seen = {}, {}
  for _, s in ipairs(kept) do
    for rep = 1, reps do
      local settings = s
      if reps > 1 then
        settings = { rep = rep }
        for k, v in pairs(s) do settings[k] = v end
      end
      local id = M.case_id(settings)
      if seen[id] then error("duplicate case in the matrix: " .. canonical(settings):gsub("\n", ", "), 2) end
      seen[id] = true
      out[#out + 1] = { id = id, settings = settings }
    end
  end
  matrix_of[out] = matrix_record(matrix)
  return out
end

--- Reads a matrix file, TOML or JSON (by extension): `[[axis]]` tables with `name` and
--- `values` (in order: the first is outermost), `[[include]]`, `[[exclude]]`, `repeat`.
--- Returns the matrix for `cases`, or nil and a message naming the file.
function M.read_matrix(path)
  local data, err
  if path:match("%.json$") then data, err = json.read(path) else data, err = require("rig.toml").read(path) end
  if not data then return nil, err.message end
  local axes = {}
  for i, axis in ipairs(type(data.axis) == "table" and data.axis or {}) do
    if type(axis.name) ~= "string" or type(axis.values) ~= "table" or #axis.values == 0 then
      return nil, ("%s: axis %d needs a name and a non-empty list of values"):format(path, i)
    end
    axes[#axes + 1] = { axis.name, axis.values }
  end
  if #axes == 0 then return nil, path .. ': no [[axis]] (name = "...", values = [...])' end
  return { axes = axes, include = data.include, exclude = data.exclude, ["repeat"] = data["repeat"] }
end

--- The cases of a matrix file (read_matrix, then cases), or nil and a message naming the
--- file: for recipes that take a matrix.
---@param path string
---@return { id: string, settings: table }[]? cases
---@return string? why
function M.read_cases(path)
  local matrix, err = M.read_matrix(path)
  if not matrix then return nil, err end
  local ok, cases = pcall(M.cases, matrix)
  if not ok then return nil, path .. ": " .. tostring(cases):gsub("^.-: ", "") end
  return cases
end

--- Parses "K/N" (1 <= K <= N). Returns k, n or nil and a message.
function M.parse_shard(text)
  local k, n = tostring(text):match("^(%d+)/(%d+)$")
  k, n = tonumber(k), tonumber(n)
  if not k or n < 1 or k < 1 or k > n then return nil, ("expected K/N with 1 <= K <= N, got %q"):format(text) end
  return k, n
end

--- The cases of shard k of n: a case belongs to the shard its id's hash picks, so every case
--- is in exactly one shard whatever the matrix order.
function M.shard(cases, k, n)
  local out = {}
  for _, c in ipairs(cases) do
    if tonumber(c.id:sub(1, 8), 16) % n == k - 1 then out[#out + 1] = c end
  end
  matrix_of[out] = matrix_of[cases]
  return out
end

--- Whether a finished attempt is worth retrying: a timeout, exit 124 (timeout(1)), SIGTERM
--- (143 or the signal), or output matching one of `signatures` (Lua patterns, searched in
--- stderr then stdout; Molt's build lock wait by default).
M.RETRY_SIGNATURES = { "Timed out waiting for build lock" }
function M.retry_reason(result, signatures)
  if result.timed_out then return "timeout" end
  if result.code == 124 then return "exit_124" end
  if result.code == 143 or result.signal == 15 then return "sigterm" end
  for _, sig in ipairs(signatures or M.RETRY_SIGNATURES) do
    if (result.stderr or ""):find(sig) or (result.stdout or ""):find(sig) then return "signature: " .. sig end
  end
  return nil
end

-- Finished cases from the snapshot, then from the journal (newer); a torn last journal line
-- (the writer killed mid-append) is skipped.
-- The finished cases of the artifact at `path` (and its journal), by id, and their order.
-- Raises a `resume` error when the file is there but is not a sweep artifact, or is one of
-- another command (`meta.command` differs): resuming would adopt another run's results.
local function load_previous(path, meta)
  local done, order = {}, {}
  local fs = require("rig.fs")
  local prev
  if fs.exists(path) then
    local err
    prev, err = json.read(path)
    if not prev then util.raise("resume", ("--resume: %s is not a sweep artifact: %s"):format(path, err.message)) end
    if not json.is_object(prev) or prev.schema_version ~= 1 or type(prev.cases) ~= "table" then
      util.raise("resume", ("--resume: %s is not a sweep artifact (no schema_version 1 and cases): "
        .. "refusing to overwrite it"):format(path))
    end
    local theirs = type(prev.meta) == "table" and prev.meta.command
    local ours = type(meta) == "table" and meta.command
    if theirs ~= nil and ours ~= nil and json.encode(theirs) ~= json.encode(ours) then
      util.raise("resume", ("--resume: %s is another command's sweep (%s, not %s)"):format(path, json.encode(theirs),
        json.encode(ours)))
    end
    for _, c in ipairs(prev.cases) do
      if type(c) == "table" and type(c.id) == "string" and c.status ~= nil then
        if not done[c.id] then order[#order + 1] = c.id end
        done[c.id] = c
      end
    end
  end
  local journal = fs.read(path .. ".journal")
  for line in (journal or ""):gmatch("[^\n]+") do
    local c = json.decode(line)
    if type(c) == "table" and type(c.id) == "string" and c.status ~= nil then
      if not done[c.id] then order[#order + 1] = c.id end
      done[c.id] = c
    end
  end
  return done, order
end

-- The settings columns: every setting name of `list`'s cases, sorted.
local function setting_names(list)
  local names, seen = {}, {}
  for _, c in ipairs(list) do
    for k in pairs(c.settings or {}) do
      if not seen[k] then names[#names + 1], seen[k] = k, true end
    end
  end
  table.sort(names)
  return names
end

local function markdown_row(c, names)
  local row = { c.id }
  for _, n in ipairs(names) do
    local v = c.settings and c.settings[n]
    row[#row + 1] = v == nil and "-" or tostring(v)
  end
  row[#row + 1] = c.status
  row[#row + 1] = tostring(c.attempts)
  row[#row + 1] = type(c.retry_reason) == "string" and c.retry_reason or "-"
  row[#row + 1] = type(c.wall_s) == "number" and ("%.3f"):format(c.wall_s) or "-"
  return md.row(row)
end

-- The page as a list of pieces: the heading and table header, then `rows` (one markdown line
-- per case, in order).
local function markdown_pieces(artifact, names, rows)
  local t = artifact.totals or {}
  local header = { "case" }
  for _, n in ipairs(names) do header[#header + 1] = n end
  for _, h in ipairs { "status", "attempts", "retry reason", "wall s" } do header[#header + 1] = h end
  local pieces = { table.concat({ "# Sweep", "",
    ("%d of %d cases finished: %d ok, %d failed, %d resumed; %.1f s."):format(t.finished or 0, t.cases or 0,
      t.ok or 0, t.failed or 0, t.resumed or 0, t.wall_s or 0), "",
    md.table({}, { headers = header }) }, "\n") }
  table.move(rows, 1, #rows, 2, pieces)
  return pieces
end

local function shard_pair(v)
  if math.type(v[1]) ~= "integer" or math.type(v[2]) ~= "integer" or #v ~= 2 or v[2] < 1 or v[1] < 1
    or v[1] > v[2] then
    return false, "must be {k, n} with 1 <= k <= n (shard k of n)"
  end
  return true
end
local RUN = {
  cases = { "list", of = { "table", check = function(c)
    return type(c.id) == "string", "has no string 'id' (make cases with rig.sweep.cases)"
  end }, required = true },
  run = "callable", command = "callable", finish = "callable",
  jobs = { "integer", min = 1, max = 4096, default = 1 },
  warmup = { "integer", min = 0, max = 1000000, default = 0 },
  max_retries = { "integer", min = 0, max = 1000000, default = 0 },
  backoff = { "number", min = 0, max = 86400, default = 0 },
  backoff_kind = { "string", choices = { "linear", "exponential" }, default = "linear" },
  signatures = { "list", of = "string" },
  retry_reason = "callable",
  json_out = { "string", nonempty = true },
  markdown_out = { "string", nonempty = true },
  resume = "boolean",
  meta = "table",
  progress = "boolean",
  shard = { "list", check = shard_pair },
  on_snapshot = "callable",
  on_case = "callable",
  overlap = "boolean",
  matrix = { "table", check = function(m) return type(m.axes) == "table", "a matrix with 'axes'" end },
}

-- The artifact's writer: each finished case journaled at once (one line, flushed), the
-- snapshot (JSON, markdown, on_snapshot) rewritten when it is cheap enough, and a last one
-- at the end. `keep` records a case without journaling it (a resumed one).
local function new_writer(cfg, cases, artifact, started)
  local fs = require("rig.fs")
  -- Every finished case is appended to a journal next to the snapshot at once (a killed Rig
  -- loses only the case in flight); the snapshot itself is rewritten (atomically, fsync'd)
  -- after a case when the last rewrite cost under 1% of the time since and was at least a
  -- second ago: after every case when cases take a while, less often when they take
  -- milliseconds (rewriting a growing artifact after each of 500 one-millisecond cases would
  -- cost several times the cases; the journal holds them meanwhile).
  local journal = cfg.json_out and (cfg.json_out .. ".journal")
  -- One writer per artifact: a lock beside it, held for the whole run (flock: released if
  -- this process dies). A second sweep on the same artifact stops at once.
  local lock
  if cfg.json_out then
    local lock_path = cfg.json_out .. ".lock"
    if not fs.exists(fs.dirname(lock_path)) then assert(fs.mkdir(fs.dirname(lock_path))) end
    if not fs.exists(lock_path) then fs.write(lock_path, "") end
    local err
    lock, err = fs.try_lock(lock_path)
    if lock == false then
      util.raise("locked", ("%s is being written by another sweep (it holds %s): wait for it to end, or give "
        .. "another artifact"):format(cfg.json_out, lock_path))
    elseif not lock then
      util.raise("locked", ("cannot lock %s: %s"):format(lock_path, err.message))
    end
  end
  if journal and not cfg.resume then fs.remove(journal) end
  -- The artifact's folder is made if it does not exist (`--json-out results/new/sw.json`).
  if cfg.json_out then
    local folder = fs.dirname(cfg.json_out)
    if not fs.exists(folder) then
      local ok, merr = fs.mkdir(folder)
      if not ok then error(("sweep: cannot make the folder %s: %s"):format(folder, merr.message), 2) end
    end
  end
  -- Kept open and flushed after each line: once flushed, the line is the kernel's, and a
  -- killed Rig cannot lose it (opening and closing the file per case cost three times more).
  local journal_file
  if journal then
    local err
    journal_file, err = io.open(journal, "a")
    if not journal_file then error("sweep: cannot open the journal: " .. tostring(err), 2) end
  end
  local last_write_end, last_write_cost = -math.huge, 0
  local publish, artifact_json, markdown_text -- set below: the finished cases in artifact.cases,
  -- and as JSON and markdown
  local function snapshot()
    local t0 = time.now() -- the whole rewrite counts towards the 1% budget, ordering included
    publish()
    local counts = { ok = 0, failed = 0, resumed = 0 }
    local left = 0
    for _, c in ipairs(artifact.cases) do
      if c.left_matrix then
        left = left + 1
      else
        counts[c.status == "ok" and "ok" or "failed"] = counts[c.status == "ok" and "ok" or "failed"] + 1
        if c.resumed then counts.resumed = counts.resumed + 1 end
      end
    end
    artifact.totals = json.object({ cases = #cases, finished = #artifact.cases - left, left_matrix = left,
      ok = counts.ok, failed = counts.failed,
      resumed = counts.resumed, wall_s = time.now() - started })
    if cfg.json_out then assert(fs.write(cfg.json_out, artifact_json())) end
    if cfg.markdown_out then assert(fs.write(cfg.markdown_out, markdown_text())) end
    if cfg.on_snapshot then cfg.on_snapshot(artifact) end
    last_write_end = time.now()
    last_write_cost = last_write_end - t0
  end
  local writes = cfg.json_out or cfg.markdown_out or cfg.on_snapshot
  local function maybe_snapshot()
    local since = time.now() - last_write_end
    if writes and since >= 100 * last_write_cost and since >= SNAPSHOT_INTERVAL then snapshot() end
  end
  local records = {} -- by case index, so the artifact lists cases in matrix order
  -- Each finished case is encoded once, as it stands in the snapshot (indented for its place
  -- in the list); a snapshot joins these texts instead of encoding every case again, which
  -- made rewriting a 500-case artifact about 5 times cheaper.
  local texts = {}
  -- Likewise its markdown row. The columns are the settings of every case of the sweep, so a
  -- row never changes; once all have finished this is M.markdown(artifact).
  local rows, names = {}, setting_names(cases)
  -- Records past #cases: cases a resumed artifact holds that left the matrix (kept, listed last).
  local last = #cases
  local function keep(index, record)
    last = math.max(last, index)
    records[index] = record
    texts[index] = (json.encode(record, { indent = 2, sort_keys = true }):gsub("\n", "\n    "))
    if cfg.markdown_out then rows[index] = markdown_row(record, names) end
  end
  function publish()
    local list = json.array({})
    for index = 1, last do
      if records[index] then list[#list + 1] = records[index] end
    end
    artifact.cases = list
  end
  function markdown_text()
    local list = {}
    for index = 1, last do list[#list + 1] = rows[index] end
    return markdown_pieces(artifact, names, list)
  end
  -- The text json.write(artifact, {indent = 2, sort_keys = true}) writes, as pieces made of
  -- those texts ("cases" sorts first among the artifact's keys).
  function artifact_json()
    local list = artifact.cases
    artifact.cases = json.array({})
    local rest = json.encode(artifact, { indent = 2, sort_keys = true })
    artifact.cases = list
    local prefix = '{\n  "cases": [],'
    assert(rest:sub(1, #prefix) == prefix, "sweep: the artifact's first key is not 'cases'")
    local pieces = { '{\n  "cases": [' }
    for index = 1, last do
      if texts[index] then
        pieces[#pieces + 1] = #pieces == 1 and "\n    " or ",\n    "
        pieces[#pieces + 1] = texts[index]
      end
    end
    if #pieces == 1 then return { rest, "\n" } end
    pieces[#pieces + 1] = "\n  ]," .. rest:sub(#prefix + 1) .. "\n"
    return pieces
  end
  local function finished(index, record)
    keep(index, record)
    if cfg.on_case then cfg.on_case(record, index) end
    if journal_file then
      -- One line: the snapshot's text without its line breaks and indentation (a raw line
      -- break is never inside a JSON string).
      assert(journal_file:write((texts[index]:gsub("\n *", "")), "\n"))
      assert(journal_file:flush())
    end
    maybe_snapshot()
  end
  local function close()
    snapshot()
    -- The snapshot now holds every case the journal does.
    if journal_file then
      journal_file:close()
      fs.remove(journal)
    end
    if lock then lock:unlock() end
  end
  return { keep = keep, publish = publish, finished = finished, close = close }
end

-- What both schedulers need: the case's record, the retry rule and wait, the progress line.
local function new_steps(cfg, cases, W, started)
  local warmup = cfg.warmup
  local tty = cfg.progress ~= false and core.isatty(2)
  -- `wall_s`: the case's wall time, first attempt's start to last attempt's end.
  local function record_for(case, result, attempt, reason, wall_s)
    -- Output serves the retry signatures; the artifact keeps results, not logs.
    local kept = json.object({})
    for k, v in pairs(result) do
      if type(v) ~= "function" and type(v) ~= "userdata" and k ~= "stdout" and k ~= "stderr" then kept[k] = v end
    end
    return json.object({ id = case.id, settings = json.object(case.settings),
      status = result.ok and "ok" or "failed", attempts = attempt, retry_reason = reason or json.null,
      result = kept, wall_s = wall_s, warmups = warmup > 0 and warmup or nil })
  end
  local function retry_wait(attempt)
    return (cfg.backoff or 0) * (cfg.backoff_kind == "exponential" and 2 ^ (attempt - 1) or attempt)
  end
  local function should_retry(result, attempt)
    if result.ok then return nil end
    local why = (cfg.retry_reason or M.retry_reason)(result, cfg.signatures)
    if why and attempt <= (cfg.max_retries or 0) then return why end
  end
  local function show(done, case, attempt)
    if not tty then return end
    local elapsed = time.now() - started
    local eta = done > 0 and elapsed / done * (#cases - done) or 0
    -- The case by its settings (`opt=3 simd=1`), which say what runs; the id is in the artifact.
    local parts = {}
    for _, k in ipairs(util.sorted_keys(case.settings or {})) do
      parts[#parts + 1] = ("%s=%s"):format(k, tostring(case.settings[k]))
    end
    local label = #parts > 0 and table.concat(parts, " ") or case.id
    if #label > 60 then label = label:sub(1, 57) .. "..." end
    io.stderr:write(("\r\27[K[%d/%d] %s attempt %d  %ds  ETA %ds"):format(done + 1, #cases, label, attempt,
      math.floor(elapsed), math.floor(eta)))
  end

  return { record_for = record_for, retry_wait = retry_wait, should_retry = should_retry, show = show,
    finished = W.finished, tty = tty, warmup = warmup }
end

-- The queue of cases both ways of running them share; `complete` decides between a retry
-- (back in the queue, ready once its backoff has passed) and the case's record.
local function new_queue(todo, cases, S)
  local Q = { queue = todo, done = #cases - #todo }
  function Q.take_ready(now)
    for i, job in ipairs(Q.queue) do
      if job.ready_at <= now then return table.remove(Q.queue, i) end
    end
  end
  -- An attempt has ended with `result`: back in the queue for a retry (when it ran and is
  -- worth one), else the case is finished.
  function Q.complete(job, result, ran, front)
    local why = ran and S.should_retry(result, job.attempt)
    if why then
      job.reason = why
      job.ready_at = time.now() + S.retry_wait(job.attempt)
      job.attempt = job.attempt + 1
      table.insert(Q.queue, front and 1 or #Q.queue + 1, job)
    else
      Q.done = Q.done + 1
      S.finished(job.index, S.record_for(job.case, result, job.attempt, job.reason,
        job.first_start and (job.last_end - job.first_start) or 0))
    end
  end
  function Q.soonest()
    local soonest = math.huge -- a case waiting out its retry backoff
    for _, job in ipairs(Q.queue) do soonest = math.min(soonest, job.ready_at) end
    return soonest
  end
  return Q
end

-- Cases given as a Lua function (`run(case, attempt)`): one at a time, in this process, in
-- order, each case's warmups before its first attempt and its retries right after it (as
-- Molt's compile_progress.py retries: the next case never runs in between).
local function run_in_lua(cfg, Q, S)
  while #Q.queue > 0 do
    local job = table.remove(Q.queue, 1)
    local wait = job.ready_at - time.now()
    if wait > 0 then time.sleep(wait) end -- a retry waits out its backoff
    S.show(Q.done, job.case, job.attempt)
    if job.attempt == 1 and not job.warmed then
      job.warmed = true
      for _ = 1, S.warmup do cfg.run(job.case, 0) end -- attempt 0: a warmup, its result not kept
    end
    job.first_start = job.first_start or time.now()
    local result = cfg.run(job.case, job.attempt)
    if type(result) ~= "table" then
      error(("sweep: run returned %s for case %s (a table expected)"):format(type(result), job.case.id), 0)
    end
    job.last_end = time.now()
    Q.complete(job, result, true, true)
  end
end

-- Cases as process specs: `command(case, attempt)` gives each attempt's spec,
-- `finish(case, attempt, process_result)` (optional) turns its result into the case's.
-- Up to `jobs` run at once. With `overlap` (the default) each running case has the next one
-- queued behind it in the spawn helper, which starts it the moment the first is reaped: no
-- round trip through Rig between cases, and Rig records a case while the next one runs.
local function run_processes(cfg, Q, S, artifact)
  local warmup, show, record_for, finished = S.warmup, S.show, S.record_for, S.finished
  local jobs = cfg.jobs or 1
  local proc = require "rig.proc"
  local overlap = cfg.overlap ~= false
  local inflight = {} -- started or queued jobs; job.after: the job it is queued behind
  local group_started = time.now()
  local cases_wall = 0
  -- A case whose process could not start, as the artifact records it.
  local function not_started(err) return { ok = false, error = err.message, code = err.code } end
  -- Starts a job's attempt (after `after`'s, when given): before its first attempt, its
  -- warmups, each queued behind the one before, so the measured run follows them at once.
  local function launch(job, after)
    if not after then show(Q.done, job.case, job.attempt) end -- a queued case shows when it starts
    local chain, warm = after and after.handle, {}
    local function spawn(attempt)
      local handle, err = proc.spawn(cfg.command(job.case, attempt), chain and { after = chain } or nil)
      if not handle then
        for _, h in ipairs(warm) do h:kill("KILL") end
        Q.done = Q.done + 1
        finished(job.index, record_for(job.case, not_started(err), job.attempt, job.reason,
          job.first_start and (time.now() - job.first_start) or 0))
      end
      chain = handle
      return handle
    end
    if job.attempt == 1 and not job.warmed then
      job.warmed = true
      for w = 1, warmup do
        warm[w] = spawn(0) -- attempt 0: a warmup, its result not kept
        if not warm[w] then return end
      end
    end
    local handle = spawn(job.attempt)
    if not handle then return end
    job.handle, job.warm, job.after = handle, warm, after
    if after then after.follower = job end
    inflight[#inflight + 1] = job
  end
  while #Q.queue > 0 or #inflight > 0 do
    local now = time.now()
    local heads = 0
    for _, job in ipairs(inflight) do
      if not job.after then heads = heads + 1 end
    end
    while heads < jobs do
      local job = Q.take_ready(now)
      if not job then break end
      launch(job)
      if job.handle then heads = heads + 1 end
    end
    if overlap then
      for _, head in ipairs({ table.unpack(inflight) }) do
        if not head.after and not head.follower then
          local job = Q.take_ready(now)
          if not job then break end
          launch(job, head)
        end
      end
    end
    local soonest = Q.soonest()
    if #inflight == 0 then
      if soonest < math.huge then time.sleep(math.max(0, soonest - time.now())) end
    else
      local handles, owners = {}, {}
      for _, job in ipairs(inflight) do
        for _, h in ipairs(job.warm) do
          handles[#handles + 1] = h
          owners[#handles] = job
        end
        handles[#handles + 1] = job.handle
        owners[#handles] = job
      end
      local wake = (heads < jobs and soonest < math.huge) and math.max(0, soonest - time.now()) or nil
      local i, r, err = proc.wait_any(handles, wake)
      local job = i and owners[i]
      if job and handles[i] ~= job.handle then
        -- A warmup ended: nothing to keep.
        for k, h in ipairs(job.warm) do
          if h == handles[i] then table.remove(job.warm, k) break end
        end
      elseif job then
        for k, j in ipairs(inflight) do
          if j == job then table.remove(inflight, k) break end
        end
        for _, h in ipairs(job.warm) do h:wait() end -- ended before it; not yet collected
        job.handle, job.warm = nil, {}
        local promoted = job.follower -- started as this one ended
        if promoted then promoted.after, job.follower = nil, nil end
        if job.after then job.after.follower, job.after = nil, nil end
        local result
        if r then
          cases_wall = cases_wall + r.wall_s
          job.first_start = job.first_start or r.start_s
          job.last_end = r.start_s + r.wall_s
          result = cfg.finish and cfg.finish(job.case, job.attempt, r) or r
        else -- queued behind another case and could not start
          result = not_started(err)
        end
        Q.complete(job, result, r ~= nil)
        if promoted then show(Q.done, promoted.case, promoted.attempt) end
      end
    end
  end
  if jobs > 1 then
    local group_wall = time.now() - group_started
    artifact.concurrency = json.object({ jobs = jobs, group_wall_s = group_wall, cases_wall_s = cases_wall,
      achieved = group_wall > 0 and cases_wall / group_wall or json.null })
  end
end

-- The one scheduler: a queue of cases (new_queue), run in Lua or as processes.
local function schedule(cfg, todo, cases, S, artifact)
  local Q = new_queue(todo, cases, S)
  if type(cfg.command) ~= "function" then
    run_in_lua(cfg, Q, S)
  else
    run_processes(cfg, Q, S, artifact)
  end
end

--- Runs a sweep. cfg:
--- - `cases` (from `cases`), `run(case, attempt)` → a table of results with `ok` (boolean)
---   and anything else to keep (times, metrics); a finished process table works as it is,
---   and `retry_reason(result, signatures)` decides retries (with `run`, a case's retries
---   come right after it, in order, as Molt's compile_progress.py does);
--- - `max_retries` (0), `backoff` (seconds, 0), `backoff_kind` ("linear"|"exponential"),
---   `signatures` (retryable output patterns), or `retry_reason(result)` to decide instead;
--- - `json_out` (the artifact: each finished case is appended at once to `<json_out>.journal`,
---   and the file rewritten atomically after a case whenever that costs under 1% of the time
---   since the last rewrite, a second ago or more, and at the end; `markdown_out` the same as
---   a table), `resume` (skip cases whose id the snapshot already holds), `meta` (a table
---   stored in the artifact),
---   `progress` (a TTY line, default true), `shard` ({k, n}), `on_snapshot(artifact)`
---   (called at each snapshot, for writing a tool's own layout), `on_case(record, index)`
---   (called as each case finishes, retries done, before the snapshot, with its record).
--- - or, instead of `run`, `command(case, attempt)` giving each attempt's process spec (for
---   `rig.proc.spawn`) and `finish(case, attempt, process_result)` (optional) turning the
---   finished process into the case's result. Then `overlap` (default true) queues the next
---   case behind the running one in Rig's spawn helper: it starts the moment the running one
---   ends, and Rig records a case while the next one runs; its `command` is called while the
---   previous case still runs (`overlap = false`: each case is made and started after the
---   previous one is recorded). A retry goes to the back of the queue.
--- - `warmup` (0): runs before each case's first attempt, their results not kept: `run` or
---   `command` is called with attempt 0 for them (with `command` they run back to back with
---   the measured run); the case records `warmups`.
--- - `jobs` (1): more than 1 runs that many cases at once (needs `command`); the artifact
---   gains `concurrency = {jobs, group_wall_s, cases_wall_s, achieved}` (the cases' own wall
---   time over the group's: how many ran at once in effect).
--- Returns the artifact {schema_version, meta, shard, cases = {{id, settings, status, attempts,
--- retry_reason, result, wall_s}} in matrix order, totals}.
function M.run(cfg)
  cfg = check.options("run", 1, cfg, RUN)
  if cfg.jobs > 1 then
    if cfg.command == nil then
      check.fail("run", 1, "jobs > 1 runs cases at once: give 'command(case, attempt)' -> process spec")
    end
  elseif cfg.run == nil and cfg.command == nil then
    check.fail("run", 1, "a 'command(case, attempt)' or 'run(case, attempt)' function expected")
  end
  local cases = cfg.cases
  if cfg.shard then cases = M.shard(cases, cfg.shard[1], cfg.shard[2]) end
  local previous, previous_order = {}, {}
  if cfg.resume and cfg.json_out then previous, previous_order = load_previous(cfg.json_out, cfg.meta) end
  local artifact = json.object({
    schema_version = 1, created_at = time.iso8601(), meta = cfg.meta or json.object({}),
    shard = cfg.shard and json.object({ k = cfg.shard[1], n = cfg.shard[2] }) or json.null,
    matrix = cfg.matrix and matrix_record(cfg.matrix) or matrix_of[cfg.cases] or json.null,
    cases = json.array({}), totals = json.object({}),
  })
  local started = time.now()
  local W = new_writer(cfg, cases, artifact, started)
  local S = new_steps(cfg, cases, W, started)
  local todo = {}
  for index, case in ipairs(cases) do
    local prior = previous[case.id]
    if prior then
      prior.resumed = true
      W.keep(index, prior)
    else
      todo[#todo + 1] = { index = index, case = case, attempt = 1, ready_at = 0 }
    end
  end
  -- Finished cases of a resumed artifact that are not in this matrix any more: kept, marked
  -- `left_matrix`, listed after the matrix's cases, counted in totals.left_matrix.
  local in_matrix = {}
  for _, case in ipairs(cases) do in_matrix[case.id] = true end
  local left = 0
  for _, id in ipairs(previous_order) do
    if not in_matrix[id] then
      local prior = previous[id]
      prior.left_matrix, prior.resumed = true, true
      left = left + 1
      W.keep(#cases + left, prior)
    end
  end
  W.publish()
  schedule(cfg, todo, cases, S, artifact)
  if S.tty then io.stderr:write("\r\27[K") end
  W.close()
  return artifact
end

-- Ranking and successive halving live in rig.ranking; rig.sweep keeps their names.
local ranking = require "rig.ranking"
M.rank = ranking.rank
M.halving = ranking.halving

--- The artifact as markdown: totals, then a row per case (settings, status, attempts, wall).
function M.markdown(artifact)
  local names = setting_names(artifact.cases)
  local rows = {}
  for i, c in ipairs(artifact.cases) do rows[i] = markdown_row(c, names) end
  return table.concat(markdown_pieces(artifact, names, rows))
end

--- Merges shard artifacts into the artifact the unsharded sweep would have written: the
--- cases in the order of `cases` (the full list; by default the cases of the matrix the
--- shards record, which must be the same in all), each from whichever shard ran it. Returns
--- the artifact, or nil and a message naming a missing or conflicting case.
function M.merge(artifacts, cases)
  if cases == nil then
    -- The shards' own record of their matrix: all the same one.
    local text
    for i, a in ipairs(artifacts) do
      if type(a.matrix) ~= "table" then
        return nil, ("shard artifact %d does not record its matrix (made before Rig kept it?): give the matrix")
          :format(i)
      end
      local this = json.encode(a.matrix, { sort_keys = true })
      if text and this ~= text then return nil, ("shard artifact %d ran another matrix than the first"):format(i) end
      text = this
    end
    if not text then return nil, "no shard artifacts" end
    local ok, made = pcall(M.cases, artifacts[1].matrix)
    if not ok then return nil, "the recorded matrix: " .. tostring(made) end
    cases = made
  end
  local by_id = {}
  for i, a in ipairs(artifacts) do
    for _, c in ipairs(a.cases or {}) do
      if by_id[c.id] then return nil, ("case %s is in two shard artifacts (the %d-th and another)"):format(c.id, i) end
      by_id[c.id] = c
    end
  end
  local merged = json.object({ schema_version = 1, created_at = time.iso8601(),
    meta = artifacts[1] and artifacts[1].meta or json.object({}), shard = json.null,
    matrix = artifacts[1] and artifacts[1].matrix or matrix_of[cases] or json.null, cases = json.array({}),
    totals = json.object({}) })
  local ok, failed, wall = 0, 0, 0
  for _, c in ipairs(cases) do
    local found = by_id[c.id]
    if not found then return nil, ("case %s (%s) is in no shard artifact"):format(c.id,
      canonical(c.settings):gsub("\n", ", ")) end
    merged.cases[#merged.cases + 1] = found
    if found.status == "ok" then ok = ok + 1 else failed = failed + 1 end
  end
  for _, a in ipairs(artifacts) do wall = math.max(wall, a.totals and a.totals.wall_s or 0) end
  merged.totals = json.object({ cases = #cases, finished = #merged.cases, ok = ok, failed = failed, resumed = 0,
    wall_s = wall })
  return merged
end

return M
