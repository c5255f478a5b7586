"""Runs benchmarks of pyperformance (PyPI; the benchmark code unmodified, as its wheel ships
it) with pyperf under the interpreter that runs this script, and prints Molt's structured
timing JSON on stdout: {"status": "ok", "results": [{"benchmark", "elapsed_s"}], ...}.
elapsed_s is pyperf's mean time of one benchmark loop. For rig's friends recipe
(recipes/friends/pyperformance.toml); the adapter is Rig's, the benchmarks are not.

usage: python pyperformance_adapter.py --benchmark nbody --benchmark richards [--fast]
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile

import pyperf
import pyperformance


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--benchmark", action="append", required=True)
    parser.add_argument("--fast", action="store_true", help="pyperf --fast (fewer values)")
    args = parser.parse_args()
    root = os.path.join(os.path.dirname(pyperformance.__file__), "data-files", "benchmarks")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.benchmark:
            script = os.path.join(root, "bm_" + name, "run_benchmark.py")
            out = os.path.join(tmp, name + ".json")
            cmd = [sys.executable, script, "--quiet", "-o", out] + (["--fast"] if args.fast else [])
            done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if done.returncode != 0:
                print(json.dumps({"status": "error", "benchmark": name, "stderr": done.stderr[-2000:]}))
                return 1
            bench = pyperf.Benchmark.load(out)
            results.append({"benchmark": name, "elapsed_s": bench.mean(), "values": len(bench.get_values())})
    print(json.dumps({
        "status": "ok",
        "results": results,
        "implementation": platform.python_implementation(),
        "python": platform.python_version(),
        "pyperformance": pyperformance.__version__ if hasattr(pyperformance, "__version__") else None,
        "pyperf": pyperf.__version__,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
