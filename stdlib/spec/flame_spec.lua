-- rig.flame (folded stacks, perf script, SVG flame graphs) and rig.callgrind, on real
-- profiler output of a program with a known call tree (Tests/Fixtures/profiles/README.md).
local fs = rig.fs

local root = debug.getinfo(1, "S").source:match("^@(.*)/stdlib/spec/[^/]+$") or "."
local fixtures = root .. "/Tests/Fixtures/profiles/"

local function count(text, pattern)
  local n = 0
  for _ in text:gmatch(pattern) do n = n + 1 end
  return n
end

local function by_path(tree)
  local out = {}
  for _, f in ipairs(rig.flame.frames(tree)) do out[f.path] = f end
  return out
end

describe("rig.flame", function()
  it("builds the call tree from folded stacks, adding repeated stacks", function()
    local tree = assert(rig.flame.parse_folded("main;a;spin 30\nmain;b;spin 10\n\nmain;a;spin 6\nmain 4\n"))
    assert.equal(50, tree.total)
    local f = by_path(tree)
    assert.equal(50, f.main.total)
    assert.equal(4, f.main.self)
    assert.equal(36, f["main;a"].total)
    assert.equal(36, f["main;a;spin"].self)
    assert.equal(10, f["main;b;spin"].total)
    local top = rig.flame.top_self(tree)
    assert.same({ name = "spin", self = 46, share = 46 / 50 }, top[1])
  end)

  it("names the line of malformed folded input", function()
    local tree, err = rig.flame.parse_folded("a;b 1\na;b lots\n", "x.folded")
    assert.is_nil(tree)
    assert.equal("folded_syntax", err.code)
    assert.equal(2, err.line)
    assert.matches("^x%.folded:2: expected 'frame;frame;%.%.%. COUNT'", err.message)
    assert.is_nil((rig.flame.parse_folded("a;b -3\n")))
    assert.is_nil((rig.flame.parse_folded("5\n")))
  end)

  it("counts py-spy's frameless samples at the root", function()
    local tree = assert(rig.flame.parse_folded(" 1\nmain;a 2\n"))
    assert.equal(3, tree.total)
    assert.equal(1, tree.self)
  end)

  it("folds real perf script output into the program's call tree, 3:1 as the program spends it", function()
    local folded = rig.flame.fold_perf_script(assert(fs.read(fixtures .. "tree_perf_script.txt")))
    local tree = assert(rig.flame.parse_folded(folded))
    assert.equal(178, tree.total)
    local f = by_path(tree)
    local a = f["tree0;__libc_start_call_main;main;a;leaf;spin"].total
    local b = f["tree0;__libc_start_call_main;main;b;spin"].total
    assert.equal(133, a)
    assert.equal(45, b)
    assert.near(3.0, a / b, 0.15)
    -- Offsets are gone and kernel frames stay above the user frame they interrupted.
    assert.is_nil(folded:find("+0x", 1, true))
    assert.contains("main;a;leaf;spin;asm_sysvec_apic_timer_interrupt;", folded)
  end)

  it("draws one labelled, stably coloured rectangle per visible frame", function()
    local tree = assert(rig.flame.parse_folded(
      "main;a;spin 30\nmain;b;spin 10\nmain;b;a_really_long_function_name 1\n"))
    local svg = rig.flame.svg(tree, { title = "t <1>", width = 600 })
    assert.equal(1 + #rig.flame.frames(tree), count(svg, "<rect x="))
    assert.contains("t &lt;1&gt;", svg)
    -- spin appears twice with the same colour; 40 of 41 samples under main;*;spin.
    local colours = {}
    for name, fill in svg:gmatch("<title>(%S+) %(.-<rect [^>]-fill=\"([^\"]+)\"") do
      colours[name] = colours[name] or {}
      colours[name][fill] = true
    end
    local n = 0
    for _ in pairs(colours.spin) do n = n + 1 end
    assert.equal(1, n)
    -- A frame too narrow for its name is cut with "..", never drawn past its box; one too
    -- narrow for three characters has no label.
    local narrow = rig.flame.svg(assert(rig.flame.parse_folded("main;short 10\nmain;a_really_long_function_name 10\n")),
      { width = 300 })
    assert.contains(">a_really_long_func..</text>", narrow)
    assert.contains(">short</text>", narrow)
    assert.is_nil(svg:find("<text [^>]*>a_r"))
    assert.equal(count(svg, "<g>"), count(svg, "</g>"))
    assert.is_nil(svg:find("%%", 1, true))
    -- A deep stack too narrow to draw does not make the picture taller.
    local deep = { "main;a 100000" }
    deep[2] = "main;b" .. string.rep(";x", 100) .. " 1"
    local tall = rig.flame.svg(assert(rig.flame.parse_folded(table.concat(deep, "\n"))), { width = 600 })
    assert.equal(36 + 3 * 16 + 20, tonumber(tall:match('height="(%d+)"')))
    assert.is_nil(svg:find("<script", 1, true))
  end)

  it("colours growth red and shrinkage blue in a differential graph", function()
    local before = assert(rig.flame.parse_folded("main;a 50\nmain;b 50\n"))
    local after = assert(rig.flame.parse_folded("main;a 80\nmain;b 20\n"))
    local svg = rig.flame.diff_svg(before, after)
    assert.matches("<title>a %(80 samples, 80%.00%%, %+30%.00 points%)</title><rect [^>]-fill=\"rgb%(255,0,0%)\"", svg)
    assert.matches("<title>b %(20 samples, 20%.00%%, %-30%.00 points%)</title><rect [^>]-fill=\"rgb%(0,0,255%)\"", svg)
    assert.matches(
      "<title>main %(100 samples, 100%.00%%, %+0%.00 points%)</title><rect [^>]-fill=\"rgb%(255,255,255%)\"", svg)
  end)
end)

describe("rig.callgrind", function()
  it("reads totals and inclusive costs as callgrind_annotate reports them", function()
    local p = assert(rig.callgrind.read(fixtures .. "tree_callgrind.out"))
    assert.same({ "Ir" }, p.events)
    assert.equal(32123219, p.totals.Ir)
    assert.equal("./tree0 1000000", p.command)
    local f = {}
    for _, fn in ipairs(p.functions) do f[fn.name] = fn end
    assert.equal("spin", p.functions[1].name)
    assert.equal(32000024, f.spin.self)
    assert.equal(32000932, f.main.inclusive)
    assert.equal(24000035, f.a.inclusive)
    assert.equal(8000022, f.b.inclusive)
    assert.equal(24000022, f.leaf.inclusive)
  end)

  it("keeps same-named functions of different objects apart", function()
    local p = assert(rig.callgrind.read(fixtures .. "tree_callgrind.out"))
    local names = {}
    for _, fn in ipairs(p.functions) do names[fn.name] = true end
    assert.truthy(names["(below main) [tree0]"] and names["(below main) [libc.so.6]"])
    assert.is_nil(names["(below main)"])
  end)

  it("turns the call graph into folded stacks with the program's exact split", function()
    local p = assert(rig.callgrind.read(fixtures .. "tree_callgrind.out"))
    local folded = rig.callgrind.folded(p)
    local prefix = "0x000000000001ab70;(below main) [tree0];__libc_start_main@@GLIBC_2.34;(below main) [libc.so.6];main"
    assert.contains(prefix .. ";a;leaf;spin 24000012\n", folded)
    assert.contains(prefix .. ";b;spin 8000012\n", folded)
    local tree = assert(rig.flame.parse_folded(folded))
    assert.near(p.totals.Ir, tree.total, p.totals.Ir * 0.001)
  end)

  it("rejects a file that is not callgrind output, naming it", function()
    local p, err = rig.callgrind.parse("hello\n", "x.out")
    assert.is_nil(p)
    assert.equal("callgrind_syntax", err.code)
    assert.matches("^x%.out:%d+: no 'events:' line", err.message)
  end)
end)
