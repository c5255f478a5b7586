-- Diff two benchmark results files: Molt's tools/bench_diff.py, exactly, and then the
-- statistics where both files carry samples.
return rig.recipe {
  description = "Diff two benchmark results (Molt's bench_diff.py), with ratio CIs and verdicts where samples exist.",
  params = {
    { "old", type = "path", positional = true, required = true, metavar = "OLD_JSON" },
    { "new", type = "path", positional = true, required = true, metavar = "NEW_JSON" },
    { "metrics", type = "list", many = true, metavar = "METRICS",
      help = "metrics to diff, one or more words (default: every shared numeric metric)" },
    { "top", type = "integer", default = 10, help = "rows shown per metric" },
    { "json_out", type = "path", help = "machine-readable diff (Molt's schema plus rig.evidence)" },
    { "include_zero_only_metrics", type = "boolean", default = false,
      help = "keep metrics that are 0 -> 0 everywhere" },
    { "fail_regression_count", type = "integer", help = "exit 2 when regressed rows exceed this count" },
    { "fail_regression_pct", type = "number", help = "exit 2 when a regression's |pct| reaches this" },
    { "fail_regression_abs", type = "number", help = "the same on |delta| where pct is undefined" },
    { "significant_only", type = "boolean", default = false,
      help = "count a regression only where the samples support it (verdict slower)" },
    { "alpha", type = "number", default = 0.05, help = "significance level" },
    { "noise", type = "number", default = 0.02, help = "noise band of the verdicts" },
  },
  examples = { "rig run diff old.json new.json --top 3 --fail-regression-pct 10" },
  run = function(p)
    local json = rig.json
    -- Molt's plain messages and exit 1 for unusable inputs (its golden outputs); 2 is the gate.
    local function fail(message) io.stderr:write(message, "\n") end
    local function load(path)
      -- As Molt's: a file without a 'benchmarks' object is refused, an entry that is not an
      -- object is left out (Rig says which on stderr; the diff is Molt's).
      local payload, err, skipped = rig.bench.read_results(path, { only = rig.diff.PROJECTION,
        require_benchmarks = true, skip_invalid = true })
      if not payload then
        local message = err.code == "not_found" and ("missing benchmark JSON: " .. path) or err.message
        -- Molt's words for a 'benchmarks' that is not an object ({"benchmarks": []}).
        if message:find("key 'benchmarks' must be an object", 1, true)
          or message:find("expected top-level 'benchmarks' dict", 1, true) then
          message = "invalid benchmark JSON: expected top-level 'benchmarks' dict"
        end
        fail(message)
        return nil
      end
      for _, entry in ipairs(skipped) do
        io.stderr:write(("%s: %s is not an object: left out, as Molt's bench_diff leaves it\n"):format(path, entry))
      end
      return payload
    end
    local old, new = load(p.old), load(p.new)
    if not old or not new then return 1 end
    local opts = { metrics = p.metrics, top = p.top, include_zero_only = p.include_zero_only_metrics,
      fail_regression_count = p.fail_regression_count, fail_regression_pct = p.fail_regression_pct,
      fail_regression_abs = p.fail_regression_abs, significant_only = p.significant_only, alpha = p.alpha,
      noise = p.noise }
    local result, err = rig.diff.compare(old, new, opts)
    if not result then
      fail(err)
      return 1
    end
    io.stdout:write(rig.diff.markdown(result, p.old, p.new, opts))
    -- Molt checks the count after printing the tables, and then writes nothing more.
    if p.fail_regression_count and p.fail_regression_count < 0 then
      fail("--fail-regression-count must be >= 0")
      return 1
    end
    -- With no shared metric Molt writes no JSON.
    if p.json_out and result.metric_count > 0 then
      local dir = rig.fs.dirname(p.json_out)
      if dir ~= "." then rig.fs.mkdir(dir) end
      local payload = rig.diff.json_payload(result, p.old, p.new, opts)
      assert(json.write(p.json_out, payload, { indent = 2, sort_keys = true }))
      io.stdout:write("\nWrote diff JSON: " .. p.json_out .. "\n")
    end
    if result.failed then
      io.stdout:write("\nBenchmark diff gate failed:\n")
      for _, reason in ipairs(result.failure_reasons) do io.stdout:write("- ", reason, "\n") end
      return 2
    end
    return 0
  end,
}
