// fdwrite: write TEXT to descriptor FD, which the program must have inherited.
#include "user.h"

// usertests runs it through exec to check that open descriptors, and
// their offsets, survive exec.  Exits 0 if the whole text was written, 1 if
// the write failed (the descriptor is not open, or not for writing), 2 on a
// usage error.

int
main(int argc, char *argv[])
{
  int fd, n;

  if (argc != 3) {
    fprintf(2, "usage: fdwrite fd text\n");
    exit(2);
  }
  fd = atoi(argv[1]);
  n = strlen(argv[2]);
  if (write(fd, argv[2], n) != n)
    exit(1);
  exit(0);
}
