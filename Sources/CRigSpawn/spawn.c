#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "CRigSpawn.h"

int rig_spawn_send(int sock, const rig_spawn_request *request, const void *payload, const int fds[3]) {
  struct iovec iov[2] = {
    {(void *)request, sizeof *request},
    {(void *)payload, request->payload_len},
  };
  union {
    char buf[CMSG_SPACE(3 * sizeof(int))];
    struct cmsghdr align;
  } control;
  memset(&control, 0, sizeof control);
  struct msghdr msg = {0};
  msg.msg_iov = iov;
  msg.msg_iovlen = request->payload_len ? 2 : 1;
  if (fds) {
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(3 * sizeof(int));
    memcpy(CMSG_DATA(cmsg), fds, 3 * sizeof(int));
  }
  ssize_t n;
  do {
    n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? errno : 0;
}

int rig_spawn_receive(int sock, rig_spawn_reply *reply) {
  ssize_t n;
  do {
    n = recv(sock, reply, sizeof *reply, 0);
  } while (n < 0 && errno == EINTR);
  if (n == 0) return 0;
  if (n < 0) return -errno;
  if ((size_t)n != sizeof *reply || reply->magic != RIG_SPAWN_MAGIC) return -EPROTO;
  return 1;
}

pid_t rig_spawn_start_helper(const char *path, int sock) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&actions, sock, 3);
  // The helper's own signals: defaults, nothing blocked (Rig's handlers are not inherited
  // across exec, but its mask and ignored signals would be).
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  // Its own process group: a SIGINT typed at the terminal reaches Rig, which then stops the
  // children in order, instead of reaching the helper directly.
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  char *const argv[] = {(char *)"rig-spawn", (char *)"3", NULL};
  extern char **environ;
  pid_t pid = -1;
  int rc = posix_spawn(&pid, path, &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc == 0 ? pid : -rc;
}

// MARK: - Children registry

#define RIG_MAX_CHILDREN 4096
static volatile pid_t g_children[RIG_MAX_CHILDREN];
static volatile int g_children_end = 0;  // one past the highest slot ever used

void rig_children_add(pid_t pgid) {
  for (int i = 0; i < RIG_MAX_CHILDREN; i++) {
    if (g_children[i] == 0) {
      g_children[i] = pgid;
      if (i >= g_children_end) g_children_end = i + 1;
      return;
    }
  }
}

void rig_children_remove(pid_t pgid) {
  int end = g_children_end;
  for (int i = 0; i < end; i++) {
    if (g_children[i] == pgid) g_children[i] = 0;
  }
  while (g_children_end > 0 && g_children[g_children_end - 1] == 0) g_children_end--;
}

void rig_children_kill_all(int signo) {
  int end = g_children_end;
  for (int i = 0; i < end; i++) {
    pid_t p = g_children[i];
    if (p > 0) kill(-p, signo);
  }
}

// MARK: - Wrappers

int64_t rig_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int rig_set_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0 ? 0 : -errno; }

int rig_reap(pid_t pid, int *status, int nohang) {
  pid_t r;
  do {
    r = waitpid(pid, status, nohang ? WNOHANG : 0);
  } while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : r;
}

int rig_wifexited(int status) { return WIFEXITED(status); }
int rig_wexitstatus(int status) { return WEXITSTATUS(status); }
int rig_wifsignaled(int status) { return WIFSIGNALED(status); }
int rig_wtermsig(int status) { return WTERMSIG(status); }

// Hand-written rather than Foundation's decoder: this decodes straight into the memfd's
// mapping, where Foundation needs a String, a Data and a write (with the 0.7 MB glibc helper,
// about 2 ms of the first spawn of every Rig process).
int rig_memfd_from_base64(const char *name, const char *text, size_t length) {
  static signed char value[256];
  if (value['B'] == 0) {
    memset(value, -1, sizeof value);
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; i++) value[(unsigned char)alphabet[i]] = (signed char)i;
  }
  if (length % 4 != 0) return -EINVAL;
  size_t padding = length >= 1 && text[length - 1] == '=' ? (length >= 2 && text[length - 2] == '=' ? 2 : 1) : 0;
  size_t size = length / 4 * 3 - padding;
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) return -errno;
  if (size == 0) return fd;
  if (ftruncate(fd, (off_t)size) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  // MAP_POPULATE: one pass of page allocation instead of a fault per page.
  unsigned char *out = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
  if (out == MAP_FAILED) {
    int e = errno;
    close(fd);
    return -e;
  }
  // Every quad but the last has no padding; bad characters are collected, not branched on.
  const unsigned char *q = (const unsigned char *)text;
  size_t quads = length / 4 - 1;
  int bad = 0;
  unsigned char *o = out;
  for (size_t i = 0; i < quads; i++, q += 4, o += 3) {
    int a = value[q[0]], b = value[q[1]], c = value[q[2]], d = value[q[3]];
    bad |= a | b | c | d;
    uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
    o[0] = (unsigned char)(v >> 16);
    o[1] = (unsigned char)(v >> 8);
    o[2] = (unsigned char)v;
  }
  int a = value[q[0]], b = value[q[1]], c = q[2] == '=' ? 0 : value[q[2]], d = q[3] == '=' ? 0 : value[q[3]];
  bad |= a | b | c | d;
  uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
  unsigned char last[3] = {(unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
  memcpy(o, last, 3 - padding);
  bad = bad < 0;
  munmap(out, size);
  if (bad) {
    close(fd);
    return -EINVAL;
  }
  return fd;
}

int rig_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC) < 0 ? errno : 0; }

int rig_socketpair(int fds[2]) {
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0) return errno;
  int size = (int)RIG_SPAWN_MAX_MESSAGE + 4096;
  for (int i = 0; i < 2; i++) {
    setsockopt(fds[i], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  return 0;
}

int rig_set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  return flags < 0 ? errno : (fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ? errno : 0);
}

int rig_open(const char *path, int mode) {
  int flags = O_CLOEXEC;
  if (mode == 0) flags |= O_RDONLY;
  else if (mode == 1) flags |= O_WRONLY | O_CREAT | O_TRUNC;
  else if (mode == 2) flags |= O_WRONLY | O_CREAT | O_APPEND;
  else flags |= O_RDWR;
  int fd;
  do {
    fd = open(path, flags, 0644);
  } while (fd < 0 && errno == EINTR);
  return fd < 0 ? -errno : fd;
}

char **rig_environ(void) {
  extern char **environ;
  return environ;
}
