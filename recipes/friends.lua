-- Friend suites: other projects' benchmark suites from a manifest (Molt's
-- bench/friends/manifest.toml schema), each runner built once and run N times, sources held to
-- their pinned refs; results.json and summary.md in Molt's layout plus Rig's intervals and
-- verdicts per runner pair. docs/friends.md.
-- Exit: 0 ok; 1 a suite failed; 2 usage or manifest errors; 128+signal when interrupted
-- (partial artifacts written, "partial": true).
local friends, fs, json = rig.friends, rig.fs, rig.json

return rig.recipe {
  description = "Run friend-owned benchmark suites from a manifest (Molt's bench_friends.py), with custody checks.",
  params = {
    { "manifest", type = "path", default = "bench/friends/manifest.toml", help = "the suites manifest (TOML)" },
    { "suite", type = "list", help = "only this suite id" },
    { "include_disabled", type = "boolean", default = false, help = "also suites with enabled = false" },
    { "runner", type = "list", help = "only this runner (a suite left with none is an error)" },
    { "output_root", type = "path", help = "Output root directory. Default: bench/results/friends/<timestamp>." },
    { "repos_root", type = "path", default = "bench/friends/repos", help = "where git suites are cloned" },
    { "suite_root", type = "list", help = "SUITE=PATH: use this checkout instead" },
    { "repo_ref", type = "list", help = "SUITE=REF: pin a git suite to this ref instead" },
    { "repeat", type = "integer", help = "runs per runner for every suite" },
    { "timeout_sec", type = "integer", help = "per phase, for every suite (seconds, an integer as in Molt)" },
    { "checkout", type = "boolean",
      help = "clone and check out git suites (the default; --no-checkout: use as is)" },
    { "fetch", type = "boolean", default = false, help = "git fetch before the checkout" },
    { "dry_run", type = "boolean", default = false, help = "write the planned commands as logs; run nothing" },
    { "fail_fast", type = "boolean", default = false, help = "stop after the first failed suite" },
    { "json_out", type = "path", help = "results JSON (default OUTPUT_ROOT/results.json)" },
    { "summary_out", type = "path", help = "summary markdown (default OUTPUT_ROOT/summary.md)" },
    { "update_doc", type = "boolean", default = false, help = "also write docs/benchmarks/friend_summary.md" },
    { "render_existing_json", type = "path", help = "only re-render the summary of this results.json" },
    { "repo_root", type = "path", help = "{repo_root} of the templates (default: the current directory)" },
    { "python", help = "{python} of the templates (default: the interpreter behind python3)" },
    { "values", type = "path", help = "Rig: a TOML file of load-time template values ({scientific_numpy_repo_ref}, "
      .. "...); default: Molt's config/scientific_stack_versions.toml (or MOLT_SCIENTIFIC_STACK_CONFIG)" },
    { "rss_limit_mb", type = "integer", help = "stop a phase whose process tree passes this RSS" },
    { "noise", type = "number", default = 0.02, help = "noise band of the runner-pair verdicts" },
  },
  examples = {
    "rig run friends --manifest bench/friends/manifest.toml --suite codon_benchmarks --repeat 3",
    "rig run friends --dry-run --include-disabled",
    "rig run friends --render-existing-json bench/results/friends/20260612T205850Z/results.json",
  },
  run = function(p, ctx)
    if p.render_existing_json then
      -- Molt's refusal names the workload options given, sorted.
      local given = {}
      if p.checkout ~= nil then given[#given + 1] = "--checkout/--no-checkout" end
      if p.dry_run then given[#given + 1] = "--dry-run" end
      if p.fetch then given[#given + 1] = "--fetch" end
      if p.include_disabled then given[#given + 1] = "--include-disabled" end
      if p.json_out then given[#given + 1] = "--json-out" end
      if p["repeat"] then given[#given + 1] = "--repeat" end
      if #p.runner > 0 then given[#given + 1] = "--runner" end
      if #p.suite > 0 then given[#given + 1] = "--suite" end
      if p.timeout_sec then given[#given + 1] = "--timeout-sec" end
      if #given > 0 then
        table.sort(given)
        io.stderr:write("--render-existing-json cannot be combined with workload options: ",
          table.concat(given, ", "), "\n")
        return 2
      end
      local path = fs.realpath(p.render_existing_json)
      local payload, err
      if path then payload, err = json.read(path) end
      local problem
      if not path then
        local cwd = os.getenv("PWD") or "."
        local shown = p.render_existing_json:sub(1, 1) == "/" and p.render_existing_json
          or fs.normalize(cwd .. "/" .. p.render_existing_json)
        problem = ("[Errno 2] No such file or directory: '%s'"):format(shown)
      elseif not payload then
        problem = err.message
      elseif type(payload) ~= "table" or payload.generated_at == nil then
        problem = "'generated_at'"
      elseif type(payload.suites) ~= "table" then
        problem = "'suites'"
      end
      if problem then
        io.stderr:write("failed to render existing friend results: ", problem, "\n")
        return 2
      end
      local text = friends.summary_markdown(payload, path)
      -- Molt writes the summary next to the JSON unless --summary-out says where.
      local out_path = p.summary_out or fs.join(fs.dirname(path), "summary.md")
      local folder = fs.dirname(out_path)
      if folder ~= "" and not fs.exists(folder) then fs.mkdir(folder) end
      assert(fs.write(out_path, text))
      io.stdout:write("Rendered summary: ", fs.realpath(out_path) or out_path, "\n")
      if p.update_doc then
        local doc = "docs/benchmarks/friend_summary.md"
        if not fs.exists(fs.dirname(doc)) then fs.mkdir(fs.dirname(doc)) end
        assert(fs.write(doc, text))
        io.stdout:write("Updated ", doc, "\n")
      end
      return 0
    end

    local values, values_error = {}, nil
    if p.values then
      local v, err = rig.toml.read(p.values)
      if not v then
        ctx.log.error("--values: %s", err.message)
        return 2
      end
      for k, x in pairs(v) do values[k] = tostring(x) end
    else
      -- As Molt: the verified scientific stack of the repository's config fills them.
      local stack, why, missing = rig.molt.scientific_stack(rig.molt.repo_root())
      if stack then values = stack
      elseif not missing then values_error = why end
    end
    local manifest, merr = friends.load(p.manifest, { values = values, values_error = values_error })
    if not manifest then
      ctx.log.error("%s", merr.message)
      return 2
    end
    -- Molt's checks, in its order and with its plain messages (exit 2).
    local function refuse(fmt, ...)
      io.stderr:write(fmt:format(...), "\n")
      return 2
    end
    if p["repeat"] and p["repeat"] < 1 then return refuse("--repeat must be positive") end
    for _, flag in ipairs { { p.suite_root, "--suite-root", "<suite-id>=<path>" }, { p.repo_ref, "--repo-ref",
      "<suite-id>=<ref>" } } do
      for _, item in ipairs(flag[1]) do
        local k = item:match("^([^=]+)=")
        if not k then return refuse("%s entries must be %s: '%s'", flag[2], flag[3], item) end
      end
    end
    local suite_roots = assert(rig.util.parse_assignments(p.suite_root, "--suite-root"))
    local repo_refs = assert(rig.util.parse_assignments(p.repo_ref, "--repo-ref"))
    local known, unknown = {}, {}
    for _, s in ipairs(manifest.suites) do known[s.id] = true end
    for _, id in ipairs(rig.util.sorted_keys(repo_refs)) do
      if not known[id] then unknown[#unknown + 1] = id end
    end
    if #unknown > 0 then return refuse("--repo-ref references unknown suite id(s): %s", table.concat(unknown, ", ")) end
    local selected, serr = friends.select(manifest, { suites = p.suite, include_disabled = p.include_disabled,
      runners = p.runner, dry_run = p.dry_run, repo_refs = repo_refs })
    if not selected then return refuse("%s", serr.message) end
    if #selected == 0 then return refuse("No suites selected. Use --include-disabled or --suite.") end

    -- Molt's default output root: <repo>/bench/results/friends/<UTC stamp>.
    local started_at = rig.time.isoformat()
    local repo_root = fs.realpath(p.repo_root or ".")
    local output_root = p.output_root
      or fs.join(rig.molt.repo_root(), "bench", "results", "friends", rig.time.utc_stamp())
    assert(fs.mkdir(output_root))
    output_root = fs.realpath(output_root)
    local json_out = fs.absolute(p.json_out or fs.join(output_root, "results.json"))
    local summary_out = fs.absolute(p.summary_out or fs.join(output_root, "summary.md"))
    -- The interpreter behind {python}, and how Python's platform module names it and the host.
    local python, host_python = p.python, nil
    local probe = rig.proc.run { "python3", "-c",
      "import sys, platform; print(sys.executable); print(platform.platform()); print(platform.python_version())" }
    if probe and probe.ok then
      local exe, plat, version = probe.stdout:match("^([^\n]*)\n([^\n]*)\n([^\n]*)")
      python = python or exe
      host_python = { platform = plat, version = version }
    end
    python = python or "python3"
    local venv = fs.join(repo_root, ".venv", "bin", "python")
    -- The run's environment: Molt's session (its backend daemons group by it) and the log of
    -- commands that did not pass.
    local base_env = friends.base_env()
    base_env.MOLT_SESSION_ID = base_env.MOLT_SESSION_ID or os.getenv("MOLT_SESSION_ID")
      or ("guard-%d"):format(rig.env.pid())
    local profile_log = os.getenv("MOLT_GUARD_PROFILE_LOG") or fs.join(output_root, "memory_guard", "commands.jsonl")
    base_env.MOLT_GUARD_PROFILE_LOG = profile_log
    -- Molt's memory guard budget; Rig holds each phase's process tree to its tree limit
    -- (--rss-limit-mb instead, when given).
    local limits = rig.molt.memory_limits("MOLT_BENCH")
    if p.rss_limit_mb then
      limits.max_total_rss_gb, limits.dynamic_total_rss = p.rss_limit_mb / 1024, false
    end
    local memory_root = fs.join(output_root, "memory_guard")
    local custody_artifacts = rig.molt.custody_artifacts { json_out = json_out, summary_out = summary_out,
      guard_root = memory_root, sentinel = "bench_friends_sentinel.jsonl", profile_log = profile_log }
    local failure_details = custody_artifacts.molt_failure_details_jsonl
    local opts = {
      output_root = output_root, repos_root = fs.realpath(".") .. "/" .. p.repos_root, suite_roots = suite_roots,
      repo_refs = repo_refs, checkout = p.checkout ~= false, fetch = p.fetch, dry_run = p.dry_run,
      ["repeat"] = p["repeat"],
      timeout_sec = p.timeout_sec, runners = p.runner, include_disabled = p.include_disabled,
      repo_root = repo_root, python = python, project_python = fs.exists(venv) and venv or python,
      defaults_env = manifest.defaults.env, noise = p.noise,
      rss_limit_mb = math.max(1, math.floor(limits.max_total_rss_gb * 1024)),
      heartbeat = function(text)
        io.stderr:write("bench_friends: ", (rig.time.isoformat():gsub("%.%d+", "")), " ", text, "\n")
        io.stderr:flush()
      end,
      incident = function(result, cwd)
        assert(fs.mkdir(fs.dirname(profile_log)))
        assert(fs.append_jsonl(profile_log, friends.incident_record(result, cwd, base_env.MOLT_SESSION_ID, limits)))
      end,
    }
    if p.repos_root:match("^/") then opts.repos_root = p.repos_root end
    opts.base_env = base_env
    local payload = friends.new_payload(manifest, { include_disabled = p.include_disabled, checkout = p.checkout,
      fetch = p.fetch, ["repeat"] = p["repeat"], timeout_sec = p.timeout_sec, runners = p.runner,
      suite_roots = suite_roots, repo_refs = repo_refs, started_at = started_at, memory_guard = limits,
      custody_artifacts = custody_artifacts, host_python = host_python }, p.dry_run)
    local function write()
      assert(fs.mkdir(fs.dirname(failure_details)))
      assert(fs.write(failure_details, rig.molt.failure_details_jsonl(payload.molt_failure_details.records)))
      assert(fs.mkdir(fs.dirname(json_out)))
      assert(fs.write(json_out, json.encode(payload, { indent = 2, sort_keys = true, ascii = true })))
      local text = friends.summary_markdown(payload, json_out)
      assert(fs.mkdir(fs.dirname(summary_out)))
      assert(fs.write(summary_out, text))
    end
    -- Molt's cleanup at the end (or on an interruption), logged and kept in the results.
    local function cleanup(reason)
      local event = friends.cleanup_event(base_env.MOLT_SESSION_ID, rig.molt.repo_root(), reason)
      payload.backend_daemon_cleanup[#payload.backend_daemon_cleanup + 1] = event
      assert(fs.mkdir(memory_root))
      assert(fs.append_jsonl(fs.join(memory_root, "backend_daemon_cleanup.jsonl"), event))
    end

    local failed = false
    local ok, err = pcall(function()
      for _, suite in ipairs(selected) do
        local rec = friends.run_suite(suite, opts)
        friends.add_suite(payload, rec)
        write() -- nothing lost: the artifacts after every suite
        if rec.status == "failed" then
          failed = true
          if p.fail_fast then break end
        end
      end
    end)
    if not ok then
      if type(err) == "table" and err.code == "interrupted" then
        local signum = err.signal or 2
        cleanup("interrupted")
        payload.partial = true
        payload.interrupted = json.object({ signum = signum, signame = rig.proc.signal_name(signum) or "signal",
          returncode = 128 + signum, recorded_at = rig.time.isoformat() })
        write()
        io.stderr:write("bench_friends: interrupted by ", payload.interrupted.signame, "\n")
      end
      error(err, 0)
    end
    cleanup("harness_exit")
    write()
    if p.update_doc then
      assert(fs.mkdir(fs.join(repo_root, "docs", "benchmarks")))
      assert(fs.write(fs.join(repo_root, "docs", "benchmarks", "friend_summary.md"),
        friends.summary_markdown(payload, json_out)))
    end
    io.stdout:write(("Wrote JSON: %s\nWrote summary: %s\n"):format(json_out, summary_out))
    if p.update_doc then io.stdout:write("Updated docs/benchmarks/friend_summary.md\n") end
    return failed and 1 or 0
  end,
}
