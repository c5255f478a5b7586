-- Profile one command with a chosen backend and keep the evidence in one folder, described by
-- profile.json: why is this lane slow, and a number (instructions) that does not move with the
-- machine's load.
local BACKENDS = {
  time = "wall/user/sys time and peak RSS (always works)",
  counters = "Molt's runtime counters (MOLT_PROFILE=1 MOLT_PROFILE_JSON=1), diffed with --compare",
  perf = "perf record -g (cpu-clock), folded stacks and a flame graph",
  callgrind = "valgrind --tool=callgrind: instruction count and the costliest functions",
  ["py-spy"] = "py-spy record (Python programs): folded Python stacks and a flame graph",
  ["perf-stat"] = "perf stat: task clock, and hardware instructions/cycles/cache misses where exposed",
}
local BACKEND_NAMES = { "callgrind", "counters", "perf", "perf-stat", "py-spy", "time" }
local PERF_STAT_EVENTS = { "task-clock", "instructions:u", "cycles:u", "cache-references:u", "cache-misses:u",
  "branch-misses:u" }

-- perf stat -x, lines: value,unit,event,run time,enabled %,... ("<not supported>" as value).
local function parse_perf_stat(text)
  local out, order = {}, {}
  for line in text:gmatch("[^\n]+") do
    if not line:match("^#") then
      local value, unit, event = line:match("^([^,]*),([^,]*),([^,]+)")
      if event then
        order[#order + 1] = event
        out[event] = { value = tonumber(value), unit = unit, note = tonumber(value) == nil and value or nil }
      end
    end
  end
  return out, order
end
local BACKEND_HELP = {}
for i, name in ipairs(BACKEND_NAMES) do BACKEND_HELP[i] = name .. ": " .. BACKENDS[name] end
local LANE_NAMES = { "codon", "cpython", "molt", "nuitka", "numba", "pypy" }
local HINTS = {
  perf = "perf is not installed (Debian: apt-get install linux-perf)",
  valgrind = "valgrind is not installed (Debian: apt-get install valgrind)",
  ["py-spy"] = "py-spy is not installed (pip install py-spy)",
}

local function result_fields(r)
  return { ok = r.ok, code = r.code, signal = r.signal_name, timed_out = r.timed_out, wall_s = r.wall_s,
    user_s = r.user_s, sys_s = r.sys_s, max_rss_kb = r.max_rss_kb }
end

-- A padded markdown table: the first row holds the headers.
local function table_text(rows)
  local headers = table.remove(rows, 1)
  local align = { "left" }
  for i = 2, #headers do align[i] = "right" end
  return rig.md.table(rows, { headers = headers, align = align, pad = true })
end

local function describe_end(r)
  if r.timed_out then return "timed out" end
  if r.signal then return "killed by " .. tostring(r.signal_name or r.signal) end
  return "exit " .. tostring(r.code)
end

return rig.recipe {
  description = "Profile a command (time, counters, perf, callgrind) into a folder with a profile.json manifest.",
  params = {
    { "backend", type = "choice", choices = BACKEND_NAMES, default = "time",
      help = "how to profile; " .. table.concat(BACKEND_HELP, "; ") },
    { "out", type = "path", required = true, help = "output folder (created; files in it are replaced)" },
    { "env", type = "list", help = "KEY=VALUE for the command's environment" },
    { "timeout", type = "number", help = "seconds before the command is stopped" },
    { "compare", type = "path",
      help = "an earlier profile.json (or its folder): counter diff, instruction ratio, or differential flame graph" },
    { "top", type = "integer", default = 15, help = "rows in the printed tables" },
    { "frequency", type = "integer", default = 999, help = "perf, py-spy: samples per second" },
    { "script", type = "path", help = "profile this Python script as --lane runs it (arguments after --)" },
    { "lane", type = "choice", choices = LANE_NAMES, default = "cpython", help = "the lane for --script" },
  },
  rest = "COMMAND [ARGS...]",
  examples = {
    "rig run profile --backend callgrind --out /tmp/p -- ./a.out 1000",
    "rig run profile --backend counters --out /tmp/new --compare /tmp/old -- molt run bench_sum.py",
  },
  run = function(p, ctx)
    local fs, json, proc = rig.fs, rig.json, rig.proc
    local command = ctx.rest
    if #command == 0 and not p.script then
      ctx.log.error("no command: give it after --, e.g. rig run profile --out DIR -- ./prog args")
      return 2
    end
    assert(fs.mkdir(p.out))
    local env = {}
    if p.script then
      -- The lane's own command for the script (built first where the lane compiles).
      local lane = rig.lanes[p.lane]({})
      local probe = lane:check()
      if not probe.available then
        ctx.log.error("lane %s cannot run here: %s", p.lane, tostring(probe.reason))
        return 3
      end
      local built = lane:build_workload(p.script, p.out)
      if built and not built.binary then
        ctx.log.error("lane %s could not build %s: %s", p.lane, p.script, built.error and built.error.message
          or built.missing and ("no binary at " .. built.missing)
          or (built.result and built.result.stderr:sub(1, 400)) or "unknown error")
        return 1
      end
      command = lane:command(p.script, ctx.rest, built)
      for k, v in pairs(lane.env or {}) do env[k] = v end
      env.PYTHONHASHSEED = env.PYTHONHASHSEED or "0"
    end
    local extra, why = rig.util.parse_assignments(p.env or {}, "--env")
    if not extra then
      ctx.log.error("%s", why)
      return 2
    end
    for k, v in pairs(extra) do env[k] = v end
    local manifest = json.object({ backend = p.backend, command = json.array(command),
      created_at = os.date("!%Y-%m-%dT%H:%M:%SZ"), files = json.object({}) })
    local function path(name)
      manifest.files[name] = name
      return fs.join(p.out, name)
    end
    -- Runs the command behind `tool` (an argv prefix, empty for none) and keeps its output
    -- in the folder. Returns the result, or nil (reported) when it cannot start.
    local function run_under(tool, extra_env)
      local spec = table.move(tool, 1, #tool, 1, {})
      for _, a in ipairs(command) do spec[#spec + 1] = a end
      spec.env = {}
      for k, v in pairs(env) do spec.env[k] = v end
      for k, v in pairs(extra_env or {}) do spec.env[k] = v end
      spec.timeout = p.timeout
      spec.max_capture = 64 << 20
      local result, run_err = proc.run(spec)
      if not result then
        ctx.log.error("%s", run_err.message)
        return nil
      end
      assert(fs.write(path("stdout.txt"), result.stdout))
      assert(fs.write(path("stderr.txt"), result.stderr))
      return result
    end
    local function need(tool)
      if rig.env.which(tool) then return true end
      ctx.log.error("%s", HINTS[tool])
      return false
    end
    local function load_previous()
      if not p.compare then return nil end
      local st = fs.stat(p.compare)
      local file = st and st.kind == "directory" and fs.join(p.compare, "profile.json") or p.compare
      local prev, err = json.read(file)
      if not prev then ctx.log.error("--compare: %s", err.message) end
      return prev, file
    end

    -- perf and py-spy: the flame graph, the hottest functions, and with --compare a
    -- differential flame graph against the earlier profile's stacks.
    local function flame_outputs(folded, quiet)
      local tree, tree_err = rig.flame.parse_folded(folded, fs.join(p.out, "stacks.folded"))
      if not tree then
        ctx.log.error("%s", tree_err.message)
        return false
      end
      local title = table.concat(command, " ")
      assert(fs.write(path("flamegraph.svg"), rig.flame.svg(tree, { title = title })))
      manifest.samples = tree.total
      if not quiet then
        local t = { { "function", "self samples", "share" } }
        for _, f in ipairs(rig.flame.top_self(tree, p.top)) do
          t[#t + 1] = { f.name, tostring(f.self), ("%.1f%%"):format(100 * f.share) }
        end
        io.stdout:write(("%d samples; hottest functions (self):\n"):format(tree.total), table_text(t))
      end
      local prev, file = load_previous()
      if prev then
        local before_text = prev.files and prev.files["stacks.folded"]
          and fs.read(fs.join(fs.dirname(file), prev.files["stacks.folded"]))
        local before = before_text and rig.flame.parse_folded(before_text)
        if before then
          assert(fs.write(path("flamegraph_diff.svg"), rig.flame.diff_svg(before, tree,
            { title = title .. " (against " .. file .. ")" })))
          io.stdout:write("differential flame graph: ", fs.join(p.out, "flamegraph_diff.svg"), "\n")
        else
          ctx.log.warn("%s has no readable stacks.folded to compare with", file)
        end
      end
      return true
    end

    local r
    if p.backend == "time" or p.backend == "counters" then
      r = run_under({}, p.backend == "counters" and { MOLT_PROFILE = "1", MOLT_PROFILE_JSON = "1" } or nil)
      if not r then return 2 end
      if p.backend == "counters" then
        local payload, report = rig.profile.from_result(r)
        if not payload then
          ctx.log.error("no molt_profile_json record in the command's output (%d candidate lines, %d invalid)",
            report.candidates, #report.invalid)
        else
          manifest.counters = json.object(rig.profile.flatten(payload))
          local prev, file = load_previous()
          if prev and prev.counters then
            local rows = rig.profile.diff(prev.counters, manifest.counters, { top = p.top })
            io.stdout:write(("counter changes from %s (largest relative change first):\n"):format(file))
            local t = { { "counter", "before", "after", "ratio" } }
            for _, row in ipairs(rows) do
              t[#t + 1] = { row.name, tostring(row.a), tostring(row.b),
                row.ratio and ("%.3fx"):format(row.ratio) or "new" }
            end
            io.stdout:write(table_text(t))
          elseif p.compare and prev then
            ctx.log.warn("%s has no counters to compare with", file)
          end
        end
      end
    elseif p.backend == "perf" then
      if not need("perf") then return 3 end
      local data = path("perf.data")
      r = run_under({ "perf", "record", "-F", tostring(p.frequency), "-e", "cpu-clock", "-g", "-o", data, "--" })
      if not r then return 2 end
      if not fs.exists(data) then
        ctx.log.error("perf record wrote no data (%s): %s", describe_end(r), r.stderr:sub(1, 400))
        return 3
      end
      local script = proc.run { "perf", "script", "-i", data, max_capture = 1 << 30 }
      if not script or not script.ok then
        ctx.log.error("perf script failed: %s", script and script.stderr:sub(1, 400) or "cannot start")
        return 3
      end
      local folded = rig.flame.fold_perf_script(script.stdout)
      assert(fs.write(path("stacks.folded"), folded))
      if not flame_outputs(folded) then return 3 end
    elseif p.backend == "perf-stat" then
      if not need("perf") then return 3 end
      local csv = path("perf-stat.csv")
      r = run_under({ "perf", "stat", "-x", ",", "-e", table.concat(PERF_STAT_EVENTS, ","), "-o", csv, "--" })
      if not r then return 2 end
      local text = fs.read(csv)
      if not text then
        ctx.log.error("perf stat wrote nothing (%s): %s", describe_end(r), r.stderr:sub(1, 400))
        return 3
      end
      local events, order = parse_perf_stat(text)
      manifest.perf_stat = json.object({})
      local t = { { "event", "value", "unit" } }
      for _, name in ipairs(order) do
        local e = events[name]
        manifest.perf_stat[name] = e.value or e.note
        t[#t + 1] = { name, e.value and ("%.15g"):format(e.value) or e.note, e.unit }
      end
      io.stdout:write(table_text(t))
      if events["instructions:u"] and not events["instructions:u"].value then
        ctx.log.info("hardware counters are not exposed here (a VM or container); --backend callgrind counts "
          .. "instructions in software")
      end
    elseif p.backend == "py-spy" then
      if not need("py-spy") then return 3 end
      -- --nolineno: one frame per function, as perf's stacks have.
      r = run_under({ "py-spy", "record", "--format", "raw", "--nolineno", "--rate", tostring(p.frequency),
        "-o", path("stacks.folded"), "--" })
      if not r then return 2 end
      local folded = fs.read(fs.join(p.out, "stacks.folded"))
      if not folded then
        ctx.log.error("py-spy wrote no stacks (%s): %s", describe_end(r), r.stderr:sub(1, 400))
        return 3
      end
      if not flame_outputs(folded) then return 3 end
    elseif p.backend == "callgrind" then
      if not need("valgrind") then return 3 end
      local out_file = path("callgrind.out")
      r = run_under({ "valgrind", "--tool=callgrind", "--callgrind-out-file=" .. out_file, "--" })
      if not r then return 2 end
      local cg, cg_err = rig.callgrind.read(out_file)
      if not cg then
        ctx.log.error("callgrind wrote no usable output (%s): %s", describe_end(r), cg_err.message)
        return 3
      end
      manifest.instructions = cg.totals.Ir
      manifest.totals = json.object(cg.totals)
      local t = { { "function", "self Ir", "inclusive Ir", "self share" } }
      local total = cg.totals[cg.events[1]] or 0
      for i = 1, math.min(p.top, #cg.functions) do
        local f = cg.functions[i]
        t[#t + 1] = { f.name, tostring(f.self), tostring(f.inclusive),
          total > 0 and ("%.1f%%"):format(100 * f.self / total) or "-" }
      end
      io.stdout:write(("%s instructions; costliest functions (self):\n"):format(tostring(cg.totals.Ir)),
        table_text(t))
      -- The call graph as a flame graph (instructions, not samples).
      local folded = rig.callgrind.folded(cg)
      assert(fs.write(path("stacks.folded"), folded))
      if not flame_outputs(folded, true) then return 3 end
      manifest.samples = nil
      local prev, file = load_previous()
      if prev and prev.instructions then
        io.stdout:write(("instructions: %d -> %d (%.4fx) against %s\n"):format(prev.instructions, cg.totals.Ir,
          cg.totals.Ir / prev.instructions, file))
      end
    end
    manifest.result = json.object(result_fields(r))
    assert(json.write(fs.join(p.out, "profile.json"), manifest, { indent = 2, sort_keys = true }))
    io.stdout:write(("%s: %s, %.3f s wall, %.3f s user, %d kB peak RSS; wrote %s\n"):format(p.backend, describe_end(r),
      r.wall_s, r.user_s, r.max_rss_kb or 0, fs.join(p.out, "profile.json")))
    -- The profile is the output; a failing command is reported in it and in the exit code.
    return r.ok and 0 or 1
  end,
}
