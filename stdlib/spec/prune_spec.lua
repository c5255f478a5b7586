-- rig.prune on a generated cache tree: real files, mtimes set with touch(1), a lock held by
-- another process with flock(1).
local fs = rig.fs

local DAY = 86400
local NOW = 1800000000 -- a fixed "now" so ages are exact

local function make(root, path, bytes)
  local full = fs.join(root, path)
  assert(fs.mkdir(fs.dirname(full)))
  assert(fs.write(full, string.rep("x", bytes)))
  return full
end

local function age(path, days)
  rig.proc.must_run { "touch", "-h", "-d", "@" .. math.floor(NOW - days * DAY), path }
end

-- a (40 days, 3000 B), b (10 days, 2000 B), c (5 days, 1000 B), d (1 day, 500 B), and a
-- wasm_link entry under a lock (20 days, 1500 B).
local function cache(root)
  for name, spec in pairs { a = { 3000, 40 }, b = { 2000, 10 }, c = { 1000, 5 }, d = { 500, 1 } } do
    make(root, name .. "/blob", spec[1])
    age(fs.join(root, name), spec[2])
  end
  make(root, "wasm_link/runtime_tree_shake/v1/ab1234/out.wasm", 1500)
  age(fs.join(root, "wasm_link/runtime_tree_shake/v1/ab1234"), 20)
  assert(fs.mkdir(fs.join(root, "wasm_link/runtime_tree_shake/.locks")))
  assert(fs.write(fs.join(root, "wasm_link/runtime_tree_shake/.locks/ab.lock"), ""))
end

local function names(report, root)
  local out = {}
  for i, p in ipairs(report.removed) do out[i] = p:sub(#root + 2) end
  table.sort(out)
  return out
end

describe("rig.prune", function()
  local root
  before_each(function()
    root = fs.realpath(assert(fs.tmpdir("rig-prune-spec")))
    cache(root)
  end)
  after_each(function() fs.remove_tree(root, fs.dirname(root)) end)

  it("finds top-level entries and the lock-guarded wasm_link entries", function()
    local entries = assert(rig.prune.entries(root))
    local by = {}
    for _, e in ipairs(entries) do by[e.path:sub(#root + 2)] = e end
    assert.equal(3000, by.a.size)
    assert.equal(1500, by["wasm_link/runtime_tree_shake/v1/ab1234"].size)
    local wasm = by["wasm_link/runtime_tree_shake/v1/ab1234"]
    assert.equal(root .. "/wasm_link/runtime_tree_shake/.locks/ab.lock", wasm.lock)
    assert.near(NOW - 40 * DAY, by.a.mtime, 1)
  end)

  it("removes by age, then oldest first until the size fits", function()
    -- 30 days: a goes by age (8000 -> 5000 B); a 4000-byte limit then takes the wasm entry
    -- (20 days), and stops: 3500 B left.
    local report = assert(rig.prune.prune(root, { max_age_days = 30, max_gb = 4000 / 1024 ^ 3, now = NOW }))
    assert.same({ "a", "wasm_link/runtime_tree_shake/v1/ab1234" }, names(report, root))
    assert.equal(8000, report.before)
    assert.equal(3500, report.after)
    assert.is_nil(fs.stat(fs.join(root, "a")))
    assert.truthy(fs.stat(fs.join(root, "b")))
    assert.contains("removed.bytes=4.4KiB\n", rig.prune.lines(report, { dry_run = false }))
  end)

  it("keeps an entry whose lock another process holds, and a dry run deletes nothing", function()
    local lock_file = fs.join(root, "wasm_link/runtime_tree_shake/.locks/ab.lock")
    local holder <close> = assert(rig.proc.spawn { "flock", lock_file, "sleep", "30" })
    -- Wait until the holder has the lock.
    for _ = 1, 100 do
      local probe = fs.try_lock(lock_file)
      if probe == false then break end
      probe:unlock()
      rig.time.sleep(0.02)
    end
    local dry = assert(rig.prune.prune(root, { max_age_days = 15, max_gb = 0, now = NOW, dry_run = true }))
    assert.same({ "a", "b", "c", "d" }, names(dry, root))
    assert.same({ root .. "/wasm_link/runtime_tree_shake/v1/ab1234" }, dry.skipped_locked)
    assert.truthy(fs.stat(fs.join(root, "a")))
    local real = assert(rig.prune.prune(root, { max_age_days = 15, max_gb = 0, now = NOW }))
    assert.same({ "a", "b", "c", "d" }, names(real, root))
    assert.truthy(fs.stat(fs.join(root, "wasm_link/runtime_tree_shake/v1/ab1234/out.wasm")))
    holder:kill()
  end)

  it("refuses /, system folders, the home folder and above it, and the working folder, unless forced", function()
    for _, bad in ipairs { "/", "/usr", "/tmp", os.getenv("HOME"), fs.dirname(os.getenv("HOME")), "." } do
      local report, err = rig.prune.prune(bad, { dry_run = true })
      assert.is_nil(report, bad)
      assert.equal("refused", err.code, bad)
      assert.matches("refusing to prune", err.message)
    end
    -- A dry run of the same root with force goes ahead (and deletes nothing).
    assert.truthy(rig.prune.prune("/tmp", { dry_run = true, force = true, max_gb = 1e9, max_age_days = 1e9 }))
  end)

  it("skips and reports entries that vanish while pruning (a second pruner), never a traceback", function()
    for i = 1, 200 do make(root, ("e%03d/f"):format(i), 10) end
    -- Another process deletes the same entries meanwhile.
    local other <close> = assert(rig.proc.spawn { "sh", "-c", "rm -rf " .. root .. "/e1* " .. root .. "/e0*" })
    local report, err = rig.prune.prune(root, { max_gb = 0, max_age_days = 0 })
    other:wait()
    assert.truthy(report, err and err.message)
    assert.same({}, report.errors)
    assert.same({}, fs.glob(root .. "/e*"))
  end)

  it("a directory swapped for a link while its tree is removed: nothing outside the root is touched", function()
    local outside = fs.realpath(assert(fs.tmpdir("rig-prune-outside")))
    for i = 1, 20 do make(outside, ("keep%02d.txt"):format(i), 10) end
    for _ = 1, 200 do
      for i = 1, 20 do make(root, ("entry/sub/f%02d"):format(i), 10) end
      -- Swaps entry/sub for a link to the outside tree while remove_tree walks entry.
      local swapper <close> = assert(rig.proc.spawn { "sh", "-c",
        ("mv %s/entry/sub %s/moved && ln -s %s %s/entry/sub"):format(root, root, outside, root) })
      fs.remove_tree(fs.join(root, "entry"), root)
      swapper:wait()
      fs.remove_tree(fs.join(root, "entry"), root)
      fs.remove_tree(fs.join(root, "moved"), root)
    end
    assert.equal(20, #fs.glob(outside .. "/keep*.txt"), "files outside the root were deleted")
    fs.remove_tree(outside, fs.dirname(outside))
  end)

  it("refuses a cache root that does not exist", function()
    local report, err = rig.prune.prune(root .. "/nope")
    assert.is_nil(report)
    assert.equal("not_found", err.code)
  end)
end)
