// sleep: wait N ticks (tenths of a second).
#include "user.h"

int
main(int argc, char *argv[])
{
  const char *p;

  if (argc != 2) {
    fprintf(2, "usage: sleep ticks\n");
    exit(1);
  }
  for (p = argv[1]; *p; p++) {
    if (*p < '0' || *p > '9') {
      fprintf(2, "sleep: %s is not a number of ticks\n", argv[1]);
      exit(1);
    }
  }
  if (sleep(atoi(argv[1])) < 0)
    exit(1);            // killed while asleep
  exit(0);
}
