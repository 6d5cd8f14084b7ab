// forkchain N: a chain of N processes, each the child of the one before;
// each waits for its child.  Traced, it shows whether the mask was
// inherited (lab syscall).
#include "user.h"

int
main(int argc, char *argv[])
{
  int depth = argc > 1 ? atoi(argv[1]) : 3;
  int i, pid;

  for (i = 0; i < depth; i++) {
    pid = fork();
    if (pid < 0) {
      fprintf(2, "forkchain: fork failed\n");
      exit(1);
    }
    if (pid > 0) {           // the parent waits; the child goes on
      wait(0);
      exit(0);
    }
  }
  exit(0);
}
