# Dictionary-heavy: counting, merging and lookups (Rig's shipped workload).
def main(n=120_000):
    counts = {}
    for i in range(n):
        key = f"k{(i * 7919) % 5003}"
        counts[key] = counts.get(key, 0) + 1
    merged = {}
    for k, v in counts.items():
        merged[v] = merged.get(v, 0) + len(k)
    hits = sum(1 for i in range(n) if f"k{i % 6000}" in counts)
    print(len(counts), sum(merged.values()), hits)


main()
