--- Performance gates by category, declared as data: each category has a regression limit and
--- lists its benchmarks (names or Lua patterns); named groups (lock-sensitive subsets) are
--- checked together. A regression fails the gate only when the statistics support it (the
--- interval of the change lies beyond the category's limit), unless `strict` asks for the
--- point estimate alone, as Molt's docs describe the gates.
local check = require "rig.check"
local stats = require "rig.stats"
local json = require "rig.json"

local M = {}

--- Molt's documented categories (docs/BENCHMARKING.md "Performance Gates"), with patterns for
--- Molt's benchmark names; anything unmatched is a general loop.
M.MOLT_CATEGORIES = {
  { name = "vector_reductions", title = "Vector Reductions", max_regression = 0.05,
    patterns = { "^bench_sum", "^bench_min", "^bench_max", "^bench_prod" } },
  { name = "string_kernels", title = "String Kernels", max_regression = 0.07,
    patterns = { "^bench_str_", "^bench_bytes_", "^bench_bytearray_" } },
  { name = "matrix_buffer", title = "Matrix/Buffer", max_regression = 0.05,
    patterns = { "^bench_matrix", "^bench_memoryview", "buffer" } },
  { name = "general_loops", title = "General Loops", max_regression = 0.10, default = true, patterns = {} },
}

local COMPARABLE = { "timing_mode", "warmup", "samples" }

--- Checks a gate definition (from TOML or Lua): {metric?, category = {{name, max_regression,
--- benchmarks?, patterns?, default?}}, group = {{name, benchmarks}}}. Returns it normalized, or
--- nil and a message.
function M.load_definition(def)
  if type(def) ~= "table" then return nil, "a gate definition is a table" end
  local categories = def.category or def.categories
  if type(categories) ~= "table" or #categories == 0 then return nil, "the definition has no [[category]]" end
  for i, c in ipairs(categories) do
    if type(c.name) ~= "string" then return nil, ("category %d has no name"):format(i) end
    if type(c.max_regression) ~= "number" or c.max_regression < 0 then
      return nil, ("category %s: max_regression must be a fraction >= 0 (0.05 = 5%%)"):format(c.name)
    end
    c.benchmarks = c.benchmarks or {}
    c.patterns = c.patterns or {}
  end
  return { metric = def.metric or "molt_time_s", categories = categories, groups = def.group or def.groups or {} }
end

local function category_of(name, categories)
  local fallback
  for _, c in ipairs(categories) do
    for _, b in ipairs(c.benchmarks) do
      if b == name or b .. ".py" == name then return c end
    end
    for _, p in ipairs(c.patterns) do
      if name:find(p) then return c end
    end
    if c.default then fallback = c end
  end
  return fallback
end

local CHECK_OPTIONS = { alpha = check.PROBABILITY, group = "string", strict = "boolean" }
--- Compares a candidate run with a baseline under a definition. opts: strict, group (only the
--- benchmarks of that group), alpha. Returns {incomparable = message?, categories = {{...
--- rows}}, failures = n}.
function M.check(baseline, candidate, def, opts)
  opts = check.options("check", 4, opts, CHECK_OPTIONS)
  local problems = {}
  for _, field in ipairs(COMPARABLE) do
    local b, c = baseline[field], candidate[field]
    if b == nil then problems[#problems + 1] = "baseline missing " .. field
    elseif c == nil then problems[#problems + 1] = "candidate missing " .. field
    elseif b ~= c then problems[#problems + 1] = ("%s differs: candidate=%s, baseline=%s"):format(field,
      tostring(c), tostring(b)) end
  end
  if #problems > 0 then return { incomparable = table.concat(problems, "; ") } end
  local only
  if opts.group then
    for _, g in ipairs(def.groups) do
      if g.name == opts.group then
        only = {}
        for _, b in ipairs(g.benchmarks or {}) do only[b] = true only[b .. ".py"] = true end
      end
    end
    if not only then return { incomparable = "no group named " .. opts.group } end
  end
  local metric = def.metric
  local lane = metric:match("^(.+)_time_s$")
  local rows_by_category = {}
  local failures = 0
  local names = json.keys(candidate.benchmarks or {})
  table.sort(names)
  for _, name in ipairs(names) do
    local new, old = candidate.benchmarks[name], (baseline.benchmarks or {})[name]
    if old and (not only or only[name]) then
      local c = category_of(name, def.categories)
      local a, b = old[metric], new[metric]
      if c and type(a) == "number" and type(b) == "number" and a > 0 then
        local change = b / a - 1
        local row = { benchmark = name, baseline = a, candidate = b, change = change, limit = c.max_regression }
        local sa, sb = lane and old[lane .. "_samples_s"], lane and new[lane .. "_samples_s"]
        if type(sa) == "table" and type(sb) == "table" and #sa >= 2 and #sb >= 2 then
          local cmp = stats.compare(sa, sb, { noise = c.max_regression, alpha = opts.alpha })
          row.ci_low, row.ci_high, row.p_value, row.verdict, row.reason = cmp.ci_low, cmp.ci_high, cmp.p_value,
            cmp.verdict, cmp.reason
        end
        local beyond = change > c.max_regression
        if opts.strict then
          row.failed = beyond
        else
          -- Supported: the whole interval of the ratio lies beyond 1 + limit (verdict slower
          -- with the category's limit as the noise band).
          row.failed = beyond and row.verdict == "slower"
          if beyond and not row.failed then
            row.note = row.verdict and ("not supported by the samples: " .. row.verdict)
              or "no samples to support it (use --strict to gate on the point estimate)"
          end
        end
        if row.failed then failures = failures + 1 end
        rows_by_category[c.name] = rows_by_category[c.name] or {}
        table.insert(rows_by_category[c.name], row)
      end
    end
  end
  local out = {}
  for _, c in ipairs(def.categories) do
    out[#out + 1] = { name = c.name, title = c.title or c.name, limit = c.max_regression,
      rows = rows_by_category[c.name] or {} }
  end
  return { categories = out, failures = failures, metric = metric }
end

--- The result as markdown: a table per category.
function M.markdown(result)
  local md = require "rig.md"
  local parts = { ("# Performance gates (%s)\n"):format(result.metric) }
  for _, c in ipairs(result.categories) do
    parts[#parts + 1] = ("\n## %s (limit %.0f%%)\n\n"):format(c.title, c.limit * 100)
    if #c.rows == 0 then
      parts[#parts + 1] = "No benchmarks in this category.\n"
    else
      local rows = {}
      for i, r in ipairs(c.rows) do
        rows[i] = { r.benchmark, ("%.6f"):format(r.baseline), ("%.6f"):format(r.candidate),
          ("%+.2f%%"):format(r.change * 100),
          r.ci_low and r.ci_low == r.ci_low
            and ("[%+.2f%%, %+.2f%%]"):format((r.ci_low - 1) * 100, (r.ci_high - 1) * 100) or "-",
          r.verdict or "-", r.failed and "FAIL" or (r.note and ("pass (" .. r.note .. ")") or "pass") }
      end
      parts[#parts + 1] = md.table(rows, { headers = { "Benchmark", "Baseline", "Candidate", "Change", "95% CI",
        "Verdict", "Gate" }, align = { "left", "right", "right", "right", "right", "left", "left" } })
    end
  end
  parts[#parts + 1] = ("\n%d regression%s beyond the limits.\n"):format(result.failures,
    result.failures == 1 and "" or "s")
  return table.concat(parts)
end

return M
