;; Grows its memory by 1 MiB at a time and writes every byte, until memory.grow fails (then
;; traps): with an RSS limit the guard stops it first.
(module
  (memory (export "memory") 1)
  (func (export "_start") (local $base i32)
    (loop $more
      (local.set $base (i32.mul (memory.grow (i32.const 16)) (i32.const 65536)))
      (if (i32.lt_s (local.get $base) (i32.const 0)) (then unreachable))
      (memory.fill (local.get $base) (i32.const 1) (i32.const 1048576))
      (br $more))))
