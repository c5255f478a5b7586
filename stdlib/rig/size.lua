--- Artifact size and cold start (Molt's binary-size and startup metrics): bytes, compressed
--- sizes, section sizes, and start-up time warm, with the page cache evicted, and on the first
--- run of a freshly written copy; budgets checked. The output is the case layout of Molt's
--- startup/size audit, which `rig run report --startup-audit` renders. docs/size.md.
local check = require "rig.check"
local fs = require "rig.fs"
local proc = require "rig.proc"
local env = require "rig.env"
local stats = require "rig.stats"
local json = require "rig.json"
local util = require "rig.util"
local core = require "rig._native.core"

local M = {}

-- Compressors, best level each, as Debian ships them (gzip always; brotli and zstd when
-- installed). Compressed sizes are what a download or a wasm fetch costs.
M.COMPRESSORS = {
  { key = "gzip_bytes", argv = { "gzip", "-9", "-c" } },
  { key = "brotli_bytes", argv = { "brotli", "-q", "11", "-c" } },
  { key = "zstd_bytes", argv = { "zstd", "-19", "-q", "-c" } },
}

--- The size of `path` compressed by each available compressor: {gzip_bytes = n, ...}, and
--- the names of those missing.
function M.compressed(path, workdir)
  local out, missing = {}, {}
  for _, c in ipairs(M.COMPRESSORS) do
    if env.which(c.argv[1]) then
      local target = fs.join(workdir, "compressed." .. c.argv[1])
      local spec = { table.unpack(c.argv) }
      spec[#spec + 1] = path
      spec.stdout = { file = target }
      local r = proc.run(spec)
      local st = r and r.ok and fs.stat(target)
      out[c.key] = st and st.size or nil
      fs.remove(target)
    else
      missing[#missing + 1] = c.argv[1]
    end
  end
  return out, missing
end

--- Section sizes: a wasm module's sections from rig.wasm; otherwise `size -A` (binutils) or
--- `llvm-size -A`. Returns {name = bytes} (nil when no tool reads the file) and the source.
function M.sections(path)
  local f = io.open(path, "rb")
  local magic = f and f:read(4)
  if f then f:close() end
  if magic == "\0asm" then
    local info = require("rig.wasm").inspect(path)
    if not info then return nil end
    local out = {}
    for _, s in ipairs(info.sections) do
      local name = s.name
      out[name] = (out[name] or 0) + s.size
    end
    return out, "rig.wasm"
  end
  for _, tool in ipairs { "size", "llvm-size" } do
    if env.which(tool) then
      local r = proc.run { tool, "-A", path }
      if r and r.ok then
        local out, any = {}, false
        for line in r.stdout:gmatch("[^\n]+") do
          local name, size = line:match("^(%S+)%s+(%d+)%s+%d+%s*$")
          if name and name ~= "Total" then out[name], any = tonumber(size), true end
        end
        if any then return out, tool .. " -A" end
      end
    end
  end
  return nil
end

local function summary(samples)
  if #samples == 0 then return json.null end
  local s = stats.summary(samples)
  return json.object({ min_s = s.min, median_s = s.median, mean_s = s.mean, max_s = s.max, n = s.n })
end

local function timed(argv, opts)
  local spec = { table.unpack(argv) }
  spec.stdout, spec.stderr, spec.timeout, spec.cwd = "null", "capture", opts.timeout or 120, opts.cwd
  local r, err = proc.run(spec)
  if not r then return nil, err.message end
  if not r.ok then
    return nil, ("exit %s: %s"):format(tostring(r.code or r.signal_name), util.tail_lines(r.stderr or "", 3))
  end
  return r.wall_s
end

-- Evicts a file's pages from the page cache with vmtouch (Debian's package): no root needed
-- for a file we can read. Returns true, or nil and why not.
local function evict(path)
  if not env.which("vmtouch") then return nil, "vmtouch is not installed (apt-get install vmtouch)" end
  local r = proc.run { "vmtouch", "-q", "-e", path }
  if not (r and r.ok) then return nil, "vmtouch -e failed: " .. (r and r.stderr or "") end
  return true
end

local STARTUP_OPTIONS = {
  runs = { "integer", min = 1, max = 100000 },
  cold_runs = { "integer", min = 0, max = 100000 },
  workdir = "string",
  timeout = check.SECONDS,
}
--- Start-up times of a command that runs `path`: `same_path` (warm: the same file, run
--- `runs` times after one discarded run), `page_cache_cold` (the file's pages evicted
--- before each of `cold_runs` runs) and `cold_first_sighting` (each run on a new copy of the
--- file, written just before: the first time the system sees it). `cmd(path)` returns the
--- argv. Returns {mode = {samples_s, stats | null, reason?}}.
---@param path string
---@param cmd fun(path: string): string[]
---@param opts? { runs?: integer, cold_runs?: integer, timeout?: number, workdir: string }
function M.startup(path, cmd, opts)
  opts = check.options("startup", 3, opts, STARTUP_OPTIONS)
  local out = json.object({})
  local function mode(name, before_each, n, path_of)
    local samples, reason = {}, nil
    for _ = 1, n do
      local p = path_of and path_of() or path
      if before_each then
        local ok, why = before_each(p)
        if not ok then reason = why break end
      end
      local t, err = timed(cmd(p), opts)
      if not t then reason = err break end
      samples[#samples + 1] = t
    end
    out[name] = json.object({ samples_s = json.array(samples), stats = summary(samples), reason = reason or json.null })
  end
  timed(cmd(path), opts) -- one discarded run: the warm mode starts warm
  mode("same_path", nil, opts.runs or 10)
  mode("page_cache_cold", evict, opts.cold_runs or 5)
  local k = 0
  mode("cold_first_sighting", nil, opts.cold_runs or 5, function()
    k = k + 1
    local copy = fs.join(opts.workdir, ("first_%d_%s"):format(k, fs.basename(path)))
    assert(fs.copy(path, copy)) -- a new file, mode kept, synced
    return copy
  end)
  return out
end

M.BUDGET_KEYS = { "bytes", "gzip_bytes", "brotli_bytes", "zstd_bytes", "startup_same_path_s",
  "startup_page_cache_cold_s", "startup_cold_first_sighting_s", "sections" }

--- Checks a case against a budget table ({bytes = n, gzip_bytes = n, startup_same_path_s = s,
--- ..., sections = {[".text"] = n}}; startup limits apply to the median). Returns {passed,
--- checks = {{metric, value, limit, passed}}}, or nil and an error for an unknown key.
function M.check_budget(case, budget)
  local known = {}
  for _, k in ipairs(M.BUDGET_KEYS) do known[k] = true end
  for k in pairs(budget) do
    if not known[k] then
      return nil, core.error("budget", ("unknown budget key '%s'%s"):format(tostring(k),
        util.did_you_mean(tostring(k), M.BUDGET_KEYS)))
    end
  end
  local checks, passed = json.array({}), true
  local function check_limit(metric, value, limit)
    if type(limit) ~= "number" then return end
    local ok = type(value) == "number" and value <= limit
    checks[#checks + 1] = json.object({ metric = metric, value = value == nil and json.null or value, limit = limit,
      passed = ok })
    if not ok then passed = false end
  end
  local a = case.artifact
  for _, key in ipairs { "bytes", "gzip_bytes", "brotli_bytes", "zstd_bytes" } do
    check_limit(key, a[key], budget[key])
  end
  for _, m in ipairs { "same_path", "page_cache_cold", "cold_first_sighting" } do
    local s = case.startup and case.startup[m]
    local med = s and type(s.stats) == "table" and s.stats.median_s or nil
    check_limit("startup_" .. m .. "_s", med, budget["startup_" .. m .. "_s"])
  end
  for name, limit in pairs(budget.sections or {}) do
    check_limit("section " .. name, a.sections ~= json.null and a.sections[name] or nil, limit)
  end
  return json.object({ passed = passed, checks = checks })
end

return M
