// readin: read the standard input once and say what read returned; a
// process to kill while it waits in read (tests/qemu/test_processes.py).
#include "user.h"

int
main(void)
{
  char buf[64];
  int n;

  n = read(0, buf, sizeof(buf));
  // A process killed while it waits never gets here: the kernel ends it
  // before it returns to user space.
  printf("readin: read returned %d\n", n);
  exit(0);
}
