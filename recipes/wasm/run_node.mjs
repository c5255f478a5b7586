// Rig's node runner for WASI (preview1) modules: `node run_node.mjs MODULE.wasm [ARGS...]`
// (or the module in MOLT_WASM_PATH). Runs `_start` with node's own WASI and exits with the
// module's exit code; a non-zero proc_exit is reported on stderr as "wasi proc_exit(N)",
// so the wasi_proc_exit failure class can tell it from a crash. Traps and V8 errors are left
// to node, which prints them in its own words (RuntimeError: ..., CompileError: ...).
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const path = process.argv[2] ?? process.env.MOLT_WASM_PATH;
if (!path) {
  console.error('usage: node run_node.mjs MODULE.wasm [ARGS...]');
  process.exit(2);
}
let bytes;
try {
  bytes = await readFile(path);
} catch (err) {
  console.error(`linked artifact missing: ${path} (${err.code})`);
  process.exit(1);
}
const wasi = new WASI({
  version: 'preview1',
  args: [path, ...process.argv.slice(3)],
  env: process.env,
  returnOnExit: true,
});
const { instance } = await WebAssembly.instantiate(bytes, wasi.getImportObject());
const code = wasi.start(instance);
if (code !== 0) {
  console.error(`wasi proc_exit(${code})`);
  process.exit(code);
}
