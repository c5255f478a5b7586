# Allocation-heavy: many short-lived objects, lists and tuples (Rig's shipped workload).
class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


def main(n=150_000):
    total = 0
    for i in range(n):
        p = Point(i, i * 2)
        pair = (p.x, p.y, [p.x, p.y])
        total += pair[0] + len(pair[2])
    chunks = [list(range(i % 50)) for i in range(20_000)]
    print(total, sum(len(c) for c in chunks))


main()
