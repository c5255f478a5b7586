-- Benchmark of rig.proc, the measuring instrument, against its anchors in one run:
--   1. overhead: N runs of /bin/true through rig.proc.run, against `hyperfine -N --runs N true`
--      and a C posix_spawn + wait4 loop (the physical limit); goals: rig <= hyperfine and
--      <= 1.2x the C loop;
--   2. accuracy: a CPU-bound C command of about 50 ms, rig's samples interleaved with
--      hyperfine's; goal: medians within 2%;
--   3. peak RSS of /bin/true and of a child that allocates 200 MB, while rig itself holds more
--      than 300 MB, against /usr/bin/time -v; goals: within 10%, /bin/true under 5 MB.
local lib = require "benchlib"

local function self_rss_kb()
  local f = assert(io.open("/proc/self/status"))
  local kb = tonumber(f:read("a"):match("VmRSS:%s*(%d+)"))
  f:close()
  return kb
end

local function time_v_rss_kb(argv)
  local spec = { "/usr/bin/time", "-v", stdout = "null" }
  for _, w in ipairs(argv) do spec[#spec + 1] = w end
  local r = rig.proc.must_run(spec)
  return tonumber(r.stderr:match("Maximum resident set size %(kbytes%): (%d+)"))
end

return rig.recipe {
  description = "rig.proc's overhead, timing accuracy and peak-RSS accounting against hyperfine, C and time.",
  params = {
    { "runs", type = "integer", default = 1000, help = "processes per overhead measurement" },
    { "repeat_overhead", type = "integer", default = 3, help = "overhead measurements per tool (median)" },
    { "rounds", type = "integer", default = 10, help = "accuracy rounds (each: rig then hyperfine)" },
    { "per_round", type = "integer", default = 5, help = "samples per tool per accuracy round" },
    { "target_ms", type = "number", default = 50.0, help = "length of the CPU-bound command" },
  },
  run = function(params, ctx)
    local hyperfine = lib.need("hyperfine", "hyperfine")
    lib.need("/usr/bin/time", "time")
    local true_bin = rig.env.which("true")
    local dir = lib.tmpdir()
    local spawn_loop = lib.compile(dir, "spawn_loop.c", "spawn_loop")
    local busy = lib.compile(dir, "busy.c", "busy")
    local alloc = lib.compile(dir, "alloc.c", "alloc")
    local json = dir .. "/hyperfine.json"

    -- 1. Overhead ---------------------------------------------------------------------------
    ctx.log.info("overhead: %d x %d runs of %s per tool, interleaved", params.repeat_overhead, params.runs, true_bin)
    local totals = { rig_null = {}, rig_capture = {}, hyperfine = {}, c = {} }
    for _ = 1, params.repeat_overhead do
      local start = rig.time.now()
      for _ = 1, params.runs do rig.proc.run { true_bin, stdout = "null", stderr = "null" } end
      table.insert(totals.rig_null, rig.time.now() - start)
      start = rig.time.now()
      for _ = 1, params.runs do rig.proc.run { true_bin } end
      table.insert(totals.rig_capture, rig.time.now() - start)
      local h = rig.proc.must_run { hyperfine, "-N", "--style", "none", "--runs", tostring(params.runs), true_bin }
      table.insert(totals.hyperfine, h.wall_s)
      local c = rig.proc.must_run { spawn_loop, tostring(params.runs), true_bin }
      table.insert(totals.c, c.wall_s)
    end
    local rn, rc, hf, c = lib.median(totals.rig_null), lib.median(totals.rig_capture),
      lib.median(totals.hyperfine), lib.median(totals.c)
    io.stdout:write(("1. overhead: %d runs of true, total wall (median of %d)\n")
      :format(params.runs, params.repeat_overhead))
    lib.print_table {
      { "tool", "total s", "per run us", "vs hyperfine", "vs C loop" },
      { "rig.proc.run (output to null)", ("%.3f"):format(rn), ("%.0f"):format(rn / params.runs * 1e6),
        ("%.3fx"):format(rn / hf), ("%.3fx"):format(rn / c) },
      { "rig.proc.run (capture, default)", ("%.3f"):format(rc), ("%.0f"):format(rc / params.runs * 1e6),
        ("%.3fx"):format(rc / hf), ("%.3fx"):format(rc / c) },
      { "hyperfine -N --runs N", ("%.3f"):format(hf), ("%.0f"):format(hf / params.runs * 1e6), "1.000x",
        ("%.3fx"):format(hf / c) },
      { "C posix_spawn+wait4 loop", ("%.3f"):format(c), ("%.0f"):format(c / params.runs * 1e6),
        ("%.3fx"):format(c / hf), "1.000x" },
    }
    io.stdout:write(("goals: rig <= hyperfine: %s; rig <= 1.2x C loop: %s\n\n"):format(
      rn <= hf and "yes" or "NO", rn <= 1.2 * c and "yes" or "NO"))

    -- 2. Accuracy ---------------------------------------------------------------------------
    local probe = rig.proc.must_run { busy, "100" }
    local n = math.max(1, math.floor(100 * params.target_ms / (probe.wall_s * 1e3) + 0.5))
    ctx.log.info("accuracy: busy %d (~%.0f ms), %d rounds of %d samples per tool", n, params.target_ms,
      params.rounds, params.per_round)
    local rig_samples, hf_samples = {}, {}
    for _ = 1, params.rounds do
      for _ = 1, params.per_round do
        rig_samples[#rig_samples + 1] = rig.proc.must_run { busy, tostring(n) }.wall_s
      end
      rig.proc.must_run { hyperfine, "-N", "--style", "none", "--runs", tostring(params.per_round),
        "--export-json", json, busy .. " " .. n }
      for _, t in ipairs(lib.hyperfine_times(json)[1]) do hf_samples[#hf_samples + 1] = t end
    end
    local rm, hm = lib.median(rig_samples), lib.median(hf_samples)
    io.stdout:write(("2. accuracy: CPU-bound command, %d samples each, interleaved\n"):format(#rig_samples))
    lib.print_table {
      { "tool", "median ms", "min ms", "max ms" },
      { "rig.proc.run", ("%.3f"):format(rm * 1e3), ("%.3f"):format(math.min(table.unpack(rig_samples)) * 1e3),
        ("%.3f"):format(math.max(table.unpack(rig_samples)) * 1e3) },
      { "hyperfine", ("%.3f"):format(hm * 1e3), ("%.3f"):format(math.min(table.unpack(hf_samples)) * 1e3),
        ("%.3f"):format(math.max(table.unpack(hf_samples)) * 1e3) },
    }
    local diff = (rm - hm) / hm
    io.stdout:write(("rig / hyperfine median: %.4fx (%+.2f%%); goal within 2%%: %s\n\n"):format(rm / hm, diff * 100,
      math.abs(diff) <= 0.02 and "yes" or "NO"))

    -- 3. Peak RSS ---------------------------------------------------------------------------
    local ballast = ("x"):rep(320 * 1024 * 1024)
    local held = self_rss_kb()
    ctx.log.info("peak RSS: rig holds %d MB", held // 1024)
    local rows = { { "command", "rig kB", "/usr/bin/time -v kB", "rig / time" } }
    local ok = true
    for _, case in ipairs { { "/bin/true", { true_bin } }, { "alloc 200 MB", { alloc, "200" } } } do
      local rig_kb, time_kb = {}, {}
      for i = 1, 5 do
        rig_kb[i] = rig.proc.must_run(case[2]).max_rss_kb
        time_kb[i] = time_v_rss_kb(case[2])
      end
      local a, b = lib.median(rig_kb), lib.median(time_kb)
      ok = ok and math.abs(a / b - 1) <= 0.10
      if case[1] == "/bin/true" then ok = ok and a < 5 * 1024 end
      rows[#rows + 1] = { case[1], ("%d"):format(a), ("%d"):format(b), ("%.3fx"):format(a / b) }
    end
    io.stdout:write(("3. peak RSS while rig holds %d MB (median of 5)\n"):format(held // 1024))
    lib.print_table(rows)
    io.stdout:write(("goals: within 10%% and /bin/true under 5 MB: %s\n"):format(ok and "yes" or "NO"))
    assert(#ballast > 0)
    rig.fs.remove_tree(dir, rig.fs.dirname(dir))
  end,
}
