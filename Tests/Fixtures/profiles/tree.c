/* A known call tree: main calls a() for ~3 units and b() for ~1 unit; a calls leaf. */
#include <stdlib.h>
volatile unsigned long sink;
__attribute__((noinline)) void spin(unsigned long n) { for (unsigned long i = 0; i < n; i++) sink += i; }
__attribute__((noinline)) void leaf(unsigned long n) { spin(n); }
__attribute__((noinline)) void a(unsigned long n) { leaf(n * 3); }
__attribute__((noinline)) void b(unsigned long n) { spin(n); }
int main(int argc, char **argv) {
  unsigned long n = argc > 1 ? strtoul(argv[1], 0, 10) : 100000000UL;
  a(n); b(n);
  return 0;
}
