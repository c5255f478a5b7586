-- `rig run compare` against hyperfine, both run as whole processes in the same run, in
-- alternating blocks (these machines swing by tens of percent from minute to minute):
--   (a) accuracy: a ~50 ms C busy loop, `-N --runs R`; Rig's min and median against
--       hyperfine's, per block; goal: within 2%;
--   (b) overhead: `-N --runs 1000 true`, the whole process's wall time; goal: <= 1.0x;
--   (c) A/A: the same command entered twice, default settings, T trials: how many verdicts
--       claim faster or slower; goal: at most 10% of trials;
--   (d) a real 10% difference (two C loops): runs until decided, median over trials, against
--       the fixed 10 runs hyperfine uses (which give no verdict).
local lib = require "benchlib"

local function run_json(argv, path)
  local spec = { table.unpack(argv) }
  spec.stdout, spec.stderr = "null", "capture"
  local r = rig.proc.must_run(spec)
  return assert(rig.json.read(path)), r.wall_s
end

local function ratio_line(name, rig_values, anchor_values, goal)
  local rm, am = lib.median(rig_values), lib.median(anchor_values)
  local rmin, amin = math.min(table.unpack(rig_values)), math.min(table.unpack(anchor_values))
  return { name, ("%.4f"):format(rm / am), ("%.4f"):format(rmin / amin), goal }
end

return rig.recipe {
  description = "rig run compare against hyperfine: accuracy, overhead, A/A false verdicts, runs to decide.",
  params = {
    { "blocks", type = "integer", default = 5, help = "alternating blocks for (a) and (b)" },
    { "runs", type = "integer", default = 20, help = "runs per block in (a)" },
    { "aa_trials", type = "integer", default = 40, help = "A/A trials (c)" },
    { "decide_trials", type = "integer", default = 10, help = "trials of (d)" },
    { "only", type = "list", help = "parts to run: a, b, c, d (default all)" },
    { "rig", type = "path", help = "the rig binary to measure (default: the one running)" },
  },
  run = function(p, ctx)
    local rig_bin = p.rig or rig.env.executable()
    local hyperfine = lib.need("hyperfine", "hyperfine")
    local dir = lib.tmpdir()
    local busy = lib.compile(dir, "busy.c", "busy")
    local want = {}
    for _, part in ipairs(#p.only > 0 and p.only or { "a", "b", "c", "d" }) do want[part] = true end
    local rows = { { "measure", "rig/hyperfine (medians)", "(minimums)", "goal" } }
    local json_path = dir .. "/out.json"

    if want.a then
      ctx.log.info("(a) accuracy: %s 35, -N --runs %d, %d alternating blocks", busy, p.runs, p.blocks)
      local mins, meds = { rig = {}, hf = {} }, { rig = {}, hf = {} }
      for _ = 1, p.blocks do
        local doc = run_json({ hyperfine, "-N", "--runs", tostring(p.runs), busy .. " 35", "--export-json", json_path },
          json_path)
        table.insert(mins.hf, doc.results[1].min)
        table.insert(meds.hf, doc.results[1].median)
        doc = run_json({ rig_bin, "run", "compare", "-N", "--runs", tostring(p.runs), busy .. " 35", "--export-json",
          json_path, "--style", "none" }, json_path)
        table.insert(mins.rig, doc.results[1].min)
        table.insert(meds.rig, doc.results[1].median)
      end
      local r = ratio_line("(a) median of a 50 ms loop", meds.rig, meds.hf, "within 2%")
      rows[#rows + 1] = r
      rows[#rows + 1] = ratio_line("(a) min of a 50 ms loop", mins.rig, mins.hf, "within 2%")
      ctx.log.info("(a) medians rig %.2f ms, hyperfine %.2f ms", lib.median(meds.rig) * 1e3, lib.median(meds.hf) * 1e3)
    end

    if want.b then
      ctx.log.info("(b) overhead: -N --runs 1000 true, whole process, %d alternating blocks", p.blocks)
      local walls = { rig = {}, hf = {} }
      for _ = 1, p.blocks do
        local _, w = run_json({ hyperfine, "-N", "--runs", "1000", "true", "--export-json", json_path }, json_path)
        table.insert(walls.hf, w)
        _, w = run_json({ rig_bin, "run", "compare", "-N", "--runs", "1000", "true", "--export-json", json_path,
          "--style", "none" }, json_path)
        table.insert(walls.rig, w)
      end
      rows[#rows + 1] = ratio_line("(b) wall of 1000 runs of true", walls.rig, walls.hf, "<= 1.0x")
      ctx.log.info("(b) medians rig %.3f s, hyperfine %.3f s", lib.median(walls.rig), lib.median(walls.hf))
    end

    local summary = {}
    if want.c then
      ctx.log.info("(c) A/A: '%s 4' twice, default settings, %d trials", busy, p.aa_trials)
      local claims, verdicts, runs = 0, {}, {}
      for t = 1, p.aa_trials do
        local doc = run_json({ rig_bin, "run", "compare", "-N", busy .. " 4", busy .. " 4", "--export-json", json_path,
          "--style", "none" }, json_path)
        local other = doc.rig.reference_index == 1 and 2 or 1
        local c = doc.rig.benchmarks[other].comparison
        verdicts[c.verdict] = (verdicts[c.verdict] or 0) + 1
        if c.verdict == "faster" or c.verdict == "slower" then claims = claims + 1 end
        runs[#runs + 1] = doc.rig.benchmarks[1].runs
        if t % 10 == 0 then ctx.log.info("(c) %d trials, %d claims", t, claims) end
      end
      local parts = {}
      for _, k in ipairs(rig.util.sorted_keys(verdicts)) do parts[#parts + 1] = k .. " " .. verdicts[k] end
      summary[#summary + 1] = ("(c) A/A over %d trials: %s; %d claim a difference (goal <= %d); median %d runs each")
        :format(p.aa_trials, table.concat(parts, ", "), claims, p.aa_trials // 10, lib.median(runs))
    end

    if want.d then
      ctx.log.info("(d) a 10%% difference: '%s 20' against '%s 22', %d trials", busy, busy, p.decide_trials)
      local runs, walls, hf_walls, right = {}, {}, {}, 0
      for _ = 1, p.decide_trials do
        local _, hw = run_json({ hyperfine, "-N", "--runs", "10", busy .. " 20", busy .. " 22", "--export-json",
          json_path }, json_path)
        hf_walls[#hf_walls + 1] = hw
        local doc, w = run_json({ rig_bin, "run", "compare", "-N", busy .. " 20", busy .. " 22", "--export-json",
          json_path, "--style", "none" }, json_path)
        walls[#walls + 1] = w
        runs[#runs + 1] = doc.rig.benchmarks[1].runs
        local c = doc.rig.reference_index == 1 and doc.rig.benchmarks[2].comparison
        if c and c.verdict == "slower" then right = right + 1 end
      end
      summary[#summary + 1] = ("(d) 10%% difference: decided 'slower' in %d of %d trials; median %d runs per command "
        .. "(hyperfine: 10, no verdict); wall rig/hyperfine %.2fx (medians), %.2fx (minimums)"):format(right,
        p.decide_trials, lib.median(runs), lib.median(walls) / lib.median(hf_walls),
        math.min(table.unpack(walls)) / math.min(table.unpack(hf_walls)))
    end
    if #rows > 1 then lib.print_table(rows) end
    for _, line in ipairs(summary) do print(line) end
    rig.fs.remove_tree(dir, rig.fs.dirname(dir))
    return 0
  end,
}
