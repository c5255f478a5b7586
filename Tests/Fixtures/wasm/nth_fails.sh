#!/bin/sh
# Wraps a runner command: the FAIL_RUN-th call (counted in the file COUNTER) fails the way
# node reports a trap; every other call runs the command. For Molt's sampling rules.
n=$(( $(cat "$COUNTER" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$COUNTER"
if [ "$n" = "$FAIL_RUN" ]; then echo "RuntimeError: unreachable" >&2; exit 1; fi
exec "$@"
