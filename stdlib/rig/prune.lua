--- Cache pruning by Molt's policy (tools/molt_cache_prune.py): every top-level child of the
--- cache root is one entry (inside `wasm_link/`, each `<family>/<schema>/<entry>` of the
--- lock-guarded families); entries older than the age limit go first, then the oldest until
--- the total fits the size limit. An entry whose lock another process holds is kept. Nothing
--- outside the cache root is ever touched. docs/sweeps.md.
local check = require "rig.check"
local fs = require "rig.fs"

local M = {}

--- The `wasm_link/` families whose entries are guarded by `<family>/.locks/<first 2 chars>.lock`.
M.LOCKED_FAMILIES = { runtime_tree_shake = true, split_app_optimize = true }

local function entry(path, lock)
  local st = fs.stat(path)
  local size = 0
  if st and st.kind == "directory" then
    size = assert(fs.tree_size(path)).bytes
  elseif st and st.kind == "file" then
    size = st.size
  end
  return { path = path, size = size, mtime = st and st.mtime or 0, lock = lock }
end

--- The cache's entries: {path, size (regular files below it; links count 0), mtime (the
--- entry's own), lock (its lock file, or nil)}.
---@param root string
---@return table[]? entries
---@return rig.Error? err
function M.entries(root)
  local names, err = fs.list(root)
  if not names then return nil, err end
  local out = {}
  for _, name in ipairs(names) do
    local path = fs.join(root, name)
    if name == "wasm_link" and fs.stat(path).kind == "directory" then
      for _, family in ipairs(assert(fs.list(path))) do
        local family_path = fs.join(path, family)
        if M.LOCKED_FAMILIES[family] and fs.stat(family_path).kind == "directory" then
          for _, schema in ipairs(assert(fs.list(family_path))) do
            local schema_path = fs.join(family_path, schema)
            if schema ~= ".locks" and fs.stat(schema_path).kind == "directory" then
              for _, e in ipairs(assert(fs.list(schema_path))) do
                out[#out + 1] = entry(fs.join(schema_path, e), fs.join(family_path, ".locks", e:sub(1, 2) .. ".lock"))
              end
            end
          end
        else
          out[#out + 1] = entry(family_path)
        end
      end
    else
      out[#out + 1] = entry(path)
    end
  end
  return out
end

--- "12.3GiB": bytes in binary units with one decimal.
function M.human(bytes)
  local units = { "B", "KiB", "MiB", "GiB", "TiB" }
  local n, i = bytes + 0.0, 1
  while n >= 1024 and i < #units do n, i = n / 1024, i + 1 end
  return ("%.1f%s"):format(n, units[i])
end

local PRUNE_OPTIONS = {
  dry_run = "boolean",
  max_age_days = "number",
  max_gb = { "number", min = 0 },
  now = "number",
}
--- Prunes `root`. opts: max_gb (30), max_age_days (30), dry_run (count, delete nothing),
--- now (seconds since the epoch, default the clock). Returns a report {before, after,
--- removed = {paths}, removed_bytes, skipped_locked = {paths}}, or nil and an error.
function M.prune(root, opts)
  opts = check.options("prune", 2, opts, PRUNE_OPTIONS)
  local real = fs.realpath(root)
  if not real or fs.stat(real).kind ~= "directory" then
    return nil, require("rig._native.core").error("not_found", "cache root is not a directory: " .. root)
  end
  local entries, err = M.entries(real)
  if not entries then return nil, err end
  local now = opts.now or os.time()
  local max_bytes = (opts.max_gb or 30) * 1024 ^ 3
  local cutoff = now - (opts.max_age_days or 30) * 86400
  local total = 0
  for _, e in ipairs(entries) do total = total + e.size end
  local report = { before = total, removed = {}, removed_bytes = 0, skipped_locked = {} }
  local gone, skipped = {}, {}
  local function remove(e)
    local lock = e.lock and fs.try_lock(e.lock)
    if e.lock and lock == false then
      -- Both passes may meet it; it is reported once.
      if not skipped[e] then report.skipped_locked[#report.skipped_locked + 1] = e.path end
      skipped[e] = true
      return false
    end
    if not opts.dry_run then
      -- remove_tree refuses anything outside `real`.
      local st = fs.stat(e.path)
      if st and st.kind == "directory" then assert(fs.remove_tree(e.path, real)) else assert(fs.remove(e.path)) end
    end
    if lock then lock:unlock() end
    gone[e] = true
    report.removed[#report.removed + 1] = e.path
    report.removed_bytes = report.removed_bytes + e.size
    total = total - e.size
    return true
  end
  -- (1) Age.
  for _, e in ipairs(entries) do
    if e.mtime < cutoff then remove(e) end
  end
  -- (2) Size: oldest first (ties by path) until the rest fits.
  if total > max_bytes then
    local rest = {}
    for _, e in ipairs(entries) do if not gone[e] then rest[#rest + 1] = e end end
    table.sort(rest, function(a, b) if a.mtime ~= b.mtime then return a.mtime < b.mtime end return a.path < b.path end)
    for _, e in ipairs(rest) do
      if total <= max_bytes then break end
      remove(e)
    end
  end
  report.after = total
  report.root = real
  return report
end

--- Molt's output lines (`key=value`).
function M.lines(report, opts)
  return table.concat({
    "cache_root=" .. report.root,
    ("policy.max_gb=%s"):format(opts.max_gb or 30),
    ("policy.max_age_days=%s"):format(opts.max_age_days or 30),
    "before=" .. M.human(report.before),
    "after=" .. M.human(report.after),
    "removed.entries=" .. #report.removed,
    "removed.bytes=" .. M.human(report.removed_bytes),
    "dry_run=" .. (opts.dry_run and "True" or "False"), -- Python prints its bools
  }, "\n") .. "\n"
end

return M
