/* Allocates and touches N MB, then exits. Usage: alloc N */
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  long mb = argc > 1 ? atol(argv[1]) : 200;
  char *p = malloc((size_t)mb << 20);
  if (!p) return 1;
  memset(p, 1, (size_t)mb << 20);
  return p[mb] - 1;
}
