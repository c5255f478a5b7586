// Shared between the .c files of CRigLua; never seen by Swift.
#ifndef CRIGLUA_INTERNAL_H
#define CRIGLUA_INTERNAL_H

#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>
#include <signal.h>
#include "CRigLua.h"

#define RIG_ERROR_MT "rig.Error"
#define RIG_EMBEDDED_KEY "rig.embedded"
#define RIG_NATIVES_KEY "rig.natives"

/// Per-state data, reached through lua_getextraspace (one pointer, copied to new threads).
typedef struct RigState {
  void *host;
  rig_dispatch_fn dispatch;
  size_t used;          // bytes allocated by Lua now
  size_t limit;         // ceiling, 0 = none
  int lua_depth;        // > 0 while Lua code (not a Swift host function) runs under rig_pcall
  int refusals;         // allocations refused by the ceiling
  int keep_on_free;     // closing for process exit: frees are no-ops (see rig_state_close)
} RigState;

static inline RigState *rig_state_of(lua_State *L) {
  return *(RigState **)lua_getextraspace(L);
}

int rig_error_tostring(lua_State *L);

#endif
