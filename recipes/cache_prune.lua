-- Molt's tools/molt_cache_prune.py: prune a build cache by age, then by size, oldest first,
-- keeping entries whose lock another process holds; never outside the cache root.
-- Molt's default cache root: MOLT_CACHE, else <MOLT_EXT_ROOT>/.molt_cache when MOLT_EXT_ROOT is
-- a folder, else <XDG_CACHE_HOME>/molt, else ~/.cache/molt.
local function default_root()
  local function env(k) local v = os.getenv(k) return v ~= "" and v or nil end
  if env("MOLT_CACHE") then return env("MOLT_CACHE") end
  local ext = env("MOLT_EXT_ROOT")
  if ext then
    local st = rig.fs.stat(ext)
    if st and (st.kind == "directory" or (st.kind == "link" and rig.fs.realpath(ext))) then
      return ext .. "/.molt_cache"
    end
  end
  if env("XDG_CACHE_HOME") then return env("XDG_CACHE_HOME") .. "/molt" end
  return (env("HOME") or ".") .. "/.cache/molt"
end

return rig.recipe {
  description = "Prune a cache by age then size (Molt's molt_cache_prune.py), skipping locked entries.",
  params = {
    { "cache_dir", type = "path",
      help = "the cache root (default $MOLT_CACHE, else $MOLT_EXT_ROOT/.molt_cache, else $XDG_CACHE_HOME/molt, "
        .. "else ~/.cache/molt; ~ is expanded; created when missing)" },
    { "max_gb", type = "number",
      help = "size limit in GiB (default 30, or 200 for a cache under /Volumes/APDataStore/)" },
    { "max_age_days", type = "integer", default = 30,
      help = "entries older than this go first (negative: no age limit)" },
    { "dry_run", type = "boolean", default = false, help = "report what would go; delete nothing" },
    { "force", type = "boolean", default = false,
      help = "prune a root Rig refuses (/, system folders, the home folder or above it, the working folder)" },
  },
  examples = { "rig run cache_prune --cache-dir ~/.cache/molt --max-gb 10 --dry-run" },
  run = function(p, ctx)
    local fs = rig.fs
    local root = p.cache_dir or default_root()
    if root == "~" or root:sub(1, 2) == "~/" then root = (os.getenv("HOME") or "") .. root:sub(2) end
    if p.max_gb and p.max_gb < 0 then
      ctx.log.error("--max-gb must be >= 0")
      return 2
    end
    -- Molt creates a missing cache root (and prunes nothing in it).
    if not fs.exists(root) then
      local ok, err = pcall(fs.mkdir, root)
      if not ok then
        ctx.log.error("cannot create the cache root %s: %s", root,
          type(err) == "table" and err.message or tostring(err))
        return 2
      end
    end
    local real = fs.realpath(root) or root
    local max_gb = p.max_gb or (real:sub(1, #"/Volumes/APDataStore/") == "/Volumes/APDataStore/" and 200 or 30)
    local opts = { max_gb = max_gb, max_age_days = p.max_age_days, dry_run = p.dry_run, force = p.force }
    local report, err = rig.prune.prune(root, opts)
    if not report then
      ctx.log.error("%s", err.message)
      return 2
    end
    io.stdout:write(rig.prune.lines(report, opts))
    for _, path in ipairs(report.skipped_locked) do ctx.log.debug("kept (locked): %s", path) end
    for _, path in ipairs(report.vanished) do ctx.log.info("gone before it was pruned: %s", path) end
    for _, e in ipairs(report.errors) do ctx.log.warn("not pruned: %s", e.message) end
    return #report.errors > 0 and 1 or 0
  end,
}
