// nice: run a command at another base priority (Plan 9 policy: 0..19,
// higher first; processes start at 10).  -f makes the priority fixed (it
// does not decay with CPU use).  With no command, print this one's.
#include "sched.h"

int
main(int argc, char *argv[])
{
  int fixed = 0, i = 1;
  if (argc > 1 && strcmp(argv[1], "-f") == 0) {
    fixed = 1;
    i++;
  }
  if (i >= argc) {
    printf("base priority %d\n", setpri(0, -1, 0));
    exit(0);
  }
  int pri = number(argv[i]);
  if (pri < 0 || setpri(0, pri, fixed) < 0) {
    fprintf(2, "nice: %s is not a priority (0-19)\n", argv[i]);
    exit(1);
  }
  if (i + 1 >= argc)
    exit(0);
  exec(argv[i + 1], argv + i + 1);
  fprintf(2, "nice: exec %s failed\n", argv[i + 1]);
  exit(1);
}
