// rig-spawn: Rig's spawn helper. Rig starts it once, with a SOCK_SEQPACKET socket as
// descriptor 3, and asks it over that socket to start children; it answers with each child's
// pid, then with its exit status and its own rusage from wait4.
//
// It exists so that children are forked from a process of about a megabyte: on Linux a child's
// ru_maxrss starts at the RSS of the process that forked it, and Rig itself may be large.
// It is a child subreaper, so orphaned grandchildren are reaped here too, and when Rig goes
// away (its end of the socket closes) it kills every child's process group before exiting.
// A request may wait in a queue here for another child to finish (`after`): the next of a run
// of back-to-back children starts the moment its predecessor is reaped, while Rig, on its own
// time, records the one before.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "CRigSpawn.h"

typedef struct {
  pid_t pid;
  uint32_t id;
  uint32_t flags;
  int64_t start_ns;
} Child;

static Child *children = NULL;
static size_t nchildren = 0, capchildren = 0;
static int sock = -1;

/// A spawn request waiting for child `req.after`; it owns its payload copy and descriptors.
typedef struct {
  rig_spawn_request req;
  char *payload;
  int fds[3];
} Pending;

static Pending *pending = NULL;
static size_t npending = 0, cappending = 0;

static void reply(const rig_spawn_reply *r) {
  ssize_t n;
  do {
    n = send(sock, r, sizeof *r, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
}

static void track(pid_t pid, uint32_t id, uint32_t flags, int64_t start_ns) {
  if (nchildren == capchildren) {
    capchildren = capchildren ? capchildren * 2 : 16;
    children = realloc(children, capchildren * sizeof *children);
    if (!children) _exit(70);
  }
  children[nchildren++] = (Child){pid, id, flags, start_ns};
}

/// Starts a child; returns 0, or the errno it failed with (already answered to Rig).
static int spawn_child(const rig_spawn_request *req, char *payload, const int fds[3]) {
  rig_spawn_reply r = {0};
  r.magic = RIG_SPAWN_MAGIC;
  r.kind = RIG_SPAWN_REPLY_SPAWNED;
  r.id = req->id;
  r.pid = -1;

  // Unpack: program, argv[argc], envp[envc], cwd.
  size_t total = 1 + req->argc + req->envc + 1;
  char **strings = calloc(total, sizeof(char *));
  char **argv = calloc(req->argc + 1, sizeof(char *));
  char **envp = calloc(req->envc + 1, sizeof(char *));
  char **child_env = NULL;
  if (!strings || !argv || !envp) {
    r.error = ENOMEM;
    goto done;
  }
  {
    char *p = payload, *end = payload + req->payload_len;
    for (size_t i = 0; i < total; i++) {
      char *nul = memchr(p, 0, (size_t)(end - p));
      if (!nul) {
        r.error = EPROTO;
        goto done;
      }
      strings[i] = p;
      p = nul + 1;
    }
  }
  for (uint32_t i = 0; i < req->argc; i++) argv[i] = strings[1 + i];
  for (uint32_t i = 0; i < req->envc; i++) envp[i] = strings[1 + req->argc + i];
  extern char **environ;
  char **base_env = (req->flags & RIG_SPAWN_INHERIT_ENV) ? environ : envp;
  // The child's environment plus RIG_SPAWN_ID=<id>, which its descendants inherit: when the
  // child ends, the orphans it left (re-parented to this subreaper) are told apart by it.
  size_t nenv = 0;
  while (base_env[nenv]) nenv++;
  child_env = calloc(nenv + 2, sizeof(char *));
  char token[48];
  snprintf(token, sizeof token, "RIG_SPAWN_ID=%u", req->id);
  if (!child_env) {
    r.error = ENOMEM;
    goto done;
  }
  memcpy(child_env, base_env, nenv * sizeof(char *));
  // A cleared environment stays exactly what was asked (its orphans are then killed once no
  // child is running).
  if (!(req->flags & RIG_SPAWN_EXACT_ENV)) child_env[nenv] = token;
  const char *program = strings[0];
  const char *cwd = strings[total - 1];

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  for (int k = 0; k < 3; k++) posix_spawn_file_actions_adddup2(&actions, fds[k], k);
  if (cwd[0]) posix_spawn_file_actions_addchdir_np(&actions, cwd);
  // Signal dispositions: this helper was started with every signal at its default and installs
  // no handler, so children inherit defaults without POSIX_SPAWN_SETSIGDEF (which costs one
  // sigaction per signal, about 20 us a spawn). Only the mask needs resetting: SIGCHLD is
  // blocked here for the signalfd.
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group: timeouts and cleanup kill the tree
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

  // CPU pinning: a child inherits its parent's affinity, so pin this helper for the spawn.
  cpu_set_t saved;
  int pinned = 0;
  if (req->cpu >= 0 && req->cpu < CPU_SETSIZE && sched_getaffinity(0, sizeof saved, &saved) == 0) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(req->cpu, &one);
    if (sched_setaffinity(0, sizeof one, &one) == 0) pinned = 1;
    else r.error = errno;
  }
  if (r.error == 0) {
    pid_t pid = -1;
    r.start_ns = rig_monotonic_ns();
    int rc = posix_spawn(&pid, program, &actions, &attr, argv, child_env);
    if (rc == 0) {
      r.pid = pid;
      track(pid, req->id, req->flags, r.start_ns);
    } else {
      r.error = rc;
    }
  }
  // A plain run does not need its pid: one message (and one wake-up of Rig) less per child.
  int answer = r.error != 0 || (req->flags & RIG_SPAWN_NOTIFY);
  if (pinned) sched_setaffinity(0, sizeof saved, &saved);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  free(strings);
  free(argv);
  free(envp);
  free(child_env);
  if (answer) reply(&r);
  return r.error;
done:
  free(strings);
  free(argv);
  free(envp);
  free(child_env);
  reply(&r);
  return r.error;
}

static int is_running(uint32_t id) {
  for (size_t i = 0; i < nchildren; i++) {
    if (children[i].id == id) return 1;
  }
  return 0;
}

static ssize_t find_pending(uint32_t id) {
  for (size_t i = 0; i < npending; i++) {
    if (pending[i].req.id == id) return (ssize_t)i;
  }
  return -1;
}

static void drop_pending(size_t i) {
  for (int k = 0; k < 3; k++) close(pending[i].fds[k]);
  free(pending[i].payload);
  memmove(&pending[i], &pending[i + 1], (npending - i - 1) * sizeof *pending);
  npending--;
}

/// Child `id` is done (reaped, failed to start, or cancelled): start what waited for it, in
/// the order it was queued. One that fails to start releases its own followers in turn.
static void release(uint32_t id) {
  for (size_t i = 0; i < npending;) {
    if (pending[i].req.after != id) {
      i++;
      continue;
    }
    int failed = spawn_child(&pending[i].req, pending[i].payload, pending[i].fds);
    uint32_t started = pending[i].req.id;
    drop_pending(i);
    if (failed) release(started);
    i = 0;  // the queue changed under us
  }
}

/// Queues a request behind child `req->after`; takes over `fds` (set to -1 here).
static void enqueue(const rig_spawn_request *req, const char *payload, int fds[3]) {
  if (npending == cappending) {
    cappending = cappending ? cappending * 2 : 8;
    pending = realloc(pending, cappending * sizeof *pending);
    if (!pending) _exit(70);
  }
  Pending *p = &pending[npending];
  p->req = *req;
  p->payload = malloc(req->payload_len ? req->payload_len : 1);
  if (!p->payload) _exit(70);
  memcpy(p->payload, payload, req->payload_len);
  for (int k = 0; k < 3; k++) {
    p->fds[k] = fds[k];
    fds[k] = -1;
  }
  npending++;
}

/// A queued child that is signalled never starts: Rig hears ECANCELED, and what waited for it
/// now waits for what it waited for.
static void cancel_pending(size_t i) {
  rig_spawn_reply r = {0};
  r.magic = RIG_SPAWN_MAGIC;
  r.kind = RIG_SPAWN_REPLY_SPAWNED;
  r.id = pending[i].req.id;
  r.pid = -1;
  r.error = ECANCELED;
  uint32_t id = pending[i].req.id, after = pending[i].req.after;
  drop_pending(i);
  for (size_t k = 0; k < npending; k++) {
    if (pending[k].req.after == id) pending[k].req.after = after;
  }
  reply(&r);
  if (!is_running(after) && find_pending(after) < 0) release(after);
}

static void signal_child(const rig_spawn_request *req) {
  ssize_t queued = find_pending(req->id);
  if (queued >= 0) {
    cancel_pending((size_t)queued);
    return;
  }
  for (size_t i = 0; i < nchildren; i++) {
    if (children[i].id == req->id) {
      kill(-children[i].pid, req->signal);
      return;
    }
  }
}

// Every descendant of `root`, from /proc/PID/task/TID/children, SIGKILLed deepest first, at
// most `max` of them (a fork bomb is bounded by the kernel's limits, not by this walk). Used
// for what escaped its process group: setsid, `set -m` job control, double forks.
static void kill_tree(pid_t root, int include_root) {
  enum { MAX = 4096 };
  static pid_t found[MAX];
  size_t n = 0, next = 0;
  found[n++] = root;
  while (next < n) {
    pid_t pid = found[next++];
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *tasks = opendir(path);
    if (!tasks) continue;
    struct dirent *t;
    while ((t = readdir(tasks)) && n < MAX) {
      if (t->d_name[0] == '.') continue;
      char children_path[128];
      snprintf(children_path, sizeof children_path, "/proc/%d/task/%s/children", (int)pid, t->d_name);
      FILE *f = fopen(children_path, "r");
      if (!f) continue;
      int child;
      while (n < MAX && fscanf(f, "%d", &child) == 1) found[n++] = child;
      fclose(f);
    }
    closedir(tasks);
  }
  for (size_t i = n; i-- > (include_root ? 0 : 1);) kill(found[i], SIGKILL);
}

// The RIG_SPAWN_ID a process was started with (0 when its environment lost it).
static unsigned spawn_id_of(pid_t pid) {
  char path[64], buf[65536];
  snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  for (char *p = buf; p < buf + n; p += strlen(p) + 1) {
    if (strncmp(p, "RIG_SPAWN_ID=", 13) == 0) return (unsigned)strtoul(p + 13, NULL, 10);
  }
  return 0;
}

static int is_child_pid(pid_t pid) {
  for (size_t i = 0; i < nchildren; i++) {
    if (children[i].pid == pid) return 1;
  }
  return 0;
}

// Orphans this subreaper adopted: descendants of a child that left its process group (setsid,
// `set -m`, double forks) and were re-parented here when their parent died. Those whose
// RIG_SPAWN_ID names a child that is no longer running are killed with everything below
// them; those whose environment lost the id are killed once no child is running. A child
// started with keep_group keeps them (until Rig goes).
static int keep_orphans = 0;
static int64_t last_scan_ns = 0;
static int scan_owed = 0;  // a scan was put off: the main loop wakes for it within 50 ms

static int is_live_id(unsigned id) {
  for (size_t i = 0; i < nchildren; i++) {
    if (children[i].id == id) return 1;
  }
  return find_pending(id) >= 0;
}

// After a child ends. Reading /proc costs tens of microseconds, so while children keep
// coming back to back (a benchmark's runs) the scan is made at most every 50 ms; once none
// runs, at once. An orphan lives at most that long after its case.
static void kill_orphans(void) {
  if (keep_orphans) return;
  int idle = nchildren == 0 && npending == 0;
  int64_t now = rig_monotonic_ns();
  if (!idle && now - last_scan_ns < 50000000) {
    scan_owed = 1;
    return;
  }
  last_scan_ns = now;
  scan_owed = 0;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
  FILE *f = fopen(path, "r");  // this helper has one thread
  if (!f) return;
  int pid;
  while (fscanf(f, "%d", &pid) == 1) {
    if (is_child_pid(pid)) continue;
    unsigned owner = spawn_id_of(pid);
    if ((owner != 0 && !is_live_id(owner)) || (owner == 0 && idle)) kill_tree(pid, 1);
  }
  fclose(f);
}

static void reap_children(void) {
  for (;;) {
    int status = 0;
    struct rusage ru;
    pid_t pid = wait4(-1, &status, WNOHANG, &ru);
    if (pid <= 0) {
      if (pid < 0 && errno == EINTR) continue;
      return;
    }
    int64_t end_ns = rig_monotonic_ns();
    for (size_t i = 0; i < nchildren; i++) {
      if (children[i].pid != pid) continue;
      Child c = children[i];
      children[i] = children[--nchildren];
      // Leftovers of the child's process group (background jobs it did not wait for) die
      // with it: a benchmark's children never outlive the case that started them.
      if (!(c.flags & RIG_SPAWN_KEEP_GROUP)) kill(-pid, SIGKILL);
      else keep_orphans = 1;
      // The next child starts before Rig hears of this one: no round trip between them.
      release(c.id);
      rig_spawn_reply r = {0};
      r.magic = RIG_SPAWN_MAGIC;
      r.kind = RIG_SPAWN_REPLY_EXITED;
      r.id = c.id;
      r.pid = pid;
      r.status = status;
      r.start_ns = c.start_ns;
      r.end_ns = end_ns;
      r.utime_us = (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
      r.stime_us = (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
      r.maxrss_kb = ru.ru_maxrss;
      r.minflt = ru.ru_minflt;
      r.majflt = ru.ru_majflt;
      r.nvcsw = ru.ru_nvcsw;
      r.nivcsw = ru.ru_nivcsw;
      reply(&r);
      // Last, off the path from one child's end to the next one's start: what it left behind.
      kill_orphans();
      break;
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "rig-spawn: started by rig, not by hand\n");
    return 2;
  }
  sock = atoi(argv[1]);
  fcntl(sock, F_SETFD, FD_CLOEXEC);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  // If Rig dies without closing the socket cleanly, the kernel still closes it: EOF below.
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0) {
    perror("rig-spawn: signalfd");
    return 1;
  }
  char *buffer = malloc(RIG_SPAWN_MAX_MESSAGE);
  if (!buffer) return 1;

  for (;;) {
    struct pollfd pfd[2] = {{sock, POLLIN, 0}, {sigfd, POLLIN, 0}};
    int n = poll(pfd, 2, scan_owed ? 50 : -1);
    if (scan_owed && n == 0) kill_orphans();
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (pfd[1].revents & POLLIN) {
      struct signalfd_siginfo info;
      while (read(sigfd, &info, sizeof info) == sizeof info) {
      }
      reap_children();
    }
    if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      union {
        char buf[CMSG_SPACE(3 * sizeof(int))];
        struct cmsghdr align;
      } control;
      struct iovec iov = {buffer, RIG_SPAWN_MAX_MESSAGE};
      struct msghdr msg = {0};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.buf;
      msg.msg_controllen = sizeof control.buf;
      ssize_t got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;  // Rig is gone
      int fds[3] = {-1, -1, -1};
      struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
      if (cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
          cmsg->cmsg_len == CMSG_LEN(3 * sizeof(int))) {
        memcpy(fds, CMSG_DATA(cmsg), sizeof fds);
      }
      rig_spawn_request req;
      if ((size_t)got >= sizeof req) memcpy(&req, buffer, sizeof req);
      if ((size_t)got == sizeof req && req.magic == RIG_SPAWN_MAGIC && req.kind == RIG_SPAWN_REQ_SIGNAL) {
        signal_child(&req);
      } else if ((size_t)got < sizeof req || req.magic != RIG_SPAWN_MAGIC || req.kind != RIG_SPAWN_REQ_SPAWN ||
          (size_t)got != sizeof req + req.payload_len || fds[0] < 0 || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
        rig_spawn_reply r = {0};
        r.magic = RIG_SPAWN_MAGIC;
        r.kind = RIG_SPAWN_REPLY_SPAWNED;
        r.id = (size_t)got >= sizeof req ? req.id : 0;
        r.pid = -1;
        r.error = EPROTO;
        reply(&r);
      } else if (req.after != 0 && (is_running(req.after) || find_pending(req.after) >= 0)) {
        enqueue(&req, buffer + sizeof req, fds);
      } else if (spawn_child(&req, buffer + sizeof req, fds) != 0) {
        release(req.id);
      }
      for (int k = 0; k < 3; k++) {
        if (fds[k] >= 0) close(fds[k]);
      }
    }
  }
  // Rig went away: no child outlives it. Kill every group, then reap everything this
  // subreaper has inherited (orphaned grandchildren too), so nothing is left as a zombie for
  // an init that may not reap. Bounded: a descendant that escaped into another session and
  // ignores nothing but SIGKILL is dead already; anything else gets two seconds.
  for (size_t i = 0; i < nchildren; i++) kill(-children[i].pid, SIGKILL);
  kill_tree(getpid(), 0);  // and everything below, in whatever session or group
  int64_t give_up = rig_monotonic_ns() + 2000000000LL;
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno == ECHILD) break;
    if (pid > 0) continue;
    if (rig_monotonic_ns() > give_up) break;
    usleep(5000);
  }
  return 0;
}
