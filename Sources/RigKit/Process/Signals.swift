#if canImport(Glibc)
  import Glibc
#endif

/// Signal names and numbers (Linux).
public enum Signals {
  static let table: [(Int32, String)] = [
    (SIGHUP, "SIGHUP"), (SIGINT, "SIGINT"), (SIGQUIT, "SIGQUIT"), (SIGILL, "SIGILL"),
    (SIGTRAP, "SIGTRAP"), (SIGABRT, "SIGABRT"), (SIGBUS, "SIGBUS"), (SIGFPE, "SIGFPE"),
    (SIGKILL, "SIGKILL"), (SIGUSR1, "SIGUSR1"), (SIGSEGV, "SIGSEGV"), (SIGUSR2, "SIGUSR2"),
    (SIGPIPE, "SIGPIPE"), (SIGALRM, "SIGALRM"), (SIGTERM, "SIGTERM"), (SIGCHLD, "SIGCHLD"),
    (SIGCONT, "SIGCONT"), (SIGSTOP, "SIGSTOP"), (SIGTSTP, "SIGTSTP"), (SIGTTIN, "SIGTTIN"),
    (SIGTTOU, "SIGTTOU"), (SIGURG, "SIGURG"), (SIGXCPU, "SIGXCPU"), (SIGXFSZ, "SIGXFSZ"),
    (SIGVTALRM, "SIGVTALRM"), (SIGPROF, "SIGPROF"), (SIGWINCH, "SIGWINCH"), (SIGIO, "SIGIO"),
    (SIGPWR, "SIGPWR"), (SIGSYS, "SIGSYS"),
  ]

  /// "SIGKILL" for 9; "SIG<n>" for numbers without a name.
  public static func name(_ signal: Int32) -> String {
    table.first { $0.0 == signal }?.1 ?? "SIG\(signal)"
  }

  /// The number for "SIGTERM", "TERM" or "15"; nil for anything else.
  public static func number(_ name: String) -> Int32? {
    if let n = Int32(name), n > 0, n < 65 { return n }
    let upper = name.uppercased()
    let full = upper.hasPrefix("SIG") ? upper : "SIG" + upper
    return table.first { $0.1 == full }?.0
  }
}
