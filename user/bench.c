// bench: time system calls and process operations with rdtime; prints BENCH lines.
#include "user.h"

// Each figure is one line   BENCH {"NAME_centiticks": X}   where X is the
// loop's elapsed `time` ticks * 100 / iterations.  tools/bench.py turns it
// into guest instructions (under -icount shift=0 one tick is 100
// instructions, so centiticks are instructions).  Every loop runs a few
// untimed warm-up rounds first, so one-time costs (first touch of a page,
// first call of a kernel function) are not charged to the figure.

#define N      200      // iterations for the cheap operations
#define NPROC  50       // ... and for those that make processes
#define WARMUP 5

static char *exit0_argv[] = { "exit0", 0 };

static uint64
rdtime(void)
{
  uint64 t;
  asm volatile("rdtime %0" : "=r"(t));
  return t;
}

static void
report(const char *name, uint64 ticks, int n)
{
  printf("BENCH {\"%s_centiticks\": %lu}\n", name, ticks * 100 / n);
}

static void
die(const char *what)
{
  fprintf(2, "bench: %s failed\n", what);
  exit(1);
}

static void
op_getpid(void)
{
  getpid();
}

static void
op_sleep0(void)
{
  sleep(0);
}

static void
op_sbrk_pair(void)
{
  if (sbrk(4096) == (char*)-1 || sbrk(-4096) == (char*)-1)
    die("sbrk");
}

static void
op_fork_exit_wait(void)
{
  int pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0)
    exit(0);
  if (wait(0) != pid)
    die("wait");
}

static void
op_fork_exec_wait(void)
{
  int st, pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    exec("exit0", exit0_argv);
    die("exec exit0");
  }
  if (wait(&st) != pid || st != 0)
    die("fork+exec+wait");
}

// Run op WARMUP times, then time n runs of it.
static void
measure(const char *name, void (*op)(void), int n)
{
  uint64 t0, t1;
  int i;

  for (i = 0; i < WARMUP; i++)
    op();
  t0 = rdtime();
  for (i = 0; i < n; i++)
    op();
  t1 = rdtime();
  report(name, t1 - t0, n);
}

// Two processes take turns: each yield in the parent lets the child run
// until its own yield hands the CPU back.  So one parent iteration is a
// round trip -- two switches and two yield calls.
static void
switch_roundtrip(void)
{
  uint64 t0, t1;
  int pid, i;

  pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    for (;;)
      yield();
  }
  for (i = 0; i < WARMUP; i++)
    yield();
  t0 = rdtime();
  for (i = 0; i < N; i++)
    yield();
  t1 = rdtime();
  kill(pid);
  if (wait(0) != pid)
    die("wait");
  report("switch_roundtrip", t1 - t0, N);
}

int
main(void)
{
  measure("getpid", op_getpid, N);
  measure("sleep0", op_sleep0, N);
  measure("fork_exit_wait", op_fork_exit_wait, NPROC);
  measure("sbrk_pair", op_sbrk_pair, N);
  measure("fork_exec_wait", op_fork_exec_wait, NPROC);
  switch_roundtrip();
  exit(0);
}
