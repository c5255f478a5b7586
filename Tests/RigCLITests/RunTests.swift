import Foundation
import Testing

/// End-to-end runs of the built `rig` on recipes: output and exit codes as a user sees them.
@Suite("rig run")
struct RunTests {
  let echoRecipe = """
    return rig.recipe {
      description = "Echo params.",
      params = {
        { "samples", type = "integer", default = 5, help = "samples per lane" },
        { "bench", type = "list" },
        { "pypy", type = "boolean", default = true },
      },
      rest = "COMMAND",
      run = function(p, ctx)
        print(p.samples, table.concat(p.bench, ","), p.pypy, table.concat(ctx.rest, " "))
      end,
    }
    """

  @Test("params are parsed Molt-style and everything after -- is handed over")
  func parsesParams() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(["recipes/echo.lua": echoRecipe], in: dir)
    let r = try RigCommand.run(
      ["run", "echo", "--samples", "3", "--bench", "a", "--bench", "b", "--no-pypy", "--", "python3", "-c", "pass"],
      in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout == "3\ta,b\tfalse\tpython3 -c pass\n")
  }

  @Test("rig run RECIPE --help prints the recipe's options")
  func recipeHelp() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(["recipes/echo.lua": echoRecipe], in: dir)
    let r = try RigCommand.run(["run", "echo", "--help"], in: dir)
    #expect(r.status == 0)
    #expect(r.stdout.hasPrefix("usage: rig run echo [options] [-- COMMAND]\n\nEcho params.\n"))
    #expect(r.stdout.contains("--samples N"))
    #expect(r.stdout.contains("samples per lane (default: 5)"))
    #expect(r.stdout.contains("--[no-]pypy"))
  }

  @Test("a misspelt option exits 2 and suggests the closest one")
  func unknownOption() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(["recipes/echo.lua": echoRecipe], in: dir)
    let r = try RigCommand.run(["run", "echo", "--sampels", "3"], in: dir)
    #expect(r.status == 2)
    #expect(r.stderr == "rig run echo: unknown option '--sampels'; did you mean '--samples'?\n")
    let typed = try RigCommand.run(["run", "echo", "--samples", "many"], in: dir)
    #expect(typed.status == 2)
    #expect(typed.stderr == "rig run echo: --samples expects an integer, got 'many'\n")
  }

  @Test("a run-time error exits 1 with the message and a traceback of path:line frames")
  func runtimeError() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(
      [
        "recipes/fails.lua": """
        local function check(x)
          if x < 10 then error("value too small: " .. x) end
        end
        return rig.recipe { run = function() check(3) end }
        """
      ], in: dir)
    let r = try RigCommand.run(["run", "fails"], in: dir)
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("rig: recipes/fails.lua:2: value too small: 3\nstack traceback:\n"))
    #expect(r.stderr.contains("recipes/fails.lua:2: in upvalue 'check'"))
    #expect(r.stderr.contains("recipes/fails.lua:4: in field 'run'"))
  }

  @Test("a syntax error exits 2 with path:line")
  func syntaxError() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(["recipes/bad.lua": "return rig.recipe {\n  run = function() end\n  description = 'x'\n}\n"], in: dir)
    let r = try RigCommand.run(["run", "bad"], in: dir)
    #expect(r.status == 2)
    #expect(r.stderr == "rig: recipes/bad.lua:3: '}' expected (to close '{' at line 1) near 'description'\n")
  }

  @Test("an invalid definition exits 2 naming the line of the bad field")
  func invalidDefinition() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(["recipes/typo.lua": "return rig.recipe {\n  descripton = 'x',\n  run = function() end,\n}\n"], in: dir)
    let r = try RigCommand.run(["run", "typo"], in: dir)
    #expect(r.status == 2)
    #expect(r.stderr == "rig: recipes/typo.lua:2: rig.recipe: unknown field 'descripton'; did you mean 'description'?\n")
  }

  @Test("writing or reading an undeclared global is an error at its line")
  func strictGlobals() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(
      [
        "recipes/globals.lua": "return rig.recipe { run = function()\n  total = 1\nend }\n",
        "recipes/reads.lua": "return rig.recipe { run = function()\n  return totl\nend }\n",
      ], in: dir)
    let w = try RigCommand.run(["run", "globals"], in: dir)
    #expect(w.status == 1)
    #expect(w.stderr.hasPrefix("rig: recipes/globals.lua:2: assignment to undeclared global 'total'"))
    let r = try RigCommand.run(["run", "reads"], in: dir)
    #expect(r.stderr.hasPrefix("rig: recipes/reads.lua:2: undeclared global 'totl'"))
  }

  @Test("the recipe's return value is the exit code")
  func exitCodes() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(
      [
        "recipes/three.lua": "return rig.recipe { run = function() return 3 end }",
        "recipes/no.lua": "return rig.recipe { run = function() return false end }",
        "recipes/weird.lua": "return rig.recipe { run = function() return 'x' end }",
      ], in: dir)
    #expect(try RigCommand.run(["run", "three"], in: dir).status == 3)
    #expect(try RigCommand.run(["run", "no"], in: dir).status == 1)
    let weird = try RigCommand.run(["run", "weird"], in: dir)
    #expect(weird.status == 1)
    #expect(weird.stderr.contains("expected nothing, a boolean, or an exit code from 0 to 125"))
  }

  @Test("a recipe can require modules from its own directory")
  func teamModules() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(
      [
        "recipes/team/common.lua": "local M = {} function M.greet(n) return 'hello ' .. n end return M",
        "recipes/hello.lua": """
        local common = require "team.common"
        return rig.recipe { params = {{"who", default = "rig"}}, run = function(p) print(common.greet(p.who)) end }
        """,
      ], in: dir)
    let r = try RigCommand.run(["run", "hello", "--who", "molt"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout == "hello molt\n")
  }

  @Test("recipes are found on RIG_PATH, and unknown names exit 2")
  func rigPath() throws {
    let dir = try RigCommand.scratch(), shared = try RigCommand.scratch()
    try RigCommand.write(["shared_one.lua": "return rig.recipe { run = function() print('shared') end }"], in: shared)
    let r = try RigCommand.run(["run", "shared_one"], in: dir, environment: ["RIG_PATH": shared])
    #expect(r.stdout == "shared\n")
    let missing = try RigCommand.run(["run", "nope"], in: dir)
    #expect(missing.status == 2)
    #expect(missing.stderr.hasPrefix("rig: no recipe named 'nope'"))
  }

  @Test("the Lua memory ceiling turns a runaway recipe into a clean error")
  func memoryCeiling() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(
      ["recipes/hog.lua": "return rig.recipe { run = function() local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(100) .. i end end }"],
      in: dir)
    let r = try RigCommand.run(["run", "--lua-memory-mb", "48", "hog"], in: dir)
    #expect(r.status == 1)
    #expect(r.stderr == "rig: Lua ran out of memory: the recipe's heap reached the 48 MB ceiling (raise it with --lua-memory-mb)\n")
  }

  /// A recipe that announces it is ready, holds a `<close>` guard and waits.
  let waitingRecipe = """
    return rig.recipe { run = function()
      local guard <close> = setmetatable({}, { __close = function(_, err)
        io.stdout:write("closed: ", tostring(err and err.code), "\\n")
      end })
      io.stdout:write("ready\\n"); io.stdout:flush()
      rig.time.sleep(30)
    end }
    """

  func interrupt(with signal: Int32, expecting status: Int32) throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(["recipes/wait.lua": waitingRecipe], in: dir)
    let (process, out, err) = try RigCommand.launch(["run", "wait"], in: dir)
    // Wait for "ready" so the signal arrives inside the recipe.
    var seen = Data()
    while !String(decoding: seen, as: UTF8.self).contains("ready\n") {
      let chunk = out.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      seen.append(chunk)
    }
    let start = Date()
    kill(process.processIdentifier, signal)
    let result = RigCommand.collect(process, out, err)
    #expect(Date().timeIntervalSince(start) < 5)
    #expect(result.status == status)
    #expect(result.stdout == "closed: interrupted\n")
    #expect(result.stderr == "rig: interrupted by \(signal == SIGINT ? "SIGINT" : "SIGTERM")\n")
  }

  @Test("SIGINT stops the recipe, runs its <close> handlers and exits 130")
  func sigint() throws { try interrupt(with: SIGINT, expecting: 130) }

  @Test("SIGTERM stops the recipe, runs its <close> handlers and exits 143")
  func sigterm() throws { try interrupt(with: SIGTERM, expecting: 143) }
}

@Suite("rig list, check, eval, --version")
struct OtherCommandTests {
  @Test("list shows each recipe once with its description and origin")
  func list() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(
      [
        "recipes/alpha.lua": "return rig.recipe { description = 'First recipe.\\nDetails.', run = function() end }",
        "recipes/demo.lua": "return rig.recipe { description = 'My own demo.', run = function() end }",
        "recipes/broken.lua": "return rig.recipe {",
      ], in: dir)
    let r = try RigCommand.run(["list"], in: dir)
    #expect(r.status == 0)
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(lines.contains { $0.hasPrefix("alpha") && $0.contains("First recipe.  [recipes/alpha.lua]") })
    #expect(lines.contains { $0.hasPrefix("demo") && $0.contains("My own demo.") && $0.contains("hides recipes/demo.lua") })
    #expect(lines.contains { $0.hasPrefix("broken") && $0.contains("(does not load: ") })
    #expect(lines.contains { $0.hasPrefix("spec") && $0.contains("[built in]") })
  }

  @Test("check validates without running")
  func check() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(
      [
        "recipes/ok.lua": "return rig.recipe { params = {{'n', default = 1}}, run = function() error('ran!') end }",
        "recipes/bad.lua": "return rig.recipe { params = {{'n', type = 'int'}}, run = function() end }",
      ], in: dir)
    let ok = try RigCommand.run(["check", "ok"], in: dir)
    #expect(ok.status == 0)
    #expect(ok.stdout == "recipes/ok.lua: ok (recipe 'ok', 1 parameter)\n")
    let bad = try RigCommand.run(["check", "bad"], in: dir)
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("recipes/bad.lua:1: rig.recipe: param 'n': unknown type 'int'"))
  }

  @Test("eval runs a line of Lua with the rig API")
  func eval() throws {
    let dir = try RigCommand.scratch()
    let r = try RigCommand.run(["eval", "rig.time.utc_stamp(0), 1 + 1"], in: dir)
    #expect(r.status == 0)
    #expect(r.stdout == "19700101T000000Z\t2\n")
    let failing = try RigCommand.run(["eval", "error('nope')"], in: dir)
    #expect(failing.status == 1)
    #expect(failing.stderr.hasPrefix("rig: (eval):1: nope"))
  }

  @Test("--version prints the version")
  func version() throws {
    let r = try RigCommand.run(["--version"], in: try RigCommand.scratch())
    #expect(r.status == 0)
    #expect(r.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil)
  }

  @Test("the built-in demo and spec recipes work from any directory")
  func builtIns() throws {
    let dir = try RigCommand.scratch()
    let demo = try RigCommand.run(["run", "demo", "--samples", "1", "--size", "1000"], in: dir)
    #expect(demo.status == 0, "\(demo.stderr)")
    #expect(demo.stdout.hasPrefix("workload"))
    #expect(demo.stdout.contains("float loop"))
    try RigCommand.write(
      ["one_spec.lua": "describe('x', function() it('adds', function() assert.equal(2, 1 + 1) end) end)"], in: dir)
    let spec = try RigCommand.run(["run", "spec", "one_spec.lua"], in: dir)
    #expect(spec.status == 0)
    #expect(spec.stdout.hasSuffix("1 passed, 0 failed\n"))
  }
}
