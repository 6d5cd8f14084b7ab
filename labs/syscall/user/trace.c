// trace MASK PROGRAM [ARGS...]: run PROGRAM with the system calls whose
// numbers are bits of MASK traced (lab syscall).
#include "user.h"

int
main(int argc, char *argv[])
{
  if (argc < 3 || argv[1][0] < '0' || argv[1][0] > '9') {
    fprintf(2, "usage: trace mask command [args...]\n");
    exit(1);
  }
  if (trace(atoi(argv[1])) < 0) {
    fprintf(2, "trace: trace failed\n");
    exit(1);
  }
  exec(argv[2], argv + 2);
  fprintf(2, "trace: exec %s failed\n", argv[2]);
  exit(1);
}
