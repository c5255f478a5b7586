# String operations: split, join, replace, find, format (Rig's shipped workload).
def main(rounds=1500):
    text = " ".join(f"word{i % 97} value{i}" for i in range(200))
    total = 0
    for r in range(rounds):
        parts = text.split(" ")
        joined = "-".join(parts[r % 7 :: 3])
        total += joined.count("word") + len(joined.replace("value", "v"))
        total += text.find(f"word{r % 97} ") + len(f"{r:08d}|{total % 1000:>5}")
    print(total)


main()
