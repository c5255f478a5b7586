// CRigLua: the C side of Rig's Lua bridge.
//
// This header is all that Swift sees of Lua. It forward-declares `lua_State` and exposes only
// functions that never raise a Lua error (except on memory exhaustion inside Lua's own
// allocator, see docs/boundary.md). Every API that may longjmp (lua_error, luaL_check*,
// lua_call, lua_getfield with metamethods, ...) is used only inside the .c files of this
// target, never from a Swift frame.
#ifndef CRIGLUA_H
#define CRIGLUA_H

#include <stddef.h>
#include <stdint.h>

typedef struct lua_State lua_State;

// MARK: - Results a Swift host function returns to the C trampoline

/// The error value is on top of the stack: the trampoline raises it (strings get `file:line:`).
#define RIG_RAISE (-1)
/// Top of stack: message; below it: argument index. Raised as `bad argument #n to 'f' (msg)`.
#define RIG_ARGERROR (-2)
/// Top of stack: expected type name; below it: argument index. Raised as
/// `bad argument #n to 'f' (T expected, got U)`.
#define RIG_TYPEERROR (-3)

/// The one Swift entry point: called by every host-function closure with the host pointer and
/// the function id it was registered with. Returns a result count (>= 0) or a RIG_* code.
typedef int (*rig_dispatch_fn)(lua_State *L, void *host, int function_id);

// MARK: - Lua type tags (same values as lua.h)

#define RIG_TNONE (-1)
#define RIG_TNIL 0
#define RIG_TBOOLEAN 1
#define RIG_TLIGHTUSERDATA 2
#define RIG_TNUMBER 3
#define RIG_TSTRING 4
#define RIG_TTABLE 5
#define RIG_TFUNCTION 6
#define RIG_TUSERDATA 7
#define RIG_TTHREAD 8

// MARK: - Status codes of load and protected calls (same values as lua.h)

#define RIG_OK 0
#define RIG_ERRRUN 2
#define RIG_ERRSYNTAX 3
#define RIG_ERRMEM 4
#define RIG_ERRERR 5

// MARK: - State

/// A new state with the standard libraries (C module loaders removed), the `rig.Error`
/// metatable, and an allocator that refuses to grow Lua's heap past `memory_limit` bytes
/// while Lua code runs (0 = no limit). Returns NULL when the state cannot be built.
lua_State *rig_state_new(size_t memory_limit, void *host, rig_dispatch_fn dispatch);
/// Closes the state: closes pending to-be-closed variables and runs every finalizer. With
/// `release_memory` 0 the memory itself is left to the exiting process: freeing a large
/// heap object by object costs more than the rest of a short run (40 ms for the 200 MB of
/// two decoded 10,000-benchmark results files; recipes/bench/reports.lua).
void rig_state_close(lua_State *L, int release_memory);
/// Sets the pointer handed to the dispatcher (the Swift host object).
void rig_state_set_host(lua_State *L, void *host);
/// Sets the ceiling for the Lua heap in bytes (0 = none).
void rig_state_set_memory_limit(lua_State *L, size_t limit);
/// Bytes Lua has allocated now, and the ceiling (0 = none).
size_t rig_memory_used(lua_State *L);

/// Writes printf("%.<digits>f", x) into `out` and returns its length (as snprintf: a length
/// of `capacity` or more means it did not fit). Exact; fast for ordinary values (fixed.c).
size_t rig_format_fixed(double x, int digits, char *out, size_t capacity);
size_t rig_memory_limit(lua_State *L);
/// Bytes that were asked for and refused by the ceiling, since the state was made.
int rig_memory_refusals(lua_State *L);

// MARK: - Load and call (protected; errors never escape)

/// Loads a chunk in text mode. On error the message is on top of the stack.
int rig_load(lua_State *L, const char *buffer, size_t length, const char *chunkname);
/// lua_pcall with a message handler. On a run-time error the top of the stack is a report
/// table {message = string, traceback = string, code = string?, signal = integer?, value = any}.
/// On a memory error it is the string Lua made.
int rig_pcall(lua_State *L, int nargs, int nresults);
/// Calls `require(module)[field](args...)` under rig_pcall; the `nargs` arguments are on the stack.
int rig_pcall_module(lua_State *L, const char *module, const char *field, int nargs, int nresults);

// MARK: - Host functions

/// Pushes a C closure that calls the dispatcher with `function_id`.
void rig_push_host_function(lua_State *L, int function_id);
/// Pushes a new `rig.Error` value {code, message, errno?}; errnum < 0 means none.
void rig_push_error(lua_State *L, const char *code, const char *message, int errnum);

// MARK: - Host objects (full userdata holding a handle number, one metatable per class)

/// Makes the class `tname` from the methods table on top of the stack (popped). Entries named
/// `__gc`, `__close`, `__tostring` and `__len` go to the metatable; the rest are methods.
void rig_new_class(lua_State *L, const char *tname);
/// Pushes a new object of class `tname` holding `handle`.
void rig_push_object(lua_State *L, const char *tname, int64_t handle);
/// 1 and the handle when the value at `index` is an object of class `tname`; 0 otherwise.
int rig_object_handle(lua_State *L, int index, const char *tname, int64_t *handle);
/// Replaces the handle (a released object holds -1).
void rig_object_set_handle(lua_State *L, int index, int64_t handle);

// MARK: - Interruption by SIGINT / SIGTERM

/// Installs handlers for SIGINT and SIGTERM that make the running Lua code raise an
/// `interrupted` error at its next instruction. A second signal exits at once (after
/// `rig_on_second_signal` callbacks). Call once, from the command's main thread.
void rig_install_signal_handlers(lua_State *L);
/// The signal that interrupted the run, or 0.
int rig_interrupt_signal(void);
/// Behaves as if `signo` had been delivered (for tests and host-detected interruptions).
void rig_raise_interrupt(int signo);
/// Clears the pending interruption (tests run many states in one process).
void rig_clear_interrupt(void);
/// For a host function that notices the interruption while blocked: disarms the interrupt
/// hook (so `<close>` handlers can run) and pushes the `interrupted` error to raise.
void rig_push_interrupted(lua_State *L);

// MARK: - Stack access (non-raising)

int rig_gettop(lua_State *L);
void rig_settop(lua_State *L, int index);
int rig_absindex(lua_State *L, int index);
/// 1 when `extra` slots could be reserved; 0 otherwise (never raises).
int rig_checkstack(lua_State *L, int extra);
/// Stops the collector (never raises: no collection step runs) and returns whether it was
/// running, for `rig_gc_resume`. For host functions that build a large result and make
/// almost no garbage doing it (JSON decode), where collection steps are pure overhead.
int rig_gc_pause(lua_State *L);
void rig_gc_resume(lua_State *L, int was_running);
void rig_pushvalue(lua_State *L, int index);
void rig_remove(lua_State *L, int index);
void rig_insert(lua_State *L, int index);

int rig_type(lua_State *L, int index);
/// The type name Lua's error messages use for the value (honours `__name`).
const char *rig_typename_at(lua_State *L, int index);

void rig_pushnil(lua_State *L);
void rig_pushboolean(lua_State *L, int value);
void rig_pushinteger(lua_State *L, int64_t value);
void rig_pushnumber(lua_State *L, double value);
void rig_pushlstring(lua_State *L, const char *bytes, size_t length);

int rig_toboolean(lua_State *L, int index);
/// Integer value if the slot holds an integer or a float with an exact integer value.
int rig_tointeger(lua_State *L, int index, int64_t *out);
/// Number value if the slot holds a number (strings are NOT converted).
int rig_tonumber(lua_State *L, int index, double *out);
/// The bytes of a string slot (numbers are NOT converted); NULL for other types.
const char *rig_tostring(lua_State *L, int index, size_t *length);
int rig_isinteger(lua_State *L, int index);

void rig_newtable(lua_State *L, int narray, int nrecords);
/// t[key] = top (pops the value), raw.
void rig_rawsetfield(lua_State *L, int table, const char *key);
/// Pushes t[key], raw; returns its type.
int rig_rawgetfield(lua_State *L, int table, const char *key);
/// t[i] = top (pops the value), raw.
void rig_rawseti(lua_State *L, int table, int64_t i);
/// Pushes t[i], raw; returns its type.
int rig_rawgeti(lua_State *L, int table, int64_t i);
/// Raw length (no __len).
uint64_t rig_rawlen(lua_State *L, int index);
/// lua_next on a table the caller does not modify while iterating.
int rig_next(lua_State *L, int table);
/// Reads t[1..n] of the table at `index` into `out` as doubles. Returns 0 when every item is
/// a number, else the 1-based position of the first item that is not (nothing raised).
int64_t rig_read_numbers(lua_State *L, int index, double *out, int64_t n);
/// Pushes a new sequence of `n` numbers.
void rig_push_numbers(lua_State *L, const double *values, int64_t n);
/// t[k] = v with k and v on top (pops both), raw.
void rig_rawset(lua_State *L, int table);
/// Pushes t[k] with k on top (replaced), raw; returns the type.
int rig_rawget(lua_State *L, int table);
/// Sets the metatable of the value at `index` to the table on top (popped).
void rig_setmetatable(lua_State *L, int index);
/// Pushes the metatable of the value at `index` and returns 1, or pushes nothing and returns 0.
int rig_getmetatable(lua_State *L, int index);
/// Primitive equality (no metamethods).
int rig_rawequal(lua_State *L, int a, int b);
/// registry["rig.embedded"][name] = top (pops the value).
void rig_set_embedded(lua_State *L, const char *name);
/// package.loaded[name] = top (pops the value).
void rig_set_loaded(lua_State *L, const char *name);
/// registry["rig.natives"][name] = top (pops the value): a host module, out of `require`'s
/// reach (stdlib/rig/_boot.lua hands them to the stdlib alone).
void rig_set_native(lua_State *L, const char *name);
/// 1 when a memory ceiling is set and the Lua heap is past it (host functions that build
/// large values check this as they go; the trampoline checks it after every host call).
int rig_memory_exceeded(lua_State *L);

#endif
