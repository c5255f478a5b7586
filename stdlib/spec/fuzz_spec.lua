-- Property tests of the JSON and profile parsers over random, truncated and mutated inputs
-- made from the real Molt files: nothing crashes, every failure is a coded error with a
-- position inside the input, and whatever decodes encodes again and round-trips.
local json, fs = rig.json, rig.fs

local root = debug.getinfo(1, "S").source:match("^@(.*)/stdlib/spec/[^/]+$") or "."
local fixtures = root .. "/Tests/Fixtures/molt"

local inputs = 0

local function check_json(text)
  inputs = inputs + 1
  local ok, value, err = pcall(json.decode, text)
  assert.truthy(ok, "decode raised instead of returning an error: " .. tostring(value))
  if value == nil and err then
    assert.equal("json_syntax", err.code)
    assert.truthy(err.offset >= 0 and err.offset <= #text, "offset outside the input")
    assert.truthy(err.line >= 1 and err.column >= 1)
    return
  end
  local encoded = json.encode(value, { allow_nan = true })
  assert.equal(encoded, json.encode(json.decode(encoded), { allow_nan = true }), "round trip")
end

local function mutate(text, rnd)
  local n = #text
  local kind = rnd(4)
  local at = rnd(math.max(n, 1))
  if kind == 1 then  -- replace a byte
    return text:sub(1, at - 1) .. string.char(rnd(256) - 1) .. text:sub(at + 1)
  elseif kind == 2 then  -- insert a byte from JSON's alphabet
    local alphabet = '{}[]:,"\\0123456789.eE+-tfnul \n\tNI'
    local c = rnd(#alphabet)
    return text:sub(1, at - 1) .. alphabet:sub(c, c) .. text:sub(at)
  elseif kind == 3 then  -- delete a range
    return text:sub(1, at - 1) .. text:sub(at + rnd(8))
  end
  local len = rnd(16)  -- duplicate a range
  return text:sub(1, at + len) .. text:sub(at, at + len) .. text:sub(at + len + 1)
end

describe("JSON parser properties", function()
  it("survives truncations and mutations of every real result file", function()
    math.randomseed(20261127)
    local rnd = math.random
    local files = fs.glob(fixtures .. "/bench/**/*.json")
    for _, extra in ipairs(fs.glob(fixtures .. "/bench/*.json")) do files[#files + 1] = extra end
    for _, extra in ipairs(fs.glob(fixtures .. "/bench/results/*/*.json")) do files[#files + 1] = extra end
    for _, path in ipairs(files) do
      local text = assert(fs.read(path))
      for cut = 0, math.min(#text, 200) do check_json(text:sub(1, cut)) end
      for _ = 1, 150 do check_json(text:sub(1, rnd(#text))) end
      local small = #text < 8000 and text or text:sub(1, 8000)
      for _ = 1, 1700 do check_json(mutate(small, rnd)) end
    end
    for _ = 1, 3000 do
      local alphabet = '{}[]:,"\\0123456789.eE+-tfnulNaIy \n\t\128\255\u{e9}'
      local parts = {}
      for i = 1, rnd(40) do
        local c = rnd(#alphabet)
        parts[i] = alphabet:sub(c, c)
      end
      check_json(table.concat(parts))
    end
    assert.truthy(inputs >= 30000, "inputs: " .. inputs)
    io.stderr:write(("fuzz_spec: %d JSON inputs\n"):format(inputs))
  end)
end)

describe("profile extraction properties", function()
  it("never fails on mutated logs and counts what it cannot read", function()
    math.randomseed(7)
    local rnd = math.random
    local logs = fs.glob(fixtures .. "/bench/results/profiles_20260320/*.log")
    local n = 0
    for _, path in ipairs(logs) do
      local text = assert(fs.read(path))
      for _ = 1, 300 do
        local mutated = mutate(mutate(text, rnd), rnd)
        for _, policy in ipairs { "last_valid", "all" } do
          local ok, payload, report = pcall(rig.profile.extract, mutated, { policy = policy })
          assert.truthy(ok, tostring(payload))
          if policy == "all" then
            assert.equal(report.candidates, report.valid + #report.invalid)
          else
            assert.truthy(report.valid <= 1 and report.valid + #report.invalid <= report.candidates)
          end
          if payload and policy == "last_valid" then assert.truthy(rig.profile.is_process_profile(payload)) end
          n = n + 1
        end
        local ok2, p2 = pcall(rig.profile.extract, mutated, { kind = "text" })
        assert.truthy(ok2, tostring(p2))
        n = n + 1
      end
    end
    assert.truthy(n >= 4000, "inputs: " .. n)
    io.stderr:write(("fuzz_spec: %d profile inputs\n"):format(n))
  end)
end)
