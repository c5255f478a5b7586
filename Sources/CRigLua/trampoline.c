// Host functions: Lua calls a C closure, C calls the Swift dispatcher, Swift returns a count
// or a RIG_* code, and only then, with no Swift frame left on the stack, C raises.
#include <stdio.h>
#include <string.h>
#include "internal.h"

static int rig_trampoline(lua_State *L) {
  RigState *st = rig_state_of(L);
  int depth = st->lua_depth;
  int argc = lua_gettop(L);
  st->lua_depth = 0;  // Swift code runs now: no refusals from the ceiling (see rig_alloc)
  int n = st->dispatch(L, st->host, (int)lua_tointeger(L, lua_upvalueindex(1)));
  st->lua_depth = depth;
  // What the host function allocated on the Lua heap counts against the ceiling too: past it,
  // after collecting the garbage Lua code left (the results stay reachable on the stack), the
  // call fails as a Lua allocation would and its results become garbage.
  if (depth > 0 && n >= 0 && rig_memory_exceeded(L)) {
    lua_gc(L, LUA_GCCOLLECT);
    if (rig_memory_exceeded(L)) {
      lua_settop(L, argc);
      lua_pushfstring(L,
        "out of memory: a Rig function's result took the Lua heap past its %d MB ceiling"
        " (raise it with --lua-memory-mb)", (int)(st->limit / (1024 * 1024)));
      rig_push_error(L, "out_of_memory", lua_tostring(L, -1), -1);
      return lua_error(L);
    }
  }
  switch (n) {
    case RIG_ARGERROR:
      return luaL_argerror(L, (int)lua_tointeger(L, -2), lua_tostring(L, -1));
    case RIG_TYPEERROR: {
      // luaL_typeerror looks at the argument's slot to name what was given, so the stack must
      // hold exactly the arguments again: copy the expected type's name, then drop the rest.
      char expected[64];
      int arg = (int)lua_tointeger(L, -2);
      const char *name = lua_tostring(L, -1);
      snprintf(expected, sizeof expected, "%s", name ? name : "?");
      lua_settop(L, argc);
      return luaL_typeerror(L, arg, expected);
    }
    case RIG_RAISE:
      if (lua_type(L, -1) == LUA_TSTRING) {  // like luaL_error: prefix the caller's position
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
      }
      return lua_error(L);
    default:
      return n;
  }
}

void rig_push_host_function(lua_State *L, int function_id) {
  lua_pushinteger(L, function_id);
  lua_pushcclosure(L, rig_trampoline, 1);
}

void rig_push_error(lua_State *L, const char *code, const char *message, int errnum) {
  lua_createtable(L, 0, 3);
  lua_pushstring(L, code);
  lua_setfield(L, -2, "code");
  lua_pushstring(L, message);
  lua_setfield(L, -2, "message");
  if (errnum >= 0) {
    lua_pushinteger(L, errnum);
    lua_setfield(L, -2, "errno");
  }
  luaL_setmetatable(L, RIG_ERROR_MT);
}

void rig_new_class(lua_State *L, const char *tname) {
  int methods = lua_gettop(L);
  luaL_newmetatable(L, tname);
  int mt = lua_gettop(L);
  static const char *const meta[] = {"__gc", "__close", "__tostring", "__len", NULL};
  for (int i = 0; meta[i]; i++) {
    lua_pushstring(L, meta[i]);
    if (lua_rawget(L, methods) != LUA_TNIL) {
      lua_setfield(L, mt, meta[i]);
      lua_pushnil(L);
      lua_setfield(L, methods, meta[i]);
    } else {
      lua_pop(L, 1);
    }
  }
  lua_pushvalue(L, methods);
  lua_setfield(L, mt, "__index");
  lua_pushliteral(L, "locked");
  lua_setfield(L, mt, "__metatable");
  lua_settop(L, methods - 1);
}

void rig_push_object(lua_State *L, const char *tname, int64_t handle) {
  int64_t *slot = (int64_t *)lua_newuserdatauv(L, sizeof(int64_t), 0);
  *slot = handle;
  luaL_setmetatable(L, tname);
}

int rig_object_handle(lua_State *L, int index, const char *tname, int64_t *handle) {
  int64_t *slot = (int64_t *)luaL_testudata(L, index, tname);
  if (!slot) return 0;
  *handle = *slot;
  return 1;
}

void rig_object_set_handle(lua_State *L, int index, int64_t handle) {
  int64_t *slot = (int64_t *)lua_touserdata(L, index);
  if (slot) *slot = handle;
}
