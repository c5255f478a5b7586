-- Put the artifacts of a sharded sweep (rig run sweep --shard K/N) back together: the
-- artifact the unsharded sweep would have written, cases in matrix order.
return rig.recipe {
  description = "Merge the shard artifacts of a sweep into one, in matrix order.",
  params = {
    { "matrix", type = "path", help = "the matrix file the shards ran (default: the matrix they record)" },
    { "out", type = "path", required = true, help = "the merged artifact" },
    { "shards", type = "list", of = "path", positional = true, required = true, metavar = "SHARD_JSON" },
  },
  examples = { "rig run sweep_merge --out sweep.json shard1.json shard2.json shard3.json",
    "rig run sweep_merge --matrix cases.toml --out sweep.json shards/*.json" },
  run = function(p, ctx)
    local cases
    if p.matrix then
      local err
      cases, err = rig.sweep.read_cases(p.matrix)
      if not cases then
        ctx.log.error("%s", err)
        return 2
      end
    end
    local artifacts = {}
    for i, path in ipairs(p.shards) do
      local a, read_err = rig.json.read(path)
      if not a then
        ctx.log.error("%s", read_err.message)
        return 2
      end
      artifacts[i] = a
    end
    local merged, merge_err = rig.sweep.merge(artifacts, cases)
    if not merged then
      ctx.log.error("%s", merge_err)
      return 1
    end
    assert(rig.json.write(p.out, merged, { indent = 2, sort_keys = true }))
    io.stdout:write(("merged %d shards: %d cases (%d ok, %d failed) into %s\n"):format(#artifacts,
      merged.totals.cases, merged.totals.ok, merged.totals.failed, p.out))
    return merged.totals.failed > 0 and 1 or 0
  end,
}
