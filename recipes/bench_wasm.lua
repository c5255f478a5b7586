-- WebAssembly benchmarks: Molt's tools/bench_wasm.py as a recipe. Each workload is built to a
-- wasm module (the build command is a template: Molt by default, any compiler you name), run
-- under node or wasmtime with Molt's sampling rules, failures classified with Molt's wasm
-- classes, failed cases re-run under a control runner; results in Molt's bench_wasm JSON,
-- rewritten after every case. docs/wasm.md.
local fs, json, env = rig.fs, rig.json, rig.env

local function env_number(name)
  local v = env.get(name)
  return v and v ~= "" and tonumber(v) or nil
end

return rig.recipe {
  description = "Benchmark workloads compiled to WebAssembly under node or wasmtime: Molt's bench_wasm.py.",
  params = {
    { "bench", type = "list", help = "only this workload: its path, name or stem" },
    { "script", type = "list", of = "path",
      help = "a workload file (repeatable; replaces the shipped workloads); a .wasm file is run as it is" },
    { "runner", choices = { "node", "wasmtime" }, help = "primary runner (default: $MOLT_WASM_RUNNER or node)" },
    { "control_runner", choices = { "none", "node", "wasmtime" },
      help = "second runner, once per failed case (default: $MOLT_WASM_CONTROL_RUNNER or none)" },
    { "node_max_old_space_mb", type = "integer",
      help = "node's --max-old-space-size (default: $MOLT_WASM_NODE_MAX_OLD_SPACE_MB)" },
    { "node_cmd", help = "the node runner's command template ({node_flags} {runner_js} {artifact})" },
    { "wasmtime_cmd", help = "the wasmtime runner's command template ({artifact}, {runner_py}, {python})" },
    { "samples", type = "integer", help = "measured runs (default 3; 1 with --smoke; 10 with --super)" },
    { "warmup", type = "integer", help = "discarded runs (default 1; 0 with --smoke)" },
    { "smoke", type = "boolean", default = false, help = "one sample, no warmup (Molt's smoke scripts in a checkout)" },
    { "super", type = "boolean", default = false, help = "10 samples and molt_wasm_stats" },
    { "ws", type = "boolean", default = false,
      help = "Include the websocket wait benchmark (also MOLT_WASM_BENCH_WS=1; Molt's suite)" },
    { "tty", type = "boolean", default = false, help = "Molt's: attach runs to a pseudo-TTY; Rig refuses it (it "
      .. "captures each run's output to classify failures)" },
    { "molt_build_cache", type = "boolean", default = true,
      help = "--no-molt-build-cache: build with --no-cache ({cache_flag}) for a cold rebuild" },
    { "build_cmd", default = "molt build {cache_flag} --target wasm --linked --require-linked --out-dir {dir} {script}",
      help = "build command template: {script} {dir} {out} (= {dir}/output_linked.wasm) {stem} {python} "
        .. "{cache_flag}" },
    { "build_timeout_sec", type = "number", help = "per build attempt (default: $MOLT_WASM_BUILD_TIMEOUT_SEC or 90)" },
    { "run_timeout_sec", type = "number", default = 600, help = "per run of a module (Rig's; Molt has none)" },
    { "rss_limit_mb", type = "integer", help = "stop a run whose process tree passes this RSS (class runner_oom)" },
    { "require_linked", type = "boolean", default = false,
      help = "stop the run (exit 1) when a build writes no linked module" },
    { "json_out", type = "path", help = "results JSON (default bench_wasm_<UTC stamp>.json in --out-dir)" },
    { "out_dir", type = "path", help = "where the default JSON goes (default: bench/results in a Molt checkout, as "
      .. "Molt's bench_wasm_<YYYYmmdd_HHMMSS>.json; else rig-results)" },
    { "log_file", type = "path", help = "append every command and its output (default: $MOLT_WASM_LOG)" },
    { "keep_artifacts", type = "boolean", default = false, help = "keep the build folders (or MOLT_WASM_KEEP=1)" },
    { "python", default = "python3", help = "the {python} of templates and the wasmtime package's interpreter" },
  },
  examples = {
    "rig run bench_wasm --smoke",
    "rig run bench_wasm --script fib.wat --build-cmd 'wat2wasm {script} -o {out}' --control-runner wasmtime",
    "rig run bench_wasm --bench bench_fib --node-max-old-space-mb 4096 --json-out wasm.json",
  },
  run = function(p, ctx)
    local runner_name = p.runner or env.get("MOLT_WASM_RUNNER") or "node"
    local control_name = p.control_runner or env.get("MOLT_WASM_CONTROL_RUNNER") or "none"
    if runner_name ~= "node" and runner_name ~= "wasmtime" then
      ctx.log.error("MOLT_WASM_RUNNER=%s: expected node or wasmtime", runner_name)
      return 2
    end
    if control_name ~= "none" and control_name ~= "node" and control_name ~= "wasmtime" then
      ctx.log.error("MOLT_WASM_CONTROL_RUNNER=%s: expected none, node or wasmtime", control_name)
      return 2
    end
    if control_name == runner_name then
      ctx.log.error("--control-runner must differ from --runner (both are %s)", runner_name)
      return 2
    end
    -- Molt's environment: its node (MOLT_NODE_BIN), wasmtime host (MOLT_WASM_HOST_PATH) and
    -- stdlib profile (MOLT_STDLIB_PROFILE, read by the builds themselves).
    if p.tty then
      ctx.log.error("--tty: Rig does not attach runs to a pseudo-terminal (it captures each run's output to "
        .. "classify failures, and a terminal changes what a program prints)")
      return 2
    end
    local stdlib_profile = env.get("MOLT_STDLIB_PROFILE")
    if stdlib_profile and stdlib_profile ~= "" and stdlib_profile ~= "micro" and stdlib_profile ~= "full" then
      ctx.log.error("MOLT_STDLIB_PROFILE=%s: expected micro or full", stdlib_profile)
      return 2
    end
    local rebuild = env.get("MOLT_WASM_RUNTIME_REBUILD")
    if rebuild and rebuild ~= "" and rebuild ~= "never" then
      ctx.log.warn("MOLT_WASM_RUNTIME_REBUILD=%s: Rig does not rebuild Molt's wasm runtime (Molt's bench_wasm.py "
        .. "does); the builds link the one they find (MOLT_WASM_RUNTIME_DIR)", rebuild)
    end
    if not p.molt_build_cache then
      local takes = false
      for word in p.build_cmd:gmatch("%S+") do takes = takes or word:find("{cache_flag}", 1, true) ~= nil end
      if not takes then
        ctx.log.error("--no-molt-build-cache: the build command has no {cache_flag} to turn the cache off")
        return 2
      end
    end
    local samples, warmup = p.samples or 3, p.warmup or 1
    if p.super then samples = p.samples or 10 end
    if p.smoke then samples, warmup = p.samples or 1, p.warmup or 0 end
    if samples < 1 or warmup < 0 then
      ctx.log.error("--samples must be at least 1 and --warmup at least 0")
      return 2
    end
    local max_old = p.node_max_old_space_mb or env_number("MOLT_WASM_NODE_MAX_OLD_SPACE_MB")

    -- Workloads: --script files, else the shipped ones; --bench keeps those named exactly
    -- (path, file name or stem), as Molt selects them.
    local workloads = {}
    for _, path in ipairs(p.script) do
      if not fs.exists(path) then
        ctx.log.error("--script %s: no such file", path)
        return 2
      end
      workloads[#workloads + 1] = { name = fs.stem(path), path = fs.realpath(path) }
    end
    local ws = p.ws or env.get("MOLT_WASM_BENCH_WS") == "1"
    local repo = rig.molt.repo_root()
    if #workloads == 0 and rig.molt.is_checkout(repo) then
      -- In a Molt checkout, Molt's suite (its smoke scripts with --smoke, the websocket wait
      -- with --ws), keyed by stem as Molt's bench_wasm keys them.
      local suite, why = rig.molt.bench_suite(repo, { smoke = p.smoke, ws = ws })
      if not suite then
        ctx.log.error("%s", why)
        return 2
      end
      for _, w in ipairs(suite) do workloads[#workloads + 1] = { name = fs.stem(w.name), path = w.path } end
    elseif ws then
      ctx.log.error("--ws selects from Molt's benchmark suite: run in a Molt checkout (with tests/benchmarks)")
      return 2
    end
    if #workloads == 0 then
      for _, w in ipairs(rig.bench.shipped_workloads(ctx.dir)) do
        workloads[#workloads + 1] = { name = fs.stem(w.name), path = w.path }
      end
      if p.smoke then workloads = { workloads[1], workloads[2] } end
    end
    if #p.bench > 0 then
      local kept, found = {}, {}
      for _, w in ipairs(workloads) do
        for _, sel in ipairs(p.bench) do
          local base = fs.basename(sel)
          if sel == w.path or base == fs.basename(w.path) or fs.stem(base) == w.name then
            kept[#kept + 1], found[sel] = w, true
            break
          end
        end
      end
      for _, sel in ipairs(p.bench) do
        if not found[sel] then
          ctx.log.error("--bench %s: no such workload", sel)
          return 2
        end
      end
      workloads = kept
    end

    local build_argv, why = rig.util.expand_command(p.build_cmd, rig.wasm.build_values("x.py", ".", "x", p.python,
      p.molt_build_cache))
    if not build_argv or not build_argv[1] then
      ctx.log.error("--build-cmd: %s", why or "empty")
      return 2
    end
    local build_program = build_argv[1]
    local needs_build = false
    for _, w in ipairs(workloads) do
      if not w.path:match("%.wasm$") then needs_build = true end
    end
    if needs_build and not env.which(build_program) then
      ctx.log.error("the build command's program '%s' is not on PATH; install it or pass --build-cmd "
        .. "(for example --build-cmd 'wat2wasm {script} -o {out}')", build_program)
      return 2
    end

    local function runner(name)
      local node_bin, host = env.get("MOLT_NODE_BIN"), env.get("MOLT_WASM_HOST_PATH")
      return rig.wasm.runner(name, { node_max_old_space_mb = max_old, node_options = env.get("MOLT_WASM_NODE_OPTIONS"),
        cmd = name == "node" and p.node_cmd or name == "wasmtime" and p.wasmtime_cmd or nil, python = p.python,
        node_bin = node_bin ~= "" and node_bin or nil, host = host ~= "" and host or nil })
    end

    -- In a Molt checkout, Molt's place and name: bench/results/bench_wasm_<YYYYmmdd_HHMMSS>.json.
    local json_out = p.json_out
    if not json_out then
      local out_dir
      json_out, out_dir = rig.molt.default_results(repo, "bench_wasm", p.out_dir)
      assert(fs.mkdir(out_dir))
    end
    local log_file = p.log_file or env.get("MOLT_WASM_LOG")
    local keep = p.keep_artifacts or env.get("MOLT_WASM_KEEP") == "1"
    local workdir = assert(fs.tmpdir("rig-bench-wasm"))
    local function write(payload)
      assert(json.write(json_out, payload, { indent = 2, sort_keys = true }))
    end

    local payload, err, partial = rig.wasm.run {
      workloads = workloads, runner = runner(runner_name),
      control = control_name ~= "none" and runner(control_name) or nil,
      build_cmd = p.build_cmd, cache = p.molt_build_cache,
      build_timeout = p.build_timeout_sec or env_number("MOLT_WASM_BUILD_TIMEOUT_SEC") or 90,
      samples = samples, warmup = warmup, super = p.super, require_linked = p.require_linked,
      run_timeout = p.run_timeout_sec, rss_limit_mb = p.rss_limit_mb, node_max_old_space_mb = max_old,
      python = p.python, workdir = workdir, keep_artifacts = keep,
      log = log_file and function(line, r)
        local text = line
        if r then
          text = text .. ("# exit %s, %.3f s\n"):format(tostring(r.code or r.signal_name), r.wall_s or 0)
            .. (r.stdout or "") .. (r.stderr or "")
        end
        assert(fs.append(log_file, text .. "\n"))
      end or nil,
      on_snapshot = write,
    }
    if keep then
      io.stderr:write("build folders kept in " .. workdir .. "\n")
    else
      fs.remove_tree(workdir, fs.dirname(workdir))
    end
    if not payload then
      if partial then write(partial) end
      ctx.log.error("WASM bench aborted: %s", err.message)
      return 1
    end
    write(payload)

    local rows = {}
    for _, name in ipairs(rig.util.sorted_keys(payload.benchmarks)) do
      local rec = payload.benchmarks[name]
      local median = rec.rig and rec.rig.median_s
      rows[#rows + 1] = { name, rec.molt_wasm_ok and "ok" or "FAIL",
        rec.molt_wasm_ok and ("%.4f"):format(rec.molt_wasm_time_s) or "-",
        type(median) == "number" and ("%.4f"):format(median) or "-",
        rec.molt_wasm_failure_class or "",
        rec.molt_wasm_control_runner and (rec.molt_wasm_control_ok and "ok" or
          tostring(rec.molt_wasm_control_failure_class)) or "" }
    end
    io.stdout:write(rig.md.table(rows, { headers = { "benchmark", "status", "mean s", "median s", "failure class",
      "control" }, align = { "left", "left", "right", "right", "left", "left" }, pad = true }))
    io.stdout:write(("\nresults: %s\n"):format(json_out))
    return 0
  end,
}
