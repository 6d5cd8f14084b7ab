// schedbench: the scheduler's figures for `make bench` (tools/bench.py
// boots once per policy and runs this), each printed as   SCHED {json}
//
//   wakeup_mean_us, wakeup_max_us   4 hogs spin; a child writes the time
//       into a pipe and sleeps a tick, 10 times; how late the blocked
//       reader runs after each write
//   edf_misses, edf_admitted        the same 4 hogs beside 3 periodic tasks
//       at 90% utilisation (20, 50, 100 ms periods), each working 85% of its
//       cost for 1 s; under EDF they are admitted and the kernel counts the
//       misses, else each counts its own (a job done after its deadline)
//   jain_milli                      4 equal hogs for 1 s: Jain's fairness
//       index of their work, x1000 (1000 = perfectly fair)
//   switch_roundtrip_centiticks     two processes yield to each other
#include "sched.h"

#define NHOGS 4
#define ROUNDS 10

static int hogs[NHOGS];

static void
die(const char *what)
{
  fprintf(2, "schedbench: %s failed\n", what);
  exit(1);
}

static void
spin(uint64 loops)
{
  volatile uint64 sink = 0;
  for (uint64 i = 0; i < loops; i++)
    sink += i;
}

// Work for `us` microseconds of CPU, however often this process is
// preempted: spin in small chunks timed with rdtime; a chunk that took
// much longer than the fastest one was preempted, and counts as the fastest.
static void
work(uint64 us)
{
  uint64 done = 0, fastest = ~0UL, goal = us * TIME_PER_US;
  while (done < goal) {
    uint64 t0 = now();
    spin(500);
    uint64 dt = now() - t0;
    if (dt < fastest)
      fastest = dt;
    done += dt < 4 * fastest ? dt : fastest;
  }
}

static void
start_hogs(void)
{
  for (int i = 0; i < NHOGS; i++) {
    hogs[i] = fork();
    if (hogs[i] < 0)
      die("fork");
    if (hogs[i] == 0)
      for (;;)
        spin(1000);
  }
}

static void
stop_hogs(void)
{
  for (int i = 0; i < NHOGS; i++)
    kill(hogs[i]);
  for (int i = 0; i < NHOGS; i++)
    wait(0);
}

static void
latency(void)
{
  int fds[2];
  uint64 stamp, late, sum = 0, max = 0;
  int n = 0;

  start_hogs();
  sleep(5);                   // let them settle (under Plan 9: sink)
  if (pipe(fds) < 0)
    die("pipe");
  int pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    close(fds[0]);
    for (int i = 0; i < ROUNDS; i++) {
      sleep(1);
      stamp = now();
      write(fds[1], &stamp, sizeof stamp);
    }
    exit(0);
  }
  close(fds[1]);
  while (read(fds[0], &stamp, sizeof stamp) == sizeof stamp) {
    late = now() - stamp;
    sum += late;
    if (late > max)
      max = late;
    n++;
  }
  close(fds[0]);
  wait(0);
  stop_hogs();
  if (n == 0)
    die("the wakeups");
  printf("SCHED {\"wakeup_mean_us\": %d, \"wakeup_max_us\": %d}\n",
         (int)(sum / n / TIME_PER_US), (int)(max / TIME_PER_US));
}

// One periodic task: `jobs` jobs of 85% of `cost` ms of user time each, one per
// `period` ms.  Under EDF (rtset admits it) it waits for each release with
// rtwait and the kernel counts misses; otherwise it busy-waits for the
// release (yielding) and counts a job finished after its deadline itself.
static void
periodic(int period, int cost, int jobs, int fd)
{
  int misses = 0, admitted = rtset(period * 1000, period * 1000, cost * 1000) == 0;
  uint64 release = now(), per = (uint64)period * (TIME_HZ / 1000);
  for (int j = 0; j < jobs; j++) {
    work((uint64)cost * 850);
    if (admitted) {
      misses = rtwait();
    } else {
      if (now() > release + per)
        misses++;
      release += per;
      while (now() < release)
        yield();
    }
  }
  int result[2] = { misses, admitted };
  write(fd, result, sizeof result);
  exit(0);
}

static void
edf(void)
{
  static const int set[3][2] = { { 20, 6 }, { 50, 15 }, { 100, 30 } };   // 30% each
  int fds[2], result[2], misses = 0, admitted = 0;

  start_hogs();
  if (pipe(fds) < 0)
    die("pipe");
  for (int i = 0; i < 3; i++) {
    int pid = fork();
    if (pid < 0)
      die("fork");
    if (pid == 0) {
      close(fds[0]);
      periodic(set[i][0], set[i][1], 1000 / set[i][0], fds[1]);
    }
  }
  close(fds[1]);
  for (int i = 0; i < 3; i++) {
    if (read(fds[0], result, sizeof result) != sizeof result)
      die("read");
    misses += result[0];
    admitted += result[1];
  }
  close(fds[0]);
  for (int i = 0; i < 3; i++)
    wait(0);
  stop_hogs();
  printf("SCHED {\"edf_misses\": %d, \"edf_admitted\": %d}\n", misses, admitted);
}

static void
fairness(void)
{
  int fds[2];
  uint64 work, sum = 0, squares = 0;

  if (pipe(fds) < 0)
    die("pipe");
  uint64 end = now() + TIME_HZ;
  for (int i = 0; i < NHOGS; i++) {
    int pid = fork();
    if (pid < 0)
      die("fork");
    if (pid == 0) {
      close(fds[0]);
      work = 0;
      while (now() < end) {
        spin(1000);
        work++;
      }
      write(fds[1], &work, sizeof work);
      exit(0);
    }
  }
  close(fds[1]);
  for (int i = 0; i < NHOGS; i++) {
    if (read(fds[0], &work, sizeof work) != sizeof work)
      die("read");
    sum += work;
    squares += work * work;
  }
  close(fds[0]);
  for (int i = 0; i < NHOGS; i++)
    wait(0);
  // Jain's index: (sum x)^2 / (n * sum x^2), times 1000.
  printf("SCHED {\"jain_milli\": %d}\n", (int)(sum * sum * 1000 / (NHOGS * squares)));
}

static void
switch_roundtrip(void)
{
  int pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0)
    for (;;)
      yield();
  for (int i = 0; i < 5; i++)
    yield();
  uint64 t0 = now();
  for (int i = 0; i < 200; i++)
    yield();
  uint64 t = now() - t0;
  kill(pid);
  wait(0);
  printf("SCHED {\"switch_roundtrip_centiticks\": %d}\n", (int)(t * 100 / 200));
}

int
main(void)
{
  switch_roundtrip();
  fairness();
  latency();
  edf();
  exit(0);
}
