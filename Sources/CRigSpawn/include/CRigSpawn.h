// CRigSpawn: the wire protocol between Rig and its spawn helper (`rig-spawn`), and the few
// system calls Swift cannot make directly (sendmsg/recvmsg with SCM_RIGHTS, whose CMSG macros
// do not import into Swift; posix_spawn file actions that are GNU extensions).
//
// Why a helper: on Linux a child's ru_maxrss starts at the RSS of the process that forked it
// (the old mm's high-water mark is kept across exec). Rig may hold hundreds of MB of artifacts;
// a tiny helper process that forks, execs and reaps keeps every child's peak RSS its own.
#ifndef CRIGSPAWN_H
#define CRIGSPAWN_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#define RIG_SPAWN_MAGIC 0x52494731u  /* "RIG1" */
#define RIG_SPAWN_MAX_MESSAGE (4u << 20)

enum {
  RIG_SPAWN_REQ_SPAWN = 1,
  RIG_SPAWN_REPLY_SPAWNED = 2,
  RIG_SPAWN_REPLY_EXITED = 3,
  RIG_SPAWN_REQ_SIGNAL = 4,  // send `signal` to the process group of child `id`, if still running;
                             // a queued child (see `after`) is cancelled: SPAWNED with ECANCELED
};

/// Request flags.
enum {
  RIG_SPAWN_KEEP_GROUP = 1,  // do not SIGKILL the rest of the child's process group when it exits
  RIG_SPAWN_INHERIT_ENV = 2,  // no environment in the payload: use the helper's own (Rig's at start)
  RIG_SPAWN_NOTIFY = 4,       // answer SPAWNED with the pid (failures are always answered)
  RIG_SPAWN_EXACT_ENV = 8,    // the payload's environment exactly (env_clear): no RIG_SPAWN_ID added
};

/// A spawn request. Followed in the same message by `payload_len` bytes: the resolved program
/// path, then `argc` arguments, then `envc` environment entries, then the working directory
/// (empty = inherit), each NUL-terminated. Three descriptors travel with it (SCM_RIGHTS):
/// the child's stdin, stdout and stderr.
///
/// `after`, when not 0, queues the child in the helper until child `after` has been reaped (or
/// has failed to start, or was cancelled), and starts it right then, before the helper answers
/// anything about `after`: back-to-back runs without a round trip through Rig between them.
/// An `after` that is neither running nor queued starts the child at once.
typedef struct {
  uint32_t magic;
  uint32_t kind;
  uint32_t id;
  uint32_t flags;
  uint32_t argc;
  uint32_t envc;
  int32_t cpu;  // pin the child to this CPU, or -1
  int32_t signal;  // for RIG_SPAWN_REQ_SIGNAL
  uint32_t payload_len;
  uint32_t after;  // start once this child is done; 0: now
} rig_spawn_request;

/// A reply: SPAWNED (pid, or error = errno of a failed spawn) or EXITED (wait4 status and the
/// child's own rusage). Times are CLOCK_MONOTONIC nanoseconds taken by the helper right before
/// posix_spawn and right after wait4; SPAWNED carries start_ns too (a queued child's deadlines
/// count from it).
typedef struct {
  uint32_t magic;
  uint32_t kind;
  uint32_t id;
  int32_t pid;
  int32_t error;
  int32_t status;
  int64_t start_ns;
  int64_t end_ns;
  int64_t utime_us;
  int64_t stime_us;
  int64_t maxrss_kb;
  int64_t minflt;
  int64_t majflt;
  int64_t nvcsw;
  int64_t nivcsw;
} rig_spawn_reply;

/// Sends a request with its payload and three descriptors (fds may be NULL: none). Returns 0
/// or an errno.
int rig_spawn_send(int sock, const rig_spawn_request *request, const void *payload, const int fds[3]);

/// Receives one reply (blocking unless the socket is non-blocking). Returns 1 on a reply, 0 on
/// end of file, -errno on error.
int rig_spawn_receive(int sock, rig_spawn_reply *reply);

/// Starts the helper at `path` with `sock` as its descriptor 3. Returns the pid or -errno.
pid_t rig_spawn_start_helper(const char *path, int sock);

// MARK: - Process groups to kill if Rig must exit at once (async-signal-safe)

/// Remembers a running child's process group.
void rig_children_add(pid_t pgid);
/// Forgets it.
void rig_children_remove(pid_t pgid);
/// Sends `signo` to every remembered group (safe in a signal handler).
void rig_children_kill_all(int signo);

// MARK: - Small wrappers

/// CLOCK_MONOTONIC in nanoseconds.
int64_t rig_monotonic_ns(void);
/// waitpid with WNOHANG; returns the pid, 0, or -errno. Exit status in *status.
int rig_reap(pid_t pid, int *status, int nohang);
/// Makes this process a child subreaper: orphans below it (the spawn helper's children, if the
/// helper dies) are re-parented to it rather than to init, so it can still find and end them.
int rig_set_subreaper(void);
/// WIFEXITED/WEXITSTATUS/WIFSIGNALED/WTERMSIG as plain functions (macros do not import).
int rig_wifexited(int status);
int rig_wexitstatus(int status);
int rig_wifsignaled(int status);
int rig_wtermsig(int status);
/// An anonymous file in memory holding the bytes of base64 `text` (close-on-exec); -errno on
/// failure (-EINVAL: not base64).
int rig_memfd_from_base64(const char *name, const char *text, size_t length);
/// pipe2(O_CLOEXEC); 0 or errno.
int rig_pipe(int fds[2]);
/// A SOCK_SEQPACKET socket pair, close-on-exec, with buffers for large requests; 0 or errno.
int rig_socketpair(int fds[2]);
/// Sets O_NONBLOCK.
int rig_set_nonblocking(int fd);
/// open(2) with close-on-exec; -errno on failure. mode: 0 read, 1 write (create, truncate),
/// 2 write (create, append), 3 read-write.
int rig_open(const char *path, int mode);
/// The environment of this process (for building a child's).
char **rig_environ(void);

#endif
