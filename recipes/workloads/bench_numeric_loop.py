# Numeric loop: float arithmetic in a tight loop (Rig's shipped workload).
def main(n=600_000):
    acc = 0.0
    x = 1.0
    for i in range(n):
        x = x * 1.0000001 + 0.5
        acc += (x % 7.0) * 0.25
    print(round(acc, 3))


main()
