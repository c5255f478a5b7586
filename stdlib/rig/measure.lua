--- The measurement engine: commands × parameters → runs → samples → statistics → verdicts,
--- with no tool's format in it. `rig run compare` (hyperfine's spellings, rig.hyperfine) is
--- built on it. A benchmark is one command with one setting of the parameters; a run is one
--- process, timed by Rig's spawn helper (fork to exit), with its CPU times and peak RSS from
--- wait4. Failures are records, never fake samples. docs/scripting.md#rigmeasure and
--- docs/compare.md; the stopping rule is in docs/statistics.md.
local check = require "rig.check"
local proc = require "rig.proc"
local stats = require "rig.stats"
local time = require "rig.time"
local util = require "rig.util"

local M = {}

---@class rig.MeasureRun
---@field wall_s number wall time, less the shell's start-up time when run through a shell
---@field user_s number
---@field sys_s number
---@field max_rss_kb integer
---@field code integer? exit code
---@field signal integer?
---@field timed_out boolean
---@field ok boolean exit 0, no signal, no timeout
---@field value number? the primary metric (wall_s unless `metric` says otherwise)
---@field iteration integer
---@field stdout_sha256 string? with `check_output`

---@class rig.MeasureBenchmark
---@field name string shown name (`-n`, else the command as run)
---@field command string the command line (parameters filled in)
---@field argv string[] what was started
---@field parameters table<string, string> this benchmark's parameter values
---@field runs rig.MeasureRun[] timed runs, in the order they ran
---@field warmup rig.MeasureRun[]
---@field failure table? {phase, message, code, signal, timed_out} when it stopped early

-- Seeded shuffles that leave Lua's own generator alone (a recipe may have seeded it):
-- splitmix64, whose 64-bit wrap-around is Lua's integer arithmetic.
local function rng(seed)
  local state = seed
  return function(n)
    state = state + 0x9E3779B97F4A7C15
    local z = state
    z = (z ~ (z >> 30)) * -4658895280553007687
    z = (z ~ (z >> 27)) * -7723592293110705685
    z = z ~ (z >> 31)
    return (z >> 1) % n + 1
  end
end

local METRICS = { "wall", "user", "sys", "cpu", "rss", "instructions" }

local HOOK = "string|list|function"
local COMMAND_FIELDS = {
  name = "string", shell = "string", argv = { "list", of = "string" }, env = { "map", of = "string|number" },
  cwd = check.PATH, stdin = check.PATH, stdout = "string",
  setup = HOOK, prepare = HOOK, conclude = HOOK, cleanup = HOOK,
}

local OPTIONS = {
  commands = { "list", required = true, nonempty = true },
  parameters = { "list", of = "table" },
  shell = "string|boolean",
  warmup = { "integer", min = 0, max = 1000000, default = 0 },
  runs = { "integer", min = 1, max = 1000000 },
  min_runs = { "integer", min = 1, max = 1000000 },
  max_runs = { "integer", min = 1, max = 1000000 },
  min_time = { "number", min = 0, max = 1e9, default = 3.0 },
  time_budget = check.SECONDS,
  decide = "boolean",
  order = { "string", choices = { "interleaved", "sequential", "random" }, default = "interleaved" },
  seed = { "integer", default = 1 },
  failure = { "string", choices = { "stop", "ignore", "record" }, default = "stop" },
  metric = { "string", default = "wall", check = function(v)
    for _, m in ipairs(METRICS) do if m == v then return true end end
    return false, "expected one of " .. table.concat(METRICS, ", ") .. util.did_you_mean(v, METRICS)
  end },
  metrics = { "map", of = "function" },
  check_output = "boolean",
  reference = { "integer", min = 1 },
  alpha = check.PROBABILITY,
  noise = { "number", min = 0, lt = 1 },
  timeout = check.SECONDS,
  cpu = { "integer", min = 0, max = 1023 },
  rss_limit_mb = check.MEGABYTES,
  capture_output = "boolean",
  inspect = "callable",
  output = "string",
  input = check.PATH,
  env = { "map", of = "string|number" },
  cwd = check.PATH,
  setup = HOOK, prepare = HOOK, conclude = HOOK, cleanup = HOOK,
  on_progress = "callable",
  on_look = "callable",
  decided = "callable",
}

--- The first look of the sequential rule and the growth of the looks after it: each look
--- adds half again as many runs (6, 9, 14, 21, 32, ...), so `max_runs` 1000 makes 14 looks.
M.FIRST_LOOK = 6
M.LOOK_GROWTH = 1.5

--- The run counts at which the sequential rule looks at the data, up to `max_runs` (always
--- the last). The error budget alpha is split evenly over these looks plus one more, kept
--- for a look forced by the time budget (Bonferroni: the chance that any look claims a
--- difference that is not there stays at most alpha, however the looks depend on each
--- other). docs/statistics.md#deciding-in-fewer-runs.
---@param min_runs integer
---@param max_runs integer
---@return integer[]
function M.looks(min_runs, max_runs)
  check.arg("looks", 1, min_runs, { "integer", min = 1 })
  check.arg("looks", 2, max_runs, { "integer", min = 1 })
  local out, n = {}, math.max(min_runs, M.FIRST_LOOK)
  while n < max_runs do
    out[#out + 1] = n
    n = math.max(n + 1, math.ceil(n * M.LOOK_GROWTH))
  end
  out[#out + 1] = max_runs
  return out
end

-- The argv of a command line: through the shell (`shell` is its own command line, split into
-- words, hyperfine's `-S "bash --norc"`), or split into words itself (`-N`).
local function line_argv(line, shell_words)
  if shell_words then
    local argv = { table.unpack(shell_words) }
    argv[#argv + 1] = "-c"
    argv[#argv + 1] = line
    return argv
  end
  local argv, why = util.shell_words(line)
  if not argv then return nil, why end
  if #argv == 0 then return nil, "an empty command" end
  return argv
end

-- A hook (string, argv list or function) with the parameters filled in.
-- With no parameters, commands, names and hooks are taken literally (hyperfine's rule:
-- braces mean nothing then, so `awk '{print $1}'` and `find -exec {} ;` run as written).
local function text_of(template, values, literal)
  if literal then return template end
  return util.expand_text(template, values)
end

local function words_of(list, values, literal)
  if literal then return { table.unpack(list) } end
  return util.expand_command(list, values)
end

local function expand_hook(hook, values, shell_words, literal)
  if hook == nil or type(hook) == "function" then return hook end
  if type(hook) == "string" then
    local text, why = text_of(hook, values, literal)
    if not text then return nil, why end
    return line_argv(text, shell_words)
  end
  return words_of(hook, values, literal)
end

-- Every combination of the parameters' values, the first parameter varying slowest
-- (hyperfine's order for several -L).
local function combinations(parameters)
  local out = { {} }
  for _, p in ipairs(parameters) do
    local next_out = {}
    for _, partial in ipairs(out) do
      for _, v in ipairs(p.values) do
        local c = { table.unpack(partial) }
        c[#c + 1] = { p.name, tostring(v) }
        next_out[#next_out + 1] = c
      end
    end
    out = next_out
  end
  return out
end

local PARAMETER_FIELDS = { name = { "string", required = true, pattern = "^[%w_]+$", what = "letters, digits and _" },
  values = { "list", required = true, nonempty = true } }

local function check_parameters(parameters)
  local seen = {}
  for i, p in ipairs(parameters or {}) do
    local why = check.record(p, PARAMETER_FIELDS)
    if why then error(("bad argument #1 to 'run' (parameters[%d]: %s)"):format(i, why), 3) end
    for _, v in ipairs(p.values) do
      if type(v) ~= "string" and type(v) ~= "number" then
        error(("bad argument #1 to 'run' (parameters[%d].values: strings or numbers, got a %s)"):format(i, type(v)), 3)
      end
    end
    if seen[p.name] then error(("bad argument #1 to 'run' (parameter '%s' given twice)"):format(p.name), 3) end
    seen[p.name] = true
  end
end

-- The benchmarks: each command with each combination of the parameters, commands first.
-- Every placeholder is checked here, before anything runs.
local function expand(cfg, shell_words)
  local out = {}
  local literal = cfg.parameters == nil or #cfg.parameters == 0
  for ci, raw in ipairs(cfg.commands) do
    local c = raw
    if type(raw) == "string" then
      c = { shell = raw }
    elseif type(raw) == "table" and raw.argv == nil and raw.shell == nil and #raw > 0 then
      c = { argv = raw }
    end
    if type(c) ~= "table" then
      error(("bad argument #1 to 'run' (commands[%d]: a command line, an argv list or a table, got a %s)")
        :format(ci, type(c)), 3)
    end
    local checked = {}
    local cwhy = check.record(c, COMMAND_FIELDS, checked)
    if cwhy then error(("bad argument #1 to 'run' (commands[%d]: %s)"):format(ci, cwhy), 3) end
    c = checked
    if (c.argv == nil) == (c.shell == nil) then
      error(("bad argument #1 to 'run' (commands[%d]: give a command line (string or shell=) or argv=, one of them)")
        :format(ci), 3)
    end
    for _, combo in ipairs(combinations(cfg.parameters or {})) do
      local values, params = {}, {}
      for _, kv in ipairs(combo) do values[kv[1]], params[kv[1]] = kv[2], kv[2] end
      local function fail(why)
        error(("bad argument #1 to 'run' (commands[%d]: %s)"):format(ci, why), 4)
      end
      local argv, line, why
      if c.shell then
        line, why = text_of(c.shell, values, literal)
        if not line then fail(why) end
        argv, why = line_argv(line, shell_words)
      else
        argv, why = words_of(c.argv, values, literal)
        line = argv and table.concat(argv, " ")
      end
      if not argv then fail(why) end
      local name = line
      if c.name then
        name, why = text_of(c.name, values, literal)
        if not name then fail(why) end
      end
      local b = { index = #out + 1, command_index = ci, template = c.name or c.shell or table.concat(c.argv, " "),
        name = name, command = line, argv = argv,
        parameters = params, parameter_order = {}, env = c.env, cwd = c.cwd or cfg.cwd, stdin = c.stdin or cfg.input,
        shelled = c.shell ~= nil and shell_words ~= nil, runs = {}, warmup = {}, hooks = {} }
      for _, kv in ipairs(combo) do b.parameter_order[#b.parameter_order + 1] = kv[1] end
      for _, hook in ipairs { "setup", "prepare", "conclude", "cleanup" } do
        local h = c[hook]
        if h == nil then h = cfg[hook] end
        local expanded, hwhy = expand_hook(h, values, shell_words, literal)
        if h ~= nil and not expanded then fail(("%s: %s"):format(hook, hwhy)) end
        b.hooks[hook] = expanded
      end
      out[#out + 1] = b
    end
  end
  return out
end

-- The shell's own start-up time (hyperfine's calibration): 50 runs of `SHELL -c ''`, whose
-- mean wall, user and sys times are taken off every run made through that shell.
local function calibrate(shell_words, cfg)
  local argv = line_argv("", shell_words)
  local walls, users, syss = {}, {}, {}
  for i = 1, 53 do
    local spec = { table.unpack(argv) }
    spec.stdout, spec.stderr = "null", "null"
    local r, err = proc.run(spec)
    if not r then return nil, err end
    if not r.ok then
      return nil, { code = "shell_failed", message = ("the shell %s fails to run an empty command (exit %s)")
        :format(table.concat(shell_words, " "), tostring(r.code)) }
    end
    if i > 3 then
      walls[#walls + 1], users[#users + 1], syss[#syss + 1] = r.wall_s, r.user_s, r.sys_s
    end
    if cfg.on_progress then cfg.on_progress({ phase = "calibrating", done = i, planned = 53 }) end
  end
  return { argv = argv, wall_s = stats.mean(walls), user_s = stats.mean(users), sys_s = stats.mean(syss),
    runs = #walls }
end

local function output_spec(spec, output)
  if output == nil or output == "null" then
    spec.stdout, spec.stderr = "null", "null"
  elseif output == "pipe" then
    spec.stdout, spec.stderr = "capture", "null"
  elseif output == "inherit" then
    spec.stdout, spec.stderr = "inherit", "inherit"
  else
    spec.stdout, spec.stderr = { file = output }, "null"
  end
end

-- Runs a hook; nil when it succeeded, else the failure record.
local function run_hook(b, name, cfg, iteration)
  local h = b.hooks[name]
  if h == nil then return nil end
  if type(h) == "function" then
    local ok, err = pcall(h, b, iteration)
    if ok and err ~= false then return nil end
    return { phase = name, message = ("the %s function failed: %s"):format(name, tostring(err)) }
  end
  local spec = { table.unpack(h) }
  spec.stdout, spec.stderr = "null", "capture"
  spec.env, spec.cwd, spec.timeout = cfg.env, b.cwd, cfg.timeout
  local r, err = proc.run(spec)
  if not r then return { phase = name, message = ("the %s command cannot start: %s"):format(name, err.message) } end
  if r.ok then return nil end
  return { phase = name, code = r.code, signal = r.signal, timed_out = r.timed_out,
    message = ("the %s command %s failed: %s%s"):format(name, table.concat(h, " "),
      r.timed_out and "timed out" or r.signal_name or ("exit " .. tostring(r.code)),
      (r.stderr or "") ~= "" and (": " .. util.tail_lines(r.stderr, 3)) or "") }
end

local function metric_value(metric, r, instructions)
  if metric == "wall" then return r.wall_s
  elseif metric == "user" then return r.user_s
  elseif metric == "sys" then return r.sys_s
  elseif metric == "cpu" then return r.user_s + r.sys_s
  elseif metric == "rss" then return r.max_rss_kb * 1024.0
  elseif metric == "instructions" then return instructions
  end
end

-- The spec of one run: the benchmark's argv, env (with RIG_ITERATION and a random-sized
-- RIG_RANDOMIZED_ENVIRONMENT_OFFSET), cwd, stdin, output and timeout.
local function run_spec(b, cfg, state, phase, iteration)
  local spec = { table.unpack(b.argv) }
  local env = {}
  for k, v in pairs(cfg.env or {}) do env[k] = v end
  for k, v in pairs(b.env or {}) do env[k] = v end
  env.RIG_ITERATION = phase == "warmup" and ("warmup-" .. iteration) or tostring(iteration)
  -- Mytkowicz et al. (2009): the environment's size moves the stack, and with it the timing
  -- of some programs; a random size per run spreads that bias instead of fixing it.
  env.RIG_RANDOMIZED_ENVIRONMENT_OFFSET = ("X"):rep(state.random(4096) - 1)
  spec.env, spec.cwd, spec.timeout, spec.cpu = env, b.cwd, cfg.timeout, cfg.cpu
  spec.rss_limit_mb = cfg.rss_limit_mb
  spec.stdin = b.stdin and { file = b.stdin } or nil
  output_spec(spec, cfg.output)
  if cfg.check_output or cfg.metrics or cfg.capture_output then spec.stdout = "capture" end
  if cfg.check_output or cfg.capture_output then spec.stderr = "capture" end
  return spec
end

local function not_started(err)
  return { phase = "run", message = ("the command cannot start: %s"):format(err.message), error_code = err.code,
    error = err }
end

-- A finished process as a run record (the shell's start-up time taken off), and the
-- benchmark's failure when the policy stops it.
local function record(b, cfg, state, r, phase, iteration, instructions)
  local shell = b.shelled and state.shell
  -- A run that "took" no time, or an impossible time, measured nothing: not ok.
  local timing_ok = type(r.wall_s) == "number" and r.wall_s > 0 and r.wall_s < math.huge
  local run = { iteration = iteration, ok = r.ok and timing_ok, code = r.code, signal = r.signal,
    timed_out = r.timed_out, invalid_timing = r.ok and not timing_ok or nil,
    wall_s = shell and math.max(0.0, r.wall_s - shell.wall_s) or r.wall_s,
    user_s = shell and math.max(0.0, r.user_s - shell.user_s) or r.user_s,
    sys_s = shell and math.max(0.0, r.sys_s - shell.sys_s) or r.sys_s,
    max_rss_kb = r.max_rss_kb }
  run.value = metric_value(cfg.metric, run, instructions)
  if cfg.check_output then
    run.stdout_sha256, run.stderr_sha256 = util.sha256(r.stdout or ""), util.sha256(r.stderr or "")
  end
  if cfg.metrics then
    run.metrics = {}
    for name, fn in pairs(cfg.metrics) do
      local ok, v = pcall(fn, r)
      if ok and type(v) == "number" then run.metrics[name] = v end
    end
  end
  if cfg.inspect then cfg.inspect(b, run, r, phase) end
  if run.ok or cfg.failure == "ignore" then return run end
  if cfg.failure == "record" and phase ~= "warmup" then
    b.failed_runs = (b.failed_runs or 0) + 1
    b.first_failure = b.first_failure or { phase = "run", iteration = iteration, result = r }
    return run
  end
  return run, { phase = "run", code = r.code, signal = r.signal, timed_out = r.timed_out, result = r,
    message = r.timed_out and ("timed out after %gs"):format(cfg.timeout)
      or r.signal and ("killed by %s"):format(r.signal_name or ("signal " .. r.signal))
      or run.invalid_timing and "no valid wall time" or ("exit code %d"):format(r.code or -1) }
end

-- One run of a benchmark, not pipelined: prepare, the command (under callgrind for the
-- instructions metric), conclude. Returns the run record and, when the benchmark must
-- stop, its failure.
local function run_one(b, cfg, state, phase, iteration)
  local failure = run_hook(b, "prepare", cfg, iteration)
  if failure then return nil, failure end
  local spec = run_spec(b, cfg, state, phase, iteration)
  local r, err, instructions
  if cfg.metric == "instructions" then
    local why
    instructions, why = require("rig.callgrind").instructions(spec)
    if not instructions then return nil, { phase = "run", message = "no instruction count: " .. why } end
    r = { ok = true, code = 0, wall_s = 0.0, user_s = 0.0, sys_s = 0.0, max_rss_kb = 0, timed_out = false }
  else
    r, err = proc.run(spec)
    if not r then return nil, not_started(err) end
  end
  local run
  run, failure = record(b, cfg, state, r, phase, iteration, instructions)
  local concluded = run_hook(b, "conclude", cfg, iteration)
  return run, failure or concluded
end

--- The values of a benchmark's primary metric over its timed runs (the ones that ended well,
--- unless failures are ignored: then every run that has a value).
---@param b rig.MeasureBenchmark
---@param metric? string a custom metric's name instead of the primary one
---@return number[]
function M.samples(b, metric)
  local out = {}
  for _, r in ipairs(M.counted_runs(b)) do
    local v
    if metric then v = r.metrics and r.metrics[metric] else v = r.value end
    if v then out[#out + 1] = v end
  end
  return out
end

--- The timed runs a benchmark's statistics count: those that ended well, or with failures
--- ignored every run that ended (a timed-out run never: it has no time of its own).
---@param b rig.MeasureBenchmark
---@return table[]
function M.counted_runs(b)
  local out = {}
  for _, r in ipairs(b.runs) do
    if (r.ok or b.ignore_failure) and not r.timed_out then out[#out + 1] = r end
  end
  return out
end

--- Summary of one benchmark's primary metric: n, median with its 95% interval, mean,
--- stddev (n − 1, hyperfine's), min, max, mean user/sys, peak RSS (max over runs), and
--- warnings (outliers by hyperfine's rule and Tukey's, a slow first run, too few runs).
---@param b rig.MeasureBenchmark
---@return table?
function M.summary(b)
  local xs = M.samples(b)
  if #xs == 0 then return nil end
  local s = stats.summary(xs)
  local ci = stats.median_ci(xs)
  local users, syss, rss = 0, 0, 0
  for _, r in ipairs(b.runs) do
    users, syss, rss = users + r.user_s, syss + r.sys_s, math.max(rss, r.max_rss_kb or 0)
  end
  local warnings = {}
  if #xs >= 4 then
    local o = stats.outliers(xs, { threshold = 0.6745 * 14.826 })
    local flagged = #o.modified_z_outliers
    if flagged > 0 then
      warnings[#warnings + 1] = ("%d statistical outlier%s (beyond 10 robust standard deviations): the "
        .. "machine was probably busy; quieten it, or add warmup runs"):format(flagged, flagged == 1 and "" or "s")
    end
    if #xs > 0 and s.mad > 0 and (xs[1] - s.median) / s.mad > 14.826 then
      warnings[#warnings + 1] = "the first run was much slower than the rest: caches were cold; try --warmup"
    end
  end
  if ci.low == -math.huge then
    warnings[#warnings + 1] = ("%d runs are too few for a 95%% interval of the median (6 are needed)"):format(#xs)
  end
  local failed = 0
  for _, r in ipairs(b.runs) do if not r.ok then failed = failed + 1 end end
  if failed > 0 then warnings[#warnings + 1] = ("%d of %d runs failed (ignored)"):format(failed, #b.runs) end
  return { n = #xs, median = s.median, ci_low = ci.low, ci_high = ci.high, mean = s.mean,
    stddev = s.std_sample or 0.0, min = s.min, max = s.max, user_mean = users / #b.runs, sys_mean = syss / #b.runs,
    max_rss_kb = rss, cv = s.cv, warnings = warnings }
end

-- With check_output: a complaint when a benchmark's stdout is not the reference's.
local function output_differs(ref, b)
  local seen = {}
  for _, r in ipairs(ref.runs) do if r.stdout_sha256 then seen[r.stdout_sha256] = true end end
  for _, r in ipairs(b.runs) do
    if r.stdout_sha256 and not seen[r.stdout_sha256] then
      return ("its output differs from %s's (sha256 %s...)"):format(ref.name, r.stdout_sha256:sub(1, 12))
    end
  end
end

local COMPARE = { reference = { "integer", min = 1 }, alpha = check.PROBABILITY, confidence = check.PROBABILITY,
  noise = { "number", min = 0, lt = 1 } }

--- Every benchmark against a reference (by default the one with the lowest median): the
--- ratio of medians with its bootstrap interval, the Mann-Whitney p-value and a verdict
--- (faster, slower, same, inconclusive) with its reason, from rig.stats.compare. A benchmark
--- with no samples gets verdict "failed". Returns the comparisons by benchmark index and the
--- reference's index (nil when nothing has samples).
---@param result table from run
---@param opts? { reference?: integer, alpha?: number, confidence?: number, noise?: number }
---@return table<integer, table> comparisons
---@return integer? reference
-- The comparison of benchmark i against the reference (M.compare's entry).
local function compare_one(result, samples, ref, i, opts)
  local xs = samples[i]
  if #xs == 0 then return { verdict = "failed", reason = "no successful runs", warnings = {} } end
  local c = stats.compare(samples[ref], xs, { alpha = opts.alpha, noise = opts.noise, confidence = opts.confidence })
  local why = output_differs(result.benchmarks[ref], result.benchmarks[i])
  if why then table.insert(c.warnings, why) end
  return c
end

-- The samples of every benchmark and the reference (the given one, else the fastest by
-- median; nil when nothing has samples).
local function samples_and_reference(result, ref)
  local samples = {}
  for i, b in ipairs(result.benchmarks) do samples[i] = M.samples(b) end
  if ref == nil then
    local best
    for i, xs in ipairs(samples) do
      local m = #xs > 0 and stats.median(xs)
      if m and (best == nil or m < best) then best, ref = m, i end
    end
  end
  if ref == nil or samples[ref] == nil or #samples[ref] == 0 then return samples, nil end
  return samples, ref
end

function M.compare(result, opts)
  check.arg("compare", 1, result, { "table", check = function(v)
    return type(v.benchmarks) == "table", "a result of rig.measure.run (it has no 'benchmarks' list)"
  end })
  opts = check.options("compare", 2, opts, COMPARE)
  local samples, ref = samples_and_reference(result, opts.reference)
  if ref == nil then return {}, nil end
  local out = {}
  for i in ipairs(samples) do
    if i ~= ref then out[i] = compare_one(result, samples, ref, i, opts) end
  end
  return out, ref
end

-- The comparisons as M.compare gives them, each made only when something reads it: a caller
-- with its own `decided` (rig.bisect) may never need the bootstrap of a look, which costs
-- far more than the question it asks. Returns them, the reference, and whether any was made.
local function lazy_compare(result, opts)
  local samples, ref = samples_and_reference(result, opts.reference)
  if ref == nil then return {}, nil, function() return true end end
  local made, out = {}, {}
  for i in ipairs(samples) do
    if i ~= ref then
      out[i] = setmetatable({}, { __index = function(t, k)
        if not made[i] then
          made[i] = true
          for key, v in pairs(compare_one(result, samples, ref, i, opts)) do rawset(t, key, v) end
          setmetatable(t, nil)
        end
        return rawget(t, k)
      end, __pairs = function(t)
        local _ = t.verdict -- made on first look inside
        return next, t, nil
      end })
    end
  end
  -- Whether every comparison is made (the final verdicts can then be these).
  local function complete()
    for i in pairs(out) do if not made[i] then return false end end
    return true
  end
  return out, ref, complete, samples
end

-- Every comparison decided: by its verdict, or by `decided(comparison, index, result)` when the caller
-- asks its own question of the runs (rig.bisect: beyond a threshold or not).
local function all_decided(comparisons, result, ref, decided, samples)
  local benchmarks = result.benchmarks
  for i in ipairs(benchmarks) do
    local c = comparisons[i]
    if i ~= ref then
      if not c then return false end
      if decided then
        -- No samples is "failed" (decided), without making the comparison.
        if samples[i] and #samples[i] > 0 and not decided(c, i, result) then return false end
      elseif c.verdict ~= "failed" and not (c.verdict == "faster" or c.verdict == "slower" or c.verdict == "same") then
        return false
      end
    end
  end
  return true
end

-- The plan: fixed runs, hyperfine's rule (min_runs, min_time, max_runs from the first run's
-- time), or the sequential rule (looks until decided, within max_runs and time_budget).
local function plan(cfg, n_benchmarks)
  if cfg.runs then return { mode = "fixed", runs = cfg.runs } end
  local decide = cfg.decide
  if decide == nil then decide = n_benchmarks >= 2 end
  if decide and n_benchmarks >= 2 then
    local max_runs = cfg.max_runs or 1000
    local min_runs = math.min(cfg.min_runs or M.FIRST_LOOK, max_runs)
    local looks = M.looks(min_runs, max_runs)
    return { mode = "decide", min_runs = min_runs, max_runs = max_runs, looks = looks,
      alpha = (cfg.alpha or 0.05) / (#looks + 1), time_budget = cfg.time_budget or 60.0 }
  end
  return { mode = "hyperfine", min_runs = cfg.min_runs or 10, max_runs = cfg.max_runs, min_time = cfg.min_time }
end

-- hyperfine's count: as many runs as fit in min_time at the first run's pace, at least
-- min_runs, at most max_runs.
local function hyperfine_count(p, first_s)
  local fit = first_s and first_s > 0 and math.floor(p.min_time / first_s) or p.min_runs
  local n = math.max(fit, p.min_runs)
  if p.max_runs then n = math.min(n, p.max_runs) end
  return math.max(1, math.min(n, 1000000))
end

-- The run in progress: the progress count, and the runs themselves. A list of runs with no
-- prepare or conclude hook is pipelined: each run is queued in Rig's spawn helper behind
-- the one before it (rig.proc.spawn's `after`), so it starts the moment that one ends and
-- Rig records a run while the next one runs (Rig's own cost per run then hides behind the
-- command's; the times are the helper's, fork to exit, either way).
local function session(cfg, result, state, started)
  local S = { done = 0, planned = 0 }
  local benchmarks = result.benchmarks
  local function finish(item, run, failure)
    local b = benchmarks[item[1]]
    if failure and failure.error and cfg.failure == "record" and item[2] ~= "warmup" then
      b.failed_runs = (b.failed_runs or 0) + 1
      b.first_failure = b.first_failure or failure
      failure = nil
    end
    result.schedule[#result.schedule + 1] = { item[1], item[2] == "warmup" and 0 or item[3] }
    if run then table.insert(item[2] == "warmup" and b.warmup or b.runs, run) end
    if failure then b.failure = failure end
    S.done = S.done + 1
    if cfg.on_progress then
      local elapsed = time.now() - started
      cfg.on_progress({ phase = item[2], benchmark = b, iteration = item[3], done = S.done, planned = S.planned,
        eta_s = elapsed / S.done * math.max(0, S.planned - S.done) })
    end
  end
  local function pipelinable()
    if cfg.metric == "instructions" then return false end
    -- A queued run opens its output file when it is queued, while the run before it is still
    -- writing: a file output (truncated per run, as hyperfine does) is not pipelined.
    if cfg.output and cfg.output ~= "null" and cfg.output ~= "pipe" and cfg.output ~= "inherit" then return false end
    for _, b in ipairs(benchmarks) do
      if b.hooks.prepare or b.hooks.conclude then return false end
    end
    return true
  end
  local pipelined = pipelinable()
  -- Runs `items` ({benchmark, phase, iteration, round_end}) in order; after each item that
  -- ends a round, `stop()` may end the list early. A queued run whose benchmark has failed
  -- by the time it would count is cancelled (or killed) and not recorded.
  function S.run_items(items, stop)
    if not pipelined then
      for _, item in ipairs(items) do
        local b = benchmarks[item[1]]
        if not b.failure then finish(item, run_one(b, cfg, state, item[2], item[3])) end
        if item[4] and stop and stop() then return true end
      end
      return false
    end
    local function start(k, after)
      local item = items[k]
      local b = item and benchmarks[item[1]]
      if not b or b.failure then return nil end
      local h, err = proc.spawn(run_spec(b, cfg, state, item[2], item[3]), after and { after = after } or nil)
      return h or { failed = err }
    end
    local current = start(1)
    for k, item in ipairs(items) do
      local b = benchmarks[item[1]]
      local queued_next = not (item[4] and stop) and current and not current.failed
      local nexth = queued_next and start(k + 1, current) or nil
      if current and not b.failure then
        local r, err
        if current.failed then err = current.failed else r, err = current:wait() end
        if r then proc._count(r) end
        if r then finish(item, record(b, cfg, state, r, item[2], item[3])) else finish(item, nil, not_started(err)) end
      elseif current and not current.failed then
        current:kill()
        current:wait()
      end
      if item[4] and stop and stop() then
        if nexth and not nexth.failed then nexth:kill() nexth:wait() end
        return true
      end
      if not queued_next then nexth = start(k + 1) end
      current = nexth
    end
    return false
  end
  function S.setup(i)
    local b = benchmarks[i]
    b.failure = b.failure or run_hook(b, "setup", cfg, 0)
    return b.failure == nil
  end
  function S.cleanup(i)
    local b = benchmarks[i]
    if not b.set_up then return end
    local failure = run_hook(b, "cleanup", cfg, 0)
    b.failure = b.failure or failure
  end
  -- The items of rounds first..last over `live`: interleaved rounds alternate direction
  -- (ABBA: no benchmark always runs first in its round, right after the previous round's
  -- last, and a linear drift falls on all alike); random rounds are seeded permutations.
  function S.rounds(live, phase, first, last)
    local items = {}
    for k = first, last do
      local order = { table.unpack(live) }
      if cfg.order == "interleaved" and k % 2 == 0 then
        for j = 1, #order // 2 do order[j], order[#order + 1 - j] = order[#order + 1 - j], order[j] end
      elseif cfg.order == "random" then
        for j = #order, 2, -1 do
          local r = state.random(j)
          order[j], order[r] = order[r], order[j]
        end
      end
      for j, i in ipairs(order) do items[#items + 1] = { i, phase, k, j == #order } end
    end
    return items
  end
  return S
end

-- The items of runs first..last of benchmark i, in sequential order.
local function series(i, phase, first, last)
  local items = {}
  for k = first, last do items[#items + 1] = { i, phase, k, false } end
  return items
end

-- Sequential order (hyperfine's): each benchmark's setup, warmup, runs and cleanup, then
-- the next one's.
local function run_sequential(S, cfg, p, benchmarks)
  for i, b in ipairs(benchmarks) do
    b.set_up = S.setup(i)
    if b.set_up then
      S.planned = S.planned + cfg.warmup
      S.run_items(series(i, "warmup", 1, cfg.warmup))
      local target = p.runs or p.max_runs
      if p.mode == "hyperfine" then
        S.planned = S.planned + 1
        S.run_items(series(i, "run", 1, 1))
        target = hyperfine_count(p, b.runs[1] and b.runs[1].wall_s)
      end
      S.planned = S.planned + target - #b.runs
      S.run_items(series(i, "run", #b.runs + 1, target))
    end
    S.cleanup(i)
  end
  return p.mode == "decide" and "sequential order runs every benchmark to max_runs" or "planned runs done"
end

-- The sequential rule's look after round k: the verdicts at the per-look alpha; true when
-- every comparison is decided.
local function look(result, cfg, p, k)
  local comparisons, ref, complete, samples = lazy_compare(result, { reference = cfg.reference, alpha = p.alpha,
    confidence = 1 - p.alpha, noise = cfg.noise })
  local decided = all_decided(comparisons, result, ref, cfg.decided, samples or {})
  result.looks[#result.looks + 1] = { runs = k, decided = decided }
  if cfg.on_look then cfg.on_look(result, comparisons) end
  return decided, { comparisons = comparisons, reference = ref, schedule = #result.schedule, complete = complete }
end

-- Interleaved or random order: every setup, then rounds of one run of each live benchmark,
-- then every cleanup. Returns why it stopped.
local function run_rounds(S, cfg, p, result, started)
  local benchmarks = result.benchmarks
  local live = {}
  for i, b in ipairs(benchmarks) do
    b.set_up = S.setup(i)
    if b.set_up then live[#live + 1] = i end
  end
  local function prune()
    local still = {}
    for _, i in ipairs(live) do if not benchmarks[i].failure then still[#still + 1] = i end end
    live = still
    return #live > 0
  end
  S.planned = #live * cfg.warmup
  S.run_items(S.rounds(live, "warmup", 1, cfg.warmup))
  prune()
  local target, k = p.runs or p.max_runs, 0
  if p.mode == "hyperfine" then
    S.planned = S.planned + #live
    S.run_items(S.rounds(live, "run", 1, 1))
    k, target = 1, 1
    for _, i in ipairs(live) do
      local first = benchmarks[i].runs[1]
      target = math.max(target, hyperfine_count(p, first and first.wall_s))
    end
  end
  S.planned = S.planned + #live * (target - k)
  local why = "planned runs done"
  local next_look, latest = 1, nil
  while k < target and prune() do
    -- Up to the next look (the sequential rule) or the end; the time budget is checked
    -- after every round.
    local last = p.mode == "decide" and math.min(p.looks[next_look], target) or target
    local over_budget = false
    local stop = p.mode == "decide" and function()
      over_budget = time.now() - started >= p.time_budget
      return over_budget
    end or nil
    S.run_items(S.rounds(live, "run", k + 1, last), stop)
    k = #benchmarks[live[1]].runs
    for _, i in ipairs(live) do k = math.max(k, #benchmarks[i].runs) end
    if not prune() then why = "every benchmark failed" break end
    if p.mode == "decide" then
      local decided
      decided, latest = look(result, cfg, p, k)
      if decided then why = ("every comparison decided after %d runs each"):format(k) break end
      if over_budget then why = ("time budget of %gs spent after %d runs each"):format(p.time_budget, k) break end
      if k >= p.looks[next_look] then next_look = next_look + 1 end
    end
  end
  if why == "planned runs done" and #live == 0 then why = "every benchmark failed" end
  if p.mode == "decide" and why == "planned runs done" then
    why = ("max_runs (%d) reached undecided"):format(p.max_runs)
  end
  for i in ipairs(benchmarks) do S.cleanup(i) end
  return why, latest
end

--- Runs the benchmarks. `cfg.commands`: command lines (strings, run through `shell`, or split
--- into words when `shell` is false), argv lists, or tables {name, shell | argv, env, cwd,
--- stdin, setup, prepare, conclude, cleanup}; `cfg.parameters`: {{name, values}} (every
--- combination, `{name}` in commands, names and hooks). Stopping: `runs` (fixed); else with
--- two or more benchmarks the sequential rule (`decide`, default on: rounds until every
--- comparison is decided, `min_runs` 6, `max_runs` 1000, `time_budget` 60 s); else
--- hyperfine's (`min_runs` 10, `min_time` 3 s, `max_runs`). `order` interleaved (default:
--- round-robin, one run of each benchmark per round), sequential, or random (a seeded
--- permutation per round); the schedule is recorded. `failure` "stop" (a failing benchmark
--- stops; the others go on) or "ignore". `metric`: wall (default), user, sys, cpu, rss,
--- instructions (each run under callgrind). Returns {benchmarks, schedule, plan, shell,
--- comparisons, reference, stop_reason, wall_s}. docs/scripting.md#rigmeasure.
---@param cfg table
---@return table result
function M.run(cfg)
  cfg = check.options("run", 1, cfg, OPTIONS)
  check_parameters(cfg.parameters)
  local shell_words
  if cfg.shell ~= false then
    local why
    shell_words, why = util.shell_words((cfg.shell == nil or cfg.shell == true) and "sh" or cfg.shell)
    if not shell_words or #shell_words == 0 then
      error(("bad argument #1 to 'run' (shell: %s)"):format(why or "empty"), 2)
    end
  end
  local benchmarks = expand(cfg, shell_words)
  if cfg.reference and cfg.reference > #benchmarks then
    error(("bad argument #1 to 'run' (reference %d: there are %d benchmarks)"):format(cfg.reference, #benchmarks), 2)
  end
  local started = time.now()
  local result = { benchmarks = benchmarks, schedule = {}, order = cfg.order, seed = cfg.seed, metric = cfg.metric,
    looks = {} }
  local state = { random = rng(cfg.seed) }
  local any_shelled = false
  for _, b in ipairs(benchmarks) do
    b.ignore_failure = cfg.failure == "ignore"
    any_shelled = any_shelled or b.shelled
  end
  if any_shelled and cfg.metric ~= "instructions" then
    local shell, err = calibrate(shell_words, cfg)
    if not shell then return nil, err end
    state.shell, result.shell = shell, shell
  end
  local p = plan(cfg, #benchmarks)
  result.plan = p
  local S = session(cfg, result, state, started)
  local last_look
  if cfg.order == "sequential" then
    result.stop_reason = run_sequential(S, cfg, p, benchmarks)
  else
    result.stop_reason, last_look = run_rounds(S, cfg, p, result, started)
  end
  -- The final verdicts: at the level the plan allows (the sequential rule's per-look alpha).
  -- A look at the very runs there are now already made them (its bootstrap is not redone).
  if last_look and last_look.schedule == #result.schedule and last_look.complete() then
    result.comparisons, result.reference = last_look.comparisons, last_look.reference
  else
    result.comparisons, result.reference = M.compare(result, { reference = cfg.reference,
      alpha = p.mode == "decide" and p.alpha or cfg.alpha, confidence = p.mode == "decide" and (1 - p.alpha) or nil,
      noise = cfg.noise })
  end
  result.wall_s = time.now() - started
  return result
end

return M
