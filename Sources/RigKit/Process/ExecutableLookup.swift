import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Finding programs the way a shell does, without running one.
public enum ExecutableLookup {
  /// The path of `name`: `name` itself when it contains a slash (made absolute against
  /// `workingDirectory`), else the first executable match in `searchPath` (colon-separated).
  public static func find(_ name: String, searchPath: String?, workingDirectory: String? = nil) -> String? {
    if name.isEmpty { return nil }
    if name.utf8.contains(UInt8(ascii: "/")) {
      let path = name.hasPrefix("/") ? name : (workingDirectory ?? FileManager.default.currentDirectoryPath) + "/" + name
      return FileManager.default.fileExists(atPath: path) ? path : nil
    }
    for directory in (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
      let folder = directory.isEmpty ? "." : String(directory)
      let candidate = folder + "/" + name
      var info = stat()
      if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
        return candidate
      }
    }
    return nil
  }
}
