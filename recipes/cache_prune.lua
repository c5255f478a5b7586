-- Molt's tools/molt_cache_prune.py: prune a build cache by age, then by size, oldest first,
-- keeping entries whose lock another process holds; never outside the cache root.
return rig.recipe {
  description = "Prune a cache by age then size (Molt's molt_cache_prune.py), skipping locked entries.",
  params = {
    { "cache_dir", type = "path", help = "the cache root (default $MOLT_CACHE, else ~/.cache/molt)" },
    { "max_gb", type = "number", default = 30, help = "size limit in GiB" },
    { "max_age_days", type = "number", default = 30, help = "entries older than this go first" },
    { "dry_run", type = "boolean", default = false, help = "report what would go; delete nothing" },
    { "force", type = "boolean", default = false,
      help = "prune a root Rig refuses (/, system folders, the home folder or above it, the working folder)" },
  },
  examples = { "rig run cache_prune --cache-dir ~/.cache/molt --max-gb 10 --dry-run" },
  run = function(p, ctx)
    local root = p.cache_dir or os.getenv("MOLT_CACHE") or ((os.getenv("HOME") or ".") .. "/.cache/molt")
    if p.max_gb < 0 or p.max_age_days < 0 then
      ctx.log.error("--max-gb and --max-age-days must be >= 0")
      return 2
    end
    local opts = { max_gb = p.max_gb, max_age_days = p.max_age_days, dry_run = p.dry_run, force = p.force }
    local report, err = rig.prune.prune(root, opts)
    if not report then
      ctx.log.error("%s", err.message)
      return 2
    end
    io.stdout:write(rig.prune.lines(report, opts))
    for _, path in ipairs(report.skipped_locked) do ctx.log.info("kept (locked): %s", path) end
    for _, path in ipairs(report.vanished) do ctx.log.info("gone before it was pruned: %s", path) end
    for _, e in ipairs(report.errors) do ctx.log.warn("not pruned: %s", e.message) end
    return #report.errors > 0 and 1 or 0
  end,
}
