// peakprobe BASE [ARG...]: print how far the kernel heap's high-water mark rose
// above BASE (a kstat(KSTAT_HEAP_RESET) result from before this program's
// exec): memtest's measure of exec.  Small on purpose; memtest is the big one.
#include "user.h"

int
main(int argc, char *argv[])
{
  if(argc < 2){                // more arguments are ballast: memtest's exec test
    fprintf(2, "usage: peakprobe BASE [ARG...]\n");
    exit(1);
  }
  printf("%d", kstat(1) - atoi(argv[1]));   // memtest adds the spacing
  exit(0);
}
