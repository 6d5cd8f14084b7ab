// periodic: a real-time task.  Each period it works for `work` ms, then
// waits for its next release (rtwait); at the end it says how many
// deadlines it missed.  With period, deadline and cost it asks for them
// itself; under `rt` it has them already.
//
//   periodic JOBS WORK_MS [PERIOD_MS DEADLINE_MS COST_MS]
#include "sched.h"

int
main(int argc, char *argv[])
{
  if (argc != 3 && argc != 6) {
    fprintf(2, "usage: periodic jobs work-ms [period-ms deadline-ms cost-ms]\n");
    exit(1);
  }
  int jobs = number(argv[1]), work = number(argv[2]);
  if (jobs < 0 || work < 0) {
    fprintf(2, "periodic: bad number\n");
    exit(1);
  }
  if (argc == 6) {
    int period = number(argv[3]), deadline = number(argv[4]), cost = number(argv[5]);
    if (rtset(period * 1000, deadline * 1000, cost * 1000) < 0) {
      printf("periodic %d: refused (%d/%d/%d ms would not fit)\n", getpid(), period, deadline, cost);
      exit(1);
    }
  }
  int misses = 0;
  volatile uint64 sink = 0;
  for (int j = 0; j < jobs; j++) {
    uint64 end = now() + (uint64)work * (TIME_HZ / 1000);
    while (now() < end)
      sink++;
    misses = rtwait();
    if (misses < 0) {
      printf("periodic %d: not a real-time task\n", getpid());
      exit(1);
    }
  }
  printf("periodic %d: %d jobs, %d deadline misses\n", getpid(), jobs, misses);
  exit(0);
}
