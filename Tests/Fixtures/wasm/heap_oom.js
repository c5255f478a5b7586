// Fills node's JavaScript heap: with --max-old-space-size=16, V8 stops with
// "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory".
const keep = [];
for (;;) keep.push(new Array(100000).fill(1));
