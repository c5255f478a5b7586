import Foundation
import RigLua
import Testing

/// The Swift/Lua boundary (docs/boundary.md): errors cross in both directions as values, never
/// as a longjmp through Swift frames.
@Suite("Lua boundary")
struct BoundaryTests {
  /// A host with a test module whose functions fail in each documented way.
  func hostWithTestModule() throws -> LuaHost {
    let host = try makeHost()
    host.registerModule(
      "test.host",
      [
        ("add", { call in call.push(try call.number(1) + call.number(2)) }),
        ("count", { call in call.push(try call.integer(1)) }),
        ("raise_coded", { _ in throw LuaRaise.coded(code: "spawn_failed", message: "no such program") }),
        ("raise_text", { _ in throw LuaRaise.message("plain failure") }),
        ("fail", { call in call.fail(code: "not_found", message: "missing.json: no such file", errno: 2) }),
        ("echo", { call in call.push(try call.value(1)) }),
      ])
    return host
  }

  @Test("a wrong argument type gives Lua's usual bad-argument message")
  func argumentTypeError() throws {
    let host = try hostWithTestModule()
    let results = try host.run(
      """
      local t = require "test.host"
      local ok, err = pcall(function() return t.add("x", 2) end)
      local ok2, err2 = pcall(function() return t.count(1.5) end)
      local ok3, err3 = pcall(function() return t.add(1) end)
      return ok, err, ok2, err2, ok3, err3
      """, chunkName: "@boundary.lua")
    #expect(results[0] == .boolean(false))
    #expect(results[1] == .string("boundary.lua:2: bad argument #1 to 'add' (number expected, got string)"))
    #expect(results[2] == .boolean(false))
    #expect(results[3] == .string("boundary.lua:3: bad argument #1 to 'count' (number has no integer representation)"))
    #expect(results[5] == .string("boundary.lua:4: bad argument #2 to 'add' (number expected, got no value)"))
  }

  @Test("host functions raise coded errors and plain messages with the caller's position")
  func raisedErrors() throws {
    let host = try hostWithTestModule()
    let results = try host.run(
      """
      local t = require "test.host"
      local ok, err = pcall(t.raise_coded)
      local ok2, err2 = pcall(function() t.raise_text() end)
      return err.code, err.message, tostring(err), err2
      """, chunkName: "@boundary.lua")
    #expect(results[0] == .string("spawn_failed"))
    #expect(results[1] == .string("no such program"))
    #expect(results[2] == .string("no such program (spawn_failed)"))
    #expect(results[3] == .string("boundary.lua:3: plain failure"))
  }

  @Test("environment failures come back as nil, err with a code and errno")
  func failureChannel() throws {
    let host = try hostWithTestModule()
    let results = try host.run(
      "local v, err = require('test.host').fail(); return v, err.code, err.errno, err.message")
    #expect(results == [.null, .string("not_found"), .integer(2), .string("missing.json: no such file")])
  }

  @Test("plain data round-trips through the boundary")
  func valueRoundTrip() throws {
    let host = try hostWithTestModule()
    let results = try host.run(
      """
      local v = require('test.host').echo({1, 2.5, "x", {a = true}})
      return v[1], math.type(v[1]), v[2], v[3], v[4].a
      """)
    #expect(results == [.integer(1), .string("integer"), .number(2.5), .string("x"), .boolean(true)])
  }

  @Test("100,000 errors raised inside a host function neither crash nor grow the Lua heap")
  func errorLoop() throws {
    let host = try hostWithTestModule()
    let results = try host.run(
      """
      local t = require "test.host"
      local failures = 0
      for i = 1, 100000 do
        if not pcall(t.add, "x", i) then failures = failures + 1 end
        if not pcall(t.raise_coded) then failures = failures + 1 end
      end
      collectgarbage("collect")
      return failures, collectgarbage("count")
      """)
    #expect(results[0] == .integer(200_000))
    if case .number(let luaKB) = results[1] { #expect(luaKB < 1024, "Lua heap after collection: \(luaKB) kB") }
    // Process RSS is checked in a process of its own (RigCLITests), where no other test allocates.
  }

  @Test("an error in Lua called from Swift becomes a Swift error with the traceback")
  func luaErrorToSwift() throws {
    let host = try makeHost()
    let error = #expect(throws: LuaError.self) {
      try host.run(
        """
        local function inner() error("boom") end
        local function outer() inner() end
        outer()
        """, chunkName: "@recipes/fails.lua")
    }
    guard case .runtime(let message, let traceback, let code, _)? = error else {
      Issue.record("expected a runtime error, got \(String(describing: error))")
      return
    }
    #expect(message == "recipes/fails.lua:1: boom")
    #expect(traceback.contains("recipes/fails.lua:1: in upvalue 'inner'"))
    #expect(traceback.contains("recipes/fails.lua:2: in local 'outer'"))
    #expect(code == nil)
  }

  @Test("a syntax error reports path and line")
  func syntaxError() throws {
    let host = try makeHost()
    #expect(throws: LuaError.syntax(message: "recipes/bad.lua:2: unexpected symbol near ')'")) {
      try host.run("local x = 1\nlocal y = )\n", chunkName: "@recipes/bad.lua")
    }
  }

  @Test("the Lua memory ceiling stops a runaway chunk with a clean error, and the host survives")
  func memoryCeiling() throws {
    let host = try makeHost(memoryLimitMB: 32)
    #expect(throws: LuaError.outOfMemory(limitBytes: 32 * 1024 * 1024)) {
      try host.run("local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(64) .. i end")
    }
    #expect(host.memoryUsed < 32 * 1024 * 1024)
    let after = try host.run("collectgarbage() return 1 + 1")
    #expect(after == [.integer(2)])
  }

  @Test("the bridge never touches the raising Lua API from Swift")
  func noRaisingAPIInSwift() throws {
    let forbidden = [
      "import CLua", "lua_error", "luaL_error", "luaL_argerror", "luaL_check", "lua_call",
      "lua_getfield", "lua_setfield", "lua_gettable", "lua_settable", "lua_getglobal",
      "lua_setglobal", "luaL_tolstring", "lua_concat", "lua_len",
    ]
    for folder in ["Sources/RigLua", "Sources/rig", "Sources/RigKit"] {
      let root = repositoryRoot + "/" + folder
      let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
      #expect(!files.isEmpty || folder != "Sources/RigLua")
      for file in files where file.hasSuffix(".swift") {
        let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
        for name in forbidden {
          #expect(!text.contains(name), "\(folder)/\(file) uses \(name)")
        }
      }
    }
  }
}
