// usertests: the user-space test suite: processes, memory, files, pipes and bad arguments.
#include "user.h"

// Every test runs in a child process of its own, so a test that crashes or
// gets killed fails alone.  It passes if it exits with status 0 and then
// every physical page, disk block and inode it used is free again and it
// left no file in the scratch directory; the parent prints
//
//   test NAME: OK          or          test NAME: FAILED
//
// and at the very end, after the same check for the whole run (itself
// counted as a test, "leaks"),
//
//   usertests: N passed, M failed                  (or, if some were skipped,)
//   usertests: N passed, M failed, K skipped
//
// and exits with status 0 only if none failed.  A failing test says why on
// a line of its own (usertests: NAME: ...) before its FAILED line.  A
// watchdog process kills a test that runs longer than TIMEOUT ticks (or its
// own timeout).
//
// The file tests run in a scratch directory, utmp, made in the current
// directory and removed at the end.  If it cannot be made (a kernel without
// a file system) each of them prints "test NAME: SKIPPED" instead.  A slow
// test (outofblocks, which fills the disk) runs only when named, or with -a.
// Free blocks and inodes come from Pyrite's freeblocks() and freeinodes()
// calls; where they return -1 those checks are left out.
//
// Usage:  usertests [-q]        run every test but the slow ones
//         usertests -a          run every test
//         usertests NAME...     run only these
//
// Nearly all big arrays are static: a process has one page of stack.

#define TIMEOUT  1000           // ticks (100 s) before the watchdog strikes

// Addresses a user program must not be able to touch (docs/abi.md's layout;
// PGSIZE, MAXVA, USER_TOP and NCPU come from abi.h).
#define TRAMPOLINE  (MAXVA - PGSIZE)             // kernel's trap code page
#define TRAPFRAME   (MAXVA - 2 * PGSIZE)         // hart 0's trapframe slot: saved user registers
#define SLOT(hart)  (TRAPFRAME - (hart) * PGSIZE)  // hart h's; SLOT(NCPU - 1) is USER_TOP
#define KERNBASE    0x80000000ULL                // the kernel's RAM
#define UNMAPPED    0x3000000000ULL              // in range, never mapped
#define BEYOND      0x3fffffff000ULL             // above MAXVA

static const char *testname;    // the test running, for fail messages
static int mainpid;             // usertests' own pid

#define fail(...) do { \
    printf("usertests: %s: ", testname); \
    printf(__VA_ARGS__); \
    printf("\n"); \
    exit(1); \
  } while (0)

// ---- helpers ----

// The page below the stack page, which exec leaves inaccessible.
static uint64
guard_page(void)
{
  volatile int here;
  return (((uint64)&here) & ~(uint64)(PGSIZE - 1)) - PGSIZE;
}

// Trap into the kernel with any number in a7, bypassing the stubs.
static long
rawsyscall(long num, long arg)
{
  register long a0 asm("a0") = arg;
  register long a7 asm("a7") = num;
  asm volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
  return a0;
}

// Fork a child that runs fn; return its exit status.
static int
status_of(void (*fn)(void))
{
  int pid, st = 12345;

  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    fn();
    exit(0);
  }
  if (wait(&st) != pid)
    fail("wait did not return the child");
  return st;
}

// fn must be killed by the kernel (status -1), not return.
static void
expect_fault(void (*fn)(void), const char *what)
{
  int st = status_of(fn);
  if (st != -1)
    fail("%s: status %d, expected -1 (killed by the fault)", what, st);
}

// A child that waits, sleeping, until it is killed.  If its parent dies
// first (a failed test) it notices it has been reparented and exits, so a
// failed test does not leave sleepers behind forever.
static void
park(int parent)
{
  while (getppid() == parent)
    sleep(10);
  exit(0);
}

// Wait until free pages are back to at least `want` (the kernel may free a
// dead process's memory a little later); return the final count.
static int
pages_back(int want, int ticks)
{
  int n = freepages();
  while (n < want && ticks-- > 0) {
    sleep(1);
    n = freepages();
  }
  return n;
}

static char*
append(char *dst, const char *s)
{
  while (*s)
    *dst++ = *s++;
  *dst = 0;
  return dst;
}

static char*
append_int(char *dst, int n)
{
  char tmp[12];
  int i = 0;

  if (n == 0)
    tmp[i++] = '0';
  for (; n > 0; n /= 10)
    tmp[i++] = '0' + n % 10;
  while (i > 0)
    *dst++ = tmp[--i];
  *dst = 0;
  return dst;
}

// ---- fork, exit, wait ----

static int statuses[] = { 0, 1, 2, 42, 255, 256, -5, 1000000 };
#define NSTAT (int)(sizeof(statuses) / sizeof(statuses[0]))

static void
forkwait(void)
{
  int pids[NSTAT], seen[NSTAT];
  int i, j, pid, st;

  for (i = 0; i < NSTAT; i++) {
    pid = fork();
    if (pid < 0)
      fail("fork %d failed", i);
    if (pid == 0)
      exit(statuses[i]);
    pids[i] = pid;
    seen[i] = 0;
  }
  for (i = 0; i < NSTAT; i++) {
    st = 12345;
    pid = wait(&st);
    for (j = 0; j < NSTAT && pids[j] != pid; j++)
      ;
    if (j == NSTAT)
      fail("wait returned %d, not one of my children", pid);
    if (seen[j])
      fail("wait returned child %d twice", pid);
    seen[j] = 1;
    if (st != statuses[j])
      fail("child %d exited with %d but wait says %d", pid, statuses[j], st);
  }
  if (wait(&st) != -1)
    fail("wait with every child reaped did not return -1");
}

static void
waitnull(void)
{
  int pid;

  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0)
    exit(3);
  if (wait(0) != pid)
    fail("wait(0) did not return the child's pid");
}

static void
waitnochild(void)
{
  int st = 12345;

  if (wait(&st) != -1)
    fail("wait with no children did not return -1");
  if (wait(0) != -1)
    fail("wait(0) with no children did not return -1");
}

static void
getpids(void)
{
  int me, pid, st;

  me = getpid();
  if (me <= 0 || getpid() != me)
    fail("getpid returned %d", me);
  if (getppid() != mainpid)
    fail("getppid is %d, usertests is %d", getppid(), mainpid);
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    if (getppid() != me)
      exit(-2);
    if (getpid() == me)
      exit(-3);
    exit(getpid());
  }
  if (wait(&st) != pid)
    fail("wait did not return the child");
  if (st == -2)
    fail("child's getppid is not its parent");
  if (st == -3)
    fail("child's getpid equals its parent's");
  if (st != pid)
    fail("child says its pid is %d, fork said %d", st, pid);
}

static int global = 1;

static void
forkmem(void)
{
  int pid, st;
  volatile int local = 10;

  global = 7;
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    if (global != 7 || local != 10)
      exit(1);
    global = 8;
    local = 11;
    exit(0);
  }
  if (wait(&st) != pid || st != 0)
    fail("child did not see the parent's memory as it was at fork");
  if (global != 7 || local != 10)
    fail("child's writes changed the parent's memory");
}

static void
zombies(void)
{
  int pids[5], i, j, pid, st;

  for (i = 0; i < 5; i++) {
    pids[i] = fork();
    if (pids[i] < 0)
      fail("fork failed");
    if (pids[i] == 0)
      exit(100 + i);
  }
  sleep(3);             // they are all zombies now
  for (i = 0; i < 5; i++) {
    pid = wait(&st);
    for (j = 0; j < 5 && pids[j] != pid; j++)
      ;
    if (j == 5)
      fail("wait returned %d", pid);
    if (st != 100 + j)
      fail("zombie %d kept status %d, expected %d", pid, st, 100 + j);
  }
  if (wait(0) != -1)
    fail("a sixth wait did not return -1");
}

// A child forks a grandchild and exits at once.  The grandchild, now an
// orphan, must be adopted by init (its parent changes), still run, print
// and exit, and be reaped by init -- and the test's own wait never sees it.
static void
orphan(void)
{
  int base, child, grandchild, st, ticks;
  int me = getpid();
  char *msg;

  base = freepages();
  child = fork();
  if (child < 0)
    fail("fork failed");
  if (child == 0) {
    int parent = getpid();
    grandchild = fork();
    if (grandchild == 0) {
      for (ticks = 0; getppid() == parent && ticks < 100; ticks++)
        sleep(1);
      if (getppid() == parent || getppid() == me)
        for (;;)
          sleep(100);   // not adopted: hang, so the test sees it
      msg = "usertests: orphan: grandchild still runs\n";
      if (write(1, msg, strlen(msg)) != strlen(msg))
        for (;;)
          sleep(100);
      exit(0);
    }
    exit(grandchild);   // tell the test the grandchild's pid
  }
  if (wait(&st) != child)
    fail("wait did not return the child");
  grandchild = st;
  if (grandchild <= 0)
    fail("the child's fork failed");
  if (wait(0) != -1)
    fail("wait saw a grandchild");
  if (pages_back(base, 100) < base) {
    kill(grandchild);
    fail("the grandchild did not finish, or was not reaped");
  }
  // Reaped means gone: no process to kill any more.  (Its pages may come
  // back a moment before init reaps it; a kill of a zombie is harmless.)
  for (ticks = 0; kill(grandchild) != -1; ticks++) {
    if (ticks == 20)
      fail("init did not reap the grandchild");
    sleep(1);
  }
}

// A chain DEPTH processes deep; at each level the process also forks a
// leaf.  Each process exits with the number of processes in its subtree
// (itself included), so the root's status counts them all: 2 * DEPTH + 1.
#define DEPTH 10

static void
forktree(void)
{
  int root, level, leaf, next, sum, n, w, st;

  root = fork();
  if (root < 0)
    fail("fork failed");
  if (root == 0) {
    for (level = 0; level < DEPTH; level++) {
      leaf = fork();
      if (leaf == 0)
        exit(1);
      next = fork();
      if (next == 0)
        continue;       // the child goes one level deeper
      if (leaf < 0 || next < 0)
        exit(-1000);
      sum = 1;
      for (n = 0; n < 2; n++) {
        w = wait(&st);
        if (w != leaf && w != next)
          exit(-1000);
        sum += st;
      }
      exit(sum);
    }
    exit(1);            // the deepest process
  }
  if (wait(&st) != root)
    fail("wait did not return the root");
  if (st != 2 * DEPTH + 1)
    fail("the tree counted %d processes, expected %d", st, 2 * DEPTH + 1);
}

// A chain CHAIN processes long; each waits for the one below and exits
// with its status + 1.
#define CHAIN 64

static void
forkchain(void)
{
  int i, pid, st;

  for (i = 0; i < CHAIN; i++) {
    pid = fork();
    if (pid < 0)
      exit(-1000);
    if (pid == 0)
      continue;
    if (wait(&st) != pid)
      exit(-1000);
    if (i == 0) {
      if (st != CHAIN - 1)
        fail("the chain's status was %d, expected %d", st, CHAIN - 1);
      return;
    }
    exit(st + 1);
  }
  exit(0);
}

#define NCONC 512
static int conc[NCONC];

static void
killall(int *pids, int n)
{
  int i;
  for (i = 0; i < n; i++)
    kill(pids[i]);
  for (i = 0; i < n; i++)
    wait(0);
}

// NCONC processes alive at once, all parked until they are killed.
static void
proc512(void)
{
  int i, pid, st, me = getpid();

  for (i = 0; i < NCONC; i++) {
    pid = fork();
    if (pid < 0) {
      killall(conc, i);
      fail("fork %d of %d failed", i + 1, NCONC);
    }
    if (pid == 0)
      park(me);
    conc[i] = pid;
  }
  for (i = 0; i < NCONC; i++) {
    if (kill(conc[i]) != 0) {
      killall(conc, NCONC);
      fail("kill of child %d failed", conc[i]);
    }
  }
  for (i = 0; i < NCONC; i++) {
    pid = wait(&st);
    if (pid < 0)
      fail("only %d of %d children reaped", i, NCONC);
    if (st != -1)
      fail("killed child %d exited with %d, expected -1", pid, st);
  }
  if (wait(0) != -1)
    fail("wait after reaping them all did not return -1");
}

// Fork until fork fails; the children exit at once but stay as zombies,
// so the process table (or memory) runs out.  Then reap them all and check
// that fork works again.
static void
forkbomb(void)
{
  int n, i, pid, st;

  for (n = 0; ; n++) {
    pid = fork();
    if (pid < 0)
      break;
    if (pid == 0)
      exit(0);
    if (n > 100000)
      fail("no limit after %d forks", n);
  }
  if (n == 0)
    fail("the first fork failed");
  for (i = 0; i < n; i++) {
    if (wait(&st) < 0)
      fail("only %d of %d children reaped", i, n);
    if (st != 0)
      fail("a child exited with %d", st);
  }
  if (wait(0) != -1)
    fail("a child too many");
  pid = fork();
  if (pid < 0)
    fail("fork fails after the bomb was reaped");
  if (pid == 0)
    exit(7);
  if (wait(&st) != pid || st != 7)
    fail("the fork after the bomb went wrong");
  printf("usertests: forkbomb: fork failed after %d processes\n", n);
}

// Repeated fork/exit/wait must give back every page.
static void
forkleak(void)
{
  int before, after, i, pid;

  // The first rounds may leave lasting allocations (caches): warm up.
  for (i = 0; i < 3; i++) {
    pid = fork();
    if (pid == 0)
      exit(0);
    wait(0);
  }
  before = freepages();
  for (i = 0; i < 20; i++) {
    pid = fork();
    if (pid < 0)
      fail("fork failed");
    if (pid == 0)
      exit(0);
    if (wait(0) != pid)
      fail("wait did not return the child");
  }
  after = pages_back(before, 20);
  if (after != before)
    fail("free pages went from %d to %d over 20 fork/exit/wait", before, after);
}

// ---- kill ----

static void
killsleep(void)
{
  int pid, st, t0;

  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    sleep(1000);
    exit(0);
  }
  sleep(2);             // let it fall asleep
  t0 = uptime();
  if (kill(pid) != 0)
    fail("kill returned an error");
  if (wait(&st) != pid)
    fail("wait did not return the child");
  if (st != -1)
    fail("killed child exited with %d, expected -1", st);
  if (uptime() - t0 > 10)
    fail("the sleeping child took %d ticks to die", uptime() - t0);
}

static volatile int spins;

static void
killspin(void)
{
  int pid, st, t0;

  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    for (;;)
      spins++;
  }
  sleep(2);             // only a timer preemption lets us run again
  t0 = uptime();
  if (kill(pid) != 0)
    fail("kill returned an error");
  if (wait(&st) != pid)
    fail("wait did not return the child");
  if (st != -1)
    fail("killed child exited with %d, expected -1", st);
  if (uptime() - t0 > 10)
    fail("the spinning child took %d ticks to die", uptime() - t0);
}

// Killing a process blocked in wait() wakes it.
static void
killwait(void)
{
  int pid, st;

  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    if (fork() == 0) {
      sleep(5);         // the grandchild ends by itself; init reaps it
      exit(0);
    }
    wait(0);
    exit(0);
  }
  sleep(1);
  if (kill(pid) != 0)
    fail("kill returned an error");
  if (wait(&st) != pid)
    fail("wait did not return the child");
  if (st != -1)
    fail("child killed in wait exited with %d, expected -1", st);
}

static void
killme(void)
{
  kill(getpid());
  // Killed on the way out of the kernel: this must not run.
  exit(0);
}

static void
killself(void)
{
  int st = status_of(killme);
  if (st != -1)
    fail("a process that killed itself exited with %d", st);
}

// A zombie cannot die again: its exit status survives a kill.
static void
killzombie(void)
{
  int pid, st;

  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0)
    exit(9);
  sleep(2);
  kill(pid);            // 0 or -1: either is fine
  if (wait(&st) != pid)
    fail("wait did not return the zombie");
  if (st != 9)
    fail("killed zombie's status became %d, expected 9", st);
}

static void
killbad(void)
{
  if (kill(1000000) != -1)
    fail("kill(1000000) did not return -1");
  if (kill(-1) != -1)
    fail("kill(-1) did not return -1");
  if (kill(0) != -1)
    fail("kill(0) did not return -1");
}

// A kill must end a process blocked in a pipe within a few ticks, and its
// exit must close its end of the pipe and give back its pages.
#define DIETICKS 3

// Kill pid, which should be blocked by now; wait for it; it must have died
// of the kill, soon.
static void
kill_blocked(int pid, const char *where)
{
  int st, t0, t;

  t0 = uptime();
  if (kill(pid) != 0)
    fail("kill of the child blocked %s returned an error", where);
  if (wait(&st) != pid)
    fail("wait did not return the child blocked %s", where);
  t = uptime() - t0;
  if (st != -1)
    fail("the child killed while blocked %s exited with %d, expected -1", where, st);
  if (t > DIETICKS)
    fail("the child blocked %s took %d ticks to die", where, t);
}

static void
killpiperead(void)
{
  int p[2], pid, before, after;
  char c;

  before = freepages();
  if (pipe(p) != 0)
    fail("pipe failed");
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    close(p[1]);
    read(p[0], &c, 1);      // nobody writes: blocks until killed
    exit(0);                // a killed process never gets here
  }
  close(p[0]);
  sleep(2);                 // let it block in read
  kill_blocked(pid, "reading an empty pipe");
  // The child held the only read end: its exit closed it.
  if (write(p[1], "x", 1) != -1)
    fail("a write after the only reader was killed did not fail");
  close(p[1]);
  after = pages_back(before, 20);
  if (after != before)
    fail("free pages went from %d to %d", before, after);
}

static void
killpipewrite(void)
{
  static char big[8192];    // more than a pipe holds
  int p[2], pid, n, i, total, before, after;

  before = freepages();
  if (pipe(p) != 0)
    fail("pipe failed");
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    close(p[0]);
    memset(big, 'w', sizeof(big));
    write(p[1], big, sizeof(big));  // nobody reads: blocks once the pipe is full
    exit(0);                        // a killed process never gets here
  }
  close(p[1]);
  sleep(2);                 // let it fill the pipe and block
  kill_blocked(pid, "writing a full pipe");
  // The child held the only write end: what it wrote before it blocked can
  // be read, then its exit's close shows as end of file.
  total = 0;
  while ((n = read(p[0], big, sizeof(big))) > 0) {
    for (i = 0; i < n; i++)
      if (big[i] != 'w')
        fail("byte %d from the killed writer is %d, not 'w'", total + i, big[i]);
    total += n;
  }
  if (n < 0)
    fail("read after the writer was killed returned %d", n);
  if (total == 0 || total >= sizeof(big))
    fail("the killed writer's pipe held %d bytes, expected a pipe's worth", total);
  close(p[0]);
  after = pages_back(before, 20);
  if (after != before)
    fail("free pages went from %d to %d", before, after);
}

// ---- faults: each kills only the faulting process, with status -1 ----

static volatile uint64 address;     // volatile: the compiler cannot see the fault coming

static void store_text(void)  { *(volatile int*)address = 1; }
static void load_unmapped(void) { (void)*(volatile int*)address; }
static void jump_unmapped(void) { ((void (*)(void))address)(); }
static void illegal(void)     { asm volatile(".4byte 0"); }   // 0x0000 is never an instruction
static void privileged(void)
{
  uint64 x;
  asm volatile("csrr %0, sstatus" : "=r"(x));   // S-mode register from U-mode
  (void)x;
}

static void
faults(void)
{
  address = 0;
  expect_fault(store_text, "store to address 0 (program text)");
  address = (uint64)faults;
  expect_fault(store_text, "store into this function's code");
  address = UNMAPPED;
  expect_fault(load_unmapped, "load from an unmapped address");
  address = KERNBASE;
  expect_fault(load_unmapped, "load from kernel memory");
  address = TRAMPOLINE;
  expect_fault(load_unmapped, "load from the trampoline");
  for (int hart = 0; hart < NCPU; hart++) {     // mapped or not, each is the kernel's
    address = SLOT(hart);
    expect_fault(load_unmapped, "load from a trapframe slot");
    expect_fault(store_text, "store to a trapframe slot");
  }
  address = guard_page();
  expect_fault(load_unmapped, "load from the stack's guard page");
  address = (uint64)sbrk(0);
  expect_fault(load_unmapped, "load at the break");
  address = UNMAPPED;
  expect_fault(jump_unmapped, "jump to an unmapped address");
  expect_fault(illegal, "illegal instruction");
  expect_fault(privileged, "S-mode CSR read");
}

// Recursing without end runs into the guard page.  (The test of `address`
// is always true; it only keeps the compiler from rejecting the recursion.)
static int
recurse(int n)
{
  volatile char buf[256];
  buf[0] = n;
  if (address != 1)
    return recurse(n + 1) + buf[0];
  return buf[0];
}

static void overflow(void) { address = 0; recurse(0); }

static void
stackoverflow(void)
{
  expect_fault(overflow, "stack overflow into the guard page");
}

// ---- registers across system calls, switches and interrupts ----

#define V(n) (0x5a5a000000000000L + (n) * 0x0101010101L)

// Registers other than a0 survive a system call (docs/abi.md).
static void
syscall_regs(long num, long arg, const char *what)
{
  register long a0 asm("a0") = arg;
  register long a1 asm("a1") = V(1);
  register long a2 asm("a2") = V(2);
  register long a3 asm("a3") = V(3);
  register long a4 asm("a4") = V(4);
  register long a5 asm("a5") = V(5);
  register long a6 asm("a6") = V(6);
  register long a7 asm("a7") = num;
  register long t0 asm("t0") = V(10);
  register long t1 asm("t1") = V(11);
  register long t2 asm("t2") = V(12);
  register long t3 asm("t3") = V(13);
  register long t4 asm("t4") = V(14);
  register long t5 asm("t5") = V(15);
  register long t6 asm("t6") = V(16);

  asm volatile("ecall"
               : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5),
                 "+r"(a6), "+r"(a7), "+r"(t0), "+r"(t1), "+r"(t2), "+r"(t3),
                 "+r"(t4), "+r"(t5), "+r"(t6)
               : : "memory");
  if (a1 != V(1) || a2 != V(2) || a3 != V(3) || a4 != V(4) || a5 != V(5) ||
      a6 != V(6) || a7 != num)
    fail("%s changed an a register", what);
  if (t0 != V(10) || t1 != V(11) || t2 != V(12) || t3 != V(13) ||
      t4 != V(14) || t5 != V(15) || t6 != V(16))
    fail("%s changed a t register", what);
}

static void
syscall_sregs(long num, long arg, const char *what)
{
  register long a0 asm("a0") = arg;
  register long a7 asm("a7") = num;
  register long s1 asm("s1") = V(21);
  register long s2 asm("s2") = V(22);
  register long s3 asm("s3") = V(23);
  register long s4 asm("s4") = V(24);
  register long s5 asm("s5") = V(25);
  register long s6 asm("s6") = V(26);
  register long s7 asm("s7") = V(27);
  register long s8 asm("s8") = V(28);
  register long s9 asm("s9") = V(29);
  register long s10 asm("s10") = V(30);
  register long s11 asm("s11") = V(31);

  asm volatile("ecall"
               : "+r"(a0), "+r"(a7), "+r"(s1), "+r"(s2), "+r"(s3), "+r"(s4),
                 "+r"(s5), "+r"(s6), "+r"(s7), "+r"(s8), "+r"(s9), "+r"(s10),
                 "+r"(s11)
               : : "memory");
  if (s1 != V(21) || s2 != V(22) || s3 != V(23) || s4 != V(24) ||
      s5 != V(25) || s6 != V(26) || s7 != V(27) || s8 != V(28) ||
      s9 != V(29) || s10 != V(30) || s11 != V(31))
    fail("%s changed an s register", what);
}

// Spin in registers until the `time` CSR passes `until`: timer interrupts
// (and switches to the other process) must restore every register.  An asm
// statement takes at most 30 operands ("+r" counts twice), so the a and t
// registers are checked by one spin and the s registers by another.
static int
spin_regs(uint64 until)
{
  register long a0 asm("a0") = until;
  register long a2 asm("a2") = V(2);
  register long a3 asm("a3") = V(3);
  register long a4 asm("a4") = V(4);
  register long a5 asm("a5") = V(5);
  register long a6 asm("a6") = V(6);
  register long a7 asm("a7") = V(7);
  register long t0 asm("t0") = V(10);
  register long t1 asm("t1") = V(11);
  register long t2 asm("t2") = V(12);
  register long t3 asm("t3") = V(13);
  register long t4 asm("t4") = V(14);
  register long t5 asm("t5") = V(15);
  register long t6 asm("t6") = V(16);
  long now;

  asm volatile("1: rdtime %0\n"
               "   bltu %0, a0, 1b"
               : "=&r"(now), "+r"(a0), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5),
                 "+r"(a6), "+r"(a7), "+r"(t0), "+r"(t1), "+r"(t2), "+r"(t3),
                 "+r"(t4), "+r"(t5), "+r"(t6));
  return a2 == V(2) && a3 == V(3) && a4 == V(4) && a5 == V(5) &&
         a6 == V(6) && a7 == V(7) && t0 == V(10) && t1 == V(11) &&
         t2 == V(12) && t3 == V(13) && t4 == V(14) && t5 == V(15) &&
         t6 == V(16) && a0 == (long)until;
}

static int
spin_sregs(uint64 until)
{
  register long a0 asm("a0") = until;
  register long s1 asm("s1") = V(21);
  register long s2 asm("s2") = V(22);
  register long s3 asm("s3") = V(23);
  register long s4 asm("s4") = V(24);
  register long s5 asm("s5") = V(25);
  register long s6 asm("s6") = V(26);
  register long s7 asm("s7") = V(27);
  register long s8 asm("s8") = V(28);
  register long s9 asm("s9") = V(29);
  register long s10 asm("s10") = V(30);
  register long s11 asm("s11") = V(31);
  long now;

  asm volatile("1: rdtime %0\n"
               "   bltu %0, a0, 1b"
               : "=&r"(now), "+r"(a0), "+r"(s1), "+r"(s2), "+r"(s3), "+r"(s4),
                 "+r"(s5), "+r"(s6), "+r"(s7), "+r"(s8), "+r"(s9), "+r"(s10),
                 "+r"(s11));
  return s1 == V(21) && s2 == V(22) && s3 == V(23) && s4 == V(24) &&
         s5 == V(25) && s6 == V(26) && s7 == V(27) && s8 == V(28) &&
         s9 == V(29) && s10 == V(30) && s11 == V(31) && a0 == (long)until;
}

static uint64
rdtime(void)
{
  uint64 t;
  asm volatile("rdtime %0" : "=r"(t));
  return t;
}

static void
regs(void)
{
  int pid, ok;

  syscall_regs(SYS_getpid, 0, "getpid");
  syscall_regs(SYS_uptime, 0, "uptime");
  syscall_regs(SYS_yield, 0, "yield");
  syscall_regs(SYS_sleep, 1, "sleep(1)");
  syscall_regs(1000, 0, "an unknown system call");
  syscall_sregs(SYS_getpid, 0, "getpid");
  syscall_sregs(SYS_sleep, 1, "sleep(1)");

  // With a second process spinning too, the timer switches between them.
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0)
    for (;;)
      spins++;
  ok = spin_regs(rdtime() + 3000000);   // 3 ticks of the 10 MHz timebase
  ok = ok && spin_sregs(rdtime() + 3000000);
  kill(pid);
  wait(0);
  if (!ok)
    fail("a register changed across timer interrupts");
}

// ---- sbrk ----

static void
sbrkbasic(void)
{
  char *a, *p;
  int i, n = 10 * PGSIZE;

  a = sbrk(0);
  p = sbrk(n);
  if (p != a)
    fail("sbrk(%d) returned %p, the break was %p", n, p, a);
  for (i = 0; i < n; i++)
    p[i] = i * 7;
  for (i = 0; i < n; i++)
    if (p[i] != (char)(i * 7))
      fail("grown memory did not keep byte %d", i);
  if (sbrk(0) != a + n)
    fail("the break did not move by %d", n);
  if (sbrk(-n) != a + n)
    fail("sbrk(-%d) did not return the old break", n);
  if (sbrk(0) != a)
    fail("the break did not shrink back");
  p = sbrk(n);
  if (p != a)
    fail("growing again returned %p, expected %p", p, a);
  for (i = 0; i < n; i++)
    if (p[i] != 0)
      fail("regrown memory is not zeroed at byte %d", i);
  sbrk(-n);
}

// Odd sizes: the break moves by bytes, memory comes in pages.
static void
sbrksmall(void)
{
  char *a, *p;
  int i, j;

  a = sbrk(0);
  for (i = 0; i < 100; i++) {
    p = sbrk(37);
    if (p != a + 37 * i)
      fail("sbrk(37) number %d returned %p, expected %p", i, p, a + 37 * i);
    memset(p, i, 37);
  }
  for (i = 0; i < 100; i++)
    for (j = 0; j < 37; j++)
      if (a[37 * i + j] != i)
        fail("small sbrk piece %d was overwritten", i);
  if (sbrk(-3700) != a + 3700 || sbrk(0) != a)
    fail("shrinking by 3700 went wrong");
}

static void
touch_freed(void)
{
  char *a = sbrk(PGSIZE);
  a[0] = 1;
  sbrk(-PGSIZE);
  a[0] = 2;             // the page is gone: this must fault
}

static void
sbrkshrink(void)
{
  expect_fault(touch_freed, "store into memory given back by sbrk");
}

static void
sbrkhuge(void)
{
  char *a, *p;
  int pid, st;

  a = sbrk(0);
  if (sbrk(0x7fffffff) != (char*)-1)
    fail("sbrk(0x7fffffff) did not fail");
  if (sbrk(1 << 30) != (char*)-1)
    fail("sbrk of 1 GiB did not fail");
  if (sbrk(0) != a)
    fail("a failed sbrk moved the break");
  p = sbrk(PGSIZE);
  if (p != a)
    fail("sbrk after a failed one returned %p, expected %p", p, a);
  p[0] = 1;
  sbrk(-PGSIZE);
  // The memory the failed calls took for a moment must be free again.
  pid = fork();
  if (pid < 0)
    fail("fork after a failed sbrk failed");
  if (pid == 0) {
    p = sbrk(16 * PGSIZE);
    exit(p == (char*)-1 ? 1 : 0);
  }
  if (wait(&st) != pid || st != 0)
    fail("a child could not grow after the failed sbrk");
}

static void
sbrkbelow(void)
{
  char *a = sbrk(0);

  if (sbrk(-1) != (char*)-1)
    fail("sbrk(-1) at the initial break did not fail");
  if (sbrk(-PGSIZE) != (char*)-1)
    fail("sbrk(-%d) at the initial break did not fail", PGSIZE);
  if (sbrk(-0x7fffffff) != (char*)-1)
    fail("sbrk(-0x7fffffff) did not fail");
  if (sbrk(0) != a)
    fail("a failed shrink moved the break");
  sbrk(2 * PGSIZE);
  if (sbrk(-3 * PGSIZE) != (char*)-1)
    fail("shrinking below the initial break did not fail");
  if (sbrk(0) != a + 2 * PGSIZE)
    fail("a failed shrink moved the break");
  sbrk(-2 * PGSIZE);
  if (sbrk(0) != a)
    fail("the break did not come back");
}

// fork copies the heap; the copies are independent.
static void
sbrkfork(void)
{
  char *p;
  int i, pid, st, n = 4 * PGSIZE;

  p = sbrk(n);
  for (i = 0; i < n; i++)
    p[i] = i % 251;
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    for (i = 0; i < n; i++)
      if (p[i] != (char)(i % 251))
        exit(1);
    memset(p, 0xff, n);
    exit(0);
  }
  if (wait(&st) != pid || st != 0)
    fail("the child's heap was not a copy of the parent's");
  for (i = 0; i < n; i++)
    if (p[i] != (char)(i % 251))
      fail("the child's writes changed the parent's heap");
  sbrk(-n);
}

// Take all the memory there is, in big steps then single pages; sbrk must
// fail cleanly, fork too (or succeed), and everything must come back.
static void
sbrkall(void)
{
  char *a, *p;
  int mib = 0, pages = 0, pid, st;

  a = sbrk(0);
  while (mib < 1024) {
    p = sbrk(1 << 20);
    if (p == (char*)-1)
      break;
    p[0] = 1;
    p[(1 << 20) - 1] = 1;
    mib++;
  }
  if (mib == 1024)
    fail("sbrk gave 1 GiB without failing");
  while (pages < 1024) {
    p = sbrk(PGSIZE);
    if (p == (char*)-1)
      break;
    p[0] = 1;
    pages++;
  }
  pid = fork();         // with no memory left: -1, or a child if it fits
  if (pid == 0)
    exit(0);
  if (pid > 0)
    wait(0);
  if (sbrk(-(sbrk(0) - a)) == (char*)-1 || sbrk(0) != a)
    fail("could not give the memory back");
  p = sbrk(1 << 20);
  if (p == (char*)-1)
    fail("could not grow again after giving everything back");
  sbrk(-(1 << 20));
  pid = fork();
  if (pid < 0)
    fail("fork failed after giving everything back");
  if (pid == 0)
    exit(5);
  if (wait(&st) != pid || st != 5)
    fail("the child after giving everything back went wrong");
  printf("usertests: sbrkall: got %d MiB and %d pages\n", mib, pages);
}

static void
freepage_count(void)
{
  int f0, f1, f2, n = 16;
  char *p;

  f0 = freepages();
  if (f0 <= 0)
    fail("freepages returned %d", f0);
  p = sbrk(n * PGSIZE);
  p[0] = 1;
  f1 = freepages();
  if (f0 - f1 < n)
    fail("growing by %d pages took only %d free pages", n, f0 - f1);
  sbrk(-n * PGSIZE);
  f2 = freepages();
  if (f2 != f0)
    fail("free pages were %d, %d after growing and shrinking", f0, f2);
}

static void
mallocs(void)
{
  static char *blocks[100];
  int i, j, size;

  for (i = 0; i < 100; i++) {
    size = 1 + (i * 37) % 500;
    blocks[i] = malloc(size);
    if (blocks[i] == 0)
      fail("malloc(%d) failed", size);
    if ((uint64)blocks[i] % 16 != 0)
      fail("malloc returned %p, not 16-byte aligned", blocks[i]);
    memset(blocks[i], i, size);
  }
  for (i = 0; i < 100; i++) {
    size = 1 + (i * 37) % 500;
    for (j = 0; j < size; j++)
      if (blocks[i][j] != (char)i)
        fail("malloc block %d overlaps another", i);
  }
  for (i = 0; i < 100; i += 2)
    free(blocks[i]);
  for (i = 0; i < 100; i += 2) {
    blocks[i] = malloc(200);
    if (blocks[i] == 0)
      fail("malloc after free failed");
    memset(blocks[i], i, 200);
  }
  for (i = 1; i < 100; i += 2) {
    size = 1 + (i * 37) % 500;
    for (j = 0; j < size; j++)
      if (blocks[i][j] != (char)i)
        fail("a freed and reused block overlapped block %d", i);
  }
  for (i = 0; i < 100; i++)
    free(blocks[i]);
  blocks[0] = malloc(1 << 20);
  if (blocks[0] == 0)
    fail("malloc of 1 MiB failed");
  memset(blocks[0], 1, 1 << 20);
  free(blocks[0]);
  if (malloc(0x7fffffff) != 0)
    fail("malloc(0x7fffffff) did not fail");
}

// ---- bad arguments to system calls ----

static void
badwrite(void)
{
  char *end;

  if (write(1, (char*)KERNBASE, 10) != -1)
    fail("write from kernel memory did not fail");
  if (write(1, (char*)BEYOND, 10) != -1)
    fail("write from above MAXVA did not fail");
  if (write(1, (char*)UNMAPPED, 10) != -1)
    fail("write from an unmapped address did not fail");
  if (write(1, (char*)TRAMPOLINE, 10) != -1)
    fail("write from the trampoline did not fail");
  for (int hart = 0; hart < NCPU; hart++)
    if (write(1, (char*)SLOT(hart), 10) != -1)
      fail("write from hart %d's trapframe slot did not fail", hart);
  if (write(1, (char*)guard_page(), 10) != -1)
    fail("write from the guard page did not fail");
  if (write(1, (char*)0xffffffffffff0000ULL, 10) != -1)
    fail("write from a negative address did not fail");
  end = sbrk(PGSIZE) + PGSIZE;
  if (write(1, end - 5, 100) != -1)
    fail("write of a buffer crossing the end of memory did not fail");
  if (write(5, "x", 1) != -1 || write(-1, "x", 1) != -1 || write(1000, "x", 1) != -1)
    fail("write to a descriptor that is not open did not fail");
}

// The child exits; wait with an unusable status pointer returns -1 (the
// child may or may not have been reaped), and nothing crashes.
static void
badwait1(int *status, const char *what)
{
  int pid, w;

  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0)
    exit(0);
  if (wait(status) != -1)
    fail("wait with %s did not return -1", what);
  do {
    w = wait(0);
  } while (w >= 0 && w != pid);
}

static void
badwait(void)
{
  char *end;

  badwait1((int*)KERNBASE, "a kernel address");
  badwait1((int*)UNMAPPED, "an unmapped address");
  badwait1((int*)TRAPFRAME, "the trapframe's address");
  end = sbrk(PGSIZE) + PGSIZE;
  badwait1((int*)(end - 2), "an int crossing the end of memory");
  badwait1((int*)badwait, "a pointer into read-only program text");
}

// Programs are run by absolute path: the tests run in a scratch directory.
#define EXIT0 "/exit0"
static char *exit0_argv[] = { "exit0", 0 };
static int canary = 0x1234567;

// exec must fail and leave the process exactly as it was.  It runs in a
// child, so an exec that wrongly succeeds shows up as the new program's
// status rather than silently replacing the test.
static void
expect_exec_fails(char *path, char **argv, const char *what)
{
  int pid, st;
  volatile int local = 77;

  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    if (exec(path, argv) != -1)
      exit(78);
    exit(canary == 0x1234567 && local == 77 ? 77 : 79);
  }
  if (wait(&st) != pid)
    fail("wait did not return the child");
  if (st == 79)
    fail("exec of %s failed but damaged the process", what);
  if (st != 77)
    fail("exec of %s did not fail (status %d)", what, st);
}

static char *many[MAXARG + 2];
static char longpath[200];
static char bigarg[200];

static void
badexec(void)
{
  char *end, **argv;
  int i;
  static char *badstr_argv[] = { "exit0", (char*)KERNBASE, 0 };

  expect_exec_fails("nosuchprogram", exit0_argv, "a missing program");
  expect_exec_fails((char*)KERNBASE, exit0_argv, "a kernel path pointer");
  expect_exec_fails((char*)UNMAPPED, exit0_argv, "an unmapped path pointer");

  // A path that runs into the end of memory before its NUL.
  end = sbrk(PGSIZE) + PGSIZE;
  memcpy(end - 6, EXIT0, 6);
  expect_exec_fails(end - 6, exit0_argv, "an unterminated path");

  memset(longpath, 'a', sizeof(longpath) - 1);
  expect_exec_fails(longpath, exit0_argv, "a path longer than MAXPATH");

  expect_exec_fails(EXIT0, (char**)KERNBASE, "a kernel argv pointer");
  expect_exec_fails(EXIT0, (char**)UNMAPPED, "an unmapped argv pointer");
  expect_exec_fails(EXIT0, badstr_argv, "an argument pointing into the kernel");

  // An argv array with no NULL before the end of memory.
  argv = (char**)end - 1;
  argv[0] = "exit0";
  expect_exec_fails(EXIT0, argv, "an argv running off the end of memory");

  for (i = 0; i < MAXARG + 1; i++)
    many[i] = "a";
  many[MAXARG + 1] = 0;
  expect_exec_fails(EXIT0, many, "33 arguments");

  // 32 arguments of 200 bytes do not fit in one page of stack.
  memset(bigarg, 'b', sizeof(bigarg) - 1);
  for (i = 0; i < MAXARG; i++)
    many[i] = bigarg;
  many[MAXARG] = 0;
  expect_exec_fails(EXIT0, many, "arguments larger than the stack");
}

static void
badelfs(void)
{
  // Made by tools/mkbadelf.py: see there for what is wrong with each.
  static char *names[] = {
    "badelf", "truncelf", "badseg", "hugeseg", "badsize", "badalign",
    "badarch", "notelf",
  };
  static char *argv[2];
  static char path[32];
  int i;

  for (i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++) {
    argv[0] = names[i];
    argv[1] = 0;
    path[0] = '/';
    strcpy(path + 1, names[i]);
    // A missing file would make exec fail too, for the wrong reason.
    struct stat st;
    if (stat(path, &st) < 0 || st.type != T_FILE || st.size == 0)
      fail("%s is not on the disk", path);
    expect_exec_fails(path, argv, names[i]);
  }
}

static void
badsyscall(void)
{
  static long nums[] = { 0, 22, 63, 1000, -1, 0x10000000bL };
  int i;

  for (i = 0; i < 6; i++)
    if (rawsyscall(nums[i], 0) != -1)
      fail("system call number %ld did not return -1", nums[i]);
}

// ---- time ----

static void
sleeps(void)
{
  int t0, dt;

  if (sleep(0) != 0)
    fail("sleep(0) did not return 0");
  t0 = uptime();
  if (sleep(3) != 0)
    fail("sleep(3) did not return 0");
  dt = uptime() - t0;
  if (dt < 3)
    fail("sleep(3) returned after %d ticks", dt);
  if (dt > 20)
    fail("sleep(3) took %d ticks", dt);
  t0 = uptime();
  sleep(-1);
  if (uptime() - t0 > 5)
    fail("sleep(-1) took %d ticks", uptime() - t0);
}

static void
uptimes(void)
{
  int t0, t1, i;

  t0 = uptime();
  if (t0 < 0)
    fail("uptime returned %d", t0);
  sleep(1);
  t1 = uptime();
  if (t1 <= t0)
    fail("uptime did not advance over sleep(1): %d then %d", t0, t1);
  for (i = 0; i < 100; i++) {
    t0 = t1;
    t1 = uptime();
    if (t1 < t0)
      fail("uptime went backwards: %d then %d", t0, t1);
  }
}

static void
yields(void)
{
  int i, pid, st;

  for (i = 0; i < 100; i++)
    if (yield() != 0)
      fail("yield did not return 0");
  // Two processes yielding to each other both make progress.
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    for (i = 0; i < 100; i++)
      yield();
    exit(3);
  }
  for (i = 0; i < 100; i++)
    yield();
  if (wait(&st) != pid || st != 3)
    fail("the yielding child did not finish");
}

// ---- exec ----

// Run argtest with argv; return its exit status.
static int
argtest(char **argv)
{
  int pid, st;

  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    exec("/argtest", argv);
    exit(99);
  }
  if (wait(&st) != pid)
    fail("wait did not return the child");
  if (st == 99)
    fail("exec argtest failed");
  return st;
}

static char spec[1100];
static char words[MAXARG][24];
static char longword[1001];

// Build SPEC for argv[2..argc-1] (see argtest.c) into spec, set argv[1].
static void
make_spec(char **argv, int argc)
{
  char *p;
  int i;

  p = append_int(spec, argc);
  p = append(p, ":");
  for (i = 2; i < argc; i++) {
    p = append(p, argv[i]);
    if (i + 1 < argc)
      p = append(p, ",");
  }
  argv[1] = spec;
}

static void
execargs(void)
{
  static char *simple[] = { "argtest", "5:a,bb,ccc", "a", "bb", "ccc", 0 };
  static char *none[] = { "argtest", "2:", 0 };
  static char *empty[] = { "argtest", "3:", "", 0 };
  static char *wrong[] = { "argtest", "3:x", "y", 0 };
  char *argv[MAXARG + 1];
  int i, n;

  if (argtest(simple) != 0)
    fail("argtest a bb ccc failed");
  if (argtest(none) != 0)
    fail("argtest with no words failed");
  if (argtest(empty) != 0)
    fail("argtest with an empty word failed");
  if (argtest(wrong) != 1)
    fail("argtest did not notice a wrong argument (its exit status is lost?)");

  // Words of many lengths (0 to 23), to test the strings' alignment.
  argv[0] = "argtest";
  n = 2;
  for (i = 1; i <= 30; i++) {
    memset(words[i - 1], 'a' + i % 26, i % 24);
    argv[n++] = words[i - 1];
  }
  argv[n] = 0;
  make_spec(argv, n);
  if (argtest(argv) != 0)
    fail("argtest with words of many lengths failed");

  // Exactly MAXARG arguments, argv[0] and SPEC included.
  for (i = 2; i < MAXARG; i++)
    argv[i] = "w";
  argv[MAXARG] = 0;
  make_spec(argv, MAXARG);
  if (argtest(argv) != 0)
    fail("argtest with %d arguments failed", MAXARG);

  // One long argument.
  memset(longword, 'L', sizeof(longword) - 1);
  argv[2] = longword;
  argv[3] = 0;
  make_spec(argv, 3);
  if (argtest(argv) != 0)
    fail("argtest with a 1000-byte argument failed");
}

// exec frees the old image: a process that grew big, then exec'd, leaks
// nothing.
static void
execmem(void)
{
  int before, pid, st;

  before = freepages();
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    if (sbrk(64 * PGSIZE) == (char*)-1)
      exit(2);
    exec(EXIT0, exit0_argv);
    exit(1);
  }
  if (wait(&st) != pid || st != 0)
    fail("the big child's exec of exit0 failed (status %d)", st);
  if (pages_back(before, 20) != before)
    fail("free pages went from %d to %d", before, freepages());
}

// ---- files: helpers ----
//
// The file tests run in a scratch directory, utmp, that main makes in the
// current directory and removes at the end (see main), so whatever they
// leave behind is found (failing the test that left it) and removed, and
// the free blocks and inodes can be compared with the start.  Programs are
// exec'd by absolute path.

#define SCRATCH "utmp"

static char fbuf[8192];          // file contents, for the tests below
static char fbuf2[8192];
static char names[200][DIRSIZ + 1];

static void
put(int fd, const void *data, int n, const char *what)
{
  int r = write(fd, data, n);
  if (r != n)
    fail("write of %d bytes to %s returned %d", n, what, r);
}

// Create (or truncate) name, open for reading and writing.
static int
create(const char *name)
{
  int fd = open(name, O_CREATE | O_TRUNC | O_RDWR);
  if (fd < 0)
    fail("cannot create %s", name);
  return fd;
}

static void
writefile(const char *name, const char *text)
{
  int fd = create(name);
  put(fd, text, strlen(text), name);
  close(fd);
}

// Read all of name into buf (at most max bytes); the count.
static int
readfile(const char *name, char *buf, int max)
{
  int fd, n, total = 0;

  fd = open(name, O_RDONLY);
  if (fd < 0)
    fail("cannot open %s", name);
  while (total < max && (n = read(fd, buf + total, max - total)) > 0)
    total += n;
  if (total < max && n < 0)
    fail("read of %s failed", name);
  close(fd);
  return total;
}

static void
expect_file(const char *name, const char *text)
{
  int n = readfile(name, fbuf2, sizeof(fbuf2) - 1);
  fbuf2[n] = 0;
  if (n != strlen(text) || memcmp(fbuf2, text, n) != 0)
    fail("%s holds \"%s\", expected \"%s\"", name, fbuf2, text);
}

static void
expect_gone(const char *name)
{
  int fd = open(name, O_RDONLY);
  if (fd >= 0)
    fail("%s can still be opened", name);
}

static void
fstat_or_fail(int fd, struct stat *st, const char *what)
{
  if (fstat(fd, st) < 0)
    fail("fstat of %s failed", what);
}

static void
stat_or_fail(const char *name, struct stat *st)
{
  if (stat(name, st) < 0)
    fail("stat of %s failed", name);
}

// prefix followed by n in decimal, into dst.
static char*
mkname(char *dst, const char *prefix, int n)
{
  append_int(append(dst, prefix), n);
  return dst;
}

// The name of a directory entry as a C string.
static char*
entname(struct dirent *de)
{
  static char name[DIRSIZ + 1];
  memmove(name, de->name, DIRSIZ);
  name[DIRSIZ] = 0;
  return name;
}

// Read directory dir: the names in use go into names[] (at most 200); the count.
static int
listdir(const char *dir)
{
  struct dirent de;
  struct stat st;
  int fd, n, count = 0, bytes = 0;

  fd = open(dir, O_RDONLY);
  if (fd < 0)
    fail("cannot open directory %s", dir);
  fstat_or_fail(fd, &st, dir);
  if (st.type != T_DIR)
    fail("%s has type %d, not T_DIR", dir, st.type);
  while ((n = read(fd, &de, sizeof(de))) == sizeof(de)) {
    bytes += n;
    if (de.inum == 0)
      continue;
    if (count == 200)
      fail("more than 200 entries in %s", dir);
    strcpy(names[count++], entname(&de));
  }
  if (n != 0)
    fail("reading directory %s returned %d, not a whole entry", dir, n);
  if (bytes != st.size)
    fail("read %d bytes of directory %s, its size is %d", bytes, dir, (int)st.size);
  close(fd);
  return count;
}

// How many of the first n names[] are name.
static int
count_name(int n, const char *name)
{
  int i, c = 0;
  for (i = 0; i < n; i++)
    if (strcmp(names[i], name) == 0)
      c++;
  return c;
}

// A free-block or free-inode count (Pyrite's freeblocks or freeinodes
// call; -1 where the kernel does not have them), given up to `ticks` ticks
// to come back to `want` while the kernel finishes reaping.
static int
count_back(int (*count)(void), int want, int ticks)
{
  int n = count();
  while (want >= 0 && n != want && ticks-- > 0) {
    sleep(1);
    n = count();
  }
  return n;
}

static void
expect_counts(int blocks, int inodes, const char *when)
{
  int b, i;

  if (blocks >= 0 && (b = count_back(freeblocks, blocks, 10)) != blocks)
    fail("%s: free blocks are %d, expected %d", when, b, blocks);
  if (inodes >= 0 && (i = count_back(freeinodes, inodes, 10)) != inodes)
    fail("%s: free inodes are %d, expected %d", when, i, inodes);
}

// Remove path and, if it is a directory, what it holds (depth levels
// deep).  For cleaning up after tests; errors are ignored.
static char treepath[MAXPATH + 64];

static void
remove_tree1(int len, int depth)
{
  struct dirent de;
  struct stat st;
  char *name;
  int fd;

  if (depth > 0 && stat(treepath, &st) == 0 && st.type == T_DIR &&
      (fd = open(treepath, O_RDONLY)) >= 0) {
    while (read(fd, &de, sizeof(de)) == sizeof(de)) {
      name = entname(&de);
      if (de.inum == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        continue;
      if (len + 1 + DIRSIZ + 1 > sizeof(treepath))
        continue;
      treepath[len] = '/';
      strcpy(treepath + len + 1, name);
      remove_tree1(strlen(treepath), depth - 1);
      treepath[len] = 0;
    }
    close(fd);
  }
  unlink(treepath);
}

static void
remove_tree(const char *path)
{
  if (strlen(path) >= MAXPATH)
    return;
  strcpy(treepath, path);
  remove_tree1(strlen(treepath), 4);
}

// ---- files, directories, links ----

static void
createread(void)
{
  struct stat st;
  int fd, n;

  unlink("cr");
  fd = open("cr", O_RDONLY);
  if (fd >= 0)
    fail("opened a file that does not exist");
  fd = open("cr", O_CREATE | O_RDWR);
  if (fd < 0)
    fail("cannot create cr");
  if (fd != 3)
    fail("the first open returned fd %d, expected 3 (the lowest free)", fd);
  put(fd, "hello, ", 7, "cr");
  put(fd, "file ", 5, "cr");
  put(fd, "system\n", 7, "cr");
  if (write(fd, "x", 0) != 0)
    fail("a write of 0 bytes did not return 0");
  fstat_or_fail(fd, &st, "cr");
  if (st.type != T_FILE || st.nlink != 1 || st.size != 19 || st.ino == 0)
    fail("fstat: type %d nlink %d size %d ino %d, expected 2 1 19 and an inode",
         st.type, st.nlink, (int)st.size, st.ino);
  if (close(fd) != 0)
    fail("close returned an error");

  fd = open("cr", O_RDONLY);
  if (fd != 3)
    fail("reopening returned fd %d, expected 3", fd);
  n = read(fd, fbuf, 100);
  if (n != 19 || memcmp(fbuf, "hello, file system\n", 19) != 0)
    fail("read back %d bytes, not what was written", n);
  if (read(fd, fbuf, 100) != 0 || read(fd, fbuf, 100) != 0)
    fail("read at the end of the file did not return 0");
  close(fd);

  // Reads and writes share the offset: overwrite in the middle.
  fd = open("cr", O_RDWR);
  if (read(fd, fbuf, 5) != 5)
    fail("read of 5 bytes failed");
  put(fd, "!", 1, "cr");
  close(fd);
  expect_file("cr", "hello! file system\n");

  if (unlink("cr") != 0)
    fail("unlink failed");
  expect_gone("cr");
  if (unlink("cr") != -1)
    fail("a second unlink of cr did not fail");
}

static void
opentrunc(void)
{
  struct stat st;
  int fd, b0, i, used;

  writefile("tr", "abcdef");
  fd = open("tr", O_CREATE | O_RDWR);
  if (fd < 0)
    fail("O_CREATE of an existing file failed");
  fstat_or_fail(fd, &st, "tr");
  if (st.size != 6)
    fail("O_CREATE without O_TRUNC changed the size to %d", (int)st.size);
  close(fd);
  expect_file("tr", "abcdef");

  fd = open("tr", O_WRONLY | O_TRUNC);
  if (fd < 0)
    fail("open with O_TRUNC failed");
  fstat_or_fail(fd, &st, "tr");
  if (st.size != 0)
    fail("O_TRUNC left size %d", (int)st.size);
  put(fd, "xy", 2, "tr");
  close(fd);
  expect_file("tr", "xy");

  // Truncating gives the blocks back.
  b0 = freeblocks();
  fd = open("tr", O_WRONLY | O_TRUNC);
  memset(fbuf, 't', sizeof(fbuf));
  for (i = 0; i < 3; i++)
    put(fd, fbuf, sizeof(fbuf), "tr");    // 24 KiB: past the direct blocks
  close(fd);
  used = b0 + 1 - freeblocks();     // b0 counted with "xy"'s block in use
  if (b0 >= 0 && used < 24)
    fail("24 KiB took only %d blocks", used);
  fd = open("tr", O_RDWR | O_TRUNC);
  fstat_or_fail(fd, &st, "tr");
  if (st.size != 0)
    fail("O_TRUNC of 24 KiB left size %d", (int)st.size);
  if (read(fd, fbuf, 10) != 0)
    fail("a truncated file still has contents");
  close(fd);
  expect_counts(b0 >= 0 ? b0 + 1 : -1, -1, "after O_TRUNC");   // "xy"'s block went too
  if (unlink("tr") != 0)
    fail("unlink failed");
}

// xv6 cuts a path element longer than DIRSIZ to its first DIRSIZ bytes, in
// every call that takes a path; its programs rely on it.
static void
longnames(void)
{
  static char *argv[] = { "exit0", 0 };
  struct stat st;
  int pid, status;

  if (mkdir("12345678901234/") != 0 || mkdir("12345678901234/123456789012345") != 0)
    fail("mkdir with a long element failed");
  stat_or_fail("12345678901234/12345678901234", &st);
  if (st.type != T_DIR)
    fail("mkdir made type %d, not a directory", st.type);
  writefile("12345678901234/12345678901234/f23456789012345678", "cut");
  expect_file("12345678901234/12345678901234/f2345678901234", "cut");
  if (chdir("12345678901234/1234567890123456789") != 0)
    fail("chdir through a long element failed");
  expect_file("f2345678901234xyz", "cut");
  if (chdir("../..") != 0)
    fail("chdir .. failed");
  if (link("/exit0", "exit0exit0exit0exit0") != 0)
    fail("link to a long name failed");
  stat_or_fail("exit0exit0exit", &st);
  if (mknod("consoleconsoleconsole", CONSOLE_MAJOR, 0) != 0)
    fail("mknod with a long name failed");
  stat_or_fail("consoleconsole", &st);
  if (st.type != T_DEVICE)
    fail("mknod made type %d, not a device", st.type);
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    exec("exit0exit0exit0and more", argv);
    printf("usertests: longnames: exec of a long name failed\n");
    exit(1);
  }
  if (wait(&status) != pid || status != 0)
    fail("exec through a long name: status %d", status);
  if (unlink("exit0exit0exit0exit0") != 0 || unlink("consoleconsoleconsole") != 0 ||
      unlink("12345678901234/12345678901234/f2345678901234AAAA") != 0 ||
      unlink("12345678901234/123456789012345") != 0 || unlink("12345678901234") != 0)
    fail("unlink of a long name failed");
  expect_gone("exit0exit0exit");
  expect_gone("12345678901234");
}

// read at or past the end of a file returns 0, also when another
// descriptor truncated the file under this one's offset.
static void
readpastend(void)
{
  char buf[16];
  int fd, fd2;

  writefile("rp", "0123456789");
  fd = open("rp", O_RDONLY);
  if (fd < 0)
    fail("cannot open rp");
  if (read(fd, buf, 6) != 6)
    fail("read of 6 bytes failed");
  if (read(fd, buf, sizeof(buf)) != 4 || read(fd, buf, sizeof(buf)) != 0)
    fail("read to the end, then at the end, did not give 4 then 0");
  fd2 = open("rp", O_WRONLY | O_TRUNC);
  if (fd2 < 0)
    fail("cannot truncate rp");
  if (read(fd, buf, sizeof(buf)) != 0)
    fail("read past the end of a truncated file is not 0");
  put(fd2, "ab", 2, "rp");
  if (read(fd, buf, sizeof(buf)) != 0)
    fail("read still past the end after a short rewrite is not 0");
  close(fd);
  close(fd2);
  if (unlink("rp") != 0)
    fail("unlink of rp failed");
}

static void
openmodes(void)
{
  int fd;

  writefile("om", "data");
  fd = open("om", O_RDONLY);
  if (write(fd, "x", 1) != -1)
    fail("write to an O_RDONLY descriptor did not fail");
  if (read(fd, fbuf, 10) != 4)
    fail("read from an O_RDONLY descriptor failed");
  close(fd);

  fd = open("om", O_WRONLY);
  if (read(fd, fbuf, 1) != -1)
    fail("read from an O_WRONLY descriptor did not fail");
  put(fd, "D", 1, "om (O_WRONLY)");
  close(fd);
  expect_file("om", "Data");

  fd = open("om", O_RDWR);
  if (read(fd, fbuf, 1) != 1)
    fail("read from an O_RDWR descriptor failed");
  put(fd, "A", 1, "om (O_RDWR)");
  close(fd);
  expect_file("om", "DAta");

  if (mkdir("omd") != 0)
    fail("mkdir failed");
  if (open("omd", O_WRONLY) != -1)
    fail("open of a directory O_WRONLY did not fail");
  if (open("omd", O_RDWR) != -1)
    fail("open of a directory O_RDWR did not fail");
  if (open("omd", O_CREATE | O_RDWR) != -1)
    fail("open of a directory O_CREATE|O_RDWR did not fail");
  if (open("omd", O_CREATE) != -1)
    fail("O_CREATE of a name that is a directory did not fail");
  if (open(".", O_RDWR) != -1)
    fail("open of . O_RDWR did not fail");
  fd = open("omd", O_RDONLY);
  if (fd < 0)
    fail("open of a directory O_RDONLY failed");
  if (write(fd, "x", 1) != -1)
    fail("write to a directory did not fail");
  close(fd);
  if (unlink("om") != 0 || unlink("omd") != 0)
    fail("unlink failed");
}

static void
dirs(void)
{
  struct stat st, here, root, st2;

  stat_or_fail(".", &here);
  if (mkdir("dd") != 0)
    fail("mkdir dd failed");
  if (mkdir("dd") != -1)
    fail("mkdir of an existing directory did not fail");
  if (mkdir("dd/ee") != 0)
    fail("mkdir dd/ee failed");
  writefile("dd/ee/ff", "deep");
  if (mkdir("dd/ee/ff") != -1)
    fail("mkdir of an existing file's name did not fail");
  stat_or_fail("dd", &st);
  if (st.type != T_DIR || st.size % sizeof(struct dirent) != 0 ||
      st.size < 3 * sizeof(struct dirent) || st.nlink < 1)
    fail("dd: type %d size %d nlink %d", st.type, (int)st.size, st.nlink);

  if (chdir("dd") != 0)
    fail("chdir dd failed");
  expect_file("ee/ff", "deep");
  expect_file("./ee/../ee/./ff", "deep");
  stat_or_fail("..", &st);
  if (st.ino != here.ino)
    fail("dd/.. is inode %d, the directory above is %d", st.ino, here.ino);
  if (chdir("ee") != 0)
    fail("chdir ee failed");
  expect_file("ff", "deep");
  expect_file("../../dd/ee/ff", "deep");
  writefile("../gg", "made from below");
  if (chdir("../..") != 0)
    fail("chdir ../.. failed");
  stat_or_fail(".", &st);
  if (st.ino != here.ino)
    fail("chdir ../.. went to inode %d, not %d", st.ino, here.ino);
  expect_file("dd/gg", "made from below");

  if (chdir("nosuchdir") != -1)
    fail("chdir to a missing directory did not fail");
  if (chdir("dd/ee/ff") != -1)
    fail("chdir to a file did not fail");
  if (mkdir("nosuchdir/x") != -1)
    fail("mkdir in a missing directory did not fail");

  // The root is its own parent.
  stat_or_fail("/", &root);
  if (root.type != T_DIR)
    fail("/ is not a directory");
  stat_or_fail("/..", &st);
  stat_or_fail("/.", &st2);
  if (st.ino != root.ino || st2.ino != root.ino)
    fail("/.. or /. is not /");

  if (unlink("dd/ee/ff") != 0 || unlink("dd/gg") != 0 || unlink("dd/ee") != 0 ||
      unlink("dd") != 0)
    fail("cleaning up failed");
  expect_gone("dd");
}

static void
dirents(void)
{
  static const char *want[] = { ".", "..", "a", "bb", "abcdefghijklmn", "sub" };
  struct stat dl, sub, here;
  struct dirent de;
  int i, n, fd;

  stat_or_fail(".", &here);
  if (mkdir("dl") != 0 || mkdir("dl/sub") != 0)
    fail("mkdir failed");
  writefile("dl/a", "");
  writefile("dl/bb", "x");
  writefile("dl/abcdefghijklmn", "a name of DIRSIZ characters");
  stat_or_fail("dl", &dl);
  stat_or_fail("dl/sub", &sub);

  n = listdir("dl");
  if (n != 6)
    fail("dl has %d entries, expected 6", n);
  for (i = 0; i < 6; i++)
    if (count_name(n, want[i]) != 1)
      fail("dl has %d entries named \"%s\"", count_name(n, want[i]), want[i]);
  expect_file("dl/abcdefghijklmn", "a name of DIRSIZ characters");

  // The inode numbers of . and .. and sub.
  fd = open("dl", O_RDONLY);
  while (read(fd, &de, sizeof(de)) == sizeof(de)) {
    if (de.inum == 0)
      continue;
    if (strcmp(entname(&de), ".") == 0 && de.inum != dl.ino)
      fail(". in dl is inode %d, dl is %d", de.inum, dl.ino);
    if (strcmp(entname(&de), "..") == 0 && de.inum != here.ino)
      fail(".. in dl is inode %d, its parent is %d", de.inum, here.ino);
    if (strcmp(entname(&de), "sub") == 0 && de.inum != sub.ino)
      fail("sub in dl is inode %d, stat says %d", de.inum, sub.ino);
  }
  close(fd);

  // One read can return many entries.
  fd = open("dl", O_RDONLY);
  n = read(fd, fbuf, sizeof(fbuf));
  if (n != dl.size)
    fail("a big read of dl returned %d bytes, its size is %d", n, (int)dl.size);
  close(fd);

  if (unlink("dl/bb") != 0)
    fail("unlink dl/bb failed");
  n = listdir("dl");
  if (n != 5 || count_name(n, "bb") != 0)
    fail("after unlink of dl/bb: %d entries, %d named bb", n, count_name(n, "bb"));

  if (unlink("dl/a") != 0 || unlink("dl/abcdefghijklmn") != 0 ||
      unlink("dl/sub") != 0 || unlink("dl") != 0)
    fail("cleaning up failed");
}

static void
unlinkdir(void)
{
  if (mkdir("ud") != 0)
    fail("mkdir failed");
  writefile("ud/f", "x");
  if (unlink("ud") != -1)
    fail("unlink of a directory holding a file did not fail");
  if (unlink(".") != -1)
    fail("unlink(\".\") did not fail");
  if (unlink("..") != -1)
    fail("unlink(\"..\") did not fail");
  if (unlink("ud/.") != -1)
    fail("unlink(\"ud/.\") did not fail");
  if (unlink("ud/..") != -1)
    fail("unlink(\"ud/..\") did not fail");
  if (chdir("ud") != 0)
    fail("chdir failed");
  if (unlink(".") != -1 || unlink("..") != -1)
    fail("unlink of . or .. inside ud did not fail");
  if (chdir("..") != 0)
    fail("chdir .. failed");
  expect_file("ud/f", "x");

  if (mkdir("ud/sub") != 0)
    fail("mkdir ud/sub failed");
  if (unlink("ud/f") != 0)
    fail("unlink ud/f failed");
  if (unlink("ud") != -1)
    fail("unlink of a directory holding a directory did not fail");
  if (unlink("ud/sub") != 0)
    fail("unlink of the empty ud/sub failed");
  // Only free slots besides . and .. now: empty.
  if (unlink("ud") != 0)
    fail("unlink of the emptied ud failed");
  expect_gone("ud");
  if (unlink("nosuch") != -1)
    fail("unlink of a missing name did not fail");
}

static void
linkunlink(void)
{
  struct stat st1, st2;
  int fd, b0, i0;

  b0 = freeblocks();
  i0 = freeinodes();
  writefile("lk1", "hello");
  if (link("lk1", "lk2") != 0)
    fail("link failed");
  stat_or_fail("lk1", &st1);
  stat_or_fail("lk2", &st2);
  if (st1.ino != st2.ino || st1.nlink != 2 || st2.nlink != 2)
    fail("after link: inodes %d and %d, nlink %d and %d", st1.ino, st2.ino,
         st1.nlink, st2.nlink);
  if (link("lk1", "lk2") != -1)
    fail("link to an existing name did not fail");
  if (link("nosuch", "lk3") != -1)
    fail("link of a missing file did not fail");
  if (link("lk1", "nosuchdir/lk3") != -1)
    fail("link into a missing directory did not fail");
  if (mkdir("lkd") != 0)
    fail("mkdir failed");
  if (link("lkd", "lkd2") != -1)
    fail("link of a directory did not fail");
  if (unlink("lkd") != 0)
    fail("unlink lkd failed");

  if (unlink("lk1") != 0)
    fail("unlink lk1 failed");
  expect_gone("lk1");
  expect_file("lk2", "hello");
  stat_or_fail("lk2", &st2);
  if (st2.nlink != 1)
    fail("after unlinking lk1, lk2 has nlink %d", st2.nlink);

  // The last name goes, but the open file lives on until it is closed.
  fd = open("lk2", O_RDWR);
  if (fd < 0)
    fail("cannot open lk2");
  if (unlink("lk2") != 0)
    fail("unlink lk2 failed");
  expect_gone("lk2");
  fstat_or_fail(fd, &st2, "the unlinked file");
  if (st2.nlink != 0)
    fail("an unlinked open file has nlink %d", st2.nlink);
  if (read(fd, fbuf, 10) != 5 || memcmp(fbuf, "hello", 5) != 0)
    fail("an unlinked open file lost its contents");
  put(fd, " again", 6, "the unlinked file");
  if (i0 >= 0 && freeinodes() != i0 - 1)
    fail("the inode of an unlinked open file was freed");
  close(fd);
  expect_counts(b0, i0, "after closing the unlinked file");
}

// A process that exits with an unlinked file open gives it back.
static void
openexit(void)
{
  int pid, st, b0, i0;

  b0 = freeblocks();
  i0 = freeinodes();
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    int fd = create("oe");
    memset(fbuf, 'o', sizeof(fbuf));
    put(fd, fbuf, sizeof(fbuf), "oe");
    if (unlink("oe") != 0)
      exit(2);
    exit(0);            // fd still open
  }
  if (wait(&st) != pid || st != 0)
    fail("the child failed (status %d)", st);
  expect_gone("oe");
  expect_counts(b0, i0, "after the child exited");
}

// Past the direct blocks (11), the indirect ones (256) and into the
// doubly-indirect ones: 11 + 256 + 300 KiB, and a bit.
#define BIGSIZE ((11 + 256 + 300) * 1024 + 77)

static char
bigbyte(int off)
{
  return (off % 251) ^ (off / 1024);
}

static void
bigfile(void)
{
  static int wsizes[] = { 1, 1000, 1024, 4096, 3000, 7, 8192 };
  static int rsizes[] = { 4096, 999, 8192, 1, 2048, 5000 };
  struct stat st;
  int fd, off, n, i, k, b0, used;

  b0 = freeblocks();
  fd = create("big");
  for (off = 0, k = 0; off < BIGSIZE; off += n, k++) {
    n = wsizes[k % 7];
    if (n > BIGSIZE - off)
      n = BIGSIZE - off;
    for (i = 0; i < n; i++)
      fbuf[i] = bigbyte(off + i);
    i = write(fd, fbuf, n);
    if (i != n)
      fail("write of %d bytes at offset %d returned %d", n, off, i);
  }
  fstat_or_fail(fd, &st, "big");
  if (st.size != BIGSIZE)
    fail("size is %d, expected %d", (int)st.size, BIGSIZE);
  close(fd);
  if (b0 >= 0) {
    used = b0 - freeblocks();
    n = (BIGSIZE + 1023) / 1024;
    if (used < n || used > n + 8)
      fail("%d KiB used %d blocks", n, used);
  }

  fd = open("big", O_RDONLY);
  if (fd < 0)
    fail("cannot reopen big");
  for (off = 0, k = 0; off < BIGSIZE; off += n, k++) {
    n = read(fd, fbuf, rsizes[k % 6]);
    if (n <= 0)
      fail("read at offset %d returned %d", off, n);
    for (i = 0; i < n; i++)
      if (fbuf[i] != bigbyte(off + i))
        fail("wrong byte at offset %d", off + i);
  }
  if (off != BIGSIZE || read(fd, fbuf, 10) != 0)
    fail("read %d bytes, no end of file after %d", off, BIGSIZE);
  close(fd);
  if (unlink("big") != 0)
    fail("unlink failed");
  expect_counts(b0, -1, "after unlinking big");
}

#define NMANY 100

static void
manyfiles(void)
{
  char name[32];
  int i, n, fd;

  if (mkdir("mf") != 0)
    fail("mkdir failed");
  for (i = 0; i < NMANY; i++) {
    mkname(name, "mf/f", i);
    fd = open(name, O_CREATE | O_RDWR);
    if (fd < 0)
      fail("cannot create file %d", i);
    put(fd, name, strlen(name), name);
    close(fd);
  }
  n = listdir("mf");
  if (n != NMANY + 2)
    fail("mf has %d entries, expected %d", n, NMANY + 2);
  for (i = 0; i < NMANY; i++) {
    mkname(name, "f", i);
    if (count_name(n, name) != 1)
      fail("mf has %d entries named %s", count_name(n, name), name);
  }
  for (i = 0; i < NMANY; i++) {
    mkname(name, "mf/f", i);
    expect_file(name, name);
    if (unlink(name) != 0)
      fail("cannot unlink %s", name);
  }
  n = listdir("mf");
  if (n != 2)
    fail("mf has %d entries after removing every file", n);
  if (unlink("mf") != 0)
    fail("cannot unlink mf");
}

// 4 processes in one directory: they create and remove the same 30 names
// over and over, and each makes 15 names of its own.  Afterwards the
// directory holds no name twice, every own name, and only good files.
#define NCONC_FS 4
#define NSHARED 30
#define NOWN 15

static void
concreate(void)
{
  char name[32];
  struct stat st;
  int k, r, i, n, fd, pid, st1, b0, i0, bad = 0;

  b0 = freeblocks();
  i0 = freeinodes();
  if (mkdir("cc") != 0)
    fail("mkdir failed");
  for (k = 0; k < NCONC_FS; k++) {
    pid = fork();
    if (pid < 0)
      fail("fork failed");
    if (pid == 0) {
      for (r = 0; r < 3; r++) {
        for (i = 0; i < NSHARED; i++) {
          mkname(name, "cc/s", i);
          if ((i + k + r) % 3 == 0) {
            unlink(name);       // may be gone already
          } else {
            fd = open(name, O_CREATE | O_RDWR);
            if (fd < 0)
              exit(1);
            if (write(fd, "k", 1) != 1)
              exit(2);
            close(fd);
          }
        }
        for (i = r * NOWN / 3; i < (r + 1) * NOWN / 3; i++) {
          mkname(name, "cc/p", k);
          mkname(name + strlen(name), "_", i);
          fd = open(name, O_CREATE | O_RDWR);
          if (fd < 0)
            exit(3);
          close(fd);
        }
      }
      exit(0);
    }
  }
  for (k = 0; k < NCONC_FS; k++) {
    if (wait(&st1) < 0)
      fail("lost a child");
    if (st1 != 0) {
      printf("usertests: concreate: a child failed with status %d\n", st1);
      bad++;
    }
  }
  if (bad)
    fail("%d children failed", bad);

  n = listdir("cc");
  for (i = 0; i < n; i++) {
    if (count_name(n, names[i]) != 1)
      fail("%s appears %d times in the directory", names[i], count_name(n, names[i]));
    if (names[i][0] == 's') {
      name[0] = 0;
      append(append(name, "cc/"), names[i]);
      stat_or_fail(name, &st);
      if (st.type != T_FILE || st.size != 1 || st.nlink != 1)
        fail("%s: type %d size %d nlink %d", name, st.type, (int)st.size, st.nlink);
    } else if (names[i][0] != 'p' && strcmp(names[i], ".") != 0 &&
               strcmp(names[i], "..") != 0) {
      fail("a stray name %s", names[i]);
    }
  }
  for (k = 0; k < NCONC_FS; k++) {
    for (i = 0; i < NOWN; i++) {
      mkname(name, "p", k);
      mkname(name + strlen(name), "_", i);
      if (count_name(n, name) != 1)
        fail("%s is missing", name);
    }
  }
  for (i = 0; i < n; i++) {
    if (strcmp(names[i], ".") == 0 || strcmp(names[i], "..") == 0)
      continue;
    name[0] = 0;
    append(append(name, "cc/"), names[i]);
    if (unlink(name) != 0)
      fail("cannot unlink %s", name);
  }
  if (unlink("cc") != 0)
    fail("cannot unlink cc");
  expect_counts(b0, i0, "after removing everything");
}

static void
fstats(void)
{
  struct stat st;
  char *end;
  int fd;

  fd = create("fs");
  memset(fbuf, 'f', 1500);
  put(fd, fbuf, 1500, "fs");
  fstat_or_fail(fd, &st, "fs");
  if (st.type != T_FILE || st.nlink != 1 || st.size != 1500 || st.ino == 0)
    fail("file: type %d nlink %d size %d ino %d", st.type, st.nlink, (int)st.size, st.ino);
  if (fstat(fd, (struct stat*)KERNBASE) != -1)
    fail("fstat into kernel memory did not fail");
  if (fstat(fd, (struct stat*)UNMAPPED) != -1)
    fail("fstat into unmapped memory did not fail");
  end = sbrk(PGSIZE) + PGSIZE;
  if (fstat(fd, (struct stat*)(end - 8)) != -1)
    fail("fstat into a buffer crossing the end of memory did not fail");
  close(fd);
  unlink("fs");

  fd = open(".", O_RDONLY);
  fstat_or_fail(fd, &st, ".");
  if (st.type != T_DIR || st.size % sizeof(struct dirent) != 0 ||
      st.size < 2 * sizeof(struct dirent) || st.nlink < 1)
    fail("directory: type %d nlink %d size %d", st.type, st.nlink, (int)st.size);
  close(fd);

  // init made /console (docs/abi.md).
  fd = open("/console", O_RDWR);
  if (fd < 0)
    fail("cannot open /console");
  fstat_or_fail(fd, &st, "/console");
  if (st.type != T_DEVICE || st.nlink != 1)
    fail("/console: type %d nlink %d, expected T_DEVICE and 1", st.type, st.nlink);
  close(fd);
}

static void
devices(void)
{
  static const char msg[] = "usertests: devices: this line went through a device file\n";
  struct stat st;
  int fd;

  unlink("cn");
  if (mknod("cn", 1, 0) != 0)
    fail("mknod failed");
  if (mknod("cn", 1, 0) != -1)
    fail("mknod of an existing name did not fail");
  if (mknod("nosuchdir/cn", 1, 0) != -1)
    fail("mknod in a missing directory did not fail");
  stat_or_fail("cn", &st);
  if (st.type != T_DEVICE || st.nlink != 1)
    fail("the device file has type %d nlink %d", st.type, st.nlink);
  fd = open("cn", O_WRONLY);
  if (fd < 0)
    fail("cannot open the device file");
  fstat_or_fail(fd, &st, "the device file");
  if (st.type != T_DEVICE)
    fail("the open device has type %d", st.type);
  put(fd, msg, sizeof(msg) - 1, "the console device");
  close(fd);
  if (unlink("cn") != 0)
    fail("unlink failed");

  // A major number no driver has: open or the transfer fails.
  unlink("nodev");
  if (mknod("nodev", 99, 0) != 0)
    fail("mknod of major 99 failed");
  fd = open("nodev", O_RDWR);
  if (fd >= 0 && (write(fd, "x", 1) != -1 || read(fd, fbuf, 1) != -1))
    fail("a device with no driver could be written or read");
  if (fd >= 0)
    close(fd);
  if (unlink("nodev") != 0)
    fail("unlink nodev failed");
}

// ---- pipes ----

#define PIPEBIG (100 * 1024 + 3)

static char
pipebyte(int off)
{
  return off * 13 + off / 256;
}

static void
pipebig(void)
{
  static int wsizes[] = { 1, 4096, 333, 8192, 17, 1000 };
  static int rsizes[] = { 4096, 1, 100, 8192, 555 };
  int p[2], pid, off, n, i, k, st;

  if (pipe(p) != 0)
    fail("pipe failed");
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    close(p[0]);
    for (off = 0, k = 0; off < PIPEBIG; off += n, k++) {
      n = wsizes[k % 6];
      if (n > PIPEBIG - off)
        n = PIPEBIG - off;
      for (i = 0; i < n; i++)
        fbuf[i] = pipebyte(off + i);
      if (write(p[1], fbuf, n) != n)
        exit(1);
    }
    exit(0);
  }
  close(p[1]);
  for (off = 0, k = 0; ; off += n, k++) {
    n = read(p[0], fbuf, rsizes[k % 5]);
    if (n < 0)
      fail("read returned %d", n);
    if (n == 0)
      break;
    for (i = 0; i < n; i++)
      if (fbuf[i] != pipebyte(off + i))
        fail("wrong byte at offset %d", off + i);
  }
  close(p[0]);
  if (off != PIPEBIG)
    fail("received %d bytes, sent %d", off, PIPEBIG);
  if (wait(&st) != pid || st != 0)
    fail("the writer failed (status %d)", st);
}

// NW writers each send PER bytes of their own letter; NR readers count
// what they get, each sends its counts back through a pipe of its own.
#define NW 4
#define NR 3
#define PER 3000

static void
pipemany(void)
{
  int data[2], result[NR][2], counts[NW + 1], sum[NW + 1];
  int i, k, n, pid, st, got, bad = 0;

  if (pipe(data) != 0)
    fail("pipe failed");
  for (k = 0; k < NR; k++)
    if (pipe(result[k]) != 0)
      fail("pipe failed");

  for (k = 0; k < NW; k++) {
    pid = fork();
    if (pid < 0)
      fail("fork failed");
    if (pid == 0) {
      close(data[0]);
      memset(fbuf, 'A' + k, 100);
      for (i = 0; i < PER; i += 100)
        if (write(data[1], fbuf, 100) != 100)
          exit(1);
      exit(0);
    }
  }
  for (k = 0; k < NR; k++) {
    pid = fork();
    if (pid < 0)
      fail("fork failed");
    if (pid == 0) {
      close(data[1]);
      memset(counts, 0, sizeof(counts));
      while ((n = read(data[0], fbuf, 64)) > 0) {
        for (i = 0; i < n; i++) {
          if (fbuf[i] >= 'A' && fbuf[i] < 'A' + NW)
            counts[fbuf[i] - 'A']++;
          else
            counts[NW]++;
        }
        yield();        // let the other readers have some
      }
      if (n < 0)
        exit(1);
      if (write(result[k][1], counts, sizeof(counts)) != sizeof(counts))
        exit(2);
      exit(0);
    }
  }
  // Only the children may hold the data pipe now: the readers see end of
  // file once the writers are done.
  close(data[0]);
  close(data[1]);

  memset(sum, 0, sizeof(sum));
  for (k = 0; k < NR; k++) {
    close(result[k][1]);
    for (got = 0; got < sizeof(counts); got += n) {
      n = read(result[k][0], (char*)counts + got, sizeof(counts) - got);
      if (n <= 0)
        fail("reader %d sent no counts", k);
    }
    close(result[k][0]);
    for (i = 0; i <= NW; i++)
      sum[i] += counts[i];
  }
  for (k = 0; k < NW + NR; k++) {
    if (wait(&st) < 0)
      fail("lost a child");
    if (st != 0)
      bad++;
  }
  if (bad)
    fail("%d children failed", bad);
  if (sum[NW] != 0)
    fail("the readers got %d bytes no writer sent", sum[NW]);
  for (k = 0; k < NW; k++)
    if (sum[k] != PER)
      fail("writer %d sent %d bytes, the readers got %d", k, PER, sum[k]);
}

static void
pipeeof(void)
{
  int p[2], pid, n, w, st;

  // Data first, then end of file.
  if (pipe(p) != 0)
    fail("pipe failed");
  put(p[1], "abc", 3, "the pipe");
  close(p[1]);
  if (read(p[0], fbuf, 10) != 3 || memcmp(fbuf, "abc", 3) != 0)
    fail("the data before end of file was lost");
  if (read(p[0], fbuf, 10) != 0 || read(p[0], fbuf, 10) != 0)
    fail("no end of file after the writer closed");
  close(p[0]);

  // No end of file while another process holds the write end.
  if (pipe(p) != 0)
    fail("pipe failed");
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    close(p[0]);
    sleep(5);
    write(p[1], "late", 4);
    exit(0);
  }
  close(p[1]);
  n = read(p[0], fbuf, 10);
  if (n != 4 || memcmp(fbuf, "late", 4) != 0)
    fail("read returned %d while a writer was still alive", n);
  if (read(p[0], fbuf, 10) != 0)
    fail("no end of file after the last writer exited");
  close(p[0]);
  if (wait(&st) != pid || st != 0)
    fail("the writer failed");

  // A dup of the write end is a writer too.
  if (pipe(p) != 0)
    fail("pipe failed");
  w = dup(p[1]);
  close(p[1]);
  put(w, "x", 1, "the dup'd write end");
  if (read(p[0], fbuf, 10) != 1)
    fail("the dup'd write end did not write");
  close(w);
  if (read(p[0], fbuf, 10) != 0)
    fail("no end of file after the dup was closed");
  close(p[0]);
}

#define NOREADER (256 * 1024)

static void
pipenoreader(void)
{
  int p[2], pid, r, st;
  char *big;

  if (pipe(p) != 0)
    fail("pipe failed");
  close(p[0]);
  if (write(p[1], "x", 1) != -1)
    fail("a write with no reader did not fail");
  if (write(p[1], "x", 1) != -1)
    fail("a second write with no reader did not fail");
  close(p[1]);

  // The reader goes away while the writer waits for room.
  big = sbrk(NOREADER);
  if (big == (char*)-1)
    fail("sbrk failed");
  memset(big, 'n', NOREADER);
  if (pipe(p) != 0)
    fail("pipe failed");
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    close(p[1]);
    read(p[0], fbuf, 10);
    sleep(2);
    exit(0);
  }
  close(p[0]);
  r = write(p[1], big, NOREADER);
  if (r == NOREADER)
    fail("all %d bytes were written, yet the reader read only 10", NOREADER);
  if (r < -1)
    fail("write returned %d", r);
  if (write(p[1], "x", 1) != -1)
    fail("a write after the reader exited did not fail");
  close(p[1]);
  if (wait(&st) != pid || st != 0)
    fail("the reader failed");
  // Still alive: a write to a pipe without readers does not kill.
}

// ---- descriptors: fork, exec, dup, bad ones ----

static void
forkfd(void)
{
  int fd, pid, st;

  fd = create("ff");
  put(fd, "a", 1, "ff");
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    if (write(fd, "bc", 2) != 2)
      exit(1);
    close(fd);
    exit(0);
  }
  if (wait(&st) != pid || st != 0)
    fail("the child could not write to the inherited descriptor");
  put(fd, "d", 1, "ff after the child closed its copy");
  close(fd);
  expect_file("ff", "abcd");
  unlink("ff");
}

// Parent and child write through the same descriptor at once: no write
// is lost or overwritten, the offset being shared.
#define SHARED_N 300
#define SHARED_SZ 10

static void
sharedfd(void)
{
  int fd, pid, st, i, n, np = 0, nc = 0;
  char c;

  fd = create("sf");
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  c = pid == 0 ? 'c' : 'p';
  memset(fbuf, c, SHARED_SZ);
  for (i = 0; i < SHARED_N; i++) {
    if (write(fd, fbuf, SHARED_SZ) != SHARED_SZ) {
      if (pid == 0)
        exit(1);
      fail("write %d failed", i);
    }
  }
  if (pid == 0)
    exit(0);
  if (wait(&st) != pid || st != 0)
    fail("the child's writes failed");
  close(fd);
  fd = open("sf", O_RDONLY);
  while ((n = read(fd, fbuf, sizeof(fbuf))) > 0) {
    for (i = 0; i < n; i++) {
      if (fbuf[i] == 'c')
        nc++;
      else if (fbuf[i] == 'p')
        np++;
      else
        fail("a byte that neither wrote");
    }
  }
  close(fd);
  if (nc != SHARED_N * SHARED_SZ || np != SHARED_N * SHARED_SZ)
    fail("%d bytes of the child's and %d of the parent's, expected %d each",
         nc, np, SHARED_N * SHARED_SZ);
  unlink("sf");
}

// Run fdwrite FD TEXT (see fdwrite.c); its exit status.
static int
fdwrite(int fd, char *text)
{
  static char num[12];
  char *argv[4];
  int pid, st;

  append_int(num, fd);
  argv[0] = "fdwrite";
  argv[1] = num;
  argv[2] = text;
  argv[3] = 0;
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    exec("/fdwrite", argv);
    exit(99);
  }
  if (wait(&st) != pid)
    fail("wait did not return the child");
  if (st == 99)
    fail("exec /fdwrite failed");
  return st;
}

static void
execfd(void)
{
  int fd, ro;

  fd = create("ef");
  put(fd, "<", 1, "ef");
  if (fdwrite(fd, "hello") != 0)
    fail("the exec'd program could not write to inherited fd %d", fd);
  put(fd, ">", 1, "ef");
  expect_file("ef", "<hello>");
  ro = open("ef", O_RDONLY);
  if (fdwrite(ro, "no") != 1)
    fail("the exec'd program could write to an inherited O_RDONLY descriptor");
  close(ro);
  if (fdwrite(ro, "no") != 1)
    fail("the exec'd program could write to a descriptor closed before exec");
  if (fdwrite(1, "") != 0)
    fail("the exec'd program has no fd 1");
  close(fd);
  expect_file("ef", "<hello>");
  unlink("ef");
}

static void
dupfd(void)
{
  int fd, d, x, y;

  fd = create("du");
  if (fd != 3)
    fail("create returned fd %d, expected 3", fd);
  d = dup(fd);
  if (d != 4)
    fail("dup returned %d, expected 4 (the lowest free)", d);
  put(fd, "ab", 2, "du");
  put(d, "cd", 2, "du (the dup)");
  close(fd);
  put(d, "ef", 2, "du (the dup, original closed)");
  x = dup(1);
  if (x != 3)
    fail("dup returned %d after closing 3, expected 3", x);
  close(x);
  close(0);
  y = dup(d);
  if (y != 0)
    fail("dup returned %d after closing 0, expected 0", y);
  put(y, "gh", 2, "du (fd 0)");
  close(y);
  close(d);
  expect_file("du", "abcdefgh");
  if (dup(-1) != -1 || dup(1000) != -1 || dup(d) != -1 || dup(10) != -1)
    fail("dup of a descriptor that is not open did not fail");
  unlink("du");
}

// A read of "bf" (10 bytes) into buf must fail.
static void
badread(char *buf, const char *what)
{
  int fd = open("bf", O_RDONLY);
  if (fd < 0)
    fail("cannot open bf");
  if (read(fd, buf, 10) != -1)
    fail("read into %s did not fail", what);
  close(fd);
}

static void
badfd(void)
{
  static int bad[] = { -1, 1000, 1 << 20, 0x7fffffff, 15, 10 };
  struct stat st;
  char *end;
  int fd, i, p[2];

  for (i = 0; i < 6; i++) {
    if (read(bad[i], fbuf, 1) != -1)
      fail("read of fd %d did not fail", bad[i]);
    if (write(bad[i], "x", 1) != -1)
      fail("write of fd %d did not fail", bad[i]);
    if (close(bad[i]) != -1)
      fail("close of fd %d did not fail", bad[i]);
    if (fstat(bad[i], &st) != -1)
      fail("fstat of fd %d did not fail", bad[i]);
    if (dup(bad[i]) != -1)
      fail("dup of fd %d did not fail", bad[i]);
  }
  writefile("bf", "0123456789");
  fd = open("bf", O_RDONLY);
  close(fd);
  if (read(fd, fbuf, 1) != -1)
    fail("read of a closed fd did not fail");
  if (close(fd) != -1)
    fail("a second close did not fail");

  // Each from a fresh descriptor, so that there is data to read.  (Whether
  // a failed read moves the offset is not part of the ABI.)
  badread((char*)KERNBASE, "kernel memory");
  badread((char*)UNMAPPED, "unmapped memory");
  badread((char*)TRAPFRAME, "the trapframe");
  badread((char*)badfd, "read-only program text");
  end = sbrk(PGSIZE) + PGSIZE;
  fd = open("bf", O_RDONLY);
  if (read(fd, end - 5, 10) > 5)
    fail("read past the end of memory claimed success");
  close(fd);

  if (pipe((int*)KERNBASE) != -1)
    fail("pipe into kernel memory did not fail");
  if (pipe((int*)UNMAPPED) != -1)
    fail("pipe into unmapped memory did not fail");
  if (pipe((int*)(end - 4)) != -1)
    fail("pipe into a buffer crossing the end of memory did not fail");
  // Failed pipes leak no descriptors: 3 is the lowest free still.
  if (pipe(p) != 0 || p[0] != 3 || p[1] != 4)
    fail("after the failed pipes, pipe returned %d %d, expected 3 4", p[0], p[1]);
  close(p[0]);
  close(p[1]);
  unlink("bf");
}

static char pathbuf[MAXPATH + 80];

static void
longpaths(void)
{
  int fd, i;

  memset(pathbuf, 'a', 199);
  pathbuf[199] = 0;
  if (open(pathbuf, O_CREATE | O_RDWR) != -1)
    fail("open of a 199-byte path did not fail");
  if (mkdir(pathbuf) != -1 || unlink(pathbuf) != -1 || chdir(pathbuf) != -1 ||
      mknod(pathbuf, 1, 0) != -1)
    fail("mkdir, unlink, chdir or mknod of a 199-byte path did not fail");
  writefile("lp", "x");
  if (link("lp", pathbuf) != -1 || link(pathbuf, "lp2") != -1)
    fail("link with a 199-byte path did not fail");

  // MAXPATH bytes with the NUL is the longest path: ././.../lpx is fine,
  // ././.../lpxy, one longer, is not -- though it names a file too.
  writefile("lpx", "x");
  writefile("lpxy", "x");
  for (i = 0; i < (MAXPATH - 4) / 2; i++)
    memmove(pathbuf + 2 * i, "./", 2);
  strcpy(pathbuf + 2 * i, "lpx");
  if (strlen(pathbuf) != MAXPATH - 1)
    fail("test bug: the path is %d long", strlen(pathbuf));
  fd = open(pathbuf, O_RDONLY);
  if (fd < 0)
    fail("open of a path of MAXPATH-1 characters failed");
  close(fd);
  strcpy(pathbuf + 2 * i, "lpxy");
  if (open(pathbuf, O_RDONLY) != -1)
    fail("open of a path of MAXPATH characters did not fail");
  unlink("lpx");
  unlink("lpxy");
  unlink("lp");
}

static void
badpath(void)
{
  char *end;

  if (open("nosuchdir/f", O_CREATE | O_RDWR) != -1)
    fail("create in a missing directory did not fail");
  if (open("nosuchdir/f", O_RDONLY) != -1)
    fail("open in a missing directory did not fail");
  if (mkdir("nosuchdir/d") != -1)
    fail("mkdir in a missing directory did not fail");

  writefile("bp", "x");
  if (open("bp/x", O_CREATE | O_RDWR) != -1)
    fail("create under a file did not fail");
  if (open("bp/x", O_RDONLY) != -1)
    fail("open under a file did not fail");
  if (open("bp/.", O_RDONLY) != -1)
    fail("open of bp/. (bp a file) did not fail");
  if (mkdir("bp/x") != -1)
    fail("mkdir under a file did not fail");
  if (unlink("bp/x") != -1)
    fail("unlink under a file did not fail");
  if (link("bp", "bp/x") != -1)
    fail("link under a file did not fail");
  if (mknod("bp/x", 1, 0) != -1)
    fail("mknod under a file did not fail");
  if (chdir("bp") != -1)
    fail("chdir to a file did not fail");

  if (open("", O_CREATE | O_RDWR) != -1 || mkdir("") != -1 || unlink("") != -1)
    fail("create, mkdir or unlink of the empty path did not fail");

  if (open((char*)KERNBASE, O_RDONLY) != -1 || open((char*)UNMAPPED, O_RDONLY) != -1)
    fail("open of a bad path pointer did not fail");
  if (mkdir((char*)KERNBASE) != -1 || unlink((char*)UNMAPPED) != -1 ||
      chdir((char*)KERNBASE) != -1 || mknod((char*)UNMAPPED, 1, 0) != -1)
    fail("mkdir, unlink, chdir or mknod of a bad path pointer did not fail");
  if (link((char*)KERNBASE, "x") != -1 || link("bp", (char*)UNMAPPED) != -1)
    fail("link with a bad path pointer did not fail");
  end = sbrk(PGSIZE) + PGSIZE;
  memcpy(end - 2, "bp", 2);
  if (open(end - 2, O_RDONLY) != -1)
    fail("open of a path running off the end of memory did not fail");
  expect_file("bp", "x");
  unlink("bp");
}

static char progbuf[32768];

static void
execfile(void)
{
  static char *argv[] = { "prog", 0 };
  int fd, n, pid, st, size;

  writefile("ne", "#!/bin/sh\necho this is not an ELF file\n");
  expect_exec_fails("ne", argv, "a text file made at run time");
  writefile("ne0", "");
  expect_exec_fails("ne0", argv, "an empty file");
  expect_exec_fails(".", argv, "a directory");
  expect_exec_fails("/", argv, "the root directory");

  // A real program, copied: whole it runs, cut short it does not.
  size = readfile(EXIT0, progbuf, sizeof(progbuf));
  if (size <= 0 || size == sizeof(progbuf))
    fail("cannot read %s whole into %d bytes (%d)", EXIT0, (int)sizeof(progbuf), size);
  fd = create("cp0");
  put(fd, progbuf, size, "cp0");
  close(fd);
  pid = fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    exec("cp0", argv);
    exit(99);
  }
  if (wait(&st) != pid || st != 0)
    fail("exec of a copy of %s failed (status %d)", EXIT0, st);
  for (n = 64 + 56; n < size; n += size / 3) {
    fd = create("cp0");
    put(fd, progbuf, n, "cp0");
    close(fd);
    expect_exec_fails("cp0", argv, "a truncated copy of exit0");
  }
  unlink("ne");
  unlink("ne0");
  unlink("cp0");
}

#define MAXTRY 1000

static void
outoffd(void)
{
  static int fds[MAXTRY];
  int n, i, fd, p[2];

  writefile("of", "x");
  for (n = 0; n < MAXTRY; n++) {
    fds[n] = open("of", O_RDONLY);
    if (fds[n] < 0)
      break;
  }
  if (n == MAXTRY)
    fail("%d opens and no limit", MAXTRY);
  if (n + 3 < 16)
    fail("only %d descriptors could be open", n + 3);
  if (dup(0) != -1)
    fail("dup with no descriptor free did not fail");
  if (pipe(p) != -1)
    fail("pipe with no descriptor free did not fail");
  close(fds[--n]);
  if (pipe(p) != -1)
    fail("pipe with one descriptor free did not fail");
  fd = open("of", O_RDONLY);
  if (fd < 0)
    fail("the failed pipe kept the free descriptor");
  close(fd);
  for (i = 0; i < n; i++)
    close(fds[i]);
  fd = open("of", O_RDONLY);
  if (fd != 3)
    fail("after closing them all, open returned %d", fd);
  close(fd);
  unlink("of");
  printf("usertests: outoffd: %d descriptors\n", n + 1 + 3);
}

static void
outofinodes(void)
{
  char name[32];
  int n, i, fd, i0, b0;

  i0 = freeinodes();
  b0 = freeblocks();
  if (mkdir("oi") != 0)
    fail("mkdir failed");
  for (n = 0; n < 100000; n++) {
    fd = open(mkname(name, "oi/i", n), O_CREATE | O_RDWR);
    if (fd < 0)
      break;
    close(fd);
  }
  if (n == 100000)
    fail("no limit after %d files", n);
  if (i0 >= 0 && (n != i0 - 1 || freeinodes() != 0))
    fail("made %d files with %d inodes free, %d still free", n, i0 - 1, freeinodes());
  if (i0 < 0 && n < 10)
    fail("only %d files could be made", n);
  if (mkdir("oi/d") != -1)
    fail("mkdir with no inode free did not fail");
  if (mknod("oi/c", 1, 0) != -1)
    fail("mknod with no inode free did not fail");
  for (i = 0; i < n; i++)
    if (unlink(mkname(name, "oi/i", i)) != 0)
      fail("cannot unlink %s", name);
  if (unlink("oi") != 0)
    fail("cannot unlink oi");
  expect_counts(b0, i0, "after removing them all");
  printf("usertests: outofinodes: %d files\n", n);
}

// Slow: fills the disk (several MiB through the log).
static void
outofblocks(void)
{
  struct stat st;
  int fd, r, total = 0, b0, i0, data;

  b0 = freeblocks();
  i0 = freeinodes();
  fd = create("ob");
  memset(fbuf, 'b', 4096);
  for (;;) {
    r = write(fd, fbuf, 4096);
    if (r > 0)
      total += r;
    if (r < 4096)
      break;
    if (total > (64 << 20))
      fail("wrote 64 MiB to an 8 MiB disk");
  }
  if (write(fd, fbuf, 1024) > 0)
    fail("a write to the full disk succeeded");
  fstat_or_fail(fd, &st, "ob");
  if (st.size != total)
    fail("wrote %d bytes, the size is %d", total, (int)st.size);
  // Nearly every block holds data: the rest went to indirect blocks.
  if (b0 >= 0) {
    data = b0 - b0 / 256 - 16;
    if (total / 1024 < data)
      fail("only %d KiB fit in %d free blocks", total / 1024, b0);
  }
  // Everything else still works, or fails cleanly.
  if (mkdir("obd") == 0)
    unlink("obd");
  close(fd);
  if (unlink("ob") != 0)
    fail("cannot unlink ob");
  expect_counts(b0, i0, "after removing the file");
  writefile("ob2", "the disk has room again");
  expect_file("ob2", "the disk has room again");
  unlink("ob2");
  printf("usertests: outofblocks: %d KiB filled the disk\n", total / 1024);
}

// ---- the table and the runner ----

#define FILES  1        // needs the file system: skipped if there is none
#define SLOW   2        // run only when named (or with -a)

struct test {
  void (*fn)(void);
  const char *name;
  int flags;
  int timeout;          // ticks; 0 for TIMEOUT
};

static struct test tests[] = {
  { forkwait, "forkwait" },
  { waitnull, "waitnull" },
  { waitnochild, "waitnochild" },
  { getpids, "getpid" },
  { forkmem, "forkmem" },
  { zombies, "zombies" },
  { orphan, "orphan" },
  { forktree, "forktree" },
  { forkchain, "forkchain" },
  { forkleak, "forkleak" },
  { killsleep, "killsleep" },
  { killspin, "killspin" },
  { killwait, "killwait" },
  { killself, "killself" },
  { killzombie, "killzombie" },
  { killbad, "killbad" },
  { killpiperead, "killpiperead" },
  { killpipewrite, "killpipewrite" },
  { faults, "faults" },
  { stackoverflow, "stackoverflow" },
  { regs, "regs" },
  { sleeps, "sleep" },
  { uptimes, "uptime" },
  { yields, "yield" },
  { sbrkbasic, "sbrkbasic" },
  { sbrksmall, "sbrksmall" },
  { sbrkshrink, "sbrkshrink" },
  { sbrkhuge, "sbrkhuge" },
  { sbrkbelow, "sbrkbelow" },
  { sbrkfork, "sbrkfork" },
  { freepage_count, "freepages" },
  { mallocs, "malloc" },
  { badwrite, "badwrite" },
  { badwait, "badwait" },
  { badexec, "badexec" },
  { badelfs, "badelf" },
  { badsyscall, "badsyscall" },
  { execargs, "execargs" },
  { execmem, "execmem" },
  { createread, "createread", FILES },
  { opentrunc, "opentrunc", FILES },
  { openmodes, "openmodes", FILES },
  { longnames, "longnames", FILES },
  { readpastend, "readpastend", FILES },
  { dirs, "dirs", FILES },
  { dirents, "dirents", FILES },
  { unlinkdir, "unlinkdir", FILES },
  { linkunlink, "linkunlink", FILES },
  { openexit, "openexit", FILES },
  { bigfile, "bigfile", FILES, 3000 },
  { manyfiles, "manyfiles", FILES, 3000 },
  { concreate, "concreate", FILES, 3000 },
  { fstats, "fstat", FILES },
  { devices, "devices", FILES },
  { pipebig, "pipebig", FILES },
  { pipemany, "pipemany", FILES },
  { pipeeof, "pipeeof", FILES },
  { pipenoreader, "pipenoreader", FILES },
  { forkfd, "forkfd", FILES },
  { sharedfd, "sharedfd", FILES },
  { execfd, "execfd", FILES },
  { dupfd, "dup", FILES },
  { badfd, "badfd", FILES },
  { longpaths, "longpath", FILES },
  { badpath, "badpath", FILES },
  { execfile, "execfile", FILES },
  { outoffd, "outoffd", FILES },
  { outofinodes, "outofinodes", FILES, 3000 },
  { proc512, "proc512" },
  { forkbomb, "forkbomb" },
  { sbrkall, "sbrkall" },
  { outofblocks, "outofblocks", FILES | SLOW, 6000 },
  { 0, 0 },
};

static int have_fs;             // the scratch directory is there: tests run in it

// Whatever is in the scratch directory (the current one) besides . and
// .. was left by `who`: say so, and remove it, so that the next test
// starts clean.  The count of names found.
static int
leftovers(const char *who)
{
  struct dirent de;
  char *name;
  int fd, n = 0;

  fd = open(".", O_RDONLY);
  if (fd < 0) {
    printf("usertests: %s: cannot open the directory %s\n", who, SCRATCH);
    return 1;
  }
  while (read(fd, &de, sizeof(de)) == sizeof(de)) {
    name = entname(&de);
    if (de.inum == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
      continue;
    printf("usertests: %s: left %s in %s\n", who, name, SCRATCH);
    remove_tree(name);
    n++;
  }
  close(fd);
  return n;
}

// Run one test in a child, with a watchdog child that exits after the
// test's timeout; whichever ends first decides.  Returns 1 if the test passed.
static int
run(struct test *t)
{
  int pid, dog, w, st = 12345, before, after, bbefore, ibefore, n, ok;

  testname = t->name;
  before = freepages();
  bbefore = freeblocks();
  ibefore = freeinodes();
  // The watchdog first: a test that counts free pages when it starts must
  // not see the watchdog's fork take some (the scheduler may run the test
  // before this process gets to its next fork).
  dog = fork();
  if (dog == 0) {
    sleep(t->timeout ? t->timeout : TIMEOUT);
    exit(0);
  }
  pid = fork();
  if (pid < 0) {
    printf("usertests: %s: fork failed\n", t->name);
    printf("test %s: FAILED\n", t->name);
    if (dog > 0) {
      kill(dog);
      wait(0);
    }
    return 0;
  }
  if (pid == 0) {
    t->fn();
    exit(0);
  }
  for (;;) {
    w = wait(&st);
    if (w == pid || w < 0)
      break;
    if (w == dog) {
      printf("usertests: %s: still running after %d ticks: killed\n", t->name,
             t->timeout ? t->timeout : TIMEOUT);
      kill(pid);
      dog = -1;
    }
  }
  if (dog > 0) {
    kill(dog);
    wait(0);
  }
  if (w != pid)
    st = -12345;

  // A page, block or inode lost, or a file left behind, fails the test
  // that did it (the final check would catch the loss too, but not say
  // who).  Dead processes may be freed a little after wait returns, hence
  // the grace period.
  ok = st == 0;
  after = pages_back(before, 20);
  if (after != before) {
    printf("usertests: %s: free pages went from %d to %d\n", t->name, before, after);
    ok = 0;
  }
  if (bbefore >= 0 && (n = count_back(freeblocks, bbefore, 20)) != bbefore) {
    printf("usertests: %s: free blocks went from %d to %d\n", t->name, bbefore, n);
    ok = 0;
  }
  if (ibefore >= 0 && (n = count_back(freeinodes, ibefore, 20)) != ibefore) {
    printf("usertests: %s: free inodes went from %d to %d\n", t->name, ibefore, n);
    ok = 0;
  }
  if (have_fs && leftovers(t->name))
    ok = 0;

  printf("test %s: %s\n", t->name, ok ? "OK" : "FAILED");
  return ok;
}

static struct test*
lookup(const char *name)
{
  struct test *t;
  for (t = tests; t->fn; t++)
    if (strcmp(t->name, name) == 0)
      return t;
  return 0;
}

// Make the scratch directory the file tests run in, and go there; 1 if
// that worked.  A scratch directory an interrupted run left is removed.
static int
enter_scratch(void)
{
  struct stat st;

  if (mkdir(SCRATCH) < 0 || chdir(SCRATCH) < 0) {
    printf("usertests: cannot make the directory %s: no file system? "
           "The file tests are skipped\n", SCRATCH);
    return 0;
  }
  if (stat(".", &st) < 0 || st.type != T_DIR) {
    printf("usertests: %s is not a directory\n", SCRATCH);
    return 0;
  }
  return 1;
}

static int passed, failed, skipped;

static void
run_counted(struct test *t)
{
  if ((t->flags & FILES) && !have_fs) {
    printf("test %s: SKIPPED\n", t->name);
    skipped++;
  } else if (run(t)) {
    passed++;
  } else {
    failed++;
  }
}

int
main(int argc, char *argv[])
{
  struct test *t;
  struct stat st;
  int i, n, ok, start, end, bstart, bend, istart, iend, bnone, inone;
  int all = argc < 2 || (argc == 2 && strcmp(argv[1], "-q") == 0);
  int slow_too = argc == 2 && strcmp(argv[1], "-a") == 0;

  mainpid = getpid();
  printf("usertests starting\n");
  if (stat(SCRATCH, &st) == 0) {
    printf("usertests: removing the %s an earlier run left\n", SCRATCH);
    remove_tree(SCRATCH);
  }
  // Make and remove the scratch directory once first: its entry in the
  // current directory may need a new block there, which stays (a
  // directory never shrinks), and that is no leak of the tests'.
  if (mkdir(SCRATCH) == 0)
    unlink(SCRATCH);
  bnone = freeblocks();
  inone = freeinodes();
  have_fs = enter_scratch();
  start = freepages();
  bstart = freeblocks();
  istart = freeinodes();

  if (all || slow_too) {
    for (t = tests; t->fn; t++) {
      if ((t->flags & SLOW) && !slow_too)
        printf("usertests: not running the slow test %s: run it by name\n", t->name);
      else
        run_counted(t);
    }
  } else {
    for (i = 1; i < argc; i++) {
      t = lookup(argv[i]);
      if (t == 0) {
        printf("usertests: no test named %s\n", argv[i]);
        failed++;
      } else {
        run_counted(t);
      }
    }
  }

  // The final check, made in the scratch directory before clean-up could
  // hide anything: every page, block and inode the tests used is free
  // again, and they left no files.
  ok = 1;
  end = pages_back(start, 50);
  bend = count_back(freeblocks, bstart, 20);
  iend = count_back(freeinodes, istart, 20);
  printf("usertests: free pages at start %d, at end %d\n", start, end);
  if (bstart >= 0)
    printf("usertests: free blocks at start %d, at end %d\n", bstart, bend);
  if (istart >= 0)
    printf("usertests: free inodes at start %d, at end %d\n", istart, iend);
  if (end != start || bend != bstart || iend != istart)
    ok = 0;
  if (have_fs && leftovers("leaks"))
    ok = 0;

  // Clean up: removing the scratch directory gives back what making it took.
  if (have_fs) {
    if (chdir("..") < 0 || unlink(SCRATCH) < 0) {
      printf("usertests: leaks: cannot remove %s\n", SCRATCH);
      ok = 0;
    } else {
      if (bnone >= 0 && (n = count_back(freeblocks, bnone, 20)) != bnone) {
        printf("usertests: leaks: free blocks went from %d to %d with %s made and removed\n",
               bnone, n, SCRATCH);
        ok = 0;
      }
      if (inone >= 0 && (n = count_back(freeinodes, inone, 20)) != inone) {
        printf("usertests: leaks: free inodes went from %d to %d with %s made and removed\n",
               inone, n, SCRATCH);
        ok = 0;
      }
    }
  }
  printf("test leaks: %s\n", ok ? "OK" : "FAILED");
  if (ok)
    passed++;
  else
    failed++;

  if (skipped)
    printf("usertests: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
  else
    printf("usertests: %d passed, %d failed\n", passed, failed);
  exit(failed != 0);
}
