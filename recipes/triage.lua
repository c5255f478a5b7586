-- Ad-hoc triage of a failing (or suspect) command: run it N times (is it flaky? which failure
-- classes?), re-run a failure under a control command (does another runner agree?), retry
-- with stricter settings, and find which env settings flip it (delta debugging). Prints a
-- verdict with the evidence; --json-out keeps all of it. docs/triage.md.
-- Exit: 0 passes in every run, 1 fails in every run, 3 flaky, 2 bad usage.
local classify, triage, json = rig.classify, rig.triage, rig.json

local parse_assignments = rig.util.parse_assignments

local function pct(x) return ("%.0f%%"):format(x * 100) end

local function first_lines(text, n)
  local out = {}
  for line in (text or ""):gmatch("[^\n]+") do
    if line:find("%S") then out[#out + 1] = line end
    if #out == n then break end
  end
  return table.concat(out, " | ")
end

return rig.recipe {
  description = "Triage a command: flaky or not, failure classes, a control runner, retries, the env setting to blame.",
  rest = "COMMAND [ARGS...]",
  params = {
    { "runs", type = "integer", default = 10, help = "runs for the flakiness check" },
    { "classes", choices = { "basic", "molt_wasm", "molt" }, default = "basic",
      help = "failure classes: basic (timeout, signal_exit, exit_nonzero), Molt's wasm classes, "
        .. "or Molt's native statuses" },
    { "runner", default = "node", help = "the runner name the molt_wasm rules see (node-only classes need node)" },
    { "rules", type = "path", help = "a Lua file returning your own rules, tried before the shipped ones" },
    { "timeout_sec", type = "number", default = 120, help = "per run" },
    { "rss_limit_mb", type = "integer", help = "stop a run whose process tree passes this RSS" },
    { "control", help = "a second command for a failed case (shell words, quotes honoured; {case} allowed)" },
    { "control_prefix", default = "triage", help = "field prefix of the control fields (Molt: molt_wasm)" },
    { "retry_env", type = "list", help = "NAME=VALUE to retry a failure with (repeatable)" },
    { "retry_class", type = "list", help = "classes worth a retry (default: any failure)" },
    { "failing_env", type = "list",
      help = "NAME=VALUE of a configuration that fails (repeatable; with --passing-env: bisect)" },
    { "passing_env", type = "list", help = "NAME=VALUE of a configuration that passes (repeatable)" },
    { "probe_runs", type = "integer",
      help = "bisection: most runs per probe; the endpoints run this many times and each probe until a sequential "
        .. "test decides (default: --runs; 1 for one run per probe)" },
    { "results", type = "path", help = "a results JSON (Molt native or wasm) holding the case's recorded failure" },
    { "case", help = "the case's name in --results; also fills {case} in the commands" },
    { "json_out", type = "path", help = "write every run and probe as JSON" },
  },
  examples = {
    "rig run triage --runs 20 -- ./flaky_test.sh",
    "rig run triage --classes molt_wasm --control 'python3 run_wasmtime.py fib.wasm' -- node run_node.mjs fib.wasm",
    "rig run triage --failing-env OPT=3 --failing-env SIMD=1 --passing-env OPT=2 --passing-env SIMD=0 -- ./case",
    "rig run triage --results bench_wasm.json --case bench_sum --classes molt_wasm -- ./run_case.sh {case}",
  },
  run = function(p, ctx)
    if #ctx.rest == 0 then
      ctx.log.error("no command: rig run triage [options] -- COMMAND [ARGS...]")
      return 2
    end
    if p.runs < 1 then
      ctx.log.error("--runs must be at least 1")
      return 2
    end
    -- Every NAME=VALUE option is checked before anything runs.
    local overrides, oerr = parse_assignments(p.retry_env, "--retry-env")
    local failing, ferr = parse_assignments(p.failing_env, "--failing-env")
    local passing, perr = parse_assignments(p.passing_env, "--passing-env")
    if not overrides or not failing or not passing then
      ctx.log.error("%s", oerr or ferr or perr)
      return 2
    end
    -- Placeholders ({case}) and --control's shell words are checked before anything runs.
    local values = { case = p.case or "" }
    local command, cerr = rig.util.expand_command(ctx.rest, values)
    local control_argv, kerr
    if p.control then control_argv, kerr = rig.util.expand_command(p.control, values) end
    if not command or (p.control and not control_argv) then
      ctx.log.error("%s", command and ("--control: " .. kerr) or ("the command: " .. cerr))
      return 2
    end

    -- The classifier: the team's rules first, then the shipped table.
    local base_rules, default
    if p.classes == "molt_wasm" then
      base_rules, default = classify.MOLT_WASM_RULES, "runner_error"
    else
      base_rules, default = classify.BASIC_RULES, "exit_nonzero"
    end
    local rules = {}
    if p.rules then
      local chunk, err = loadfile(p.rules, "t", {})
      if not chunk then
        ctx.log.error("%s", err)
        return 2
      end
      local ok, own = pcall(chunk)
      if not ok or type(own) ~= "table" then
        ctx.log.error("--rules %s: must return a list of rules (%s)", p.rules, ok and type(own) or tostring(own))
        return 2
      end
      for _, r in ipairs(own) do rules[#rules + 1] = r end
    end
    for _, r in ipairs(base_rules) do rules[#rules + 1] = r end
    local ok_rules, compiled = pcall(classify.classifier, rules, { default = default })
    if not ok_rules then
      ctx.log.error("--rules %s: %s", tostring(p.rules), tostring(compiled))
      return 2
    end
    local function class_of(r)
      if p.classes == "molt" and not p.rules then return classify.molt_failure("run", r).status end
      return (compiled(r, { runner = p.runner }))
    end

    local function run(argv, env)
      local spec = { table.unpack(argv) }
      spec.env, spec.timeout, spec.rss_limit_mb = env, p.timeout_sec, p.rss_limit_mb
      local r, err = rig.proc.run(spec)
      return r or rig.proc.not_started(err)
    end
    local evidence = json.object({ command = json.array(command) })
    local out = io.stdout

    -- The recorded failure, when the case comes from a results file.
    local recorded, recorded_class
    if p.results then
      if not p.case then
        ctx.log.error("--results needs --case NAME")
        return 2
      end
      local data, err = rig.bench.read_results(p.results)
      if not data then
        ctx.log.error("--results: %s", err.message)
        return 2
      end
      local rec = type(data.benchmarks) == "table" and data.benchmarks[p.case]
      if type(rec) ~= "table" then
        ctx.log.error("--results %s: no benchmark '%s'%s", p.results, p.case,
          rig.util.did_you_mean(p.case, rig.util.sorted_keys(data.benchmarks or {})))
        return 2
      end
      recorded = json.object({})
      for k, v in pairs(rec) do
        if k:match("failure") or k:match("_ok$") or k:match("_status$") or k:match("_control_") then recorded[k] = v end
      end
      evidence.recorded = recorded
      if rec.molt_wasm_ok == false then
        recorded_class = rec.molt_wasm_failure_class or "runner_error"
      elseif rec.molt_status and rec.molt_status ~= "pass" then
        recorded_class = rec.molt_status
      end
      out:write(("recorded in %s: %s %s\n"):format(p.results, p.case,
        recorded_class and ("failed: " .. tostring(recorded_class)) or "passed"))
    end

    -- 1. Flaky or not.
    local flaky = triage.flaky(function() return run(command) end, { runs = p.runs, classify = class_of })
    local classes = {}
    for _, name in ipairs(rig.util.sorted_keys(flaky.classes)) do
      classes[#classes + 1] = ("%s x%d"):format(name, flaky.classes[name])
    end
    out:write(("runs: %d, failed %d (%s, 95%% interval %s to %s): %s%s\n"):format(flaky.runs, flaky.failures,
      pct(flaky.rate), pct(flaky.rate_low), pct(flaky.rate_high), flaky.verdict,
      #classes > 0 and ("; classes: " .. table.concat(classes, ", ")) or ""))
    local first_failure
    for _, r in ipairs(flaky.results) do
      if not r.ok then first_failure = r break end
    end
    local runs = json.array({})
    for i, r in ipairs(flaky.results) do
      runs[i] = json.object({ ok = r.ok, wall_s = r.wall_s, code = r.code or json.null,
        signal = r.signal_name or json.null, timed_out = r.timed_out == true,
        class = (not r.ok) and class_of(r) or json.null })
    end
    evidence.flaky = json.object({ runs = flaky.runs, failures = flaky.failures, rate = flaky.rate,
      rate_low = flaky.rate_low, rate_high = flaky.rate_high, verdict = flaky.verdict,
      classes = json.object(flaky.classes), results = runs })
    if first_failure then
      out:write(("first failure: %s, exit %s: %s\n"):format(class_of(first_failure),
        tostring(first_failure.code or first_failure.signal_name),
        first_lines(first_failure.stderr ~= "" and first_failure.stderr or first_failure.stdout, 3)))
      if recorded_class then
        local same = recorded_class == class_of(first_failure)
        out:write(("recorded class %s: %s\n"):format(recorded_class, same and "reproduced" or "a different class now"))
        evidence.reproduces = same
      end
    elseif recorded_class then
      out:write("the recorded failure did not reproduce here\n")
      evidence.reproduces = false
    end

    -- 2. A control runner for the failure.
    if control_argv and first_failure then
      local fields = triage.control(first_failure, function() return run(control_argv) end, p.control_prefix,
        { classify = class_of })
      evidence.control = json.object(fields)
      evidence.control.command = json.array(control_argv)
      local ok = fields[p.control_prefix .. "_control_ok"]
      out:write(("control (%s): %s\n"):format(p.control, ok and "passes: the failure belongs to the primary runner"
        or ("fails too (" .. tostring(fields[p.control_prefix .. "_control_failure_class"])
          .. "): the case itself fails")))
    end

    -- 3. A retry with stricter or isolated settings.
    if #p.retry_env > 0 and first_failure then
      local wanted = p.retry_class
      if #wanted == 0 then wanted = rig.util.sorted_keys(flaky.classes) end
      local calls = 0
      local _, attempts = triage.retry_with(function(_, ov)
        calls = calls + 1
        if calls == 1 then return first_failure end -- the failure already seen is attempt 1
        return run(command, ov and ov.env)
      end, { classes = wanted, overrides = { env = overrides }, classify = class_of })
      evidence.retry = json.array(attempts)
      local last = attempts[#attempts]
      out:write(("retry with %s: %s\n"):format(table.concat(p.retry_env, " "), #attempts == 1
        and "not tried (class not in --retry-class)"
        or (last.ok and "passes" or ("fails (" .. tostring(last.class) .. ")"))))
    end

    -- 4. Which setting is to blame.
    if #p.failing_env > 0 or #p.passing_env > 0 then
      -- One run of a flaky case is not an answer: each probe runs until a sequential test
      -- decides which side it is on (two runs for a case that is not flaky).
      local probe_runs = p.probe_runs or p.runs
      if probe_runs < 1 then
        ctx.log.error("--probe-runs must be at least 1")
        return 2
      end
      local found, why, probes = triage.bisect_settings { failing = failing, passing = passing, runs = probe_runs,
        fails = function(settings) return not run(command, settings).ok end }
      if not found then
        out:write(("bisect: %s (%d probes)\n"):format(why, #probes))
        evidence.bisect = json.object({ error = why, probes = json.array(probes) })
      else
        local parts, unsure = {}, 0
        for _, k in ipairs(found.culprits) do parts[#parts + 1] = k .. "=" .. tostring(failing[k]) end
        for _, pr in ipairs(found.probes) do if not pr.sure then unsure = unsure + 1 end end
        out:write(("bisect: %s flips it (%d probes, %d runs%s%s)\n"):format(table.concat(parts, " "), #found.probes,
          found.runs, probe_runs > 1 and (", failing %.0f%% / passing %.0f%%"):format(found.rates.failing * 100,
            found.rates.passing * 100) or "", unsure > 0 and (", %d probes undecided at --probe-runs"):format(unsure)
          or ""))
        evidence.bisect = json.object({ culprits = json.array(found.culprits), probes = json.array(found.probes),
          runs = found.runs, probe_runs = probe_runs, rates = json.object(found.rates) })
      end
    end

    if p.json_out then assert(json.write(p.json_out, evidence, { indent = 2, sort_keys = true })) end
    local verdict = flaky.verdict
    out:write(("verdict: %s\n"):format(verdict == "passes" and "passes in every run"
      or verdict == "fails" and "fails in every run" or "flaky"))
    if verdict == "passes" then return 0 end
    return verdict == "fails" and 1 or 3
  end,
}
