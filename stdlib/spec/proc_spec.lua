local proc = rig.proc

describe("rig.proc.run", function()
  it("returns a finished process as data", function()
    local r = proc.run { "sh", "-c", "printf out; printf err >&2; exit 4" }
    assert.is_false(r.ok)
    assert.equal(4, r.code)
    assert.is_nil(r.signal)
    assert.equal("out", r.stdout)
    assert.equal("err", r.stderr)
    assert.same({ "sh", "-c", "printf out; printf err >&2; exit 4" }, r.argv)
    assert.truthy(r.wall_s > 0 and r.wall_s < 5)
    assert.equal("integer", math.type(r.max_rss_kb))
    assert.matches("^%d%d%d%d%-%d%d%-%d%dT", r.started_at)
  end)

  it("names the signal that ended a process", function()
    local r = proc.run { "sh", "-c", "kill -KILL $$" }
    assert.equal(9, r.signal)
    assert.equal("SIGKILL", r.signal_name)
    assert.is_nil(r.code)
  end)

  it("times out, stopping the process group", function()
    local r = proc.run { "sleep", "30", timeout = 0.2 }
    assert.is_true(r.timed_out)
    assert.is_false(r.ok)
    assert.equal("SIGTERM", r.signal_name)
  end)

  it("passes env, cwd and stdin", function()
    local r = proc.run { "sh", "-c", "echo $X; pwd; cat", env = { X = 7 }, cwd = "/tmp", stdin = "in\n" }
    assert.equal("7\n/tmp\nin\n", r.stdout)
  end)

  it("unsets an inherited variable given as false, and refuses true", function()
    assert.truthy(os.getenv("HOME"))
    local r = proc.run { "sh", "-c", 'echo "${HOME-unset}"', env = { HOME = false } }
    assert.equal("unset\n", r.stdout)
    local ok, err = pcall(proc.run, { "true", env = { HOME = true } })
    assert.is_false(ok)
    assert.matches("env.HOME: a string, a number or false", tostring(err))
  end)

  it("returns nil and a coded error when the command cannot start", function()
    local r, err = proc.run { "rig-no-such-program", "x" }
    assert.is_nil(r)
    assert.equal("not_found", err.code)
    assert.equal(2, err.errno)
    -- Flows that classify every result get a failed one in its place.
    local failed = proc.not_started(err)
    assert.is_false(failed.ok)
    assert.equal(127, failed.code)
    assert.equal("not_found", failed.spawn_error)
    assert.equal(err.message, failed.stderr)
    assert.equal("exit_nonzero", rig.classify.basic(failed))
    local r2, err2 = proc.run { "true", cwd = "/no/such/dir" }
    assert.is_nil(r2)
    assert.equal("bad_cwd", err2.code)
  end)

  it("rejects caller mistakes with bad argument errors and suggestions", function()
    assert.has_error(function() proc.run { "true", timout = 1 } end,
      "bad argument #1 to 'run' (unknown option 'timout'; did you mean 'timeout'?)")
    assert.has_error(function() proc.run {} end, "bad argument #1 to 'run' (a command expected")
    assert.has_error(function() proc.run { "true", timeout = -1 } end, "option 'timeout' must be above 0")
    assert.has_error(function() proc.run { "true", stdout = 5 } end, "stdout must be 'capture'")
    assert.has_error(function() proc.run("true") end, "bad argument #1 to 'run' (table expected, got string)")
  end)

  it("writes output to files", function()
    local path = os.tmpname()
    proc.run { "echo", "hello", stdout = path }
    proc.run { "echo", "again", stdout = { append = path } }
    local f = assert(io.open(path))
    assert.equal("hello\nagain\n", f:read("a"))
    f:close()
    os.remove(path)
  end)
end)

describe("rig.proc.shell and must_run", function()
  it("runs through /bin/sh", function()
    assert.equal("3\n", proc.shell("echo $((1 + 2))").stdout)
  end)

  it("must_run raises with how the command ended", function()
    assert.has_error(function() proc.must_run { "sh", "-c", "echo bad >&2; exit 2" } end,
      "command sh -c echo bad >&2; exit 2 exited with code 2: bad")
    local err = assert.has_error(function() proc.must_run { "rig-no-such-program" } end)
    assert.equal("not_found", err.code)
    assert.equal("ok\n", proc.must_run { "echo", "ok" }.stdout)
  end)
end)

describe("rig.proc.spawn", function()
  it("waits for a handle and then closes it", function()
    local p = assert(proc.spawn { "sh", "-c", "echo spawned" })
    assert.truthy(p:pid() > 0)
    local r = p:wait()
    assert.equal("spawned\n", r.stdout)
    assert.has_error(function() p:wait() end, "attempt to use a closed rig.Process")
  end)

  it("kills and reaps the process when a <close> variable leaves scope", function()
    local pid
    do
      local p <close> = assert(proc.spawn { "sleep", "30" })
      pid = p:pid()
    end
    assert.is_false(proc.run { "kill", "-0", tostring(pid), stderr = "null" }.ok)
  end)

  it("kill sends a signal to the process group", function()
    local p = assert(proc.spawn { "sleep", "30" })
    assert.is_true(p:kill("TERM"))
    assert.equal("SIGTERM", p:wait().signal_name)
  end)

  it("starts a command queued with after the moment the first ends, even while Rig is busy", function()
    local first = assert(proc.spawn { "sleep", "0.1" })
    local second = assert(proc.spawn({ "sh", "-c", "echo second" }, { after = first }))
    rig.time.sleep(0.4) -- Rig is busy: nobody asks for first's end until after this
    local a, b = first:wait(), assert(second:wait())
    assert.equal("second\n", b.stdout)
    local gap = b.start_s - (a.start_s + a.wall_s)
    assert.truthy(gap >= 0 and gap < 0.1, tostring(gap))
    -- after a process that has ended (or a closed handle): at once
    local third = assert(proc.spawn({ "true" }, { after = first }))
    assert.is_true(third:wait().ok)
  end)

  it("cancels a queued command killed before it starts; what waited for it moves up", function()
    local first = assert(proc.spawn { "sleep", "0.2" })
    local second = assert(proc.spawn({ "echo", "second" }, { after = first }))
    local third = assert(proc.spawn({ "echo", "third" }, { after = second }))
    assert.is_true(second:kill())
    local r, err = second:wait()
    assert.is_nil(r)
    assert.equal("cancelled", err.code)
    local a, c = first:wait(), assert(third:wait())
    assert.equal("third\n", c.stdout)
    assert.truthy(c.start_s >= a.start_s + a.wall_s)
    -- a queued command that cannot start reports it from wait, and its follower still runs
    local bad = assert(proc.spawn({ "/etc/passwd" }, { after = assert(proc.spawn { "true" }) }))
    local after_bad = assert(proc.spawn({ "true" }, { after = bad }))
    local none, why = bad:wait()
    assert.is_nil(none)
    assert.equal("not_executable", why.code)
    assert.is_true(after_bad:wait().ok)
    assert.has_error(function() proc.spawn({ "true" }, { after = "x" }) end, "option 'after' must be a rig.Process")
    assert.has_error(function() proc.spawn({ "true" }, { afterr = first }) end, "did you mean 'after'")
  end)

  it("times a queued command from its own start", function()
    local first = assert(proc.spawn { "sleep", "0.3" })
    local second = assert(proc.spawn({ "sleep", "5", timeout = 0.2 }, { after = first }))
    local r = second:wait()
    assert.is_true(r.timed_out)
    assert.truthy(r.wall_s >= 0.2 and r.wall_s < 1, tostring(r.wall_s))
    first:wait()
  end)
end)

describe("rig.proc.wait_any", function()
  it("returns whichever process ends first, by its position", function()
    local slow = assert(proc.spawn { "sleep", "0.5" })
    local fast = assert(proc.spawn { "sh", "-c", "exit 3" })
    local i, r = proc.wait_any { slow, fast }
    assert.equal(2, i)
    assert.equal(3, r.code)
    assert.is_nil(proc.wait_any({ slow }, 0.01))
    local j, s = proc.wait_any { slow }
    assert.equal(1, j)
    assert.is_true(s.ok)
    assert.has_error(function() proc.wait_any {} end, "the argument must not be empty")
    assert.has_error(function() proc.wait_any { slow } end, "not an open rig.Process")
  end)
end)

describe("rig.proc.run_many", function()
  it("keeps input order and reports spawn failures in place", function()
    local rs = proc.run_many({
      { "sh", "-c", "sleep 0.2; echo a" }, { "rig-no-such-program" }, { "echo", "c" },
    }, { jobs = 2 })
    assert.equal(3, #rs)
    assert.equal("a\n", rs[1].stdout)
    assert.is_false(rs[2].ok)
    assert.equal("not_found", rs[2].error.code)
    assert.equal("c\n", rs[3].stdout)
  end)
end)

describe("rig.env", function()
  it("sets variables for children", function()
    rig.env.set("RIG_SPEC_VAR", "yes")
    assert.equal("yes", rig.env.get("RIG_SPEC_VAR"))
    assert.equal("yes\n", proc.shell("echo $RIG_SPEC_VAR").stdout)
    rig.env.set("RIG_SPEC_VAR", nil)
    assert.is_nil(rig.env.get("RIG_SPEC_VAR"))
  end)

  it("finds programs", function()
    assert.matches("/sh$", rig.env.which("sh"))
    assert.is_nil(rig.env.which("rig-no-such-program"))
  end)

  it("reads tool versions", function()
    assert.matches("^Python 3%.", rig.env.version { "python3", "--version" })
    local v, err = rig.env.version { "rig-no-such-program", "--version" }
    assert.is_nil(v)
    assert.equal("not_found", err.code)
  end)

  it("describes the host", function()
    local h = rig.env.host { tools = { sh = { "sh", "-c", "echo shell 1" } } }
    assert.truthy(h.cpu_count >= 1)
    assert.truthy(h.memory_total_mb > 0)
    assert.equal("Linux", h.os)
    assert.truthy(h.kernel ~= "")
    assert.equal(3, #h.load_avg)
    assert.equal("shell 1", h.tools.sh)
  end)
end)
