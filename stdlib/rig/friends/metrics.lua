--- A friend suite's numbers: each runner's run statistics, Molt's suite metrics and ratio
--- directions over the ok workload runners, structured timings from JSON stdout, and Rig's
--- evidence per runner pair. Part of rig.friends (which re-exports `metrics`,
--- `structured_timings` and `LANES`).
local json = require "rig.json"
local stats = require "rig.stats"

local M = {}

-- Molt's direction strings for ratio_directions: one generic form per kind of ratio.
local SPEEDUP = "speedup:baseline_time/candidate_time;>1=candidate_faster"
local MOLT_OVER = "molt_over_baseline:molt_time/baseline_time;<1=molt_faster"

-- Molt's lanes, in the order of its metrics and summary columns.
M.LANES = { "cpython", "pypy", "molt", "codon", "friend", "nuitka", "pyodide", "tinygrad", "numpy" }

function M.slug(name) return (tostring(name):gsub("[^A-Za-z0-9_]+", "_"):lower()) end

--- Molt's structured timings from a runner's JSON stdout: `workloads{name: {elapsed_s}}`,
--- `results[{benchmark|workload, elapsed_s}]`, top-level `elapsed_s` as `total`
--- (`total_elapsed_s` wins). Names are slugified. Returns {metric = seconds}.
function M.structured_timings(doc)
  local out = {}
  if type(doc) ~= "table" then return out end
  if type(doc.workloads) == "table" then
    for name, w in pairs(doc.workloads) do
      if type(w) == "table" and type(w.elapsed_s) == "number" then out[M.slug(name)] = w.elapsed_s end
    end
  end
  if type(doc.results) == "table" then
    for _, r in ipairs(doc.results) do
      local name = type(r) == "table" and (r.benchmark or r.workload)
      if name and type(r.elapsed_s) == "number" then out[M.slug(name)] = r.elapsed_s end
    end
  end
  if type(doc.elapsed_s) == "number" then out.total = doc.elapsed_s end
  if type(doc.total_elapsed_s) == "number" then out.total = doc.total_elapsed_s end
  return out
end

function M.runner_stats(rr, samples)
  rr.run_samples_s = json.array(samples)
  if #samples == 0 then
    rr.run_median_s, rr.run_mean_s, rr.run_stdev_s = json.null, json.null, json.null
    return
  end
  local s = stats.summary(samples)
  rr.run_median_s, rr.run_mean_s = s.median, s.mean
  rr.run_stdev_s = #samples > 1 and s.std_sample or 0.0
end

-- Molt's suite metrics over the ok workload runners, plus ratio directions.
function M.metrics(runners)
  local m = json.object({})
  local dirs = json.object({})
  local med = {}
  for name, rr in pairs(runners) do
    if rr.role == "workload" and rr.status == "ok" and type(rr.run_median_s) == "number" then
      med[name] = rr.run_median_s
    end
  end
  local function num(x) return x == nil and json.null or x end
  local function ratio(a, b) return (a and b and a > 0 and b > 0) and a / b or nil end -- Molt's _speedup
  for _, lane in ipairs(M.LANES) do
    m[lane .. "_median_s"] = num(med[lane])
    -- Molt has no friend_time_s (only friend_median_s), unless a runner is named so.
    if lane ~= "friend" then m[lane .. "_time_s"] = num(med[lane]) end
  end
  local molt = med.molt
  m.molt_speedup = num(ratio(med.cpython, molt))
  dirs.molt_speedup = SPEEDUP
  for _, lane in ipairs(M.LANES) do
    if lane ~= "molt" then
      local k = "molt_vs_" .. lane .. "_speedup"
      m[k] = num(ratio(med[lane], molt))
      dirs[k] = SPEEDUP
    end
  end
  for _, lane in ipairs { "friend", "nuitka", "pyodide", "tinygrad", "numpy" } do
    local k = lane .. "_vs_molt_speedup"
    m[k] = num(ratio(molt, med[lane]))
    dirs[k] = SPEEDUP
  end
  for _, lane in ipairs { "cpython", "pypy", "codon", "nuitka", "pyodide", "tinygrad", "numpy" } do
    local k = "molt_" .. lane .. "_ratio"
    m[k] = num(ratio(molt, med[lane]))
    dirs[k] = MOLT_OVER
  end
  for name, rr in pairs(runners) do
    if med[name] then
      m[M.slug(name) .. "_median_s"] = med[name]
      m[M.slug(name) .. "_time_s"] = med[name]
      for metric, value in pairs(rr.structured_median_s) do
        m[("%s_%s_median_s"):format(M.slug(name), metric)] = value
      end
    end
  end
  local molt_rr = runners.molt
  if molt_rr and med.molt then
    for _, lane in ipairs { "cpython", "friend", "tinygrad", "numpy" } do
      local other = runners[lane]
      if other and med[lane] then
        for metric, value in pairs(molt_rr.structured_median_s) do
          local theirs = other.structured_median_s[metric]
          if type(theirs) == "number" and value > 0 then
            local k = ("molt_vs_%s_%s_speedup"):format(lane, metric)
            m[k] = theirs / value
            dirs[k] = SPEEDUP
          end
        end
      end
    end
  end
  m.ratio_directions = dirs
  return m
end

-- Rig's evidence: every pair of ok workload runners, the ratio of medians with its interval
-- and a verdict (few repeats give wide intervals, and the verdict says so).
function M.pairs_evidence(runners, names, noise)
  local out = json.array({})
  for i = 1, #names do
    for j = i + 1, #names do
      local a, b = runners[names[i]], runners[names[j]]
      if a.role == "workload" and b.role == "workload" and a.status == "ok" and b.status == "ok"
        and #a.run_samples_s > 0 and #b.run_samples_s > 0 then
        local c = stats.compare(a.run_samples_s, b.run_samples_s, { noise = noise })
        out[#out + 1] = json.object({ baseline = names[i], candidate = names[j], ratio = json.finite(c.ratio),
          ci_low = json.finite(c.ci_low), ci_high = json.finite(c.ci_high), p_value = json.finite(c.p_value),
          verdict = c.verdict, reason = c.reason, warnings = json.array(c.warnings) })
      end
    end
  end
  return out
end

return M
