// lwptests: every LWP system call, what exit, kill, fork, exec, sbrk
// and a fault do to a process with several LWPs, and its LWPs on several
// harts at once (each hart's trapframe slot).  Each test runs in a
// child process of its own; a test passes if that child exits 0, and
// gives back every page it took.  Prints "test NAME: OK" lines, then
// "lwptests: N passed, M failed" and, if none failed, ALL LWP TESTS PASSED.
//
//   lwptests            all the tests
//   lwptests NAME...    just those
//   lwptests block      every LWP asleep, for ^C
//   lwptests show       leave a process whose LWPs wait in each way (lwp 1
//                       in lwp_wait, 2 parked, 3 suspended, 4 in a pipe
//                       read, 5 running), for the monitor's ps(); kill it
#include "user.h"
#include "thread.h"

#define KSTAT_HEAP_RESET 2

#define NSTACK 8
#define STACK 8192
static char stacks[NSTACK][STACK] __attribute__((aligned(16)));
#define TOP(i) ((void *)(stacks[i] + STACK))

static char *testname;

static void
fail(const char *why, int a, int b)
{
  printf("lwptests: %s: ", testname);
  printf(why, a, b);
  printf("\n");
  exit(1);
}

#define CHECK(cond, why, a, b) do { if (!(cond)) fail(why, a, b); } while (0)

static volatile int shared[16];

// ---- create, self, exit, wait ----

static void
set_self(void *arg)
{
  shared[(long)arg] = lwp_self();
  lwp_exit();
}

static void
create_wait(void)
{
  CHECK(lwp_self() == 1, "the first LWP is %d, not 1", lwp_self(), 0);
  int lid = lwp_create(set_self, (void *)1, TOP(0), 0);
  CHECK(lid > 1, "lwp_create returned %d", lid, 0);
  int departed = 0;
  CHECK(lwp_wait(lid, &departed) == 0, "lwp_wait(%d) failed", lid, 0);
  CHECK(departed == lid, "departed %d, not %d", departed, lid);
  CHECK(shared[1] == lid, "the new LWP's lwp_self was %d, not %d", shared[1], lid);
  CHECK(lwp_wait(lid, 0) == -1, "a second lwp_wait(%d) succeeded", lid, 0);
}

static void
wait_any(void)
{
  int lids[3], seen = 0;
  for (int i = 0; i < 3; i++) {
    lids[i] = lwp_create(set_self, (void *)(long)(2 + i), TOP(i), 0);
    CHECK(lids[i] > 0, "lwp_create %d returned %d", i, lids[i]);
  }
  for (int i = 0; i < 3; i++) {
    int departed = 0;
    CHECK(lwp_wait(0, &departed) == 0, "lwp_wait(0) number %d failed", i, 0);
    for (int j = 0; j < 3; j++)
      if (lids[j] == departed)
        seen |= 1 << j;
  }
  CHECK(seen == 7, "lwp_wait(0) collected the set %d", seen, 0);
  CHECK(lwp_wait(0, 0) == -1, "lwp_wait(0) with no LWP left succeeded", 0, 0);
}

static void
spin_until_flag(void *arg)
{
  while (!shared[0])
    ;
  lwp_exit();
}

static void
wait_errors(void)
{
  CHECK(lwp_wait(lwp_self(), 0) == -1, "lwp_wait(self) succeeded", 0, 0);
  CHECK(lwp_wait(77, 0) == -1, "lwp_wait(unknown) succeeded", 0, 0);
  CHECK(lwp_wait(0, 0) == -1, "lwp_wait(0) with no other LWP succeeded", 0, 0);
  int lid = lwp_create(spin_until_flag, 0, TOP(0), LWP_DETACHED);
  CHECK(lid > 0, "lwp_create(detached) returned %d", lid, 0);
  CHECK(lwp_wait(lid, 0) == -1, "lwp_wait(detached) succeeded", 0, 0);
  shared[0] = 1;
  // Bad arguments to lwp_create.
  CHECK(lwp_create((void *)(USER_TOP - 4096UL), 0, TOP(1), 0) == -1,
        "lwp_create(entry beyond memory) succeeded", 0, 0);
  CHECK(lwp_create(set_self, 0, (void *)(USER_TOP + 4096UL), 0) == -1,
        "lwp_create(stack beyond memory) succeeded", 0, 0);
  CHECK(lwp_create(set_self, 0, TOP(1), 0x1234) == -1, "lwp_create(bad flags) succeeded", 0, 0);
}

// Main waits for B while B waits for main: the second to wait would
// deadlock, and gets -1.
static void
wait_for_main(void *arg)
{
  int departed = 0;
  shared[8] = 1;              // about to wait
  int r = lwp_wait(1, &departed);
  // Main has lwp_exit()ed by now; its deadlock check said shared[3].
  exit(r == 0 && departed == 1 && shared[3] == -1 ? 0 : 1);
}

static void
wait_deadlock(void)
{
  int lid = lwp_create(wait_for_main, 0, TOP(0), 0);
  CHECK(lid > 0, "lwp_create returned %d", lid, 0);
  // Let B reach its lwp_wait: it may run on another hart, later.
  for (int i = 0; !shared[8] && i < 100; i++)
    sleep(1);
  sleep(2);
  shared[3] = lwp_wait(lid, 0);
  lwp_exit();                 // B collects us and exits 0 (or 1)
}

// ---- park and unpark ----

static void
pong(void *arg)
{
  for (int i = 0; i < 200; i++) {
    while (shared[1] == shared[2])
      lwp_park(0);
    shared[2]++;
    lwp_unpark(1);
  }
  lwp_exit();
}

static void
park_unpark(void)
{
  // An unpark before the park: the park returns at once.
  CHECK(lwp_unpark(lwp_self()) == 0, "lwp_unpark(self) failed", 0, 0);
  CHECK(lwp_park(0) == 0, "lwp_park after an unpark failed", 0, 0);
  CHECK(lwp_unpark(99) == -1, "lwp_unpark(unknown) succeeded", 0, 0);
  CHECK(lwp_park(-1) == -1, "lwp_park(-1) succeeded", 0, 0);
  // A timeout.
  int t0 = uptime();
  CHECK(lwp_park(2) == -1, "lwp_park(2 ticks) was not timed out", 0, 0);
  CHECK(uptime() - t0 >= 2, "lwp_park(2 ticks) returned after %d ticks", uptime() - t0, 0);
  // Ping-pong: no lost wakeup across 200 rounds.
  int lid = lwp_create(pong, 0, TOP(0), 0);
  for (int i = 0; i < 200; i++) {
    shared[1]++;
    lwp_unpark(lid);
    while (shared[2] != shared[1])
      lwp_park(0);
  }
  CHECK(lwp_wait(lid, 0) == 0, "lwp_wait(pong) failed", 0, 0);
  CHECK(shared[2] == 200, "pong counted %d rounds", shared[2], 0);
}

// ---- suspend and continue ----

static void
counter(void *arg)
{
  while (!shared[0])
    shared[1]++;
  lwp_exit();
}

static void
self_suspender(void *arg)
{
  shared[5] = 1;
  lwp_suspend(lwp_self());
  shared[6] = 1;              // only after lwp_continue
  lwp_exit();
}

static void
yields(int n)
{
  for (int i = 0; i < n; i++)
    yield();
}

static void
suspend_continue(void)
{
  int lid = lwp_create(counter, 0, TOP(0), 0);
  // It may start on another hart, a little later: wait for it (10 s at most).
  for (int i = 0; shared[1] == 0 && i < 100; i++)
    sleep(1);
  CHECK(shared[1] > 0, "the counter LWP did not run", 0, 0);
  CHECK(lwp_suspend(lid) == 0, "lwp_suspend failed", 0, 0);
  int before = shared[1];
  yields(5);
  sleep(1);
  CHECK(shared[1] == before, "a suspended LWP counted from %d to %d", before, shared[1]);
  // Suspending ourselves with the only other LWP suspended: a deadlock.
  CHECK(lwp_suspend(lwp_self()) == -1, "lwp_suspend(self) with all others suspended", 0, 0);
  CHECK(lwp_continue(lid) == 0, "lwp_continue failed", 0, 0);
  for (int i = 0; shared[1] == before && i < 100; i++)
    sleep(1);
  CHECK(shared[1] != before, "a continued LWP did not run", 0, 0);
  shared[0] = 1;
  CHECK(lwp_wait(lid, 0) == 0, "lwp_wait failed", 0, 0);
  CHECK(lwp_suspend(lid) == -1 && lwp_continue(lid) == -1, "suspend/continue of a gone LWP", 0, 0);
  CHECK(lwp_suspend(50) == -1 && lwp_continue(50) == -1, "suspend/continue of an unknown LWP", 0, 0);

  // An LWP that suspends itself, and one created suspended.
  lid = lwp_create(self_suspender, 0, TOP(1), 0);
  while (!shared[5])
    yield();
  yields(5);
  CHECK(shared[6] == 0, "a self-suspended LWP ran on", 0, 0);
  lwp_continue(lid);
  CHECK(lwp_wait(lid, 0) == 0 && shared[6] == 1, "the self-suspended LWP did not finish", 0, 0);
  shared[0] = 0;
  shared[1] = 0;
  lid = lwp_create(counter, 0, TOP(2), LWP_SUSPENDED);
  yields(5);
  CHECK(shared[1] == 0, "an LWP created suspended ran", 0, 0);
  lwp_continue(lid);
  while (shared[1] == 0)
    yield();
  shared[0] = 1;
  CHECK(lwp_wait(lid, 0) == 0, "lwp_wait failed", 0, 0);
}

// ---- the thread library: tp, mutexes, condition variables, barriers ----

static mutex_t mu = MUTEX_INITIALIZER;
static barrier_t bar;
static int total;

static void *
tls_worker(void *arg)
{
  thread_t *me = thread_self();
  thread_setspecific(0, arg);
  for (int i = 0; i < 50; i++) {
    if (thread_self() != me || thread_getspecific(0) != arg)
      return (void *)1;
    yield();
  }
  return 0;
}

static void *
adder(void *arg)
{
  for (int i = 0; i < 300; i++) {
    mutex_lock(&mu);
    int t = total;
    if (i % 7 == 0)
      yield();                // hold the lock across a switch: contention
    total = t + 1;
    mutex_unlock(&mu);
  }
  barrier_wait(&bar);
  return 0;
}

static void
library(void)
{
  thread_t t[4];
  void *ret;
  for (long i = 0; i < 4; i++)
    CHECK(thread_create(&t[i], tls_worker, (void *)(i + 100)) == 0, "thread_create failed", 0, 0);
  for (int i = 0; i < 4; i++) {
    CHECK(thread_join(&t[i], &ret) == 0, "thread_join failed", 0, 0);
    CHECK(ret == 0, "thread %d saw another's tp or data", i, 0);
  }
  barrier_init(&bar, 5);
  for (int i = 0; i < 4; i++)
    thread_create(&t[i], adder, 0);
  for (int i = 0; i < 300; i++) {
    mutex_lock(&mu);
    total++;
    mutex_unlock(&mu);
  }
  barrier_wait(&bar);
  CHECK(total == 1500, "the counter under the mutex is %d, not 1500", total, 0);
  for (int i = 0; i < 4; i++)
    thread_join(&t[i], 0);
}

// 100 LWPs in one process, all alive at once.
static void *
hundred_worker(void *arg)
{
  barrier_wait(&bar);
  return arg;
}

static void
hundred(void)
{
  static thread_t t[100];
  barrier_init(&bar, 101);
  for (long i = 0; i < 100; i++)
    CHECK(thread_create(&t[i], hundred_worker, (void *)i) == 0, "thread_create %d failed", i, 0);
  barrier_wait(&bar);
  for (int i = 0; i < 100; i++) {
    void *ret;
    CHECK(thread_join(&t[i], &ret) == 0 && ret == (void *)(long)i, "thread %d", i, 0);
  }
}

static void
parker(void *arg)
{
  lwp_park(0);
  lwp_exit();
}

// Creating past MAX_LWPS fails cleanly; exiting the process ends them all.
static void
too_many(void)
{
  int n = 0;
  while (lwp_create(parker, 0, TOP(0), LWP_DETACHED) > 0)
    n++;
  CHECK(n == MAX_LWPS - 1, "%d LWPs made, the limit is %d", n + 1, MAX_LWPS);
  exit(0);                    // with 127 of them parked
}

// ---- the process with several LWPs ----

static int
child_status(void (*body)(void))
{
  int pid = fork();
  if (pid == 0) {
    body();
    exit(0);
  }
  int status = 99;
  CHECK(wait(&status) == pid, "wait", 0, 0);
  return status;
}

static void
reader(void *arg)
{
  char c;
  read((int)(long)arg, &c, 1);    // blocks: nobody writes
  lwp_exit();
}

static int fds[2];

static void
exit_from_lwp_body(void)
{
  lwp_create(counter, 0, TOP(0), 0);           // running in user mode
  lwp_create(reader, (void *)(long)fds[0], TOP(1), 0);   // asleep in read
  lwp_create(parker, 0, TOP(2), 0);            // parked
  int s = lwp_create(counter, 0, TOP(3), 0);
  lwp_suspend(s);                              // suspended
  yields(4);
  exit(7);
}

static void
exit_from_other(void *arg)
{
  yields(2);
  exit(8);
}

static void
exit_from_lwp2_body(void)
{
  lwp_create(exit_from_other, 0, TOP(0), 0);
  lwp_create(counter, 0, TOP(1), 0);
  for (;;)
    lwp_park(0);
}

static void
exit_all(void)
{
  pipe(fds);
  CHECK(child_status(exit_from_lwp_body) == 7, "exit(7) from lwp 1: status", 0, 0);
  CHECK(child_status(exit_from_lwp2_body) == 8, "exit(8) from lwp 2: status", 0, 0);
  close(fds[0]);
  close(fds[1]);
}

// Exit while the other LWPs are inside file system calls: each finishes
// its call (or leaves its sleep) before the process ends, so no block,
// inode or open file is left behind.
static char fs_buf[3000];

static void
fs_writer(void *arg)
{
  char name[8] = "lwpf0";
  name[4] = '0' + (int)(long)arg;
  for (;;) {
    int fd = open(name, O_CREATE | O_RDWR);
    for (int i = 0; i < 4; i++)
      write(fd, fs_buf, sizeof fs_buf);
    close(fd);
    unlink(name);
  }
}

static void
exit_fs_body(void)
{
  for (long i = 0; i < 3; i++)
    lwp_create(fs_writer, (void *)i, TOP(i), 0);
  sleep(2);
  exit(3);
}

static void
exit_fs(void)
{
  int blocks = freeblocks(), inodes = freeinodes();
  CHECK(child_status(exit_fs_body) == 3, "exit(3) beside file writers: status", 0, 0);
  unlink("lwpf0"); unlink("lwpf1"); unlink("lwpf2");
  CHECK(freeblocks() == blocks, "free blocks went from %d to %d", blocks, freeblocks());
  CHECK(freeinodes() == inodes, "free inodes went from %d to %d", inodes, freeinodes());
}

static void
kill_all(void)
{
  int p[2];
  pipe(p);
  pipe(fds);
  int pid = fork();
  if (pid == 0) {
    lwp_create(counter, 0, TOP(0), 0);
    lwp_create(reader, (void *)(long)fds[0], TOP(1), 0);
    lwp_create(parker, 0, TOP(2), 0);
    int s = lwp_create(counter, 0, TOP(3), 0);
    lwp_suspend(s);
    write(p[1], "x", 1);
    for (;;)
      ;
  }
  char c;
  read(p[0], &c, 1);
  CHECK(kill(pid) == 0, "kill failed", 0, 0);
  int status = 0;
  CHECK(wait(&status) == pid && status == -1, "the killed process's status is %d", status, 0);
  close(p[0]); close(p[1]); close(fds[0]); close(fds[1]);
}

static void
last_out_body(void)
{
  lwp_create(counter, 0, TOP(0), 0);
  int lid = lwp_create(set_self, (void *)2, TOP(1), 0);
  lwp_wait(lid, 0);
  shared[0] = 1;              // the counter lwp_exit()s too
  lwp_exit();                 // the last one out ends the process: status 0
}

static void
last_exit(void)
{
  CHECK(child_status(last_out_body) == 0, "the last lwp_exit: status not 0", 0, 0);
}

static void
forker(void *arg)
{
  int pid = fork();
  if (pid == 0) {
    // Only the calling LWP was copied: it is alone here.
    if (lwp_wait(0, 0) != -1 || lwp_self() != 1)
      exit(1);
    exit(42);
  }
  int status = 0;
  wait(&status);
  shared[7] = status;
  shared[0] = 1;
  lwp_exit();
}

static void
fork_lwp(void)
{
  lwp_create(counter, 0, TOP(0), 0);
  int lid = lwp_create(forker, 0, TOP(1), 0);
  CHECK(lwp_wait(lid, 0) == 0, "lwp_wait(forker)", 0, 0);
  CHECK(shared[7] == 42, "the forked child's status is %d", shared[7], 0);
}

static void
execer(void *arg)
{
  char *argv[] = { "exit0", 0 };
  exec("exit0", argv);
  exit(3);
}

static void
exec_body(void)
{
  lwp_create(counter, 0, TOP(0), 0);
  lwp_create(parker, 0, TOP(1), 0);
  lwp_create(reader, (void *)(long)fds[0], TOP(2), 0);
  lwp_create(execer, 0, TOP(3), 0);
  for (;;)
    lwp_park(0);
}

// An exec that fails has still ended the other LWPs: the caller goes on
// as the process's only LWP (lid 1), and can make new ones.
static void
failed_execer(void *arg)
{
  char *argv[] = { "no-such-program", 0 };
  int r = exec("no-such-program", argv);
  if (r != -1 || lwp_self() != 1 || lwp_wait(0, 0) != -1)
    exit(5);
  int lid = lwp_create(set_self, (void *)9, TOP(5), 0);
  if (lid < 0 || lwp_wait(lid, 0) != 0 || shared[9] != lid)
    exit(6);
  exit(11);
}

static void
failed_exec_body(void)
{
  lwp_create(counter, 0, TOP(0), 0);
  lwp_create(parker, 0, TOP(1), 0);
  lwp_create(failed_execer, 0, TOP(2), 0);
  for (;;)
    lwp_park(0);
}

static void
exec_lwp(void)
{
  pipe(fds);
  CHECK(child_status(exec_body) == 0, "exec from an LWP: status not exit0's", 0, 0);
  close(fds[0]); close(fds[1]);
  int st = child_status(failed_exec_body);
  CHECK(st == 11, "a failed exec from an LWP: status %d, not 11", st, 0);
}

static char *brks[2][50];

static void
grower(void *arg)
{
  long who = (long)arg;
  for (int i = 0; i < 50; i++) {
    brks[who][i] = sbrk(4096);
    if (i % 5 == 0)
      yield();
  }
  lwp_exit();
}

static void
sbrk_two(void)
{
  char *start = sbrk(0);
  int a = lwp_create(grower, (void *)0, TOP(0), 0);
  int b = lwp_create(grower, (void *)1, TOP(1), 0);
  lwp_wait(a, 0);
  lwp_wait(b, 0);
  CHECK(sbrk(0) == start + 100 * 4096, "the break moved by %d, not %d", sbrk(0) - start, 100 * 4096);
  // Every page handed out once, and each writable.
  for (int w = 0; w < 2; w++)
    for (int i = 0; i < 50; i++) {
      char *x = brks[w][i];
      CHECK(x >= start && x < start + 100 * 4096 && (x - start) % 4096 == 0, "sbrk gave %d", x - start, 0);
      for (int v = 0; v < 2; v++)
        for (int j = 0; j < 50; j++)
          CHECK((v == w && j == i) || brks[v][j] != x, "two sbrks returned %d", x - start, 0);
      *x = 1;
    }
  sbrk(-100 * 4096);
}

static void
faulter(void *arg)
{
  yields(2);
  *(volatile int *)(USER_TOP - 8) = 1;     // nothing is mapped there
  lwp_exit();
}

static void
fault_body(void)
{
  lwp_create(counter, 0, TOP(0), 0);
  lwp_create(faulter, 0, TOP(1), 0);
  for (;;)
    lwp_park(0);
}

static void
fault_lwp(void)
{
  CHECK(child_status(fault_body) == -1, "a fault in lwp 3: status not -1", 0, 0);
}

// The running hart's trapframe slot (abi.h's layout: hart 0's just below
// the trampoline) maps the running LWP's own trapframe.  User code must not
// see it: through the kernel it is -1, directly a fault that ends the
// process (status -1), with another LWP running between the two.
static void
slot_peeker(void *arg)
{
  yields(2);
  char *slot = (char *)(MAXVA - 2 * PGSIZE - (uint64)hartid() * PGSIZE);
  if (write(1, slot, 8) != -1)
    exit(2);
  yields(2);
  shared[2] = *(volatile char *)slot;
  exit(3);
}

static void
slot_body(void)
{
  lwp_create(counter, 0, TOP(0), 0);
  lwp_create(slot_peeker, 0, TOP(1), 0);
  for (;;)
    lwp_park(0);
}

static void
slot_lwp(void)
{
  int status = child_status(slot_body);
  CHECK(status == -1, "a read of the trapframe slot: status %d, not -1", status, 0);
}

// ---- several harts ----

#define HART_LWPS 4
#define HART_ROUNDS 128            // a system call per round
#define HART_STEPS 4096            // register-only steps per round

static volatile uint64 hart_sums[HART_LWPS];
static volatile int hart_seen;     // a bit per hart an LWP ran on

// Arithmetic that lives in registers, with a system call (a trap through
// the running hart's trapframe slot) every round and timer interrupts in
// between: a trap that saved or restored another LWP's trapframe would
// change the result.
static uint64
churn(uint64 seed, int syscalls)
{
  uint64 a = seed, b = seed ^ 0x9e3779b97f4a7c15ULL, c = seed * 3, d = seed + 7;
  for (int r = 0; r < HART_ROUNDS; r++) {
    for (int i = 0; i < HART_STEPS; i++) {
      a = a * 6364136223846793005ULL + b;
      b ^= a >> 17;
      c += b * 31 + d;
      d = (d << 5) ^ c;
    }
    if (syscalls)
      __sync_fetch_and_or(&hart_seen, 1 << hartid());
  }
  return a ^ b ^ c ^ d;
}

static void
hart_worker(void *arg)
{
  long i = (long)arg;
  hart_sums[i] = churn(i + 1, 1);
  lwp_exit();
}

// LWPs of one process in user mode at once, on as many harts as there are:
// each gets the result it would get alone.  Says how many harts they used.
static void
harts(void)
{
  uint64 want[HART_LWPS];
  int lids[HART_LWPS];
  for (int i = 0; i < HART_LWPS; i++)
    want[i] = churn(i + 1, 0);
  for (int i = 0; i < HART_LWPS; i++) {
    lids[i] = lwp_create(hart_worker, (void *)(long)i, TOP(i), 0);
    CHECK(lids[i] > 0, "lwp_create %d returned %d", i, lids[i]);
  }
  for (int i = 0; i < HART_LWPS; i++)
    CHECK(lwp_wait(lids[i], 0) == 0, "lwp_wait(%d) failed", lids[i], 0);
  for (int i = 0; i < HART_LWPS; i++)
    CHECK(hart_sums[i] == want[i], "worker %d got a wrong result (harts 0x%x)", i, hart_seen);
  int used = 0;
  for (int h = 0; h < 32; h++)
    used += (hart_seen >> h) & 1;
  printf("lwptests: harts: %d LWPs ran on %d of %d harts\n", HART_LWPS, used, nharts());
}

static void
too_many_lwps(void)
{
  CHECK(child_status(too_many) == 0, "MAX_LWPS", 0, 0);
}

// Make the 1st, 2nd, ... heap or page allocation of lwp_create fail:
// each time it returns -1 with nothing left behind (or succeeds once the
// failure came too late), and the process carries on.
static void
nomem(void)
{
  for (int kind = 1; kind <= 2; kind++) {
    int n;
    for (n = 1; n < 40; n++) {
      CHECK(failnext(kind, n) == 0, "failnext(%d, %d)", kind, n);
      int lid = lwp_create(set_self, (void *)1, TOP(0), 0);
      int fired = failnext(0, 0);
      if (lid > 0) {
        // A failure armed past lwp_create's last allocation is still armed
        // and may make this lwp_wait fail instead: then the next one works.
        int tries = 0;
        while (lwp_wait(lid, 0) < 0)
          CHECK(++tries < 2, "lwp_wait after failure %d of kind %d", n, kind);
      } else
        CHECK(fired, "lwp_create failed with no failure injected (n %d)", n, 0);
      if (!fired)
        break;
    }
    CHECK(n > 1 && n < 40, "kind %d: %d allocations", kind, n);
    // The last failure armed came too late and is still armed (for this
    // thread's next calls, and for its handle once this process is gone):
    // arm one that the first allocation of an lwp_create takes.
    failnext(kind, 1);
    int lid = lwp_create(set_self, 0, TOP(0), 0);
    CHECK(failnext(0, 0) == 1, "kind %d: the first allocation did not fail", kind, 0);
    if (lid > 0)
      lwp_wait(lid, 0);
  }
}

struct test {
  void (*fn)(void);
  char *name;
} tests[] = {
  { create_wait, "create_wait" },
  { wait_any, "wait_any" },
  { wait_errors, "wait_errors" },
  { wait_deadlock, "wait_deadlock" },
  { park_unpark, "park_unpark" },
  { suspend_continue, "suspend_continue" },
  { library, "library" },
  { hundred, "hundred" },
  { too_many_lwps, "too_many" },
  { exit_all, "exit_all" },
  { exit_fs, "exit_fs" },
  { kill_all, "kill_all" },
  { last_exit, "last_exit" },
  { fork_lwp, "fork" },
  { exec_lwp, "exec" },
  { sbrk_two, "sbrk" },
  { fault_lwp, "fault" },
  { slot_lwp, "slot" },
  { harts, "harts" },
  { nomem, "nomem" },
  { 0, 0 },
};

static int
run(struct test *t)
{
  int before = freepages();
  int pid = fork();
  if (pid == 0) {
    testname = t->name;
    t->fn();
    exit(0);
  }
  int status = -2;
  wait(&status);
  int after = freepages();
  if (status == 0 && after != before) {
    printf("lwptests: %s: free pages went from %d to %d\n", t->name, before, after);
    status = 1;
  }
  printf("test %s: %s\n", t->name, status == 0 ? "OK" : "FAILED");
  return status == 0;
}

static void
show(void)
{
  testname = "show";
  pipe(fds);
  lwp_create(parker, 0, TOP(0), 0);
  int s = lwp_create(counter, 0, TOP(1), 0);
  lwp_create(reader, (void *)(long)fds[0], TOP(2), 0);
  lwp_create(counter, 0, TOP(3), 0);
  lwp_suspend(s);
  yields(4);
  printf("lwptests: showing pid %d\n", getpid());
  lwp_wait(2, 0);
  exit(1);
}

// lwptests block: every LWP asleep (lwp 1 in lwp_wait, lwp 2 parked),
// for ^C: the note must still reach the process.
static void
block(void)
{
  int lid = lwp_create(parker, 0, TOP(0), 0);
  printf("lwptests: blocking\n");
  lwp_wait(lid, 0);
  printf("lwptests: lwp_wait returned\n");
  exit(1);
}

int
main(int argc, char *argv[])
{
  int passed = 0, failed = 0;
  if (argc == 2 && strcmp(argv[1], "block") == 0)
    block();
  if (argc == 2 && strcmp(argv[1], "show") == 0)
    show();
  int heap = kstat(KSTAT_HEAP_RESET);
  for (struct test *t = tests; t->fn; t++) {
    int wanted = argc == 1;
    for (int i = 1; i < argc; i++)
      if (strcmp(argv[i], t->name) == 0)
        wanted = 1;
    if (!wanted)
      continue;
    if (run(t))
      passed++;
    else
      failed++;
  }
  // The kernel's heap after a collection: what the LWPs had is gone.
  int heap_after = kstat(KSTAT_HEAP_RESET);
  printf("lwptests: kernel heap live %d bytes before, %d after\n", heap, heap_after);
  printf("lwptests: %d passed, %d failed\n", passed, failed);
  if (failed == 0)
    printf("ALL LWP TESTS PASSED\n");
  exit(failed ? 1 : 0);
}
