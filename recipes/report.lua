-- Molt's combined native + wasm report (tools/bench_report.py): the same markdown, byte for
-- byte, the STATUS block, and --check for stale reports.
return rig.recipe {
  description = "Combined native + wasm benchmark report (Molt's bench_report.py), with --check and the STATUS block.",
  params = {
    { "manifest", type = "path", help = "JSON naming native, wasm, out, status_doc, startup_audit (repo-relative)" },
    { "native", type = "path", help = "native results (default bench/results/bench.json)" },
    { "wasm", type = "path", help = "wasm results (default bench/results/bench_wasm.json)" },
    { "startup_audit", type = "path", help = "output_startup_size_audit.py JSON (missing: the section says so)" },
    { "out", type = "path", help = "report path (default docs/benchmarks/bench_summary.md)" },
    { "check", type = "boolean", default = false, help = "exit 1 when the file on disk is stale; write nothing" },
    { "update_status_doc", type = "boolean", default = false, help = "rewrite the GENERATED:bench-summary block" },
    { "status_doc_path", type = "path", help = "the status document (default docs/spec/STATUS.md)" },
    { "update_readme", type = "path", help = "also rewrite the same block in this file (a README)" },
    { "html", type = "path", help = "also write a self-contained HTML page: CIs, verdicts, sample plots" },
  },
  examples = { "rig run report --manifest bench/results/docs_manifest.json --check" },
  run = function(p, ctx)
    local json, fs, md = rig.json, rig.fs, rig.md
    local manifest = {}
    if p.manifest then
      local m, err = json.read(p.manifest)
      if not m then
        ctx.log.error("%s", err.message)
        return 2
      end
      manifest = m
    end
    local native_path = p.native or manifest.native or "bench/results/bench.json"
    local wasm_path = p.wasm or manifest.wasm or "bench/results/bench_wasm.json"
    local out_path = p.out or manifest.out or "docs/benchmarks/bench_summary.md"
    local status_path = p.status_doc_path or manifest.status_doc or "docs/spec/STATUS.md"
    local audit_path = p.startup_audit or (p.manifest and manifest.startup_audit) or nil
    -- The markdown needs a few fields of each benchmark; the HTML page needs the samples too.
    local only = not p.html and rig.report.PROJECTION or nil
    local function load(path, projection)
      local v, err = rig.bench.read_results(path, projection and { only = projection } or nil)
      if not v then
        ctx.log.error("%s", err.code == "not_found" and ("missing benchmark file: " .. path) or err.message)
      end
      return v
    end
    local native, wasm = load(native_path, only), load(wasm_path, only)
    if not native or not wasm then return 1 end
    local audit = audit_path and fs.exists(audit_path) and load(audit_path) or nil
    local report = rig.report.render(native_path, wasm_path, native, wasm, { startup_audit = audit })
    if p.check then
      local current = fs.read(out_path)
      if not current then
        io.stderr:write("missing generated benchmark report: ", out_path, "\n")
        return 1
      end
      if current ~= report then
        io.stderr:write("stale generated benchmark report: ", out_path, "\n")
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
      assert(fs.write(p.html, rig.report.html(native_path, wasm_path, native, wasm)))
      io.stdout:write("wrote ", p.html, "\n")
    end
    local start_marker, end_marker = "<!-- GENERATED:bench-summary:start -->", "<!-- GENERATED:bench-summary:end -->"
    local targets = {}
    if p.update_status_doc then targets[#targets + 1] = status_path end
    if p.update_readme then targets[#targets + 1] = p.update_readme end
    -- Built only when asked for: it sorts every benchmark three ways.
    local block = #targets > 0 and rig.report.status_block(native, wasm) or nil
    for _, path in ipairs(targets) do
      if p.check then
        local text = fs.read(path)
        local updated = text and md.replace_block_text(text, start_marker, end_marker, block)
        if not text or updated ~= text then
          io.stderr:write("stale generated STATUS benchmark block: ", path, "\n")
          return 1
        end
      else
        local changed, err = md.replace_block(path, start_marker, end_marker, block)
        if changed == nil then
          ctx.log.error("%s", err.message)
          return 1
        end
      end
    end
    if not p.check then io.stdout:write("wrote ", out_path, "\n") end
    return 0
  end,
}
