--- hyperfine's formats over rig.measure results: the JSON export (read unchanged by
--- hyperfine's scripts/, with Rig's additions under the key `rig`), the Markdown and CSV
--- exports, and the terminal report in hyperfine's layout with Rig's medians, intervals and
--- verdicts. `rig run compare` writes these; docs/compare.md.
local check = require "rig.check"
local json = require "rig.json"
local measure = require "rig.measure"

local M = {}

local UNITS = {
  second = { name = "s", factor = 1, digits = 3 },
  millisecond = { name = "ms", factor = 1e3, digits = 1 },
  microsecond = { name = "µs", factor = 1e6, digits = 1 },
}
M.UNITS = { "second", "millisecond", "microsecond" }

-- Wall times of the timed runs hyperfine would report: every run that has ended (with
-- --ignore-failure, the failed ones too).
local function wall_times(b)
  local out = {}
  for _, r in ipairs(measure.counted_runs(b)) do out[#out + 1] = r.wall_s end
  return out
end

-- hyperfine's statistics of one benchmark's wall times: mean, stddev (n − 1; null for one
-- run), median, min, max, mean user and system time.
local function hyperfine_stats(b)
  local ts = wall_times(b)
  if #ts == 0 then return nil end
  local s = require("rig.stats").summary(ts)
  local user, sys = 0, 0
  for _, r in ipairs(b.runs) do user, sys = user + r.user_s, sys + r.sys_s end
  return { mean = s.mean, stddev = #ts > 1 and s.std_sample or nil, median = s.median, min = s.min, max = s.max,
    user = user / #b.runs, system = sys / #b.runs, times = ts }
end

-- hyperfine's relative speeds: mean over the reference's mean (the fastest when none is
-- given) with σ_r = r·√((σ_a/μ_a)² + (σ_b/μ_b)²).
local function relative(result, reference)
  local st = {}
  for i, b in ipairs(result.benchmarks) do st[i] = hyperfine_stats(b) end
  local ref = reference
  if not (ref and st[ref]) then
    ref = nil
    for i, s in pairs(st) do
      if ref == nil or s.mean < st[ref].mean then ref = i end
    end
  end
  local out = {}
  for i, s in pairs(st) do
    if ref then
      local r = st[ref]
      local ratio = s.mean / r.mean
      local err = ratio * math.sqrt(((s.stddev or 0) / s.mean) ^ 2 + ((r.stddev or 0) / r.mean) ^ 2)
      out[i] = { ratio = ratio, stddev = err, is_reference = i == ref }
    end
  end
  return st, out, ref
end

local measurements_of


local function comparison_json(c, against)
  if not c then return json.null end
  return json.object({ against = against, verdict = c.verdict, reason = c.reason, ratio = json.finite(c.ratio),
    ci_low = json.finite(c.ci_low), ci_high = json.finite(c.ci_high), p_value = json.finite(c.p_value),
    warnings = json.array(c.warnings or {}) })
end

-- hyperfine's metric names for the schema-2 export.
local PRIMARY = { wall = "time_wall_clock", user = "time_user", sys = "time_system", cpu = "time_cpu",
  rss = "memory_peak_resident", instructions = "instructions" }

local function metric_summary(values, unit)
  local st = require("rig.stats").summary(values)
  return json.object({ count = #values, mean = st.mean, stddev = #values > 1 and st.std_sample or json.null,
    median = st.median, min = st.min, max = st.max, unit = unit })
end

-- hyperfine's schema-2 fields of one command: a measurement per run ({metric = {value,
-- unit}}, exit_code) and a summary per metric.
function measurements_of(b, metric)
  local out = json.array({})
  local cols = { time_wall_clock = {}, time_user = {}, time_system = {}, time_cpu = {}, memory_peak_resident = {} }
  if metric == "instructions" then cols.instructions = {} end
  for _, r in ipairs(measure.counted_runs(b)) do
    local m = json.object({
      time_wall_clock = json.object({ value = r.wall_s, unit = "second" }),
      time_user = json.object({ value = r.user_s, unit = "second" }),
      time_system = json.object({ value = r.sys_s, unit = "second" }),
      time_cpu = json.object({ value = r.user_s + r.sys_s, unit = "second" }),
      memory_peak_resident = json.object({ value = (r.max_rss_kb or 0) * 1024, unit = "byte" }),
      exit_code = r.code == nil and json.null or r.code,
    })
    if metric == "instructions" then m.instructions = json.object({ value = r.value, unit = "" }) end
    out[#out + 1] = m
    for name, list in pairs(cols) do list[#list + 1] = m[name].value end
  end
  local summary = json.object({})
  for _, name in ipairs { "time_wall_clock", "time_user", "time_system", "time_cpu", "memory_peak_resident",
    "instructions" } do
    if cols[name] and #cols[name] > 0 then
      summary[name] = metric_summary(cols[name], name == "memory_peak_resident" and "byte"
        or name == "instructions" and "" or "second")
    end
  end
  return out, summary
end

--- The JSON export: `{results = [...]}` as hyperfine's releases write it (command, mean,
--- stddev, median, user, system, min, max, times, memory_usage_byte, exit_codes, and
--- parameters when there are some), with the fields of hyperfine's newer layout beside them
--- (`primary_metric`, and per command `measurements` and `summary` by metric; its
--- `parameters` objects are not written, the releases' strings are); plus `rig`: the primary
--- metric's summary and values, the verdicts, warmup times, failures, the plan, the stop
--- reason and the schedule.
---@param result table from rig.measure.run
---@param extra? table more fields for the `rig` block (host, version)
---@return table document (encode with rig.json.encode)
function M.export_json(result, extra)
  check.arg("export_json", 1, result, "table")
  check.arg("export_json", 2, extra, "table|nil")
  local st = relative(result)
  local results, rigs = json.array({}), json.array({})
  for i, b in ipairs(result.benchmarks) do
    local s = st[i]
    local entry = json.object({ command = b.name })
    local codes, memory = json.array({}), json.array({})
    for _, r in ipairs(measure.counted_runs(b)) do
      codes[#codes + 1] = r.code == nil and json.null or r.code
      memory[#memory + 1] = (r.max_rss_kb or 0) * 1024
    end
    if s then
      entry.measurements, entry.summary = measurements_of(b, result.metric)
      entry.mean, entry.stddev, entry.median = s.mean, s.stddev or json.null, s.median
      entry.user, entry.system, entry.min, entry.max = s.user, s.system, s.min, s.max
      entry.times, entry.memory_usage_byte, entry.exit_codes = json.array(s.times), memory, codes
      if #b.parameter_order > 0 then
        entry.parameters = json.object({})
        for _, name in ipairs(b.parameter_order) do entry.parameters[name] = b.parameters[name] end
      end
      results[#results + 1] = entry
    end
    local summary = measure.summary(b)
    local warm = json.array({})
    for _, r in ipairs(b.warmup) do warm[#warm + 1] = r.wall_s end
    local values = json.array(measure.samples(b))
    rigs[#rigs + 1] = json.object({
      command = b.name, command_line = b.command, argv = json.array(b.argv), exported = s ~= nil,
      metric = result.metric, values = values, warmup_times = warm,
      median = summary and summary.median or json.null,
      ci_low = summary and json.finite(summary.ci_low) or json.null,
      ci_high = summary and json.finite(summary.ci_high) or json.null,
      runs = #b.runs, failed_runs = (function()
        local n = 0
        for _, r in ipairs(b.runs) do if not r.ok then n = n + 1 end end
        return n
      end)(),
      max_rss_byte = summary and summary.max_rss_kb * 1024 or json.null,
      warnings = json.array(summary and summary.warnings or {}),
      failure = b.failure and json.object({ phase = b.failure.phase, message = b.failure.message,
        code = b.failure.code, signal = b.failure.signal, timed_out = b.failure.timed_out }) or json.null,
      comparison = comparison_json(result.comparisons and result.comparisons[i],
        result.reference and result.benchmarks[result.reference].name),
    })
  end
  local schedule = json.array({})
  for _, s in ipairs(result.schedule) do schedule[#schedule + 1] = json.array({ s[1], s[2] }) end
  local rig = json.object({ benchmarks = rigs, metric = result.metric, order = result.order, seed = result.seed,
    reference = result.reference and result.benchmarks[result.reference].name or json.null,
    reference_index = result.reference or json.null,
    plan = json.object(result.plan or {}), stop_reason = result.stop_reason or json.null,
    shell_overhead_s = result.shell and result.shell.wall_s or json.null,
    wall_s = result.wall_s or json.null, schedule = schedule })
  if result.plan and result.plan.looks then rig.plan.looks = json.array(result.plan.looks) end
  for k, v in pairs(extra or {}) do rig[k] = v end
  return json.object({ primary_metric = PRIMARY[result.metric] or "time_wall_clock", results = results, rig = rig })
end

local function pick_unit(result, unit)
  if unit then return UNITS[unit] end
  local first = result.benchmarks[1] and hyperfine_stats(result.benchmarks[1])
  return (first and first.mean >= 1) and UNITS.second or UNITS.millisecond
end

local function sorted_indices(result, sort, st)
  local idx = {}
  for i in ipairs(result.benchmarks) do if st[i] then idx[#idx + 1] = i end end
  if sort == "mean-time" then
    table.sort(idx, function(a, b) return st[a].mean < st[b].mean end)
  end
  return idx
end

--- The Markdown export: hyperfine's table (Command, Mean ± σ, Min, Max, Relative), then Rig's
--- (median with its 95% interval and the verdict against the reference). `unit`: second,
--- millisecond, microsecond (default: from the first command's mean, as hyperfine).
--- `sort`: "command" (default) or "mean-time".
---@param result table
---@param opts? { unit?: string, sort?: string, reference?: integer }
---@return string
function M.markdown(result, opts)
  opts = check.options("markdown", 2, opts, { unit = { "string", choices = M.UNITS },
    sort = { "string", choices = { "auto", "command", "mean-time" } }, reference = { "integer", min = 1 } })
  local unit = pick_unit(result, opts.unit)
  local st, rel = relative(result, opts.reference or result.reference)
  local f = "%." .. unit.digits .. "f"
  local lines = { ("| Command | Mean [%s] | Min [%s] | Max [%s] | Relative |"):format(unit.name, unit.name, unit.name),
    "|:---|---:|---:|---:|---:|" }
  local order = sorted_indices(result, opts.sort, st)
  for _, i in ipairs(order) do
    local s, r = st[i], rel[i]
    local mean = (f .. " ± " .. f):format(s.mean * unit.factor, (s.stddev or 0) * unit.factor)
    local relative_text = r.is_reference and "1.00" or ("%.2f ± %.2f"):format(r.ratio, r.stddev)
    lines[#lines + 1] = ("| `%s` | %s | " .. f .. " | " .. f .. " | %s |"):format(
      result.benchmarks[i].name:gsub("|", "\\|"), mean, s.min * unit.factor, s.max * unit.factor, relative_text)
  end
  local rows = { "", ("| Command | Median [%s] | 95%% CI [%s] | Ratio | Verdict |"):format(unit.name, unit.name),
    "|:---|---:|---:|---:|:---|" }
  for _, i in ipairs(order) do
    local b = result.benchmarks[i]
    local s = measure.summary(b)
    local c = result.comparisons and result.comparisons[i]
    local ci = (s and s.ci_low > -math.huge)
      and (f .. " … " .. f):format(s.ci_low * unit.factor, s.ci_high * unit.factor)
      or "too few runs"
    local median = s and (f):format(s.median * unit.factor) or "-"
    if result.metric ~= "wall" then median, ci = s and ("%.6g"):format(s.median) or "-", "" end
    rows[#rows + 1] = ("| `%s` | %s | %s | %s | %s |"):format(b.name:gsub("|", "\\|"), median, ci,
      c and c.ratio and ("%.3f [%.3f, %.3f]"):format(c.ratio, c.ci_low or 0 / 0, c.ci_high or 0 / 0) or "",
      i == result.reference and "reference" or (c and c.verdict or ""))
  end
  for _, row in ipairs(rows) do lines[#lines + 1] = row end
  return table.concat(lines, "\n") .. "\n"
end

local function csv_field(v)
  local text = tostring(v)
  if text:find('[,"\n\r]') then return '"' .. text:gsub('"', '""') .. '"' end
  return text
end

--- The CSV export, hyperfine's columns: command, mean, stddev, median, user, system, min,
--- max, then parameter_NAME for each parameter.
---@param result table
---@return string
function M.csv(result)
  check.arg("csv", 1, result, "table")
  local names = {}
  for _, b in ipairs(result.benchmarks) do
    for _, n in ipairs(b.parameter_order) do
      local seen = false
      for _, m in ipairs(names) do seen = seen or m == n end
      if not seen then names[#names + 1] = n end
    end
  end
  local head = { "command", "mean", "stddev", "median", "user", "system", "min", "max" }
  for _, n in ipairs(names) do head[#head + 1] = "parameter_" .. n end
  local lines = { table.concat(head, ",") }
  for _, b in ipairs(result.benchmarks) do
    local s = hyperfine_stats(b)
    if s then
      local row = { csv_field(b.name), ("%.17g"):format(s.mean), s.stddev and ("%.17g"):format(s.stddev) or "",
        ("%.17g"):format(s.median), ("%.17g"):format(s.user), ("%.17g"):format(s.system), ("%.17g"):format(s.min),
        ("%.17g"):format(s.max) }
      for _, n in ipairs(names) do row[#row + 1] = csv_field(b.parameters[n] or "") end
      lines[#lines + 1] = table.concat(row, ",")
    end
  end
  return table.concat(lines, "\n") .. "\n"
end

local function paint(on, code, text)
  if not on then return text end
  return "\27[" .. code .. "m" .. text .. "\27[0m"
end

-- The unit hyperfine would pick for a value: seconds from 1 s, else milliseconds.
local function unit_for(x)
  return x >= 1 and UNITS.second or UNITS.millisecond
end

local function duration(x, unit)
  local u = unit or unit_for(x)
  return ("%" .. (u.digits + 4) .. "." .. u.digits .. "f %s"):format(x * u.factor, u.name), u
end

local function metric_text(x, metric, unit)
  if metric == "wall" or metric == "user" or metric == "sys" or metric == "cpu" then return (duration(x, unit)) end
  if metric == "rss" then return ("%.1f MB"):format(x / 1e6) end
  return ("%.0f"):format(x)
end

--- One benchmark's block in hyperfine's layout, with Rig's median and its interval first.
---@param result table
---@param i integer
---@param opts? { color?: boolean, unit?: string }
---@return string
function M.benchmark_text(result, i, opts)
  opts = check.options("benchmark_text", 3, opts, { color = "boolean", unit = { "string", choices = M.UNITS } })
  local b = result.benchmarks[i]
  local c = opts.color
  local h = hyperfine_stats(b)
  -- One unit for the block, from the mean (hyperfine's choice) unless -u says.
  local unit = opts.unit and UNITS[opts.unit] or (h and unit_for(h.mean)) or nil
  local lines = { ("%s %d: %s"):format(paint(c, "1", "Benchmark"), i, paint(c, "1", b.name)) }
  local s = measure.summary(b)
  if s then
    local m = result.metric
    local label = m == "wall" and "Time" or m
    local ci = s.ci_low > -math.huge
      and ("[%s … %s]"):format(metric_text(s.ci_low, m, unit), metric_text(s.ci_high, m, unit))
      or "[too few runs for a 95% interval]"
    lines[#lines + 1] = ("  %s (median, 95%% CI): %s  %s"):format(label,
      paint(c, "1;32", metric_text(s.median, m, unit)), ci)
    if h then
      lines[#lines + 1] = ("  Time (mean ± σ):      %s ± %s    [User: %s, System: %s]"):format(
        paint(c, "32", (duration(h.mean, unit))), paint(c, "32", (duration(h.stddev or 0, unit))),
        paint(c, "34", ((duration(h.user, unit)):gsub("^ +", ""))),
        paint(c, "34", ((duration(h.system, unit)):gsub("^ +", ""))))
      lines[#lines + 1] = ("  Range (min … max):    %s … %s    %d runs    Peak RSS: %.1f MB"):format(
        paint(c, "36", (duration(h.min, unit))), paint(c, "35", (duration(h.max, unit))), #h.times, s.max_rss_kb / 1024)
    end
    for _, w in ipairs(s.warnings) do lines[#lines + 1] = "  " .. paint(c, "33", "Warning: ") .. w end
  end
  if b.failure then
    lines[#lines + 1] = "  " .. paint(c, "1;31", "Failed: ") .. ("%s (%s phase, after %d runs)"):format(
      b.failure.message, b.failure.phase, #b.runs)
  end
  return table.concat(lines, "\n") .. "\n"
end

--- The summary: the reference (or the fastest) and each command against it: hyperfine's
--- "N ± σ times faster", then Rig's ratio of medians with its interval, the p-value and the
--- verdict with its reason; the stop reason of the sequential rule.
---@param result table
---@param opts? { color?: boolean, sort?: string }
---@return string
function M.summary_text(result, opts)
  opts = check.options("summary_text", 2, opts, { color = "boolean",
    sort = { "string", choices = { "auto", "command", "mean-time" } } })
  local c = opts.color
  local ref = result.reference
  if not ref then return "" end
  local st, rel = relative(result, ref)
  local lines = { paint(c, "1", "Summary"), ("  %s ran"):format(paint(c, "36", result.benchmarks[ref].name)) }
  local order = {}
  for i in ipairs(result.benchmarks) do if i ~= ref then order[#order + 1] = i end end
  if opts.sort ~= "command" then
    table.sort(order, function(a, b)
      local ma, mb = st[a] and st[a].mean or math.huge, st[b] and st[b].mean or math.huge
      return ma < mb
    end)
  end
  for _, i in ipairs(order) do
    local b, r, cmp = result.benchmarks[i], rel[i], result.comparisons[i]
    if r then
      local faster = r.ratio >= 1
      lines[#lines + 1] = ("    %s ± %s times %s than %s"):format(
        paint(c, "1;32", ("%.2f"):format(faster and r.ratio or 1 / r.ratio)),
        paint(c, "32", ("%.2f"):format(faster and r.stddev or r.stddev / r.ratio ^ 2)), faster and "faster" or "slower",
        paint(c, "35", b.name))
    end
    if cmp then
      local verdict = cmp.verdict
      local color = verdict == "faster" and "32" or verdict == "slower" and "31" or verdict == "same" and "36" or "33"
      local decided = verdict == "faster" or verdict == "slower" or verdict == "same"
      local ratio = cmp.ratio and cmp.ratio == cmp.ratio and cmp.ci_low and cmp.ci_low == cmp.ci_low
        and ("median %.3f× [%.3f, %.3f], p = %.2g"):format(cmp.ratio, cmp.ci_low, cmp.ci_high, cmp.p_value or 0 / 0)
      lines[#lines + 1] = ("      verdict: %s%s%s"):format(paint(c, "1;" .. color, verdict),
        decided and ((verdict == "same" and " as " or " than ") .. result.benchmarks[ref].name) or "",
        ratio and (" (" .. ratio .. ")") or "")
      if not decided then lines[#lines + 1] = "        " .. (cmp.reason or "") end
    end
  end
  if result.plan and result.plan.mode == "decide" then
    lines[#lines + 1] = ("  Stopped: %s (sequential rule, alpha %.2g per look over %d looks)"):format(
      result.stop_reason,
      result.plan.alpha, #result.plan.looks + 1)
  end
  return table.concat(lines, "\n") .. "\n"
end

return M
