/// What to run and how: the program and its arguments, environment, working directory,
/// standard streams, and the limits that stop it.
public struct ProcessSpec: Sendable {
  /// Where a child's standard input comes from.
  public enum Input: Sendable, Equatable {
    /// /dev/null (the default: a benchmark never waits on a terminal).
    case null
    /// Rig's own standard input.
    case inherit
    /// These bytes, written by Rig while the child runs.
    case bytes([UInt8])
    /// A file, opened for reading.
    case file(String)
  }

  /// Where a child's standard output or error goes.
  public enum Output: Sendable, Equatable {
    /// Kept in memory (up to `maxCapture` bytes; the rest is counted and dropped).
    case capture
    /// Rig's own stream.
    case inherit
    /// /dev/null.
    case null
    /// A file, created or truncated.
    case file(String)
    /// A file, created or appended to.
    case append(String)
  }

  /// The program (a name looked up in PATH, or a path) and its arguments.
  public var argv: [String]
  /// Variables added to (or, with `clearEnvironment`, making up) the child's environment.
  public var environment: [String: String] = [:]
  /// Inherited variables the child does not get.
  public var removedEnvironment: Set<String> = []
  /// Start from an empty environment instead of Rig's.
  public var clearEnvironment = false
  /// Working directory (nil: Rig's).
  public var workingDirectory: String?
  public var stdin: Input = .null
  public var stdout: Output = .capture
  public var stderr: Output = .capture
  /// Seconds before the child's process group gets SIGTERM (then SIGKILL after `killGrace`).
  public var timeout: Double?
  /// Seconds between SIGTERM and SIGKILL when a timeout or an interruption stops the child.
  public var killGrace: Double = 2
  /// The largest timeout or grace a recipe may ask for (about 31 years): larger values would
  /// overflow a nanosecond deadline.
  public static let maxSeconds: Double = 1e9
  /// The largest RSS limit in MB (1 EB): larger values overflow a kB count.
  public static let maxRSSLimitMB: Double = 1e12
  /// CPUs a child can be pinned to: 0 ..< cpuLimit (glibc's CPU_SETSIZE).
  public static let cpuLimit: Int64 = 1024
  /// Bytes of each captured stream kept in memory.
  public var maxCapture: Int = 64 << 20
  /// Peak RSS, in kB, of the child's process tree past which the tree is killed.
  public var rssLimitKB: Int?
  /// Seconds between RSS samples of the process tree when `rssLimitKB` is set.
  public var rssSampleInterval: Double = 0.02
  /// Pin the child (and what it starts) to this CPU.
  public var cpu: Int?
  /// Leave the rest of the child's process group alive when it exits (daemons it started).
  public var keepProcessGroup = false

  public init(argv: [String]) {
    self.argv = argv
  }
}

/// A finished process, as data: how it ended and what it cost.
public struct ProcessResult: Sendable {
  public var argv: [String]
  public var pid: Int32
  /// Exit code, when the process exited (nil when a signal ended it).
  public var exitCode: Int32?
  /// The signal that ended it, if one did.
  public var signal: Int32?
  /// The timeout passed and Rig stopped the process group.
  public var timedOut = false
  /// The tree's RSS passed `rssLimitKB` and Rig killed it.
  public var rssExceeded = false
  /// Wall time from just before spawn to just after reap (CLOCK_MONOTONIC, in the helper).
  public var wallSeconds: Double
  /// CPU time of the child and the descendants it waited for (wait4 rusage of this child only).
  public var userSeconds: Double
  public var systemSeconds: Double
  /// Peak RSS of the child (or of the largest descendant it waited for), in kB.
  public var maxRSSKB: Int
  /// Largest sampled RSS of the whole process tree, in kB (only when `rssLimitKB` is set).
  public var peakTreeRSSKB: Int?
  public var minorFaults: Int
  public var majorFaults: Int
  public var voluntaryContextSwitches: Int
  public var involuntaryContextSwitches: Int
  public var stdout: [UInt8]?
  public var stderr: [UInt8]?
  /// Bytes the child wrote to each captured stream (kept or not).
  public var stdoutBytes = 0
  public var stderrBytes = 0
  public var stdoutTruncated = false
  public var stderrTruncated = false
  /// Wall-clock start, ISO 8601 UTC.
  public var startedAt: String
  /// The start on the monotonic clock (`Clock.now()`), in seconds: places runs on one timeline.
  public var startSeconds: Double = 0

  /// Exited with 0, not stopped by Rig.
  public var ok: Bool { exitCode == 0 && !timedOut && !rssExceeded }
}

/// Why a process could not be started. Environment failures, reported to Lua as `nil, err`.
public struct SpawnError: Error, Sendable, CustomStringConvertible, Equatable {
  public struct Code: RawRepresentable, Sendable, Hashable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The program is not in PATH, or the path does not exist.
    public static let notFound = Code(rawValue: "not_found")
    /// The file exists but cannot be executed.
    public static let notExecutable = Code(rawValue: "not_executable")
    /// The working directory does not exist or is not a directory.
    public static let badCwd = Code(rawValue: "bad_cwd")
    /// A stdin file cannot be opened.
    public static let badStdin = Code(rawValue: "bad_stdin")
    /// A stdout/stderr file cannot be opened.
    public static let badOutput = Code(rawValue: "bad_output")
    /// Anything else the OS refused (too many processes, arguments too long, ...).
    public static let spawnFailed = Code(rawValue: "spawn_failed")
    /// A command queued to start after another (`start(_:after:)`) was killed before it started.
    public static let cancelled = Code(rawValue: "cancelled")
    /// Rig's spawn helper could not be started or stopped answering.
    public static let helperFailed = Code(rawValue: "helper_failed")
  }
  public let code: Code
  public let message: String
  public let errno: Int32?

  public init(_ code: Code, _ message: String, errno: Int32? = nil) {
    self.code = code
    self.message = message
    self.errno = errno
  }
  public var description: String { message }
}
