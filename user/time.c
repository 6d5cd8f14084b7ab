// time: run a command; then say how long it took, and its user and system
// time (with its children's), as the kernel measured them.  time -t also
// records the scheduler trace while the command runs (the schedtrace call;
// the monitor's trace.dump() prints it).
#include "sched.h"

static void
show(const char *what, uint64 us)
{
  int ms = (int)(us / 1000 % 1000);     // printf has no %03d
  fprintf(2, " %s %d.%s%s%d", what, (int)(us / 1000000), ms < 100 ? "0" : "", ms < 10 ? "0" : "", ms);
}

int
main(int argc, char *argv[])
{
  int tracing = argc > 1 && strcmp(argv[1], "-t") == 0;
  if (tracing) {
    argv++;
    argc--;
  }
  if (argc < 2) {
    fprintf(2, "usage: time [-t] command [args]\n");
    exit(1);
  }
  if (tracing)
    schedtrace(1);
  uint64 start = now();
  int pid = fork();
  if (pid < 0) {
    fprintf(2, "time: fork failed\n");
    exit(1);
  }
  if (pid == 0) {
    exec(argv[1], argv + 1);
    fprintf(2, "time: exec %s failed\n", argv[1]);
    exit(1);
  }
  int status;
  uint64 t[2];
  if (waitx(&status, t) < 0) {
    fprintf(2, "time: waitx failed\n");
    exit(1);
  }
  if (tracing)
    schedtrace(0);
  fprintf(2, "%s:", argv[1]);
  show("real", (now() - start) / TIME_PER_US);
  show("user", t[0]);
  show("sys", t[1]);
  fprintf(2, "\n");
  exit(status);
}
