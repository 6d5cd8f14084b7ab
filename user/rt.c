// rt: run a command as a real-time task under EDF, with a period, a
// deadline and a cost per period (milliseconds).  Refused if the task set
// would not fit (the kernel's admission control), or if the scheduler is
// not EDF (boot with SCHED=edf, or sched.use("edf") at the monitor).
// Each hart admits tasks against its own reservations: `-h HART` wires the
// task to that hart first (on several harts the task stays where it was
// admitted).
#include "sched.h"

int
main(int argc, char *argv[])
{
  if (argc >= 3 && strcmp(argv[1], "-h") == 0) {
    if (wire(0, number(argv[2])) < 0) {
      fprintf(2, "rt: no hart %s\n", argv[2]);
      exit(1);
    }
    argc -= 2;
    argv += 2;
  }
  if (argc < 5) {
    fprintf(2, "usage: rt [-h hart] period-ms deadline-ms cost-ms command [args]\n");
    exit(1);
  }
  int period = number(argv[1]), deadline = number(argv[2]), cost = number(argv[3]);
  if (period < 0 || deadline < 0 || cost < 0 ||
      rtset(period * 1000, deadline * 1000, cost * 1000) < 0) {
    printf("rt: refused: %s/%s/%s ms does not fit\n", argv[1], argv[2], argv[3]);
    exit(1);
  }
  exec(argv[4], argv + 4);
  fprintf(2, "rt: exec %s failed\n", argv[4]);
  exit(1);
}
