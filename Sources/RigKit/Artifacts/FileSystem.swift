import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A file-system failure: the environment's, reported to Lua as `nil, err`.
public struct FSError: Error, Equatable, CustomStringConvertible {
  public let code: String
  public let message: String
  public let errno: Int32?

  public init(code: String, message: String, errno: Int32? = nil) {
    self.code = code
    self.message = message
    self.errno = errno
  }

  /// From an errno, with the path it concerns.
  public init(errno e: Int32, path: String, doing: String? = nil) {
    let code: String
    switch e {
    case ENOENT: code = "not_found"
    case EACCES, EPERM: code = "permission_denied"
    case EEXIST: code = "exists"
    case ENOTDIR: code = "not_a_directory"
    case EISDIR: code = "is_a_directory"
    case ENOTEMPTY: code = "not_empty"
    case ENOSPC, EDQUOT: code = "no_space"
    case EROFS: code = "read_only"
    default: code = "io_error"
    }
    let what = doing.map { "\($0) " } ?? ""
    self.init(code: code, message: "\(what)\(path): \(String(cString: strerror(e)))", errno: e)
  }

  public var description: String { message }
}

/// File operations for artifacts. Writes are atomic: a temporary file in the same directory,
/// written in full, fsync'd, renamed over the target, and the directory fsync'd, so a crash or
/// a kill leaves either the old file or the new one, never a mix.
public enum FileSystem {
  public enum Kind: String, Sendable { case file, directory, link, other }

  public struct Info: Sendable, Equatable {
    public var size: Int64
    /// Modification time, seconds since 1970.
    public var mtime: Double
    public var kind: Kind
    public var mode: UInt32
  }

  /// The most a read may bring into memory when the caller sets no bound: the machine's
  /// physical memory (a sparse 1 TB file, or /dev/zero, is an error, not a failed allocation).
  public static var memoryBound: Int {
    let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
    guard pages > 0, size > 0 else { return 1 << 34 }
    return pages.multipliedReportingOverflow(by: size).overflow ? Int.max : pages * size
  }

  /// A path the OS can take: not empty, no NUL byte (the OS would silently cut the path there).
  public static func checkPath(_ path: String) throws(FSError) {
    if path.isEmpty { throw FSError(code: "bad_path", message: "an empty path") }
    if path.utf8.contains(0) { throw FSError(code: "bad_path", message: "a path with a NUL byte: \(path.debugDescription)") }
  }

  /// The whole file, read into memory: regular files, pipes, FIFOs, /proc files and character
  /// devices alike. More than `maxBytes` is an error (`too_large`) raised before anything that
  /// size is allocated. Reading (not mapping) keeps the bytes valid when another process
  /// truncates the file meanwhile, where a mapping would die of SIGBUS; the file read is
  /// whatever it held while it was read.
  public static func read(_ path: String, maxBytes: Int? = nil) throws(FSError) -> [UInt8] {
    try checkPath(path)
    let bound = min(maxBytes ?? Int.max, memoryBound)
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FSError(errno: errno, path: path) }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { throw FSError(errno: EISDIR, path: path) }
    let isRegular = (info.st_mode & S_IFMT) == S_IFREG
    let expected = isRegular ? max(0, Int(info.st_size)) : 0
    func tooLarge() -> FSError {
      FSError(code: "too_large", message: "\(path): larger than \(bound) bytes, the most this read may hold (see --lua-memory-mb)")
    }
    if expected > bound { throw tooLarge() }
    // Read straight into the array's storage (one copy from the kernel); files that grow
    // while being read, or report no size (/proc, pipes), continue in chunks.
    var failure: Int32 = 0
    var bytes = [UInt8](unsafeUninitializedCapacity: expected) { buffer, count in
      count = 0
      guard let base = buffer.baseAddress else { return }
      adviseHugePages(base, expected)
      while count < expected {
        let n = Glibc.read(fd, base + count, expected - count)
        if n > 0 {
          count += n
        } else if n == 0 {
          break
        } else if errno != EINTR {
          failure = errno
          break
        }
      }
    }
    if failure != 0 { throw FSError(errno: failure, path: path, doing: "reading") }
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n > 0 {
        if bytes.count + n > bound { throw tooLarge() }
        bytes.append(contentsOf: chunk[0..<n])
      } else if n == 0 {
        return bytes
      } else if errno != EINTR {
        throw FSError(errno: errno, path: path, doing: "reading")
      }
    }
  }

  /// Asks for transparent huge pages on the 2 MB-aligned inside of a large buffer that is not
  /// yet touched. Filling fresh memory costs a page fault per 4 KB page, and on these virtual
  /// machines a fault costs about 4 us: 25 ms for a 22 MB results file, more than the read
  /// itself. With huge pages it is one fault per 2 MB. Only a hint: where the kernel has THP
  /// off (or no huge page free) nothing changes.
  static func adviseHugePages(_ base: UnsafeMutablePointer<UInt8>, _ count: Int) {
    let huge = 2 << 20
    guard count >= 2 * huge else { return }
    let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
    let end = (Int(bitPattern: base) + count) & ~(huge - 1)
    guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
    _ = madvise(aligned, end - start, MADV_HUGEPAGE)
  }

  /// `path` split at its last `/`: the directory ("." when none) and the name. Plain bytes:
  /// NSString's path methods trap on some names (`%`).
  public static func split(_ path: String) -> (directory: String, name: String) {
    let bytes = Array(path.utf8)
    var end = bytes.count
    while end > 1 && bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
    guard let slash = bytes[..<end].lastIndex(of: UInt8(ascii: "/")) else {
      return (".", String(decoding: bytes[..<end], as: UTF8.self))
    }
    let name = String(decoding: bytes[(slash + 1)..<end], as: UTF8.self)
    return (slash == 0 ? "/" : String(decoding: bytes[..<slash], as: UTF8.self), name)
  }

  /// Writes every part in order, up to 1024 (IOV_MAX) parts a system call; 0 or the errno that
  /// stopped it.
  private static func writeAll(_ fd: Int32, _ parts: [UnsafeRawBufferPointer]) -> Int32 {
    var vectors = parts.filter { $0.count > 0 }.map { iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count) }
    var first = 0
    while first < vectors.count {
      let count = min(vectors.count - first, 1024)  // IOV_MAX on Linux
      let n = vectors.withUnsafeBufferPointer { v -> Int in
        guard let base = v.baseAddress else { return 0 }
        return writev(fd, base + first, Int32(count))
      }
      if n < 0 {
        if errno == EINTR { continue }
        return errno
      }
      // Skip what was written; a partial write leaves the rest of one part for the next call.
      var left = n
      while left > 0 && first < vectors.count {
        if left >= vectors[first].iov_len {
          left -= vectors[first].iov_len
          first += 1
        } else {
          vectors[first].iov_base += left
          vectors[first].iov_len -= left
          left = 0
        }
      }
    }
    return 0
  }

  /// Writes everything to `fd`; 0 or the errno that stopped it (EINTR is retried).
  public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32 {
    bytes.withUnsafeBytes { writeAll(fd, [$0]) }
  }


  private static func string(_ cString: [CChar]) -> String {
    String(decoding: cString.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Replaces `path` with `bytes` atomically (see the type's comment). The file keeps the
  /// mode of the one it replaces (0644 for a new one).
  public static func writeAtomic(_ path: String, _ bytes: [UInt8]) throws(FSError) {
    var failure: FSError?
    bytes.withUnsafeBytes { buffer in
      do throws(FSError) { try writeAtomic(path, parts: [buffer]) } catch { failure = error }
    }
    if let failure { throw failure }
  }

  /// Replaces `path` with `parts`, one after the other, atomically: for text made of many
  /// pieces (a snapshot of many cases), written without joining them first.
  public static func writeAtomic(_ path: String, parts: [UnsafeRawBufferPointer]) throws(FSError) {
    try checkPath(path)
    let (dir, name) = split(path)
    var template = Array("\(dir)/.\(name).tmp-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { $0.baseAddress.map { mkstemp($0) } ?? -1 }
    guard fd >= 0 else { throw FSError(errno: errno, path: path, doing: "creating a temporary file for") }
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    let tmp = string(template)
    var ok = false
    defer {
      if !ok { unlink(tmp) }
    }
    var old = stat()
    let mode = stat(path, &old) == 0 ? old.st_mode & 0o7777 : 0o644
    fchmod(fd, mode)
    let written = writeAll(fd, parts)
    if written != 0 {
      close(fd)
      throw FSError(errno: written, path: tmp, doing: "writing")
    }
    if fsync(fd) != 0 {
      let e = errno
      close(fd)
      throw FSError(errno: e, path: tmp, doing: "syncing")
    }
    close(fd)
    if rename(tmp, path) != 0 { throw FSError(errno: errno, path: path, doing: "renaming into") }
    ok = true
    let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dfd >= 0 {
      fsync(dfd)
      close(dfd)
    }
  }

  /// Appends `bytes` to `path` (created if missing) in one write(2), so concurrent appenders
  /// of whole lines do not interleave; `sync` fsyncs it.
  public static func append(_ path: String, _ bytes: [UInt8], sync: Bool = false) throws(FSError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw FSError(errno: errno, path: path) }
    defer { close(fd) }
    let written = writeAll(fd, bytes)
    if written != 0 { throw FSError(errno: written, path: path, doing: "writing") }
    if sync && fsync(fd) != 0 { throw FSError(errno: errno, path: path, doing: "syncing") }
  }

  /// Calls `body` with the whole file's bytes (an empty file gives an empty buffer), read as
  /// `read` does, at most `maxBytes`. It once mapped the file, which saved a copy but died of
  /// SIGBUS when another process truncated the file meanwhile (Molt's tools rewrite results
  /// in place); reading costs one copy from the page cache (about 3 ms for 22 MB here).
  public static func withContents<T>(
    _ path: String, maxBytes: Int? = nil, _ body: (UnsafeRawBufferPointer) -> T
  ) throws(FSError) -> T {
    let bytes = try read(path, maxBytes: maxBytes)
    return bytes.withUnsafeBytes { body($0) }
  }

  /// `count` bytes of `path` from byte `offset` (0-based); fails when the file no longer has
  /// them (it changed since the caller looked).
  public static func readRange(_ path: String, offset: Int64, count: Int) throws(FSError) -> [UInt8] {
    try checkPath(path)
    guard count >= 0, offset >= 0, count <= memoryBound else {
      throw FSError(code: "bad_range", message: "\(path): no range of \(count) bytes at \(offset)")
    }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FSError(errno: errno, path: path) }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: count)
    let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
    guard n == count else { throw FSError(code: "io_error", message: "\(path): the file changed while it was read") }
    return bytes
  }

  /// How `tryLock` came out.
  public enum LockAttempt: Equatable {
    /// Held through this descriptor until `unlock`.
    case acquired(fd: Int32)
    /// No lock file: nobody can be holding it (nothing is created).
    case absent
    /// Another process holds it.
    case held
  }

  /// Takes an exclusive flock(2) on an existing lock file without waiting (the protocol of
  /// Molt's cache locks and most tools': advisory, released when the holder exits).
  public static func tryLock(_ path: String) throws(FSError) -> LockAttempt {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
      if errno == ENOENT { return .absent }
      throw FSError(errno: errno, path: path)
    }
    if flock(fd, LOCK_EX | LOCK_NB) != 0 {
      let e = errno
      close(fd)
      if e == EWOULDBLOCK { return .held }
      throw FSError(errno: e, path: path, doing: "locking")
    }
    return .acquired(fd: fd)
  }

  /// Releases a lock from `tryLock`.
  public static func unlock(_ fd: Int32) {
    close(fd)
  }

  /// Information about `path` (links are not followed), or nil when it does not exist.
  public static func info(_ path: String) throws(FSError) -> Info? {
    var s = stat()
    if lstat(path, &s) != 0 {
      if errno == ENOENT || errno == ENOTDIR { return nil }
      throw FSError(errno: errno, path: path)
    }
    let kind: Kind
    switch s.st_mode & S_IFMT {
    case S_IFREG: kind = .file
    case S_IFDIR: kind = .directory
    case S_IFLNK: kind = .link
    default: kind = .other
    }
    return Info(
      size: Int64(s.st_size), mtime: Double(s.st_mtim.tv_sec) + Double(s.st_mtim.tv_nsec) / 1e9, kind: kind,
      mode: UInt32(s.st_mode & 0o7777))
  }

  /// Entry names of a directory, sorted, without "." and "..".
  public static func list(_ path: String) throws(FSError) -> [String] {
    guard let dir = opendir(path) else { throw FSError(errno: errno, path: path) }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  /// Paths matching a shell pattern (glob(3), with `{a,b}` braces and `~`), sorted.
  public static func glob(_ pattern: String) throws(FSError) -> [String] {
    var g = glob_t()
    defer { globfree(&g) }
    let rc = Glibc.glob(pattern, GLOB_BRACE | GLOB_TILDE, nil, &g)
    if rc == GLOB_NOMATCH { return [] }
    guard rc == 0 else { throw FSError(code: "io_error", message: "glob '\(pattern)' failed (\(rc))") }
    var paths: [String] = []
    for i in 0..<Int(g.gl_pathc) {
      if let p = g.gl_pathv[i] { paths.append(String(cString: p)) }
    }
    return paths.sorted()
  }

  /// Every entry below `root` (depth first, sorted per directory; symbolic links reported,
  /// not followed).
  public static func walk(_ root: String) throws(FSError) -> [(path: String, info: Info)] {
    var out: [(String, Info)] = []
    func visit(_ dir: String) throws(FSError) {
      for name in try list(dir) {
        let path = dir == "/" ? "/" + name : dir + "/" + name
        guard let i = try info(path) else { continue }
        out.append((path, i))
        if i.kind == .directory { try visit(path) }
      }
    }
    try visit(root)
    return out
  }

  /// mkdir -p.
  public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(FSError) {
    var current = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
      current += "/" + part
      if mkdir(current, mode) != 0 && errno != EEXIST { throw FSError(errno: errno, path: current) }
    }
    guard let i = try info(path), i.kind == .directory else { throw FSError(errno: ENOTDIR, path: path) }
  }

  /// Removes a file or an empty directory.
  public static func remove(_ path: String) throws(FSError) {
    if unlink(path) == 0 { return }
    if errno == EISDIR || errno == EPERM, rmdir(path) == 0 { return }
    throw FSError(errno: errno, path: path)
  }

  /// The canonical absolute form of a path that exists (symbolic links resolved).
  public static func realPath(_ path: String) -> String? {
    guard let p = realpath(path, nil) else { return nil }
    defer { free(p) }
    return String(cString: p)
  }

  /// Removes a directory tree, refusing `/`, the home directory, and anything not strictly
  /// inside `root` (compared after resolving links). Returns the number of entries removed.
  @discardableResult
  public static func removeTree(_ path: String, root: String) throws(FSError) -> Int {
    guard let real = realPath(path) else {
      if try info(path) == nil { return 0 }
      throw FSError(errno: errno, path: path)
    }
    guard let realRoot = realPath(root) else { throw FSError(code: "not_found", message: "\(root): the allowed root does not exist") }
    let home = ProcessInfo.processInfo.environment["HOME"].flatMap(realPath)
    if real == "/" || real == home {
      throw FSError(code: "refused", message: "refusing to remove \(real)")
    }
    guard real.hasPrefix(realRoot.hasSuffix("/") ? realRoot : realRoot + "/") else {
      throw FSError(code: "refused", message: "refusing to remove \(real): it is not inside \(realRoot)")
    }
    // Descends with directory descriptors, never by path: each directory is opened relative to
    // its parent's descriptor with O_NOFOLLOW, and entries are removed with unlinkat. A
    // directory swapped for a symbolic link while this runs is unlinked as the link it has
    // become (nothing it points to is touched), and nothing on another file system is entered.
    // An entry that vanished meanwhile is skipped.
    let (parent, name) = split(real)
    let parentFD = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard parentFD >= 0 else { throw FSError(errno: errno, path: parent) }
    defer { close(parentFD) }
    var top = stat()
    guard fstatat(parentFD, name, &top, AT_SYMLINK_NOFOLLOW) == 0 else {
      if errno == ENOENT { return 0 }
      throw FSError(errno: errno, path: real)
    }
    var removed = 0
    func destroy(_ dirFD: Int32, _ entry: String, _ shown: String, device: UInt) throws(FSError) {
      var st = stat()
      guard fstatat(dirFD, entry, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
        if errno == ENOENT { return }
        throw FSError(errno: errno, path: shown)
      }
      if (st.st_mode & S_IFMT) == S_IFDIR {
        guard UInt(st.st_dev) == device else {
          throw FSError(code: "refused", message: "refusing to remove \(shown): it is another file system (a mount point)")
        }
        let fd = openat(dirFD, entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
          if errno == ENOENT { return }
          if errno == ENOTDIR || errno == ELOOP {  // swapped for a link or a file just now
            if unlinkat(dirFD, entry, 0) == 0 || errno == ENOENT { removed += 1; return }
          }
          throw FSError(errno: errno, path: shown)
        }
        defer { close(fd) }
        var opened = stat()
        guard fstat(fd, &opened) == 0, opened.st_dev == st.st_dev, opened.st_ino == st.st_ino else {
          throw FSError(code: "changed", message: "\(shown) changed while it was being removed")
        }
        for child in try names(fd, shown) { try destroy(fd, child, shown + "/" + child, device: device) }
        if unlinkat(dirFD, entry, AT_REMOVEDIR) != 0 && errno != ENOENT { throw FSError(errno: errno, path: shown) }
      } else if unlinkat(dirFD, entry, 0) != 0 {
        if errno == ENOENT { return }
        throw FSError(errno: errno, path: shown)
      }
      removed += 1
    }
    try destroy(parentFD, name, real, device: UInt(top.st_dev))
    return removed
  }

  /// The names in the directory open at `fd` (the descriptor stays open), "." and ".." left out.
  private static func names(_ fd: Int32, _ shown: String) throws(FSError) -> [String] {
    let copy = dup(fd)
    guard copy >= 0, let dir = fdopendir(copy) else {
      if copy >= 0 { close(copy) }
      throw FSError(errno: errno, path: shown)
    }
    defer { closedir(dir) }
    var out: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      if name != "." && name != ".." { out.append(name) }
    }
    return out
  }

  /// Copies a file (contents and mode), atomically at the destination.
  public static func copy(_ source: String, _ destination: String) throws(FSError) {
    let bytes = try read(source)
    try writeAtomic(destination, bytes)
    if let i = try info(source) { chmod(destination, mode_t(i.mode)) }
  }

  /// A new private directory (mkdtemp) under $TMPDIR or /tmp.
  public static func temporaryDirectory(prefix: String = "rig") throws(FSError) -> String {
    let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array("\(base)/\(prefix).XXXXXX".utf8CString)
    guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
      throw FSError(errno: errno, path: base, doing: "creating a temporary directory in")
    }
    return string(template)
  }

  /// Total apparent size (bytes) and count of the regular files below `root`.
  public static func treeSize(_ root: String) throws(FSError) -> (bytes: Int64, files: Int) {
    guard let top = try info(root) else { throw FSError(errno: ENOENT, path: root) }
    if top.kind != .directory { return (top.kind == .file ? top.size : 0, top.kind == .file ? 1 : 0) }
    var bytes: Int64 = 0, files = 0
    for (_, i) in try walk(root) where i.kind == .file {
      bytes += i.size
      files += 1
    }
    return (bytes, files)
  }
}
