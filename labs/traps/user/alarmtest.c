// alarmtest: checks sigalarm and sigreturn (lab traps).  Each test ends in
// "alarmtest: NAME: OK token=..." or a line saying what failed.
#include "user.h"
#include "common/grade.h"

static volatile int count;

// Give up after this many ticks of waiting (10 ticks a second).
#define PATIENCE 100

static void
periodic(void)
{
  count++;
  sigreturn();
}

// The handler runs at all, again and again.
static void
test0(void)
{
  int start = uptime();

  count = 0;
  sigalarm(2, periodic);
  while (count < 3 && uptime() - start < PATIENCE)
    ;
  sigalarm(0, 0);
  if (count < 3)
    printf("alarmtest: test0: FAILED: the handler ran %d times in %d ticks\n", count, PATIENCE);
  else
    pass_token("alarmtest: test0: OK");
}

// Called in a loop: if the handler's return loses registers, i and j
// disagree afterwards.
static void __attribute__((noinline))
step(int i, int *j)
{
  if ((i % 2500000) == 0)
    write(2, ".", 1);
  *j += 1;
}

static void
test1(void)
{
  int i, j = 0, start = uptime();

  count = 0;
  sigalarm(2, periodic);
  for (i = 0; count < 10 && uptime() - start < PATIENCE; i++)
    step(i, &j);
  sigalarm(0, 0);
  write(2, "\n", 1);
  if (count < 10)
    printf("alarmtest: test1: FAILED: the handler ran %d times, not 10\n", count);
  else if (i != j)
    printf("alarmtest: test1: FAILED: registers changed across the handler (i %d, j %d)\n", i, j);
  else
    pass_token("alarmtest: test1: OK");
}

// The handler is not entered again while it runs.
static void
slow_handler(void)
{
  int start = uptime();

  count++;
  if (count > 1) {
    printf("alarmtest: test2: FAILED: the handler was entered again while it ran\n");
    exit(1);
  }
  while (uptime() - start < 10)     // several alarm periods
    ;
  sigalarm(0, 0);
  sigreturn();
}

static void
test2(void)
{
  int pid, status, start;

  pid = fork();
  if (pid < 0) {
    printf("alarmtest: test2: FAILED: fork\n");
    return;
  }
  if (pid == 0) {
    start = uptime();
    count = 0;
    sigalarm(2, slow_handler);
    while (count == 0 && uptime() - start < PATIENCE)
      ;
    exit(count == 1 ? 0 : 1);
  }
  wait(&status);
  if (status != 0)
    printf("alarmtest: test2: FAILED: the child's handler ran %s\n", status == 1 ? "wrongly" : "never");
  else
    pass_token("alarmtest: test2: OK");
}

// sigalarm(0, 0) stops the alarm.
static void
test3(void)
{
  int start;

  count = 0;
  sigalarm(1, periodic);
  start = uptime();
  while (count == 0 && uptime() - start < PATIENCE)
    ;
  sigalarm(0, 0);
  count = 0;
  start = uptime();
  while (uptime() - start < 5)
    ;
  if (count != 0)
    printf("alarmtest: test3: FAILED: the handler ran %d times after sigalarm(0, 0)\n", count);
  else
    pass_token("alarmtest: test3: OK");
}

int
main(void)
{
  test0();
  test1();
  test2();
  test3();
  printf("alarmtest: done\n");
  exit(0);
}
