"""The Python side of recipes/bench/artifacts.lua, timed in-process (median of REPS):
decode + encode of a results file as Molt's tools do (json.loads, json.dumps(indent=2)), and
profile extraction from a log the way perf.py reads one (startswith + json.loads per line,
keeping the last valid process profile). Prints `name milliseconds` lines."""
import json
import sys
import time

results_path, log_path, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])


def timed(fn):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2] * 1e3


def roundtrip():
    with open(results_path, encoding="utf-8") as f:
        data = json.load(f)
    return json.dumps(data, indent=2) + "\n"


def extract():
    chosen = None
    with open(log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith("molt_profile_json "):
                continue
            try:
                payload = json.loads(line[len("molt_profile_json "):])
            except json.JSONDecodeError:
                continue
            if isinstance(payload, dict) and payload.get("kind") == "runtime_feedback":
                chosen = payload
    return chosen


out = roundtrip()
assert out == open(results_path, encoding="utf-8").read(), "python does not round-trip the file"
assert extract() is not None
print("json_roundtrip", timed(roundtrip))
print("profile_extract", timed(extract))
