// The Lua state: allocator with a ceiling, panic and warning handlers, standard libraries.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

// The ceiling applies only while Lua code runs under rig_pcall (lua_depth > 0). Outside it
// (state setup, Swift pushing values, host functions building results) a refusal would raise
// LUA_ERRMEM through a Swift frame or into the panic handler, which rule 1 forbids; the next
// allocation made by Lua code then meets the ceiling instead.
static void *rig_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  RigState *st = (RigState *)ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    if (!st->keep_on_free) free(ptr);
    st->used -= old;
    return NULL;
  }
  if (st->limit && st->lua_depth > 0 && nsize > old && st->used - old + nsize > st->limit) {
    st->refusals++;
    return NULL;  // Lua runs an emergency collection and retries before it raises
  }
  void *p = realloc(ptr, nsize);
  if (p) st->used = st->used - old + nsize;
  return p;
}

static int rig_panic(lua_State *L) {
  const char *msg = lua_tostring(L, -1);
  fprintf(stderr, "rig: unprotected Lua error (this is a bug in Rig): %s\n", msg ? msg : "?");
  fflush(stderr);
  abort();
  return 0;
}

// Lua's `warn`: same control messages as lauxlib's default ("@on"/"@off"), off by default.
typedef struct { int on; int cont; } WarnState;
static WarnState g_warn = {0, 0};
static void rig_warn(void *ud, const char *msg, int tocont) {
  (void)ud;
  if (!g_warn.cont && !tocont && msg[0] == '@') {
    if (strcmp(msg + 1, "on") == 0) g_warn.on = 1;
    else if (strcmp(msg + 1, "off") == 0) g_warn.on = 0;
    return;
  }
  if (g_warn.on) {
    if (!g_warn.cont) fputs("Lua warning: ", stderr);
    fputs(msg, stderr);
    if (!tocont) fputc('\n', stderr);
  }
  g_warn.cont = tocont;
}

int rig_error_tostring(lua_State *L) {
  if (lua_type(L, 1) != LUA_TTABLE) {
    luaL_tolstring(L, 1, NULL);
    return 1;
  }
  lua_getfield(L, 1, "message");
  lua_getfield(L, 1, "code");
  const char *message = lua_tostring(L, -2);
  const char *code = lua_tostring(L, -1);
  if (message && code) lua_pushfstring(L, "%s (%s)", message, code);
  else if (message) lua_pushstring(L, message);
  else if (code) lua_pushstring(L, code);
  else lua_pushliteral(L, "error");
  return 1;
}

// Runs under lua_pcall: everything here may raise.
static int rig_open(lua_State *L) {
  luaL_openlibs(L);
  // Lua C modules (lpeg, cjson, lfs) load through package.cpath, which _boot.lua limits to
  // absolute folders (the system's Lua folders and LuaRocks trees). A C module's error unwinds
  // only C and Lua frames: Swift calls Lua through rig_pcall alone (docs/boundary.md).
  // The error metatable used by `nil, err` returns and coded raises.
  luaL_newmetatable(L, RIG_ERROR_MT);
  lua_pushcfunction(L, rig_error_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushliteral(L, "rig.Error");
  lua_setfield(L, -2, "__name");
  lua_pop(L, 1);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, RIG_EMBEDDED_KEY);
  return 0;
}

lua_State *rig_state_new(size_t memory_limit, void *host, rig_dispatch_fn dispatch) {
  RigState *st = calloc(1, sizeof(RigState));
  if (!st) return NULL;
  st->host = host;
  st->dispatch = dispatch;
  st->limit = memory_limit;
  lua_State *L = lua_newstate(rig_alloc, st);
  if (!L) {
    free(st);
    return NULL;
  }
  *(RigState **)lua_getextraspace(L) = st;
  lua_atpanic(L, rig_panic);
  lua_setwarnf(L, rig_warn, NULL);
  lua_pushcfunction(L, rig_open);
  if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
    lua_close(L);
    free(st);
    return NULL;
  }
  return L;
}

void rig_state_close(lua_State *L, int release_memory) {
  if (!L) return;
  RigState *st = rig_state_of(L);
  st->keep_on_free = !release_memory;
  lua_close(L);
  if (release_memory) free(st);
}

size_t rig_memory_used(lua_State *L) { return rig_state_of(L)->used; }
size_t rig_memory_limit(lua_State *L) { return rig_state_of(L)->limit; }
int rig_memory_refusals(lua_State *L) { return rig_state_of(L)->refusals; }
int rig_memory_exceeded(lua_State *L) {
  RigState *st = rig_state_of(L);
  return st->limit && st->used > st->limit;
}

void rig_state_set_host(lua_State *L, void *host) { rig_state_of(L)->host = host; }
void rig_state_set_memory_limit(lua_State *L, size_t limit) { rig_state_of(L)->limit = limit; }
