--- Lanes: named ways to build and run a workload (CPython, PyPy, Molt, Codon, Nuitka, Cython,
--- Numba, Pyodide, and your own). A lane is data plus small functions; a lane whose tool is
--- missing is skipped with a note, never an error. docs/lanes.md.
local check = require "rig.check"
local proc = require "rig.proc"
local env = require "rig.env"
local fs = require "rig.fs"
local util = require "rig.util"

local M = {}

-- What a lane's templates may name (values here only show which names exist).
local RUN_NAMES = { script = "x.py", python = "python3", binary = "x", stem = "x", args = {} }
local BUILD_NAMES = { script = "x.py", python = "python3", out = "x", dir = ".", stem = "x", build_args = {} }

local LANE_FIELDS = {
  name = { "string", required = true, pattern = "^[%a_][%w_]*$", what = "a name of letters, digits and '_'" },
  role = { "string", choices = { "reference", "candidate", "baseline" }, default = "candidate" },
  description = "string", probe = "list|callable", build = "list|callable",
  run = { "list|callable", required = true }, env = "map", size_of = "any",
}

local lane_mt = { __name = "rig.Lane" }
lane_mt.__index = lane_mt

--- Declares a lane. `run` is an argv template (strings with {python}, {script}, {binary},
--- {out}, {dir}, {stem}, and {args} standing for the workload's arguments) or a function
--- (script, args, built) -> argv. `build` (optional) is a template or a function (script,
--- ctx) -> {binary=, error=}; `probe` an argv (its first output line is the version) or a
--- function () -> {available=, version=, reason=}.
---@param spec table
---@return table lane
function M.define(spec)
  spec = check.options("define", 1, spec, LANE_FIELDS)
  for field, names in pairs { run = RUN_NAMES, build = BUILD_NAMES } do
    if type(spec[field]) == "table" and not getmetatable(spec[field]) then
      local _, why = util.expand_command(spec[field], names)
      if why then check.fail("define", 1, ("field '%s': %s"):format(field, why)) end
    end
  end
  local lane = setmetatable({}, lane_mt)
  for k, v in pairs(spec) do lane[k] = v end
  lane.env = lane.env or {}
  return lane
end

--- Expands a template (rig.util.expand_command): {args} splices the list; other
--- placeholders are replaced in place. Raises for a placeholder without a value here.
function M.expand(template, values, args)
  local all = { args = args or {} }
  for k, v in pairs(values) do all[k] = v end
  local argv, why = util.expand_command(template, all)
  if not argv then error("lane template: " .. why, 2) end
  return argv
end

local function first_line(text) return text and text:match("^%s*([^\r\n]*)") or nil end

--- Checks whether the lane can run here: {available, version, reason}. Cached per lane.
function lane_mt:check()
  if self._probe then return self._probe end
  local probe = self.probe
  local result
  if type(probe) == "function" then
    result = probe(self)
  elseif type(probe) == "table" then
    local spec = { table.unpack(probe) }
    spec.timeout = 30
    local r, err = proc.run(spec)
    if not r then
      result = { available = false, reason = err.message }
    elseif not r.ok then
      -- The last line of stderr says why (a Python traceback ends with the error).
      local last
      for line in (r.stderr or ""):gmatch("[^\r\n]+") do last = line end
      result = { available = false, reason = last or ("exit " .. tostring(r.code)) }
    else
      local v = first_line(r.stdout)
      if not v or v == "" then v = first_line(r.stderr) end
      result = { available = true, version = v }
    end
  else
    result = { available = true }
  end
  self._probe = result
  return result
end

--- Builds `script` if the lane has a build step: {binary=, build_s=, size_kb=, result=, error=}
--- or nil when there is nothing to build. `build_args` (the workload's own, Molt's
--- MOLT_ARGS_BY_BENCH) stand for {build_args} in the template; a template without it cannot
--- take them, and the build says so rather than drop them.
function lane_mt:build_workload(script, workdir, build_args)
  if not self.build then return nil end
  build_args = build_args or {}
  local stem = fs.stem(script)
  local dir = fs.join(workdir, self.name .. "_" .. stem)
  fs.mkdir(dir)
  local out = fs.join(dir, stem .. "_" .. self.name)
  if type(self.build) == "function" then
    local start = require("rig.time").now()
    local built = self.build(script, { dir = dir, out = out, lane = self })
    built.build_s = built.build_s or (require("rig.time").now() - start)
    return built
  end
  if #build_args > 0 and type(self.build) == "table" then
    local takes = false
    for _, word in ipairs(self.build) do takes = takes or word == "{build_args}" end
    if not takes then
      return { error = { code = "bad_template", message = ("the %s build command has no {build_args} for this "
        .. "workload's arguments (%s)"):format(self.name, table.concat(build_args, " ")) }, build_s = 0 }
    end
  end
  local argv = M.expand(self.build, { script = script, out = out, dir = dir, stem = stem, python = self.python,
    build_args = build_args })
  argv.env = self.env
  local r, err = proc.run(argv)
  if not r then return { error = err, build_s = 0 } end
  if not r.ok then return { result = r, build_s = r.wall_s } end
  local binary = self.binary_of and self.binary_of(out, dir, stem) or out
  local st = fs.stat(binary)
  if not st then return { result = r, build_s = r.wall_s, missing = binary } end
  return { binary = binary, build_s = r.wall_s, size_kb = st.size / 1024, result = r }
end

--- The command that runs `script` on this lane.
function lane_mt:command(script, args, built)
  if type(self.run) == "function" then return self.run(script, args, built) end
  return M.expand(self.run, {
    script = script, python = self.python, binary = built and built.binary, stem = fs.stem(script),
  }, args)
end

-- The interpreter behind a command (pyenv shims are scripts in front of the real one).
local function real_python(cmd)
  local r = proc.run { cmd, "-c", "import sys; print(sys.executable)", timeout = 30 }
  if r and r.ok then
    local exe = first_line(r.stdout)
    if exe and exe ~= "" then return exe end
  end
end

local function python_probe(python)
  return function()
    if not python then return { available = false, reason = "no python3 found" } end
    local r = proc.run { python, "--version", timeout = 30 }
    if not r or not r.ok then return { available = false, reason = "cannot run " .. python } end
    return { available = true, version = first_line(r.stdout ~= "" and r.stdout or r.stderr), path = python }
  end
end

local CPYTHON_OPTIONS = {
  name = { "string", nonempty = true },
  python = "string",
  role = { "string", choices = { "reference", "candidate", "baseline" } },
}
--- CPython, the reference lane: `opts.python` or the interpreter behind `python3`.
function M.cpython(opts)
  opts = check.options("cpython", 1, opts, CPYTHON_OPTIONS)
  local python = opts.python or real_python(env.which("python3") or "python3")
  local lane = M.define { name = opts.name or "cpython", role = opts.role or "reference",
    description = "CPython " .. (python or "(not found)"), probe = python_probe(python),
    run = { "{python}", "{script}", "{args}" } }
  lane.python = python
  return lane
end

--- One lane per other `python3.X` on PATH (a different interpreter from `reference`), named
--- `python3_X`.
function M.pythons(reference)
  local seen = {}
  if reference and reference.python then
    seen[reference.python] = true
    seen[fs.realpath(reference.python) or ""] = true
  end
  local out = {}
  -- Every python3.X in every PATH directory, not only the first match of each name.
  for dir in (os.getenv("PATH") or ""):gmatch("[^:]+") do
    for _, file in ipairs(fs.list(dir) or {}) do
      local minor = file:match("^python3%.(%d+)$")
      if minor then
        local real = real_python(fs.join(dir, file))
        local key = real and (fs.realpath(real) or real)
        if real and not seen[key] then
          seen[key] = true
          local name = ("python3_%s"):format(minor)
          local n = 2
          for _, l in ipairs(out) do if l.name == name then name = ("python3_%s_%d"):format(minor, n) n = n + 1 end end
          local lane = M.define { name = name, role = "candidate", description = "CPython " .. real,
            probe = python_probe(real), run = { "{python}", "{script}", "{args}" } }
          lane.python = real
          out[#out + 1] = lane
        end
      end
    end
  end
  return out
end

local PYPY_OPTIONS = { cmd = "string" }
--- PyPy: `pypy3` (or `opts.cmd`) on PATH.
function M.pypy(opts)
  opts = check.options("pypy", 1, opts, PYPY_OPTIONS)
  local cmd = opts.cmd or env.which("pypy3") or env.which("pypy")
  local lane = M.define { name = "pypy", role = "candidate", description = "PyPy",
    probe = cmd and { cmd, "--version" }
      or function() return { available = false, reason = "pypy3 not found on PATH" } end,
    run = { "{python}", "{script}", "{args}" } }
  lane.python = cmd
  return lane
end

local MOLT_OPTIONS = { molt = "string", build = { "list", of = "string" },
  profile = { "string", choices = { "dev", "release" } }, cache = "boolean" }
--- Molt: `molt build` then the binary. The build command is a template, since Molt may not
--- be installed or may be invoked differently (`opts.build`, or `opts.molt` for the program).
--- `opts.profile` ("dev"|"release") adds `--build-profile`, `opts.cache = false` adds
--- `--rebuild` (a cold build), as Molt's bench.py asks its builds.
function M.molt(opts)
  opts = check.options("molt", 1, opts, MOLT_OPTIONS)
  local molt = opts.molt or "molt"
  local build = opts.build
  if not build then
    build = { molt, "build" }
    if opts.profile then build[#build + 1], build[#build + 2] = "--build-profile", opts.profile end
    if opts.cache == false then build[#build + 1] = "--rebuild" end
    for _, w in ipairs { "{build_args}", "--output", "{out}", "{script}" } do build[#build + 1] = w end
  end
  local found = env.which(molt)
  return M.define { name = "molt", role = "candidate", description = "Molt (" .. molt .. ")",
    probe = found and { found, "--version" } or function()
      return { available = false, reason = molt .. " not found on PATH (install Molt or pass --molt-cmd)" }
    end,
    build = build, run = { "{binary}", "{args}" } }
end

local CODON_OPTIONS = { codon = "string" }
--- Codon: `codon build -release`.
function M.codon(opts)
  opts = check.options("codon", 1, opts, CODON_OPTIONS)
  local codon = opts.codon or env.which("codon")
  return M.define { name = "codon", role = "candidate", description = "Codon",
    probe = codon and { codon, "--version" }
      or function() return { available = false, reason = "codon not found on PATH" } end,
    build = { codon or "codon", "build", "-release", "{script}", "-o", "{out}" }, run = { "{binary}", "{args}" } }
end

local NUITKA_OPTIONS = { python = "string", cmd = { "list", of = "string", min = 1 } }
--- Nuitka: `python -m nuitka --onefile` with the reference interpreter, or `opts.cmd` (the
--- command words before Nuitka's options, Molt's --nuitka-cmd: `{"nuitka"}`).
function M.nuitka(opts)
  opts = check.options("nuitka", 1, opts, NUITKA_OPTIONS)
  local python = opts.python or real_python(env.which("python3") or "python3")
  local prefix = opts.cmd or { "{python}", "-m", "nuitka" }
  local probe = {}
  for i, w in ipairs(prefix) do probe[i] = w == "{python}" and (python or "python3") or w end
  probe[#probe + 1] = "--version"
  local build = { table.unpack(prefix) }
  for _, w in ipairs { "--onefile", "--output-dir={dir}", "--output-filename={stem}_nuitka", "--remove-output",
    "--quiet", "{script}" } do build[#build + 1] = w end
  local lane = M.define { name = "nuitka", role = "candidate", description = "Nuitka",
    probe = probe, build = build, run = { "{binary}", "{args}" } }
  lane.python = python
  lane.binary_of = function(_, dir, stem) return fs.join(dir, stem .. "_nuitka") end
  return lane
end

--- Cython: `cython --embed` then the C compiler with python3-config's flags.
function M.cython()
  local lane = M.define { name = "cython", role = "candidate", description = "Cython (embedded)",
    probe = function()
      local c = env.which("cython") or env.which("cython3")
      if not c then return { available = false, reason = "cython not found on PATH" } end
      if not env.which("python3-config") then return { available = false, reason = "python3-config not found" } end
      if not env.which("cc") then return { available = false, reason = "no C compiler (cc)" } end
      return { available = true, version = env.version { c, "--version" }, cython = c }
    end,
    build = function(script, ctx)
      local c = ctx.lane:check().cython
      local csrc = ctx.out .. ".c"
      local r, err = proc.run { c, "--embed", "-3", script, "-o", csrc, timeout = 600 }
      if not r then return { error = err } end
      if not r.ok then return { result = r } end
      local flags = proc.run { "python3-config", "--cflags", "--ldflags", "--embed" }
      local argv = { "cc", "-O2", csrc, "-o", ctx.out }
      for w in (flags and flags.stdout or ""):gmatch("%S+") do argv[#argv + 1] = w end
      argv.timeout = 600
      local cc, err2 = proc.run(argv)
      if not cc then return { error = err2 } end
      if not cc.ok then return { result = cc } end
      local st = fs.stat(ctx.out)
      return { binary = ctx.out, size_kb = st and st.size / 1024, result = cc }
    end,
    run = { "{binary}", "{args}" } }
  return lane
end

local NUMBA_OPTIONS = { python = "string" }
--- Numba: the reference interpreter with numba importable; workloads see RIG_LANE=numba
--- and may JIT their kernels.
function M.numba(opts)
  opts = check.options("numba", 1, opts, NUMBA_OPTIONS)
  local python = opts.python or real_python(env.which("python3") or "python3")
  local lane = M.define { name = "numba", role = "candidate", description = "Numba (CPython + numba)",
    probe = { python or "python3", "-c", "import numba; print('numba', numba.__version__)" },
    env = { RIG_LANE = "numba" }, run = { "{python}", "{script}", "{args}" } }
  lane.python = python
  return lane
end

local PYODIDE_OPTIONS = { cmd = "string" }
--- Pyodide: a runner command (`opts.cmd`, or MOLT_BENCH_PYODIDE_CMD) given the script.
function M.pyodide(opts)
  opts = check.options("pyodide", 1, opts, PYODIDE_OPTIONS)
  local cmd = opts.cmd or os.getenv("MOLT_BENCH_PYODIDE_CMD")
  local words = {}
  for w in (cmd or ""):gmatch("%S+") do words[#words + 1] = w end
  return M.define { name = "pyodide", role = "candidate", description = "Pyodide",
    probe = function()
      if #words == 0 then
        return { available = false, reason = "no Pyodide runner (--pyodide-cmd or MOLT_BENCH_PYODIDE_CMD)" }
      end
      if not env.which(words[1]) then return { available = false, reason = words[1] .. " not found" } end
      return { available = true, version = cmd }
    end,
    run = function(script, args)
      local argv = {}
      for _, w in ipairs(words) do argv[#argv + 1] = w end
      argv[#argv + 1] = script
      for _, a in ipairs(args or {}) do argv[#argv + 1] = a end
      return argv
    end }
end

return M
