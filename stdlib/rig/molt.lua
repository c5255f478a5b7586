--- Molt's result files, the parts every writer of them shares: the `system` block of
--- bench.py and bench_wasm.py, and the guarded ratios of their records. The engines
--- (rig.measure, rig.stats) know nothing of these names; rig.bench, rig.wasm and
--- rig.friends write them through here. docs/lanes.md.
local json = require "rig.json"

local M = {}

--- True for a number that can divide or be divided: finite and above 0 (Molt's `_positive`).
---@param x any
---@return boolean
function M.positive(x)
  return type(x) == "number" and x > 0 and x < math.huge
end

--- `a / b` when both are positive, else JSON null: Molt writes null for a ratio it cannot form.
---@param a any
---@param b any
---@return number|userdata
function M.ratio(a, b)
  if M.positive(a) and M.positive(b) then return a / b end
  return json.null
end

--- `platform` as Molt writes it: linux-<machine>.
---@param host table rig.env.host()
---@return string
function M.platform(host)
  return ("linux-%s"):format(host.machine or "unknown")
end

--- The `system` block of bench.py and bench_wasm.py: platform, python, machine, cpu_count,
--- load_avg.
---@param host table rig.env.host()
---@param python string? the Python version the file names (null when none)
---@return table
function M.system(host, python)
  return json.object({ platform = M.platform(host), python = python or json.null, machine = host.machine,
    cpu_count = host.cpu_count, load_avg = host.load_avg and json.array(host.load_avg) or json.null })
end

--- A float as Python's repr writes it (Molt's tools print floats so): 30.0, 0.02, 1.5.
---@param x number
---@return string
function M.py_float(x)
  require("rig.check").arg("py_float", 1, x, "number")
  if x ~= x then return "nan" end
  if x == math.huge then return "inf" elseif x == -math.huge then return "-inf" end
  if x == math.floor(x) and math.abs(x) < 1e16 then return ("%.1f"):format(x) end
  for digits = 15, 17 do
    local text = ("%." .. digits .. "g"):format(x)
    if tonumber(text) == x then return text end
  end
  return ("%.17g"):format(x)
end

--- The artifact root Molt's tools default to: MOLT_EXT_ROOT when set (nil and Molt's message
--- when it is not a folder), else `repo`.
---@param repo string
---@return string? root
---@return string? why
function M.ext_root(repo)
  require("rig.check").arg("ext_root", 1, repo, "string")
  local ext = os.getenv("MOLT_EXT_ROOT")
  if ext == nil or ext == "" then return repo end
  local fs = require "rig.fs"
  local st = fs.stat(ext)
  local real = st and (st.kind == "directory" and ext or (st.kind == "link" and fs.realpath(ext)))
  if not real or (fs.stat(real) or {}).kind ~= "directory" then
    return nil, ("MOLT_EXT_ROOT is not a directory: %s."):format(ext)
  end
  return ext
end

--- A Molt tool's default output root, `<MOLT_EXT_ROOT or repo>/tmp/<name>_<UTC stamp>`
--- (compile_progress, throughput_matrix), or nil and Molt's message when MOLT_EXT_ROOT is
--- not a folder.
---@param repo string
---@param name string
---@return string? root
---@return string? why
function M.default_output_root(repo, name)
  require("rig.check").arg("default_output_root", 2, name, { "string", nonempty = true })
  local ext, why = M.ext_root(repo)
  if not ext then return nil, why end
  return ext .. "/tmp/" .. name .. "_" .. require("rig.time").utc_stamp()
end

--- The repository a Molt tool works on: the nearest folder at or above `start` (default the
--- working folder) holding `.git` or `pyproject.toml` (Molt's tools find it from their own
--- place in the tree), else `start` itself. An absolute path.
---@param start? string
---@return string
function M.repo_root(start)
  local fs = require "rig.fs"
  local here = fs.realpath(start or ".") or start or "."
  local dir = here
  while true do
    if fs.exists(dir .. "/.git") or fs.exists(dir .. "/pyproject.toml") then return dir end
    local up = fs.dirname(dir)
    if up == dir or up == "" then return here end
    dir = up
  end
end

-- ---------------------------------------------------------------------------------------
-- Molt's throughput environment (tools/throughput_env.sh, through molt_run_context_env
-- --session-prefix throughput --prefer-external-artifacts --dx), rebuilt from its outputs
-- (Tests/Fixtures/molt/golden/throughput_env): the artifact root, then 26 exports in Molt's
-- order. Written by hand: it is Molt's layout, and no library has it.

local GIB = 1024 * 1024 * 1024
M.EXTERNAL_VOLUME = "/Volumes/APDataStore/Molt"

-- The nearest existing folder at or above `path`, whether it is writable, and its free bytes
-- (df -Pk), or nil when df cannot say.
local function free_space(path)
  local proc = require "rig.proc"
  local r = proc.run { "sh", "-c", [[
p=$1
while [ ! -e "$p" ]; do p=$(dirname -- "$p"); done
if [ -w "$p" ]; then w=1; else w=0; fi
df -Pk -- "$p" | awk -v w="$w" 'NR==2 { print w, $4 }']], "sh", path, timeout = 10 }
  if not r or not r.ok then return nil end
  local w, kb = r.stdout:match("^(%d) (%d+)")
  if not w then return nil end
  return w == "1", tonumber(kb) * 1024
end

-- Molt's choice of an external artifact root: a candidate whose nearest existing parent is
-- writable with at least 20 GiB free.
local function usable(path)
  local writable, free = free_space(path)
  return writable == true and free ~= nil and free >= 20 * GIB
end

--- Molt's throughput environment for the repository at `repo`, from the environment `env`
--- (a table like os.getenv's; nil for the process's): {exports = {{name, value}, ...} in
--- Molt's order, dirs (what --apply creates), ext_root, warning (the sccache line Molt prints
--- on stderr, or nil), sccache (path or nil)}. The artifact root is MOLT_EXT_ROOT, else the
--- first usable MOLT_EXTERNAL_ARTIFACT_ROOTS entry, else /Volumes/APDataStore/Molt when
--- usable (writable nearest parent, 20 GiB free), else <repo>/.molt-artifacts. The session id
--- is `throughput-<pid>` unless MOLT_SESSION_ID is set (then the cargo target is per session).
---@param opts { repo: string, env?: table<string, string>, pid?: integer }
---@return table
function M.throughput_env(opts)
  local check = require "rig.check"
  local util = require "rig.util"
  opts = check.options("throughput_env", 1, opts, { repo = { "string", nonempty = true, required = true },
    env = { "map", of = "string" }, pid = { "integer", min = 0 } })
  local function getenv(k)
    local v
    if opts.env then v = opts.env[k] else v = os.getenv(k) end
    if v == "" then return nil end
    return v
  end
  local repo = opts.repo
  local ext = getenv("MOLT_EXT_ROOT")
  if not ext then
    for candidate in (getenv("MOLT_EXTERNAL_ARTIFACT_ROOTS") or ""):gmatch("[^:]+") do
      if usable(candidate) then ext = candidate break end
    end
  end
  if not ext and usable(M.EXTERNAL_VOLUME) then ext = M.EXTERNAL_VOLUME end
  ext = ext or (repo .. "/.molt-artifacts")
  local session = getenv("MOLT_SESSION_ID")
  local generated = session == nil
  if generated then session = ("throughput-%d"):format(opts.pid or 0) end
  local target = generated and (ext .. "/target") or (ext .. "/target/sessions/" .. session)
  local hash = util.sha256(repo):sub(1, 12)
  -- An ambient temporary folder (/tmp, /var/tmp, the system's) gives way to the artifact
  -- root's tmp; one the user chose is kept.
  local tmpdir = getenv("TMPDIR")
  if tmpdir then
    local t = tmpdir:gsub("/+$", "")
    if t == "/tmp" or t == "/var/tmp" or t == "/private/tmp" or t:match("^/var/folders/") then tmpdir = nil end
  end
  tmpdir = tmpdir or (ext .. "/tmp")
  -- A repository under the temporary folder is scratch: its target root stays inside it.
  local target_root = repo .. "/target-root"
  local sccache
  local use_sccache = getenv("MOLT_USE_SCCACHE") or "1"
  if use_sccache ~= "0" then
    sccache = require("rig.env").which("sccache")
  end
  local cache = getenv("MOLT_CACHE") or (ext .. "/.molt_cache")
  local exports = {
    { "MOLT_EXT_ROOT", ext }, { "CARGO_TARGET_DIR", target }, { "MOLT_DIFF_CARGO_TARGET_DIR", target },
    { "MOLT_TARGET_ROOT", target_root }, { "MOLT_CACHE", cache }, { "MOLT_DIFF_ROOT", ext .. "/tmp/diff" },
    { "MOLT_DIFF_TMPDIR", ext .. "/tmp" }, { "UV_CACHE_DIR", ext .. "/.uv-cache" },
    { "UV_PROJECT_ENVIRONMENT", ("%s/tmp/uv-project-envs/dx__py3.12__src-tree-%s"):format(ext, hash) },
    { "PIP_CACHE_DIR", ext .. "/.pip-cache" }, { "RUFF_CACHE_DIR", ext .. "/.ruff-cache" },
    { "PYTHONPYCACHEPREFIX", ext .. "/tmp/pycache" }, { "TMPDIR", tmpdir }, { "TMP", tmpdir }, { "TEMP", tmpdir },
    { "CARGO_INCREMENTAL", sccache and "0" or "1" }, { "MOLT_SESSION_ID", session },
  }
  if generated then exports[#exports + 1] = { "MOLT_SESSION_ID_GENERATED", "1" } end
  for _, e in ipairs {
    { "PYTHONPATH", repo .. "/src" },
    { "MOLT_BACKEND_DAEMON_SOCKET_DIR", ("%s/molt-backend-%s"):format(tmpdir, hash) },
    { "MOLT_USE_SCCACHE", use_sccache }, { "MOLT_DIFF_ALLOW_RUSTC_WRAPPER", "1" },
    { "SCCACHE_DIR", ext .. "/.sccache" }, { "SCCACHE_CACHE_SIZE", getenv("SCCACHE_CACHE_SIZE") or "10G" },
    { "MOLT_CACHE_MAX_GB", getenv("MOLT_CACHE_MAX_GB") or "30" },
    { "MOLT_CACHE_MAX_AGE_DAYS", getenv("MOLT_CACHE_MAX_AGE_DAYS") or "30" },
  } do exports[#exports + 1] = e end
  local values = {}
  for _, e in ipairs(exports) do values[e[1]] = e[2] end
  local dirs = {}
  for _, k in ipairs { "MOLT_CACHE", "CARGO_TARGET_DIR", "MOLT_TARGET_ROOT", "MOLT_DIFF_ROOT", "MOLT_DIFF_TMPDIR",
    "UV_CACHE_DIR", "TMPDIR", "MOLT_BACKEND_DAEMON_SOCKET_DIR", "SCCACHE_DIR" } do
    dirs[#dirs + 1] = values[k]
  end
  local warning
  if use_sccache ~= "0" and not sccache then
    warning = "molt: WARNING sccache unavailable and could not be provisioned — Rust compilation cache is OFF; builds "
      .. "will be COLD and memory-heavy (every worktree recompiles the full crate graph, which saturates memory under "
      .. "parallel lanes). Install it (`cargo install sccache`) or set MOLT_USE_SCCACHE=0 to silence."
  end
  return { exports = exports, values = values, dirs = dirs, ext_root = ext, warning = warning, sccache = sccache }
end

--- `export NAME="value"` lines as throughput_env.sh --print writes them: double quotes, with
--- `\`, `"`, `$` and backquotes escaped so the shell reads the value back unchanged. Names
--- are checked (letters, digits, _). Returns the text, or nil and why.
---@param exports { [1]: string, [2]: string }[]
---@return string? text
---@return string? why
function M.export_lines(exports)
  require("rig.check").arg("export_lines", 1, exports, "list")
  local out = {}
  for i, e in ipairs(exports) do
    local name, value = e[1], tostring(e[2])
    if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then
      return nil, ("%q is not a shell variable name"):format(tostring(name))
    end
    out[i] = ('export %s="%s"'):format(name, (value:gsub('[\\"$`]', "\\%0")))
  end
  return table.concat(out, "\n") .. (#out > 0 and "\n" or "")
end

-- The first positive number among the variables `names` (Molt's `_float_env`).
local function positive_env(getenv, names)
  for _, name in ipairs(names) do
    local v = tonumber(getenv(name) or "")
    if v and v > 0 and v == v and v ~= math.huge then return v end
  end
end

-- `<P>_<suffix>` then `MOLT_<suffix>` (Molt's `_prefixed_names`).
local function prefixed(prefix, suffix)
  local names = {}
  if prefix and prefix ~= "MOLT" then names[#names + 1] = prefix .. "_" .. suffix end
  names[#names + 1] = "MOLT_" .. suffix
  return names
end

--- The memory limits Molt's memory guard gives a command run under `prefix`
--- (`MOLT_COMPILE_PROGRESS`, `MOLT_BENCH`, ...), as its `limits_summary` block: a ceiling per
--- process, per process tree and for the host, and the child's RLIMIT_RSS, in GB. Each is the
--- first positive `<P>_MAX_PROCESS_RSS_GB`, `<P>_MAX_RSS_GB`, `MOLT_MAX_PROCESS_RSS_GB`,
--- `MOLT_MAX_RSS_GB` (tree: `..._MAX_TOTAL_RSS_GB`, `..._MAX_TREE_RSS_GB`; host:
--- `..._GLOBAL_RSS_LIMIT_GB`, `..._MAX_GLOBAL_RSS_GB`; child: `..._CHILD_RLIMIT_GB`,
--- `..._MAX_CHILD_RLIMIT_GB`), else Molt's adaptive budget from /proc/meminfo: reserve =
--- 6% of RAM within 1-12 GB, host = 97% of (available - reserve), tree = 60% of that,
--- process = 90% of the tree (`dynamic_*` true); no memory information gives 12/18/36 GB.
--- `env` (default: this process's environment) is a table of variables.
---@param prefix string
---@param env? table<string, string>
---@return table
function M.memory_limits(prefix, env)
  local check = require "rig.check"
  check.arg("memory_limits", 1, prefix, "string")
  check.arg("memory_limits", 2, env, { "map", of = "string", optional = true })
  local function getenv(k)
    if env then return env[k] end
    return os.getenv(k)
  end
  prefix = prefix:upper():gsub("_+$", "")
  local GB = 1024 * 1024 * 1024
  local meminfo = ""
  local f = io.open("/proc/meminfo", "r")
  if f then meminfo = f:read("a") or "" f:close() end
  local function kb(key) local v = tonumber(meminfo:match(key .. ":%s*(%d+)")) return v and v * 1024 / GB end
  local physical = positive_env(getenv, prefixed(prefix, "MEMORY_TOTAL_GB")) or kb("MemTotal")
  local available = positive_env(getenv, prefixed(prefix, "MEMORY_AVAILABLE_GB")) or kb("MemAvailable")
  if physical and available then available = math.min(available, physical) end
  local reserve = positive_env(getenv, prefixed(prefix, "MEMORY_RESERVE_GB"))
    or (physical and math.min(12, math.max(1, physical * 0.06))) or 1
  local process, total, global
  local spare
  if available then
    spare = available - reserve
    if spare <= 0 then spare = math.max(0.25, available * 0.5) end
  elseif physical then
    spare = physical * 0.75
  end
  if spare then
    global = math.max(0.25, spare * 0.97)
    if physical then global = math.min(global, math.max(0.25, physical - reserve)) end
    global = math.min(global, 4096 - 0.001)
    total = math.min(math.min(global, math.max(0.25, global * 0.60)), 112 - 0.001)
    process = math.min(math.min(total, math.max(0.25, total * 0.90)), 112 - 0.001)
  else
    process, total, global = 12.0, 18.0, 36.0
  end
  local interactive = getenv("CODEX_SHELL") == "1"
  if interactive then process, total, global = math.min(process, 18), math.min(total, 24), math.min(global, 36) end
  local set_process = positive_env(getenv, { prefix .. "_MAX_PROCESS_RSS_GB", prefix .. "_MAX_RSS_GB",
    "MOLT_MAX_PROCESS_RSS_GB", "MOLT_MAX_RSS_GB" })
  local set_total = positive_env(getenv, { prefix .. "_MAX_TOTAL_RSS_GB", prefix .. "_MAX_TREE_RSS_GB",
    "MOLT_MAX_TOTAL_RSS_GB", "MOLT_MAX_TREE_RSS_GB" })
  local set_global = positive_env(getenv, { prefix .. "_GLOBAL_RSS_LIMIT_GB", prefix .. "_MAX_GLOBAL_RSS_GB",
    "MOLT_GLOBAL_RSS_LIMIT_GB", "MOLT_MAX_GLOBAL_RSS_GB" })
  local set_child = positive_env(getenv, { prefix .. "_CHILD_RLIMIT_GB", prefix .. "_MAX_CHILD_RLIMIT_GB",
    "MOLT_CHILD_RLIMIT_GB", "MOLT_MAX_CHILD_RLIMIT_GB" })
  -- Molt keeps each limit in whole KiB and reports it back in GB.
  local function quantized(gb) return math.floor(gb * 1024 * 1024) / (1024 * 1024) end
  process, total, global = quantized(set_process or process), quantized(set_total or total),
    quantized(set_global or global)
  local child = quantized(set_child or math.min(4096 - 0.001, process, total, global))
  return json.object({ enabled = true, max_process_rss_gb = process, max_total_rss_gb = total,
    max_global_rss_gb = global, child_rlimit_gb = child, poll_interval = 0.1,
    dynamic_process_rss = set_process == nil, dynamic_total_rss = set_total == nil,
    dynamic_global_rss = set_global == nil, dynamic_child_rlimit = set_child == nil,
    interactive_budget = interactive })
end

--- Puts `command` (a rig.proc spec) under Molt's memory budget for `prefix`, taken now as its
--- guard takes it at each launch: the per-process ceiling as `MOLT_BACKEND_MAX_RSS_GB` and
--- `MOLT_BACKEND_MEMORY_AVAILABLE_GB` in its env (`%.6f`, as Molt writes them) and as Rig's
--- limit on its process tree. Returns `command`.
---@param command table
---@param prefix string
---@return table command
function M.guard(command, prefix)
  require("rig.check").arg("guard", 1, command, "table")
  local limits = M.memory_limits(prefix)
  local budget = ("%.6f"):format(limits.max_process_rss_gb)
  command.env = command.env or {}
  command.env.MOLT_BACKEND_MAX_RSS_GB, command.env.MOLT_BACKEND_MEMORY_AVAILABLE_GB = budget, budget
  command.rss_limit_mb = math.max(1, math.floor(limits.max_process_rss_gb * 1024))
  return command
end

--- The return code Molt's guard reports for a finished process: 124 when it timed out, 137
--- when stopped for its memory, else its exit code (or minus the signal that ended it).
---@param r table a rig.proc result
---@return integer
function M.guard_returncode(r)
  require("rig.check").arg("guard_returncode", 1, r, "table")
  if r.timed_out then return 124 end
  if r.rss_exceeded then return 137 end
  return r.code or (r.signal and -r.signal) or 1
end

--- The one perf source Molt's policy lets anyone cite (its perf_authority CANONICAL_GATE).
M.CANONICAL_GATE = "tools/perf_scoreboard.py --set core --backend native --backend llvm --profile release-fast "
  .. "--samples 5 --warmup 2 --repeat 5 --classify --require-quiescent --quiescence-wait-s 180 "
  .. "--quiescence-poll-s 15"

--- Molt's `provenance` of a non-canonical lane (its non_canonical_provenance): results from
--- `lane` are never the citable contract, and say which one is.
---@param lane string
---@param profile string
---@param git_rev? string
---@return table
function M.provenance(lane, profile, git_rev)
  local check = require "rig.check"
  check.arg("provenance", 1, lane, { "string", nonempty = true })
  check.arg("provenance", 2, profile, { "string", nonempty = true })
  check.arg("provenance", 3, git_rev, { "string", optional = true })
  return json.object({ authoritative = false, source = "non-canonical", lane = lane, profile = profile,
    canonical_gate = M.CANONICAL_GATE, git_rev = git_rev or "unknown",
    authoritative_reason = ("non-canonical lane (%s); the only citable perf source is `%s`"):format(lane,
      M.CANONICAL_GATE) })
end

--- The `{scientific_*}` values Molt fills its friends manifest with, from its verified
--- scientific-stack config (`MOLT_SCIENTIFIC_STACK_CONFIG`, else
--- `<repo>/config/scientific_stack_versions.toml`): the `[selection]` numpy/scipy/cpython
--- versions and the repository refs of the `[[verified]]` entry that matches them. Returns
--- {scientific_numpy_version, scientific_scipy_version, scientific_cpython_version,
--- scientific_numpy_requirement ("numpy==X"), scientific_scipy_requirement,
--- scientific_numpy_repo_ref, scientific_scipy_repo_ref} and the file, or nil and why (with
--- Molt's wording), and `false` for a missing file.
---@param repo string
---@return table<string, string>? values
---@return string? path_or_why
---@return boolean? missing
function M.scientific_stack(repo)
  require("rig.check").arg("scientific_stack", 1, repo, { "string", nonempty = true })
  local fs = require "rig.fs"
  local path = os.getenv("MOLT_SCIENTIFIC_STACK_CONFIG")
  if path == nil or path == "" then path = fs.join(repo, "config", "scientific_stack_versions.toml") end
  if not fs.exists(path) then
    return nil, ("failed to read scientific-stack config %s: no such file"):format(path), true
  end
  local data, err = require("rig.toml").read(path)
  if not data then return nil, ("invalid scientific-stack config %s: %s"):format(path, err.message) end
  local function version(v, field)
    if type(v) ~= "string" or not v:match("^%d+%.%d[%d.]*$") or v:match("%.%.") or v:match("%.$") then
      return nil, ("%s: %s must be a dotted numeric version"):format(path, field)
    end
    return v
  end
  local selection = data.selection
  if type(selection) ~= "table" then return nil, ("%s: [selection] table is required"):format(path) end
  local want = {}
  for _, k in ipairs { "numpy", "scipy", "cpython" } do
    local v, why = version(selection[k], "selection." .. k)
    if not v then return nil, why end
    want[k] = v
  end
  local verified = data.verified
  if type(verified) ~= "table" or #verified == 0 then
    return nil, ("%s: at least one [[verified]] entry is required"):format(path)
  end
  local labels = {}
  for i, entry in ipairs(verified) do
    if type(entry) ~= "table" then return nil, ("%s: verified[%d] must be a table"):format(path, i - 1) end
    labels[#labels + 1] = ("numpy %s/scipy %s/cpython %s"):format(tostring(entry.numpy), tostring(entry.scipy),
      tostring(entry.cpython))
    if entry.numpy == want.numpy and entry.scipy == want.scipy and entry.cpython == want.cpython then
      for _, k in ipairs { "numpy_repo_ref", "scipy_repo_ref" } do
        if type(entry[k]) ~= "string" or not entry[k]:match("%S") then
          return nil, ("%s: verified[%d].%s must be a non-empty string"):format(path, i - 1, k)
        end
      end
      return { scientific_numpy_version = want.numpy, scientific_scipy_version = want.scipy,
        scientific_cpython_version = want.cpython, scientific_numpy_requirement = "numpy==" .. want.numpy,
        scientific_scipy_requirement = "scipy==" .. want.scipy,
        scientific_numpy_repo_ref = entry.numpy_repo_ref:match("^%s*(.-)%s*$"),
        scientific_scipy_repo_ref = entry.scipy_repo_ref:match("^%s*(.-)%s*$") }, path
    end
  end
  return nil, ("numpy %s/scipy %s/cpython %s is not in Molt's verified-support matrix; verified: %s. Update %s "
    .. "only after producing and verifying matching package seals."):format(want.numpy, want.scipy, want.cpython,
    table.concat(labels, ", "), path)
end

-- ---------------------------------------------------------------------------------------
-- Molt's benchmark suite (tools/bench_suites.py and bench_metadata.py): the scripts its
-- bench.py runs, the extra `molt build` arguments some need, the ones with no external
-- reference, and the arguments of the Codon suite's scripts.

local function benchmarks(names)
  local out = {}
  for i, n in ipairs(names) do out[i] = "tests/benchmarks/bench_" .. n .. ".py" end
  return out
end
M.BENCHMARKS = benchmarks { "fib", "sum", "sum_list", "sum_list_hints", "min_list", "max_list", "prod_list",
  "struct", "attr_access", "descriptor_property", "dict_ops", "dict_views", "counter_words", "etl_orders",
  "list_ops", "list_slice", "tuple_index", "tuple_slice", "tuple_pack", "range_iter", "try_except",
  "generator_iter", "async_await", "channel_throughput", "ptr_registry", "deeply_nested_loop", "csv_parse",
  "csv_parse_wide", "matrix_math", "bytes_find", "bytes_find_only", "bytes_replace", "bytearray_find",
  "bytearray_replace", "str_find", "str_find_unicode", "str_find_unicode_warm", "str_split", "str_replace",
  "str_count", "str_count_unicode", "str_count_unicode_warm", "str_join", "str_startswith", "str_endswith",
  "memoryview_tobytes", "parse_msgpack", "json_roundtrip", "startup", "gc_pressure", "class_hierarchy",
  "set_ops", "exception_heavy", "dict_comprehension", "procedural_gen", "import_time" }
M.SMOKE_BENCHMARKS = benchmarks { "sum", "bytes_find" }
M.WS_BENCHMARKS = benchmarks { "ws_wait" }
M.DYNAMIC_BUILTIN_SLICES = benchmarks { "builtin_locals_slice", "builtin_dir_slice", "builtin_import_slice",
  "builtin_delattr_slice" }
-- Extra `molt build` arguments, by script name.
M.MOLT_ARGS_BY_BENCH = { ["bench_sum_list_hints.py"] = { "--type-hints", "trust" },
  ["bench_parse_msgpack.py"] = { "--stdlib-profile", "full" } }
-- Scripts measuring Molt's own runtime intrinsics: no external lane runs them.
M.MOLT_ONLY_BENCHMARKS = { ["bench_channel_throughput.py"] = true, ["bench_ptr_registry.py"] = true }
-- The Codon suite's scripts and their arguments; taq.py and word_count.py read the files
-- MOLT_BENCH_CODON_TAQ_FILE and MOLT_BENCH_CODON_WORD_FILE name.
local CODON_ARGS = { ["binary_trees.py"] = { "20" }, ["chaos.py"] = { "/dev/null" }, ["fannkuch.py"] = { "11" },
  ["nbody.py"] = { "10000000" }, ["set_partition.py"] = { "15" }, ["primes.py"] = { "100000" } }
local CODON_FILES = { ["taq.py"] = "MOLT_BENCH_CODON_TAQ_FILE", ["word_count.py"] = "MOLT_BENCH_CODON_WORD_FILE" }

--- The arguments Molt's bench.py runs a script with (only the Codon suite's take any), or
--- nil and why (taq.py or word_count.py without its input file).
---@param script string
---@return string[]? args
---@return string? why
function M.bench_run_args(script)
  require("rig.check").arg("bench_run_args", 1, script, "string")
  local name = script:match("([^/]+)$")
  if CODON_ARGS[name] then return { table.unpack(CODON_ARGS[name]) } end
  local var = CODON_FILES[name]
  if var then
    local path = os.getenv(var)
    if path == nil or path == "" then
      return nil, ("%s reads its input from %s: set it to the file (Rig does not make Molt's sample data)")
        :format(name, var)
    end
    return { path }
  end
  return {}
end

--- Whether `repo` is a Molt checkout: it has Molt's benchmark folder, tests/benchmarks.
---@param repo string
---@return boolean
function M.is_checkout(repo)
  require("rig.check").arg("is_checkout", 1, repo, { "string", nonempty = true })
  local fs = require "rig.fs"
  return fs.exists(fs.join(repo, "tests", "benchmarks"))
end

--- Where a bench tool writes its results by default: in a Molt checkout, Molt's place and
--- name (`bench/results/<stem>_<YYYYmmdd_HHMMSS>.json`), else `rig-results/<stem>_<UTC
--- stamp>.json`; `out_dir` replaces the folder. Returns the path and its folder (not made).
---@param repo string
---@param stem string "bench" or "bench_wasm"
---@param out_dir? string
---@return string path
---@return string folder
function M.default_results(repo, stem, out_dir)
  local check = require "rig.check"
  check.arg("default_results", 2, stem, { "string", nonempty = true })
  check.arg("default_results", 3, out_dir, { "string", optional = true })
  local fs = require "rig.fs"
  local molt = M.is_checkout(repo)
  local dir = out_dir or (molt and fs.join(repo, "bench", "results") or "rig-results")
  local stamp = molt and os.date("!%Y%m%d_%H%M%S") or require("rig.time").utc_stamp()
  return fs.join(dir, ("%s_%s.json"):format(stem, stamp)), dir
end

--- One script as Molt's bench.py runs it: {name (its file name), path, args
--- (rig.molt.bench_run_args), molt_args (MOLT_ARGS_BY_BENCH), molt_only}, or nil and why.
---@param path string
---@return table? workload
---@return string? why
function M.bench_workload(path)
  require("rig.check").arg("bench_workload", 1, path, { "string", nonempty = true })
  local name = path:match("([^/]+)$")
  local args, why = M.bench_run_args(path)
  if not args then return nil, why end
  return { name = name, path = path, args = args, molt_args = M.MOLT_ARGS_BY_BENCH[name] or {},
    molt_only = M.MOLT_ONLY_BENCHMARKS[name] == true }
end

--- Molt's bench suite in a Molt checkout at `repo` (its tests/benchmarks): `opts.smoke` (the
--- two smoke scripts), `opts.ws` (with the websocket wait), `opts.dynamic_builtin_only` (only
--- the four dynamic-builtin slices). Returns the workloads (rig.molt.bench_workload) of the
--- scripts there, or nil and why when the checkout has none of them; third, those missing.
---@param repo string
---@param opts? { smoke?: boolean, ws?: boolean, dynamic_builtin_only?: boolean }
---@return table[]? workloads
---@return string? why
---@return string[]? missing
function M.bench_suite(repo, opts)
  local check = require "rig.check"
  check.arg("bench_suite", 1, repo, { "string", nonempty = true })
  opts = check.options("bench_suite", 2, opts, { smoke = "boolean", ws = "boolean", dynamic_builtin_only = "boolean" })
  local fs = require "rig.fs"
  local list = opts.dynamic_builtin_only and M.DYNAMIC_BUILTIN_SLICES or (opts.smoke and M.SMOKE_BENCHMARKS)
    or M.BENCHMARKS
  local scripts = { table.unpack(list) }
  if opts.ws and not opts.dynamic_builtin_only then
    for _, w in ipairs(M.WS_BENCHMARKS) do scripts[#scripts + 1] = w end
  end
  local out, missing = {}, {}
  for _, rel in ipairs(scripts) do
    local path = fs.join(repo, rel)
    if fs.exists(path) then
      local workload, why = M.bench_workload(path)
      if not workload then return nil, why end
      out[#out + 1] = workload
    else
      missing[#missing + 1] = rel
    end
  end
  if #out == 0 then
    return nil, ("none of Molt's benchmark scripts is in %s (looked for %s)"):format(repo, scripts[1])
  end
  return out, nil, missing
end

-- ---------------------------------------------------------------------------------------
-- Molt's custody files beside a results JSON: bench.py and bench_friends.py name and write
-- them the same way.

--- Where Molt writes the failure details of `json_out`: `molt_failure_details.jsonl` beside a
--- `results.json`, `<stem>_molt_failure_details.jsonl` beside any other name.
---@param json_out string
---@return string
function M.failure_details_path(json_out)
  require("rig.check").arg("failure_details_path", 1, json_out, { "string", nonempty = true })
  local fs = require "rig.fs"
  local dir = fs.dirname(json_out)
  if fs.basename(json_out) == "results.json" then return fs.join(dir, "molt_failure_details.jsonl") end
  return fs.join(dir, fs.stem(json_out) .. "_molt_failure_details.jsonl")
end

--- The failure-detail records as Molt's JSONL: one sorted-key line each, "" for none.
---@param records table[]
---@return string
function M.failure_details_jsonl(records)
  require("rig.check").arg("failure_details_jsonl", 1, records, "list")
  local lines = {}
  for i, r in ipairs(records) do lines[i] = json.encode(r, { sort_keys = true }) end
  return #lines > 0 and (table.concat(lines, "\n") .. "\n") or ""
end

local CUSTODY_OPTIONS = {
  json_out = { "string", nonempty = true, required = true },
  summary_out = { "string", nonempty = true, required = true },
  guard_root = { "string", nonempty = true, required = true },
  sentinel = { "string", nonempty = true, required = true },
  profile_log = { "string", nonempty = true },
}
--- Molt's `custody_artifacts` block: the results and summary, the failure details beside the
--- JSON, and under `guard_root` (its memory_guard folder) the command profile (`profile_log`,
--- default commands.jsonl there), the process sentinel's log (`sentinel`, a file name) and
--- the backend-daemon cleanup log.
---@param opts { json_out: string, summary_out: string, guard_root: string, sentinel: string, profile_log?: string }
---@return table
function M.custody_artifacts(opts)
  opts = require("rig.check").options("custody_artifacts", 1, opts, CUSTODY_OPTIONS)
  local fs = require "rig.fs"
  return json.object({ results_json = opts.json_out, summary_md = opts.summary_out,
    molt_failure_details_jsonl = M.failure_details_path(opts.json_out),
    harness_command_profile_jsonl = opts.profile_log or fs.join(opts.guard_root, "commands.jsonl"),
    repo_process_sentinel_jsonl = fs.join(opts.guard_root, opts.sentinel),
    backend_daemon_cleanup_jsonl = fs.join(opts.guard_root, "backend_daemon_cleanup.jsonl") })
end

--- The lines of a summary's `## Custody Artifacts` section, as Molt lists them: the custody
--- files of a `custody_artifacts` block (not the results and summary themselves), in its order.
---@param custody? table
---@return string[]
function M.custody_lines(custody)
  local out = {}
  if type(custody) ~= "table" then return out end
  for _, k in ipairs { "molt_failure_details_jsonl", "harness_command_profile_jsonl", "repo_process_sentinel_jsonl",
    "backend_daemon_cleanup_jsonl" } do
    if type(custody[k]) == "string" then out[#out + 1] = ("- `%s`: `%s`"):format(k, custody[k]) end
  end
  return out
end

return M
