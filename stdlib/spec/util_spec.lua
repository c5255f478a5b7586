local util = require "rig.util"

describe("rig.util", function()
  it("computes edit distances", function()
    assert.equal(0, util.edit_distance("abc", "abc"))
    assert.equal(3, util.edit_distance("", "abc"))
    assert.equal(1, util.edit_distance("samples", "sample"))
    assert.equal(3, util.edit_distance("kitten", "sitting"))
  end)

  it("suggests a close name, a unique prefix, or nothing", function()
    assert.equal("--samples", util.closest("--sample", { "--samples", "--bench" }))
    assert.equal("--warmup", util.closest("--warm", { "--samples", "--warmup" }))
    assert.is_nil(util.closest("--zzzzzz", { "--samples", "--bench" }))
  end)

  it("splits shell words as sh does, quotes and backslashes honoured, nothing expanded", function()
    local words, quoted = util.shell_words([[sh -c "echo \"ok\" \$HOME" a\ b 'x "y' "" $PATH c\
d]])
    assert.same({ "sh", "-c", 'echo "ok" $HOME', "a b", 'x "y', "", "$PATH", "cd" }, words)
    assert.same({ false, false, true, true, true, true, false, false }, quoted)
    assert.same({}, (util.shell_words("  \t ")))
    for _, bad in ipairs { [['open]], [["open]], [[trailing\]] } do assert.is_nil((util.shell_words(bad))) end
  end)

  it("keeps the last lines of a text as Python's splitlines does", function()
    assert.equal("\nb\n", util.tail_lines("a\n\nb\n\n", 3)) -- ['a', '', 'b', ''][-3:]
    assert.equal("b\nc", util.tail_lines("a\r\nb\r\nc", 2))
    assert.equal("", util.tail_lines("", 20))
    assert.equal("x", util.tail_lines("x\n", 20))
  end)

  it("expands command templates, refusing an unknown placeholder with a suggestion", function()
    local values = { flags = "-O2 -g", out = "a b", empty = "", args = { "1", "2 3" } }
    assert.same({ "cc", "-O2", "-g", "-O2 -g", "-o", "a b", "--out=a b", "1", "2 3", "{x}" },
      util.expand_command('cc {flags} "{flags}" -o "{out}" --out={out} {empty} {args} {{x}}', values))
    -- A list is taken word for word: a value never splits there.
    assert.same({ "cc", "-O2 -g", "1", "2 3" }, util.expand_command({ "cc", "{flags}", "{args}" }, values))
    local argv, why = util.expand_command("cc {flgas}", values)
    assert.is_nil(argv)
    assert.equal("unknown placeholder {flgas}; did you mean '{flags}'? (known: args, empty, flags, out; "
      .. "write {{ and }} for literal braces)", why)
    assert.equal("unterminated ' quote at character 4", select(2, util.expand_command("cc 'x", values)))
  end)
end)

describe("rig.time", function()
  it("has a monotonic clock in seconds and nanoseconds", function()
    local a, an = rig.time.now(), rig.time.now_ns()
    rig.time.sleep(0.01)
    local b, bn = rig.time.now(), rig.time.now_ns()
    assert.truthy(b - a >= 0.009, "slept at least 9 ms")
    assert.equal("integer", math.type(bn))
    assert.truthy(bn - an >= 9000000)
  end)

  it("formats UTC stamps as Molt names its files", function()
    assert.equal("20260522T102249Z", rig.time.utc_stamp(1779445369))
    assert.equal("2026-05-22T10:22:49.000Z", rig.time.iso8601(1779445369))
    assert.equal("2026-05-22T10:22:49+00:00", rig.time.isoformat(1779445369))
    assert.matches("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d[.%d]*%+00:00$", rig.time.isoformat())
    assert.matches("^%d%d%d%d%d%d%d%dT%d%d%d%d%d%dZ$", rig.time.utc_stamp())
  end)

  it("rejects bad arguments the Lua way", function()
    assert.has_error(function() rig.time.sleep("x") end, "bad argument #1 to 'sleep' (number expected, got string)")
    assert.has_error(function() rig.time.sleep(-1) end, "bad argument #1 to 'sleep'")
  end)

  it("measures a function and passes its results through", function()
    local elapsed, x, y = rig.time.measure(function(a) return a, a * 2 end, 21)
    assert.equal(21, x)
    assert.equal(42, y)
    assert.truthy(elapsed >= 0)
  end)
end)

describe("rig", function()
  it("raises on unknown namespaces instead of returning nil", function()
    assert.has_error(function() return rig.prco end, "rig has no field 'prco'")
  end)

  it("makes coded errors", function()
    local e = rig.error("spawn_failed", "no such file")
    assert.equal("spawn_failed", e.code)
    assert.equal("no such file (spawn_failed)", tostring(e))
  end)
end)
