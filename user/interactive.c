// interactive: how long after being woken does a blocked process run?
// A child writes the time into a pipe and sleeps a tick, N times; this
// process blocks reading the pipe and, when it runs, measures how late.
#include "sched.h"

int
main(int argc, char *argv[])
{
  int rounds = argc > 1 ? number(argv[1]) : 10;
  int fds[2];
  if (rounds <= 0) {
    fprintf(2, "usage: interactive [rounds]\n");
    exit(1);
  }
  if (pipe(fds) < 0) {
    fprintf(2, "interactive: pipe failed\n");
    exit(1);
  }
  int pid = fork();
  if (pid == 0) {
    close(fds[0]);
    for (int i = 0; i < rounds; i++) {
      sleep(1);
      uint64 t = now();
      write(fds[1], &t, sizeof t);
    }
    exit(0);
  }
  close(fds[1]);
  uint64 sum = 0, max = 0, stamp;
  int n = 0;
  while (read(fds[0], &stamp, sizeof stamp) == sizeof stamp) {
    uint64 late = now() - stamp;
    sum += late;
    if (late > max)
      max = late;
    n++;
  }
  wait(0);
  if (n == 0)
    n = 1;
  printf("interactive %d: %d wakeups, latency mean %d us, max %d us\n", getpid(), n,
         (int)(sum / n / TIME_PER_US), (int)(max / TIME_PER_US));
  exit(0);
}
