// hog: burn the CPU for N tenths of a second (wall clock) and say how much
// work got done -- the share of the CPU the scheduler gave it.
#include "sched.h"

int
main(int argc, char *argv[])
{
  int tenths = argc > 1 ? number(argv[1]) : 20;
  const char *label = argc > 2 ? argv[2] : "hog";
  if (tenths < 0) {
    fprintf(2, "usage: hog [tenths-of-a-second] [label]\n");
    exit(1);
  }
  uint64 end = now() + (uint64)tenths * (TIME_HZ / 10);
  uint64 work = 0;
  volatile uint64 sink = 0;
  while (now() < end) {
    for (int i = 0; i < 1000; i++)   // one unit of work
      sink += i;
    work++;
  }
  printf("%s %d: %d units of work\n", label, getpid(), (int)work);
  exit(0);
}
