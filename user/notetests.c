// notetests: notes, alarm and process groups, each checked; then that a
// second round leaks no pages, and no kernel heap but a few bytes.
#include "user.h"
#include "sched.h"

// Usage:  notetests          every test; "notetests: PASSED" at the end
//         notetests catch    catch ^C: print "caught interrupt", exit 0
//         notetests hold     a handler that sleeps 10 s: later notes queue up
//
// A process told a note while it blocks must be blocked when it gets it:
// the parent waits until procinfo says the child sleeps, then posts.

#define NROUNDS 2
#define KSTAT_HEAP_RESET 2   // kstat(): collect, then the live heap's bytes (kernel/debug/faults.py)

static volatile int count;          // notes handled
static char last[ERRMAX];           // the last one's text
static char order[16];              // the texts' first letters, in order
static volatile uint64 lastpc;      // the interrupted pc the handler saw

static void
fail(const char *what)
{
  printf("notetests: %s: FAILED\n", what);
  exit(1);
}

// The usual handler: remember the note, carry on where it interrupted.
static void
record(void *ureg, char *note)
{
  struct ureg *u = ureg;
  int n = strlen(order);

  strcpy(last, note);
  if (n + 1 < sizeof(order)) {
    order[n] = note[0];
    order[n + 1] = 0;
  }
  lastpc = u->regs[0];
  count++;
  noted(NCONT);
}

static void
exit7(void *ureg, char *note)
{
  exit(7);
}

static void
take_default(void *ureg, char *note)
{
  noted(NDFLT);
  exit(3);                          // not reached
}

static void
reset(void (*handler)(void*, char*))
{
  count = 0;
  last[0] = 0;
  order[0] = 0;
  lastpc = 0;
  notify(handler);
}

// Wait until pid sleeps in the kernel: it has reached the call it blocks in.
static void
await_sleeping(int pid)
{
  struct procinfo info;

  for (;;) {
    if (procinfo(pid - 1, &info) != pid)
      fail("await_sleeping: the child is gone");
    if (strcmp(info.state, "sleeping") == 0)
      return;
    yield();
  }
}

static int
status_of(int pid)
{
  int st;

  if (wait(&st) != pid)
    fail("wait");
  return st;
}

// A note to oneself is handled on the way back from postnote, whose
// result (a0) the handler's return must not disturb.
static void
test_self(void)
{
  int r;

  reset(record);
  r = postnote(getpid(), "hello");
  if (r != 0 || count != 1 || strcmp(last, "hello") != 0 || lastpc == 0)
    fail("a note to oneself");
  if (noted(NCONT) != -1)
    fail("noted outside a handler");
}

// Notes that come while the handler runs wait, and follow in order.
static void
queue_handler(void *ureg, char *note)
{
  if (count == 0 && (postnote(getpid(), "b") < 0 || postnote(getpid(), "c") < 0 ||
                     postnote(getpid(), "d") < 0))
    fail("postnote from a handler");
  if (noted(5) != -1)
    fail("noted(5)");
  record(ureg, note);
}

static void
test_queue(void)
{
  reset(queue_handler);
  if (postnote(getpid(), "a") != 0 || count != 4 || strcmp(order, "abcd") != 0)
    fail("notes queued while the handler runs");
}

// One note more than the queue holds kills the process.
static void
overflow_handler(void *ureg, char *note)
{
  int i;

  for (i = 0; i < NNOTE; i++)
    postnote(getpid(), "more");
  exit(2);                          // not reached: the last one killed it
}

static void
test_overflow(void)
{
  int pid = fork();

  if (pid == 0) {
    reset(overflow_handler);
    postnote(getpid(), "first");
    exit(1);
  }
  if (status_of(pid) != -1)
    fail("a full note queue kills");
}

// The registers of code a note interrupts are as they were: a computation
// interrupted by alarms comes out as one that was not.
static void
rearm(void *ureg, char *note)
{
  count++;
  alarm(1);
  noted(NCONT);
}

static void
test_registers(void)
{
  uint64 x = 1, y = 2, x2 = 1, y2 = 2, k, n = 0;

  reset(rearm);
  alarm(1);
  while (count < 3) {
    x = x * 6364136223846793005UL + 1442695040888963407UL;
    y ^= x + (y << 7);
    n++;
  }
  alarm(0);
  for (k = 0; k < n; k++) {
    x2 = x2 * 6364136223846793005UL + 1442695040888963407UL;
    y2 ^= x2 + (y2 << 7);
  }
  if (x != x2 || y != y2)
    fail("registers across notes");
}

// What each kind of blocking call does when a note comes: -1, at once.
enum { SLEEP, PIPE_READ, PIPE_WRITE, WAIT, CONSOLE };
static char *blocking_names[] = { "sleep", "pipe read", "pipe write", "wait", "console read" };

static int
block(int kind, int *p)
{
  static char buf[1024];
  int pid, r;

  switch (kind) {
  case SLEEP:
    return sleep(100);
  case PIPE_READ:
    return read(p[0], buf, 1);
  case PIPE_WRITE:
    return write(p[1], buf, sizeof(buf));   // more than the pipe holds
  case WAIT:
    pid = fork();
    if (pid == 0) {
      sleep(100);
      exit(0);
    }
    r = wait(0);
    kill(pid);
    wait(0);
    return r;
  default:
    return read(0, buf, 1);
  }
}

static void
test_interrupted(int kind)
{
  int p[2], pid, r;

  if (pipe(p) < 0)
    fail("pipe");
  pid = fork();
  if (pid == 0) {
    reset(record);
    r = block(kind, p);
    exit(r == -1 && count == 1 && strcmp(last, "wake up") == 0 ? 0 : 1);
  }
  await_sleeping(pid);
  if (postnote(pid, "wake up") != 0)
    fail("postnote");
  if (status_of(pid) != 0)
    fail(blocking_names[kind]);
  close(p[0]);
  close(p[1]);
}

// kill() is not a note: no handler sees it.
static void
test_kill(void)
{
  int pid = fork();

  if (pid == 0) {
    notify(exit7);
    sleep(100);
    exit(1);
  }
  await_sleeping(pid);
  kill(pid);
  if (status_of(pid) != -1)
    fail("kill is not caught");
}

// Without a handler, or with noted(NDFLT), the process dies, saying the
// note's text (tests/qemu/test_notes.py sees the console).
static void
test_default(void (*handler)(void*, char*), char *text)
{
  int pid = fork();

  if (pid == 0) {
    notify(handler);
    sleep(100);
    exit(1);
  }
  await_sleeping(pid);
  if (postnote(pid, text) != 0 || status_of(pid) != -1)
    fail(text);
}

// A child keeps its parent's handler; a new program does not.
static void
test_fork_exec(void)
{
  static char *argv[] = { "sleep", "100", 0 };
  int pid;

  reset(record);
  pid = fork();
  if (pid == 0) {
    postnote(getpid(), "inherited");
    exit(count == 1 && strcmp(last, "inherited") == 0 ? 0 : 1);
  }
  if (status_of(pid) != 0)
    fail("a child keeps the handler");
  pid = fork();
  if (pid == 0) {
    exec("/sleep", argv);
    exit(1);
  }
  await_sleeping(pid);
  if (postnote(pid, "notetests: exec drops the handler") != 0 || status_of(pid) != -1)
    fail("exec drops the handler");
}

// alarm(n): "alarm" n ticks from now, once; alarm(0) cancels it.
static void
test_alarm(void)
{
  int left;

  reset(record);
  if (alarm(2) != 0)
    fail("alarm(2)");
  if (sleep(20) != -1 || count != 1 || strcmp(last, "alarm") != 0)
    fail("the alarm interrupts sleep");
  alarm(5);
  left = alarm(0);
  if (left < 4 || left > 5)
    fail("alarm(0) says what was left");
  if (sleep(7) != 0 || count != 1)
    fail("a cancelled alarm stays quiet");
}

// Bad arguments get -1.
static void
test_errors(void)
{
  static char longnote[ERRMAX + 10];

  memset(longnote, 'x', sizeof(longnote) - 1);
  if (postnote(99999, "x") != -1 || postnote(1, "x") != -1 ||
      postnote(getpid(), longnote) != -1 || postnote(getpid(), (char*)0x3fffffe000UL) != -1 ||
      postnote(-99999, "x") != -1)
    fail("postnote's bad arguments");
  if (setpgrp(1, 0) != -1 || setpgrp(0, -2) != -1 || setfg(-1) != -1)
    fail("setpgrp/setfg's bad arguments");
}

// postnote(-group, ...) reaches each process of the group.
static void
test_group(void)
{
  int a, b, i, st, mine = setpgrp(0, -1);

  a = fork();
  if (a == 0) {
    notify(exit7);
    sleep(100);
    exit(1);
  }
  b = fork();
  if (b == 0) {
    notify(exit7);
    sleep(100);
    exit(1);
  }
  if (setpgrp(a, 0) != a || setpgrp(b, a) != a || setpgrp(0, -1) != mine)
    fail("setpgrp");
  await_sleeping(a);
  await_sleeping(b);
  if (postnote(-a, "group") != 0)
    fail("postnote to a group");
  for (i = 0; i < 2; i++)
    if (wait(&st) < 0 || st != 7)
      fail("every process of the group");
}

static void
one_round(void)
{
  struct stat st;
  int kind;

  test_self();
  test_queue();
  test_overflow();
  test_registers();
  for (kind = SLEEP; kind <= CONSOLE; kind++)
    if (kind != CONSOLE || (fstat(0, &st) == 0 && st.type == T_DEVICE))
      test_interrupted(kind);
  test_kill();
  test_default(0, "notetests: default action");
  test_default(take_default, "notetests: noted(NDFLT)");
  test_fork_exec();
  test_alarm();
  test_errors();
  test_group();
  notify(0);
}

static volatile int caught;

// notetests hold: a handler that takes its time, so that notes posted
// meanwhile wait in the queue (the monitor's ps() lists them).
static void
hold_note(void *ureg, char *note)
{
  sleep(1000);
  noted(NCONT);
}

static void
catch_interrupt(void *ureg, char *note)
{
  if (strcmp(note, "interrupt") == 0)
    caught = 1;
  noted(NCONT);
}

int
main(int argc, char *argv[])
{
  int i, heap = 0, pages = 0;

  if (argc == 2 && strcmp(argv[1], "hold") == 0) {
    notify(hold_note);
    printf("notetests: holding notes\n");
    for (;;)
      sleep(100);
  }
  if (argc == 2 && strcmp(argv[1], "catch") == 0) {
    notify(catch_interrupt);
    printf("notetests: waiting for ^C\n");
    while (!caught)
      sleep(100);
    printf("notetests: caught interrupt\n");
    exit(0);
  }
  // The first round warms up what the kernel keeps (a table grown once);
  // the second must give back every page, and the heap to a few bytes.
  for (i = 0; i < NROUNDS; i++) {
    if (i == NROUNDS - 1) {
      heap = kstat(KSTAT_HEAP_RESET);
      pages = freepages();
    }
    one_round();
  }
  if (freepages() != pages)
    fail("pages leaked");
  // A table that grew, or was rehashed after many deletions, may keep a
  // few bytes more; a leak per process (a Proc, its notes) would be
  // hundreds of bytes for each of the round's twenty processes.
  heap = kstat(KSTAT_HEAP_RESET) - heap;
  printf("notetests: leak check: the kernel heap grew %d bytes in a round\n", heap);
  if (heap >= 1024)
    fail("kernel heap leaked");
  printf("notetests: PASSED\n");
  exit(0);
}
