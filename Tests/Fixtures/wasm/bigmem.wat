;; Asks for 60000 pages (3.7 GiB) of memory up front: fine for wasmtime and a default node,
;; "Out of memory: Cannot allocate Wasm memory" for node with --wasm-max-mem-pages=100.
(module (memory (export "memory") 60000) (func (export "_start")))
