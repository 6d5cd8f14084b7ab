// usertests: the user-space test suite for processes, memory and bad system call arguments.
#include "user.h"

// Every test runs in a child process of its own, so a test that crashes or
// gets killed fails alone; the parent reads its exit status (0 = passed) and
// prints
//
//   test NAME: OK          or          test NAME: FAILED
//
// and at the very end, after a check that every physical page came back,
//
//   usertests: N passed, M failed
//
// A failing test says why on a line of its own before its FAILED line.  A
// watchdog process kills a test that runs longer than TIMEOUT ticks.
//
// Usage:  usertests [-q]        run every test
//         usertests NAME...     run only these
//
// Nearly all big arrays are static: a process has one page of stack.

#define PGSIZE   4096
#define TIMEOUT  1000           // ticks (100 s) before the watchdog strikes

// Addresses a user program must not be able to touch (ABI.md's layout).
#define MAXVA       (1ULL << 38)                 // top of the Sv39 user space
#define TRAMPOLINE  (MAXVA - PGSIZE)             // kernel's trap code page
#define TRAPFRAME   (TRAMPOLINE - PGSIZE)        // saved user registers
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
  address = TRAPFRAME;
  expect_fault(load_unmapped, "load from the trapframe");
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

// Registers other than a0 survive a system call (ABI.md).
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
  if (write(1, (char*)TRAPFRAME, 10) != -1)
    fail("write from the trapframe did not fail");
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
  memcpy(end - 5, "exit0", 5);
  expect_exec_fails(end - 5, exit0_argv, "an unterminated path");

  memset(longpath, 'a', sizeof(longpath) - 1);
  expect_exec_fails(longpath, exit0_argv, "a path longer than MAXPATH");

  expect_exec_fails("exit0", (char**)KERNBASE, "a kernel argv pointer");
  expect_exec_fails("exit0", (char**)UNMAPPED, "an unmapped argv pointer");
  expect_exec_fails("exit0", badstr_argv, "an argument pointing into the kernel");

  // An argv array with no NULL before the end of memory.
  argv = (char**)end - 1;
  argv[0] = "exit0";
  expect_exec_fails("exit0", argv, "an argv running off the end of memory");

  for (i = 0; i < MAXARG + 1; i++)
    many[i] = "a";
  many[MAXARG + 1] = 0;
  expect_exec_fails("exit0", many, "33 arguments");

  // 32 arguments of 200 bytes do not fit in one page of stack.
  memset(bigarg, 'b', sizeof(bigarg) - 1);
  for (i = 0; i < MAXARG; i++)
    many[i] = bigarg;
  many[MAXARG] = 0;
  expect_exec_fails("exit0", many, "arguments larger than the stack");
}

static void
badelfs(void)
{
  // Made by tools/mkprograms.py: see there for what is wrong with each.
  static char *names[] = {
    "badelf", "truncelf", "badseg", "hugeseg", "badsize", "badalign",
    "badarch", "notelf",
  };
  static char *argv[2];
  int i;

  for (i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++) {
    argv[0] = names[i];
    argv[1] = 0;
    expect_exec_fails(names[i], argv, names[i]);
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
    exec("argtest", argv);
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
    exec("exit0", exit0_argv);
    exit(1);
  }
  if (wait(&st) != pid || st != 0)
    fail("the big child's exec of exit0 failed (status %d)", st);
  if (pages_back(before, 20) != before)
    fail("free pages went from %d to %d", before, freepages());
}

// ---- the table and the runner ----

struct test {
  void (*fn)(void);
  const char *name;
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
  { proc512, "proc512" },
  { forkbomb, "forkbomb" },
  { sbrkall, "sbrkall" },
  { 0, 0 },
};

// Run one test in a child, with a watchdog child that exits after TIMEOUT
// ticks; whichever ends first decides.  Returns 1 if the test passed.
static int
run(struct test *t)
{
  int pid, dog, w, st = 12345, before, after;

  testname = t->name;
  before = freepages();
  pid = fork();
  if (pid < 0) {
    printf("usertests: %s: fork failed\n", t->name);
    printf("test %s: FAILED\n", t->name);
    return 0;
  }
  if (pid == 0) {
    t->fn();
    exit(0);
  }
  dog = fork();
  if (dog == 0) {
    sleep(TIMEOUT);
    exit(0);
  }
  for (;;) {
    w = wait(&st);
    if (w == pid || w < 0)
      break;
    if (w == dog) {
      printf("usertests: %s: still running after %d ticks: killed\n", t->name, TIMEOUT);
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

  // A page lost by one test would be caught by the final check; saying
  // which test lost it helps more.  Dead processes may be freed a little
  // after wait returns, hence the grace period.
  after = pages_back(before, 20);
  if (after != before)
    printf("usertests: %s: free pages went from %d to %d\n", t->name, before, after);

  printf("test %s: %s\n", t->name, st == 0 ? "OK" : "FAILED");
  return st == 0;
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

int
main(int argc, char *argv[])
{
  struct test *t;
  int i, passed = 0, failed = 0, start, end;
  int all = argc < 2 || (argc == 2 && strcmp(argv[1], "-q") == 0);

  mainpid = getpid();
  start = freepages();
  printf("usertests starting\n");

  if (all) {
    for (t = tests; t->fn; t++) {
      if (run(t))
        passed++;
      else
        failed++;
    }
  } else {
    for (i = 1; i < argc; i++) {
      t = lookup(argv[i]);
      if (t == 0) {
        printf("usertests: no test named %s\n", argv[i]);
        failed++;
      } else if (run(t)) {
        passed++;
      } else {
        failed++;
      }
    }
  }

  // No leaks: every page the tests used is free again.
  end = pages_back(start, 50);
  printf("usertests: free pages at start %d, at end %d\n", start, end);
  if (end == start) {
    printf("test leaks: OK\n");
    passed++;
  } else {
    printf("test leaks: FAILED\n");
    failed++;
  }

  printf("usertests: %d passed, %d failed\n", passed, failed);
  exit(failed != 0);
}
