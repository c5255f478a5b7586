internal import CRigLua
import RigKit

// rig.fs (native part): thin binding over RigKit.FileSystem. Failures are `nil, err`.
extension LuaHost {
  /// Runs a file-system call; an FSError becomes `nil, err` (other errors propagate).
  static func fs(_ call: LuaCall, _ body: () throws -> Int32) throws -> Int32 {
    do { return try body() } catch let e as FSError {
      return call.fail(code: e.code, message: e.message, errno: e.errno)
    }
  }

  private static func bytesArgument(_ call: LuaCall, _ i: Int32) throws -> [UInt8] {
    var length = 0
    guard let p = rig_tostring(call.L, i, &length) else { throw LuaArgumentError.type(index: i, expected: "string") }
    return Array(UnsafeRawBufferPointer(start: p, count: length))
  }

  private static func infoValue(_ i: FileSystem.Info) -> LuaValue {
    .table([
      ("size", .integer(i.size)), ("mtime", .number(i.mtime)), ("kind", .string(i.kind.rawValue)),
      ("mode", .integer(Int64(i.mode))),
    ])
  }

  func openFSModule() {
    let functions: [(String, HostFunction)] = [
      (
        "read",
        { call in
          let path = try call.path(1)
          return try Self.fs(call) { call.push(.bytes(try FileSystem.read(path, maxBytes: call.memoryBudget))) }
        }
      ),
      (
        "write",
        { call in
          let path = try call.path(1)
          if rig_type(call.L, 2) == RIG_TTABLE {
            // A list of strings (checked in fs.lua), written straight from Lua's memory: the
            // table on the stack keeps every string alive meanwhile.
            var parts: [UnsafeRawBufferPointer] = []
            let count = rig_rawlen(call.L, 2)
            if count > 0 {
              for k in 1...count {
                // Strings only: a number would be converted in the stack slot popped here.
                let isString = rig_rawgeti(call.L, 2, Int64(k)) == RIG_TSTRING
                var length = 0
                let p = isString ? rig_tostring(call.L, -1, &length) : nil
                rig_settop(call.L, -2)
                guard let p else { throw LuaArgumentError.message(index: 2, "item \(k) is not a string") }
                parts.append(UnsafeRawBufferPointer(start: p, count: length))
              }
            }
            return try Self.fs(call) {
              try FileSystem.writeAtomic(path, parts: parts)
              return call.push(true)
            }
          }
          let data = try Self.bytesArgument(call, 2)
          return try Self.fs(call) {
            try FileSystem.writeAtomic(path, data)
            return call.push(true)
          }
        }
      ),
      (
        "append",
        { call in
          let path = try call.path(1), data = try Self.bytesArgument(call, 2)
          return try Self.fs(call) {
            try FileSystem.append(path, data, sync: call.boolean(3))
            return call.push(true)
          }
        }
      ),
      (
        "stat",
        { call in
          let path = try call.path(1)
          return try Self.fs(call) {
            guard let i = try FileSystem.info(path) else { return call.pushNil() }
            return call.push(Self.infoValue(i))
          }
        }
      ),
      (
        "list",
        { call in
          let path = try call.path(1)
          return try Self.fs(call) { call.push(.array(try FileSystem.list(path).map { .string($0) })) }
        }
      ),
      (
        "glob",
        { call in
          let pattern = try call.path(1)
          return try Self.fs(call) { call.push(.array(try FileSystem.glob(pattern).map { .string($0) })) }
        }
      ),
      (
        "walk",
        { call in
          let path = try call.path(1)
          return try Self.fs(call) {
            let entries = try FileSystem.walk(path)
            var items: [LuaValue] = []
            for (p, info) in entries {
              items.append(.table([
                ("path", .string(p)), ("kind", .string(info.kind.rawValue)), ("size", .integer(info.size)),
                ("mtime", .number(info.mtime)),
              ]))
            }
            return call.push(.array(items))
          }
        }
      ),
      (
        "mkdir",
        { call in
          let path = try call.path(1)
          return try Self.fs(call) {
            try FileSystem.makeDirectories(path)
            return call.push(true)
          }
        }
      ),
      (
        "remove",
        { call in
          let path = try call.path(1)
          return try Self.fs(call) {
            try FileSystem.remove(path)
            return call.push(true)
          }
        }
      ),
      (
        "remove_tree",
        { call in
          let path = try call.path(1), root = try call.path(2)
          return try Self.fs(call) { call.push(Int64(try FileSystem.removeTree(path, root: root))) }
        }
      ),
      (
        "copy",
        { call in
          let from = try call.path(1), to = try call.path(2)
          return try Self.fs(call) {
            try FileSystem.copy(from, to)
            return call.push(true)
          }
        }
      ),
      (
        "tmpdir",
        { call in
          let prefix = try call.optionalString(1) ?? "rig"
          return try Self.fs(call) { call.push(try FileSystem.temporaryDirectory(prefix: prefix)) }
        }
      ),
      (
        "tree_size",
        { call in
          let path = try call.path(1)
          return try Self.fs(call) {
            let (bytes, files) = try FileSystem.treeSize(path)
            return call.push(.table([("bytes", .integer(bytes)), ("files", .integer(Int64(files)))]))
          }
        }
      ),
      (
        "realpath",
        { call in
          guard let p = FileSystem.realPath(try call.path(1)) else { return call.pushNil() }
          return call.push(p)
        }
      ),
      (
        // try_lock(path) -> lock | false (another process holds it) | nil, err. A missing
        // lock file gives a lock that holds nothing: nobody can be holding it.
        "try_lock",
        { call in
          let path = try call.path(1)
          return try Self.fs(call) {
            switch try FileSystem.tryLock(path) {
            case .acquired(let fd): return call.pushObject(Self.lockClass, handle: Int64(fd))
            case .absent: return call.pushObject(Self.lockClass, handle: Self.noFile)
            case .held: return call.push(false)
            }
          }
        }
      ),
    ]
    registerModule("rig._native.fs", functions)
    let release: HostFunction = { call in
      var handle: Int64 = 0
      guard rig_object_handle(call.L, 1, Self.lockClass, &handle) != 0, handle != -1 else { return 0 }
      call.closeObject(1)
      if handle >= 0 { FileSystem.unlock(Int32(handle)) }
      return 0
    }
    registerClass(Self.lockClass, [("unlock", release), ("__close", release), ("__gc", release)])
  }

  static let lockClass = "rig.Lock"
  /// The handle of a lock whose file did not exist (closed handles are -1).
  static let noFile: Int64 = -2
}
