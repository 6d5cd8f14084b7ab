// smpstress: processes and LWPs wake each other across harts, and no
// wake-up, token, child, page or heap byte goes missing.
//
//   smpstress [rounds [jobs]]   (default 2 rounds after a warm-up one; jobs:
//                          which of them run, 1 ring + 2 lwps + 4 churn, all)
//   smpstress spin [n]     n processes (4) spin at once; the harts each ran on
//   smpstress wire h [n]   wire(0, h), then n yields (200): each on hart h?
//   smpstress wirebad      wire() of a bad hart or pid returns -1
//
// Each round runs three workloads at once, each in a process of its own:
//
//   ring   RING processes joined in a ring of pipes pass RING_TOKENS
//          tokens along; a token makes RING_HOPS hops, then retires.
//   lwps   LWPS LWPs of one process pass LWP_TOKENS tokens round a ring
//          with lwp_park/lwp_unpark, LWP_HOPS hops in all.
//   churn  WAVES waves of CHILDREN children, each forking a grandchild
//          that rewrites a file and reads it back; every exit status
//          carries the harts it ran on and is checked by the parent.
//
// Every process counts what it sent and received, and on which hart
// (hartid()) it received it; the counts must add up at the end: every
// token sent arrived, every parked LWP was unparked (a park that times
// out twice while its token waits is a lost wake-up), every child was
// reaped with its status.  After each round but the warm-up (which lets
// the kernel's tables grow to their working size) the free pages, disk
// blocks and inodes, open files, inode references, processes and the
// kernel heap's live bytes are back where they were.  Last, a summary of
// what ran on each hart.  A wake-up lost in a pipe or a wait hangs the
// program: the test that runs it fails on its timeout.
#include "user.h"
#include "thread.h"

#define KSTAT_HEAP_RESET 2     // kstat(): collect, then the heap's live bytes
#define KSTAT_INODE_REFS 4     // (kernel/debug/faults.py)
#define KSTAT_OPEN_FILES 5
#define KSTAT_PROCS 7

#define RING 6
#define RING_TOKENS 24         // fewer than a pipe holds: a write never waits for ever
#define RING_HOPS 100
#define LWPS 6
#define LWP_TOKENS 8
#define LWP_HOPS 2000
#define WAVES 4
#define CHILDREN 8
#define PARK_TICKS 50          // 5 s: long past any waker's pending++ .. unpark
#define HEAP_SLACK 16384       // the heap's own bookkeeping, as torture allows

enum { RINGJOB, LWPJOB, CHURNJOB, NJOBS };
static char *job_names[] = { "ring", "lwps", "churn" };

// What a worker tells its parent, in one pipe write (a pipe write that
// fits in the pipe is never split between writers).
struct report {
  int job;
  int failed;                  // checks that failed (the worker said which)
  int sent, received;          // tokens, or children forked and reaped
  int lost;                    // wake-ups that never came
  int harts[NCPU];             // what was received on each hart
};

static int nharts_seen;
static int chosen = 7;                 // the jobs that run, a bit each

static void
fail(struct report *r, char *what, int got, int want)
{
  printf("smpstress: %s: %s: %d, expected %d\n", job_names[r->job], what, got, want);
  r->failed++;
}

static void
count_hart(struct report *r)
{
  int h = hartid();
  if (h < 0 || h >= NCPU || h >= nharts_seen) {
    fail(r, "hartid() out of range", h, 0);
    return;
  }
  r->harts[h]++;
}

static void
send_report(int fd, struct report *r)
{
  if (write(fd, r, sizeof(*r)) != sizeof(*r)) {
    printf("smpstress: %s: cannot send its report\n", job_names[r->job]);
    exit(1);
  }
}

static void
add_report(struct report *sum, struct report *r)
{
  sum->failed += r->failed;
  sum->sent += r->sent;
  sum->received += r->received;
  sum->lost += r->lost;
  for (int h = 0; h < NCPU; h++)
    sum->harts[h] += r->harts[h];
}

// ---- ring: tokens round a ring of processes and pipes ----

// Member i reads tokens (hops still to make) from in and passes them on
// to out; a token with no hop left retires, one byte down done.  -1
// stops the ring: each member passes it on but the last.
static void
ring_member(int i, int in, int out, int done, int report)
{
  struct report r = { RINGJOB };
  int token;
  while (read(in, &token, sizeof(token)) == sizeof(token)) {
    if (token < 0) {
      if (i < RING - 1)
        write(out, &token, sizeof(token));
      send_report(report, &r);
      exit(0);
    }
    r.received++;
    count_hart(&r);
    if (token == 0) {
      if (write(done, "x", 1) != 1)
        fail(&r, "write to done", 0, 1);
      continue;
    }
    token--;
    if (write(out, &token, sizeof(token)) != sizeof(token))
      fail(&r, "write to the next member", 0, 4);
    r.sent++;
  }
  fail(&r, "ring read ended before the stop token", 0, 1);
  send_report(report, &r);
  exit(1);
}

static void
ring(int report)
{
  struct report sum = { RINGJOB };
  // Made like a pipeline (a process has few descriptors): member i reads
  // the pipe the one before it writes; the last writes the first pipe,
  // whose write end the parent keeps to put the tokens in.
  int first[2], done[2], reports[2];
  if (pipe(first) < 0 || pipe(done) < 0 || pipe(reports) < 0) {
    printf("smpstress: ring: out of pipes\n");
    exit(1);
  }
  int in = first[0];
  for (int i = 0; i < RING; i++) {
    int next[2] = { -1, first[1] };
    if (i < RING - 1 && pipe(next) < 0) {
      printf("smpstress: ring: out of pipes\n");
      exit(1);
    }
    int pid = fork();
    if (pid < 0) {
      printf("smpstress: ring: fork failed\n");
      exit(1);
    }
    if (pid == 0) {
      for (int fd = 3; fd < NOFILE; fd++)
        if (fd != in && fd != next[1] && fd != done[1] && fd != reports[1])
          close(fd);
      ring_member(i, in, next[1], done[1], reports[1]);
    }
    close(in);
    if (i < RING - 1)
      close(next[1]);
    in = next[0];
  }
  close(done[1]);
  close(reports[1]);
  // Spread the tokens round the ring, then count them retiring.
  int token = RING_HOPS;
  for (int t = 0; t < RING_TOKENS; t++) {
    if (write(first[1], &token, sizeof(token)) != sizeof(token))
      fail(&sum, "write a token", 0, 4);
    sum.sent++;
  }
  char c;
  int retired = 0;
  while (retired < RING_TOKENS && read(done[0], &c, 1) == 1)
    retired++;
  if (retired != RING_TOKENS)
    fail(&sum, "tokens retired", retired, RING_TOKENS);
  int stop = -1;
  write(first[1], &stop, sizeof(stop));
  close(first[1]);
  struct report r;
  int members = 0;
  while (read(reports[0], &r, sizeof(r)) == sizeof(r)) {
    add_report(&sum, &r);
    members++;
  }
  int status, reaped = 0;
  while (wait(&status) > 0) {
    reaped++;
    if (status != 0)
      fail(&sum, "a ring member's exit status", status, 0);
  }
  if (members != RING || reaped != RING)
    fail(&sum, "ring members that reported, were reaped", members * 100 + reaped,
         RING * 100 + RING);
  if (sum.received != RING_TOKENS * (RING_HOPS + 1))
    fail(&sum, "tokens received", sum.received, RING_TOKENS * (RING_HOPS + 1));
  if (sum.sent != sum.received)
    fail(&sum, "tokens sent", sum.sent, sum.received);
  send_report(report, &sum);
  exit(sum.failed != 0);
}

// ---- lwps: tokens round a ring of LWPs, with park and unpark ----

static thread_t lwp[LWPS];
static struct report lwp_report[LWPS];
static volatile int pending[LWPS];     // tokens waiting for each LWP
static int hops_left, retired, done;
static int finished[LWPS];             // set by each LWP as it returns
static barrier_t start;

static void *
lwp_member(void *arg)
{
  int i = (int)(uint64)arg, next = (i + 1) % LWPS;
  struct report *r = &lwp_report[i];
  r->job = LWPJOB;
  barrier_wait(&start);                // every lid is known
  for (;;) {
    if (pending[i] > 0) {
      __atomic_fetch_sub(&pending[i], 1, __ATOMIC_ACQ_REL);
      r->received++;
      count_hart(r);
      if (__atomic_fetch_sub(&hops_left, 1, __ATOMIC_ACQ_REL) > 0) {
        __atomic_fetch_add(&pending[next], 1, __ATOMIC_ACQ_REL);
        r->sent++;
        // The next may take the token before this unpark, be the one to
        // retire the last token, and be gone: unpark then refuses.
        if (lwp_unpark(lwp[next].lid) < 0 && !__atomic_load_n(&finished[next], __ATOMIC_ACQUIRE))
          fail(r, "lwp_unpark", -1, 0);
      } else if (__atomic_add_fetch(&retired, 1, __ATOMIC_ACQ_REL) == LWP_TOKENS) {
        __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
        // One that saw done on its own may be gone already, as above.
        for (int j = 0; j < LWPS; j++)
          if (j != i && lwp_unpark(lwp[j].lid) < 0 &&
              !__atomic_load_n(&finished[j], __ATOMIC_ACQUIRE))
            fail(r, "lwp_unpark at the end", -1, 0);
      }
      continue;
    }
    if (__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
      __atomic_store_n(&finished[i], 1, __ATOMIC_RELEASE);
      return 0;
    }
    // An unpark that came before this park is remembered: a park
    // returns at once for a token sent since we looked.  One that times
    // out with a token waiting may have been unlucky (the waker between
    // its pending++ and its unpark); a second timeout is a lost wake-up.
    if (lwp_park(PARK_TICKS) < 0 && pending[i] > 0 && lwp_park(PARK_TICKS) < 0 &&
        pending[i] > 0) {
      r->lost++;
      printf("smpstress: lwps: lwp %d: a wake-up was lost\n", lwp[i].lid);
    }
  }
}

static void
lwps(int report)
{
  struct report sum = { LWPJOB };
  hops_left = LWP_HOPS;
  barrier_init(&start, LWPS + 1);
  for (int t = 0; t < LWP_TOKENS; t++)
    pending[t % LWPS]++;
  sum.sent = LWP_TOKENS;
  for (int i = 0; i < LWPS; i++)
    if (thread_create(&lwp[i], lwp_member, (void *)(uint64)i) < 0) {
      printf("smpstress: lwps: thread_create failed\n");
      exit(1);
    }
  barrier_wait(&start);
  int joined = 0;
  for (int i = 0; i < LWPS; i++)
    if (thread_join(&lwp[i], 0) == 0) {
      joined++;
      add_report(&sum, &lwp_report[i]);
    }
  if (joined != LWPS)
    fail(&sum, "LWPs joined", joined, LWPS);
  if (retired != LWP_TOKENS)
    fail(&sum, "tokens retired", retired, LWP_TOKENS);
  if (sum.received != LWP_TOKENS + LWP_HOPS)
    fail(&sum, "tokens received", sum.received, LWP_TOKENS + LWP_HOPS);
  if (sum.sent != sum.received)
    fail(&sum, "tokens sent", sum.sent, sum.received);
  if (sum.lost)
    fail(&sum, "lost wake-ups", sum.lost, 0);
  send_report(report, &sum);
  exit(sum.failed != 0);
}

// ---- churn: fork, file, exit, wait ----

static char filebuf[512];

// The churn's files, one per child of a round, made before the first
// round and removed after the last: each round rewrites them (new inodes
// each round would grow the kernel's inode cache, by design, and hide a
// leak in the heap's figures).
static void
file_name(char *name, int number)
{
  name[0] = 's';
  name[1] = 's';
  name[2] = '0' + number / 10 % 10;
  name[3] = '0' + number % 10;
  name[4] = 0;
}

// A grandchild: rewrites its file and reads it back; its exit status is
// 1 + the hart it ended on (0 if the file went wrong).
static void
grandchild(int number)
{
  char name[8];
  file_name(name, number);
  int pid = getpid();
  memset(filebuf, 'a' + pid % 26, sizeof(filebuf));
  int fd = open(name, O_WRONLY | O_TRUNC);
  int ok = fd >= 0 && write(fd, filebuf, sizeof(filebuf)) == sizeof(filebuf);
  close(fd);
  fd = open(name, O_RDONLY);
  memset(filebuf, 0, sizeof(filebuf));
  ok = ok && fd >= 0 && read(fd, filebuf, sizeof(filebuf)) == sizeof(filebuf) &&
       filebuf[0] == 'a' + pid % 26 && filebuf[sizeof(filebuf) - 1] == 'a' + pid % 26;
  close(fd);
  exit(ok ? 1 + hartid() : 0);
}

// A child: status = its number << 8 | its hart << 4 | its grandchild's
// hart; 0xff in the low byte if the grandchild failed.
static void
child(int number)
{
  int me = hartid();
  int pid = fork();
  if (pid < 0)
    exit(number << 8 | 0xff);
  if (pid == 0)
    grandchild(number);
  int status = 0;
  if (wait(&status) != pid || status < 1 || status > NCPU)
    exit(number << 8 | 0xff);
  exit(number << 8 | me << 4 | (status - 1));
}

static void
churn(int report)
{
  struct report sum = { CHURNJOB };
  int pids[CHILDREN];
  for (int w = 0; w < WAVES; w++) {
    for (int c = 0; c < CHILDREN; c++) {
      pids[c] = fork();
      if (pids[c] < 0) {
        fail(&sum, "fork", -1, 0);
        continue;
      }
      if (pids[c] == 0)
        child(w * CHILDREN + c);
      sum.sent += 2;                   // a child and its grandchild
    }
    int status, pid;
    while ((pid = wait(&status)) > 0) {
      int c = 0;
      while (c < CHILDREN && pids[c] != pid)
        c++;
      if (c == CHILDREN || status >> 8 != w * CHILDREN + c || (status & 0xff) == 0xff) {
        fail(&sum, "a child's exit status", status, (w * CHILDREN + c) << 8);
        continue;
      }
      pids[c] = 0;                     // reaped once
      int h = status >> 4 & 0xf, g = status & 0xf;
      if (h >= NCPU || g >= NCPU) {
        fail(&sum, "a hart in an exit status", status, 0);
        continue;
      }
      sum.harts[h]++;
      sum.harts[g]++;
      sum.received += 2;
    }
  }
  if (sum.received != sum.sent || sum.sent != 2 * WAVES * CHILDREN)
    fail(&sum, "children and grandchildren reaped", sum.received, 2 * WAVES * CHILDREN);
  send_report(report, &sum);
  exit(sum.failed != 0);
}

// ---- the rounds ----

struct counters {
  int pages, blocks, inodes, heap, files, refs, procs;
};

static void
count(struct counters *c)
{
  c->heap = kstat(KSTAT_HEAP_RESET);
  c->pages = freepages();
  c->blocks = freeblocks();
  c->inodes = freeinodes();
  c->files = kstat(KSTAT_OPEN_FILES);
  c->refs = kstat(KSTAT_INODE_REFS);
  c->procs = kstat(KSTAT_PROCS);
}

static int
same_counts(struct counters *a, struct counters *b)
{
  return a->pages == b->pages && a->blocks == b->blocks && a->inodes == b->inodes &&
         a->files == b->files && a->refs == b->refs && a->procs == b->procs;
}

// The counts once they hold still.  With several harts, what a process
// gave back may reach the free lists a moment after its parent reaped it
// (another hart finishing its part of the exit), so a count is taken
// again, a tick later, until two agree; a leak stays a leak.
static void
settled_count(struct counters *c)
{
  struct counters again;
  count(c);
  for (int tries = 0; tries < 20; tries++) {
    sleep(1);
    count(&again);
    if (same_counts(c, &again))
      return;
    *c = again;
  }
}

// One round: the three jobs at once; their reports added to total.
// Returns the failures.
static int
run_round(struct report total[NJOBS])
{
  int reports[2];
  if (pipe(reports) < 0) {
    printf("smpstress: pipe failed\n");
    return 1;
  }
  void (*jobs[NJOBS])(int) = { ring, lwps, churn };
  int failed = 0;
  for (int j = 0; j < NJOBS; j++) {
    int pid = fork();
    if (pid < 0) {
      printf("smpstress: fork of %s failed\n", job_names[j]);
      failed++;
    } else if (pid == 0) {
      close(reports[0]);
      if (!(chosen & 1 << j)) {          // not asked for: an empty report
        struct report none = { j };
        send_report(reports[1], &none);
        exit(0);
      }
      jobs[j](reports[1]);
    }
  }
  close(reports[1]);
  struct report r;
  int got[NJOBS] = { 0 };
  while (read(reports[0], &r, sizeof(r)) == sizeof(r)) {
    if (r.job < 0 || r.job >= NJOBS || got[r.job]++) {
      printf("smpstress: a stray report\n");
      failed++;
      continue;
    }
    add_report(&total[r.job], &r);
    failed += r.failed;
  }
  close(reports[0]);
  int status, reaped = 0;
  while (wait(&status) > 0) {
    reaped++;
    if (status != 0)
      failed++;
  }
  for (int j = 0; j < NJOBS; j++)
    if (!got[j]) {
      printf("smpstress: no report from %s\n", job_names[j]);
      failed++;
    }
  if (reaped != NJOBS) {
    printf("smpstress: reaped %d jobs of %d\n", reaped, NJOBS);
    failed++;
  }
  return failed;
}

// ---- where processes run: spin, wire, wirebad ----

// n children spin for SPIN_TICKS at once, each looking at its hart now
// and then; each exits with the set of harts it saw (a bit each).
#define SPIN_TICKS 10

static void
harts_line(char *who, int mask)
{
  printf("smpstress spin: %s ran on harts", who);
  for (int h = 0; h < NCPU; h++)
    if (mask & 1 << h)
      printf(" %d", h);
  printf("\n");
}

static int
spin(int n)
{
  int gate[2];
  if (n < 1 || n > 16 || pipe(gate) < 0) {
    printf("smpstress spin: 1..16 processes\n");
    return 1;
  }
  for (int i = 0; i < n; i++) {
    int pid = fork();
    if (pid < 0) {
      printf("smpstress spin: fork failed\n");
      return 1;
    }
    if (pid == 0) {
      char c;
      close(gate[1]);
      read(gate[0], &c, 1);            // end of file: all are forked
      int mask = 0, t0 = uptime();
      while (uptime() - t0 < SPIN_TICKS)
        for (volatile int k = 0; k < 20000; k++)
          if (k % 4096 == 0)
            mask |= 1 << hartid();
      exit(mask);
    }
  }
  printf("smpstress spin: %d processes on %d harts\n", n, nharts());
  close(gate[0]);
  close(gate[1]);
  int all = 0, status, i = 0;
  char who[16] = "process ";
  while (wait(&status) > 0) {
    who[8] = '0' + i++ % 10;
    who[9] = 0;
    harts_line(who, status);
    all |= status;
  }
  harts_line("all", all);
  return 0;
}

static int
wire_to(int hart, int n)
{
  if (wire(0, hart) < 0) {
    printf("smpstress wire: wire(0, %d) failed\n", hart);
    return 1;
  }
  int on = 0;
  for (int i = 0; i < n; i++) {
    yield();
    for (volatile int k = 0; k < 1000; k++)
      ;
    on += hartid() == hart;
  }
  int unwired = wire(0, -1);
  printf("smpstress wire: %d of %d on hart %d; unwire %d\n", on, n, hart, unwired);
  return on != n || unwired != 0;
}

static int
wire_bad(void)
{
  int n = nharts(), failed = 0;
  int zombie = fork();
  if (zombie == 0)
    exit(0);
  sleep(2);                            // it has exited, and waits to be reaped
  int cases[][3] = {                   // pid, hart, what wire returns
    { 0, n, -1 }, { 0, -2, -1 }, { 0, 1000, -1 }, { 99999, 0, -1 }, { -1, 0, -1 },
    { zombie, 0, -1 }, { 0, n - 1, 0 }, { 0, -1, 0 }, { getpid(), 0, 0 }, { 0, -1, 0 },
  };
  for (int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int got = wire(cases[i][0], cases[i][1]);
    if (got != cases[i][2]) {
      printf("smpstress wirebad: wire(%d, %d) returned %d, expected %d\n", cases[i][0],
             cases[i][1], got, cases[i][2]);
      failed++;
    }
  }
  if (wait(0) != zombie)
    failed++;
  printf("smpstress wirebad: %s\n", failed ? "FAILED" : "ok");
  return failed;
}

int
main(int argc, char *argv[])
{
  if (argc > 1 && strcmp(argv[1], "spin") == 0)
    exit(spin(argc > 2 ? atoi(argv[2]) : 4));
  if (argc > 2 && strcmp(argv[1], "wire") == 0)
    exit(wire_to(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 200));
  if (argc > 1 && strcmp(argv[1], "wirebad") == 0)
    exit(wire_bad());
  int rounds = argc > 1 ? atoi(argv[1]) : 2;
  if (argc > 2)
    chosen = atoi(argv[2]) & 7;
  nharts_seen = nharts();
  if (nharts_seen < 1 || nharts_seen > NCPU) {
    printf("smpstress: nharts() is %d\n", nharts_seen);
    exit(1);
  }
  printf("smpstress: %d harts, %d rounds after a warm-up\n", nharts_seen, rounds);
  // The files go in a directory of their own, which takes its blocks
  // back with it.
  int blocks0 = freeblocks(), inodes0 = freeinodes();
  char name[8];
  if (mkdir("smpstress.d") < 0 || chdir("smpstress.d") < 0) {
    printf("smpstress: cannot make smpstress.d\n");
    exit(1);
  }
  for (int i = 0; i < WAVES * CHILDREN; i++) {
    file_name(name, i);
    int fd = open(name, O_CREATE | O_WRONLY);
    if (fd < 0) {
      printf("smpstress: cannot create %s\n", name);
      exit(1);
    }
    close(fd);
  }
  struct report total[NJOBS];
  memset(total, 0, sizeof(total));
  struct counters before = { 0 }, after;
  int failed = 0;
  for (int r = 0; r <= rounds; r++) {
    failed += run_round(total);
    settled_count(&after);
    if (r == 0) {
      before = after;
      continue;
    }
    printf("smpstress: round %d: kernel heap live %d (%s%d)\n", r, after.heap,
           after.heap >= before.heap ? "+" : "", after.heap - before.heap);
    if (!same_counts(&after, &before)) {
      printf("smpstress: round %d leaked: pages %d -> %d, blocks %d -> %d, inodes %d -> %d, "
             "open files %d -> %d, inode refs %d -> %d, processes %d -> %d\n", r,
             before.pages, after.pages, before.blocks, after.blocks, before.inodes, after.inodes,
             before.files, after.files, before.refs, after.refs, before.procs, after.procs);
      failed++;
    }
    if (after.heap - before.heap > HEAP_SLACK) {
      printf("smpstress: round %d: the kernel heap's live bytes grew by %d\n", r,
             after.heap - before.heap);
      failed++;
    }
  }
  for (int i = 0; i < WAVES * CHILDREN; i++) {
    file_name(name, i);
    if (unlink(name) < 0) {
      printf("smpstress: cannot remove %s\n", name);
      failed++;
    }
  }
  if (chdir("..") < 0 || unlink("smpstress.d") < 0) {
    printf("smpstress: cannot remove smpstress.d\n");
    failed++;
  }
  if (freeblocks() != blocks0 || freeinodes() != inodes0) {
    printf("smpstress: the disk leaked: blocks %d -> %d, inodes %d -> %d\n", blocks0,
           freeblocks(), inodes0, freeinodes());
    failed++;
  }
  int used = 0;
  for (int h = 0; h < nharts_seen; h++) {
    int n = total[RINGJOB].harts[h] + total[LWPJOB].harts[h] + total[CHURNJOB].harts[h];
    printf("smpstress: hart %d: %d ring tokens, %d lwp tokens, %d churn exits\n", h,
           total[RINGJOB].harts[h], total[LWPJOB].harts[h], total[CHURNJOB].harts[h]);
    used += n > 0;
  }
  for (int j = 0; j < NJOBS; j++)
    printf("smpstress: %s: %d sent, %d received, %d lost\n", job_names[j], total[j].sent,
           total[j].received, total[j].lost);
  printf("smpstress: ran on %d of %d harts\n", used, nharts_seen);
  if (failed) {
    printf("smpstress: FAILED\n");
    exit(1);
  }
  printf("smpstress: %d rounds ok\n", rounds);
  exit(0);
}
