-- Bisection accuracy and cost: repositories of 32 commits with a planted slowdown (a C loop
-- that grows by --slowdown at a seeded commit), bisected by rig.bisect and by a naive
-- bisection with one run per probe (git bisect run with a timing script: one run of the
-- probe against one run of the good build, bad beyond the threshold). Alternating per seed,
-- on the same repositories and builds. Reports how often each found the planted commit and
-- the runs each took.
local function shell(script, dir)
  local r = rig.proc.run { "sh", "-c", script, cwd = dir, timeout = 600 }
  assert(r and r.ok, "setup failed: " .. tostring(r and r.stderr))
  return r.stdout
end

-- luacheck: push no max line length
local function repository(root, seed, loop, slowdown)
  local dir = rig.fs.join(root, "repo" .. seed)
  local planted = 1 + (seed * 13) % 32
  local slow = math.floor(loop * (1 + slowdown))
  rig.fs.mkdir(dir)
  shell(([[git init -q && git config user.email b@example.com && git config user.name b
for i in $(seq 0 32); do
  n=%d; [ "$i" -ge %d ] && n=%d
  printf '#include <stdio.h>\nint main(void){volatile unsigned long s=0;for(unsigned long i=0;i<%%dUL;i++)s+=i;/* %%s */printf("%%%%d\\n",s>0);return 0;}\n' "$n" "$i" > prog.c
  git add -A && git commit -qm "commit $i"
done]]):format(loop, planted, slow), dir)
  local sha = shell(("git log --format=%%H --grep='^commit %d$'"):format(planted), dir):match("%x+")
  return dir, sha
end
-- luacheck: pop

-- One run of the program at a build, its metric.
local function once(dir, metric)
  local r = rig.proc.run { dir .. "/prog", cwd = dir }
  assert(r and r.ok, "the program failed")
  return metric == "cpu" and (r.user_s + r.sys_s) or r.wall_s
end

return rig.recipe {
  description = "rig.bisect against one run per probe: accuracy and runs on planted slowdowns.",
  params = {
    { "seeds", type = "integer", default = 10, help = "repositories (each a different planted commit)" },
    { "loop", type = "integer", default = 7000000, help = "loop iterations at the good commits" },
    { "slowdown", type = "number", default = 0.15, help = "the planted slowdown" },
    { "threshold", type = "number", default = 0.07, help = "--slower-than" },
    { "metric", choices = { "wall", "cpu" }, default = "cpu" },
  },
  run = function(p)
    local root = assert(rig.fs.tmpdir("rig-bench-bisect"))
    local headers = { "seed", "planted", "rig found", "rig runs", "rig s", "naive found", "naive runs", "naive s" }
    local rows = {}
    local rig_ok, naive_ok, rig_runs, naive_runs, rig_s, naive_s = 0, 0, {}, {}, 0, 0
    for seed = 1, p.seeds do
      local dir, planted = repository(root, seed, p.loop, p.slowdown)
      local cache = rig.fs.join(root, "cache" .. seed)
      local t0 = rig.time.now()
      local report = rig.bisect.git { repo = dir, good = "HEAD~32", bad = "HEAD", build = "cc -O1 -o prog prog.c",
        command = { "./prog" }, cache = cache, mode = "slowdown", threshold = p.threshold, metric = p.metric,
        seed = seed }
      local t1 = rig.time.now()
      local found = report.answer and report.answer.sha == planted
      rig_ok = rig_ok + (found and 1 or 0)
      rig_runs[#rig_runs + 1] = report.runs
      rig_s = rig_s + (t1 - t0)
      -- The naive bisection on the same builds (the cache holds every commit rig built; the
      -- rest are built here the same way).
      local builds = {}
      local commits = assert(rig.git.commits(dir, "HEAD~32", "HEAD"))
      local function build(sha)
        if builds[sha] then return builds[sha] end
        local d = rig.fs.join(root, "naive" .. seed, sha)
        assert(rig.git.export(dir, sha, d))
        shell("cc -O1 -o prog prog.c", d)
        builds[sha] = d
        return d
      end
      local good_dir = build(assert(rig.git.resolve(dir, "HEAD~32")))
      local t2 = rig.time.now()
      local runs = 1
      local good_time = once(good_dir, p.metric)
      local result = rig.bisect.search { count = #commits, probe = function(i)
        runs = runs + 1
        local v = once(build(commits[i].sha), p.metric)
        return v > good_time * (1 + p.threshold) and "bad" or "good"
      end }
      runs = runs + 1 -- git bisect also needs the bad endpoint marked: one run of it
      local t3 = rig.time.now()
      local nfound = result.first_bad and commits[result.first_bad].sha == planted
      naive_ok = naive_ok + (nfound and 1 or 0)
      naive_runs[#naive_runs + 1] = runs
      naive_s = naive_s + (t3 - t2)
      rows[#rows + 1] = { seed, planted:sub(1, 8), tostring(found), report.runs, ("%.1f"):format(t1 - t0),
        tostring(nfound), runs, ("%.2f"):format(t3 - t2) }
    end
    print(rig.md.table(rows, { headers = headers }))
    local function median(xs) return rig.stats.summary(xs).median end
    print(("rig.bisect: found %d of %d, median %g runs, %.1f s in all; one run per probe: found %d of %d, "
      .. "median %g runs, %.1f s (building aside)"):format(rig_ok, p.seeds, median(rig_runs), rig_s, naive_ok, p.seeds,
      median(naive_runs), naive_s))
    rig.fs.remove_tree(root, rig.fs.dirname(root))
  end,
}
