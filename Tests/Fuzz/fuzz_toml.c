// libFuzzer target for Rig's TOML reader (stdlib/rig/toml.lua), which is Lua: this driver
// runs it in a Lua 5.4 state of its own and feeds each input to rig.toml.decode under
// lua_pcall. Lua code gets no compiler instrumentation, so coverage comes from a line hook:
// each (previous line, line) pair of toml.lua bumps a counter in libFuzzer's extra-counters
// section, which libFuzzer reads as it reads its own edge counters.
// What must hold for any bytes: decode returns a table, or nil and an error {code =
// "toml_syntax", message = "toml:LINE: ..."} with LINE inside the input; never another Lua
// error (an index of nil, a stack overflow), a hang (a count hook stops runaway inputs) or a
// crash. RIG_STDLIB_DIR (default stdlib) says where rig/toml.lua is.
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNTERS 65536
__attribute__((section("__libfuzzer_extra_counters"))) static uint8_t counters[COUNTERS];

static lua_State *L;
static int decode_ref;
static const void *toml_source;
static unsigned previous_line;
static long budget;

static void hook(lua_State *state, lua_Debug *ar) {
  if (ar->event == LUA_HOOKCOUNT) {
    if (--budget < 0) luaL_error(state, "fuzz: instruction budget exhausted");
    return;
  }
  lua_getinfo(state, "S", ar);
  if (ar->source != toml_source && strstr(ar->source, "toml.lua") == NULL) return;
  toml_source = ar->source;
  unsigned line = (unsigned)ar->currentline;
  counters[(previous_line * 7919u ^ line) % COUNTERS]++;
  previous_line = line;
}

// What toml.lua requires of Rig's natives: core.error(code, message) -> {code, message}.
static int core_error(lua_State *state) {
  lua_createtable(state, 0, 2);
  lua_pushvalue(state, 1);
  lua_setfield(state, -2, "code");
  lua_pushvalue(state, 2);
  lua_setfield(state, -2, "message");
  return 1;
}

static int open_core(lua_State *state) {
  lua_createtable(state, 0, 1);
  lua_pushcfunction(state, core_error);
  lua_setfield(state, -2, "error");
  return 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  const char *dir = getenv("RIG_STDLIB_DIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/?.lua", dir ? dir : "stdlib");
  L = luaL_newstate();
  luaL_openlibs(L);
  lua_getglobal(L, "package");
  lua_pushstring(L, path);
  lua_setfield(L, -2, "path");
  lua_getfield(L, -1, "preload");
  lua_pushcfunction(L, open_core);
  lua_setfield(L, -2, "rig._native.core");
  lua_pop(L, 2);
  lua_getglobal(L, "require");
  lua_pushstring(L, "rig.toml");
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    fprintf(stderr, "fuzz_toml: %s (set RIG_STDLIB_DIR)\n", lua_tostring(L, -1));
    exit(2);
  }
  lua_getfield(L, -1, "decode");
  decode_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pop(L, 1);
  lua_sethook(L, hook, LUA_MASKLINE | LUA_MASKCOUNT, 1000);
  return 0;
}

static void fail(const char *what, const char *detail, const uint8_t *data, size_t size) {
  fprintf(stderr, "fuzz_toml: %s: %s\ninput (%zu bytes): %.*s\n", what, detail ? detail : "?", size,
          (int)(size > 300 ? 300 : size), (const char *)data);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int top = lua_gettop(L);
  previous_line = 0;
  budget = 20000;  // x 1000 instructions: far past any input libFuzzer makes at -max_len
  lua_rawgeti(L, LUA_REGISTRYINDEX, decode_ref);
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 1, 2, 0) != LUA_OK) {
    const char *message = lua_tostring(L, -1);
    if (message && strstr(message, "instruction budget")) fail("hang", message, data, size);
    fail("decode raised", message, data, size);
  }
  if (lua_type(L, -2) == LUA_TTABLE) {
    if (!lua_isnil(L, -1)) fail("a table and an error", NULL, data, size);
  } else {
    if (!lua_isnil(L, -2) || lua_type(L, -1) != LUA_TTABLE) fail("neither a table nor nil, err", NULL, data, size);
    lua_getfield(L, -1, "code");
    lua_getfield(L, -2, "message");
    const char *code = lua_tostring(L, -2), *message = lua_tostring(L, -1);
    if (!code || strcmp(code, "toml_syntax") != 0) fail("error code", code, data, size);
    unsigned long line = 0;
    if (!message || sscanf(message, "toml:%lu: ", &line) != 1) fail("error message", message, data, size);
    unsigned long lines = 1;
    for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
    if (line < 1 || line > lines) fail("error line outside the input", message, data, size);
  }
  lua_settop(L, top);
  lua_gc(L, LUA_GCSTEP, 0);
  return 0;
}
