-- What an adversarial recipe or a hostile file does to Rig: each case runs the real `rig`
-- binary in a child process, so a crash shows as a signal, and checks the exit code and the
-- message a user would see.
-- The rig binary: this process when the spec runs under `rig run spec`, else (the Swift test
-- runner hosts the specs) the debug build beside the checkout.
local function find_rig()
  local self = rig.env.executable()
  if self and self:match("/rig$") then return self end
  local root = debug.getinfo(1, "S").source:match("^@(.*)/stdlib/spec/[^/]+$") or "."
  return assert(rig.fs.realpath(root .. "/.build/debug/rig"), "no .build/debug/rig: build rig first")
end
local rig_bin = find_rig()
local env = { RIG_STDLIB_DIR = os.getenv("RIG_STDLIB_DIR") }

local function eval(code, ...)
  local argv = { rig_bin, "eval", code, ... }
  argv.env, argv.timeout = env, 60
  local r = assert(rig.proc.run(argv))
  assert.falsy(r.signal, ("rig eval %q died of %s: %s"):format(code, tostring(r.signal_name), r.stderr))
  return r
end

describe("hostile input", function()
  it("keeps the natives out of require's reach and loads text chunks only", function()
    local r = eval('return package.loaded["rig._native.json"], package.loadlib, pcall(require, "rig._native.proc")')
    assert.truthy(r.stdout:find("^nil\tnil\tfalse\t.-not found"), r.stdout)
    r = eval("return load(string.dump(function() end))")
    assert.truthy(r.stdout:find("binary chunks", 1, true) or r.stdout:find("binary chunk", 1, true), r.stdout)
  end)

  it("turns numbers out of range into bad-argument errors, never a trap", function()
    for _, code in ipairs {
      'rig.proc.run{"true", cpu = math.maxinteger}', 'rig.proc.run{"true", timeout = 1e10}',
      'rig.proc.run{"true", kill_grace = 1e300}', 'rig.proc.run{"true", rss_limit_mb = 1e300}',
      'rig.proc.run{"true", max_capture = -1}', 'rig.proc.run{"true", cwd = "/tmp\\0/x"}',
      'rig.fs.write("a\\0b", "x")', 'rig.time.sleep(-1)', 'rig.time.sleep(0/0)',
      'rig.json.encode({}, {indent = 1e18})',
    } do
      local r = eval(code)
      assert.equal(1, r.code, code .. ": " .. r.stderr)
      assert.truthy(r.stderr:find("bad argument", 1, true), code .. ": " .. r.stderr)
    end
    local r = eval('local h = rig.proc.spawn{"true"}; return (rig.proc.wait_any({h}, 1e300))')
    assert.equal("1\n", r.stdout)
  end)

  it("writes a file named % and survives a failing stderr", function()
    local dir = assert(rig.fs.tmpdir("rig-robust"))
    local r = assert(rig.proc.run { rig_bin, "eval", 'return rig.fs.write("%", "x")', cwd = dir, env = env })
    assert.equal("true\n", r.stdout)
    assert.equal("x", rig.fs.read(dir .. "/%"))
    r = assert(rig.proc.run { "/bin/sh", "-c", '"$0" eval \'error("x")\' 2>/dev/full', rig_bin, env = env })
    assert.falsy(r.signal)
    assert.equal(1, r.code)
    rig.fs.remove_tree(dir, rig.fs.dirname(dir))
  end)

  it("holds host allocations to --lua-memory-mb, wherever the option is written", function()
    local r = eval('return rig.fs.read("/dev/zero")', "--lua-memory-mb", "20")
    assert.truthy(r.stdout:find("too_large", 1, true), r.stdout .. r.stderr)
    local dir = assert(rig.fs.tmpdir("rig-robust"))
    local big = dir .. "/big.json"
    local parts = { '{"benchmarks": {' }
    for i = 1, 120000 do parts[#parts + 1] = ('"b%d": {"samples": [1.5, 2.5], "name": "xxxxxxxx"},'):format(i) end
    parts[#parts + 1] = '"last": 1}}'
    assert(rig.fs.write(big, parts))
    r = eval(("local ok, e = pcall(rig.json.read, %q) return ok, e.code"):format(big), "--lua-memory-mb", "20")
    assert.equal("false\tout_of_memory\n", r.stdout)
    r = eval(("return #rig.json.read(%q).benchmarks.b7.samples"):format(big), "--lua-memory-mb=400")
    assert.equal("2\n", r.stdout)
    rig.fs.remove_tree(dir, rig.fs.dirname(dir))
  end)

  it("reads a file that another process truncates meanwhile: an error or the data, never SIGBUS", function()
    local dir = assert(rig.fs.tmpdir("rig-robust"))
    local path = dir .. "/results.json"
    local body = { '{"benchmarks": {' }
    for i = 1, 100000 do body[#body + 1] = ('"b%d": {"molt_time_s": %d.5},'):format(i, i) end
    body[#body + 1] = '"z": {}}}'
    local text = table.concat(body)
    local code = ([[
      local ok_reads, errors = 0, 0
      for _ = 1, 20 do
        local v, err = rig.json.read(%q)
        if v then ok_reads = ok_reads + 1 else errors = errors + 1 end
        local p = rig.profile.read(%q)
        local _ = p
      end
      return ok_reads + errors]]):format(path, path)
    assert(rig.fs.write(path, text))
    local reader <close> = assert(rig.proc.spawn { rig_bin, "eval", code, env = env, timeout = 60 })
    -- Truncate and rewrite in place, as Molt's Python tools do, while the reader runs.
    local writer = assert(rig.proc.spawn { "/bin/sh", "-c",
      'i=0; while [ $i -lt 200 ]; do : > "$1"; cat "$1.src" > "$1"; i=$((i+1)); done', "sh", path })
    assert(rig.fs.write(path .. ".src", text))
    local r = assert(reader:wait())
    writer:wait()
    assert.falsy(r.signal, "reader died of " .. tostring(r.signal_name))
    assert.equal("20\n", r.stdout, r.stderr)
    rig.fs.remove_tree(dir, rig.fs.dirname(dir))
  end)

  it("reads pipes and FIFOs", function()
    local r = assert(rig.proc.run { rig_bin, "eval", 'return rig.fs.read("/dev/stdin")', stdin = "piped\n", env = env })
    assert.equal("piped\n\n", r.stdout)
    local dir = assert(rig.fs.tmpdir("rig-robust"))
    local fifo = dir .. "/fifo"
    assert(rig.proc.run { "mkfifo", fifo }).ok = true
    local feeder = assert(rig.proc.spawn { "/bin/sh", "-c", 'printf fifo-data > "$1"', "sh", fifo })
    r = eval(("return rig.fs.read(%q)"):format(fifo))
    feeder:wait()
    assert.equal("fifo-data\n", r.stdout)
    rig.fs.remove_tree(dir, rig.fs.dirname(dir))
  end)

  it("refuses results files and TOML of the wrong shape, naming the file and the key", function()
    local dir = assert(rig.fs.tmpdir("rig-robust"))
    local cases = {  -- file name = { text, what the message says after "<path>: invalid benchmark JSON: " }
      ["num.json"] = { "42", "expected an object at the top level, got a number" },
      ["arr.json"] = { "[1, 2]", "expected an object at the top level, got an array" },
      ["list.json"] = { '{"benchmarks": []}', "key 'benchmarks' must be an object" },
      ["ent.json"] = { '{"benchmarks": {"b.py": 3}}', "key 'benchmarks.b.py' must be an object, got a number" },
    }
    local good = dir .. "/good.json"
    assert(rig.fs.write(good, '{"benchmarks": {"b.py": {"molt_time_s": 1.0}}}'))
    for name, case in pairs(cases) do
      local path = dir .. "/" .. name
      assert(rig.fs.write(path, case[1]))
      for _, argv in ipairs {
        { 1, "run", "diff", good, path },
        { 1, "run", "report", "--native", good, "--wasm", path, "--out", dir .. "/o.md" },
        { 2, "run", "gate", good, path },  -- 1 is a regression there
      } do
        local cmd = { rig_bin, table.unpack(argv, 2) }
        cmd.env = env
        local r = assert(rig.proc.run(cmd))
        -- diff does what Molt's bench_diff.py does: an entry that is not an object is left
        -- out (Rig names it), and a 'benchmarks' that is not an object gets Molt's words.
        local code, expected = argv[1], path .. ": invalid benchmark JSON: " .. case[2]
        if argv[3] == "diff" and name == "list.json" then
          expected = "invalid benchmark JSON: expected top-level 'benchmarks' dict"
        elseif argv[3] == "diff" and name == "ent.json" then
          code, expected = 0, path .. ": benchmarks.b.py (a number) is not an object: left out"
        end
        assert.equal(code, r.code, table.concat(argv, " ") .. ": " .. r.stderr)
        assert.truthy(r.stderr:find(expected, 1, true), r.stderr)
        assert.falsy(r.stderr:find("traceback", 1, true), r.stderr)
      end
    end
    assert.falsy(rig.fs.exists(dir .. "/o.md"))
    local deep = dir .. "/deep.toml"
    assert(rig.fs.write(deep, "a = " .. ("["):rep(1000000)))
    local r = eval(("return rig.toml.read(%q)"):format(deep))
    assert.equal(("nil\t%s:1: nesting deeper than 2000 (toml_syntax)\n"):format(deep), r.stdout)
    rig.fs.remove_tree(dir, rig.fs.dirname(dir))
  end)

  it("refuses a misspelt placeholder before running anything, and honours quotes in --control", function()
    local dir = assert(rig.fs.tmpdir("rig-robust"))
    assert(rig.fs.write(dir .. "/m.toml", '[[axis]]\nname = "profile"\nvalues = ["dev"]\n'))
    local r = assert(rig.proc.run { rig_bin, "run", "sweep", "--matrix", "m.toml", "--json-out", "s.json", "--",
      "sh", "-c", "touch ran; echo {profle}", cwd = dir, env = env })
    assert.equal(2, r.code, r.stderr)
    assert.truthy(r.stderr:find("unknown placeholder {profle}; did you mean '{profile}'?", 1, true), r.stderr)
    assert.falsy(rig.fs.exists(dir .. "/ran"))
    r = assert(rig.proc.run { rig_bin, "run", "triage", "--runs", "1", "--control", 'sh -c "exit 0"', "--",
      "sh", "-c", "exit 1", cwd = dir, env = env })
    assert.equal(1, r.code, r.stderr)
    assert.truthy(r.stdout:find("control (sh -c \"exit 0\"): passes", 1, true), r.stdout)
    r = assert(rig.proc.run { rig_bin, "run", "triage", "--runs", "1", "--control", "./other {cas}", "--",
      "sh", "-c", "touch ran", cwd = dir, env = env })
    assert.equal(2, r.code, r.stderr)
    assert.truthy(r.stderr:find("--control: unknown placeholder {cas}; did you mean '{case}'?", 1, true), r.stderr)
    assert.falsy(rig.fs.exists(dir .. "/ran"))
    rig.fs.remove_tree(dir, rig.fs.dirname(dir))
  end)

  it("exits 2 for every usage error, ArgumentParser's included", function()
    for _, argv in ipairs { { "bogus" }, { "run" }, { "check" }, { "eval" },
      { "run", "--lua-memory-mb", "abc", "demo" }, { "run", "no-such-recipe" } } do
      local cmd = { rig_bin, table.unpack(argv) }
      cmd.env = env
      local r = assert(rig.proc.run(cmd))
      assert.equal(2, r.code, table.concat(argv, " ") .. ": " .. r.stderr)
    end
  end)
end)
