;; Never returns: the run is stopped by the timeout.
(module (memory (export "memory") 1) (func (export "_start") (loop $forever (br $forever))))
