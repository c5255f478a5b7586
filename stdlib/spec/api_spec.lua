-- The API is declared once: stdlib/meta/rig.lua names exactly the functions the modules
-- export, and every public function taking an options table refuses a misspelt option with a
-- suggestion (rig.check), at the caller's line.
local root = debug.getinfo(1, "S").source:match("^@(.*)/stdlib/spec/[^/]+$") or "."
local meta = assert(rig.fs.read(root .. "/stdlib/meta/rig.lua"))

local NAMESPACES = {
  "time", "proc", "env", "stats", "json", "fs", "md", "csv", "profile", "toml", "lanes", "bench", "classify",
  "report", "diff", "gate", "flame", "sweep", "prune", "envprofile", "triage", "wasm", "friends", "size",
  "callgrind", "log", "cli", "spec", "util", "check", "measure", "hyperfine", "htmlreport",
  "molt", "git", "bisect",
}

local function declared_functions()
  local out = {}
  for name in meta:gmatch("\nfunction (rig%.[%w_]+%.[%w_]+)%s*%(") do out[name] = true end
  return out
end

-- Functions whose LuaCATS lists an options table (`opts`, `cfg`, `spec`).
local function with_options()
  local out, pending = {}, false
  for line in meta:gmatch("[^\n]+") do
    if line:find("^%-%-%-@param (opts)%??%s") or line:find("^%-%-%-@param cfg%??%s")
      or line:find("^%-%-%-@param spec%??%s") then
      pending = true
    elseif line:find("^function rig%.") then
      if pending then out[line:match("^function (rig%.[%w_%.]+)")] = true end
      pending = false
    end
  end
  return out
end

-- A misspelling `did_you_mean` must see through: the first two letters swapped.
local function misspell(name)
  return name:sub(2, 2) .. name:sub(1, 1) .. name:sub(3)
end

local tmp
local function dir()
  tmp = tmp or assert(rig.fs.tmpdir("rig-api-spec"))
  return tmp
end

local tree = { name = "all", value = 1, children = {} }
local lane = rig.lanes.define { name = "x", run = { "true" } }

-- For each function with options: a call with valid other arguments, and one real option.
local CALLS = {
  ["rig.spec.run_file"] = { "filter", function(o) local r = rig.spec.run_file("nofile.lua", o) return r end },
  ["rig.proc.run"] = { "timeout", function(o) o[1] = "true" local r = rig.proc.run(o) return r end },
  ["rig.proc.spawn"] = { "after", function(o) local r = rig.proc.spawn({ "true" }, o) return r end },
  ["rig.proc.run_many"] = { "jobs", function(o) local r = rig.proc.run_many({}, o) return r end },
  ["rig.proc.shell"] = { "timeout", function(o) local r = rig.proc.shell("true", o) return r end },
  ["rig.proc.must_run"] = { "timeout", function(o) o[1] = "true" local r = rig.proc.must_run(o) return r end },
  ["rig.env.host"] = { "tools", function(o) local r = rig.env.host(o) return r end },
  ["rig.stats.median_ci"] = { "confidence", function(o) local r = rig.stats.median_ci({ 1, 2, 3 }, o) return r end },
  ["rig.stats.mean_ci"] = { "confidence", function(o) local r = rig.stats.mean_ci({ 1, 2, 3 }, o) return r end },
  ["rig.stats.bootstrap"] = { "resamples", function(o) local r = rig.stats.bootstrap({ 1, 2, 3 }, o) return r end },
  ["rig.stats.ratio_ci"] = { "resamples", function(o)
    local r = rig.stats.ratio_ci({ 1, 2 }, { 1, 2 }, o)
    return r
  end },
  ["rig.stats.outliers"] = { "threshold", function(o) local r = rig.stats.outliers({ 1, 2, 3 }, o) return r end },
  ["rig.stats.compare"] = { "alpha", function(o) local r = rig.stats.compare({ 1, 2 }, { 1, 2 }, o) return r end },
  ["rig.json.decode"] = { "only", function(o) local r = rig.json.decode("{}", o) return r end },
  ["rig.json.encode"] = { "indent", function(o) local r = rig.json.encode({}, o) return r end },
  ["rig.json.read"] = { "only", function(o) local r = rig.json.read(dir() .. "/none.json", o) return r end },
  ["rig.json.write"] = { "indent", function(o) local r = rig.json.write(dir() .. "/x.json", {}, o) return r end },
  ["rig.md.table"] = { "headers", function(o)
    o.headers = o.headers or { "a" }
    local r = rig.md.table({}, o)
    return r
  end },
  ["rig.csv.encode"] = { "headers", function(o) local r = rig.csv.encode({}, o) return r end },
  ["rig.profile.extract"] = { "policy", function(o) local r = rig.profile.extract("", o) return r end },
  ["rig.profile.read"] = { "policy", function(o) local r = rig.profile.read(dir() .. "/none.log", o) return r end },
  ["rig.profile.from_result"] = { "policy", function(o)
    local r = rig.profile.from_result({ stderr = "" }, o)
    return r
  end },
  ["rig.profile.diff"] = { "top", function(o) local r = rig.profile.diff({}, {}, o) return r end },
  ["rig.lanes.define"] = { "description", function(o)
    o.name, o.run = "x", { "true" }
    local r = rig.lanes.define(o)
    return r
  end },
  ["rig.lanes.cpython"] = { "python", function(o) local r = rig.lanes.cpython(o) return r end },
  ["rig.lanes.pypy"] = { "cmd", function(o) local r = rig.lanes.pypy(o) return r end },
  ["rig.lanes.molt"] = { "molt", function(o) local r = rig.lanes.molt(o) return r end },
  ["rig.lanes.codon"] = { "codon", function(o) local r = rig.lanes.codon(o) return r end },
  ["rig.lanes.nuitka"] = { "python", function(o) local r = rig.lanes.nuitka(o) return r end },
  ["rig.lanes.numba"] = { "python", function(o) local r = rig.lanes.numba(o) return r end },
  ["rig.lanes.pyodide"] = { "cmd", function(o) local r = rig.lanes.pyodide(o) return r end },
  ["rig.bench.run"] = { "samples", function(o)
    o.lanes, o.workloads = o.lanes or { lane }, o.workloads or {}
    local r = rig.bench.run(o)
    return r
  end },
  ["rig.molt.throughput_env"] = { "repo", function(o) local r = rig.molt.throughput_env(o) return r end },
  ["rig.molt.custody_artifacts"] = { "sentinel", function(o)
    o.json_out, o.summary_out = o.json_out or "/x/r.json", o.summary_out or "/x/s.md"
    o.guard_root, o.sentinel = o.guard_root or "/x/g", o.sentinel or "s.jsonl"
    local r = rig.molt.custody_artifacts(o)
    return r
  end },
  ["rig.molt.bench_suite"] = { "smoke", function(o) local r = rig.molt.bench_suite("/nonexistent", o) return r end },
  ["rig.bench.molt_artifacts"] = { "profile", function(o)
    o.json_out, o.summary_out, o.profile = o.json_out or "/x/r.json", o.summary_out or "/x/s.md", o.profile or "dev"
    local r = rig.bench.molt_artifacts({ benchmarks = {} }, o)
    return r
  end },
  ["rig.stats.log_welch"] = { "alpha", function(o) local r = rig.stats.log_welch({ 1, 2 }, { 1, 2 }, o) return r end },
  ["rig.bench.check_baseline"] = { "statistical", function(o)
    local r = rig.bench.check_baseline({ benchmarks = {} }, { benchmarks = {} }, 0.15, o) return r end },
  ["rig.bench.read_results"] = { "only", function(o)
    local r = rig.bench.read_results("/nonexistent.json", o)
    return r
  end },
  ["rig.classify.classifier"] = { "default", function(o) local r = rig.classify.classifier({}, o) return r end },
  ["rig.diff.compare"] = { "metrics", function(o)
    local r = rig.diff.compare({ benchmarks = {} }, { benchmarks = {} }, o)
    return r
  end },
  ["rig.report.html"] = { "title", function(o)
    local r = rig.report.html("a", "b", { benchmarks = {} }, nil, o)
    return r
  end },
  ["rig.flame.svg"] = { "width", function(o) local r = rig.flame.svg(tree, o) return r end },
  ["rig.flame.diff_svg"] = { "saturate", function(o) local r = rig.flame.diff_svg(tree, tree, o) return r end },
  ["rig.callgrind.folded"] = { "max_depth", function(o)
    local r = rig.callgrind.folded(rig.callgrind.parse("events: Ir\nfn=main\n1 10\n"), o)
    return r
  end },
  ["rig.sweep.run"] = { "warmup", function(o)
    o.cases, o.run = o.cases or {}, o.run or function() return { ok = true } end
    local r = rig.sweep.run(o)
    return r
  end },
  ["rig.sweep.rank"] = { "alpha", function(o) local r = rig.sweep.rank({ a = { 1, 2, 3 } }, o) return r end },
  ["rig.sweep.halving"] = { "batch", function(o)
    o.configs, o.measure, o.max_rounds = o.configs or { "a" }, o.measure or function() return 1 end, 1
    local r = rig.sweep.halving(o)
    return r
  end },
  ["rig.prune.prune"] = { "dry_run", function(o) local r = rig.prune.prune(dir() .. "/cache", o) return r end },
  ["rig.triage.flaky"] = { "runs", function(o)
    local r = rig.triage.flaky(function() return { ok = true } end, o)
    return r
  end },
  ["rig.triage.retry_with"] = { "classes", function(o)
    o.classes, o.overrides = o.classes or {}, o.overrides or {}
    local r = rig.triage.retry_with(function() return { ok = true } end, o)
    return r
  end },
  ["rig.triage.bisect_settings"] = { "passing", function(o)
    o.failing, o.passing, o.fails = o.failing or { A = "1" }, o.passing or {}, o.fails or function() return false end
    local r = rig.triage.bisect_settings(o)
    return r
  end },
  ["rig.wasm.runner"] = { "python", function(o) local r = rig.wasm.runner("node", o) return r end },
  ["rig.wasm.run"] = { "samples", function(o)
    o.runner, o.workloads = o.runner or rig.wasm.runner("node"), o.workloads or {}
    local r = rig.wasm.run(o)
    return r
  end },
  ["rig.friends.load"] = { "values", function(o) local r = rig.friends.load(dir() .. "/none.toml", o) return r end },
  ["rig.friends.select"] = { "suites", function(o) local r = rig.friends.select({ suites = {} }, o) return r end },
  ["rig.friends.run_suite"] = { "dry_run", function(o) local r = rig.friends.run_suite({ id = "x" }, o) return r end },
  ["rig.size.startup"] = { "runs", function(o)
    local r = rig.size.startup("/bin/true", { "/bin/true" }, o)
    return r
  end },
  ["rig.gate.check"] = { "strict", function(o) local r = rig.gate.check({}, {}, {}, o) return r end },
  ["rig.measure.run"] = { "warmup", function(o)
    o.commands = o.commands or { "true" }
    local r = rig.measure.run(o)
    return r
  end },
  ["rig.measure.compare"] = { "alpha", function(o) local r = rig.measure.compare({ benchmarks = {} }, o) return r end },
  ["rig.hyperfine.markdown"] = { "unit", function(o)
    local r = rig.hyperfine.markdown({ benchmarks = {} }, o)
    return r
  end },
  ["rig.hyperfine.benchmark_text"] = { "color", function(o)
    local r = rig.hyperfine.benchmark_text({ benchmarks = {} }, 1, o)
    return r
  end },
  ["rig.hyperfine.summary_text"] = { "color", function(o)
    local r = rig.hyperfine.summary_text({ benchmarks = {} }, o)
    return r
  end },
  ["rig.htmlreport.strip_plot"] = { "metric", function(o) local r = rig.htmlreport.strip_plot({}, o) return r end },
  ["rig.htmlreport.ratio_plot"] = { "noise", function(o) local r = rig.htmlreport.ratio_plot({}, o) return r end },
  ["rig.htmlreport.scan_plot"] = { "parameter", function(o) local r = rig.htmlreport.scan_plot({}, o) return r end },
  ["rig.htmlreport.bisect"] = { "title", function(o) local r = rig.htmlreport.bisect({}, o) return r end },
  ["rig.triage.decide_rate"] = { "runs", function(o)
    o.passing_rate, o.failing_rate = 0.1, 0.5
    local r = rig.triage.decide_rate(function() return false end, o)
    return r
  end },
  ["rig.bisect.search"] = { "count", function(o) o.probe = function() return "good" end
    local r = rig.bisect.search(o) return r end },
  ["rig.bisect.git"] = { "cache", function(o) o.repo, o.good, o.bad, o.command = ".", "HEAD", "HEAD", "true"
    local r = rig.bisect.git(o) return r end },
  ["rig.htmlreport.compare"] = { "title", function(o)
    local r = rig.htmlreport.compare({ benchmarks = {} }, o)
    return r
  end },
}
-- Functions with an options table that is not a table of named options.
local NOT_OPTIONS = {
  ["rig.bench.record"] = "internal record builder: cfg is the bench run's checked cfg",
  ["rig.wasm.case"] = "called by rig.wasm.run with its checked cfg",
  ["rig.check.arg"] = "spec is a field spec", ["rig.check.options"] = "takes a schema",
  ["rig.check.problem"] = "spec is a field spec",
  ["rig.callgrind.instructions"] = "spec is a rig.proc spec, checked by rig.proc.run",
}

describe("the API", function()
  it("stdlib/meta/rig.lua declares exactly the functions the modules export", function()
    local declared, exported = declared_functions(), {}
    for _, ns in ipairs(NAMESPACES) do
      for k, v in pairs(rig[ns]) do
        if type(v) == "function" and not k:find("^_") then exported["rig." .. ns .. "." .. k] = true end
      end
    end
    local undeclared, absent = {}, {}
    for k in pairs(exported) do if not declared[k] then undeclared[#undeclared + 1] = k end end
    for k in pairs(declared) do if not exported[k] then absent[#absent + 1] = k end end
    table.sort(undeclared)
    table.sort(absent)
    assert.same({}, undeclared, "exported but not in stdlib/meta/rig.lua")
    assert.same({}, absent, "in stdlib/meta/rig.lua but not exported")
  end)

  it("every function with an options table refuses a misspelt option, suggesting the real one", function()
    local listed = with_options()
    local missing = {}
    for name in pairs(listed) do
      if not CALLS[name] and not NOT_OPTIONS[name] and name ~= "rig.recipe" then missing[#missing + 1] = name end
    end
    table.sort(missing)
    assert.same({}, missing, "functions with options and no entry in this spec")
    local checked = 0
    for name, entry in pairs(CALLS) do
      local option, call = entry[1], entry[2]
      local wrong = misspell(option)
      local ok, err = pcall(call, { [wrong] = 1 })
      assert.falsy(ok, name .. " accepted the misspelt option '" .. wrong .. "'")
      local message = tostring(type(err) == "table" and err.message or err)
      assert.truthy(message:find("unknown option '" .. wrong .. "'; did you mean '" .. option .. "'?", 1, true),
        name .. ": " .. message)
      assert.truthy(message:find("bad argument #%d to '"), name .. ": " .. message)
      -- Blamed on the caller (this spec), not on a line inside the stdlib.
      assert.truthy(message:find("api_spec.lua:%d+:"), name .. " blames " .. message)
      checked = checked + 1
    end
    assert.truthy(checked >= 50, "checked " .. checked)
    if tmp then rig.fs.remove_tree(tmp, rig.fs.dirname(tmp)) end
  end)

  it("rig.check reports types, ranges, choices and required fields in Lua's words", function()
    local schema = { n = { "integer", min = 1, default = 10 }, kind = { "string", choices = { "a", "b" } },
      f = { "callable", required = true } }
    local function opts(o) return rig.check.options("f", 2, o, schema) end
    assert.has_error(function() opts({ n = "ten", f = print }) end,
      "bad argument #2 to 'f' (option 'n' must be an integer, got string)")
    assert.has_error(function() opts({ n = 0, f = print }) end, "option 'n' must be at least 1, got 0")
    assert.has_error(function() opts({ n = 0 / 0, f = print }) end, "option 'n' must be an integer, got number")
    assert.has_error(function() opts({ kind = "c", f = print }) end, "option 'kind' must be one of a, b, got 'c'")
    assert.has_error(function() opts({}) end, "option 'f' is required (callable)")
    assert.has_error(function() opts("x") end, "options table expected, got string")
    assert.equal(10, opts({ f = print }).n)
    assert.equal(3, math.tointeger(opts({ f = print, n = 3.0 }).n))
    assert.has_error(function() rig.check.arg("g", 1, nil, "string") end,
      "bad argument #1 to 'g' (string expected, got nil)")
    for _, s in pairs { schema, { x = { "list", of = "string" } } } do assert.falsy(rig.check.validate_schema(s)) end
    assert.truthy(rig.check.validate_schema({ x = "strnig" }))
  end)
end)
