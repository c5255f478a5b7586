#!/bin/sh
# A stand-in for `molt build --target wasm`: compiles WAT with wat2wasm to the linked output,
# with planted failures for the retry tests (BUILD_MODE):
#   timeout  hangs unless given Molt's stricter retry settings (MOLT_MIDEND_MAX_ROUNDS=2)
#   lock     prints Molt's build-lock message unless given an isolated MOLT_BUILD_STATE_DIR
#   fail     always fails
#   unlinked writes output.wasm only (no linked module)
# usage: build.sh SCRIPT OUT
script=$1 out=$2
case "$BUILD_MODE" in
  timeout) [ "$MOLT_MIDEND_MAX_ROUNDS" = 2 ] || { sleep 30; exit 1; } ;;
  lock) [ -n "$MOLT_BUILD_STATE_DIR" ] || { echo "error: Timed out waiting for build lock" >&2; exit 1; } ;;
  fail) echo "error: backend exploded" >&2; exit 3 ;;
  unlinked) exec wat2wasm "$script" -o "$(dirname "$out")/output.wasm" ;;
esac
exec wat2wasm "$script" -o "$out"
