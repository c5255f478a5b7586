// Non-raising stack access for Swift. Table access is raw (no metamethods); strings are
// read only from string slots (lua_tolstring would convert numbers in place). Every table
// access checks that the slot holds a table (Lua's own API does not, with API checks off):
// a wrong value from a recipe reads as an empty table and is never dereferenced as one.
#include "internal.h"

int rig_gettop(lua_State *L) { return lua_gettop(L); }
void rig_settop(lua_State *L, int index) { lua_settop(L, index); }
int rig_absindex(lua_State *L, int index) { return lua_absindex(L, index); }
int rig_checkstack(lua_State *L, int extra) { return lua_checkstack(L, extra); }
int rig_gc_pause(lua_State *L) {
  int was_running = lua_gc(L, LUA_GCISRUNNING);
  lua_gc(L, LUA_GCSTOP);
  return was_running;
}
void rig_gc_resume(lua_State *L, int was_running) {
  if (was_running) lua_gc(L, LUA_GCRESTART);
}
void rig_pushvalue(lua_State *L, int index) { lua_pushvalue(L, index); }
void rig_remove(lua_State *L, int index) { lua_remove(L, index); }
void rig_insert(lua_State *L, int index) { lua_insert(L, index); }

int rig_type(lua_State *L, int index) { return lua_type(L, index); }

const char *rig_typename_at(lua_State *L, int index) {
  int t = luaL_getmetafield(L, index, "__name");  // pushes nothing when absent
  if (t == LUA_TSTRING) {
    const char *name = lua_tostring(L, -1);  // interned: stays valid while the metatable lives
    lua_pop(L, 1);
    return name;
  }
  if (t != LUA_TNIL) lua_pop(L, 1);
  return lua_typename(L, lua_type(L, index));
}

void rig_pushnil(lua_State *L) { lua_pushnil(L); }
void rig_pushboolean(lua_State *L, int value) { lua_pushboolean(L, value); }
void rig_pushinteger(lua_State *L, int64_t value) { lua_pushinteger(L, (lua_Integer)value); }
void rig_pushnumber(lua_State *L, double value) { lua_pushnumber(L, (lua_Number)value); }
void rig_pushlstring(lua_State *L, const char *bytes, size_t length) {
  lua_pushlstring(L, bytes, length);
}

int rig_toboolean(lua_State *L, int index) { return lua_toboolean(L, index); }

int rig_tointeger(lua_State *L, int index, int64_t *out) {
  if (lua_type(L, index) != LUA_TNUMBER) return 0;
  int ok = 0;
  lua_Integer v = lua_tointegerx(L, index, &ok);
  if (ok) *out = (int64_t)v;
  return ok;
}

int rig_tonumber(lua_State *L, int index, double *out) {
  if (lua_type(L, index) != LUA_TNUMBER) return 0;
  *out = (double)lua_tonumber(L, index);
  return 1;
}

const char *rig_tostring(lua_State *L, int index, size_t *length) {
  if (lua_type(L, index) != LUA_TSTRING) return NULL;
  return lua_tolstring(L, index, length);
}

int rig_isinteger(lua_State *L, int index) { return lua_isinteger(L, index); }

void rig_newtable(lua_State *L, int narray, int nrecords) { lua_createtable(L, narray, nrecords); }

void rig_rawsetfield(lua_State *L, int table, const char *key) {
  table = lua_absindex(L, table);
  lua_pushstring(L, key);
  lua_insert(L, -2);
  lua_rawset(L, table);
}

int rig_rawgetfield(lua_State *L, int table, const char *key) {
  table = lua_absindex(L, table);
  if (lua_type(L, table) != LUA_TTABLE) {
    lua_pushnil(L);
    return LUA_TNIL;
  }
  lua_pushstring(L, key);
  return lua_rawget(L, table);
}

void rig_rawseti(lua_State *L, int table, int64_t i) {
  if (lua_type(L, table) != LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  lua_rawseti(L, table, (lua_Integer)i);
}
int rig_rawgeti(lua_State *L, int table, int64_t i) {
  if (lua_type(L, table) != LUA_TTABLE) {
    lua_pushnil(L);
    return LUA_TNIL;
  }
  return lua_rawgeti(L, table, (lua_Integer)i);
}
uint64_t rig_rawlen(lua_State *L, int index) {
  return lua_type(L, index) == LUA_TTABLE ? (uint64_t)lua_rawlen(L, index) : 0;
}
// Pops the key; at the end of the table (or on a value that is not a table) pushes nothing.
int rig_next(lua_State *L, int table) {
  if (lua_type(L, table) != LUA_TTABLE) {
    lua_pop(L, 1);
    return 0;
  }
  return lua_next(L, table);
}

void rig_set_embedded(lua_State *L, const char *name) {
  lua_getfield(L, LUA_REGISTRYINDEX, RIG_EMBEDDED_KEY);  // registry: plain table, raw in effect
  lua_insert(L, -2);
  rig_rawsetfield(L, -2, name);
  lua_pop(L, 1);
}

void rig_set_loaded(lua_State *L, const char *name) {
  lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_insert(L, -2);
  rig_rawsetfield(L, -2, name);
  lua_pop(L, 1);
}

void rig_set_native(lua_State *L, const char *name) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, RIG_NATIVES_KEY) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, RIG_NATIVES_KEY);
  }
  lua_insert(L, -2);
  rig_rawsetfield(L, -2, name);
  lua_pop(L, 1);
}

int64_t rig_read_numbers(lua_State *L, int index, double *out, int64_t n) {
  index = lua_absindex(L, index);
  if (lua_type(L, index) != LUA_TTABLE) return n > 0 ? 1 : 0;
  for (int64_t i = 1; i <= n; i++) {
    int isnum = 0;
    lua_rawgeti(L, index, (lua_Integer)i);
    lua_Number v = lua_tonumberx(L, -1, &isnum);
    int is_number_type = lua_type(L, -1) == LUA_TNUMBER;  // strings are not numbers here
    lua_pop(L, 1);
    if (!isnum || !is_number_type) return i;
    out[i - 1] = (double)v;
  }
  return 0;
}

void rig_push_numbers(lua_State *L, const double *values, int64_t n) {
  lua_createtable(L, n > 0x7fffffff ? 0x7fffffff : (int)n, 0);
  for (int64_t i = 0; i < n; i++) {
    lua_pushnumber(L, values[i]);
    lua_rawseti(L, -2, (lua_Integer)(i + 1));
  }
}

// lua_rawset raises on a nil or NaN key: such a pair is dropped instead.
void rig_rawset(lua_State *L, int table) {
  table = lua_absindex(L, table);
  int key_type = lua_type(L, -2);
  int bad_key = key_type == LUA_TNIL || (key_type == LUA_TNUMBER && !lua_isinteger(L, -2)
    && lua_tonumber(L, -2) != lua_tonumber(L, -2));
  if (lua_type(L, table) != LUA_TTABLE || bad_key) {
    lua_pop(L, 2);
    return;
  }
  lua_rawset(L, table);
}
int rig_rawget(lua_State *L, int table) {
  if (lua_type(L, table) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_pushnil(L);
    return LUA_TNIL;
  }
  return lua_rawget(L, table);
}
// Only a table or nil becomes a metatable; anything else is popped and ignored.
void rig_setmetatable(lua_State *L, int index) {
  int t = lua_type(L, -1);
  index = lua_absindex(L, index);
  if ((t != LUA_TTABLE && t != LUA_TNIL) || lua_type(L, index) != LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  lua_setmetatable(L, index);
}
int rig_getmetatable(lua_State *L, int index) { return lua_getmetatable(L, index); }
int rig_rawequal(lua_State *L, int a, int b) { return lua_rawequal(L, a, b); }
