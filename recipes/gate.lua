-- Performance gates by category (Molt's documented 5/7/5/10% table by default), declared as
-- data in a TOML or Lua file. Exits 1 only when a regression beyond a category's limit is
-- statistically supported (or, with --strict, on the point estimate); 3 when the runs cannot
-- be compared (timing mode, warmup or samples differ: fail closed).
return rig.recipe {
  description = "Category performance gates: fail only on regressions the data support (--strict: point estimates).",
  params = {
    { "baseline", type = "path", positional = true, required = true, metavar = "BASELINE_JSON" },
    { "candidate", type = "path", positional = true, required = true, metavar = "CANDIDATE_JSON" },
    { "gates", type = "path", help = "a TOML or Lua file: metric, [[category]] name/max_regression/benchmarks/"
      .. "patterns/default, [[group]] name/benchmarks (default: Molt's documented categories)" },
    { "metric", help = "the metric to gate (default molt_time_s, or the file's)" },
    { "group", help = "check only the benchmarks of this group" },
    { "strict", type = "boolean", default = false, help = "gate on the point estimate alone" },
    { "alpha", type = "number", default = 0.05, help = "significance level" },
    { "json_out", type = "path", help = "write the result as JSON" },
  },
  examples = { "rig run gate base.json new.json", "rig run gate base.json new.json --gates gates.toml --strict" },
  run = function(p, ctx)
    local json = rig.json
    local def = { category = rig.gate.MOLT_CATEGORIES }
    if p.gates then
      local loaded, err
      if p.gates:match("%.lua$") then
        local chunk, lerr = loadfile(p.gates, "t", {})
        if not chunk then
          ctx.log.error("%s", lerr)
          return 2
        end
        loaded = chunk()
      else
        loaded, err = rig.toml.read(p.gates)
        if not loaded then
          ctx.log.error("%s", err.message)
          return 2
        end
      end
      def = loaded
    end
    local definition, derr = rig.gate.load_definition(def)
    if not definition then
      ctx.log.error("%s: %s", p.gates or "gates", derr)
      return 2
    end
    if p.metric then definition.metric = p.metric end
    local baseline, e1 = rig.bench.read_results(p.baseline)
    local candidate, e2 = rig.bench.read_results(p.candidate)
    if not baseline or not candidate then
      ctx.log.error("%s", (e1 or e2).message)
      return 2
    end
    local result = rig.gate.check(baseline, candidate, definition, { strict = p.strict, group = p.group,
      alpha = p.alpha })
    if result.incomparable then
      io.stdout:write("incomparable runs (the gate fails closed): ", result.incomparable, "\n")
      return 3
    end
    io.stdout:write(rig.gate.markdown(result))
    if p.json_out then
      assert(json.write(p.json_out, result, { indent = 2, sort_keys = true, allow_nan = true }))
    end
    return result.failures > 0 and 1 or 0
  end,
}
