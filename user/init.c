// init: the first user process; keeps a shell running and reaps orphans.
#include "user.h"

static char *sh_argv[] = { "sh", 0 };

// Make descriptors 0, 1 and 2 the console: the device file "console",
// made on first boot (docs/abi.md).  Whichever of 0, 1, 2 are not open yet
// become copies of it: dup returns the lowest free descriptor.  If the
// console cannot be opened at all (the disk is full, say), init carries on
// without it: it still reaps orphans, but its messages go nowhere.
static void
open_console(void)
{
  int fd, d;

  fd = open("console", O_RDWR);
  if (fd < 0 && mknod("console", CONSOLE_MAJOR, 0) == 0)
    fd = open("console", O_RDWR);
  if (fd < 0)
    return;               // no console: carry on without 0, 1, 2
  while ((d = dup(fd)) >= 0 && d <= 2)
    ;                     // filled the lowest free of 0, 1, 2
  if (d > 2)
    close(d);             // 0, 1 and 2 are all open now: one dup too many
  if (fd > 2)
    close(fd);
}

int
main(void)
{
  int pid, wpid;

  open_console();

  for (;;) {
    printf("init: starting sh\n");
    pid = fork();
    if (pid < 0) {
      // Out of processes (a fork bomb, say): try again a little later.
      printf("init: fork failed\n");
      sleep(10);
      continue;
    }
    if (pid == 0) {
      exec("sh", sh_argv);
      printf("init: exec sh failed\n");
      exit(1);
    }

    // Every orphan in the system becomes init's child, so besides the shell
    // this wait collects them too; they need nothing more than reaping.
    for (;;) {
      wpid = wait(0);
      if (wpid == pid)
        break;            // the shell exited: start another
      if (wpid < 0) {
        // Cannot happen while the shell lives; do not spin if it does.
        printf("init: wait failed\n");
        break;
      }
    }
  }
}
