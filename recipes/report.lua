-- Molt's combined native + wasm report (tools/bench_report.py): the same markdown, byte for
-- byte, the STATUS block, and --check for stale reports.
return rig.recipe {
  description = "Combined native + wasm benchmark report (Molt's bench_report.py), with --check and the STATUS block.",
  params = {
    { "manifest", type = "path",
      help = "JSON naming native, wasm, out, status_doc, startup_audit (repo-relative; default "
        .. "bench/results/docs_manifest.json when the repository has one)" },
    { "native", type = "path", help = "native results (default bench/results/bench.json)" },
    { "wasm", type = "path", help = "wasm results (default bench/results/bench_wasm.json)" },
    { "startup_audit", type = "path",
      help = "output_startup_size_audit.py JSON (default bench/results/output_startup_size_audit.json; "
        .. "missing: no section)" },
    { "out", type = "path", help = "report path (default docs/benchmarks/bench_summary.md)" },
    { "check", type = "boolean", default = false, help = "exit 1 when the file on disk is stale; write nothing" },
    { "update_status_doc", type = "boolean", default = false, help = "rewrite the GENERATED:bench-summary block" },
    { "status_doc_path", type = "path", help = "the status document (default docs/spec/STATUS.md)" },
    { "update_readme", type = "path", help = "also rewrite the same block in this file (a README)" },
    { "html", type = "path", help = "also write a self-contained HTML page: CIs, verdicts, sample plots" },
    { "repo_root", type = "path",
      help = "the repository (default: the nearest folder up holding .git or pyproject.toml)" },
  },
  examples = { "rig run report --manifest bench/results/docs_manifest.json --check" },
  run = function(p)
    local json, fs, md = rig.json, rig.fs, rig.md
    -- Molt's messages, plain on stderr.
    local function fail(fmt, ...) io.stderr:write(fmt:format(...), "\n") end
    -- The repository root: --repo-root, else the nearest folder up from here holding .git or
    -- pyproject.toml (Molt's tool finds it from its own place in the tree), else here.
    local root = p.repo_root and (fs.realpath(p.repo_root) or p.repo_root) or rig.molt.repo_root()
    -- Molt's default manifest, when the repository has one; its entries are repo-relative.
    local manifest_path = p.manifest
    if not manifest_path and fs.exists(root .. "/bench/results/docs_manifest.json") then
      manifest_path = root .. "/bench/results/docs_manifest.json"
    end
    local manifest = {}
    if manifest_path then
      local m, err = json.read(manifest_path)
      if not m then
        fail("%s", err.message)
        return 2
      end
      manifest = m
    end
    local function from_manifest(key)
      local v = manifest[key]
      if type(v) ~= "string" or v == "" then return nil end
      return v:sub(1, 1) == "/" and v or (root .. "/" .. v)
    end
    local native_path = p.native or from_manifest("native") or "bench/results/bench.json"
    local wasm_path = p.wasm or from_manifest("wasm") or "bench/results/bench_wasm.json"
    local out_path = p.out or from_manifest("out") or "docs/benchmarks/bench_summary.md"
    local status_path = p.status_doc_path or from_manifest("status_doc") or "docs/spec/STATUS.md"
    local audit_path = p.startup_audit or from_manifest("startup_audit")
      or "bench/results/output_startup_size_audit.json"
    -- Input paths as the report shows them: repo-relative when they are inside the repository.
    local function shown(path)
      if path:sub(1, 1) ~= "/" then return path end
      local n = fs.normalize(path)
      if n:sub(1, #root + 1) == root .. "/" then return n:sub(#root + 2) end
      return path
    end
    -- The markdown needs a few fields of each benchmark; the HTML page needs the samples too.
    local only = not p.html and rig.report.PROJECTION or nil
    local function load(path, projection)
      local v, err = rig.bench.read_results(path, projection and { only = projection } or nil)
      if not v then
        fail("%s", err.code == "not_found" and ("missing benchmark file: " .. path) or err.message)
      end
      return v
    end
    local native, wasm = load(native_path, only), load(wasm_path, only)
    if not native or not wasm then return 1 end
    -- A missing audit is an empty section, as in Molt.
    local audit = fs.exists(audit_path) and load(audit_path) or nil
    local report = rig.report.render(shown(native_path), shown(wasm_path), native, wasm, { startup_audit = audit })
    if p.check then
      local current = fs.read(out_path)
      if not current then
        fail("missing generated benchmark report: %s", out_path)
        return 1
      end
      if current ~= report then
        fail("stale generated benchmark report: %s", out_path)
        return 1
      end
    else
      local dir = fs.dirname(out_path)
      if dir ~= "." then fs.mkdir(dir) end
      assert(fs.write(out_path, report))
    end
    if p.html and not p.check then
      local dir = fs.dirname(p.html)
      if dir ~= "." then fs.mkdir(dir) end
      assert(fs.write(p.html, rig.report.html(shown(native_path), shown(wasm_path), native, wasm)))
      io.stderr:write("wrote ", p.html, "\n")
    end
    local start_marker, end_marker = "<!-- GENERATED:bench-summary:start -->", "<!-- GENERATED:bench-summary:end -->"
    local targets = {}
    if p.update_status_doc then targets[#targets + 1] = status_path end
    if p.update_readme then targets[#targets + 1] = p.update_readme end
    -- Built only when asked for: it sorts every benchmark three ways.
    local block = #targets > 0 and rig.report.status_block(native, wasm, { startup_audit = audit }) or nil
    for _, path in ipairs(targets) do
      local text = fs.read(path)
      if not text then
        fail("missing generated STATUS doc: %s", path)
        return 1
      end
      local updated = md.replace_block_text(text, start_marker, end_marker, block)
      if not updated then
        fail("missing status markers %s/%s in %s", start_marker, end_marker, path)
        return 1
      end
      if p.check then
        if updated ~= text then
          fail("stale generated STATUS benchmark block: %s", path)
          return 1
        end
      elseif updated ~= text then
        assert(fs.write(path, updated))
      end
    end
    return 0
  end,
}
