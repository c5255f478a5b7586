;; Fails (proc_exit 1) when one random bit from WASI's random_get is set: a 50% failure rate.
(module
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $random_get (i32.const 0) (i32.const 1)))
    (if (i32.and (i32.load8_u (i32.const 0)) (i32.const 1)) (then (call $proc_exit (i32.const 1))))))
