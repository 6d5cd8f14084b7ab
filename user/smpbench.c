// smpbench: one workload of make bench's multi-hart figures, between the
// marker instructions that tools/smpcount.c (a QEMU plugin) counts by.
//
//   smpbench cpu [iters]       4 processes each spin iters rounds of pure
//                              computation (no system calls)
//   smpbench sys [iters]       4 processes each do iters rounds of getpid,
//                              a write and a read on a pipe of their own,
//                              open + read 64 bytes + close of /README
//   smpbench pingpong [iters]  iters round trips of one byte between two
//                              processes over two pipes, one wired to hart
//                              0, the other to hart 1 (0 on one hart)
//   smpbench psum [n]          run psum 4 n: four LWPs sum 1..n
//
// The worker processes of cpu and sys are wired round robin to the harts
// the kernel runs (child i to hart i mod nharts()), so the figures measure
// the kernel's parallelism, not where its scheduler happens to put them.
//
// The markers are hints (they write x0, so they do nothing on a processor
// without the plugin): `slti x0, x0, 1` starts the count, `slti x0, x0, 2`
// stops it and makes the plugin write every hart's instructions in
// between.  Only this process (the parent) executes them, before the first
// fork and after the last wait.  Then it prints one line for tools/bench.py:
//
//   SMPBENCH {"workload": "cpu", "nharts": 4, "procs": 4, "iters": 2000000, "ok": 1,
//             "ticks": 812345}
//
// ticks: `time` ticks from the start marker to the stop marker (host time,
// without -icount: tools/smpbench.py sets the harts' lock waits against it).
#include "user.h"

#define NPROCS 4
#define MARK_START() do { asm volatile("slti x0, x0, 1" ::: "memory"); t0 = rdtime(); } while (0)
#define MARK_STOP()  do { t1 = rdtime(); asm volatile("slti x0, x0, 2" ::: "memory"); } while (0)

static uint64
rdtime(void)
{
  uint64 t;
  asm volatile("rdtime %0" : "=r"(t));
  return t;
}

static char *psum_argv[4] = { "psum", "4", 0, 0 };
static char numbuf[24];

static void
die(const char *what)
{
  fprintf(2, "smpbench: %s failed\n", what);
  exit(1);
}

// A linear congruential generator: a multiply and an add a round, which
// the compiler cannot fold away.
static uint64
spin(uint64 iters)
{
  uint64 x = 1;
  for (uint64 i = 0; i < iters; i++)
    x = x * 6364136223846793005UL + 1442695040888963407UL;
  return x;
}

static void
sysmix(uint64 iters)
{
  int p[2];
  char buf[64];
  if (pipe(p) < 0)
    die("pipe");
  for (uint64 i = 0; i < iters; i++) {
    getpid();
    if (write(p[1], "smpbench", 8) != 8 || read(p[0], buf, 8) != 8)
      die("pipe write/read");
    int fd = open("/README", O_RDONLY);
    if (fd < 0 || read(fd, buf, sizeof buf) != sizeof buf)
      die("open/read /README");
    close(fd);
  }
}

// Tie the caller to hart (mod nharts()) and get there: the wiring takes
// effect when the process next leaves the processor.
static void
go_to_hart(int hart)
{
  if (wire(0, hart % nharts()) < 0)
    die("wire");
  yield();
}

// NPROCS children, each wired to its hart, each doing the workload;
// 1 if every one exited 0.
static int
workers(const char *workload, uint64 iters)
{
  for (int i = 0; i < NPROCS; i++) {
    int pid = fork();
    if (pid < 0)
      die("fork");
    if (pid == 0) {
      go_to_hart(i);
      if (workload[0] == 'c')
        exit(spin(iters) == 0);        // (never 0: the status is 0)
      sysmix(iters);
      exit(0);
    }
  }
  int ok = 1, status;
  for (int i = 0; i < NPROCS; i++) {
    if (wait(&status) < 0)
      die("wait");
    ok &= status == 0;
  }
  return ok;
}

static int
pingpong(uint64 iters)
{
  int ping[2], pong[2], status;
  char c = 'x';
  if (pipe(ping) < 0 || pipe(pong) < 0)
    die("pipe");
  int pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    go_to_hart(1);
    for (uint64 i = 0; i < iters; i++)
      if (read(ping[0], &c, 1) != 1 || write(pong[1], &c, 1) != 1)
        exit(1);
    exit(0);
  }
  for (uint64 i = 0; i < iters; i++)
    if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
      die("ping-pong");
  if (wait(&status) < 0)
    die("wait");
  return status == 0;
}

static int
psum(uint64 n)
{
  int status;
  int pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    wire(0, -1);        // psum's LWPs may run anywhere
    exec("psum", psum_argv);
    fprintf(2, "smpbench: exec psum failed\n");
    exit(1);
  }
  if (wait(&status) < 0)
    die("wait");
  return status == 0;
}

static uint64
atou(const char *s)
{
  uint64 n = 0;
  while (*s >= '0' && *s <= '9')
    n = n * 10 + (*s++ - '0');
  return n;
}

int
main(int argc, char *argv[])
{
  if (argc < 2) {
    fprintf(2, "usage: smpbench cpu|sys|pingpong|psum [iters]\n");
    exit(2);
  }
  const char *workload = argv[1];
  uint64 iters = argc > 2 ? atou(argv[2]) : 0;
  uint64 t0 = 0, t1 = 0;
  int ok;
  // The parent stays on hart 0: the markers run there, and ping-pong's
  // other end is hart 1.
  if (wire(0, 0) < 0)
    die("wire");
  yield();
  // Every run starts from a collected kernel heap (kstat 2 collects): a
  // collection costs millions of instructions, and one more or less
  // within the markers would swamp the figure.
  kstat(2);
  if (strcmp(workload, "cpu") == 0 || strcmp(workload, "sys") == 0) {
    if (iters == 0)
      iters = workload[0] == 'c' ? 2000000 : 200;
    MARK_START();
    ok = workers(workload, iters);
    MARK_STOP();
  } else if (strcmp(workload, "pingpong") == 0) {
    if (iters == 0)
      iters = 200;
    MARK_START();
    ok = pingpong(iters);
    MARK_STOP();
  } else if (strcmp(workload, "psum") == 0) {
    if (iters == 0)
      iters = 2000000;
    // psum's n, in decimal, written backwards from the end of numbuf.
    char *s = numbuf + sizeof numbuf - 1;
    uint64 n = iters;
    do {
      *--s = '0' + n % 10;
      n /= 10;
    } while (n);
    psum_argv[2] = s;
    MARK_START();
    ok = psum(iters);
    MARK_STOP();
  } else {
    fprintf(2, "smpbench: unknown workload %s\n", workload);
    exit(2);
  }
  printf("SMPBENCH {\"workload\": \"%s\", \"nharts\": %d, \"procs\": %d, \"iters\": %lu, "
         "\"ok\": %d, \"ticks\": %lu}\n",
         workload, nharts(), workload[1] == 'i' ? 2 : NPROCS, iters, ok, t1 - t0);
  exit(ok ? 0 : 1);
}
