;; One import of every kind, for rig.wasm.inspect.
(module
  (import "env" "f1" (func (param i32)))
  (import "env" "f2" (func))
  (import "env" "tbl" (table 1 10 funcref))
  (import "env" "mem" (memory 1 2))
  (import "env" "g" (global (mut i32)))
  (func (export "_start")))
