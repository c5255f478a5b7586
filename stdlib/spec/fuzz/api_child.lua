-- One batch of the API fuzz test (stdlib/spec/fuzz_api_spec.lua runs many, each in its own
-- process): every public function of every rig namespace called with seeded random
-- arguments. Errors are fine (raised or returned); what must never happen is a signal or a
-- Swift trap, which ends this process. Run in a scratch directory: some calls write files.
local NAMESPACES = {
  "time", "proc", "env", "stats", "json", "fs", "md", "csv", "profile", "toml", "lanes", "bench", "classify",
  "report", "diff", "gate", "flame", "sweep", "prune", "envprofile", "triage", "wasm", "friends", "size",
  "callgrind", "log", "cli", "util", "check", "measure", "hyperfine", "htmlreport", "molt",
  "git", "bisect",
}
-- Left out, with the reason: they block or act on the machine by design.
local SKIP = {
  ["rig.time.sleep"] = "sleeps as long as asked",
  ["rig.time.measure"] = "runs the function it is given in a timing loop",
  ["rig.log.set_level"] = "would silence or flood the batch's own output",
  -- They run commands for as long as asked (up to 10^6 runs, or 60 s until decided; valgrind
  -- at seconds a call); their arguments are checked by rig.check (api_spec, measure_spec) and
  -- the commands go through rig.proc, which is fuzzed here.
  ["rig.measure.run"] = "runs commands for as long as asked",
  ["rig.callgrind.instructions"] = "runs a command under valgrind",
  -- Builds and runs commands at commits; rig.git.export writes a commit's files where told.
  ["rig.bisect.git"] = "builds and runs commands at commits", ["rig.git.export"] = "writes a tree where told",
  -- These start every Python interpreter on the machine to probe it (0.1-1 s a call): they
  -- take no data a recipe could get wrong beyond their options, which api_spec checks.
  ["rig.lanes.pythons"] = "probes every interpreter", ["rig.lanes.cpython"] = "probes python3",
  ["rig.lanes.numba"] = "imports numba in python3", ["rig.lanes.nuitka"] = "probes nuitka in python3",
}

return rig.recipe {
  description = "One seeded batch of random calls of the whole API (for fuzz_api_spec).",
  params = {
    { "seed", type = "integer", default = 1 },
    { "calls", type = "integer", default = 1000 },
    { "journal", help = "file that gets the index and name of the call in flight" },
  },
  run = function(params)
    math.randomseed(params.seed)
    local rnd = math.random
    local functions = {}
    for _, ns in ipairs(NAMESPACES) do
      local names = {}
      for k, v in pairs(rig[ns]) do
        if type(v) == "function" and not SKIP["rig." .. ns .. "." .. k] then names[#names + 1] = k end
      end
      table.sort(names)
      for _, k in ipairs(names) do functions[#functions + 1] = { "rig." .. ns .. "." .. k, rig[ns][k] } end
    end
    local trap_mt = {
      __index = function() error("trapping __index") end,
      __newindex = function() error("trapping __newindex") end,
      __len = function() error("trapping __len") end,
      __pairs = function() error("trapping __pairs") end,
      __call = function() error("trapping __call") end,
      __tostring = function() error("trapping __tostring") end,
      __eq = function() error("trapping __eq") end,
      __lt = function() error("trapping __lt") end,
      __concat = function() error("trapping __concat") end,
    }
    local strings = {
      "", "x", "%", "%s%n%d", "a\0b", "\0", "\255\254\253", ("a"):rep(4096), "{}", "[1, 2", '{"a": [1, {"b": null}]}',
      "true", "nonexistent/file", "x=1", "A=1", "--help", "-", "node", "K/N", "1/2", "SEGV", "{python}",
      "last_valid", "all", "process", "molt_profile_json {}", "[a]\nb = 1\n", "1e309", "NaN",
    }
    local numbers = { 0, 1, -1, 2, 3, 10, 0.5, -0.0, 1e-300, 1e300, -1e300, math.huge, -math.huge, 0 / 0,
      math.maxinteger, math.mininteger, 2 ^ 53, 1e10, 64, 65, 1024 }
    local gen
    local function table_of(depth)
      local kind = rnd(6)
      local t = {}
      if kind == 1 then
        for i = 1, rnd(4) do t[i] = gen(depth + 1) end
      elseif kind == 2 then
        for _ = 1, rnd(4) do t[strings[rnd(#strings)]] = gen(depth + 1) end
      elseif kind == 3 then
        t = setmetatable({}, trap_mt)
      elseif kind == 4 then
        t = { "true", timeout = numbers[rnd(#numbers)], cpu = numbers[rnd(#numbers)] }
      elseif kind == 5 then
        t[1], t[3] = gen(depth + 1), gen(depth + 1)  -- a hole
        t[0 / 0 == 0 and 1 or 2.5] = "float key"
      end
      return t
    end
    gen = function(depth)
      depth = depth or 0
      local kind = rnd(depth > 2 and 5 or 8)
      if kind == 1 then return nil
      elseif kind == 2 then return numbers[rnd(#numbers)]
      elseif kind == 3 then return strings[rnd(#strings)]
      elseif kind == 4 then return rnd(2) == 1
      elseif kind == 5 then return rnd(-5, 100)
      elseif kind == 6 then
        local f = { print, function() return {} end, function() error("from a callback") end,
          function() return { ok = rnd(2) == 1, code = 1, stdout = "", stderr = "" } end, tostring }
        return f[rnd(#f)]
      end
      return table_of(depth)
    end
    local journal = params.journal and assert(io.open(params.journal, "w"))
    local calls = 0
    for i = 1, params.calls do
      local entry = functions[rnd(#functions)]
      local args, n = {}, rnd(0, 5)
      for k = 1, n do args[k] = gen() end
      if journal then
        journal:seek("set")
        journal:write(("%d %s\n"):format(i, entry[1]))
        journal:flush()
      end
      pcall(entry[2], table.unpack(args, 1, n))
      calls = calls + 1
    end
    if journal then journal:close() end
    io.stdout:write(("calls %d functions %d\n"):format(calls, #functions))
  end,
}
