-- rig.json, rig.fs, rig.md, rig.csv, rig.toml and rig.profile on real Molt artifacts
-- (Tests/Fixtures/molt, copied with their origin note) and on edge cases.
local json, fs = rig.json, rig.fs

local root = debug.getinfo(1, "S").source:match("^@(.*)/stdlib/spec/[^/]+$") or "."
local fixtures = root .. "/Tests/Fixtures"

local function read(path) return assert(fs.read(fixtures .. "/" .. path)) end

describe("rig.json", function()
  it("round-trips every Molt result file byte for byte with Python's indent=2", function()
    local files = fs.glob(fixtures .. "/molt/bench/**/*.json")
    for _, extra in ipairs(fs.glob(fixtures .. "/molt/bench/*.json")) do files[#files + 1] = extra end
    for _, extra in ipairs(fs.glob(fixtures .. "/molt/bench/results/*/*.json")) do files[#files + 1] = extra end
    for _, extra in ipairs(fs.glob(fixtures .. "/molt/bench/results/friends/*/*.json")) do files[#files + 1] = extra end
    local checked = 0
    for _, path in ipairs(files) do
      local text = assert(fs.read(path))
      local value = assert(json.decode(text))
      local compact = path:find("profiles_20260320", 1, true) ~= nil
      local opts = compact and { separators = { ",", ":" } } or { indent = 2 }
      assert.equal(text, json.encode(value, opts) .. "\n", path)
      checked = checked + 1
    end
    assert.truthy(checked >= 14, "files checked: " .. checked)
  end)

  it("keeps integers exact, [] and {} apart, and null as json.null", function()
    local v = json.decode('{"big": 9007199254740993, "neg": -9223372036854775808, "f": 1.0, ' ..
      '"a": [], "o": {}, "n": null}')
    assert.equal(9007199254740993, v.big)
    assert.equal(math.mininteger, v.neg)
    assert.equal("float", math.type(v.f))
    assert.truthy(json.is_array(v.a))
    assert.truthy(json.is_object(v.o))
    assert.equal(json.null, v.n)
    assert.equal('{"big": 9007199254740993, "neg": -9223372036854775808, "f": 1.0, "a": [], "o": {}, "n": null}',
      json.encode(v))
  end)

  it("keeps key order, and sorts when asked", function()
    local v = json.decode('{"z": 1, "a": 2, "m": 3}')
    assert.equal('{"z": 1, "a": 2, "m": 3}', json.encode(v))
    assert.equal('{"a": 2, "m": 3, "z": 1}', json.encode(v, { sort_keys = true }))
    v.b = 4
    assert.equal('{"z": 1, "a": 2, "m": 3, "b": 4}', json.encode(v))
    assert.same({ "z", "a", "m", "b" }, json.keys(v))
  end)

  it("writes Python's floats and escapes", function()
    assert.equal("[0.1, 1e-05, 1e+16, 1000000000000000.0, 0.30000000000000004, -0.0, 5e-324]",
      json.encode({ 0.1, 1e-05, 1e16, 1e15, 0.1 + 0.2, -0.0, 5e-324 }))
    assert.equal('"\\u00e9\\ud83d\\ude00\\n\\u001f\\u007f/"', json.encode("é😀\n\31\127/"))
    assert.equal('"é😀\\n\\u001f\127/"', json.encode("é😀\n\31\127/", { ascii = false }))
  end)

  it("reads Python's NaN and Infinity, and writes them only when asked", function()
    local v = json.decode("[NaN, Infinity, -Infinity]")
    assert.truthy(v[1] ~= v[1])
    assert.equal(math.huge, v[2])
    assert.has_error(function() json.encode(v) end, "cannot encode NaN")
    assert.equal("[NaN, Infinity, -Infinity]", json.encode(v, { allow_nan = true }))
  end)

  it("names line, column and byte offset of a syntax error", function()
    local v, err = json.decode('{\n  "a": [1, 2,, 3]\n}')
    assert.is_nil(v)
    assert.equal("json_syntax", err.code)
    assert.equal(2, err.line)
    assert.equal(14, err.column)
    assert.equal(15, err.offset)
    local path = fs.join(fs.tmpdir(), "bad.json")
    fs.write(path, '{"a": tru}')
    local _, err2 = json.read(path)
    assert.contains(path .. ":1:7: expected a value", err2.message)
  end)

  it("rejects what JSON cannot hold, naming where", function()
    assert.has_error(function() json.encode({ a = { b = { print } } }) end, "cannot encode a function at $.a.b[0]")
    assert.has_error(function() json.encode({ 1, 2, x = 3 }) end, "mixes array items")
    assert.has_error(function() json.encode("\255") end, "not valid UTF-8")
    assert.has_error(function() json.encode({}, { indnet = 2 }) end, "unknown option 'indnet'; did you mean 'indent'?")
  end)

  it("round-trips lone surrogates and decodes pairs", function()
    assert.equal("😀", json.decode('"\\ud83d\\ude00"'))
    assert.equal('"\\ud800"', json.encode(json.decode('"\\ud800"')))
  end)
end)

describe("rig.fs", function()
  it("writes atomically and reads back, keeping no temporary files", function()
    local dir = fs.tmpdir()
    local path = fs.join(dir, "a.json")
    assert.is_true(fs.write(path, "one"))
    assert.is_true(fs.write(path, "two"))
    assert.equal("two", fs.read(path))
    assert.same({ "a.json" }, fs.list(dir))
    local st = fs.stat(path)
    assert.equal(3, st.size)
    assert.equal("file", st.kind)
  end)

  it("writes a list of pieces as one file, more pieces than one system call takes", function()
    local path = fs.join(fs.tmpdir(), "pieces.txt")
    local pieces, expected = {}, {}
    for i = 1, 3000 do
      pieces[i] = i % 7 == 0 and "" or ("line %d\n"):format(i)
      expected[i] = pieces[i]
    end
    pieces[3001] = string.rep("x", 200000)
    expected[3001] = pieces[3001]
    assert.is_true(fs.write(path, pieces))
    assert.equal(table.concat(expected), fs.read(path))
    assert.is_true(fs.write(path, {}))
    assert.equal("", fs.read(path))
    assert.has_error(function() fs.write(path, { "a", 2 }) end, "item 2 is a number, not a string")
  end)

  it("returns nil and a coded error for environment failures", function()
    local v, err = fs.read("/no/such/file")
    assert.is_nil(v)
    assert.equal("not_found", err.code)
    assert.equal(2, err.errno)
    local _, err2 = fs.write("/no/such/dir/x.json", "x")
    assert.equal("not_found", err2.code)
    assert.contains("/no/such/dir/x.json", err2.message)
  end)

  it("appends JSON lines", function()
    local path = fs.join(fs.tmpdir(), "events.jsonl")
    fs.append_jsonl(path, { event = "a", n = 1 })
    fs.append_jsonl(path, { event = "b", n = 2 })
    assert.equal('{"event": "a", "n": 1}\n{"event": "b", "n": 2}\n', fs.read(path))
  end)

  it("walks, globs, sizes and removes trees, refusing to leave the root", function()
    local dir = fs.tmpdir()
    assert.is_true(fs.mkdir(fs.join(dir, "x/y/z")))
    fs.write(fs.join(dir, "x/a.txt"), "12345")
    fs.write(fs.join(dir, "x/y/b.txt"), "123")
    assert.same({ fs.join(dir, "x/a.txt") }, fs.glob(fs.join(dir, "x/*.txt")))
    assert.equal(5, #fs.walk(dir))
    assert.same({ bytes = 8, files = 2 }, fs.tree_size(dir))
    local _, err = fs.remove_tree(fs.join(dir, "x"), fs.join(dir, "x/y"))
    assert.equal("refused", err.code)
    local _, err2 = fs.remove_tree("/", "/")
    assert.equal("refused", err2.code)
    assert.equal(5, fs.remove_tree(fs.join(dir, "x"), dir))
    assert.is_false(fs.exists(fs.join(dir, "x")))
  end)

  it("handles paths as strings", function()
    assert.equal("a/b/c.json", fs.join("a", "b/", "c.json"))
    assert.equal("/etc", fs.join("a", "/etc"))
    assert.equal("/a/c", fs.normalize("/a/./b/../c//"))
    assert.equal("../x", fs.normalize("a/../../x"))
    assert.equal("bench_fib.py", fs.basename("bench/bench_fib.py"))
    assert.equal("bench_fib", fs.stem("bench/bench_fib.py"))
    assert.equal(".py", fs.extension("bench/bench_fib.py"))
    assert.equal("bench", fs.dirname("bench/bench_fib.py"))
    assert.equal(".", fs.dirname("x"))
  end)
end)

describe("rig.md and rig.csv", function()
  it("makes tables with alignment and escaping", function()
    assert.equal("| name | time |\n| --- | ---: |\n| a\\|b | 1.5 |\n",
      rig.md.table({ { "a|b", 1.5 } }, { headers = { "name", "time" }, align = { "none", "right" } }))
    assert.equal("| name |    t |\n| :--- | ---: |\n| fib  |    1 |\n",
      rig.md.table({ { "fib", 1 } }, { headers = { "name", "t" }, align = { "left", "right" }, pad = true }))
  end)

  it("replaces the block between markers atomically", function()
    local path = fs.join(fs.tmpdir(), "README.md")
    fs.write(path, "intro\n<!-- start -->\nold\n<!-- end -->\noutro\n")
    assert.is_true(rig.md.replace_block(path, "<!-- start -->", "<!-- end -->", "new table"))
    assert.equal("intro\n<!-- start -->\nnew table\n<!-- end -->\noutro\n", fs.read(path))
    assert.is_false(rig.md.replace_block(path, "<!-- start -->", "<!-- end -->", "new table\n"))
    local _, err = rig.md.replace_block(path, "<!-- nope -->", "<!-- end -->", "x")
    assert.equal("markers_not_found", err.code)
  end)

  it("writes RFC 4180 CSV with Python's floats", function()
    assert.equal('name,value\r\n"a,b",0.30000000000000004\r\n"say ""hi""",2\r\n',
      rig.csv.encode({ { "a,b", 0.1 + 0.2 }, { 'say "hi"', 2 } }, { headers = { "name", "value" } }))
  end)
end)

describe("rig.toml", function()
  it("reads Molt's friends manifest as Python's tomllib does", function()
    local manifest = assert(rig.toml.read(fixtures .. "/molt/bench/friends/manifest.toml"))
    assert.equal(read("toml/manifest.expected.json"), json.encode(manifest, { indent = 2, sort_keys = true }) .. "\n")
  end)

  it("keeps the order the document wrote keys and tables in", function()
    local t = assert(rig.toml.decode('z = 1\na = 2\n[tab.zeta]\nx = 1\n[tab.alpha]\nx = 2\n[tab.mid]\n'))
    assert.same({ "z", "a", "tab" }, rig.toml.keys(t))
    assert.same({ "zeta", "alpha", "mid" }, rig.toml.keys(t.tab))
    t.tab.added = true
    assert.same({ "zeta", "alpha", "mid", "added" }, rig.toml.keys(t.tab))
  end)

  it("reads the TOML value forms", function()
    local t = assert(rig.toml.decode([=[
      # comment
      int = +1_000
      hex = 0xDEAD_beef
      oct = 0o755
      bin = 0b1101
      flt = 6.626e-34
      inf = -inf
      date = 1979-05-27T07:32:00Z
      s1 = "tab\tand \u00e9"
      s2 = 'C:\path'
      s3 = """
      one \
        two"""
      s4 = '''
raw\n'''
      arr = [ 1, 2,
        3, ]  # trailing comma
      inline = { x = 1, y.z = "deep" }
      a.b.c = true
      [table.sub]
      k = "v"
      [[points]]
      x = 1
      [[points]]
      x = 2
    ]=]))
    assert.equal(1000, t.int)
    assert.equal(0xDEADBEEF, t.hex)
    assert.equal(493, t.oct)
    assert.equal(13, t.bin)
    assert.equal(6.626e-34, t.flt)
    assert.equal(-math.huge, t.inf)
    assert.equal("1979-05-27T07:32:00Z", t.date)
    assert.equal("tab\tand é", t.s1)
    assert.equal("C:\\path", t.s2)
    assert.equal("      one two", t.s3)
    assert.equal("raw\\n", t.s4)
    assert.same({ 1, 2, 3 }, t.arr)
    assert.equal("deep", t.inline.y.z)
    assert.is_true(t.a.b.c)
    assert.equal("v", t.table.sub.k)
    assert.equal(2, t.points[2].x)
  end)

  it("names the line of an error", function()
    local _, err = rig.toml.decode("a = 1\nb = \n", "m.toml")
    assert.equal("toml_syntax", err.code)
    assert.contains("m.toml:2: expected a value", err.message)
    _, err = rig.toml.decode("a = 1\na = 2\n", "m.toml")
    assert.contains("m.toml:2: key 'a' is defined twice", err.message)
    _, err = rig.toml.decode("[t]\n[t]\n", "m.toml")
    assert.contains("m.toml:2: table [t] is defined twice", err.message)
    _, err = rig.toml.decode("x = 01\n", "m.toml")
    assert.contains("invalid integer", err.message)
  end)
end)

describe("rig.profile", function()
  local names = { "bench_fib", "bench_str_find", "bench_str_split", "bench_sum", "bench_sum_list" }

  it("extracts from each real log exactly the payload stored beside it", function()
    for _, name in ipairs(names) do
      local dir = fixtures .. "/molt/bench/results/profiles_20260320/"
      local payload, report = rig.profile.read(dir .. name .. ".log")
      local expected = assert(json.read(dir .. name .. ".json"))
      assert.equal(json.encode(expected, { sort_keys = true }), json.encode(payload, { sort_keys = true }), name)
      assert.equal(1, report.valid)
    end
  end)

  it("reads the legacy text line with the JSON sections' names", function()
    local dir = fixtures .. "/molt/bench/results/profiles_20260320/"
    local text = rig.profile.flatten(rig.profile.extract(fs.read(dir .. "bench_fib.log"), { kind = "text" }))
    local fromjson = rig.profile.flatten(json.read(dir .. "bench_fib.json"))
    local shared = 0
    for k, v in pairs(text) do
      assert.equal(fromjson[k], v, k)
      shared = shared + 1
    end
    assert.equal(38, shared)
    assert.equal(185, text["profile.call_dispatch"])
    assert.equal(0, text["deopt_reasons.call_indirect_noncallable"])
  end)

  it("skips noise, reports malformed records, and follows the policy", function()
    local log = table.concat({
      "warning: noise",
      'molt_profile_json {"kind":"runtime_feedback","schema_version":1,"profile":{"a":1}}',
      "program output",
      'molt_profile_json {"kind":"runtime_feedback","schema_version":1,"profile":{"a":2}}',
      'molt_profile_json {"kind":"runtime_feedback","schema_ver',
      '  molt_profile_json {"kind":"runtime_feedback","schema_version":3,"profile":{"a":4}}',
    }, "\n")
    local p, report = rig.profile.extract(log)
    assert.equal(2, p.profile.a)
    assert.equal(3, report.candidates)
    assert.equal(1, #report.invalid)
    assert.equal(5, report.invalid[1].line)
    assert.is_nil((rig.profile.extract(log, { policy = "last" })))
    assert.equal(1, rig.profile.extract(log, { policy = "first" }).profile.a)
    assert.equal(2, #rig.profile.extract(log, { policy = "all" }))
    assert.equal(4, rig.profile.extract(log, { strip = true }).profile.a)
  end)

  it("diffs two runs, largest relative change first", function()
    local dir = fixtures .. "/molt/bench/results/profiles_20260320/"
    local a = rig.profile.read(dir .. "bench_sum.log")
    local b = rig.profile.read(dir .. "bench_sum_list.log")
    local rows = rig.profile.diff(a, b, { top = 5 })
    assert.truthy(#rows > 0 and #rows <= 5)
    for i = 2, #rows do
      if rows[i].ratio and rows[i - 1].ratio then
        assert.truthy(math.abs(rows[i - 1].ratio - 1) >= math.abs(rows[i].ratio - 1))
      end
    end
    local total = rig.profile.sum({ a, b })
    assert.equal(a.profile.call_dispatch + b.profile.call_dispatch, total["profile.call_dispatch"])
    assert.same({ a.profile.alloc_count, b.profile.alloc_count }, rig.profile.merge({ a, b })["profile.alloc_count"])
  end)
end)

describe("rig.json projections (opts.only)", function()
  local text = [==[{"keep": {"a": 1, "b_samples_s": [1, 2], "c": "x\"}]"},
    "list": [{"a": 1, "z": {"deep": [1, {"x": 2}]}}, {"a": 2, "z": null}],
    "drop": {"big": [[[["]"]]]]}, "n": -1.5e3, "esc\u0041": "v"}]==]

  it("keeps what the tree names, drops by name and suffix, and applies to array elements", function()
    local v = assert(rig.json.decode(text, { only = { keep = { ["*"] = true, ["-"] = { "*_samples_s", "c" } },
      list = { a = true }, n = true, escA = true } }))
    assert.same({ a = 1 }, v.keep)
    assert.same({ { a = 1 }, { a = 2 } }, v.list)
    assert.is_nil(v.drop)
    assert.equal(-1500.0, v.n)
    assert.equal("v", v.escA) -- keys are matched after their escapes are decoded
    local all = assert(rig.json.decode(text, { only = true }))
    assert.equal("x\"}]", all.keep.c)
    assert.same(rig.json.decode(text), all)
  end)

  it("still finds syntax errors: in kept values fully, in skipped ones for strings and brackets", function()
    local _, err = rig.json.decode('{"a": 1, "b": "unterminated}', { only = { a = true } })
    assert.equal("json_syntax", err.code)
    assert.contains("unterminated string", err.message)
    local _, err2 = rig.json.decode('{"a": 1, "b": }', { only = { a = true } })
    assert.contains("expected a value", err2.message)
    local _, err3 = rig.json.decode('{"a": [1, 2}', { only = { a = true } })
    assert.equal("json_syntax", err3.code)
  end)

  it("reads files through a mapping, and pipes and /proc files as before", function()
    local dir = assert(fs.tmpdir("rig-json-proj"))
    assert(fs.write(dir .. "/x.json", text))
    assert.same(rig.json.decode(text), assert(rig.json.read(dir .. "/x.json")))
    assert.same({ n = -1500.0 }, assert(rig.json.read(dir .. "/x.json", { only = { n = true } })))
    local _, err = rig.json.read(dir .. "/missing.json")
    assert.equal("not_found", err.code)
    local _, stat = rig.json.read("/proc/self/stat")
    assert.equal("json_syntax", stat.code) -- read (it has no size to map), then found not to be JSON
    fs.remove_tree(dir, fs.dirname(dir))
  end)

  it("rejects a malformed tree with the path to the mistake", function()
    assert.has_error(function() rig.json.decode("{}", { only = { a = { b = 3 } } }) end,
      "bad argument #2 to 'decode' (option 'only' is not a projection: only.a.b: true or a table expected, got 3)")
    assert.has_error(function() rig.json.read("x.json", { onyl = true }) end,
      "bad argument #2 to 'read' (unknown option 'onyl'; did you mean 'only'?)")
  end)
end)
