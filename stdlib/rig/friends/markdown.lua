--- Molt's summary.md of a friends results payload: the table, notes, the sections Molt writes
--- when they have something to say, and Rig's decided runner-pair verdicts. Part of
--- rig.friends (which re-exports `summary_markdown`).
local json = require "rig.json"
local util = require "rig.util"
local md = require "rig.md"
local molt = require "rig.molt"

local M = {}

-- Summary cells: %.4f or "-".
local function cell(v)
  if type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge then return ("%.4f"):format(v) end
  return "-"
end

local SUMMARY_LANES = { { "CPython", "cpython" }, { "PyPy", "pypy" }, { "Codon", "codon" }, { "Nuitka", "nuitka" },
  { "Pyodide", "pyodide" }, { "Friend", "friend" }, { "Tinygrad", "tinygrad" }, { "NumPy", "numpy" },
  { "Molt", "molt" } }
local SUMMARY_RATIOS = { { "CPython", "cpython" }, { "PyPy", "pypy" }, { "Codon", "codon" }, { "Nuitka", "nuitka" },
  { "Pyodide", "pyodide" }, { "Friend", "friend" }, { "NumPy", "numpy" } }

--- Molt's summary.md for a results payload (sections and table as its writer, the notes and
--- the footer Rig's own). `json_path` is shown on the JSON line.
---@param payload table
---@param json_path? string
---@return string
function M.summary_markdown(payload, json_path)
  local out = {}
  local function add(line) out[#out + 1] = line end
  add("# Friend Benchmark Summary")
  add("")
  add("Generated: " .. tostring(payload.generated_at))
  add(("Manifest: `%s`"):format(tostring(payload.manifest_path)))
  add(("JSON: `%s`"):format(tostring(json_path or "-")))
  add("")
  local header = { "Suite", "Semantic Mode", "Status" }
  local align = { "---", "---", "---" }
  for _, l in ipairs(SUMMARY_LANES) do header[#header + 1], align[#align + 1] = l[1] .. " s", "---:" end
  for _, l in ipairs(SUMMARY_RATIOS) do header[#header + 1], align[#align + 1] = "Molt/" .. l[1], "---:" end
  add("| " .. table.concat(header, " | ") .. " |")
  add("| " .. table.concat(align, " | ") .. " |")
  local non_ok, failures, pairs_lines = {}, {}, {}
  for _, s in ipairs(payload.suites or {}) do
    local m = s.metrics or {}
    local cells = { md.escape(s.id), md.escape(s.semantic_mode), md.escape(s.status) }
    for _, l in ipairs(SUMMARY_LANES) do cells[#cells + 1] = cell(m[l[2] .. "_median_s"]) end
    -- Molt's columns: Molt/CPython ... Molt/Pyodide are molt_<lane>_ratio (Molt time over
    -- the lane's, < 1 Molt faster); Molt/Friend and Molt/NumPy are speedups (> 1 Molt faster).
    for _, l in ipairs(SUMMARY_RATIOS) do
      local key = (l[2] == "friend" or l[2] == "numpy") and ("molt_vs_" .. l[2] .. "_speedup")
        or ("molt_" .. l[2] .. "_ratio")
      cells[#cells + 1] = cell(m[key])
    end
    add("| " .. table.concat(cells, " | ") .. " |")
    if s.status ~= "ok" then
      non_ok[#non_ok + 1] = ("- `%s`: %s (%s)"):format(s.id, tostring(s.status), tostring(s.reason))
    end
    for _, name in ipairs(util.sorted_keys(s.runners or {})) do
      local f = s.runners[name].molt_failure
      if type(f) == "table" and f.status then
        failures[#failures + 1] = ("- `%s` / `%s`: %s %s%s"):format(s.id, name, tostring(f.phase), tostring(f.status),
          (f.detail and f.detail ~= json.null) and (" (" .. tostring(f.detail) .. ")") or "")
      end
    end
    -- Rig's runner-pair verdicts, only the decided ones (nothing otherwise: Molt's layout).
    for _, p in ipairs(s.rig and s.rig.pairs or {}) do
      if p.verdict == "faster" or p.verdict == "slower" or p.verdict == "same" then
        pairs_lines[#pairs_lines + 1] = ("- `%s`: %s/%s %s (95%% CI %s to %s): %s"):format(s.id, p.candidate,
          p.baseline, cell(p.ratio), cell(p.ci_low), cell(p.ci_high), tostring(p.verdict))
      end
    end
  end
  add("")
  add("## Notes")
  add("- Semantic mode values: `runs_unmodified`, `requires_adapter`, `c_api_probe`, `unsupported_by_molt`.")
  add("- Ratio direction is serialized in `metrics.ratio_directions`: `Molt/CPython` through `Molt/Pyodide` are Molt "
    .. "time over baseline time (< 1.0 means Molt is faster), while `Molt/Friend` and `Molt/NumPy` are speedup "
    .. "columns (> 1.0 means Molt is faster).")
  add("- Compile-vs-run separation is recorded per runner when build commands are configured.")
  -- Molt lists the custody files except the results and the summary themselves.
  local custody_lines = molt.custody_lines(payload.custody_artifacts)
  -- The sections Molt writes when they have something to say, in its order.
  local function section(title, lines)
    if #lines == 0 then return end
    add("")
    add("## " .. title)
    for _, l in ipairs(lines) do add(l) end
  end
  local incidents, cleanup, interruption = {}, {}, {}
  for _, i in ipairs(type(payload.memory_guard_incidents) == "table" and payload.memory_guard_incidents or {}) do
    incidents[#incidents + 1] = ("- `%s` violation=`%s` victim_pgid=%s action=`%s`"):format(tostring(i.event),
      tostring(i.violation), tostring(i.victim_pgid), tostring(i.action))
  end
  if type(payload.interrupted) == "table" and payload.interrupted ~= json.null then
    local it = payload.interrupted
    interruption[1] = ("- %s (signal %s) at %s: partial results, exit %s"):format(tostring(it.signame),
      tostring(it.signum), tostring(it.recorded_at), tostring(it.returncode))
  end
  for _, c in ipairs(type(payload.backend_daemon_cleanup) == "table" and payload.backend_daemon_cleanup or {}) do
    cleanup[#cleanup + 1] = ("- `%s` reason=`%s` terminated=%s session=`%s`"):format(tostring(c.status),
      tostring(c.reason), tostring(c.terminated_count), tostring(c.session_id))
  end
  section("Custody Artifacts", custody_lines)
  section("Runner Comparisons (Rig)", pairs_lines)
  section("Molt Failure Details", failures)
  section("Non-OK Suites", non_ok)
  section("Memory Guard Incidents", incidents)
  section("Interruption", interruption)
  section("Backend Daemon Cleanup", cleanup)
  add("")
  add("Generated by `tools/bench_friends.py`.")
  return table.concat(out, "\n") .. "\n"
end

return M
