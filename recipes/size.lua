-- Artifact size and cold start: bytes, gzip/brotli/zstd sizes, section sizes, and start-up
-- time warm, page-cache-cold and on a fresh copy, against C (/bin/true) and CPython
-- (python3 -c pass) measured in the same run; budgets from a TOML file. The JSON is Molt's
-- startup/size audit layout, which `rig run report --startup-audit` renders. docs/size.md.
-- Exit: 0 within budget; 1 a budget exceeded or a run failed; 2 usage.
local size, fs, json = rig.size, rig.fs, rig.json

local function fmt_bytes(n)
  if type(n) ~= "number" then return "-" end
  return ("%d"):format(n)
end

local function fmt_s(v)
  if type(v) ~= "number" then return "-" end
  return ("%.4f"):format(v)
end

return rig.recipe {
  description = "Artifact size (raw, gzip, brotli, zstd, sections) and cold start, with budgets.",
  rest = "[ARGS...]",
  params = {
    { "artifact", type = "list", of = "path", positional = true, required = true, metavar = "ARTIFACT" },
    { "run", type = "boolean", default = true, help = "measure start-up (--no-run: sizes only)" },
    { "cmd", default = "{artifact}",
      help = "how to start an artifact ({artifact}; e.g. 'node run_node.mjs {artifact}'); ARGS after -- follow" },
    { "runs", type = "integer", default = 10, help = "warm runs (same path)" },
    { "cold_runs", type = "integer", default = 5, help = "page-cache-cold runs and fresh-copy runs" },
    { "timeout_sec", type = "number", default = 120, help = "per run" },
    { "baselines", type = "boolean", default = true, help = "also time /bin/true (C) and python3 -c pass" },
    { "budget", type = "path",
      help = "a TOML file: [budget] bytes, gzip_bytes, startup_same_path_s, ... [budget.sections]" },
    { "json_out", type = "path", help = "write the audit JSON" },
    { "target", help = "the case's target name in the JSON (default: the file name)" },
  },
  examples = {
    "rig run size build/app",
    "rig run size out/app.wasm --cmd 'node run_node.mjs {artifact}' --budget size_budget.toml",
    "rig run size build/app --json-out audit.json && rig run report --native n.json --startup-audit audit.json",
  },
  run = function(p, ctx)
    if p.runs < 1 or p.cold_runs < 1 then
      ctx.log.error("--runs and --cold-runs must be at least 1")
      return 2
    end
    local budget
    if p.budget then
      local doc, err = rig.toml.read(p.budget)
      if not doc then
        ctx.log.error("--budget: %s", err.message)
        return 2
      end
      budget = doc.budget
      if type(budget) ~= "table" then
        ctx.log.error("--budget %s: a [budget] table expected", p.budget)
        return 2
      end
    end
    local workdir = assert(fs.tmpdir("rig-size"))
    local function cmd_for(path)
      local argv = rig.util.expand_command(p.cmd, { artifact = path })
      for _, a in ipairs(ctx.rest) do argv[#argv + 1] = a end
      return argv
    end
    local payload = json.object({ schema_version = 1, generated_at = rig.time.iso8601(), tool = "rig run size",
      cases = json.array({}), baselines = json.object({}),
      host = rig.env.host({ git = false }) })
    local failed = false
    for _, path in ipairs(p.artifact) do
      local st = fs.stat(path)
      if not st or st.kind ~= "file" then
        ctx.log.error("%s: no such file", path)
        fs.remove_tree(workdir, fs.dirname(workdir))
        return 2
      end
      local case = json.object({ case = json.object({ target = p.target or fs.basename(path), build_profile = json.null,
        backend = json.null }), status = "ok" })
      local artifact = json.object({ path = fs.realpath(path), bytes = st.size })
      local compressed, missing = size.compressed(path, workdir)
      for k, v in pairs(compressed) do artifact[k] = v end
      if #missing > 0 then artifact.compressors_missing = json.array(missing) end
      local sections, source = size.sections(path)
      artifact.sections = sections and json.object(sections) or json.null
      artifact.sections_source = source or json.null
      case.artifact = artifact
      if p.run then
        case.startup = size.startup(fs.realpath(path), cmd_for, { runs = p.runs, cold_runs = p.cold_runs,
          timeout = p.timeout_sec, workdir = workdir })
        for _, mode in ipairs { "same_path", "page_cache_cold", "cold_first_sighting" } do
          local m = case.startup[mode]
          if m.reason ~= json.null then
            ctx.log.warn("%s %s: %s", path, mode, m.reason)
            if mode ~= "page_cache_cold" then case.status, failed = "failed", true end
          end
        end
      end
      if budget then
        local checked, err = size.check_budget(case, budget)
        if not checked then
          ctx.log.error("--budget %s: %s", p.budget, err.message)
          fs.remove_tree(workdir, fs.dirname(workdir))
          return 2
        end
        case.budgets = checked
        if not checked.passed then
          failed = true
          if case.status == "ok" then case.status = "budget_exceeded" end
        end
      end
      payload.cases[#payload.cases + 1] = case
    end
    if p.run and p.baselines then
      local c = size.startup("/bin/true", function(x) return { x } end, { runs = p.runs, cold_runs = 1,
        timeout = p.timeout_sec, workdir = workdir })
      payload.baselines.c = json.object({ command = "/bin/true", same_path = c.same_path })
      -- The interpreter itself: python3 may be a shim script (pyenv) that costs more than Python.
      local r = rig.proc.run { "python3", "-c", "import sys; print(sys.executable)" }
      local py = r and r.ok and r.stdout:gsub("%s+$", "")
      if py then
        local t = size.startup(py, function(x) return { x, "-c", "pass" } end, { runs = p.runs, cold_runs = 1,
          timeout = p.timeout_sec, workdir = workdir })
        payload.baselines.cpython = json.object({ command = "python3 -c pass", same_path = t.same_path })
      end
    end
    fs.remove_tree(workdir, fs.dirname(workdir))
    if p.json_out then assert(json.write(p.json_out, payload, { indent = 2, sort_keys = true })) end

    -- The table a user reads.
    local rows = {}
    for _, case in ipairs(payload.cases) do
      local a, s = case.artifact, case.startup or {}
      local function med(mode) return s[mode] and type(s[mode].stats) == "table" and s[mode].stats.median_s or nil end
      rows[#rows + 1] = { case.case.target, case.status, fmt_bytes(a.bytes), fmt_bytes(a.gzip_bytes),
        fmt_bytes(a.brotli_bytes), fmt_bytes(a.zstd_bytes), fmt_s(med("same_path")), fmt_s(med("page_cache_cold")),
        fmt_s(med("cold_first_sighting")) }
    end
    for name, b in pairs(payload.baselines) do
      local m = type(b.same_path.stats) == "table" and b.same_path.stats.median_s or nil
      rows[#rows + 1] = { "baseline: " .. name .. " (" .. b.command .. ")", "", "", "", "", "", fmt_s(m), "", "" }
    end
    io.stdout:write(rig.md.table(rows, { headers = { "artifact", "status", "bytes", "gzip", "brotli", "zstd",
      "warm s", "page-cache-cold s", "fresh copy s" }, align = { "left", "left", "right", "right", "right", "right",
      "right", "right", "right" }, pad = true }))
    for _, case in ipairs(payload.cases) do
      local sections = case.artifact.sections
      if sections ~= json.null then
        local names = rig.util.sorted_keys(sections)
        table.sort(names, function(x, y) return sections[x] > sections[y] end)
        local parts = {}
        for i = 1, math.min(6, #names) do parts[i] = ("%s %d"):format(names[i], sections[names[i]]) end
        io.stdout:write(("\n%s sections (%s): %s\n"):format(case.case.target, case.artifact.sections_source,
          table.concat(parts, ", ")))
      end
      for _, c in ipairs(case.budgets and case.budgets.checks or {}) do
        if not c.passed then
          io.stdout:write(("%s: budget exceeded: %s = %s > %s\n"):format(case.case.target, c.metric, tostring(c.value),
            tostring(c.limit)))
        end
      end
    end
    if p.json_out then io.stdout:write("\naudit: ", p.json_out, "\n") end
    return failed and 1 or 0
  end,
}
