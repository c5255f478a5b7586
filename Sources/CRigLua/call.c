// Loading chunks and calling Lua from the host: always protected, always with a traceback.
#include <string.h>
#include "internal.h"

// Message handler: turns any error value into a report table while the failing stack is
// still there to walk (lua.c `msghandler`, Neovim `nlua_pcall`).
static int rig_msgh(lua_State *L) {
  lua_newtable(L);                  // 2: report
  lua_pushvalue(L, 1);
  lua_setfield(L, 2, "value");
  if (lua_type(L, 1) == LUA_TTABLE) {
    lua_getfield(L, 1, "code");
    if (lua_type(L, -1) == LUA_TSTRING) lua_setfield(L, 2, "code");
    else lua_pop(L, 1);
    lua_getfield(L, 1, "signal");
    if (lua_isinteger(L, -1)) lua_setfield(L, 2, "signal");
    else lua_pop(L, 1);
    lua_getfield(L, 1, "traceback");  // a nested report: keep the innermost traceback
    if (lua_type(L, -1) == LUA_TSTRING) lua_setfield(L, 2, "traceback");
    else lua_pop(L, 1);
  }
  int message_field = LUA_TNIL;
  if (lua_type(L, 1) == LUA_TTABLE) {
    message_field = lua_getfield(L, 1, "message");  // coded errors: the message alone
    if (message_field != LUA_TSTRING) lua_pop(L, 1);
  }
  if (message_field == LUA_TSTRING) {
    // message is on top
  } else if (luaL_callmeta(L, 1, "__tostring")) {
    if (lua_type(L, -1) != LUA_TSTRING) {
      lua_pop(L, 1);
      lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
  } else if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER) {
    lua_pushvalue(L, 1);
    lua_tostring(L, -1);
  } else {
    lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  lua_setfield(L, 2, "message");
  lua_getfield(L, 2, "traceback");
  int has_traceback = lua_type(L, -1) == LUA_TSTRING;
  lua_pop(L, 1);
  if (!has_traceback) {
    luaL_traceback(L, L, NULL, 1);
    lua_setfield(L, 2, "traceback");
  }
  return 1;
}

int rig_load(lua_State *L, const char *buffer, size_t length, const char *chunkname) {
  return luaL_loadbufferx(L, buffer, length, chunkname, "t");
}

int rig_pcall(lua_State *L, int nargs, int nresults) {
  RigState *st = rig_state_of(L);
  int base = lua_gettop(L) - nargs;  // index of the function
  lua_pushcfunction(L, rig_msgh);
  lua_insert(L, base);
  st->lua_depth++;
  int status = lua_pcall(L, nargs, nresults, base);
  st->lua_depth--;
  lua_remove(L, base);
  return status;
}

// require(module)[field](...) ; upvalues: module name, field name.
static int rig_call_module(lua_State *L) {
  int nargs = lua_gettop(L);
  lua_getglobal(L, "require");
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_call(L, 1, 1);
  lua_getfield(L, -1, lua_tostring(L, lua_upvalueindex(2)));
  lua_remove(L, -2);
  lua_insert(L, 1);
  lua_call(L, nargs, LUA_MULTRET);
  return lua_gettop(L);
}

int rig_pcall_module(lua_State *L, const char *module, const char *field, int nargs, int nresults) {
  lua_pushstring(L, module);
  lua_pushstring(L, field);
  lua_pushcclosure(L, rig_call_module, 2);
  lua_insert(L, lua_gettop(L) - nargs);
  return rig_pcall(L, nargs, nresults);
}
