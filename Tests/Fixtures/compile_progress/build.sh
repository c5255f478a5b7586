#!/bin/sh
# build.sh PROFILE OUT_DIR SCRIPT CACHE_FLAG [--diagnostics --diagnostics-file FILE]
# A stand-in for `molt build`: cc at -O0 (dev) or -O2 (release), a ccache-like object cache
# in $MOLT_CACHE keyed by profile and source, "Cache: hit|miss" on stdout, and a diagnostics
# JSON with the phase timings when asked.
set -e
profile=$1 out=$2 src=$3 cache=$4
if [ -n "$FAIL_ONCE_FILE" ] && [ ! -e "$FAIL_ONCE_FILE" ]; then
  : > "$FAIL_ONCE_FILE"
  echo "error: Timed out waiting for build lock" >&2
  exit 1
fi
opt=-O0; [ "$profile" = release ] && opt=-O2
mkdir -p "$out"
key="$MOLT_CACHE/$(basename "$src").$profile.o"
start=$(date +%s.%N)
if [ "$cache" = --cache-report ] && [ -f "$key" ]; then echo "Cache: hit"; cp "$key" "$out/prog.o"
else
  echo "Cache: miss"; cc $opt -c -o "$out/prog.o" "$src"
  [ "$cache" = --cache-report ] && cp "$out/prog.o" "$key"
fi
mid=$(date +%s.%N)
cc -o "$out/prog" "$out/prog.o"
end=$(date +%s.%N)
if [ "$5" = --diagnostics ]; then
  awk -v s="$start" -v m="$mid" -v e="$end" \
    'BEGIN { printf "{\"total_sec\": %.6f, \"phase_sec\": {\"compile\": %.6f, \"link\": %.6f}}\n", e - s, m - s, e - m }' > "$7"
fi
