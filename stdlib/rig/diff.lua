--- Diffs two benchmark results files the way Molt's tools/bench_diff.py does (matched names,
--- candidate metrics, trends, ranking, gates, the same markdown and JSON), then adds what the
--- data can say: where both files carry samples, the ratio of medians with its interval, a
--- Mann-Whitney p-value (Holm-adjusted across a metric's rows) and a verdict.
local check = require "rig.check"
local stats = require "rig.stats"
local json = require "rig.json"

local M = {}

M.LOWER_IS_BETTER = {
  cpython_time_s = true, pypy_time_s = true, codon_time_s = true, codon_build_s = true, codon_size_kb = true,
  nuitka_time_s = true, nuitka_build_s = true, nuitka_size_kb = true, pyodide_time_s = true, pyodide_build_s = true,
  pyodide_size_kb = true, molt_build_s = true, molt_codon_ratio = true, molt_cpython_ratio = true,
  molt_nuitka_ratio = true, molt_pyodide_ratio = true, molt_pypy_ratio = true, molt_time_s = true,
  molt_wasm_build_s = true, molt_wasm_control_time_s = true, molt_wasm_size_kb = true, molt_wasm_time_s = true,
}
M.HIGHER_IS_BETTER = { molt_speedup = true }
M.SKIP = {
  molt_ok = true, molt_wasm_ok = true, molt_output_parity = true, molt_wasm_linked = true,
  molt_wasm_control_ok = true, molt_wasm_failure_returncode = true, molt_wasm_control_failure_returncode = true,
  pypy_ok = true, codon_ok = true, nuitka_ok = true, pyodide_ok = true, run_args = true, molt_args = true,
  super_stats = true, molt_wasm_stats = true,
}
--- What a diff reads, as a `rig.json.read` projection: everything but the per-benchmark
--- blocks that can never be a metric or a gate (objects, lists and texts: parity hashes,
--- warmup samples, Rig's evidence, failure payloads). Diffing 10,000-benchmark files is
--- mostly reading them (docs/benchmarks.md).
M.PROJECTION = {
  ["*"] = true,
  benchmarks = { ["*"] = { ["*"] = true, ["-"] = { "*_output_parity", "*_warmup_samples_s", "rig", "molt_failure",
    "ratio_directions", "runtime_stats", "super_stats", "molt_wasm_stats", "molt_wasm_profile_samples",
    "molt_wasm_failure", "molt_wasm_control_failure", "run_args", "molt_args" } } },
}

--- Molt's evidence gates: a metric is comparable only where these flags are literally true.
M.OK_GATES = {
  codon_time_s = { "codon_ok" }, molt_codon_ratio = { "molt_ok", "codon_ok" }, molt_cpython_ratio = { "molt_ok" },
  molt_nuitka_ratio = { "molt_ok", "nuitka_ok" }, molt_pypy_ratio = { "molt_ok", "pypy_ok" },
  molt_pyodide_ratio = { "molt_ok", "pyodide_ok" }, molt_speedup = { "molt_ok" }, molt_time_s = { "molt_ok" },
  molt_wasm_control_time_s = { "molt_wasm_control_ok" }, molt_wasm_time_s = { "molt_wasm_ok" },
  nuitka_time_s = { "nuitka_ok" }, pypy_time_s = { "pypy_ok" }, pyodide_time_s = { "pyodide_ok" },
}

local function is_number(v) return type(v) == "number" end

local function comparable(metric, entry)
  for _, flag in ipairs(M.OK_GATES[metric] or {}) do
    if entry[flag] ~= true then return false end
  end
  return true
end

local function trend(metric, old, new)
  if new == old then return "flat" end
  -- Instruction counts (rig bench --instructions) are costs too.
  if M.LOWER_IS_BETTER[metric] or metric:match("_instructions$") then return new < old and "improved" or "regressed" end
  if M.HIGHER_IS_BETTER[metric] then return new > old and "improved" or "regressed" end
  return new > old and "up" or "down"
end

local function sorted_names(t)
  local out = {}
  for k, v in pairs(t) do
    if type(k) == "string" and type(v) == "table" then out[#out + 1] = k end
  end
  table.sort(out)
  return out
end

-- Stable descending sort by key.
-- Keys and positions are computed once per row, not per comparison (10,000-row metrics).
local function rank(rows, key)
  local keys, position, out = {}, {}, {}
  for i, r in ipairs(rows) do keys[r], position[r], out[i] = key(r), i, r end
  table.sort(out, function(a, b)
    local ka, kb = keys[a], keys[b]
    if ka ~= kb then return ka > kb end
    return position[a] < position[b]
  end)
  return out
end

local function sort_value(row) return row.pct_delta ~= nil and math.abs(row.pct_delta) or math.abs(row.delta) end

-- The samples behind a time metric (`<lane>_time_s` -> `<lane>_samples_s`), when both rows
-- have at least two.
local function samples_of(metric, old, new)
  local lane = metric:match("^(.+)_time_s$")
  if not lane then return nil end
  local a, b = old[lane .. "_samples_s"], new[lane .. "_samples_s"]
  if type(a) == "table" and type(b) == "table" and #a >= 2 and #b >= 2 then return a, b end
end

local COMPARE_OPTIONS = {
  alpha = check.PROBABILITY,
  noise = { "number", min = 0 },
  top = "integer",
  metrics = { "list", of = "string" },
  fail_regression_abs = "number",
  fail_regression_count = "integer",
  fail_regression_pct = "number",
  include_zero_only = "boolean",
  significant_only = "boolean",
}
-- How many of n rows `--top` shows: Python's rows[:top], so a negative top drops that many
-- from the end (Molt's --top -1 shows all but the last).
local function shown_rows(top, n)
  if top < 0 then return math.max(0, n + top) end
  return math.min(top, n)
end

--- Compares two results payloads. opts: metrics (list), top (10), include_zero_only,
--- fail_regression_count, fail_regression_pct, fail_regression_abs, significant_only,
--- alpha (0.05), noise (0.02). Returns the result (Molt's JSON payload plus `rig`), or nil
--- and a message for an unusable input.
function M.compare(old_payload, new_payload, opts)
  opts = check.options("compare", 3, opts, COMPARE_OPTIONS)
  local top = opts.top or 10
  if type(old_payload.benchmarks) ~= "table" or type(new_payload.benchmarks) ~= "table" then
    return nil, "invalid benchmark JSON: expected top-level 'benchmarks' dict"
  end
  local old, new = old_payload.benchmarks, new_payload.benchmarks
  local old_names, new_names = sorted_names(old), sorted_names(new)
  local shared, added, removed = {}, {}, {}
  for _, n in ipairs(old_names) do
    if new[n] then shared[#shared + 1] = n else removed[#removed + 1] = n end
  end
  for _, n in ipairs(new_names) do
    if not old[n] then added[#added + 1] = n end
  end
  -- Candidate metrics: numeric in both rows of a shared benchmark, not skipped, comparable.
  local available, seen = {}, {}
  for _, name in ipairs(shared) do
    for metric, v in pairs(old[name]) do
      if not M.SKIP[metric] and not seen[metric] and is_number(v) and is_number(new[name][metric])
        and comparable(metric, old[name]) and comparable(metric, new[name]) then
        seen[metric] = true
        available[#available + 1] = metric
      end
    end
  end
  table.sort(available)
  local metrics = available
  if opts.metrics and #opts.metrics > 0 then
    local numeric = {}
    for _, name in ipairs(shared) do
      for metric, v in pairs(old[name]) do
        if not M.SKIP[metric] and is_number(v) and is_number(new[name][metric]) then numeric[metric] = true end
      end
    end
    local unknown, wanted, dedupe = {}, {}, {}
    for _, m in ipairs(opts.metrics) do
      if not dedupe[m] then
        dedupe[m] = true
        wanted[#wanted + 1] = m
        if not numeric[m] then unknown[#unknown + 1] = m end
      end
    end
    if #unknown > 0 then
      return nil, "requested metrics are unavailable/non-numeric in shared rows: " .. table.concat(unknown, ", ")
    end
    metrics = wanted
  end

  local result = {
    benchmarks = { old_count = #old_names, new_count = #new_names, shared_count = #shared, added = added,
      removed = removed },
    metrics = {}, tables = {}, regressed_rows = 0, violations = {}, evidence = {},
  }
  local pct_gate = opts.fail_regression_pct and math.abs(opts.fail_regression_pct)
  local abs_gate = opts.fail_regression_abs and math.abs(opts.fail_regression_abs)
  for _, metric in ipairs(metrics) do
    local rows = {}
    for _, name in ipairs(shared) do
      local o, n = old[name][metric], new[name][metric]
      if is_number(o) and is_number(n) and comparable(metric, old[name]) and comparable(metric, new[name]) then
        local delta = n - o
        rows[#rows + 1] = { benchmark = name, metric = metric, old = o + 0.0, new = n + 0.0, delta = delta + 0.0,
          pct_delta = o ~= 0 and (delta / o) * 100.0 or nil, trend = trend(metric, o, n) }
      end
    end
    local all_zero = #rows > 0
    for _, r in ipairs(rows) do
      if r.old ~= 0 or r.new ~= 0 then all_zero = false end
    end
    if not (all_zero and not opts.include_zero_only) then
      -- Rig: the statistics, where both files carry samples.
      local tested = {}
      for _, r in ipairs(rows) do
        local a, b = samples_of(metric, old[r.benchmark], new[r.benchmark])
        if a then
          local c = stats.compare(a, b, { alpha = opts.alpha, noise = opts.noise })
          r.stats = c
          r.welch = stats.log_welch(a, b, { alpha = opts.alpha, noise = opts.noise })
          tested[#tested + 1] = r
        end
      end
      if #tested > 0 then
        local ps, wp, welched = {}, {}, {}
        for i, r in ipairs(tested) do
          ps[i] = r.stats.p_value
          if r.welch then welched[#welched + 1], wp[#wp + 1] = r, r.welch.p_value end
        end
        -- Welch's p-values are corrected the same way, over the rows it could test.
        local wadjusted = #wp > 0 and stats.holm(wp) or {}
        for i, r in ipairs(welched) do
          r.welch.p_holm = wadjusted[i]
          if r.welch.verdict ~= "inconclusive" and wadjusted[i] > (opts.alpha or 0.05) then
            r.welch.verdict = "inconclusive"
          end
        end
        local adjusted = stats.holm(ps)
        for i, r in ipairs(tested) do
          r.stats.p_holm = adjusted[i]
          -- The verdict stands only if it survives the correction for the metric's rows.
          if (r.stats.verdict == "slower" or r.stats.verdict == "faster") and adjusted[i] > (opts.alpha or 0.05) then
            r.stats.verdict = "inconclusive"
            r.stats.reason = ("not significant after Holm's correction across %d rows (p = %.3g)"):format(#tested,
              adjusted[i])
          end
        end
      end
      local counts = { improved = 0, regressed = 0, flat = 0 }
      for _, r in ipairs(rows) do
        if counts[r.trend] then counts[r.trend] = counts[r.trend] + 1 end
      end
      local ordered = rank(rows, sort_value)
      result.tables[#result.tables + 1] = { metric = metric, rows = rows, ordered = ordered, counts = counts }
      local top_changes = {}
      for i = 1, shown_rows(top, #ordered) do
        local r = ordered[i]
        top_changes[i] = json.object({ benchmark = r.benchmark, old = r.old, new = r.new, delta = r.delta,
          pct_delta = r.pct_delta == nil and json.null or r.pct_delta, trend = r.trend })
      end
      result.metrics[#result.metrics + 1] = json.object({ metric = metric, rows = #rows, improved = counts.improved,
        regressed = counts.regressed, flat = counts.flat, top_changes = json.array(top_changes) })
      for _, r in ipairs(rows) do
        if r.stats then r.decided, r.decided_by = M.decided(r) end
        if r.trend == "regressed" then
          -- --significant-only: a regression counts only when the data support it.
          local supported = not opts.significant_only or r.decided == "slower"
          if supported then
            result.regressed_rows = result.regressed_rows + 1
            if pct_gate and r.pct_delta ~= nil and math.abs(r.pct_delta) >= pct_gate then
              result.violations[#result.violations + 1] = { metric = metric, benchmark = r.benchmark,
                pct_delta = r.pct_delta, delta = r.delta, reason = ("abs(pct_delta) >= %.4f"):format(pct_gate) }
            elseif r.pct_delta == nil and abs_gate and math.abs(r.delta) >= abs_gate then
              result.violations[#result.violations + 1] = { metric = metric, benchmark = r.benchmark,
                pct_delta = nil, delta = r.delta, reason = ("abs(delta) >= %.6f"):format(abs_gate) }
            end
          end
        end
        if r.stats then result.evidence[#result.evidence + 1] = r end
      end
    end
  end
  local reasons = {}
  if opts.fail_regression_count and opts.fail_regression_count >= 0
    and result.regressed_rows > opts.fail_regression_count then
    reasons[#reasons + 1] = ("regressed-row count exceeded threshold: %d > %d"):format(result.regressed_rows,
      opts.fail_regression_count)
  end
  if #result.violations > 0 then
    reasons[#reasons + 1] = ("threshold regressions detected: %d"):format(#result.violations)
  end
  result.failure_reasons = reasons
  result.failed = #reasons > 0
  result.metric_count = #metrics
  return result
end

--- What a row's samples decide, and by which test: the rank test's verdict (faster, slower,
--- same) when it is decided after Holm's correction, else Welch's on log times (faster,
--- slower), else nil.
---@param row table a diff row with `stats` (and `welch`)
---@return string? verdict
---@return string? test "rank" or "welch_log"
function M.decided(row)
  check.arg("decided", 1, row, "table")
  local c, w = row.stats, row.welch
  if c and (c.verdict == "faster" or c.verdict == "slower" or c.verdict == "same") then return c.verdict, "rank" end
  if w and (w.verdict == "faster" or w.verdict == "slower") then return w.verdict, "welch_log" end
  return nil
end

-- Python's "%.6f" and "%+.2f%%" of a float, NaN and the infinities included.
local function special(v, signed)
  if v ~= v then return signed and "+nan" or "nan" end
  if v == math.huge then return signed and "+inf" or "inf" end
  if v == -math.huge then return "-inf" end
  return nil
end
local function f6(v) return special(v) or ("%.6f"):format(v) end
local function pct(v)
  if v == nil then return "n/a" end
  local s = special(v, true)
  if s then return s .. "%" end
  return (v >= 0 and "+" or "") .. ("%.2f%%"):format(v)
end

-- The diff recipe hands markdown the options it gave compare.
local MARKDOWN_OPTIONS = COMPARE_OPTIONS

--- The markdown Molt's tool prints, then Rig's statistics when there are samples.
function M.markdown(result, old_path, new_path, opts)
  opts = check.options("markdown", 4, opts, MARKDOWN_OPTIONS)
  local top = opts.top or 10
  local L = {}
  local function add(s) L[#L + 1] = s end
  add("# Benchmark Diff")
  add(("Old: `%s`"):format(old_path))
  add(("New: `%s`"):format(new_path))
  local b = result.benchmarks
  add(("Benchmarks: old=%d | new=%d | shared=%d"):format(b.old_count, b.new_count, b.shared_count))
  local function names(list)
    local out = {}
    for i, n in ipairs(list) do out[i] = "`" .. n .. "`" end
    return table.concat(out, ", ")
  end
  if #b.added > 0 then add("Added benchmarks: " .. names(b.added)) end
  if #b.removed > 0 then add("Removed benchmarks: " .. names(b.removed)) end
  if result.metric_count == 0 then
    add("No shared numeric metrics to diff.")
    return table.concat(L, "\n") .. "\n"
  end
  for _, t in ipairs(result.tables) do
    add("")
    add("## " .. t.metric)
    if #t.rows == 0 then
      add("No comparable rows.")
    else
      add(("Rows: %d | improved=%d | regressed=%d | flat=%d"):format(#t.rows, t.counts.improved, t.counts.regressed,
        t.counts.flat))
      add("| benchmark | old | new | delta | pct_delta | trend |")
      add("| --- | ---: | ---: | ---: | ---: | --- |")
      for i = 1, shown_rows(top, #t.ordered) do
        local r = t.ordered[i]
        add(("| `%s` | %s | %s | %s | %s | %s |"):format(r.benchmark, f6(r.old), f6(r.new), f6(r.delta),
          pct(r.pct_delta), r.trend))
      end
    end
  end
  if #result.violations > 0 then
    add("")
    add("## Regression Threshold Violations")
    add("| metric | benchmark | pct_delta | delta | reason |")
    add("| --- | --- | ---: | ---: | --- |")
    local ordered = rank(result.violations, sort_value)
    for i = 1, shown_rows(top, #ordered) do
      local v = ordered[i]
      add(("| `%s` | `%s` | %s | %s | %s |"):format(v.metric, v.benchmark, pct(v.pct_delta), f6(v.delta), v.reason))
    end
  end
  -- Rig's evidence: only the rows the samples decide, and one line on the rest (with
  -- Molt's 3 samples a side no rank test reaches p <= 0.05). Nothing when none is decided,
  -- so the output is Molt's byte for byte.
  local decided, undecided, most = {}, 0, 0
  for _, r in ipairs(result.evidence) do
    if r.decided then decided[#decided + 1] = r else undecided = undecided + 1 end
    most = math.max(most, math.min(r.stats.n_a or 0, r.stats.n_b or 0))
  end
  if #decided > 0 then
    add("")
    add("## Statistical evidence (Rig)")
    add("Rows the samples decide: ratio of medians new/old with its 95% interval; p of the Mann-Whitney rank test "
      .. "and of Welch's t-test on log times (which assumes log-normal times), each Holm-adjusted within its metric.")
    add("| metric | benchmark | ratio | 95% CI | p rank (Holm) | p Welch log (Holm) | verdict |")
    add("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for _, r in ipairs(decided) do
      local c, w = r.stats, r.welch
      local ci = (c.ci_low == c.ci_low) and ("[%.3f, %.3f]"):format(c.ci_low, c.ci_high) or "-"
      add(("| `%s` | `%s` | %.4f | %s | %.3g | %s | %s (%s) |"):format(r.metric, r.benchmark, c.ratio, ci, c.p_holm,
        w and ("%.3g"):format(w.p_holm or w.p_value) or "-", r.decided,
        r.decided_by == "rank" and "rank test" or "Welch, log-normal"))
    end
    if undecided > 0 then
      add(("%d other rows with samples are not decided: with at most %d samples a side the rank test needs %d to "
        .. "reach p <= %g, and Welch's test on log times did not reject \"no change beyond ±%g%%\"."):format(
        undecided, most, stats.min_samples(opts.alpha or 0.05), opts.alpha or 0.05, (opts.noise or 0.02) * 100))
    end
  end
  return table.concat(L, "\n") .. "\n"
end

--- Molt's --json-out payload (plus `rig.evidence`).
function M.json_payload(result, old_path, new_path, opts)
  local violations = {}
  for i, v in ipairs(result.violations) do
    violations[i] = json.object({ metric = v.metric, benchmark = v.benchmark,
      pct_delta = v.pct_delta == nil and json.null or v.pct_delta, delta = v.delta, reason = v.reason })
  end
  local evidence = {}
  for i, r in ipairs(result.evidence) do
    local c, w = r.stats, r.welch
    evidence[i] = json.object({ metric = r.metric, benchmark = r.benchmark, ratio = json.finite(c.ratio),
      ci_low = json.finite(c.ci_low), ci_high = json.finite(c.ci_high), p_value = json.finite(c.p_value),
      p_holm = json.finite(c.p_holm), verdict = c.verdict, reason = c.reason,
      welch_log = w and json.object({ ratio = json.finite(w.ratio), p_value = json.finite(w.p_value),
        p_holm = json.finite(w.p_holm), verdict = w.verdict }) or json.null,
      decided = r.decided or json.null, decided_by = r.decided_by or json.null })
  end
  local function opt(v) return v == nil and json.null or v end
  return json.object({
    schema_version = 1, old_json = old_path, new_json = new_path,
    benchmarks = json.object({ old_count = result.benchmarks.old_count, new_count = result.benchmarks.new_count,
      shared_count = result.benchmarks.shared_count, added = json.array(result.benchmarks.added),
      removed = json.array(result.benchmarks.removed) }),
    metrics = json.array(result.metrics),
    gates = json.object({ fail_regression_count = opt(opts.fail_regression_count),
      fail_regression_pct = opt(opts.fail_regression_pct), fail_regression_abs = opt(opts.fail_regression_abs),
      regressed_rows = result.regressed_rows, threshold_violations = json.array(violations), failed = result.failed,
      failure_reasons = json.array(result.failure_reasons) }),
    -- Rig's block only where there is evidence: Molt's payload is otherwise unchanged.
    rig = (#evidence > 0 or opts.significant_only) and json.object({ evidence = json.array(evidence),
      significant_only = opts.significant_only == true }) or nil,
  })
end

return M
