// rm: remove the names given (files, or empty directories).
#include "user.h"

int
main(int argc, char *argv[])
{
  int i, status = 0;

  if (argc < 2) {
    fprintf(2, "usage: rm name...\n");
    exit(1);
  }
  for (i = 1; i < argc; i++) {
    if (unlink(argv[i]) < 0) {
      fprintf(2, "rm: cannot remove %s\n", argv[i]);
      status = 1;
    }
  }
  exit(status);
}
