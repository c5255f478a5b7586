-- rig.friends on Molt's real manifest and results (Tests/Fixtures/molt) and on edge cases.
local friends = rig.friends

local root = debug.getinfo(1, "S").source:match("^@(.*)/stdlib/spec/[^/]+$") or "."
local fixtures = root .. "/Tests/Fixtures/molt/bench"

describe("rig.friends", function()
  it("loads Molt's manifest: 8 suites, Molt's defaults, runners, roles and templates", function()
    local m = assert(friends.load(fixtures .. "/friends/manifest.toml"))
    assert.equal(8, #m.suites)
    assert.equal(5, m.defaults["repeat"])
    local numpy = m.suites[6]
    assert.equal("numpy_off_the_shelf", numpy.id)
    assert.equal("c_api_probe", numpy.semantic_mode)
    assert.equal(1, numpy["repeat"])
    assert.equal("custody_audit", numpy.runners.source_audit.role)
    assert.same({ "cpython", "molt", "c_api_scan", "source_audit" }, numpy.runner_names) -- the manifest's order
    assert.is_true(friends.is_placeholder(numpy.repo_ref)) -- {scientific_numpy_repo_ref} has no value
    local pinned = assert(friends.load(fixtures .. "/friends/manifest.toml",
      { values = { scientific_numpy_repo_ref = "v2.3.1" } }))
    assert.equal("v2.3.1", pinned.suites[6].repo_ref)
    assert.is_false(m.suites[2].enabled) -- pypy_benchmarks: disabled, and its ref a placeholder
    assert.is_true(friends.is_placeholder(m.suites[2].repo_ref))
  end)

  it("refuses suite ids and runner names that would write outside their roots", function()
    local dir = assert(rig.fs.tmpdir("rig-friends-spec"))
    local function manifest(id, runner)
      local path = dir .. "/m.toml"
      assert(rig.fs.write(path, ('schema_version = 1\n[[suite]]\nid = "%s"\nfriend = "x"\nsource = "local"\n'
        .. 'local_path = "."\n[suite.runners."%s"]\nrun_cmd = ["true"]\n'):format(id, runner)))
      return friends.load(path)
    end
    for _, id in ipairs { "../../../escaped", "a/b", ".hidden", "x..y" } do
      local m, err = manifest(id, "cpython")
      assert.is_nil(m, id)
      assert.matches("would leave its folder", err.message)
    end
    for _, runner in ipairs { "..", "../up", ".x" } do
      local m, err = manifest("ok_id", runner)
      assert.is_nil(m, runner)
      assert.matches("no '%.%.'", err.message)
    end
    rig.fs.remove_tree(dir, rig.fs.dirname(dir))
  end)

  it("selects enabled suites, rejects placeholders unless dry-run, filters runners", function()
    local m = assert(friends.load(fixtures .. "/friends/manifest.toml"))
    local _, err = friends.select(m, {})
    assert.contains("suite 'numpy_off_the_shelf': key 'repo_ref'", err.message)
    local ok = assert(friends.select(m, { suites = { "codon_benchmarks", "tinygrad_off_the_shelf" },
      runners = { "cpython" } }))
    assert.equal(2, #ok)
    assert.same({ "cpython" }, ok[1].runner_names)
    local _, none = friends.select(m, { suites = { "scipy_off_the_shelf" }, runners = { "cpython" }, dry_run = true })
    assert.equal("suite scipy_off_the_shelf: --runner filter selected no configured runners", none.message)
    local _, unknown = friends.select(m, { suites = { "codon_benchmark" } })
    assert.contains("did you mean 'codon_benchmarks'?", unknown.message)
    assert.equal(8, #assert(friends.select(m, { include_disabled = true, dry_run = true })))
  end)

  it("reads Molt's structured timing shapes, slugified", function()
    local workloads = { ["Fib Small"] = { elapsed_s = 0.5 } }
    assert.same({ fib_small = 0.5 }, friends.structured_timings({ workloads = workloads }))
    local results = { { benchmark = "nbody", elapsed_s = 0.25 }, { workload = "X-Y", elapsed_s = 1 } }
    assert.same({ nbody = 0.25, x_y = 1 }, friends.structured_timings({ results = results }))
    assert.same({ total = 3.0 }, friends.structured_timings({ elapsed_s = 2.0, total_elapsed_s = 3.0 }))
    assert.same({}, friends.structured_timings("text"))
  end)

  it("computes Molt's metrics from the ok workload runners only", function()
    local function rr(median, status, role)
      return { role = role or "workload", status = status or "ok", run_median_s = median, structured_median_s = {} }
    end
    local m = friends.metrics({ cpython = rr(2.0), molt = rr(0.5), pypy = rr(1.0, "failed"),
      c_api_scan = rr(9.0, "ok", "c_api_scan") })
    assert.equal(4.0, m.molt_speedup)
    assert.equal(4.0, m.molt_vs_cpython_speedup)
    assert.equal(0.25, m.molt_cpython_ratio)
    assert.equal(rig.json.null, m.pypy_median_s)
    assert.is_nil(m.c_api_scan_median_s)
    assert.equal("speedup:baseline_time/candidate_time;>1=candidate_faster", m.ratio_directions.molt_speedup)
    assert.equal("molt_over_baseline:molt_time/baseline_time;<1=molt_faster", m.ratio_directions.molt_cpython_ratio)
  end)
end)
