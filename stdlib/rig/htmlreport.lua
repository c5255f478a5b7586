--- Self-contained HTML pages with SVG plots (nothing fetched, no script): for rig.measure
--- results, a strip plot with whiskers per benchmark, the relative speeds with their
--- intervals, and for a parameter scan the metric over the parameter with its intervals.
--- Written by hand: the plots are a few rectangles, circles and lines, and a plotting
--- library would need a runtime Rig does not have. docs/compare.md#pictures.
local check = require "rig.check"
local measure = require "rig.measure"
local stats = require "rig.stats"
local util = require "rig.util"

local M = {}

local esc = util.xml_escape
local PALETTE = { "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
  "#9c755f", "#bab0ac" }

local function num(x) return ("%.2f"):format(x) end

-- "Nice" tick values covering [lo, hi] (the last one at or above hi): 1, 2 or 5 times a
-- power of ten apart.
local function ticks(lo, hi, count)
  if hi <= lo then hi = lo + (lo ~= 0 and math.abs(lo) * 0.1 or 1) end
  local raw = (hi - lo) / (count or 5)
  local mag = 10 ^ math.floor(math.log(raw, 10))
  local step = mag
  for _, m in ipairs { 1, 2, 5, 10 } do
    if m * mag >= raw then step = m * mag break end
  end
  local out = {}
  local v = math.floor(lo / step) * step
  while #out < 50 do
    if v >= lo - step * 1e-9 then out[#out + 1] = v end
    if v >= hi - step * 1e-9 then break end
    v = v + step
  end
  return out, step
end

local function unit_of(max_value, metric)
  if metric == "wall" or metric == "user" or metric == "sys" or metric == "cpu" or metric == nil then
    if max_value >= 1 then return 1, "s" end
    if max_value >= 1e-3 then return 1e3, "ms" end
    return 1e6, "µs"
  end
  if metric == "rss" then return 1e-6, "MB" end
  return 1, metric
end

-- The opening tag of a plot of that size.
local function svg_start(width, height)
  return ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img">')
    :format(width, height, width, height)
end

local function label_of(v, factor)
  local x = v * factor
  if x == math.floor(x) and math.abs(x) < 1e15 then return ("%d"):format(x) end
  return ("%.3g"):format(x)
end

--- The strip plot: one row per benchmark, every sample as a dot (jittered), the interquartile
--- box, whiskers to the extremes, the median as a bar and its 95% interval shaded.
---@param rows { name: string, values: number[] }[]
---@param opts? { metric?: string, width?: integer }
---@return string svg
function M.strip_plot(rows, opts)
  check.arg("strip_plot", 1, rows, "list")
  opts = check.options("strip_plot", 2, opts, { metric = "string", width = { "integer", min = 200, max = 4000 } })
  local width, left, right, row_h = opts.width or 900, 260, 30, 52
  local lo, hi = math.huge, -math.huge
  for _, r in ipairs(rows) do
    for _, v in ipairs(r.values) do lo, hi = math.min(lo, v), math.max(hi, v) end
  end
  if lo == math.huge then lo, hi = 0, 1 end
  lo = math.min(0, lo)
  local factor, unit = unit_of(hi, opts.metric)
  local tick_values = ticks(lo, hi)
  local top = tick_values[#tick_values]
  local height = 30 + row_h * #rows + 40
  local function x(v) return left + (v - lo) / (top - lo) * (width - left - right) end
  local out = { svg_start(width, height) }
  for _, t in ipairs(tick_values) do
    out[#out + 1] = ('<line x1="%s" y1="20" x2="%s" y2="%d" stroke="#ddd"/><text x="%s" y="%d" font-size="11" '
      .. 'text-anchor="middle" fill="#555">%s</text>'):format(num(x(t)), num(x(t)), height - 30, num(x(t)), height - 14,
      esc(label_of(t, factor)))
  end
  out[#out + 1] = ('<text x="%d" y="%d" font-size="12" text-anchor="middle" fill="#333">%s [%s]</text>'):format(
    (left + width - right) // 2, height - 1, esc(opts.metric == nil and "time" or opts.metric), esc(unit))
  local jitter = 0
  for i, r in ipairs(rows) do
    local cy = 30 + row_h * (i - 1) + row_h / 2
    local color = PALETTE[(i - 1) % #PALETTE + 1]
    out[#out + 1] = ('<text x="%d" y="%s" font-size="12" text-anchor="end" fill="#222">%s</text>'):format(left - 10,
      num(cy + 4), esc(#r.name > 36 and (r.name:sub(1, 34) .. "…") or r.name))
    if #r.values > 0 then
      local s = stats.summary(r.values)
      local ci = stats.median_ci(r.values)
      out[#out + 1] = ('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#888"/>'):format(num(x(s.min)), num(cy),
        num(x(s.max)), num(cy))
      out[#out + 1] = ('<rect x="%s" y="%s" width="%s" height="16" fill="%s" fill-opacity="0.18" stroke="%s"/>')
        :format(num(x(s.q1)), num(cy - 8), num(math.max(1, x(s.q3) - x(s.q1))), color, color)
      if ci.low > -math.huge then
        out[#out + 1] = ('<rect x="%s" y="%s" width="%s" height="20" fill="%s" fill-opacity="0.45"><title>95%% CI of '
          .. 'the median: %s to %s %s</title></rect>'):format(num(x(ci.low)), num(cy - 10),
          num(math.max(1.5, x(ci.high) - x(ci.low))), color, label_of(ci.low, factor), label_of(ci.high, factor),
          esc(unit))
      end
      for _, v in ipairs(r.values) do
        jitter = (jitter * 1103515245 + 12345) % 2147483648
        out[#out + 1] = ('<circle cx="%s" cy="%s" r="2.2" fill="%s" fill-opacity="0.7"/>'):format(num(x(v)),
          num(cy + 13 + (jitter % 1000) / 1000 * 7), color)
      end
      out[#out + 1] = ('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#000" stroke-width="2.5"><title>median %s %s'
        .. '</title></line>'):format(num(x(s.median)), num(cy - 12), num(x(s.median)), num(cy + 12),
        label_of(s.median, factor), esc(unit))
    end
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

--- Relative speeds: each benchmark's ratio to the reference with its interval, a line at 1
--- and the noise band shaded.
---@param rows { name: string, ratio: number, low: number, high: number, verdict: string }[]
---@param opts? { noise?: number, reference?: string }
---@return string svg
function M.ratio_plot(rows, opts)
  check.arg("ratio_plot", 1, rows, "list")
  opts = check.options("ratio_plot", 2, opts, { noise = { "number", min = 0, lt = 1 }, reference = "string" })
  local width, left, right, row_h = 900, 260, 30, 34
  local lo, hi = 1, 1
  for _, r in ipairs(rows) do
    for _, v in ipairs { r.ratio, r.low, r.high } do
      if v == v and v > -math.huge and v < math.huge then lo, hi = math.min(lo, v), math.max(hi, v) end
    end
  end
  local pad = (hi - lo) * 0.1 + 0.02
  lo, hi = math.max(0, lo - pad), hi + pad
  local height = 30 + row_h * math.max(1, #rows) + 40
  local function x(v) return left + (v - lo) / (hi - lo) * (width - left - right) end
  local out = { svg_start(width, height) }
  local noise = opts.noise or 0.02
  out[#out + 1] = ('<rect x="%s" y="20" width="%s" height="%d" fill="#9c9" fill-opacity="0.25"><title>noise band '
    .. '±%g%%</title></rect>'):format(num(x(1 - noise)), num(x(1 + noise) - x(1 - noise)), height - 50, noise * 100)
  for _, t in ipairs((ticks(lo, hi))) do
    out[#out + 1] = ('<line x1="%s" y1="20" x2="%s" y2="%d" stroke="#eee"/><text x="%s" y="%d" font-size="11" '
      .. 'text-anchor="middle" fill="#555">%s×</text>'):format(num(x(t)), num(x(t)), height - 30, num(x(t)),
      height - 14, ("%.3g"):format(t))
  end
  out[#out + 1] = ('<line x1="%s" y1="20" x2="%s" y2="%d" stroke="#333" stroke-dasharray="4 3"/>'):format(num(x(1)),
    num(x(1)), height - 30)
  out[#out + 1] = ('<text x="%d" y="%d" font-size="12" text-anchor="middle" fill="#333">median ratio to %s (&lt;1: '
    .. 'faster)</text>'):format((left + width - right) // 2, height - 1, esc(opts.reference or "the reference"))
  local colors = { faster = "#2a7", slower = "#c33", same = "#37a", inconclusive = "#b80", failed = "#999" }
  for i, r in ipairs(rows) do
    local cy = 30 + row_h * (i - 1) + row_h / 2
    local color = colors[r.verdict] or "#555"
    out[#out + 1] = ('<text x="%d" y="%s" font-size="12" text-anchor="end" fill="#222">%s</text>'):format(left - 10,
      num(cy + 4), esc(#r.name > 36 and (r.name:sub(1, 34) .. "…") or r.name))
    if r.low == r.low and r.low > -math.huge and r.high < math.huge then
      out[#out + 1] = ('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="3"/>'):format(num(x(r.low)),
        num(cy), num(x(r.high)), num(cy), color)
    end
    if r.ratio == r.ratio then
      out[#out + 1] = ('<circle cx="%s" cy="%s" r="5" fill="%s"><title>%s: %.3f× [%.3f, %.3f] %s</title></circle>')
        :format(num(x(r.ratio)), num(cy), color, esc(r.name), r.ratio, r.low, r.high, esc(r.verdict))
      out[#out + 1] = ('<text x="%s" y="%s" font-size="11" fill="%s">%s</text>'):format(num(x(r.ratio) + 8),
        num(cy - 7), color, esc(r.verdict))
    end
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

--- The metric over a numeric parameter: one line per group (the command) through the
--- medians, with the 95% intervals as error bars.
---@param series { name: string, points: { x: number, median: number, low: number, high: number }[] }[]
---@param opts? { parameter?: string, metric?: string }
---@return string svg
function M.scan_plot(series, opts)
  check.arg("scan_plot", 1, series, "list")
  opts = check.options("scan_plot", 2, opts, { parameter = "string", metric = "string" })
  local width, height, left, right, top_pad, bottom = 900, 420, 80, 200, 20, 50
  local xlo, xhi, yhi = math.huge, -math.huge, 0
  for _, s in ipairs(series) do
    for _, pt in ipairs(s.points) do
      xlo, xhi = math.min(xlo, pt.x), math.max(xhi, pt.x)
      yhi = math.max(yhi, pt.high < math.huge and pt.high or pt.median)
    end
  end
  if xlo == math.huge then xlo, xhi = 0, 1 end
  if xhi == xlo then xhi = xlo + 1 end
  local factor, unit = unit_of(yhi, opts.metric)
  local yt = ticks(0, yhi)
  local ytop = yt[#yt]
  local function x(v) return left + (v - xlo) / (xhi - xlo) * (width - left - right) end
  local function y(v) return height - bottom - v / ytop * (height - bottom - top_pad) end
  local out = { svg_start(width, height) }
  for _, t in ipairs(yt) do
    out[#out + 1] = ('<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#eee"/><text x="%d" y="%s" font-size="11" '
      .. 'text-anchor="end" fill="#555">%s</text>'):format(left, num(y(t)), width - right, num(y(t)), left - 6,
      num(y(t) + 4), esc(label_of(t, factor)))
  end
  for _, t in ipairs((ticks(xlo, xhi, 8))) do
    out[#out + 1] = ('<text x="%s" y="%d" font-size="11" text-anchor="middle" fill="#555">%s</text>'):format(
      num(x(t)), height - bottom + 16, ("%.4g"):format(t))
  end
  out[#out + 1] = ('<text x="%d" y="%d" font-size="12" text-anchor="middle" fill="#333">%s</text>'):format(
    (left + width - right) // 2, height - 12, esc(opts.parameter or "parameter"))
  out[#out + 1] = ('<text x="14" y="%d" font-size="12" fill="#333" transform="rotate(-90 14 %d)" '
    .. 'text-anchor="middle">median %s [%s]</text>'):format(height // 2, height // 2,
    esc(opts.metric or "time"), esc(unit))
  for i, s in ipairs(series) do
    local color = PALETTE[(i - 1) % #PALETTE + 1]
    table.sort(s.points, function(a, b) return a.x < b.x end)
    local path = {}
    for k, pt in ipairs(s.points) do
      path[#path + 1] = (k == 1 and "M" or "L") .. num(x(pt.x)) .. " " .. num(y(pt.median))
    end
    out[#out + 1] = ('<path d="%s" fill="none" stroke="%s" stroke-width="2"/>'):format(table.concat(path, " "), color)
    for _, pt in ipairs(s.points) do
      if pt.low > -math.huge and pt.high < math.huge then
        out[#out + 1] = ('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>'):format(num(x(pt.x)), num(y(pt.low)),
          num(x(pt.x)), num(y(pt.high)), color)
      end
      out[#out + 1] = ('<circle cx="%s" cy="%s" r="3.5" fill="%s"><title>%s = %s: median %s %s</title></circle>')
        :format(num(x(pt.x)), num(y(pt.median)), color, esc(opts.parameter or "x"), ("%.4g"):format(pt.x),
        label_of(pt.median, factor), esc(unit))
    end
    out[#out + 1] = ('<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d" font-size="12" '
      .. 'fill="#222">%s</text>'):format(width - right + 16, top_pad + 20 * (i - 1), color, width - right + 34,
      top_pad + 20 * (i - 1) + 11, esc(#s.name > 24 and (s.name:sub(1, 22) .. "…") or s.name))
  end
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

local PAGE = [[<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.faster{color:#2a7}.slower{color:#c33}.same{color:#37a}
.inconclusive{color:#b80}.note{color:#555;font-size:90%%}</style></head><body>
<h1>%s</h1>
%s
</body></html>
]]

-- A benchmark's name without its parameter values, for grouping a scan.
local function group_of(b)
  return b.command_index
end

--- The page for a rig.measure result: a table of medians, intervals and verdicts, the strip
--- plot, the ratio plot, and for a scan over one numeric parameter the scan plot.
---@param result table from rig.measure.run
---@param opts? { title?: string, noise?: number }
---@return string html
function M.compare(result, opts)
  check.arg("compare", 1, result, "table")
  opts = check.options("compare", 2, opts, { title = "string", noise = { "number", min = 0, lt = 1 } })
  local title = opts.title or "Rig comparison"
  local body = {}
  local rows, ratios = {}, {}
  local ref = result.reference and result.benchmarks[result.reference]
  local biggest = 0
  for _, b in ipairs(result.benchmarks) do
    for _, v in ipairs(measure.samples(b)) do biggest = math.max(biggest, v) end
  end
  local factor, unit = unit_of(biggest, result.metric)
  local function shown(v) return ("%.4g"):format(v * factor) end
  body[#body + 1] = ("<table><tr><th>command</th><th>runs</th><th>median [%s]</th><th>95%% CI [%s]</th>"
    .. "<th>ratio</th><th>verdict</th></tr>"):format(esc(unit), esc(unit))
  for i, b in ipairs(result.benchmarks) do
    local values = measure.samples(b)
    rows[#rows + 1] = { name = b.name, values = values }
    local s = measure.summary(b)
    local c = result.comparisons and result.comparisons[i]
    local verdict = i == result.reference and "reference" or (c and c.verdict) or (b.failure and "failed") or ""
    body[#body + 1] = ('<tr><td>%s</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td class="%s">%s</td></tr>')
      :format(esc(b.name), #b.runs, s and shown(s.median) or "-",
        s and s.ci_low > -math.huge and (shown(s.ci_low) .. " … " .. shown(s.ci_high)) or "too few runs",
        c and c.ratio and ("%.3f [%.3f, %.3f]"):format(c.ratio, c.ci_low or 0 / 0, c.ci_high or 0 / 0) or "",
        esc(verdict), esc(verdict))
    if c and c.ratio then
      ratios[#ratios + 1] = { name = b.name, ratio = c.ratio, low = c.ci_low or 0 / 0, high = c.ci_high or 0 / 0,
        verdict = c.verdict }
    end
  end
  body[#body + 1] = "</table>"
  if result.stop_reason then
    body[#body + 1] = ('<p class="note">Stopped: %s. Metric: %s. Order: %s.</p>'):format(esc(result.stop_reason),
      esc(result.metric or "wall"), esc(result.order or ""))
  end
  body[#body + 1] = "<h2>Every run</h2>"
  body[#body + 1] = '<p class="note">Dots are runs; the box is the middle half; the dark band is the 95% '
    .. "interval of the median, the black bar the median.</p>"
  body[#body + 1] = M.strip_plot(rows, { metric = result.metric })
  if #ratios > 0 then
    body[#body + 1] = "<h2>Relative to " .. esc(ref and ref.name or "the reference") .. "</h2>"
    body[#body + 1] = M.ratio_plot(ratios, { noise = opts.noise, reference = ref and ref.name })
  end
  -- A scan: one numeric parameter, several values.
  local names = result.benchmarks[1] and result.benchmarks[1].parameter_order or {}
  if #names == 1 and #result.benchmarks > 2 then
    local groups, order = {}, {}
    local numeric = true
    for _, b in ipairs(result.benchmarks) do
      local xv = tonumber(b.parameters[names[1]])
      numeric = numeric and xv ~= nil
      local values = measure.samples(b)
      if xv and #values > 0 then
        local g = group_of(b)
        if not groups[g] then
          groups[g] = { name = b.template or ("command " .. g), points = {} }
          order[#order + 1] = g
        end
        local s, ci = stats.summary(values), stats.median_ci(values)
        groups[g].points[#groups[g].points + 1] = { x = xv, median = s.median, low = ci.low, high = ci.high }
      end
    end
    if numeric and #order > 0 then
      local series = {}
      for _, g in ipairs(order) do series[#series + 1] = groups[g] end
      body[#body + 1] = "<h2>Over " .. esc(names[1]) .. "</h2>"
      body[#body + 1] = M.scan_plot(series, { parameter = names[1], metric = result.metric })
    end
  end
  return PAGE:format(esc(title), esc(title), table.concat(body, "\n"))
end

local VERDICT_COLORS = { good = "#2a7", bad = "#c33", skip = "#999" }

--- The metric along the bisected commits: x is the commit's place between good (0) and bad,
--- y the probe's ratio to the good build with its interval (a slowdown bisection, with the
--- threshold as a dashed line) or its failure rate with its 95% Wilson interval; skipped
--- commits are grey crosses, and the first bad commit a red band.
---@param report table from rig.bisect.git
---@return string svg
function M.bisect_plot(report)
  check.arg("bisect_plot", 1, report, "table")
  local q = report.question or {}
  local slowdown = q.mode == "slowdown"
  local n = math.max(1, #(report.commits or {}) - 1)
  local width, height, left, right, top_pad, bottom = 900, 400, 70, 30, 20, 90
  local points = {}
  local index_of = {}
  for _, c in ipairs(report.commits or {}) do index_of[c.sha] = c.index end
  local function add(p)
    local x = p.index or index_of[p.sha]
    if not x then return end
    local y, lo, hi
    if slowdown then
      y, lo, hi = p.ratio, p.ci_low, p.ci_high
      if p.role == "good endpoint" then y, lo, hi = 1, 1, 1 end
    else
      y, lo, hi = p.rate, p.rate_low, p.rate_high
    end
    points[#points + 1] = { x = x, y = y, lo = lo, hi = hi, p = p }
  end
  if slowdown then add { role = "good endpoint", sha = q.good, verdict = "good" } end
  for _, p in ipairs(report.endpoints or {}) do add(p) end
  for _, p in ipairs(report.probes or {}) do add(p) end
  local ylo, yhi = slowdown and math.huge or 0, slowdown and -math.huge or 1
  local limit = slowdown and 1 + (q.threshold or 0) or nil
  for _, pt in ipairs(points) do
    for _, v in ipairs { pt.y, pt.lo, pt.hi } do
      if type(v) == "number" and v == v and v > -math.huge and v < math.huge then
        ylo, yhi = math.min(ylo, v), math.max(yhi, v)
      end
    end
  end
  if slowdown then
    if ylo == math.huge then ylo, yhi = 1, 1 end
    ylo, yhi = math.min(ylo, 1), math.max(yhi, limit)
    local pad = (yhi - ylo) * 0.1 + 0.01
    ylo, yhi = ylo - pad, yhi + pad
  end
  local function x(v) return left + v / n * (width - left - right) end
  local function y(v) return height - bottom - (v - ylo) / (yhi - ylo) * (height - bottom - top_pad) end
  local out = { svg_start(width, height) }
  for _, t in ipairs((ticks(ylo, yhi))) do
    if t >= ylo and t <= yhi then
      out[#out + 1] = ('<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#eee"/><text x="%d" y="%s" font-size="11" '
        .. 'text-anchor="end" fill="#555">%s</text>'):format(left, num(y(t)), width - right, num(y(t)), left - 6,
        num(y(t) + 4), slowdown and ("%.3g×"):format(t) or ("%d%%"):format(math.floor(t * 100 + 0.5)))
    end
  end
  local a = report.answer
  if a and a.index then
    local x0, x1 = x(a.index - 1), x(a.index)
    out[#out + 1] = ('<rect x="%s" y="%d" width="%s" height="%d" fill="#c33" fill-opacity="0.12"><title>first bad '
      .. 'commit %s</title></rect>'):format(num(x0), top_pad, num(x1 - x0), height - bottom - top_pad,
      esc((a.sha or ""):sub(1, 12)))
  end
  if limit then
    out[#out + 1] = ('<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#c33" stroke-dasharray="5 4"/><text x="%d" '
      .. 'y="%s" font-size="11" text-anchor="end" fill="#c33">threshold %s×</text>'):format(left, num(y(limit)),
      width - right, num(y(limit)), width - right, num(y(limit) - 5), ("%.3g"):format(limit))
    out[#out + 1] = ('<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#333" stroke-dasharray="2 3"/>'):format(left,
      num(y(1)), width - right, num(y(1)))
  end
  out[#out + 1] = ('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>'):format(left, height - bottom,
    width - right, height - bottom)
  table.sort(points, function(p1, p2) return p1.x < p2.x end)
  for _, pt in ipairs(points) do
    local p = pt.p
    local cx = x(pt.x)
    local color = VERDICT_COLORS[p.verdict] or "#555"
    local label = (p.sha or ""):sub(1, 8)
    out[#out + 1] = ('<text transform="translate(%s,%d) rotate(-50)" font-size="10" text-anchor="end" fill="#444">'
      .. '%s</text>'):format(num(cx + 3), height - bottom + 12, esc(label))
    local title = esc(("%s %s: %s"):format((p.sha or ""):sub(1, 12), p.role or ("step " .. tostring(p.step or "")),
      require("rig.bisect").describe(p)))
    if p.verdict == "skip" or type(pt.y) ~= "number" then
      local cy = height - bottom - 10
      out[#out + 1] = ('<path d="M%s %s l8 8 m0 -8 l-8 8" stroke="#999" stroke-width="2"><title>%s</title></path>')
        :format(num(cx - 4), num(cy - 4), title)
    else
      if type(pt.lo) == "number" and type(pt.hi) == "number" and pt.lo > -math.huge and pt.hi < math.huge then
        out[#out + 1] = ('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"/>'):format(num(cx),
          num(y(math.max(pt.lo, ylo))), num(cx), num(y(math.min(pt.hi, yhi))), color)
      end
      out[#out + 1] = ('<circle cx="%s" cy="%s" r="5" fill="%s"%s><title>%s</title></circle>'):format(num(cx),
        num(y(pt.y)), color, p.sure == false and ' fill-opacity="0.4" stroke="#000"' or "", title)
    end
  end
  out[#out + 1] = ('<text x="%d" y="%d" font-size="12" text-anchor="middle" fill="#333">commits from good (left) '
    .. 'to bad (right); %s</text>'):format((left + width - right) // 2, height - 4, slowdown
    and "paired ratio to the good build (geometric mean over rounds), with its interval"
    or "failure rate, with its 95% interval")
  out[#out + 1] = "</svg>"
  return table.concat(out, "\n")
end

--- The page for a bisection report (rig.bisect.git): the answer, the plot along the
--- commits, and the probes in the order they ran.
---@param report table
---@param opts? { title?: string }
---@return string html
function M.bisect(report, opts)
  check.arg("bisect", 1, report, "table")
  opts = check.options("bisect", 2, opts, { title = "string" })
  local bisect = require "rig.bisect"
  local title = opts.title or "Rig bisection"
  local body = {}
  local a = report.answer
  local headline
  if report.error then
    headline = "No answer: " .. report.error
  elseif a and a.sha then
    headline = ("First bad commit: %s %s"):format(a.sha:sub(1, 12), a.subject or "")
  elseif a then
    local names = {}
    for _, c in ipairs(a.candidates or {}) do names[#names + 1] = c.sha:sub(1, 12) end
    headline = "The first bad commit is one of " .. table.concat(names, ", ")
  end
  body[#body + 1] = "<p><b>" .. esc(headline or "") .. "</b></p>"
  if a and a.confidence then
    body[#body + 1] = ('<p class="note">Confidence at least %.1f%% (a union bound over the probes\' error '
      .. 'rates). %d probes, %d runs.</p>'):format(a.confidence * 100, #(report.probes or {}), report.runs or 0)
  end
  body[#body + 1] = M.bisect_plot(report)
  body[#body + 1] = "<table><tr><th>step</th><th>commit</th><th>subject</th><th>verdict</th><th>evidence</th>"
    .. "<th>runs</th></tr>"
  local function row(label, p)
    local cls = p.verdict == "bad" and "slower" or p.verdict == "good" and "same" or "inconclusive"
    body[#body + 1] = ('<tr><td>%s</td><td>%s</td><td>%s</td><td class="%s">%s</td><td>%s</td><td>%d</td></tr>')
      :format(esc(label), esc((p.sha or ""):sub(1, 12)), esc(p.subject or ""), cls, esc(p.verdict or ""),
        esc((bisect.describe(p):gsub("^[^:]*: ", ""))), p.runs or 0)
  end
  for _, p in ipairs(report.endpoints or {}) do row(p.role or "endpoint", p) end
  for _, p in ipairs(report.probes or {}) do row(tostring(p.step), p) end
  body[#body + 1] = "</table>"
  return PAGE:format(esc(title), esc(title), table.concat(body, "\n"))
end

return M
