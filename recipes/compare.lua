-- Is A faster than B? hyperfine's command line and exports, on rig.measure: commands run
-- interleaved, and with two or more of them Rig keeps running rounds until every comparison
-- is decided (faster, slower or same) or the budget ends. docs/compare.md.
-- Exit: 0 done, 1 a command failed (without -i) or an export could not be written, 2 bad usage.
local measure, hyperfine, json, util = rig.measure, rig.hyperfine, rig.json, rig.util

-- -P NAME LOW HIGH with -D STEP: the values, as hyperfine makes them (integers unless a step
-- is given). nil and why for a range that is empty or too long.
local function scan_values(scan, step)
  local name, low, high = scan[1], tonumber(scan[2]), tonumber(scan[3])
  if not (low and high) then return nil, ("-P %s: LOW and HIGH must be numbers"):format(name) end
  if not step and not (math.tointeger(low) and math.tointeger(high)) then
    return nil, ("-P %s: LOW and HIGH must be integers unless -D gives a step"):format(name)
  end
  step = step or 1
  if step <= 0 then return nil, "-D must be positive" end
  if high < low then return nil, ("-P %s: HIGH (%s) is below LOW (%s)"):format(name, scan[3], scan[2]) end
  if (high - low) / step > 100000 then return nil, ("-P %s: more than 100000 values"):format(name) end
  local values, k = {}, 0
  while true do
    local v = low + k * step
    if v > high + step * 1e-9 then break end
    values[#values + 1] = math.type(v) == "float" and ("%.10g"):format(v) or tostring(v)
    k = k + 1
  end
  return { name = name, values = values }
end

local function parameters_of(p)
  local out = {}
  for _, scan in ipairs(p.parameter_scan) do
    local values, why = scan_values(scan, p.parameter_step_size)
    if not values then return nil, why end
    out[#out + 1] = values
  end
  for _, list in ipairs(p.parameter_list) do
    local values = {}
    for v in (list[2] .. ","):gmatch("([^,]*),") do values[#values + 1] = v end
    out[#out + 1] = { name = list[1], values = values }
  end
  return out
end

-- One hook value for every command, or one per command (hyperfine's repeated --prepare).
local function per_command(list, n, flag)
  if #list == 0 then return {} end
  if #list == 1 then
    local out = {}
    for i = 1, n do out[i] = list[1] end
    return out
  end
  if #list ~= n then
    return nil, ("%s given %d times for %d commands: give it once, or once per command"):format(flag, #list, n)
  end
  return list
end

local function styles(style)
  local tty = util.isatty(2)
  local no_color = (os.getenv("NO_COLOR") or "") ~= ""
  local s = { output = style ~= "none" }
  if style == "auto" then
    s.color, s.progress = tty and util.isatty(1) and not no_color, tty
  elseif style == "full" then
    s.color, s.progress = not no_color, true
  elseif style == "color" then
    s.color, s.progress = not no_color, false
  elseif style == "nocolor" then
    s.color, s.progress = false, true
  else
    s.color, s.progress = false, false
  end
  return s
end

local function progress_line(enabled)
  local last = 0
  return function(info)
    if not enabled then return end
    local now = rig.time.now()
    if now - last < 0.1 then return end
    last = now
    local text
    if info.phase == "calibrating" then
      text = ("Measuring shell spawning time [%d/%d]"):format(info.done, info.planned)
    else
      text = ("[%d/%d] %s %s %d%s"):format(info.done, math.max(info.planned, info.done), info.benchmark.name,
        info.phase == "warmup" and "warmup" or "run", info.iteration,
        info.eta_s and ("  ETA %ds"):format(math.floor(info.eta_s + 0.5)) or "")
    end
    io.stderr:write("\r\27[K", text:sub(1, 120))
    io.stderr:flush()
  end
end

local function write_exports(p, result, ctx)
  local ok = true
  local function put(path, text)
    if not path then return end
    local done, err = rig.fs.write(path, text)
    if not done then
      ctx.log.error("cannot write %s: %s", path, err.message)
      ok = false
    end
  end
  local sort = p.sort
  put(p.export_json, p.export_json and json.encode(hyperfine.export_json(result, { version = rig.version,
    host = rig.env.host() }), { indent = 2 }) .. "\n")
  put(p.export_markdown, p.export_markdown and hyperfine.markdown(result, { unit = p.time_unit,
    sort = sort == "auto" and "command" or sort }))
  put(p.export_csv, p.export_csv and hyperfine.csv(result))
  put(p.export_html, p.export_html and rig.htmlreport.compare(result, { title = "rig run compare" }))
  return ok
end

return rig.recipe {
  description = "Compare commands, hyperfine's way, with verdicts: runs interleaved until each "
    .. "comparison is decided (faster, slower or same) or the budget ends.",
  params = {
    { "commands", type = "list", positional = true, required = true, metavar = "COMMAND",
      help = "the commands to time (a shell command line each, or words with -N)" },
    { "warmup", short = "w", type = "integer", default = 0, help = "runs before timing, per command" },
    { "runs", short = "r", type = "integer", help = "exactly this many runs per command (no sequential rule)" },
    { "min_runs", short = "m", type = "integer",
      help = "at least this many runs (default 10; 6 with the sequential rule: its first look)" },
    { "max_runs", short = "M", type = "integer", help = "at most this many runs (sequential rule: 1000)" },
    { "time_budget", type = "number", help = "sequential rule: stop after this many seconds (default 60)" },
    { "decide", type = "boolean",
      help = "with two or more commands, run until decided (default on; --no-decide: hyperfine's counts)" },
    { "no_shell", short = "N", type = "boolean", help = "run commands without a shell (split into words)" },
    { "shell", short = "S", default = "sh", help = "the shell for commands and hooks ('none' = -N)" },
    { "setup", short = "s", type = "list", help = "run once before each command's runs (once, or once per command)" },
    { "prepare", short = "p", type = "list", help = "run before every run (once, or once per command)" },
    { "conclude", short = "C", type = "list", help = "run after every run (once, or once per command)" },
    { "cleanup", short = "c", type = "list", help = "run after each command's last run (once, or once per command)" },
    { "parameter_scan", short = "P", type = "list", nargs = 3, metavar = "NAME LOW HIGH",
      help = "benchmark each value of {NAME} from LOW to HIGH" },
    { "parameter_step_size", short = "D", type = "number", help = "the step of -P (default 1)" },
    { "parameter_list", short = "L", type = "list", nargs = 2, metavar = "NAME VALUES",
      help = "benchmark each of the comma-separated VALUES as {NAME} (several: every combination)" },
    { "command_name", short = "n", type = "list", help = "names for the commands, in order ({NAME} allowed)" },
    { "ignore_failure", short = "i", type = "boolean", help = "keep timing commands that exit non-zero" },
    { "show_output", type = "boolean", help = "let the commands write to the terminal" },
    { "output", default = "null", help = "where commands' output goes: null, pipe, inherit or a file" },
    { "input", type = "path", help = "a file to give each command as its standard input" },
    { "reference", help = "a command to compare the others with (run first)" },
    { "time_unit", short = "u", choices = hyperfine.UNITS, help = "the unit of times shown" },
    { "sort", choices = { "auto", "command", "mean-time" }, default = "auto",
      help = "order of the summary (auto: by time) and of the Markdown table (auto: by command)" },
    { "style", choices = { "auto", "basic", "full", "nocolor", "color", "none" }, default = "auto",
      help = "output style (NO_COLOR turns colours off)" },
    { "order", choices = { "interleaved", "sequential", "random" }, default = "interleaved",
      help = "run order: a round of every command at a time, all of one then the next, or shuffled rounds" },
    { "seed", type = "integer", default = 1, help = "seed of --order random and the environment offsets" },
    { "metric", choices = { "wall", "user", "sys", "cpu", "rss", "instructions" }, default = "wall",
      help = "what the verdicts compare (instructions: each run under callgrind)" },
    { "alpha", type = "number", default = 0.05, help = "false-positive rate of each verdict" },
    { "noise", type = "number", default = 0.02, help = "changes within ±this share count as the same" },
    { "timeout", type = "number", help = "seconds before a run is stopped (a failure)" },
    { "export_json", type = "path", help = "hyperfine's JSON, with Rig's additions under 'rig'" },
    { "export_markdown", type = "path", help = "hyperfine's Markdown table, then medians and verdicts" },
    { "export_csv", type = "path", help = "hyperfine's CSV" },
    { "export_html", type = "path", help = "a self-contained page with the plots" },
  },
  examples = {
    "rig run compare 'gzip -1 -c big.txt' 'gzip -9 -c big.txt'",
    "rig run compare -N --warmup 3 './fib_old 30' './fib_new 30' --export-json fib.json",
    "rig run compare -P threads 1 8 'make -j {threads}' --prepare 'make clean'",
    "rig run compare -L comp gzip,zstd '{comp} -c data.tar' --export-html comp.html",
  },
  run = function(p, ctx)
    local function usage(fmt, ...)
      ctx.log.error(fmt, ...)
      return 2
    end
    for _, name in ipairs { "warmup", "runs", "min_runs", "max_runs" } do
      if p[name] and p[name] < (name == "warmup" and 0 or 1) then
        return usage("--%s must be at least %d", (name:gsub("_", "-")), name == "warmup" and 0 or 1)
      end
    end
    if p.min_runs and p.max_runs and p.min_runs > p.max_runs then
      return usage("--min-runs (%d) is above --max-runs (%d)", p.min_runs, p.max_runs)
    end
    if not (p.alpha > 0 and p.alpha < 1) then return usage("--alpha must be between 0 and 1") end
    if not (p.noise >= 0 and p.noise < 1) then return usage("--noise must be from 0 to below 1") end
    if p.timeout and not (p.timeout > 0 and p.timeout <= 1e9) then return usage("--timeout must be positive") end
    if p.time_budget and not (p.time_budget > 0 and p.time_budget <= 1e9) then
      return usage("--time-budget must be positive")
    end
    local commands = {}
    if p.reference then commands[1] = p.reference end
    for _, c in ipairs(p.commands) do commands[#commands + 1] = c end
    if #p.command_name > #commands then
      return usage("%d --command-name for %d commands", #p.command_name, #commands)
    end
    local parameters, why = parameters_of(p)
    if not parameters then return usage("%s", why) end
    local hooks = {}
    for _, hook in ipairs { "setup", "prepare", "conclude", "cleanup" } do
      local list, herr = per_command(p[hook], #commands, "--" .. hook)
      if not list then return usage("%s", herr) end
      hooks[hook] = list
    end
    local specs = {}
    for i, c in ipairs(commands) do
      specs[i] = { shell = c, name = p.command_name[i], setup = hooks.setup[i], prepare = hooks.prepare[i],
        conclude = hooks.conclude[i], cleanup = hooks.cleanup[i] }
    end
    local shell = p.shell == "default" and "sh" or p.shell
    if p.no_shell or p.shell == "none" then shell = false end
    local style = styles(p.style)
    local output = p.show_output and "inherit" or p.output
    if output == "inherit" then style.progress = false end
    local show = progress_line(style.progress)
    local ok, result, err = pcall(measure.run, {
      commands = specs, parameters = parameters, shell = shell, warmup = p.warmup, runs = p.runs,
      min_runs = p.min_runs, max_runs = p.max_runs, time_budget = p.time_budget, decide = p.decide,
      order = p.order, seed = p.seed, failure = p.ignore_failure and "ignore" or "stop", metric = p.metric,
      reference = p.reference and 1 or nil, alpha = p.alpha, noise = p.noise, timeout = p.timeout,
      output = output, input = p.input, on_progress = show,
    })
    if style.progress then io.stderr:write("\r\27[K") end
    if not ok then
      -- The commands, names and hooks are the user's: a bad placeholder or quote is theirs.
      return usage("%s", (tostring(result):gsub("^.-bad argument #1 to 'run' %((.*)%)$", "%1")))
    end
    if not result then
      ctx.log.error("%s", err.message)
      return 1
    end
    if style.output then
      for i in ipairs(result.benchmarks) do
        io.write(hyperfine.benchmark_text(result, i, { color = style.color, unit = p.time_unit }), "\n")
      end
      io.write(hyperfine.summary_text(result, { color = style.color, sort = p.sort }))
    end
    local exported = write_exports(p, result, ctx)
    local failed = {}
    for _, b in ipairs(result.benchmarks) do
      if b.failure then failed[#failed + 1] = ("'%s': %s"):format(b.name, b.failure.message) end
    end
    if #failed > 0 then
      ctx.log.error("%s%s", table.concat(failed, "; "),
        p.ignore_failure and "" or ". Use -i/--ignore-failure to time commands that exit non-zero, "
          .. "or --show-output to see what went wrong")
      return 1
    end
    return exported and 0 or 1
  end,
}
