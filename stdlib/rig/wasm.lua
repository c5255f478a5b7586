--- WebAssembly lanes: Molt's tools/bench_wasm.py on Rig's primitives. Reads a module's
--- sections and imports, defines the node and wasmtime runners as lanes, and runs cases with
--- Molt's wasm rules (build with retries, a failing warmup aborts the case, a failing
--- measured sample is recorded and sampling goes on, classified failures, a control runner
--- for failed cases) into Molt's `schema_version: 1` records. docs/wasm.md.
local check = require "rig.check"
local proc = require "rig.proc"
local fs = require "rig.fs"
local json = require "rig.json"
local env = require "rig.env"
local stats = require "rig.stats"
local time = require "rig.time"
local util = require "rig.util"
local log = require "rig.log"
local measure = require "rig.measure"
local lanes = require "rig.lanes"
local classify = require "rig.classify"
local triage = require "rig.triage"
local profile = require "rig.profile"
local core = require "rig._native.core"

local M = {}

local SECTION_NAMES = { [0] = "custom", "type", "import", "function", "table", "memory", "global", "export",
  "start", "element", "code", "data", "datacount", "tag" }
local IMPORT_KINDS = { [0] = "function", "table", "memory", "global", "tag" }

local function round(x, places)
  local m = 10 ^ places
  return math.floor(x * m + 0.5) / m
end

-- The binary format is small and stable, and no Debian or LuaRocks package reads it from Lua:
-- an unsigned LEB128 reader and the import section are all Molt's fields need.
local function uleb(bytes, pos)
  local value, shift = 0, 0
  while true do
    local b = bytes:byte(pos)
    if not b or shift > 56 then return nil end
    value = value | ((b & 0x7f) << shift)
    pos = pos + 1
    if b < 0x80 then return value, pos end
    shift = shift + 7
  end
end

local function invalid(name, offset, what)
  return nil, core.error("invalid_wasm", ("%s: byte offset %d: %s"):format(name, offset - 1, what))
end

--- Reads a module from a string: {size_bytes, size_kb (bytes / 1024, unrounded, as Molt's
--- current writer), version, sections = {{id, name,
--- size}}, imports = {{module, name, kind}}, import_count, function_import_count,
--- table_import_count, memory_import_count, global_import_count, function_imports_per_kb},
--- or nil and an `invalid_wasm` error naming the byte offset.
---@param bytes string
---@param name? string for messages
function M.inspect_bytes(bytes, name)
  if type(bytes) ~= "string" then error("bad argument #1 to 'inspect_bytes' (string expected)", 2) end
  name = name or "module"
  if bytes:sub(1, 4) ~= "\0asm" then return invalid(name, 1, "not a WebAssembly module (no \\0asm magic)") end
  if #bytes < 8 then return invalid(name, 5, "the version field is cut short") end
  local info = { size_bytes = #bytes, size_kb = #bytes / 1024, version = string.unpack("<I4", bytes, 5),
    sections = {}, imports = {} }
  local pos = 9
  while pos <= #bytes do
    local id = bytes:byte(pos)
    local size, body = uleb(bytes, pos + 1)
    if not size then return invalid(name, pos + 1, "a section size that is not a LEB128 number") end
    if body + size - 1 > #bytes then
      return invalid(name, pos, ("section %d says %d bytes, past the end of the file"):format(id, size))
    end
    info.sections[#info.sections + 1] = { id = id, name = SECTION_NAMES[id] or ("unknown_" .. id), size = size }
    if id == 2 then
      local count, p = uleb(bytes, body)
      if not count then return invalid(name, body, "an import count that is not a LEB128 number") end
      for _ = 1, count do
        local names = {}
        for k = 1, 2 do
          local len, start = uleb(bytes, p)
          if not len or start + len - 1 > body + size - 1 then return invalid(name, p, "an import name cut short") end
          names[k] = bytes:sub(start, start + len - 1)
          p = start + len
        end
        local kind = bytes:byte(p)
        if not IMPORT_KINDS[kind or -1] then return invalid(name, p, "an unknown import kind") end
        p = p + 1
        if kind == 0 then
          p = select(2, uleb(bytes, p))
        elseif kind == 1 or kind == 2 then
          if kind == 1 then p = p + 1 end -- the table's element type
          local flags = bytes:byte(p)
          p = select(2, uleb(bytes, p + 1))
          if p and flags and flags & 1 == 1 then p = select(2, uleb(bytes, p)) end
        elseif kind == 3 then
          p = p + 2 -- value type, mutability
        else
          p = select(2, uleb(bytes, p + 1))
        end
        if not p then return invalid(name, body, "an import description cut short") end
        info.imports[#info.imports + 1] = { module = names[1], name = names[2], kind = IMPORT_KINDS[kind] }
      end
    end
    pos = body + size
  end
  local counts = { ["function"] = 0, table = 0, memory = 0, global = 0, tag = 0 }
  for _, imp in ipairs(info.imports) do counts[imp.kind] = counts[imp.kind] + 1 end
  info.import_count = #info.imports
  info.function_import_count = counts["function"]
  info.table_import_count = counts.table
  info.memory_import_count = counts.memory
  info.global_import_count = counts.global
  info.function_imports_per_kb = info.size_kb > 0 and round(counts["function"] / info.size_kb, 6) or 0
  return info
end

--- `inspect_bytes` of a file; nil and an error when it cannot be read or parsed.
---@param path string
function M.inspect(path)
  if type(path) ~= "string" then error("bad argument #1 to 'inspect' (string expected)", 2) end
  local bytes, err = fs.read(path)
  if not bytes then return nil, err end
  return M.inspect_bytes(bytes, path)
end

-- The runner scripts ship inside rig (recipes/wasm/). Each is written once to the temp folder
-- under a name carrying its hash (atomically, so concurrent runs agree), and reused by later
-- runs, so a runner works from any directory and nothing piles up.
local function runner_script(file)
  local text = core.embedded("recipes/wasm/" .. file)
  if not text then return nil end
  local tmp = env.get("TMPDIR")
  if not tmp or tmp == "" then tmp = "/tmp" end
  local path = fs.join(tmp, ("rig-%s-%s"):format(core.sha256(text):sub(1, 12), file))
  if not fs.exists(path) then assert(fs.write(path, text)) end
  return path
end

--- Node's flags for stable wasm timings (Molt's): no tier-up, no dynamic tiering, one
--- compilation task, warnings off.
M.NODE_FLAGS = { "--no-warnings", "--no-wasm-tier-up", "--no-wasm-dynamic-tiering", "--wasm-num-compilation-tasks=1" }

local function node_major(version)
  return tonumber((version or ""):match("^v?(%d+)"))
end

local RUNNER_OPTIONS = {
  cmd = "string|list", node_max_old_space_mb = { "integer", min = 1 }, node_options = "string|list",
  python = "string", node_bin = { "string", nonempty = true }, host = { "string", nonempty = true },
}

--- A runner as a lane: "node" (node's WASI through Rig's run_node.mjs, with Molt's flags and
--- `--max-old-space-size` from opts.node_max_old_space_mb, extra node flags from
--- opts.node_options) or "wasmtime" (the wasmtime CLI when on PATH, else the wasmtime package
--- from PyPI through Rig's run_wasmtime.py). opts.node_bin is the node program (Molt's
--- MOLT_NODE_BIN), opts.host a wasmtime host program run as `HOST ARTIFACT` (Molt's
--- MOLT_WASM_HOST_PATH). opts.cmd replaces the command: a template with {artifact},
--- {runner_js}, {runner_py}, {node_flags}, {node} and {python}. The lane's `run(artifact,
--- args)` returns the argv; `check()` says whether it can run here.
---@param name "node"|"wasmtime"|string
---@param opts? { cmd?: string, node_max_old_space_mb?: integer, node_options?: string, python?: string,
---  node_bin?: string, host?: string }
function M.runner(name, opts)
  check.arg("runner", 1, name, { "string", nonempty = true })
  opts = check.options("runner", 2, opts, RUNNER_OPTIONS)
  if name ~= "node" and name ~= "wasmtime" and not opts.cmd then
    error("bad argument #1 to 'runner' (node or wasmtime, or give opts.cmd for a runner of your own)", 2)
  end
  local python = opts.python or "python3"
  local wasmtime_cli = name == "wasmtime" and env.which("wasmtime")
  local function values(artifact)
    local flags = { table.unpack(M.NODE_FLAGS) }
    if opts.node_max_old_space_mb then
      flags[#flags + 1] = ("--max-old-space-size=%d"):format(opts.node_max_old_space_mb)
    end
    local extra = opts.node_options
    if type(extra) == "string" then extra = util.shell_words(extra) or { extra } end
    for _, word in ipairs(extra or {}) do flags[#flags + 1] = word end
    return { artifact = artifact, node_flags = flags, python = python, node = opts.node_bin or "node",
      host = opts.host, runner_js = runner_script("run_node.mjs"), runner_py = runner_script("run_wasmtime.py") }
  end
  local template = opts.cmd
  if not template then
    if name == "node" then
      template = '"{node}" {node_flags} "{runner_js}" "{artifact}"'
    elseif name == "wasmtime" and opts.host then
      template = '"{host}" "{artifact}"'
    elseif wasmtime_cli then
      template = 'wasmtime run "{artifact}"'
    else
      template = '"{python}" "{runner_py}" "{artifact}"'
    end
  end
  -- A runner's own command is checked here, before anything runs.
  local _, why = util.expand_command(template, values("x.wasm"))
  if why then check.fail("runner", 2, "option 'cmd': " .. why) end
  local function probe()
    local argv = assert(util.expand_command(template, values("x.wasm")))
    if not argv[1] then return { available = false, reason = "the runner's command is empty" } end
    if not env.which(argv[1]) then
      return { available = false, reason = ("'%s' is not on PATH"):format(argv[1]) }
    end
    if name == "node" and not opts.cmd then
      local v = env.version({ opts.node_bin or "node", "--version" })
      if (node_major(v) or 0) < 18 then
        return { available = false,
          reason = ("node %s is too old: wasm runs need node 18 or later"):format(tostring(v)) }
      end
      return { available = true, version = "node " .. v }
    elseif name == "wasmtime" and not opts.cmd and not wasmtime_cli and not opts.host then
      local r = proc.run { python, "-c", "import wasmtime, importlib.metadata as m; print(m.version('wasmtime'))" }
      if not (r and r.ok) then
        return { available = false,
          reason = "neither the wasmtime CLI nor the wasmtime Python package (python3 -m pip install wasmtime)" }
      end
      return { available = true, version = "wasmtime (PyPI) " .. r.stdout:gsub("%s+$", "") }
    end
    return { available = true, version = env.version({ argv[1], "--version" }) }
  end
  return lanes.define {
    name = name:gsub("[^%w_]", "_"),
    description = ("wasm runner %s: %s"):format(name, template),
    probe = probe,
    run = function(artifact, args)
      local argv = assert(util.expand_command(template, values(artifact)))
      for _, a in ipairs(args or {}) do argv[#argv + 1] = a end
      return argv
    end,
    env = { NODE_NO_WARNINGS = "1" },
  }
end

-- Molt's stricter build settings for the retry after a build timeout.
M.STRICT_BUILD_ENV = { MOLT_MIDEND_MAX_ROUNDS = "2", MOLT_SCCP_MAX_ITERS = "2", MOLT_CSE_MAX_ITERS = "2",
  MOLT_BUILD_LOCK_TIMEOUT = "30" }
-- Molt's build defaults for wasm.
M.BUILD_ENV = { MOLT_SCCP_MAX_ITERS = "8", MOLT_CSE_MAX_ITERS = "8", MOLT_MIDEND_MAX_ROUNDS = "3",
  MOLT_BUILD_LOCK_TIMEOUT = "60", MOLT_FRONTEND_PHASE_TIMEOUT = "60" }

local function merged_env(...)
  local out = {}
  for i = 1, select("#", ...) do
    for k, v in pairs(select(i, ...) or {}) do out[k] = v end
  end
  return out
end

local function build_class(r)
  if r.ok then return nil end
  if r.timed_out then return "build_timeout" end
  if ((r.stderr or "") .. (r.stdout or "")):lower():find("timed out waiting for build lock", 1, true) then
    return "build_lock"
  end
  return "build_failed"
end

local function text_of(r)
  local err = r.stderr or ""
  return classify.tail(err:find("%S") and err or (r.stdout or ""))
end

--- What a build command's placeholders stand for: {script} {dir} {out} (dir's
--- output_linked.wasm) {stem} {python} (default python3) {cache_flag} (`--cache`, or
--- `--no-cache` when `cache` is false: Molt's --no-molt-build-cache).
---@param script string
---@param dir string
---@param stem string
---@param python? string
---@param cache? boolean
---@return table<string, string>
function M.build_values(script, dir, stem, python, cache)
  return { script = script, dir = dir, out = fs.join(dir, "output_linked.wasm"), stem = stem,
    python = python or "python3", cache_flag = cache == false and "--no-cache" or "--cache" }
end

-- Builds one workload with Molt's retries: a timeout retries once with stricter limits and
-- an isolated build state, a build-lock wait once with isolated state, any other failure
-- once more as it was. Returns {ok, artifact, linked, build_s, attempts, detail, result}.
local function build(workload, dir, cfg)
  local linked_out = fs.join(dir, "output_linked.wasm")
  if workload.path:match("%.wasm$") then
    return { ok = true, artifact = workload.path, linked = true, build_s = 0.0, attempts = {} }
  end
  local total = 0.0
  local function once(attempt, overrides)
    local values = M.build_values(workload.path, dir, workload.name, cfg.python, cfg.cache)
    local argv = assert(util.expand_command(cfg.build_cmd, values))
    argv.env = merged_env(M.BUILD_ENV, cfg.build_env, overrides and overrides.env)
    argv.timeout = cfg.build_timeout
    argv.cwd = cfg.cwd
    if overrides and overrides.sleep_s then time.sleep(overrides.sleep_s) end
    local r, err = proc.run(argv)
    if cfg.log then cfg.log(("$ %s  # build attempt %d\n"):format(table.concat(argv, " "), attempt), r) end
    if not r then r = proc.not_started(err) end
    total = total + (r.wall_s or 0)
    return r
  end
  local r, attempts = triage.retry_with(once, {
    classes = { "build_timeout", "build_lock", "build_failed" },
    classify = build_class,
    overrides = function(class)
      local isolated = { MOLT_BUILD_STATE_DIR = fs.join(dir, "build_state_retry") }
      if class == "build_timeout" then return { env = merged_env(M.STRICT_BUILD_ENV, isolated) } end
      if class == "build_lock" then return { env = isolated } end
      return { sleep_s = cfg.retry_sleep or 1 }
    end,
  })
  local out = { attempts = attempts, build_s = total, result = r }
  if not r.ok then
    local last = attempts[#attempts].class
    if last == "build_timeout" then
      out.detail = ("build_timeout_after_retry timeout_s=%.1f"):format(cfg.build_timeout or 0)
    elseif last == "build_lock" then
      out.detail = "build_lock_timeout_after_retry"
    else
      out.detail = ("build_failed returncode=%s"):format(tostring(r.code or (r.signal and -r.signal)))
    end
    return out
  end
  if fs.exists(linked_out) then
    out.ok, out.artifact, out.linked = true, linked_out, true
  elseif not cfg.require_linked and fs.exists(fs.join(dir, "output.wasm")) then
    out.ok, out.artifact, out.linked = true, fs.join(dir, "output.wasm"), false
  else
    out.detail = "linked_wasm_required_unavailable"
    out.missing_linked = true
  end
  return out
end


-- One run of an artifact under a runner lane; never nil: a spawn failure is a failed result.
local function run_artifact(lane, artifact, cfg)
  local argv = lane.run(artifact, cfg.run_args)
  argv.env = merged_env(lane.env, cfg.run_env)
  argv.timeout = cfg.run_timeout
  argv.rss_limit_mb = cfg.rss_limit_mb
  argv.cwd = cfg.cwd
  local r, err = proc.run(argv)
  if cfg.log then cfg.log(("$ %s\n"):format(table.concat(argv, " ")), r) end
  if not r then return proc.not_started(err) end
  if r.ok and not require("rig.molt").positive(r.wall_s) then r.ok, r.invalid_timing = false, true end
  return r
end


-- The warmups and samples of an artifact under a runner lane, as one rig.measure benchmark
-- (failure policy "record"); `on_sample(run, result)` sees each good sample's rig.proc result
-- (for Molt's profile counters on stderr). Every run is logged like the builds.
local function sample_artifact(lane, artifact, cfg, on_sample)
  local argv = lane.run(artifact, cfg.run_args)
  local words = { table.unpack(argv) }
  local result = measure.run { commands = { { name = lane.name, argv = words, env = merged_env(lane.env, cfg.run_env),
    cwd = cfg.cwd } }, shell = false, warmup = cfg.warmup, runs = cfg.samples, failure = "record",
    timeout = cfg.run_timeout, rss_limit_mb = cfg.rss_limit_mb, capture_output = true,
    inspect = function(_, run, r, phase)
      -- Molt's invalid timing: a run that succeeded with no usable time (classify reads it).
      if run.invalid_timing then r.ok, r.invalid_timing = false, true end
      if cfg.log then cfg.log(("$ %s\n"):format(table.concat(words, " ")), r) end
      if phase ~= "warmup" and run.ok then on_sample(run, r) end
    end }
  return result.benchmarks[1]
end

--- Runs one case: build, inspect, warmups, samples, control. Returns its record in Molt's
--- format (`molt_wasm_*` keys, plus a `rig` block with the median and its interval and the
--- build attempts), or nil and an error when the run must stop (a linked artifact required
--- and missing).
---@param workload { name: string, path: string }
---@param cfg table see M.run
function M.case(workload, cfg)
  local dir = fs.join(cfg.workdir, workload.name)
  assert(fs.mkdir(dir))
  local rec = json.object({ molt_wasm_ok = false, molt_wasm_time_s = json.null, molt_wasm_samples_s = json.array({}) })
  local rigblock = json.object({ runner = cfg.runner.name })
  rec.rig = rigblock
  local built = build(workload, dir, cfg)
  rec.molt_wasm_build_s = built.build_s
  rigblock.build_attempts = json.array({})
  for i, a in ipairs(built.attempts) do
    rigblock.build_attempts[i] = json.object({ ok = a.ok, class = a.class or json.null,
      env = a.overrides and a.overrides.env or json.null })
  end
  if not built.ok then
    if built.missing_linked and cfg.require_linked then
      return nil, core.error("linked_wasm_required_unavailable",
        ("%s: the build succeeded but wrote no linked module (%s)"):format(workload.name,
          fs.join(dir, "output_linked.wasm")))
    end
    rec.molt_wasm_linked = false
    rec.molt_wasm_failure_class = "build_setup_error"
    rec.molt_wasm_failure_returncode = -1
    local text = built.result and text_of(built.result) or ""
    rec.molt_wasm_failure = built.detail .. (text ~= "" and ("\n" .. text) or "")
    return rec
  end
  rec.molt_wasm_linked = built.linked
  local info, why = M.inspect(built.artifact)
  if info then
    rec.molt_wasm_size_kb = info.size_kb
    rec.molt_wasm_import_count = info.import_count
    rec.molt_wasm_function_import_count = info.function_import_count
    rec.molt_wasm_table_import_count = info.table_import_count
    rec.molt_wasm_function_imports_per_kb = info.function_imports_per_kb
  else
    local st = fs.stat(built.artifact)
    rec.molt_wasm_size_kb = st and st.size / 1024 or json.null
    log.warn("%s: %s", workload.name, why.message)
  end

  -- Molt's wasm sampling, through rig.measure: a failing warmup ends the case; a failing
  -- measured sample is recorded (the first one is the case's failure) and sampling goes on.
  local samples, profiles, any_profile = {}, {}, false
  local b = sample_artifact(cfg.runner, built.artifact, cfg, function(run, r)
    local p = profile.extract(r.stderr or "", { strip = true })
    local epochs = profile.extract(r.stderr or "", { kind = "epoch", policy = "all", strip = true })
    any_profile = any_profile or p ~= nil or #epochs > 0
    profiles[#profiles + 1] = json.object({ sample_index = run.iteration - 1, profile = p or json.null,
      epochs = json.array(epochs) })
  end)
  for _, run in ipairs(b.runs) do
    if run.ok then samples[#samples + 1] = run.wall_s end
  end
  local stopped = b.failure or b.first_failure
  local failure = stopped and (stopped.result or proc.not_started(stopped.error))
  rec.molt_wasm_samples_s = json.array(samples)
  if any_profile then rec.molt_wasm_profile_samples = json.array(profiles) end
  rec.molt_wasm_ok = failure == nil and #samples == cfg.samples
  if rec.molt_wasm_ok then
    rec.molt_wasm_time_s = stats.mean(samples)
    local s = stats.summary(samples)
    local ci = stats.median_ci(samples)
    rigblock.median_s = s.median
    rigblock.ci_low_s = ci.low > -math.huge and ci.low or json.null
    rigblock.ci_high_s = ci.high < math.huge and ci.high or json.null
    rigblock.ci_confidence = ci.confidence
    if cfg.super then
      local summary = require("rig.bench").summarize_samples(samples)
      summary.samples_s = nil
      rec.molt_wasm_stats = summary
    end
  end
  if failure then
    local class, detail = classify.molt_wasm(failure, cfg.runner.name)
    rec.molt_wasm_failure_class = class
    rec.molt_wasm_failure_returncode = failure.code or (failure.signal and -failure.signal) or json.null
    rec.molt_wasm_failure = text_of(failure)
    if detail then rigblock.failure_detail = detail end
    if cfg.control then
      rec.molt_wasm_control_runner = cfg.control.name
      local fields = triage.control(failure, function() return run_artifact(cfg.control, built.artifact, cfg) end,
        "molt_wasm", { classify = function(r) return (classify.molt_wasm(r, cfg.control.name)) end })
      for k, v in pairs(fields) do rec[k] = v end
    end
  end
  return rec
end

local RUN_OPTIONS = {
  build_cmd = "string|list",
  cache = "boolean",
  build_env = "map",
  build_timeout = check.SECONDS,
  control = "any",
  cwd = "any",
  keep_artifacts = "boolean",
  log = "callable",
  node_max_old_space_mb = "any",
  on_snapshot = "callable",
  python = "any",
  require_linked = "boolean",
  retry_sleep = "any",
  rss_limit_mb = check.MEGABYTES,
  run_args = "list",
  run_env = "map",
  run_timeout = check.SECONDS,
  runner = { "table", required = true },
  samples = { "integer", min = 1, max = 1000000 },
  super = "boolean",
  warmup = { "integer", min = 0, max = 1000000 },
  workdir = "any",
  workloads = { "list", required = true },
}

--- Runs every workload: {workloads = {{name, path}}, runner = lane, control = lane?,
--- build_cmd (template: {script} {dir} {out} {stem} {python}), build_timeout, build_env,
--- samples, warmup, super, require_linked, run_timeout, rss_limit_mb, run_env, run_args,
--- node_max_old_space_mb, log = function(command_line, result)?, on_snapshot(payload)?,
--- workdir?}. Returns the payload in Molt's bench_wasm format, or nil and an error when the
--- run stopped early (a runner that cannot run here, a linked module required and missing),
--- with the payload so far as a third value.
---@param cfg table
function M.run(cfg)
  cfg = check.options("run", 1, cfg, RUN_OPTIONS)
  if cfg.build_cmd then
    local _, why = util.expand_command(cfg.build_cmd, M.build_values("x.py", ".", "x", cfg.python))
    if why then return nil, core.error("usage", "build_cmd: " .. why) end
  end
  for _, lane in ipairs { cfg.runner, cfg.control } do
    local p = lane:check()
    if not p.available then
      return nil, core.error("runner_unavailable", ("runner %s cannot run here: %s"):format(lane.name, p.reason))
    end
  end
  local host = env.host({ git = true })
  local guard = cfg.rss_limit_mb and json.object({ enabled = true, max_process_rss_gb = cfg.rss_limit_mb / 1024 })
    or json.object({ enabled = false })
  local payload = json.object({
    schema_version = 1,
    created_at = time.iso8601(),
    git_rev = host.git and host.git.commit or json.null,
    runner = cfg.runner.name,
    control_runner = cfg.control and cfg.control.name or json.null,
    node_max_old_space_mb = cfg.node_max_old_space_mb or json.null,
    super_run = cfg.super == true,
    samples = cfg.samples,
    warmup = cfg.warmup,
    system = require("rig.molt").system(host, env.version({ cfg.python or "python3", "--version" })),
    memory_guard = guard,
    benchmarks = json.object(),
    rig = json.object({ version = require("rig").version, host = host, build_cmd = cfg.build_cmd,
      runner_version = cfg.runner:check().version or json.null,
      control_version = cfg.control and cfg.control:check().version or json.null }),
  })
  local own_workdir = not cfg.workdir
  cfg.workdir = cfg.workdir or assert(fs.tmpdir("rig-bench-wasm"))
  for i, workload in ipairs(cfg.workloads) do
    log.info("[%d/%d] %s", i, #cfg.workloads, workload.name)
    local rec, err = M.case(workload, cfg)
    if not rec then return nil, err, payload end
    payload.benchmarks[workload.name] = rec
    if cfg.on_snapshot then cfg.on_snapshot(payload) end
  end
  if own_workdir and not cfg.keep_artifacts then fs.remove_tree(cfg.workdir, fs.dirname(cfg.workdir)) end
  return payload
end

return M
