/* A CPU-bound command of known length: spins for about N million iterations of an LCG.
 * Usage: busy N */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100;
  volatile unsigned long x = 1;
  for (long i = 0; i < n * 1000000L; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
  return (int)(x & 1) * 0;
}
