"""Rig's wasmtime runner for WASI (preview1) modules, through the wasmtime package from PyPI
(the Wasmtime runtime itself, for machines without the wasmtime CLI):
`python3 run_wasmtime.py MODULE.wasm [ARGS...]`. Exits with the module's exit code; a non-zero
proc_exit is reported on stderr as "wasi proc_exit(N)"; traps propagate as Wasmtime prints
them ("wasm trap: ...")."""
import sys

try:
    import wasmtime
except ImportError:
    print("the wasmtime runner needs the wasmtime package: python3 -m pip install wasmtime", file=sys.stderr)
    sys.exit(2)

if len(sys.argv) < 2:
    print("usage: python3 run_wasmtime.py MODULE.wasm [ARGS...]", file=sys.stderr)
    sys.exit(2)
path = sys.argv[1]
engine = wasmtime.Engine()
store = wasmtime.Store(engine)
linker = wasmtime.Linker(engine)
linker.define_wasi()
config = wasmtime.WasiConfig()
config.argv = sys.argv[1:]
config.inherit_env()
config.inherit_stdout()
config.inherit_stderr()
store.set_wasi(config)
try:
    module = wasmtime.Module.from_file(engine, path)
except FileNotFoundError:
    print(f"linked artifact missing: {path}", file=sys.stderr)
    sys.exit(1)
instance = linker.instantiate(store, module)
try:
    instance.exports(store)["_start"](store)
except wasmtime.ExitTrap as exit_trap:
    if exit_trap.code:
        print(f"wasi proc_exit({exit_trap.code})", file=sys.stderr)
    sys.exit(exit_trap.code)
except wasmtime.Trap as trap:
    # The kind first ("wasm trap: ..." ends the message, after a backtrace of any length), so
    # a classifier reading the first lines sees it; then the message as the wasmtime CLI words it.
    kind = [line.strip() for line in trap.message.splitlines() if "wasm trap:" in line]
    print(f"Error: failed to run main module `{path}`: {kind[-1] if kind else 'wasm trap'}", file=sys.stderr)
    print(f"\nCaused by:\n{trap.message}", file=sys.stderr)
    sys.exit(1)
