#!/usr/bin/env python3
"""Reference values for Rig's statistics (Tests/RigKitTests/StatsReferenceTests.swift),
computed with numpy and scipy. Run it to regenerate reference.json:

    python3 Tests/Fixtures/stats/generate.py > Tests/Fixtures/stats/reference.json

The tests read only the JSON, so they need neither numpy nor scipy. Versions used are
recorded in the output. The large data set is not stored: both sides generate it with the
integer formula in `big_values` so the fixture stays small.
"""
import json
from fractions import Fraction
import warnings
import math
import sys

import numpy as np
import scipy
from scipy import stats

warnings.simplefilter("ignore")
rng = np.random.default_rng(20261127)


def big_values(n=100_000):
    # x_i = 50 + 100 * ((i * 2654435761) mod 2^32) / 2^32, exact in doubles on both sides.
    return [50.0 + 100.0 * ((i * 2654435761) % 4294967296) / 4294967296.0 for i in range(n)]


def r(x):
    return [float(v) for v in x]


datasets = {
    "n1": [3.25],
    "n2": [1.0, 2.5],
    "n3": [0.031, 0.029, 0.035],
    "n4": [10.0, 12.0, 11.0, 30.0],
    "n5": [5.1, 4.9, 5.0, 5.3, 4.8],
    "ties": [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 5.0, 5.0, 9.0],
    "constant": [5.0, 5.0, 5.0, 5.0],
    "negative": [-2.5, -1.0, 0.0, 1.5, 3.0, 4.5, -0.5],
    "normal100": r(rng.normal(0.05, 0.002, 100)),
    "skewed": r(rng.lognormal(0.0, 0.6, 200)),
    "timings30": r(0.120 + rng.exponential(0.004, 30)),
    "big": None,  # big_values()
}

PERCENTILES = [0, 1, 5, 10, 25, 33.3, 50, 66.7, 75, 90, 95, 99, 100]


def median_ci_orders(n, q=0.5, confidence=0.95):
    """benchstat's QuantileCI, with scipy's binomial and normal distributions."""
    if n <= 30:
        # Exact binomial probabilities (fractions), so that ties between the two sides are
        # exact ties, which the algorithm breaks to the left.
        qf = Fraction(q).limit_denominator(1 << 20)
        pmf = lambda k: Fraction(0) if k < 0 or k > n else math.comb(n, k) * qf**k * (1 - qf) ** (n - k)
        x = math.ceil((n + 1) * q) - 1
        accum = pmf(x)
        l, rr = x, x + 1
        lp, rp = pmf(l - 1), pmf(rr)
        while accum < confidence and (lp > 0 or rp > 0):
            if lp >= rp:
                accum += lp
                l -= 1
                lp = pmf(l - 1)
            else:
                accum += rp
                rr += 1
                rp = pmf(rr)
        achieved = float(accum)
    else:
        mu, sigma = n * q, math.sqrt(n * q * (1 - q))
        l1 = stats.norm.ppf((1 - confidence) / 2, loc=mu, scale=sigma)
        r1 = 2 * mu - l1
        l = math.floor(l1 - 0.5) + 1
        rr = math.ceil(r1 - 0.5) + 1
        cov = lambda a, b: stats.norm.cdf(b - 0.5, mu, sigma) - stats.norm.cdf(a - 0.5, mu, sigma)
        achieved = cov(l, rr)
        biased = cov(l, rr - 1)
        if biased >= confidence and biased < achieved:
            achieved, rr = biased, rr - 1
        if l <= 0 and rr >= n + 1:
            achieved = 1.0
    return max(l, 0), min(rr, n + 1), float(achieved)


def summary(x):
    a = np.asarray(x, dtype=float)
    n = len(a)
    out = {
        "n": n,
        "mean": float(np.mean(a)),
        "median": float(np.median(a)),
        "min": float(np.min(a)),
        "max": float(np.max(a)),
        "sum": float(np.sum(a)),
        "var_population": float(np.var(a)),
        "std_population": float(np.std(a)),
        "var_sample": float(np.var(a, ddof=1)) if n > 1 else None,
        "std_sample": float(np.std(a, ddof=1)) if n > 1 else None,
        "q1": float(np.percentile(a, 25)),
        "q3": float(np.percentile(a, 75)),
        "mad": float(stats.median_abs_deviation(a)),
        "mad_normal": float(stats.median_abs_deviation(a, scale="normal")),
        "gmean": float(stats.gmean(a)) if np.all(a > 0) else None,
        "percentiles": {str(p): float(np.percentile(a, p)) for p in PERCENTILES},
    }
    out["iqr"] = out["q3"] - out["q1"]
    out["cv"] = (out["std_sample"] / out["mean"]) if n > 1 and out["mean"] != 0 else None
    if n > 1:
        sem = stats.sem(a)
        lo, hi = stats.t.interval(0.95, n - 1, loc=np.mean(a), scale=sem) if sem > 0 else (out["mean"], out["mean"])
        out["mean_ci95"] = [float(lo), float(hi)]
    lo_o, hi_o, achieved = median_ci_orders(n)
    out["median_ci95"] = {"low_order": lo_o, "high_order": hi_o, "confidence": achieved}
    med, mad = np.median(a), stats.median_abs_deviation(a)
    z = [0.0 if v == med else (math.copysign(math.inf, v - med) if mad == 0 else 0.6745 * (v - med) / mad) for v in a]
    q1, q3 = np.percentile(a, [25, 75])
    iqr = q3 - q1
    severe = [i for i, v in enumerate(a) if v < q1 - 3 * iqr or v > q3 + 3 * iqr]
    mild = [i for i, v in enumerate(a) if (v < q1 - 1.5 * iqr or v > q3 + 1.5 * iqr) and i not in severe]
    if n <= 1000:
        out["modified_z"] = [None if math.isinf(v) else v for v in z]
        out["modified_z_infinite"] = [i for i, v in enumerate(z) if math.isinf(v)]
        out["tukey_mild"] = mild
        out["tukey_severe"] = severe
    if 10 <= n <= 1000:
        boot = {}
        for name, fn in (("mean", np.mean), ("median", np.median)):
            for method in ("percentile", "BCa"):
                with np.errstate(all="ignore"):
                    res = stats.bootstrap((a,), fn, n_resamples=20000, confidence_level=0.95, method=method,
                                          random_state=np.random.default_rng(7), vectorized=True)
                if not (np.isfinite(res.confidence_interval.low) and np.isfinite(res.confidence_interval.high)):
                    continue  # scipy gives up (degenerate jackknife); Rig's result is not compared
                boot[f"{name}_{method.lower()}"] = {
                    "low": float(res.confidence_interval.low), "high": float(res.confidence_interval.high),
                    "standard_error": float(res.standard_error)}
        out["bootstrap"] = boot
    return out


pairs = [
    ("n3", "n4"), ("n4", "n5"), ("n5", "normal100"), ("ties", "n5"), ("ties", "negative"),
    ("normal100", "skewed"), ("timings30", "normal100"), ("n2", "n3"),
]


def mwu_method(a, b):
    ties = len(set(a) | set(b)) < len(a) + len(b)
    return "exact" if not ties and max(len(a), len(b)) <= 50 else "asymptotic"


def pair(a, b):
    method = mwu_method(a, b)
    mw = stats.mannwhitneyu(a, b, alternative="two-sided", method=method, use_continuity=True)
    out = {"mann_whitney": {"u": float(mw.statistic), "p": float(mw.pvalue), "method": method}}
    if len(a) > 1 and len(b) > 1:
        w = stats.ttest_ind(a, b, equal_var=False)
        out["welch"] = {"t": float(w.statistic), "p": float(w.pvalue), "df": float(w.df)}
    out["hodges_lehmann"] = float(np.median(np.subtract.outer(np.asarray(b), np.asarray(a)).ravel()))
    if len(a) >= 10 and len(b) >= 10:
        ratio = lambda x, y, axis=-1: np.median(y, axis=axis) / np.median(x, axis=axis)
        boot = {}
        for method in ("percentile", "BCa"):
            res = stats.bootstrap((np.asarray(a), np.asarray(b)), ratio, n_resamples=20000, method=method,
                                  paired=False, vectorized=True, random_state=np.random.default_rng(11))
            boot[method.lower()] = {"low": float(res.confidence_interval.low), "high": float(res.confidence_interval.high),
                                    "standard_error": float(res.standard_error)}
        out["ratio_of_medians"] = boot
    return out


def holm(p):
    p = np.asarray(p)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted


pvalue_sets = [
    [0.01, 0.04, 0.03, 0.20],
    r(rng.uniform(0, 0.1, 12)),
    [0.001, 0.5, 0.049, 0.051, 0.0001, 0.9, 0.02],
]

out = {
    "generated_by": "Tests/Fixtures/stats/generate.py",
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "datasets": {k: v for k, v in datasets.items() if v is not None},
    "summaries": {},
    "pairs": [],
    "multiple": [],
    "distributions": {
        "norm_ppf": [[p, float(stats.norm.ppf(p))] for p in (1e-10, 0.001, 0.025, 0.2, 0.5, 0.7, 0.975, 0.999, 1 - 1e-10)],
        "t_ppf": [[p, df, float(stats.t.ppf(p, df))] for p, df in ((0.975, 1), (0.975, 2), (0.975, 5), (0.975, 29),
                                                               (0.995, 7.5), (0.9, 120), (0.025, 10), (0.975, 5000))],
        "t_sf": [[t, df, float(stats.t.sf(t, df))] for t, df in ((0.5, 3), (2.1, 9), (5.0, 4), (12.0, 40), (-1.3, 15), (40.0, 100))],
    },
}
for name, values in datasets.items():
    out["summaries"][name] = summary(big_values() if values is None else values)
for an, bn in pairs:
    out["pairs"].append({"a": an, "b": bn, **pair(datasets[an], datasets[bn])})
for ps in pvalue_sets:
    out["multiple"].append({"p": ps, "holm": r(holm(ps)), "bh": r(stats.false_discovery_control(ps, method="bh"))})

json.dump(out, sys.stdout, indent=1, allow_nan=False)
sys.stdout.write("\n")
