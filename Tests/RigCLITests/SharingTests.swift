import Foundation
import Testing

/// Team libraries on RIG_PATH, as another team uses them: real folders, the built `rig`.
@Suite("sharing recipes and libraries")
struct SharingTests {
  /// Two team folders on RIG_PATH (a library and a recipe that uses it) and a third folder
  /// with its own recipes/ that uses the same library.
  func layout() throws -> (dir: String, env: [String: String]) {
    let dir = try RigCommand.scratch()
    try RigCommand.write([
      "teamx/teamx/common.lua": """
        local M = {}
        local util = require "teamx.util"
        function M.hello(n) return util.twice(n) .. " on rig " .. rig.version end
        function M.typo() return totl + 1 end
        function M.leak() leaked = 1 end
        return M
        """,
      "teamx/teamx/util.lua": "local M = {}\nfunction M.twice(n) return n * 2 end\nreturn M\n",
      "teamy/ycompare.lua": """
        local common = require "teamx.common"
        return rig.recipe { description = "team y's recipe", run = function() print(common.hello(21)) end }
        """,
      "work/recipes/mine.lua": """
        local common = require "teamx.common"
        return rig.recipe {
          description = "a third folder's recipe",
          params = { { "what", default = "hello" } },
          run = function(p) print(common[p.what](4)) end,
        }
        """,
      "work/recipes/needs.lua": """
        return rig.recipe { description = "declares what it needs",
          requires = { rig = "0.1", modules = { "teamx.common", "teamz.absent" } }, run = function() end }
        """,
      "work/recipes/future.lua": """
        return rig.recipe { description = "needs a later rig", requires = { rig = "0.99" }, run = function() end }
        """,
    ], in: dir)
    return (dir, ["RIG_PATH": "\(dir)/teamx:\(dir)/teamy"])
  }

  @Test("a library on RIG_PATH is found by require, sees rig, and finds its siblings")
  func libraryOnPath() throws {
    let (dir, env) = try layout()
    let y = try RigCommand.run(["run", "ycompare"], in: dir + "/work", environment: env)
    #expect(y.status == 0, "\(y.stderr)")
    #expect(y.stdout.hasPrefix("42 on rig "))
    let mine = try RigCommand.run(["run", "mine"], in: dir + "/work", environment: env)
    #expect(mine.status == 0, "\(mine.stderr)")
    #expect(mine.stdout.hasPrefix("8 on rig "))
    let listed = try RigCommand.run(["list"], in: dir + "/work", environment: env)
    #expect(listed.stdout.contains("ycompare") && listed.stdout.contains("mine"))
  }

  @Test("a typo in the library raises at the library's line; globals cannot leak out of it")
  func strictLibrary() throws {
    let (dir, env) = try layout()
    let typo = try RigCommand.run(["run", "mine", "--what", "typo"], in: dir + "/work", environment: env)
    #expect(typo.status == 1)
    #expect(typo.stderr.contains("teamx/teamx/common.lua:4: undeclared global 'totl'"), "\(typo.stderr)")
    let leak = try RigCommand.run(["run", "mine", "--what", "leak"], in: dir + "/work", environment: env)
    #expect(leak.status == 1)
    #expect(leak.stderr.contains("common.lua:5: assignment to undeclared global 'leaked'"), "\(leak.stderr)")
  }

  @Test("Debian's Lua C modules load in a recipe; a .so in the working folder does not")
  func cModules() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write([
      "recipes/native.lua": """
        local lpeg, cjson, lfs = require "lpeg", require "cjson", require "lfs"
        return rig.recipe { description = "C modules", run = function()
          print(lpeg.match(lpeg.C(lpeg.R("az") ^ 1), "abc1"), cjson.encode({ n = 1 }), lfs.attributes(".").mode)
          print(pcall(require, "evil"))
        end }
        """,
      "evil.so": "not an ELF file: loading it would fail, finding it would be the bug",
    ], in: dir)
    let r = try RigCommand.run(["run", "native"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "abc\t{\"n\":1}\tdirectory")
    #expect(lines.count > 1 && lines[1].hasPrefix("false\tmodule 'evil' not found"), "\(r.stdout)")
  }

  @Test("a team's rock: built from a rockspec, served from a folder, installed offline, listed and run")
  func rock() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write([
      "src/teamx-1.0/teamx/common.lua": """
        local rig = require "rig"
        local M = {}
        function M.hello() return "hello from teamx on rig " .. rig.version end
        return M
        """,
      "src/teamx-1.0/recipes/teamx_hello.lua": """
        local common = require "teamx.common"
        return rig.recipe { description = "teamx's hello, from a rock", run = function() print(common.hello()) end }
        """,
      "src/teamx-1.0-1.rockspec": """
        package = "teamx"
        version = "1.0-1"
        source = { url = "file://\(dir)/src/teamx-1.0.tar.gz", dir = "teamx-1.0" }
        description = { summary = "Team X's Rig recipes and library" }
        dependencies = { "lua >= 5.4" }
        build = {
          type = "builtin",
          modules = {
            ["teamx.common"] = "teamx/common.lua",
            ["rig_recipes.teamx_hello"] = "recipes/teamx_hello.lua",
          },
        }
        """,
    ], in: dir)
    try RigCommand.shell(
      """
      cd src && tar czf teamx-1.0.tar.gz teamx-1.0 && luarocks --lua-version 5.4 pack teamx-1.0-1.rockspec >/dev/null \
        && mkdir -p ../server && cp teamx-1.0-1.src.rock ../server/ \
        && luarocks-admin --lua-version 5.4 make-manifest ../server >/dev/null \
        && luarocks --lua-version 5.4 --tree \(dir)/tree install teamx --server \(dir)/server >/dev/null
      """, in: dir)
    let env = ["RIG_LUAROCKS_TREES": dir + "/tree"]
    let listed = try RigCommand.run(["list"], in: dir, environment: env)
    #expect(listed.stdout.contains("teamx_hello") && listed.stdout.contains("rig_recipes/teamx_hello.lua"))
    let r = try RigCommand.run(["run", "teamx_hello"], in: dir, environment: env)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.hasPrefix("hello from teamx on rig "))
  }

  @Test("a sweep whose matrix exists only in Lua: sharded 1/2 and 2/2 into a new folder, merged with no matrix file")
  func luaSweep() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write([
      "recipes/teamx_sweep.lua": """
        local matrix = { axes = { { name = "opt", values = { 0, 1, 2, 3 } }, { name = "simd", values = { "on", "off" } } } }
        return rig.recipe { description = "a sweep defined in Lua",
          params = { { "shard", default = "1/1" }, { "out", type = "path", required = true } },
          run = function(p)
            local k, n = rig.sweep.parse_shard(p.shard)
            local a = rig.sweep.run { cases = rig.sweep.cases(matrix), shard = { k, n }, json_out = p.out,
              progress = false, command = function(case) return { "sh", "-c", "exit 0", env = { OPT = tostring(case.settings.opt) } } end }
            print(#a.cases)
          end }
        """
    ], in: dir)
    var ran = 0
    for k in 1...2 {
      let r = try RigCommand.run(["run", "teamx_sweep", "--shard", "\(k)/2", "--out", "new/folder/s\(k).json"], in: dir)
      #expect(r.status == 0, "\(r.stderr)")
      ran += Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
    #expect(ran == 8)
    let merged = try RigCommand.run(
      ["run", "sweep_merge", "--out", "all.json", "new/folder/s1.json", "new/folder/s2.json"], in: dir)
    #expect(merged.status == 0, "\(merged.stderr)")
    #expect(merged.stdout.contains("8 cases (8 ok, 0 failed)"))
    let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/all.json"))
    let all = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let settings = try #require(all["cases"] as? [[String: Any]]).compactMap { $0["settings"] as? [String: Any] }
    #expect(settings.map { "\($0["opt"] ?? "")\($0["simd"] ?? "")" } == ["0on", "0off", "1on", "1off", "2on", "2off", "3on", "3off"])
  }

  @Test("sweep --keep-output: failed attempts only by default; keep, discard and last:N")
  func keepOutput() throws {
    let dir = try RigCommand.scratch()
    try RigCommand.write(["m.toml": "[[axis]]\nname = \"n\"\nvalues = [0, 1]\n"], in: dir)
    let command = ["--", "sh", "-c", "printf 'out%s' {n}; printf 'err' >&2; exit {n}"]
    func logs(_ policy: String?) throws -> [String] {
      let out = "s-\(policy ?? "default").json"
      _ = try RigCommand.run(["run", "sweep", "--matrix", "m.toml", "--json-out", out]
        + (policy.map { ["--keep-output", $0] } ?? []) + command, in: dir)
      let root = dir + "/s-\(policy ?? "default")_logs"
      let found = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
      return found.filter { $0.hasSuffix(".stdout") }.map { try! String(contentsOfFile: root + "/" + $0, encoding: .utf8) }.sorted()
    }
    #expect(try logs(nil) == ["out1"])  // only the failing case (exit 1)
    #expect(try logs("keep") == ["out0", "out1"])
    #expect(try logs("discard") == [])
    #expect(try logs("last:2") == ["t0", "t1"])
    let bad = try RigCommand.run(["run", "sweep", "--matrix", "m.toml", "--keep-output", "faild"] + command, in: dir)
    #expect(bad.status == 2 && bad.stderr.contains("did you mean 'failed'?"))
  }

  @Test("a recipe's requires: a missing module or a too-old rig is a usage error naming it")
  func requires() throws {
    let (dir, env) = try layout()
    let needs = try RigCommand.run(["run", "needs"], in: dir + "/work", environment: env)
    #expect(needs.status == 2)
    #expect(needs.stderr.contains("needs module 'teamz.absent': not found in the recipe's folder, RIG_PATH"))
    let future = try RigCommand.run(["run", "future"], in: dir + "/work", environment: env)
    #expect(future.status == 2)
    #expect(future.stderr.contains("needs Rig 0.99"), "\(future.stderr)")
    // Without the library on RIG_PATH, the same recipe names the module it lacks.
    let alone = try RigCommand.run(["run", "mine"], in: dir + "/work")
    #expect(alone.status == 1)
    #expect(alone.stderr.contains("module 'teamx.common' not found"))
  }
}
