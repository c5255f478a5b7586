-- rig.wasm and Molt's wasm failure classes on real runs: node (and Wasmtime from PyPI) running
-- the small modules of Tests/Fixtures/wasm, compiled here with wat2wasm.
local fs, wasm, classify = rig.fs, rig.wasm, rig.classify

local root = debug.getinfo(1, "S").source:match("^@(.*)/stdlib/spec/[^/]+$") or "."
local fixtures = root .. "/Tests/Fixtures/wasm"

local dir, modules = nil, {}
local function module(name)
  if not modules[name] then
    local out = fs.join(dir, name .. ".wasm")
    rig.proc.must_run { "wat2wasm", fixtures .. "/" .. name .. ".wat", "-o", out }
    modules[name] = out
  end
  return modules[name]
end

local node = wasm.runner("node")
local wasmtime = wasm.runner("wasmtime")

-- One run of a module under a runner lane, as rig.wasm runs it.
local function run(lane, artifact, opts)
  opts = opts or {}
  local argv = lane.run(artifact)
  argv.env, argv.timeout, argv.rss_limit_mb = lane.env, opts.timeout or 60, opts.rss_limit_mb
  return assert(rig.proc.run(argv))
end

describe("rig.wasm", function()
  before_each(function() dir, modules = assert(fs.tmpdir("rig-wasm-spec")), {} end)
  after_each(function() fs.remove_tree(dir, fs.dirname(dir)) end)

  it("both runners can run here (node 18+, Wasmtime)", function()
    assert.is_true(node:check().available, tostring(node:check().reason))
    assert.is_true(wasmtime:check().available, tostring(wasmtime:check().reason))
  end)

  it("inspect: size and imports by kind, as Molt's fields need them", function()
    local info = assert(wasm.inspect(module("imports")))
    assert.equal(5, info.import_count)
    assert.equal(2, info.function_import_count)
    assert.equal(1, info.table_import_count)
    assert.equal(1, info.memory_import_count)
    assert.equal(1, info.global_import_count)
    assert.equal(fs.stat(module("imports")).size, info.size_bytes)
    assert.equal(info.size_bytes / 1024, info.size_kb)
    assert.equal(math.floor(2 / info.size_kb * 1e6 + 0.5) / 1e6, info.function_imports_per_kb)
    assert.same({ module = "env", name = "tbl", kind = "table" }, info.imports[3])
    local names = {}
    for _, s in ipairs(info.sections) do names[#names + 1] = s.name end
    assert.same({ "type", "import", "function", "export", "code" }, names)
  end)

  it("inspect: a file that is not wasm, or is cut short, is an error naming the byte offset", function()
    local _, err = wasm.inspect_bytes("hello world", "x.wasm")
    assert.equal("invalid_wasm", err.code)
    assert.contains("x.wasm: byte offset 0: not a WebAssembly module", err.message)
    local whole = assert(fs.read(module("imports")))
    local _, cut = wasm.inspect_bytes(whole:sub(1, 20), "cut.wasm")
    assert.equal("invalid_wasm", cut.code)
    assert.contains("past the end of the file", cut.message)
    local _, missing = wasm.inspect(dir .. "/nope.wasm")
    assert.equal("not_found", missing.code)
  end)

  it("classifies real node failures with Molt's wasm classes", function()
    assert.is_true(run(node, module("pass")).ok)
    local cases = {
      { "trap", run(node, module("trap")) },
      { "exit3", run(node, module("exit3")) },
      { "hang", run(node, module("hang"), { timeout = 0.5 }) },
      { "missing", run(node, dir .. "/output_linked.wasm") },
    }
    local got = {}
    for _, c in ipairs(cases) do got[c[1]] = classify.molt_wasm(c[2], "node") end
    assert.same({ trap = "wasm_trap", exit3 = "wasi_proc_exit", hang = "timeout", missing = "linked_artifact_missing" },
      got)
  end)

  it("classifies node running out of memory: JS heap, wasm memory, the RSS guard", function()
    local heap = assert(rig.proc.run { "node", "--max-old-space-size=16", fixtures .. "/heap_oom.js", timeout = 60 })
    assert.equal("SIGABRT", heap.signal_name) -- a signal, yet V8's own words come first
    assert.equal("node_v8_heap_oom", classify.molt_wasm(heap, "node"))
    local small = wasm.runner("node", { node_options = "--wasm-max-mem-pages=100" })
    local compile = run(small, module("bigmem"))
    assert.is_false(compile.ok)
    assert.equal("node_wasm_compile_oom", classify.molt_wasm(compile, "node"))
    assert.is_true(run(wasmtime, module("bigmem")).ok) -- the same module is fine elsewhere
    local guarded = run(node, module("grow"), { rss_limit_mb = 150 })
    assert.is_true(guarded.rss_exceeded)
    assert.equal("runner_oom", classify.molt_wasm(guarded, "node"))
  end)

  it("classifies V8's function-count limit (a generated module of 1,000,001 functions)", function()
    local function leb(n)
      local out = {}
      repeat
        local b = n & 0x7f
        n = n >> 7
        out[#out + 1] = string.char(n > 0 and (b | 0x80) or b)
      until n == 0
      return table.concat(out)
    end
    local function section(id, body) return string.char(id) .. leb(#body) .. body end
    local n = 1000001
    local bytes = "\0asm\1\0\0\0" .. section(1, leb(1) .. "\x60\0\0") .. section(3, leb(n) .. ("\0"):rep(n))
      .. section(10, leb(n) .. ("\2\0\11"):rep(n))
    local path = fs.join(dir, "many.wasm")
    assert(fs.write(path, bytes))
    local r = run(node, path)
    assert.is_false(r.ok)
    assert.equal("node_wasm_function_limit", classify.molt_wasm(r, "node"))
    -- Under Wasmtime the same limit is not a node class.
    assert.equal("runner_error", classify.molt_wasm(run(wasmtime, path), "wasmtime"))
  end)

  it("classifies Wasmtime's failures with the same classes", function()
    assert.is_true(run(wasmtime, module("pass")).ok)
    assert.equal("wasm_trap", classify.molt_wasm(run(wasmtime, module("trap")), "wasmtime"))
    assert.equal("wasi_proc_exit", classify.molt_wasm(run(wasmtime, module("exit3")), "wasmtime"))
    assert.equal("linked_artifact_missing", classify.molt_wasm(run(wasmtime, dir .. "/none.wasm"), "wasmtime"))
  end)

  it("flaky: a module failing on a random bit is flaky, with its Wilson interval", function()
    local report = rig.triage.flaky(function() return run(node, module("flaky")) end,
      { runs = 16, classify = function(r) return (classify.molt_wasm(r, "node")) end })
    assert.equal("flaky", report.verdict) -- all 16 alike: 1 in 32768
    assert.same({ wasi_proc_exit = report.failures }, report.classes)
    local low, high = rig.triage.wilson(report.failures, 16)
    assert.equal(low, report.rate_low)
    assert.equal(high, report.rate_high)
  end)

  it("control: node fails, Wasmtime passes, and the fields say so in Molt's names", function()
    local small = wasm.runner("node", { node_options = "--wasm-max-mem-pages=100" })
    local primary = run(small, module("bigmem"))
    local fields = rig.triage.control(primary, function() return run(wasmtime, module("bigmem")) end, "molt_wasm",
      { classify = function(r) return (classify.molt_wasm(r, "wasmtime")) end })
    assert.is_true(fields.molt_wasm_control_ok)
    assert.truthy(fields.molt_wasm_control_time_s > 0)
    assert.is_nil(fields.molt_wasm_control_failure_class)
  end)
end)

describe("rig.classify rule tables", function()
  it("the first rule whose conditions all hold wins; teams put their own first", function()
    local c = classify.classifier({
      { class = "our_oom", any = { "oom killer" }, exit = { 137, 9 } },
      { class = "slow_disk", patterns = { "write took %d+ ms" } },
      table.unpack(classify.MOLT_WASM_RULES),
    }, { default = "runner_error" })
    assert.equal("our_oom", c({ ok = false, code = 137, stderr = "the OOM killer came" }))
    assert.equal("runner_error", c({ ok = false, code = 1, stderr = "the OOM killer came" }))
    assert.equal("slow_disk", c({ ok = false, code = 1, stderr = "Write took 5000 ms" }))
    assert.equal("wasm_trap", c({ ok = false, code = 1, stderr = "RuntimeError: divide by zero" }))
  end)

  it("text rules read the first 8 lines unless a rule says anywhere", function()
    local late = ("noise\n"):rep(8) .. "RuntimeError: unreachable\n"
    assert.equal("runner_error", classify.molt_wasm({ ok = false, code = 1, stderr = late }, "node"))
    local heap = ("<--- Last few GCs --->\n"):rep(9) .. "FATAL ERROR: Reached heap limit\n"
    assert.equal("node_v8_heap_oom", classify.molt_wasm({ ok = false, signal = 6, stderr = heap }, "node"))
    -- node-only classes need the node runner.
    assert.equal("process_signal", classify.molt_wasm({ ok = false, signal = 6, stderr = heap }, "wasmtime"))
    assert.equal("invalid_timing", classify.molt_wasm({ ok = false, code = 0, invalid_timing = true }, "node"))
  end)

  it("a malformed rule is reported when the table is compiled", function()
    assert.has_error(function() classify.classifier({ { class = "x", anywhre = true } }) end,
      "bad argument #1 to 'classifier' (rule 1: unknown field 'anywhre'; did you mean 'anywhere'?)")
    assert.has_error(function() classify.classifier({ { any = { "x" } } }) end,
      "bad argument #1 to 'classifier' (rule 1: field 'class' is required (string))")
    assert.has_error(function() classify.classifier({ { class = "x", any = { "Upper" } } }) end,
      "bad argument #1 to 'classifier' (rule 1: field 'any' has 'Upper', which must be lower case: the text is folded)")
  end)
end)
