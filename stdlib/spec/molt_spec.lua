-- rig.molt: the parts of Molt's formats that its tools share.
describe("rig.molt.memory_limits", function()
  it("takes Molt's adaptive budget from the host's memory, as its guard does", function()
    -- 64 GB of RAM, 40 available: reserve 3.84, host 0.97 * 36.16, tree 60% of it, process 90%.
    local l = rig.molt.memory_limits("MOLT_COMPILE_PROGRESS",
      { MOLT_MEMORY_TOTAL_GB = "64", MOLT_MEMORY_AVAILABLE_GB = "40" })
    local global = 0.97 * (40 - 64 * 0.06)
    assert.near(global, l.max_global_rss_gb, 1e-5)
    assert.near(global * 0.6, l.max_total_rss_gb, 1e-5)
    assert.near(global * 0.6 * 0.9, l.max_process_rss_gb, 1e-5)
    assert.equal(l.max_process_rss_gb, l.child_rlimit_gb)
    assert.is_true(l.dynamic_process_rss)
    assert.is_true(l.enabled)
    -- Whole KiB, as Molt keeps them.
    assert.equal(0, (l.max_process_rss_gb * 1024 * 1024) % 1)
  end)

  it("lets the tool's variables win over Molt's, and the first positive one count", function()
    local l = rig.molt.memory_limits("MOLT_BENCH", { MOLT_BENCH_MAX_PROCESS_RSS_GB = "-1",
      MOLT_BENCH_MAX_RSS_GB = "4", MOLT_MAX_RSS_GB = "8", MOLT_MAX_TOTAL_RSS_GB = "6",
      MOLT_MEMORY_TOTAL_GB = "64", MOLT_MEMORY_AVAILABLE_GB = "40" })
    assert.equal(4.0, l.max_process_rss_gb)
    assert.equal(6.0, l.max_total_rss_gb)
    assert.is_false(l.dynamic_process_rss)
    assert.is_false(l.dynamic_total_rss)
    assert.is_true(l.dynamic_global_rss)
    assert.equal(4.0, l.child_rlimit_gb) -- the smallest of the three
  end)

  it("keeps a quarter GB when nothing is available, and refuses a bad prefix", function()
    local l = rig.molt.memory_limits("MOLT_X", { MOLT_MEMORY_TOTAL_GB = "2", MOLT_MEMORY_AVAILABLE_GB = "0.5" })
    assert.truthy(l.max_process_rss_gb >= 0.25 - 1e-6)
    assert.has_error(function() rig.molt.memory_limits(3) end)
  end)
end)
