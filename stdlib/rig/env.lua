--- The environment: variables for the children Rig starts, finding programs, and the host's
--- description that goes into artifacts (CPU, memory, OS, load, governor, git state).
local check = require "rig.check"
local native = require "rig._native.env"
local proc = require "rig.proc"

local M = {}

--- The value of an environment variable, or nil.
---@param name string
---@return string?
function M.get(name)
  if type(name) ~= "string" then
    error("bad argument #1 to 'get' (string expected, got " .. type(name) .. ")", 2)
  end
  return os.getenv(name)
end

--- Every variable of Rig's environment as it is now (rig.env.set included): {name = value}.
---@return table<string, string>
function M.all()
  return native.all()
end

--- Sets (or, with nil, removes) a variable in Rig's environment, which every child started
--- afterwards inherits.
---@param name string
---@param value string|number|nil
function M.set(name, value)
  if value ~= nil then value = tostring(value) end
  native.set(name, value)
end

--- Rig's own process id (Molt's session ids embed the pid of the process that made them).
---@return integer
function M.pid() return native.pid() end

--- The full path of program `name` found in PATH (or in `path`), or nil.
---@param name string
---@param path? string a PATH-style list of directories
---@return string?
function M.which(name, path)
  return native.which(name, path)
end

--- The path of the running `rig` binary (to start another rig, as benchmarks do).
---@return string?
function M.executable()
  return native.executable()
end

local function read_file(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

local function first_line(text)
  return text and text:match("^%s*([^\n]-)%s*\n") or (text and text:match("^%s*(.-)%s*$"))
end

--- The first line a tool prints for its version (stdout, else stderr), e.g.
--- `version{"python3", "--version"}` -> "Python 3.11.7"; nil when it cannot run.
---@param argv string[]
---@return string?
---@return rig.Error? err
function M.version(argv)
  if type(argv) ~= "table" or type(argv[1]) ~= "string" then
    error("bad argument #1 to 'version' (a command list expected, like {\"python3\", \"--version\"})", 2)
  end
  local spec = { timeout = 10 }
  for i, w in ipairs(argv) do spec[i] = w end
  local result, err = proc.run(spec)
  if not result then return nil, err end
  local line = first_line(result.stdout)
  if not line or line == "" then line = first_line(result.stderr) end
  if line == "" then line = nil end
  return line
end

--- Git commit and dirty state of `dir` (default: the working directory), or nil outside a
--- repository or without git.
---@param dir? string
---@return {commit: string, dirty: boolean, branch: string?}?
function M.git(dir)
  if not native.which("git") then return nil end
  local head = proc.run { "git", "rev-parse", "HEAD", cwd = dir, timeout = 10 }
  if not head or not head.ok then return nil end
  local status = proc.run { "git", "status", "--porcelain", "--untracked-files=no", cwd = dir, timeout = 30 }
  local branch = proc.run { "git", "rev-parse", "--abbrev-ref", "HEAD", cwd = dir, timeout = 10 }
  return {
    commit = first_line(head.stdout),
    dirty = status ~= nil and status.ok and status.stdout:match("%S") ~= nil,
    branch = branch and branch.ok and first_line(branch.stdout) or nil,
  }
end

local HOST_OPTIONS = { git = "boolean", tools = { "map", of = "list" } }
--- A description of this machine for artifacts: CPU model and count, memory, OS, kernel,
--- hostname, load averages, CPU frequency governor (where readable), and the git state of the
--- working directory. `opts.tools` lists version commands to record, e.g.
--- `{python3 = {"python3", "--version"}}`.
---@param opts? {tools?: table<string, string[]>, git?: boolean}
---@return table
function M.host(opts)
  opts = check.options("host", 1, opts, HOST_OPTIONS)
  local uname = native.uname()
  local info = {
    hostname = native.hostname(),
    cpu_count = native.cpu_count(),
    machine = uname.machine,
    kernel = uname.release,
    os = uname.sysname,
  }
  local cpuinfo = read_file("/proc/cpuinfo") or ""
  info.cpu_model = cpuinfo:match("model name%s*:%s*([^\n]+)") or cpuinfo:match("Model%s*:%s*([^\n]+)")
  local meminfo = read_file("/proc/meminfo") or ""
  local total_kb = tonumber(meminfo:match("MemTotal:%s*(%d+)"))
  info.memory_total_mb = total_kb and total_kb // 1024
  local available_kb = tonumber(meminfo:match("MemAvailable:%s*(%d+)"))
  info.memory_available_mb = available_kb and available_kb // 1024
  local os_release = read_file("/etc/os-release") or ""
  info.os_release = os_release:match('PRETTY_NAME="([^"]+)"')
  local load = read_file("/proc/loadavg")
  if load then
    local l1, l5, l15 = load:match("^(%S+)%s+(%S+)%s+(%S+)")
    info.load_avg = { tonumber(l1), tonumber(l5), tonumber(l15) }
  end
  info.cpu_governor = first_line(read_file("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"))
  info.cpu_boost = first_line(read_file("/sys/devices/system/cpu/cpufreq/boost"))
  info.aslr = first_line(read_file("/proc/sys/kernel/randomize_va_space"))
  if opts.git ~= false then
    info.git = M.git()
  end
  if opts.tools then
    info.tools = {}
    for name, argv in pairs(opts.tools) do
      info.tools[name] = M.version(argv)
    end
  end
  return info
end

return M
