--- Molt's combined native + wasm benchmark report (tools/bench_report.py): the same sections
--- in the same order with the same number formats, so the report Rig writes for Molt's
--- inputs is byte-identical to the one Molt's tool writes; plus the STATUS block.
local json = require "rig.json"

local M = {}

-- { lane, title, ok key, time key }: the keys built once, not per row (10,000-row inputs).
local LANES = {}
for i, lane in ipairs { { "pypy", "PyPy" }, { "codon", "Codon" }, { "nuitka", "Nuitka" }, { "pyodide", "Pyodide" } } do
  LANES[i] = { lane[1], lane[2], lane[1] .. "_ok", lane[1] .. "_time_s" }
end

local function num(v) return type(v) == "number" and v or nil end

local function div(a, b)
  a, b = num(a), num(b)
  if not a or not b or b == 0 then return nil end
  return a / b
end

local function time(v) return num(v) and ("%.6f"):format(v) or "-" end
local function ratio(v) return num(v) and ("%.2fx"):format(v) or "-" end

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

local function median(xs)
  if #xs == 0 then return nil end
  local s = { table.unpack(xs) }
  table.sort(s)
  local n = #s
  return n % 2 == 1 and s[(n + 1) // 2] or (s[n // 2] + s[n // 2 + 1]) / 2
end

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
  return ("timing_mode=%s, warmup=%s, samples=%s"):format(mode, p.warmup == nil and "-" or pystr(p.warmup),
    p.samples == nil and "-" or pystr(p.samples))
end

--- The report markdown. `native_path` and `wasm_path` are shown as given.
function M.render(native_path, wasm_path, native, wasm, opts)
  opts = opts or {}
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

--- The Cold Start & Binary Size table from an output_startup_size_audit.py JSON.
function M.startup_section(audit)
  local rows = { "| Case | Status | Bytes | Same-path median s | Page-cache-cold median s | Budgets |",
    "| --- | --- | --- | --- | --- | --- |" }
  for _, c in ipairs(audit.cases or {}) do
    local case = c.case or {}
    local startup = c.startup or {}
    local function med(kind)
      local s = startup[kind] and startup[kind].stats
      return s and time(s.median_s) or "-"
    end
    rows[#rows + 1] = ("| %s/%s/%s | %s | %s | %s | %s | %s |"):format(tostring(case.target),
      tostring(case.build_profile), tostring(case.backend), tostring(c.status),
      c.artifact and tostring(c.artifact.bytes) or "-", med("same_path"), med("page_cache_cold"),
      c.budgets and (c.budgets.passed and "pass" or "fail") or "-")
  end
  return table.concat(rows, "\n")
end

--- The STATUS.md block (between the GENERATED:bench-summary markers).
function M.status_block(native, wasm)
  local names, nb, wb = collect(native, wasm)
  local _ = names
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
  local failures = {}
  for name, e in pairs(nb) do if e.molt_ok ~= true then failures[#failures + 1] = name end end
  table.sort(failures)
  local coverage = {}
  for i, lane in ipairs(LANES) do
    local ok = 0
    for _, e in pairs(nb) do if e[lane[1] .. "_ok"] == true then ok = ok + 1 end end
    coverage[i] = ("%s %d/%d"):format(lane[2], ok, count(nb))
  end
  local wasm_times = {}
  for name, e in pairs(wb) do
    if e.molt_wasm_ok == true and num(e.molt_wasm_time_s) then
      wasm_times[#wasm_times + 1] = { name, e.molt_wasm_time_s }
    end
  end
  table.sort(wasm_times, function(a, b) if a[2] ~= b[2] then return a[2] > b[2] end return a[1] < b[1] end)
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
    ("Molt build/run failures: %s."):format(#failures == 0 and "none" or table.concat(failures, ", ")),
    ("Comparator baseline coverage: %s."):format(table.concat(coverage, ", ")),
    ("WASM run: %s (%s). Slowest: %s."):format(date(wasm.created_at), sys(wasm.system),
      list(wasm_times, 3, function(v) return ("%.2fs"):format(v) end)),
  }
  return table.concat(lines, "\n")
end

return M
