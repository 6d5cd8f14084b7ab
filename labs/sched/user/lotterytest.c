// lotterytest: checks settickets and the lottery policy (lab sched).  Each
// test ends in "lotterytest: NAME: OK token=..." or a line saying what
// failed.  Run it with the lottery policy in use (sched.use("lottery") at
// the monitor, or make qemu SCHED=lottery).
#include "sched.h"
#include "common/grade.h"

#define NHOGS 3
static const int tickets[NHOGS] = { 10, 20, 50 };
#define SECONDS 4
// How far a hog's measured share of the CPU may be from its share of the
// tickets, in percent of the CPU: a lottery of ~400 quanta stays within
// a few percent; round robin or Plan 9 miss by 20 or more.
#define TOLERANCE 10

// settickets refuses what is not a positive number of tickets, and a
// program may set its own.
static void
args(void)
{
  if (settickets(0) != -1 || settickets(-5) != -1)
    printf("lotterytest: args: FAILED: settickets accepts 0 or a negative number\n");
  else if (settickets(30) != 0 || settickets(10) != 0)
    printf("lotterytest: args: FAILED: settickets(30) does not return 0\n");
  else
    pass_token("lotterytest: args: OK");
}

// NHOGS processes with different tickets burn the CPU for the same
// SECONDS of wall-clock time; each one's CPU time is measured by the
// kernel (waitx).  Shares of the CPU must follow shares of the tickets.
static void
shares(void)
{
  int fds[2], pids[NHOGS];
  uint64 cpu[NHOGS], total = 0, end;
  int total_tickets = 0, ok = 1;

  if (pipe(fds) < 0) {
    printf("lotterytest: shares: FAILED: pipe\n");
    return;
  }
  for (int i = 0; i < NHOGS; i++) {
    total_tickets += tickets[i];
    pids[i] = fork();
    if (pids[i] < 0) {
      printf("lotterytest: shares: FAILED: fork\n");
      exit(1);
    }
    if (pids[i] == 0) {
      close(fds[1]);
      if (settickets(tickets[i]) != 0)
        exit(2);
      // Wait for the start, all together; then burn until the common end.
      if (read(fds[0], &end, sizeof(end)) != sizeof(end))
        exit(3);
      volatile uint64 sink = 0;
      while (now() < end)
        for (int k = 0; k < 1000; k++)
          sink += k;
      exit(0);
    }
  }
  close(fds[0]);
  end = now() + (uint64)SECONDS * TIME_HZ;
  for (int i = 0; i < NHOGS; i++)
    write(fds[1], &end, sizeof(end));
  close(fds[1]);
  for (int n = 0; n < NHOGS; n++) {
    int status;
    uint64 t[2];
    int pid = waitx(&status, t);
    for (int i = 0; i < NHOGS; i++) {
      if (pids[i] == pid) {
        cpu[i] = t[0] + t[1];
        if (status != 0) {
          printf("lotterytest: shares: FAILED: hog %d exited with %d\n", pid, status);
          ok = 0;
        }
      }
    }
  }
  for (int i = 0; i < NHOGS; i++)
    total += cpu[i];
  if (total == 0) {
    printf("lotterytest: shares: FAILED: the hogs did not run\n");
    return;
  }
  for (int i = 0; i < NHOGS; i++) {
    int want = tickets[i] * 100 / total_tickets;
    int got = (int)(cpu[i] * 100 / total);
    printf("lotterytest: hog with %d tickets: %d ms of CPU, %d%% (tickets say %d%%)\n",
           tickets[i], (int)(cpu[i] / 1000), got, want);
    if (got < want - TOLERANCE || got > want + TOLERANCE)
      ok = 0;
  }
  if (ok)
    pass_token("lotterytest: shares: OK");
  else
    printf("lotterytest: shares: FAILED: the CPU shares do not follow the tickets\n");
}

int
main(int argc, char *argv[])
{
  if (argc < 2 || strcmp(argv[1], "args") == 0)
    args();
  if (argc < 2 || strcmp(argv[1], "shares") == 0)
    shares();
  printf("lotterytest: done\n");
  exit(0);
}
