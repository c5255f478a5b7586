local recipe = require "rig.recipe"

local function definition_error(def)
  local ok, err = pcall(recipe.define, def)
  assert.is_false(ok)
  assert.equal("definition", err.code)
  return err.message, err.field
end

describe("rig.recipe", function()
  it("returns a recipe with normalized params", function()
    local r = recipe.define {
      description = "d",
      params = { { "samples", default = 3 }, { name = "label" }, { "fast", default = false } },
      run = function() end,
    }
    assert.truthy(recipe.is_recipe(r))
    assert.equal("integer", r.params[1].type)
    assert.equal("string", r.params[2].type)
    assert.equal("boolean", r.params[3].type)
  end)

  it("derives option names from param names", function()
    local r = recipe.define { params = { { "runtime_timeout_sec", type = "number" } }, run = function() end }
    assert.equal("runtime-timeout-sec", r.params[1].option)
  end)

  it("rejects unknown fields with a suggestion", function()
    local msg, field = definition_error { descripton = "x", run = function() end }
    assert.equal("rig.recipe: unknown field 'descripton'; did you mean 'description'?", msg)
    assert.equal("descripton", field)
    msg = definition_error { params = { { "n", defualt = 1 } }, run = function() end }
    assert.contains("params[1]: unknown field 'defualt'; did you mean 'default'?", msg)
  end)

  it("requires run", function()
    assert.contains("'run'", definition_error { description = "x" })
  end)

  it("checks param types, defaults and choices", function()
    assert.contains("unknown type 'int'; did you mean",
      definition_error { params = { { "n", type = "int" } }, run = function() end })
    assert.contains("default x is not a integer",
      definition_error { params = { { "n", type = "integer", default = "x" } }, run = function() end })
    assert.contains("not one of its choices",
      definition_error { params = { { "o", choices = { "a", "b" }, default = "c" } }, run = function() end })
    assert.contains("declared twice",
      definition_error { params = { { "n" }, { "n" } }, run = function() end })
    assert.contains("reserved",
      definition_error { params = { { "help" } }, run = function() end })
  end)

  it("checks requires: the rig version, the modules, and its own fields", function()
    local run = function() end
    assert.truthy(rig.recipe { requires = { rig = "0.1", modules = { "rig.stats" } }, run = run })
    assert.contains("needs Rig 9.0", definition_error { requires = { rig = "9.0" }, run = run })
    assert.contains("needs Rig 0.99", definition_error { requires = { rig = "0.99" }, run = run })
    assert.contains("requires.rig must be a version", definition_error { requires = { rig = "new" }, run = run })
    assert.contains("needs module 'nowhere.mod': not found",
      definition_error { requires = { modules = { "nowhere.mod" } }, run = run })
    assert.contains("unknown field 'modles'; did you mean 'modules'?",
      definition_error { requires = { modles = {} }, run = run })
  end)

  it("rejects params given as a map", function()
    assert.contains("params must be a list",
      definition_error { params = { samples = { type = "integer" } }, run = function() end })
  end)
end)
