#!/bin/sh
# Wraps a runner command the way a Molt binary run with MOLT_PROFILE_JSON=1 prints: the
# process profile line of a real Molt log (PROFILE_LOG) and one profile epoch, on stderr
# (indented, as some runners print them), then runs the command.
grep -m1 '^molt_profile_json ' "$PROFILE_LOG" | sed 's/^/  /' >&2
echo '  molt_profile_epoch_json {"kind":"runtime_profile_epoch","schema_version":2,"generation":1,"label":"main","claimable":true,"delta":{"profile":{"call_dispatch":7}}}' >&2
exec "$@"
