#!/bin/sh
# fakediff.sh SUMMARY_JSON: stands in for tests/molt_diff.py: one failing test of three.
printf '{"failed": 1, "passed": 2, "total": 3}\n' > "$1"
