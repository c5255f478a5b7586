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
