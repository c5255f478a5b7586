// SIGINT / SIGTERM: stop the running recipe the way lua.c stops a script, by a hook that
// raises at the next Lua instruction, so to-be-closed variables and `<close>` handlers run.
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "CRigSpawn.h"

static volatile sig_atomic_t g_signal = 0;
static lua_State *volatile g_state = NULL;

static const char *signal_name(int signo) {
  switch (signo) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "signal";
  }
}

void rig_push_interrupted(lua_State *L) {
  // Raise once: the recipe's `<close>` handlers must be able to run after this.
  lua_sethook(L, NULL, 0, 0);
  lua_State *main = g_state;
  if (main && main != L) lua_sethook(main, NULL, 0, 0);
  int signo = (int)g_signal;
  lua_createtable(L, 0, 3);
  lua_pushliteral(L, "interrupted");
  lua_setfield(L, -2, "code");
  lua_pushinteger(L, signo);
  lua_setfield(L, -2, "signal");
  lua_pushfstring(L, "interrupted by %s", signal_name(signo));
  lua_setfield(L, -2, "message");
  luaL_setmetatable(L, RIG_ERROR_MT);
}

static void interrupt_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  rig_push_interrupted(L);
  lua_error(L);
}

static void on_signal(int signo) {
  if (g_signal != 0) {
    // Second signal: the recipe did not stop in time. Kill every child's process group (the
    // spawn helper also does when Rig's socket closes) and leave with the conventional code.
    rig_children_kill_all(SIGKILL);
    _exit(128 + signo);
  }
  g_signal = signo;
  lua_State *L = g_state;
  if (L) lua_sethook(L, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

void rig_install_signal_handlers(lua_State *L) {
  g_state = L;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking host calls see EINTR and check rig_interrupt_signal
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  // A parent may have started Rig with these signals blocked (test runners, some shells'
  // job control): unblock them, or the handlers would never run.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int rig_interrupt_signal(void) { return (int)g_signal; }

void rig_raise_interrupt(int signo) {
  g_signal = signo;
  lua_State *L = g_state;
  if (L) lua_sethook(L, interrupt_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

void rig_clear_interrupt(void) { g_signal = 0; }
