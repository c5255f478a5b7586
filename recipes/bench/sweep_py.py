"""The Python side of recipes/bench/sweep.lua: the loop Molt's tools/compile_progress.py runs,
on the same trivial command. Each case is one subprocess.run (output captured), timed with
perf_counter; with --snapshots the JSON and the markdown table of all results so far are
rewritten after every case, as compile_progress.py does (plain writes, no fsync: generous to
this side). Prints `total_s own_s` (the whole loop, and the cases' own times added up)."""
import json
import os
import subprocess
import sys
import time

cases = int(sys.argv[1])
command = sys.argv[2]
out_dir = sys.argv[3] if len(sys.argv) > 3 else None

results = []
started = time.perf_counter()
for i in range(cases):
    t0 = time.perf_counter()
    proc = subprocess.run(["sh", "-c", command], capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    results.append({"name": f"case{i + 1}", "returncode": proc.returncode, "elapsed_sec": elapsed,
                    "stdout_tail": proc.stdout[-2000:], "stderr_tail": proc.stderr[-2000:], "attempts": 1})
    if out_dir:
        with open(os.path.join(out_dir, "progress.json"), "w") as f:
            json.dump({"meta": {"cases": cases, "completed_cases": len(results)}, "results": results}, f, indent=2)
        lines = ["# Compile Progress Snapshot", "", "| case | rc | elapsed_sec | attempts |", "|---|---|---|---|"]
        lines += [f"| {r['name']} | {r['returncode']} | {r['elapsed_sec']:.3f} | {r['attempts']} |" for r in results]
        with open(os.path.join(out_dir, "progress.md"), "w") as f:
            f.write("\n".join(lines) + "\n")
total = time.perf_counter() - started
print(f"{total:.6f} {sum(r['elapsed_sec'] for r in results):.6f}")
