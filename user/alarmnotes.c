// alarmnotes: the xv6 traps lab's sigalarm(n, fn), as a few lines of user
// code on notes and alarm(), and a computation it interrupts.
#include "user.h"

// sig_alarm(n, fn): call fn every n ticks (0: stop).  The kernel's alarm()
// is one-shot, so the note handler sets the next one; noted(NCONT) is
// xv6's sigreturn.  (Unlike xv6's, the ticks are the clock's, not the
// process's own CPU time.)
static int alarm_ticks;
static void (*alarm_fn)(void);

static void
on_note(void *ureg, char *note)
{
  if (strcmp(note, "alarm") != 0)
    noted(NDFLT);                 // any other note: what it would do anyway
  alarm_fn();
  alarm(alarm_ticks);
  noted(NCONT);
}

static int
sig_alarm(int ticks, void (*fn)(void))
{
  alarm_ticks = ticks;
  alarm_fn = fn;
  notify(ticks > 0 ? on_note : 0);
  alarm(ticks);
  return 0;
}

// ---- the demonstration ----

#define NALARMS 5

static volatile int alarms;

static void
periodic(void)
{
  alarms++;
  printf("alarm %d\n", alarms);
}

int
main(void)
{
  uint64 i = 0, sum = 0, check = 0;

  sig_alarm(2, periodic);
  while (alarms < NALARMS) {      // busy: the alarms interrupt user code
    sum += i * i;
    i++;
  }
  sig_alarm(0, 0);
  for (uint64 k = 0; k < i; k++)  // the same sum, uninterrupted
    check += k * k;
  if (sum != check) {
    printf("alarmnotes: the interrupted sum is wrong: FAILED\n");
    exit(1);
  }
  printf("alarmnotes: %d alarms, PASSED\n", NALARMS);
  exit(0);
}
