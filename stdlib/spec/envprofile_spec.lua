-- rig.envprofile: Molt's throughput environment, profiles from TOML, export lines a shell runs.
local fs = rig.fs

describe("rig.envprofile", function()
  it("fills {root} into the throughput profile and lists its directories", function()
    local env, dirs = rig.envprofile.resolve("throughput", "/x/y")
    assert.equal("/x/y/molt_cache", env.MOLT_CACHE)
    assert.equal("0", env.CARGO_INCREMENTAL)
    assert.equal("0", env.PYTHONHASHSEED)
    assert.equal(9, #dirs)
    local none, err = rig.envprofile.resolve("nope", "/x")
    assert.is_nil(none)
    assert.equal("env_profile", err.code)
  end)

  it("writes export lines that a real shell reads back exactly", function()
    local env = { A = "plain", B = "it's \"quoted\" $HOME `x`", C = "" }
    local lines = rig.envprofile.export_lines(env)
    local r = rig.proc.must_run { "sh", "-c", lines .. 'printf "%s|%s|%s" "$A" "$B" "$C"' }
    assert.equal("plain|it's \"quoted\" $HOME `x`|", r.stdout)
    -- A name the shell would run as code is refused, not printed.
    local none, err = rig.envprofile.export_lines({ ["C;touch PWNED_C"] = "x", OK = "1" })
    assert.is_nil(none)
    assert.matches('"C;touch PWNED_C" is not a shell variable name', err.message)
  end)

  it("reads profiles from TOML and names the file and profile on a mistake", function()
    local dir = assert(fs.tmpdir("rig-envprofile-spec"))
    local good = dir .. "/good.toml"
    assert(fs.write(good, '[profile.fast]\ndirs = ["CACHE"]\n[profile.fast.env]\nCACHE = "{root}/c"\nOPT = "3"\n'))
    local profiles = assert(rig.envprofile.read(good))
    local env, dirs = rig.envprofile.resolve(profiles.fast, dir)
    assert.same({ CACHE = dir .. "/c", OPT = "3" }, env)
    assert(rig.envprofile.apply(dirs))
    assert.equal("directory", fs.stat(dir .. "/c").kind)
    local bad = dir .. "/bad.toml"
    assert(fs.write(bad, '[profile.x]\ndirs = ["D"]\n[profile.x.env]\nE = "1"\n'))
    local none, err = rig.envprofile.read(bad)
    assert.is_nil(none)
    assert.matches('bad%.toml: profile "x": dirs names "D", which env does not set', err.message)
    local evil = dir .. "/evil.toml"
    assert(fs.write(evil, '[profile.x.env]\n"C;touch PWNED_C" = "x"\n'))
    none, err = rig.envprofile.read(evil)
    assert.is_nil(none)
    assert.matches('evil%.toml: profile "x": env key "C;touch PWNED_C" is not a variable name', err.message)
    fs.remove_tree(dir, fs.dirname(dir))
  end)
end)
