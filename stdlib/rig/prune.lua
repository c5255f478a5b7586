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

-- nil when the entry vanished while it was being looked at (a writer or another prune). A
-- symbolic link counts 0 bytes and ages by its target's mtime (only the link is ever
-- removed); a dangling one is not an entry, as in Molt.
local function entry(path, lock)
  local st = fs.stat(path)
  if not st then return nil end
  if st.kind == "link" then
    local target = fs.realpath(path)
    local tst = target and fs.stat(target)
    if not tst then return nil end
    return { path = path, size = 0, mtime = tst.mtime or 0, lock = lock, link = true }
  end
  local size = 0
  if st.kind == "directory" then
    local t = fs.tree_size(path)
    if not t then return nil end
    size = t.bytes
  elseif st.kind == "file" then
    size = st.size
  end
  return { path = path, size = size, mtime = st.mtime or 0, lock = lock }
end

local function list(path) return fs.list(path) or {} end

local function is_dir(path)
  local st = fs.stat(path)
  return st ~= nil and st.kind == "directory"
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
    if name == "wasm_link" and is_dir(path) then
      for _, family in ipairs(list(path)) do
        local family_path = fs.join(path, family)
        if M.LOCKED_FAMILIES[family] and is_dir(family_path) then
          for _, schema in ipairs(list(family_path)) do
            local schema_path = fs.join(family_path, schema)
            if schema ~= ".locks" and is_dir(schema_path) then
              for _, e in ipairs(list(schema_path)) do
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
  force = "boolean",
  max_age_days = "number",
  max_gb = { "number", min = 0 },
  now = "number",
}
-- Folders no cache lives at the top of: the file system's own, and the home folder.
local SYSTEM = { "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/media", "/mnt", "/opt", "/proc",
  "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var" }

--- Why `real` (a resolved path) must not be pruned without `force`, or nil: `/` and the
--- system's top folders, the home folder and every folder above it, and the working
--- folder or any folder above it (pruning would delete what the caller is working in).
---@param real string
---@return string? why
function M.dangerous_root(real)
  for _, p in ipairs(SYSTEM) do
    if real == p then return real .. " is a system folder" end
  end
  local home = os.getenv("HOME")
  home = home and fs.realpath(home)
  if home and (home == real or home:sub(1, #real + 1) == real .. "/") then
    return real .. (home == real and " is the home folder" or " holds the home folder")
  end
  local cwd = fs.realpath(".")
  if cwd and (cwd == real or cwd:sub(1, #real + 1) == real .. "/") then
    return real .. " is the working folder or holds it"
  end
end

--- Prunes `root`. opts: max_gb (30), max_age_days (30), dry_run (count, delete nothing),
--- now (seconds since the epoch, default the clock), force (prune a root that
--- `dangerous_root` refuses). Entries that vanish or change while pruning (a writer, a second
--- prune) are skipped and reported. Returns a report {root, before, after, removed = {paths},
--- removed_bytes, skipped_locked = {paths}, vanished = {paths}, errors = {{path, message}}},
--- or nil and an error (code `not_found`, or `refused` for a dangerous root).
function M.prune(root, opts)
  opts = check.options("prune", 2, opts, PRUNE_OPTIONS)
  local core = require "rig._native.core"
  local real = fs.realpath(root)
  if not real or not is_dir(real) then
    return nil, core.error("not_found", "cache root is not a directory: " .. root)
  end
  local danger = M.dangerous_root(real)
  if danger and not opts.force then
    return nil, core.error("refused", ("refusing to prune %s: %s (pass force to prune it anyway)"):format(root, danger))
  end
  local entries, err = M.entries(real)
  if not entries then return nil, err end
  local now = opts.now or os.time()
  local max_bytes = (opts.max_gb or 30) * 1024 ^ 3
  local cutoff = now - (opts.max_age_days or 30) * 86400
  local total = 0
  for _, e in ipairs(entries) do total = total + e.size end
  local report = { before = total, removed = {}, removed_bytes = 0, skipped_locked = {}, vanished = {}, errors = {} }
  local gone, skipped = {}, {}
  local function remove(e)
    -- Molt's protocol: the lock file is created if missing (and left for the next writer).
    if e.lock and not fs.exists(e.lock) then
      pcall(fs.mkdir, fs.dirname(e.lock))
      pcall(fs.write, e.lock, "")
    end
    local lock = e.lock and fs.try_lock(e.lock)
    if e.lock and lock == false then
      -- Both passes may meet it; it is reported once.
      if not skipped[e] then report.skipped_locked[#report.skipped_locked + 1] = e.path end
      skipped[e] = true
      return false
    end
    if not opts.dry_run then
      -- remove_tree refuses anything outside `real`, and descends by directory descriptors.
      local st = fs.stat(e.path)
      local ok, why
      if not st then
        ok, why = nil, { code = "not_found" }
      elseif st.kind == "directory" and not e.link then
        ok, why = fs.remove_tree(e.path, real)
      else
        ok, why = fs.remove(e.path)
      end
      if not ok then
        if lock then lock:unlock() end
        if why.code == "not_found" then
          report.vanished[#report.vanished + 1] = e.path
        else
          report.errors[#report.errors + 1] = { path = e.path, message = why.message }
        end
        return false
      end
    end
    if lock then lock:unlock() end
    gone[e] = true
    report.removed[#report.removed + 1] = e.path
    report.removed_bytes = report.removed_bytes + e.size
    total = total - e.size
    return true
  end
  -- (1) Age (a negative limit turns it off, as in Molt).
  if (opts.max_age_days or 30) >= 0 then
    for _, e in ipairs(entries) do
      if e.mtime < cutoff then remove(e) end
    end
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

local py_float = require("rig.molt").py_float

--- Molt's output lines (`key=value`): the size limit as a Python float, the age limit as an
--- integer; a dry run shows `after` equal to `before`, as Molt's does (what would go is in
--- `removed.*`).
function M.lines(report, opts)
  local days = opts.max_age_days or 30
  return table.concat({
    "cache_root=" .. report.root,
    "policy.max_gb=" .. py_float(opts.max_gb or 30),
    "policy.max_age_days=" .. (math.tointeger(days) and ("%d"):format(days) or py_float(days)),
    "before=" .. M.human(report.before),
    "after=" .. M.human(opts.dry_run and report.before or report.after),
    "removed.entries=" .. #report.removed,
    "removed.bytes=" .. M.human(report.removed_bytes),
    "dry_run=" .. (opts.dry_run and "True" or "False"), -- Python prints its bools
  }, "\n") .. "\n"
end

return M
