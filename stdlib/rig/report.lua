--- Molt's combined native + wasm benchmark report (tools/bench_report.py): the same sections
--- in the same order with the same number formats, so the report Rig writes for Molt's
--- inputs is byte-identical to the one Molt's tool writes; plus the STATUS block.
local check = require "rig.check"
local json = require "rig.json"
local stats = require "rig.stats"

local M = {}

-- { lane, title, ok key, time key }: the keys built once, not per row (10,000-row inputs).
local LANES = {}
for i, lane in ipairs { { "pypy", "PyPy" }, { "codon", "Codon" }, { "nuitka", "Nuitka" }, { "pyodide", "Pyodide" } } do
  LANES[i] = { lane[1], lane[2], lane[1] .. "_ok", lane[1] .. "_time_s" }
end

--- The fields `render` and `status_block` read, as a `rig.json.read` projection: reading only
--- these is what keeps a 10,000-benchmark report cheap (docs/benchmarks.md). The golden test
--- (the fixture report, byte for byte) fails if rendering ever needs a field left out here.
M.PROJECTION = {
  git_rev = true, created_at = true, timing_mode = true, warmup = true, samples = true, system = true,
  benchmarks = { ["*"] = {
    molt_ok = true, molt_time_s = true, cpython_time_s = true, molt_speedup = true, molt_build_s = true,
    molt_size_kb = true, pypy_ok = true, pypy_time_s = true, codon_ok = true, codon_time_s = true,
    codon_build_s = true, codon_size_kb = true, nuitka_ok = true, nuitka_time_s = true, nuitka_build_s = true,
    nuitka_size_kb = true, pyodide_ok = true, pyodide_time_s = true, molt_wasm_ok = true, molt_wasm_time_s = true,
    molt_wasm_size_kb = true,
  } },
}

local fixed = require("rig._native.core").fixed

local function num(v) return type(v) == "number" and v or nil end

local function div(a, b)
  a, b = num(a), num(b)
  if not a or not b or b == 0 then return nil end
  return a / b
end

-- printf's "%.6f" and "%.2fx", through rig's printf-free formatter (CRigLua/fixed.c).
local function time(v) return num(v) and fixed(v, 6) or "-" end
local function ratio(v) return num(v) and fixed(v, 2) .. "x" or "-" end

-- Python's str() of a value from a results file (its system block).
local function pystr(v)
  if type(v) == "string" then return v end
  if v == nil or v == json.null then return "None" end
  if v == true then return "True" end
  if v == false then return "False" end
  if type(v) == "table" and json.is_array(v) or (type(v) == "table" and #v > 0) then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = type(x) == "string" and ("'" .. x .. "'") or pystr(x) end
    return "[" .. table.concat(parts, ", ") .. "]"
  end
  return json.encode(v)
end

local median = stats.median

local function strip_py(name) return name:sub(-3) == ".py" and name:sub(1, -4) or name end

local function collect(native, wasm)
  local nb, wb, names, seen = {}, {}, {}, {}
  for name, entry in pairs(native.benchmarks or {}) do nb[strip_py(name)] = entry end
  for name, entry in pairs(wasm.benchmarks or {}) do wb[strip_py(name)] = entry end
  for _, t in ipairs { nb, wb } do
    for name in pairs(t) do
      if not seen[name] then names[#names + 1], seen[name] = name, true end
    end
  end
  table.sort(names)
  return names, nb, wb
end

local function system_text(system)
  if type(system) ~= "table" then return "-" end
  local keys = json.keys(system)
  table.sort(keys)
  if #keys == 0 then return "-" end
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = k .. "=" .. pystr(system[k]) end
  return table.concat(parts, ", ")
end

local function count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

-- "timing_mode=..., warmup=..., samples=..." (legacy files have no timing_mode).
local function timing_text(p)
  local mode = type(p.timing_mode) == "string" and p.timing_mode or "legacy-unknown"
  return ("timing_mode=%s, warmup=%s, samples=%s"):format(mode,
    p.warmup == nil and "legacy-unknown" or pystr(p.warmup), p.samples == nil and "legacy-unknown" or pystr(p.samples))
end

local RENDER_OPTIONS = { startup_audit = "table" }
--- The report markdown. `native_path` and `wasm_path` are shown as given.
function M.render(native_path, wasm_path, native, wasm, opts)
  opts = check.options("render", 5, opts, RENDER_OPTIONS)
  local names, nb, wb = collect(native, wasm)
  local native_ok, wasm_ok = 0, 0
  local lane_ok = {}
  for _, entry in pairs(nb) do
    if entry.molt_ok == true then native_ok = native_ok + 1 end
    for _, lane in ipairs(LANES) do
      if entry[lane[3]] == true then lane_ok[lane[1]] = (lane_ok[lane[1]] or 0) + 1 end
    end
  end
  for _, entry in pairs(wb) do
    if entry.molt_wasm_ok == true then wasm_ok = wasm_ok + 1 end
  end
  local native_speedups, wasm_speedups, wasm_native = {}, {}, {}
  local regressions, slowest = {}, {}
  local comparators = {}
  for _, lane in ipairs(LANES) do comparators[lane[1]] = {} end
  local EMPTY = {}
  for _, name in ipairs(names) do
    local n, w = nb[name] or EMPTY, wb[name] or EMPTY
    local molt_ok = n.molt_ok == true
    local molt_time = molt_ok and num(n.molt_time_s) and n.molt_time_s > 0 and n.molt_time_s or nil
    local cpython_time = num(n.cpython_time_s)
    local speedup = molt_ok and num(n.molt_speedup) or nil
    local wasm_time = w.molt_wasm_ok == true and num(w.molt_wasm_time_s) or nil
    if speedup and speedup ~= 0 then native_speedups[#native_speedups + 1] = speedup end
    local ws, wn = div(cpython_time, wasm_time), div(wasm_time, molt_time)
    if ws then wasm_speedups[#wasm_speedups + 1] = ws end
    if wn then
      wasm_native[#wasm_native + 1] = wn
      slowest[#slowest + 1] = { name, wasm_time, molt_time, wn }
    end
    if speedup and speedup < 1.0 then regressions[#regressions + 1] = { name, speedup, molt_time, cpython_time } end
    if molt_time then
      for _, lane in ipairs(LANES) do
        local t = num(n[lane[4]])
        if n[lane[3]] == true and t and t > 0 then
          local rows = comparators[lane[1]]
          rows[#rows + 1] = { name, molt_time, t, molt_time / t }
        end
      end
    end
  end
  -- Stable sorts, as Python's: ties keep name order (rows were added in name order, and
  -- the name is field 1).
  local function by_field(list, field, descending)
    table.sort(list, function(a, b)
      local ka, kb = a[field], b[field]
      if ka ~= kb then
        if descending then return ka > kb end
        return ka < kb
      end
      return a[1] < b[1]
    end)
  end
  by_field(regressions, 2)
  by_field(slowest, 4, true)
  for _, lane in ipairs(LANES) do by_field(comparators[lane[1]], 4, true) end

  local missing_native, missing_wasm = {}, {}
  for _, name in ipairs(names) do
    if wb[name] and not nb[name] then missing_native[#missing_native + 1] = name end
    if nb[name] and not wb[name] then missing_wasm[#missing_wasm + 1] = name end
  end

  local L = {}
  local function add(line) L[#L + 1] = line end
  local nrev = type(native.git_rev) == "string" and native.git_rev or "-"
  local wrev = type(wasm.git_rev) == "string" and wasm.git_rev or "-"
  add("# Molt Bench Summary")
  add("")
  add("## Inputs")
  add(("- Native: `%s`; git_rev=%s; created_at=%s; %s; system=%s"):format(native_path, nrev,
    type(native.created_at) == "string" and native.created_at or "-", timing_text(native), system_text(native.system)))
  add(("- WASM: `%s`; git_rev=%s; created_at=%s; %s; system=%s"):format(wasm_path, wrev,
    type(wasm.created_at) == "string" and wasm.created_at or "-", timing_text(wasm), system_text(wasm.system)))
  if nrev ~= "-" and wrev ~= "-" and nrev ~= wrev then
    add("- NOTE: native and wasm results come from different git revisions; interpret combined ratios cautiously.")
  end
  add("")
  add("## Summary")
  add(("- Benchmarks: %d total; native ok %d/%d; wasm ok %d/%d."):format(#names, native_ok, count(nb), wasm_ok,
    count(wb)))
  add(("- Median native speedup vs CPython: %s."):format(ratio(median(native_speedups))))
  add(("- Median wasm speedup vs CPython: %s."):format(ratio(median(wasm_speedups))))
  add(("- Median wasm/native ratio: %s."):format(ratio(median(wasm_native))))
  add(("- Native regressions (< 1.0x): %d."):format(#regressions))
  local coverage = {}
  for i, lane in ipairs(LANES) do coverage[i] = ("%s %d/%d"):format(lane[2], lane_ok[lane[1]] or 0, count(nb)) end
  add("- Comparator coverage: " .. table.concat(coverage, ", ") .. ".")
  if #missing_native > 0 then add("- Missing native entries: " .. table.concat(missing_native, ", ") .. ".") end
  if #missing_wasm > 0 then add("- Missing wasm entries: " .. table.concat(missing_wasm, ", ") .. ".") end
  add("")
  local function section(title, header, rows, format_row)
    add(title)
    add(header)
    add("| --- | --- | --- | --- |")
    for i = 1, math.min(10, #rows) do add(format_row(rows[i])) end
    if #rows == 0 then add("| - | - | - | - |") end
    add("")
  end
  section("## Regressions (Native < 1.0x)", "| Benchmark | Speedup | Molt s | CPython s |", regressions,
    function(r) return ("| %s | %s | %s | %s |"):format(r[1], ratio(r[2]), time(r[3]), time(r[4])) end)
  section("## WASM vs Native (Slowest)", "| Benchmark | WASM s | Native s | WASM/Native |", slowest,
    function(r) return ("| %s | %s | %s | %s |"):format(r[1], time(r[2]), time(r[3]), ratio(r[4])) end)
  for _, lane in ipairs(LANES) do
    section(("## Molt vs %s (Both OK)"):format(lane[2]), "| Benchmark | Molt s | Comparator s | Molt/Comparator |",
      comparators[lane[1]],
      function(r) return ("| %s | %s | %s | %s |"):format(r[1], time(r[2]), time(r[3]), ratio(r[4])) end)
  end
  add("## Combined Table")
  add("| Benchmark | Molt OK | CPython s | PyPy s | Codon build s | Codon run s | Codon KB | Nuitka build s | "
    .. "Nuitka run s | Nuitka KB | Pyodide run s | Molt build s | Molt run s | Molt KB | Molt/CPython | Molt/PyPy | "
    .. "Molt/Codon | Molt/Nuitka | Molt/Pyodide | WASM OK | WASM s | WASM/Native | WASM/CPython |")
  add("|" .. string.rep(" --- |", 23))
  for _, name in ipairs(names) do
    local n, w = nb[name] or EMPTY, wb[name] or EMPTY
    local molt_ok = n.molt_ok == true
    local molt_time = molt_ok and num(n.molt_time_s) or nil
    local pypy = n.pypy_ok == true and num(n.pypy_time_s) or nil
    local codon = n.codon_ok == true and num(n.codon_time_s) or nil
    local nuitka = n.nuitka_ok == true and num(n.nuitka_time_s) or nil
    local pyodide = n.pyodide_ok == true and num(n.pyodide_time_s) or nil
    local cpython_time = num(n.cpython_time_s)
    local wasm_time = w.molt_wasm_ok == true and num(w.molt_wasm_time_s) or nil
    L[#L + 1] = "| " .. table.concat({ name, molt_ok and "yes" or "no", time(cpython_time), time(pypy),
      time(n.codon_build_s), time(codon), time(n.codon_size_kb), time(n.nuitka_build_s),
      time(nuitka), time(n.nuitka_size_kb), time(pyodide), time(n.molt_build_s),
      time(molt_time), time(n.molt_size_kb), ratio(div(molt_time, cpython_time)),
      ratio(div(molt_time, pypy)), ratio(div(molt_time, codon)),
      ratio(div(molt_time, nuitka)), ratio(div(molt_time, pyodide)),
      w.molt_wasm_ok == true and "yes" or "no", time(wasm_time), ratio(div(wasm_time, molt_time)),
      ratio(div(wasm_time, cpython_time)) }, " | ") .. " |"
  end
  add("")
  add("## Cold Start & Binary Size")
  if opts.startup_audit then
    add(M.startup_section(opts.startup_audit))
  else
    add("Startup/size audit JSON not provided (`tools/output_startup_size_audit.py`); section empty.")
  end
  add("")
  add("Generated by `tools/bench_report.py`.")
  return table.concat(L, "\n") .. "\n"
end

-- A value in milliseconds with one decimal, "-" when absent.
local function ms(seconds)
  if type(seconds) ~= "number" or seconds ~= seconds then return "-" end
  return ("%.1f"):format(seconds * 1000)
end

local function stat(block, key)
  local st = type(block) == "table" and block.stats
  return type(st) == "table" and st[key] or nil
end

local function artifact_size(c)
  local bytes = type(c.artifact) == "table" and c.artifact.bytes
  if type(bytes) ~= "number" then return "-" end
  return ("%d (%.2f MB)"):format(math.tointeger(bytes) or math.floor(bytes), bytes / 1048576)
end

--- The Cold Start & Binary Size section from an output_startup_size_audit.py JSON, as Molt
--- writes it: the audit's time, the process baselines, and one row per case with its size,
--- warm (same-path) min/median, page-cache-cold and cold first-sighting medians in ms, or
--- why startup was skipped, and its budget.
function M.startup_section(audit)
  local baselines = type(audit.baselines) == "table" and audit.baselines or {}
  local rows = {
    "- Audit recorded_at: " .. tostring(audit.recorded_at or audit.created_at or "-"),
    ("- Process baselines: C %sms, CPython %sms (median)."):format(ms(stat(baselines.c, "median_s")),
      ms(stat(baselines.cpython, "median_s"))),
    "- Warm = same-path steady-state (provenance + page cache warm); page-cache-cold = fresh-copy load; "
      .. "cold(first-sighting) = the genuine first run of freshly built bytes (one-time macOS amfid tax).",
    "",
    "| Target | Profile | Backend | Size | Warm min/median ms | Page-cache-cold ms | Cold first-sighting ms | Budget |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  }
  for _, c in ipairs(audit.cases or {}) do
    local case = type(c.case) == "table" and c.case or {}
    local startup = type(c.startup) == "table" and c.startup or {}
    local warm, cold_copy, first
    if type(startup.skipped) == "string" then
      warm = "skipped: " .. startup.skipped
      cold_copy, first = warm, warm
    else
      warm = ms(stat(startup.same_path, "min_s")) .. " / " .. ms(stat(startup.same_path, "median_s"))
      cold_copy = ms(stat(startup.page_cache_cold, "median_s"))
      first = ms(stat(startup.cold_first_sighting, "median_s"))
    end
    local budget = type(c.budgets) == "table" and c.budgets.passed == false and "FAIL" or "OK"
    local function cell(v) return (v == nil or v == json.null) and "-" or tostring(v) end
    rows[#rows + 1] = ("| %s | %s | %s | %s | %s | %s | %s | %s |"):format(cell(case.target), cell(case.build_profile),
      cell(case.backend), artifact_size(c), warm, cold_copy, first, budget)
  end
  return table.concat(rows, "\n")
end

-- The STATUS block's Startup/size line: the first native case that built, its warm and cold
-- first-sighting medians, the process baselines, and whether every budget held.
local function startup_line(audit)
  local native
  for _, c in ipairs(audit.cases or {}) do
    if type(c.case) == "table" and c.case.target == "native" and c.status == "ok" then native = c break end
  end
  local held = true
  for _, c in ipairs(audit.cases or {}) do
    if type(c.budgets) == "table" and c.budgets.passed == false then held = false end
  end
  local b = type(audit.baselines) == "table" and audit.baselines or {}
  local startup = native and type(native.startup) == "table" and native.startup or {}
  return ("Startup/size: native hello-world %s, warm %sms / cold(first-sighting) %sms; C baseline %sms, CPython %sms; "
    .. "budget %s."):format(native and artifact_size(native) or "-", ms(stat(startup.same_path, "median_s")),
    ms(stat(startup.cold_first_sighting, "median_s")), ms(stat(b.c, "median_s")), ms(stat(b.cpython, "median_s")),
    held and "OK" or "REGRESSED")
end

--- The STATUS.md block (between the GENERATED:bench-summary markers).
function M.status_block(native, wasm, opts)
  opts = opts or {}
  local _, nb, wb = collect(native, wasm)
  local function list(items, limit, f)
    if #items == 0 then return "none" end
    local out = {}
    for i = 1, math.min(limit, #items) do out[i] = ("`%s.py` %s"):format(items[i][1], f(items[i][2])) end
    return table.concat(out, ", ")
  end
  local speedups, regressions = {}, {}
  for name, e in pairs(nb) do
    if e.molt_ok == true and num(e.molt_speedup) then
      speedups[#speedups + 1] = { name, e.molt_speedup }
      if e.molt_speedup < 1.0 then regressions[#regressions + 1] = { name, e.molt_speedup } end
    end
  end
  table.sort(speedups, function(a, b) if a[2] ~= b[2] then return a[2] > b[2] end return a[1] < b[1] end)
  table.sort(regressions, function(a, b) if a[2] ~= b[2] then return a[2] < b[2] end return a[1] < b[1] end)
  local slowest = { table.unpack(speedups) }
  table.sort(slowest, function(a, b) if a[2] ~= b[2] then return a[2] < b[2] end return a[1] < b[1] end)
  -- Backticked names, at most `limit`, then "and N more".
  local function names_of(list_, limit)
    local out = {}
    for i = 1, math.min(limit, #list_) do out[i] = ("`%s.py`"):format(list_[i]) end
    local text = table.concat(out, ", ")
    if #list_ > limit then text = text .. (", and %d more"):format(#list_ - limit) end
    return text
  end
  local failures = {}
  for name, e in pairs(nb) do if e.molt_ok ~= true then failures[#failures + 1] = name end end
  table.sort(failures)
  local coverage = {}
  for i, lane in ipairs(LANES) do
    local ok = 0
    for _, e in pairs(nb) do if e[lane[1] .. "_ok"] == true then ok = ok + 1 end end
    coverage[i] = ok == 0 and (lane[2] .. " baseline unavailable") or ("%s %d/%d"):format(lane[2], ok, count(nb))
  end
  local wasm_times, wasm_sizes, wasm_ratios, wasm_failed, wasm_ok = {}, {}, {}, {}, 0
  for name, e in pairs(wb) do
    if e.molt_wasm_ok == true then
      wasm_ok = wasm_ok + 1
      if num(e.molt_wasm_time_s) then
        wasm_times[#wasm_times + 1] = { name, e.molt_wasm_time_s }
        local cpython = nb[name] and nb[name].cpython_time_s
        if num(cpython) and cpython > 0 then wasm_ratios[#wasm_ratios + 1] = { name, e.molt_wasm_time_s / cpython } end
      end
    else
      wasm_failed[#wasm_failed + 1] = name
    end
    if num(e.molt_wasm_size_kb) then wasm_sizes[#wasm_sizes + 1] = { name, e.molt_wasm_size_kb } end
  end
  local function desc(a, b) if a[2] ~= b[2] then return a[2] > b[2] end return a[1] < b[1] end
  table.sort(wasm_times, desc)
  table.sort(wasm_sizes, desc)
  table.sort(wasm_ratios, desc)
  table.sort(wasm_failed)
  local function date(v) return type(v) == "string" and v:sub(1, 10) or "-" end
  local function sys(s)
    if type(s) ~= "table" then return "-" end
    local platform = type(s.platform) == "string" and s.platform:match("^[^-]*") or "-"
    return ("%s %s, CPython %s"):format(platform, tostring(s.machine or "-"), tostring(s.python or "-"))
  end
  local fx = function(v) return ("%.2fx"):format(v) end
  local lines = {
    ("Latest run: %s (%s)."):format(date(native.created_at), sys(native.system)),
    ("Top speedups: %s."):format(list(speedups, 5, fx)),
    ("Regressions: %s."):format(list(regressions, #regressions, fx)),
    ("Slowest: %s."):format(list(slowest, 3, fx)),
    ("Molt build/run failures: %s."):format(#failures == 0 and "none" or names_of(failures, 8)),
    ("Comparator baseline coverage: %s."):format(table.concat(coverage, "; ")),
    ("WASM run: %s (%s); ok %d/%d%s. Slowest: %s; largest sizes: %s; WASM vs CPython slowest ratios: %s."):format(
      date(wasm.created_at), sys(wasm.system), wasm_ok, count(wb),
      #wasm_failed > 0 and (", failures: " .. names_of(wasm_failed, 8)) or "",
      list(wasm_times, 3, function(v) return ("%.2fs"):format(v) end),
      list(wasm_sizes, 3, function(v) return ("%.1f KB"):format(v) end), list(wasm_ratios, 3, fx)),
  }
  if opts.startup_audit then lines[#lines + 1] = startup_line(opts.startup_audit) end
  return table.concat(lines, "\n")
end

-- HTML ------------------------------------------------------------------------------------

local escape_html = require("rig.util").xml_escape

-- The lanes of a results entry that carry at least one sample: { {lane, samples}, ... }, in
-- name order, `molt` first. Warmup samples are not measurements and are left out.
local function sampled_lanes(entry)
  local out = {}
  for key, v in pairs(entry) do
    local lane = type(key) == "string" and key:match("^(.+)_samples_s$")
    if lane and not lane:match("_warmup$") and type(v) == "table" and #v > 0 then
      local ok = true
      for _, x in ipairs(v) do
        if type(x) ~= "number" or x ~= x then ok = false break end
      end
      if ok then out[#out + 1] = { lane, v } end
    end
  end
  table.sort(out, function(a, b)
    if (a[1] == "molt") ~= (b[1] == "molt") then return a[1] == "molt" end
    return a[1] < b[1]
  end)
  return out
end

local function seconds(v) return num(v) and v == v and math.abs(v) ~= math.huge and ("%.6f"):format(v) or "-" end

-- One strip plot: a row per lane, every sample a dot (spread vertically by a fixed pattern so
-- equal values stay visible), the median a tick, its 95% interval a bar. Shared x axis.
local function strip_plot(lanes, cis)
  local lo, hi = math.huge, -math.huge
  for _, l in ipairs(lanes) do
    for _, x in ipairs(l[2]) do lo, hi = math.min(lo, x), math.max(hi, x) end
  end
  if hi <= lo then lo, hi = lo - 0.5 * math.abs(lo) - 1e-9, hi + 0.5 * math.abs(hi) + 1e-9 end
  local pad = (hi - lo) * 0.05
  lo, hi = lo - pad, hi + pad
  local left, width, row = 130, 480, 26
  local height = row * #lanes + 22
  local function x_of(v) return left + (v - lo) / (hi - lo) * width end
  local out = { ('<svg class="strip" width="%d" height="%d" viewBox="0 0 %d %d" role="img">'):format(
    left + width + 10, height, left + width + 10, height) }
  for i, l in ipairs(lanes) do
    local y = (i - 1) * row + 4
    local color = l[1] == "molt" and "#1f6feb" or "#8b949e"
    out[#out + 1] = ('<text x="%d" y="%.1f" class="lane">%s</text>'):format(left - 8, y + row / 2 + 4,
      escape_html(l[1]))
    for j, x in ipairs(l[2]) do
      local jitter = ((j * 0.6180339887) % 1) * (row - 10) + 5
      out[#out + 1] = ('<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s" fill-opacity="0.6"/>'):format(x_of(x),
        y + jitter, color)
    end
    local ci = cis[i]
    if ci and ci.low > -math.huge and ci.high < math.huge then
      out[#out + 1] = ('<line class="ci" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#d29922" '
        .. 'stroke-width="3"/>'):format(x_of(ci.low), x_of(ci.high), y + row - 3, y + row - 3)
    end
    local m = stats.summary(l[2]).median
    out[#out + 1] = ('<line class="median" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#000" '
      .. 'stroke-width="2"/>'):format(x_of(m), x_of(m), y + 2, y + row - 2)
  end
  local axis_y = row * #lanes + 6
  out[#out + 1] = ('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#888"/>'):format(left, left + width, axis_y, axis_y)
  out[#out + 1] = ('<text x="%d" y="%d" class="tick">%s s</text>'):format(left, axis_y + 14, seconds(lo))
  out[#out + 1] = ('<text x="%d" y="%d" class="tick end">%s s</text>'):format(left + width, axis_y + 14, seconds(hi))
  out[#out + 1] = "</svg>"
  return table.concat(out)
end

local HTML_OPTIONS = { alpha = check.PROBABILITY, noise = { "number", min = 0 }, title = "string" }
--- A self-contained HTML page (no scripts, no network): the markdown report's summary, then
--- for every benchmark the lanes' medians with 95% intervals, Molt against CPython as a
--- ratio with its interval and verdict (`rig.stats.compare`), and a strip plot of the
--- samples. Benchmarks whose files carry no samples (Molt's own results) show the point
--- estimates only and say so.
---@param native_path string
---@param wasm_path string
---@param native table decoded native results
---@param wasm table decoded wasm results
---@param opts? { alpha?: number, noise?: number, title?: string }
---@return string html
function M.html(native_path, wasm_path, native, wasm, opts)
  opts = check.options("html", 5, opts, HTML_OPTIONS)
  local names, nb, wb = collect(native, wasm)
  local out = {}
  local function add(s) out[#out + 1] = s end
  add("<!DOCTYPE html>")
  add('<html lang="en"><head><meta charset="utf-8">')
  add("<title>" .. escape_html(opts.title or "Molt Bench Summary") .. "</title>")
  add("<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#111}table{border-collapse:collapse}"
    .. "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td:first-child,th:first-child{text-align:left}"
    .. ".faster{color:#1a7f37;font-weight:bold}.slower{color:#cf222e;font-weight:bold}.same{color:#57606a}"
    .. ".inconclusive{color:#9a6700}.bench{margin:1.5em 0;border-top:1px solid #ddd;padding-top:.5em}"
    .. "svg text{font:11px sans-serif}svg .lane{text-anchor:end}svg .tick.end{text-anchor:end}</style>")
  add("</head><body>")
  add("<h1>" .. escape_html(opts.title or "Molt Bench Summary") .. "</h1>")
  add(("<p>Native: <code>%s</code> (git_rev %s) &middot; WASM: <code>%s</code> (git_rev %s)</p>"):format(
    escape_html(native_path), escape_html(type(native.git_rev) == "string" and native.git_rev or "-"),
    escape_html(wasm_path), escape_html(type(wasm.git_rev) == "string" and wasm.git_rev or "-")))
  local verdicts = { faster = 0, slower = 0, same = 0, inconclusive = 0 }
  local sections = {}
  for _, name in ipairs(names) do
    local n, w = nb[name] or {}, wb[name] or {}
    local lanes = sampled_lanes(n)
    for _, l in ipairs(sampled_lanes(w)) do lanes[#lanes + 1] = { "wasm:" .. l[1], l[2] } end
    local s = { ('<div class="bench" id="%s"><h2>%s</h2>'):format(escape_html(name), escape_html(name)) }
    if #lanes == 0 then
      s[#s + 1] = ("<p>No samples in the results files: Molt %s s, CPython %s s, speedup %s.</p>"):format(
        seconds(n.molt_ok == true and n.molt_time_s or nil), seconds(n.cpython_time_s),
        ratio(n.molt_ok == true and num(n.molt_speedup) or nil))
    else
      local cis, by_lane = {}, {}
      s[#s + 1] = "<table><tr><th>lane</th><th>n</th><th>median s</th><th>95% CI of the median</th></tr>"
      for i, l in ipairs(lanes) do
        by_lane[l[1]] = l[2]
        cis[i] = stats.median_ci(l[2])
        local ci = cis[i]
        local shown = (ci.low > -math.huge and ci.high < math.huge) and (seconds(ci.low) .. " &ndash; "
          .. seconds(ci.high)) or "too few samples"
        s[#s + 1] = ("<tr><td>%s</td><td>%d</td><td>%s</td><td>%s</td></tr>"):format(escape_html(l[1]), #l[2],
          seconds(stats.summary(l[2]).median), shown)
      end
      s[#s + 1] = "</table>"
      if by_lane.molt and by_lane.cpython then
        local c = stats.compare(by_lane.cpython, by_lane.molt, { alpha = opts.alpha, noise = opts.noise })
        -- With Molt's 3 samples a side no rank test reaches p <= 0.05; Welch's test on log
        -- times (assuming log-normal times) can, and decides when the rank test cannot.
        local lw = stats.log_welch(by_lane.cpython, by_lane.molt, { alpha = opts.alpha, noise = opts.noise })
        local verdict, by = c.verdict, "rank test"
        if verdict == "inconclusive" and lw and lw.verdict ~= "inconclusive" then verdict, by = lw.verdict, "Welch" end
        verdicts[verdict] = (verdicts[verdict] or 0) + 1
        s[#s + 1] = ('<p>Molt / CPython: %s (95%% CI %s &ndash; %s), rank test p = %s, Welch on log times p = %s '
          .. '(assumes log-normal times): <span class="%s">%s</span> (%s)%s</p>'):format(
          c.ratio and ("%.3fx"):format(c.ratio) or "-", c.ci_low and ("%.3fx"):format(c.ci_low) or "-",
          c.ci_high and ("%.3fx"):format(c.ci_high) or "-", c.p_value and ("%.3g"):format(c.p_value) or "-",
          lw and ("%.3g"):format(lw.p_value) or "-", escape_html(verdict),
          verdict == "faster" and "Molt faster" or verdict == "slower" and "Molt slower" or escape_html(verdict),
          by, (verdict == c.verdict and c.reason) and (" (" .. escape_html(c.reason) .. ")") or "")
      end
      s[#s + 1] = strip_plot(lanes, cis)
    end
    s[#s + 1] = "</div>"
    sections[#sections + 1] = table.concat(s, "\n")
  end
  add(("<p>%d benchmarks. Molt against CPython where both have samples: %d faster, %d slower, %d the same, "
    .. "%d inconclusive.</p>"):format(#names, verdicts.faster, verdicts.slower, verdicts.same, verdicts.inconclusive))
  for _, section in ipairs(sections) do add(section) end
  add("<p>Generated by Rig (<code>rig run report --html</code>).</p>")
  add("</body></html>")
  return table.concat(out, "\n") .. "\n"
end

return M
