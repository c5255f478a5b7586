# Recursion: naive Fibonacci and a recursive tree walk (Rig's shipped workload).
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def depth(tree):
    return 1 + max((depth(child) for child in tree), default=0)


def build(n):
    return [build(n - 1), build(n - 2)] if n > 1 else []


print(fib(24), depth(build(16)))
