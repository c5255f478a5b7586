"""The numpy/scipy side of recipes/bench/stats.lua: the same statistics on the same data,
timed in-process with perf_counter (median of --reps). Prints `name milliseconds` lines."""
import sys
import time

import numpy as np
from scipy import stats

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 7


def data(n, offset=0):
    i = np.arange(offset, offset + n, dtype=np.uint64)
    return 50.0 + 100.0 * ((i * np.uint64(2654435761)) % np.uint64(4294967296)).astype(np.float64) / 4294967296.0


def summary(a):
    # The fields of rig.stats.summary.
    n = a.size
    mean = np.mean(a)
    out = {
        "n": n, "mean": mean, "sum": np.sum(a), "min": np.min(a), "max": np.max(a),
        "median": np.median(a), "var_sample": np.var(a, ddof=1), "var_population": np.var(a),
        "std_sample": np.std(a, ddof=1), "std_population": np.std(a),
    }
    q1, q3 = np.percentile(a, [25, 75])
    out.update(q1=q1, q3=q3, iqr=q3 - q1, mad=stats.median_abs_deviation(a),
               gmean=stats.gmean(a), cv=out["std_sample"] / mean)
    out["mad_normal"] = out["mad"] * 1.482602218505602
    return out


def timed(fn):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2] * 1e3


big = data(1_000_000)
small = data(1000, offset=7)
print("summary_1e6", timed(lambda: summary(big)))
for method in ("BCa", "percentile"):
    print("bootstrap_median_" + method.lower(), timed(lambda: stats.bootstrap(
        (small,), np.median, n_resamples=10_000, method=method, vectorized=True,
        random_state=np.random.default_rng(1))))
print("numpy", np.__version__)
