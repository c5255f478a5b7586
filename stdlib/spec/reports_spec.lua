-- rig.report and rig.diff on the real Molt fixtures (golden outputs), and the statistical
-- mode of diff on planted data.
local json, fs = rig.json, rig.fs

local root = debug.getinfo(1, "S").source:match("^@(.*)/stdlib/spec/[^/]+$") or "."
local molt = root .. "/Tests/Fixtures/molt"

local native_rel = "bench/results/full_native_refresh_20260522_tracked_vec.json"
local wasm_rel = "bench/results/bench_wasm_20260522_tracked_vec.json"

describe("rig.report", function()
  it("reproduces Molt's generated report byte for byte", function()
    local native = assert(json.read(molt .. "/" .. native_rel))
    local wasm = assert(json.read(molt .. "/" .. wasm_rel))
    local report = rig.report.render(native_rel, wasm_rel, native, wasm)
    local golden = assert(fs.read(molt .. "/docs/benchmarks/bench_summary.md"))
    assert.equal(golden, report)
    -- The recipe reads only the fields the report needs: the same bytes come out.
    local only = { only = rig.report.PROJECTION }
    local lean_native = assert(json.read(molt .. "/" .. native_rel, only))
    local lean_wasm = assert(json.read(molt .. "/" .. wasm_rel, only))
    local _, first = next(lean_native.benchmarks)
    assert.is_nil(first.molt_samples_s) -- left out
    assert.truthy(first.molt_time_s)
    assert.equal(golden, rig.report.render(native_rel, wasm_rel, lean_native, lean_wasm))
    assert.equal(rig.report.status_block(native, wasm), rig.report.status_block(lean_native, lean_wasm))
  end)

  it("writes the STATUS block Molt's documents carry", function()
    local block = rig.report.status_block(assert(json.read(molt .. "/" .. native_rel)),
      assert(json.read(molt .. "/" .. wasm_rel)))
    assert.matches("^Latest run: 2026%-05%-23 %(macOS arm64, CPython 3%.12%.13%)%.\nTop speedups: ", block)
    assert.contains("Regressions: `bench_struct.py` 0.04x", block)
    assert.contains("Comparator baseline coverage: PyPy baseline unavailable; Codon baseline unavailable; Nuitka "
      .. "baseline unavailable; Pyodide baseline unavailable.", block)
    assert.contains("; ok 53/56, failures: `bench_async_await.py`, `bench_channel_throughput.py`, "
      .. "`bench_ptr_registry.py`."
      .. " Slowest: `bench_struct.py` 37.60s", block)
  end)
end)

describe("rig.report.html", function()
  -- Spread of +-1% around each center, deterministic.
  local function samples(center, n, seed)
    local out = {}
    for i = 1, n do out[i] = center * (1 + 0.01 * (((i * 7919 + seed) % 13) - 6) / 6) end
    return json.array(out)
  end
  local native = json.object({ git_rev = "rev<1>", benchmarks = json.object({
    ["bench_fast.py"] = json.object({ molt_ok = true, molt_time_s = 0.05, cpython_time_s = 0.1, molt_speedup = 2.0,
      molt_samples_s = samples(0.05, 20, 1), cpython_samples_s = samples(0.1, 20, 2),
      molt_warmup_samples_s = samples(1, 2, 0) }),
    ["bench_<same>.py"] = json.object({ molt_ok = true, molt_time_s = 0.1, cpython_time_s = 0.1, molt_speedup = 1.0,
      molt_samples_s = samples(0.1, 20, 3), cpython_samples_s = samples(0.1, 20, 4) }),
    ["bench_few.py"] = json.object({ molt_ok = true, molt_time_s = 0.1, cpython_time_s = 0.2, molt_speedup = 2.0,
      molt_samples_s = samples(0.1, 2, 3), cpython_samples_s = samples(0.2, 2, 4) }),
    ["bench_nosamples.py"] = json.object({ molt_ok = true, molt_time_s = 0.2, cpython_time_s = 0.3,
      molt_speedup = 1.5 }),
  }) })
  local wasm = json.object({ benchmarks = json.object({ ["bench_fast.py"] = json.object({ molt_wasm_ok = true,
    molt_wasm_time_s = 0.07, molt_wasm_samples_s = samples(0.07, 10, 5) }) }) })

  local function section(page, name)
    return assert(page:match('<div class="bench" id="' .. name:gsub("%p", "%%%0") .. '">.-</div>'), name)
  end
  local function count(text, pattern)
    local n = 0
    for _ in text:gmatch(pattern) do n = n + 1 end
    return n
  end

  it("plots every measured sample, gives verdicts that match the data, and says where there are none", function()
    local page = rig.report.html("n.json", "w.json", native, wasm)
    local fast = section(page, "bench_fast")
    -- 20 molt + 20 cpython + 10 wasm dots; warmup samples are not measurements.
    assert.equal(50, count(fast, "<circle "))
    assert.contains('<span class="faster">Molt faster</span>', fast)
    assert.matches("Molt / CPython: 0%.50%dx", fast)
    assert.contains(">wasm:molt_wasm<", fast)
    assert.contains('<span class="same">same</span>', section(page, "bench_&lt;same&gt;"))
    assert.contains('<span class="inconclusive">inconclusive</span>', section(page, "bench_few"))
    assert.contains("too few samples", section(page, "bench_few"))
    local none = section(page, "bench_nosamples")
    assert.equal(0, count(none, "<svg"))
    assert.contains("No samples in the results files: Molt 0.200000 s, CPython 0.300000 s, speedup 1.50x.", none)
    assert.contains("4 benchmarks. Molt against CPython where both have samples: 1 faster, 0 slower, 1 the same, "
      .. "1 inconclusive.", page)
  end)

  it("decides what Molt's 3 samples a side do support, by Welch's test on log times, and says so", function()
    local n = assert(json.read(molt .. "/" .. native_rel))
    local w = assert(json.read(molt .. "/" .. wasm_rel))
    local page = rig.report.html(native_rel, wasm_rel, n, w)
    -- bench_bytes_find: Molt 4.8x faster (ratio 0.208) on 3 samples a side.
    local s = section(page, "bench_bytes_find")
    assert.contains('<span class="faster">Molt faster</span> (Welch)', s)
    assert.matches("rank test p = 0%.1, Welch on log times p = [%d.e-]+ %(assumes log%-normal times%)", s)
  end)

  it("is self-contained and escapes names", function()
    local page = rig.report.html("n<.json", "w.json", native, wasm)
    assert.is_nil(page:find("<script", 1, true))
    assert.is_nil(page:find("https?://"))
    assert.is_nil(page:find("bench_<same>", 1, true))
    assert.contains("<code>n&lt;.json</code> (git_rev rev&lt;1&gt;)", page)
    -- Every opened element the page uses is closed.
    for _, tag in ipairs { "svg", "table", "div", "p", "h2", "code", "span", "text" } do
      assert.equal(count(page, "<" .. tag .. "[ >]"), count(page, "</" .. tag .. ">"), tag)
    end
  end)
end)

describe("rig.diff", function()
  it("reproduces the worked example of Molt's bench_diff.py on the two native fixtures", function()
    local old = assert(json.read(molt .. "/bench/results/full_native_baseline_20260320.json"))
    local new = assert(json.read(molt .. "/" .. native_rel))
    local r = rig.diff.compare(old, new, { top = 3, fail_regression_pct = 10 })
    assert.same({ old_count = 54, new_count = 56, shared_count = 54,
      added = { "bench_import_time.py", "bench_procedural_gen.py" }, removed = {} }, r.benchmarks)
    local counts = {}
    for _, t in ipairs(r.tables) do counts[t.metric] = { #t.rows, t.counts.improved, t.counts.regressed } end
    assert.same({
      cpython_time_s = { 52, 5, 47 }, molt_build_s = { 32, 31, 1 }, molt_cpython_ratio = { 28, 22, 6 },
      molt_size_kb = { 32, 0, 0 }, molt_speedup = { 28, 22, 6 }, molt_time_s = { 28, 19, 9 },
    }, counts)
    assert.equal(69, r.regressed_rows)
    assert.equal(61, #r.violations)
    assert.is_true(r.failed)
    local md = rig.diff.markdown(r, "old.json", "new.json", { top = 3 })
    assert.contains("| `bench_startup.py` | 0.006623 | 0.036186 | 0.029563 | +446.40% | regressed |", md)
    assert.contains("Benchmarks: old=54 | new=56 | shared=54\nAdded benchmarks: `bench_import_time.py`, "
      .. "`bench_procedural_gen.py`", md)
    -- The recipe reads the files through rig.diff.PROJECTION: the same diff, JSON included.
    local only = { only = rig.diff.PROJECTION }
    local lean = rig.diff.compare(assert(json.read(molt .. "/bench/results/full_native_baseline_20260320.json", only)),
      assert(json.read(molt .. "/" .. native_rel, only)), { top = 3, fail_regression_pct = 10 })
    assert.equal(md, rig.diff.markdown(lean, "old.json", "new.json", { top = 3 }))
    assert.equal(json.encode(rig.diff.json_payload(r, "o", "n", { top = 3 }), { sort_keys = true }),
      json.encode(rig.diff.json_payload(lean, "o", "n", { top = 3 }), { sort_keys = true }))
  end)

  -- Two results files with samples: `n` benchmarks, the new one 5% slower or only noisy.
  local function planted(seed, slowdown)
    math.randomseed(seed)
    local function normals(k, mean)
      local out = {}
      for i = 1, k do
        local u1, u2 = 1 - math.random(), math.random()
        out[i] = mean * (1 + 0.01 * math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2))
      end
      return out
    end
    local function file(factor)
      local b = json.object()
      local o = normals(20, 0.100 * factor)
      local s = 0
      for _, v in ipairs(o) do s = s + v end
      b["bench_x.py"] = json.object({ molt_ok = true, molt_samples_s = json.array(o), molt_time_s = s / #o })
      return { benchmarks = b }
    end
    return file(1), file(1 + slowdown)
  end

  it("flags a real 5% slowdown and leaves noise of the same spread alone, 19 times in 20", function()
    local flagged, quiet = 0, 0
    for trial = 1, 20 do
      local old, new = planted(100 + trial, 0.05)
      local r = rig.diff.compare(old, new, { significant_only = true, fail_regression_pct = 1 })
      if r.failed then flagged = flagged + 1 end
      local old2, new2 = planted(500 + trial, 0.0)
      local r2 = rig.diff.compare(old2, new2, { significant_only = true, fail_regression_pct = 1 })
      if not r2.failed then quiet = quiet + 1 end
    end
    assert.truthy(flagged >= 19, "slowdowns flagged: " .. flagged)
    assert.truthy(quiet >= 19, "noise left alone: " .. quiet)
  end)

  it("reports the evidence beside Molt's tables", function()
    local old, new = planted(1, 0.05)
    local r = rig.diff.compare(old, new, {})
    local md = rig.diff.markdown(r, "a", "b", {})
    assert.contains("## Statistical evidence (Rig)", md)
    assert.contains("| `molt_time_s` | `bench_x.py` | 1.05", md)
  end)
end)

describe("rig.diff, Python's edges", function()
  it("prints NaN and infinities as Python does and slices --top like rows[:top]", function()
    local old = json.decode('{"benchmarks": {"a": {"molt_ok": true, "molt_time_s": 1.0, "cpython_time_s": NaN}, '
      .. '"b": {"molt_ok": true, "molt_time_s": Infinity}, "c": {"molt_ok": true, "molt_time_s": 3.0}}}')
    local new = json.decode('{"benchmarks": {"a": {"molt_ok": true, "molt_time_s": 2.0, "cpython_time_s": 1.0}, '
      .. '"b": {"molt_ok": true, "molt_time_s": 1.0}, "c": {"molt_ok": true, "molt_time_s": 3.3}}}')
    local r = assert(rig.diff.compare(old, new, {}))
    local text = rig.diff.markdown(r, "o", "n", {})
    assert.contains("| `a` | nan | 1.000000 | nan | +nan% |", text)
    assert.contains("| `b` | inf | 1.000000 | -inf | +nan% |", text)
    -- --top -1: every row but the last of each metric (three molt_time_s rows: two shown).
    local cut = rig.diff.markdown(r, "o", "n", { top = -1 })
    local section = cut:match("## molt_time_s\n(.*)$")
    local n = 0
    for _ in section:gmatch("\n| `") do n = n + 1 end
    assert.equal(2, n)
  end)
end)

describe("rig.gate", function()
  local function run_file(factors, seed)
    math.randomseed(seed)
    local b = json.object()
    for name, factor in pairs(factors) do
      local xs, s = {}, 0
      for i = 1, 20 do
        local u1, u2 = 1 - math.random(), math.random()
        xs[i] = 0.1 * factor * (1 + 0.005 * math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2))
        s = s + xs[i]
      end
      b[name] = json.object({ molt_ok = true, molt_samples_s = json.array(xs), molt_time_s = s / 20 })
    end
    return { timing_mode = "warm_throughput", warmup = 1, samples = 20, benchmarks = b }
  end

  local def = assert(rig.gate.load_definition({ category = rig.gate.MOLT_CATEGORIES,
    group = { { name = "locks", benchmarks = { "bench_str_find" } } } }))

  it("fails only on regressions beyond the category's limit that the samples support", function()
    local base = run_file({ ["bench_str_find.py"] = 1, ["bench_csv_parse.py"] = 1, ["bench_sum.py"] = 1 }, 1)
    local cand = run_file({ ["bench_str_find.py"] = 1.12, ["bench_csv_parse.py"] = 1.08, ["bench_sum.py"] = 1.0 }, 2)
    local r = rig.gate.check(base, cand, def)
    assert.equal(1, r.failures)
    local by = {}
    for _, c in ipairs(r.categories) do
      for _, row in ipairs(c.rows) do by[row.benchmark] = { c.name, row.failed } end
    end
    assert.same({ "string_kernels", true }, by["bench_str_find.py"])
    assert.same({ "general_loops", false }, by["bench_csv_parse.py"])  -- 8% is inside the 10% limit
    assert.same({ "vector_reductions", false }, by["bench_sum.py"])
    assert.contains("## String Kernels (limit 7%)", rig.gate.markdown(r))
    assert.equal(1, rig.gate.check(base, cand, def, { group = "locks" }).failures)
  end)

  it("with strict, gates on the point estimate; and fails closed on incomparable runs", function()
    local base = run_file({ ["bench_sum.py"] = 1 }, 3)
    local cand = run_file({ ["bench_sum.py"] = 1.06 }, 4)
    cand.benchmarks["bench_sum.py"].molt_samples_s = nil
    assert.equal(0, rig.gate.check(base, cand, def).failures)
    assert.equal(1, rig.gate.check(base, cand, def, { strict = true }).failures)
    cand.samples = 5
    assert.contains("samples differs", rig.gate.check(base, cand, def).incomparable)
  end)
end)
