local recipe = require "rig.recipe"
local cli = require "rig.cli"

local function bench_recipe()
  return recipe.define {
    name = "bench",
    description = "Benchmarks.",
    params = {
      { "samples", type = "integer", default = 5, short = "n", help = "Samples per lane" },
      { "bench", type = "list", help = "Filter" },
      { "pypy", type = "boolean", default = true },
      { "timeout", type = "number", default = 30.0 },
      { "order", choices = { "interleaved", "sequential" }, default = "interleaved" },
      { "json_out", type = "path" },
    },
    run = function() end,
  }
end

local function usage_error(fn)
  local ok, err = pcall(fn)
  assert.is_false(ok)
  assert.equal("usage", err.code)
  return err.message
end

describe("cli.parse", function()
  it("applies defaults when nothing is given", function()
    local p, rest = cli.parse(bench_recipe(), {})
    assert.same({ samples = 5, bench = {}, pypy = true, timeout = 30.0, order = "interleaved" }, p)
    assert.same({}, rest)
  end)

  it("reads Molt-style options, repeated lists, --no-X and --x=value", function()
    local p = cli.parse(bench_recipe(),
      { "--samples", "7", "--bench", "a", "--bench=b", "--no-pypy", "--json-out=out.json", "--timeout", "2.5" })
    assert.equal(7, p.samples)
    assert.equal("integer", math.type(p.samples))
    assert.same({ "a", "b" }, p.bench)
    assert.is_false(p.pypy)
    assert.equal("out.json", p.json_out)
    assert.equal(2.5, p.timeout)
  end)

  it("takes several words for a list marked many, up to the next option", function()
    local r = recipe.define { name = "cp", params = {
      { "cases", type = "list", many = true }, { "script", type = "path" },
      { "rest", type = "list", positional = true },
    }, run = function() end }
    local p = cli.parse(r, { "--cases", "dev_cold", "dev_warm", "--script", "x.py", "loose" })
    assert.same({ "dev_cold", "dev_warm" }, p.cases)
    assert.same({ "loose" }, p.rest)
    assert.same({ "a", "b" }, cli.parse(r, { "--cases=a", "--cases", "b" }).cases)
    assert.has_error(function()
      recipe.define { name = "x", params = { { "n", type = "integer", many = true } }, run = function() end }
    end, "'many' goes with type 'list'")
  end)

  it("takes exactly nargs words for a list marked nargs, each use one item", function()
    local r = recipe.define { name = "cmp", params = {
      { "parameter_list", short = "L", type = "list", nargs = 2 },
      { "scan", short = "P", type = "list", nargs = 3 },
      { "commands", type = "list", positional = true },
    }, run = function() end }
    local p = cli.parse(r, { "-L", "n", "1,2", "--parameter-list", "m", "-x", "-P", "k", "1", "5", "sleep {n}" })
    assert.same({ { "n", "1,2" }, { "m", "-x" } }, p.parameter_list)
    assert.same({ { "k", "1", "5" } }, p.scan)
    assert.same({ "sleep {n}" }, p.commands)
    assert.same({ { "n", "1" } }, cli.parse(r, { "-Ln", "1" }).parameter_list)
    assert.matches("option %-L needs 2 values %(TEXT TEXT%), got 1", usage_error(function()
      cli.parse(r, { "-L", "n" })
    end))
    assert.matches("takes 2 values", usage_error(function() cli.parse(r, { "--parameter-list=n", "1" }) end))
    assert.matches("%-L, %-%-parameter%-list TEXT TEXT", cli.help(r, "cmp"))
    assert.has_error(function()
      recipe.define { name = "x", params = { { "n", type = "string", nargs = 2 } }, run = function() end }
    end, "'nargs' goes with a list option")
    assert.has_error(function()
      recipe.define { name = "x", params = { { "n", type = "list", nargs = 1 } }, run = function() end }
    end, "nargs must be an integer from 2 to 9")
  end)

  it("reads short options with separate or attached values", function()
    assert.equal(3, cli.parse(bench_recipe(), { "-n", "3" }).samples)
    assert.equal(4, cli.parse(bench_recipe(), { "-n4" }).samples)
  end)

  it("accepts explicit boolean values", function()
    assert.is_false(cli.parse(bench_recipe(), { "--pypy=false" }).pypy)
    assert.is_true(cli.parse(bench_recipe(), { "--pypy=yes" }).pypy)
    assert.is_true(cli.parse(bench_recipe(), { "--no-pypy=false" }).pypy)
  end)

  it("returns nil for --help and -h", function()
    assert.is_nil(cli.parse(bench_recipe(), { "--samples", "3", "--help" }))
    assert.is_nil(cli.parse(bench_recipe(), { "-h" }))
  end)

  it("hands everything after -- to the recipe only when it declares rest", function()
    local r = recipe.define { rest = "COMMAND", run = function() end }
    local _, rest = cli.parse(r, { "--", "python3", "-c", "--samples" })
    assert.same({ "python3", "-c", "--samples" }, rest)
    local msg = usage_error(function() cli.parse(bench_recipe(), { "--", "x" }, "bench") end)
    assert.contains("takes no command after '--'", msg)
  end)

  it("suggests the closest option for a typo", function()
    local msg = usage_error(function() cli.parse(bench_recipe(), { "--sample", "3" }, "bench") end)
    assert.equal("rig run bench: unknown option '--sample'; did you mean '--samples'?", msg)
    msg = usage_error(function() cli.parse(bench_recipe(), { "--no-pypi" }, "bench") end)
    assert.contains("did you mean '--no-pypy'?", msg)
  end)

  it("names the option and the expected type for ill-typed values", function()
    assert.equal("rig run bench: --samples expects an integer, got 'five'",
      usage_error(function() cli.parse(bench_recipe(), { "--samples", "five" }, "bench") end))
    assert.equal("rig run bench: --samples expects an integer, got '2.5'",
      usage_error(function() cli.parse(bench_recipe(), { "--samples=2.5" }, "bench") end))
    assert.contains("--timeout expects a number",
      usage_error(function() cli.parse(bench_recipe(), { "--timeout", "nan" }, "bench") end))
    assert.contains("expects one of interleaved, sequential, got 'seq'; did you mean 'sequential'?",
      usage_error(function() cli.parse(bench_recipe(), { "--order", "seq" }, "bench") end))
  end)

  it("complains about a missing value and about flags given values", function()
    assert.contains("option --samples needs a value",
      usage_error(function() cli.parse(bench_recipe(), { "--samples" }, "bench") end))
    assert.contains("option '--no-bench' is not a flag",
      usage_error(function() cli.parse(bench_recipe(), { "--no-bench" }, "bench") end))
  end)

  it("fills positionals in order and a trailing positional list", function()
    local r = recipe.define {
      params = {
        { "old", type = "path", positional = true, required = true },
        { "new", type = "path", positional = true, required = true },
        { "extra", type = "list", positional = true },
        { "top", type = "integer", default = 10 },
      },
      run = function() end,
    }
    local p = cli.parse(r, { "a.json", "--top", "3", "b.json", "c", "d" })
    assert.equal("a.json", p.old)
    assert.equal("b.json", p.new)
    assert.same({ "c", "d" }, p.extra)
    assert.equal(3, p.top)
    assert.equal("rig run diff: missing argument NEW",
      usage_error(function() cli.parse(r, { "a.json" }, "diff") end))
  end)

  it("rejects extra positionals", function()
    local msg = usage_error(function() cli.parse(bench_recipe(), { "stray" }, "bench") end)
    assert.equal("rig run bench: unexpected argument 'stray'", msg)
  end)

  it("does not share default lists between runs", function()
    local r = recipe.define { params = { { "lane", type = "list", default = { "cpython" } } }, run = function() end }
    local p1 = cli.parse(r, {})
    table.insert(p1.lane, "pypy")
    assert.same({ "cpython" }, cli.parse(r, {}).lane)
  end)
end)

describe("cli.help", function()
  it("lists usage, description, options with types, defaults and help", function()
    local text = cli.help(bench_recipe(), "bench")
    assert.contains("usage: rig run bench [options]", text)
    assert.contains("Benchmarks.", text)
    assert.matches("%-n, %-%-samples N%s+Samples per lane %(default: 5%)", text)
    assert.matches("%-%-bench TEXT%s+Filter %(repeatable%)", text)
    assert.matches("%-%-%[no%-%]pypy%s+%(default: on%)", text)
    assert.contains("-h, --help", text)
  end)
end)
