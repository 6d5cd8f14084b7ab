// bench: time system calls and process operations with rdtime; prints BENCH lines.
#include "user.h"

// Each figure is one line   BENCH {"NAME_centiticks": X}   where X is the
// loop's elapsed `time` ticks * 100 / iterations.  tools/bench.py turns it
// into guest instructions (under -icount shift=0 one tick is 100
// instructions, so centiticks are instructions).  Every loop runs a few
// untimed warm-up rounds first, so one-time costs (first touch of a page,
// first call of a kernel function) are not charged to the figure.
//
// The file figures time one whole operation, which is long, and are
// printed as   BENCH {"NAME_ticks": X}   (X the ticks of work).  They are
// timed with busytime(), not rdtime: the machine idles while it waits for
// the disk, and under -icount with sleep=off the clock jumps ahead then, so
// elapsed time would mostly count those jumps.  busytime() leaves the idle
// time out: the figure is the work the processor did.
//
//   fs_write_1m        create a file and write 1 MiB in 4 KiB calls, close
//   fs_read_1m         open it and read the 1 MiB in 4 KiB calls, close
//   create_delete_100  create 100 empty files, then unlink them
//
// They run in the current directory and clean up after themselves; without
// a file system they are left out (a line "bench: no file system: ...").

#define N      200      // iterations for the cheap operations
#define NSPAWN  50       // ... and for those that make processes
#define WARMUP 5
#define FSIZE  (1 << 20)  // the big file
#define IOSIZE 4096       // ... written and read in calls of this size
#define NFILES 100

static char *exit0_argv[] = { "exit0", 0 };
static char iobuf[IOSIZE];

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
report_ticks(const char *name, uint64 ticks)
{
  printf("BENCH {\"%s_ticks\": %lu}\n", name, ticks);
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
    exec("/exit0", exit0_argv);
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

// One byte goes to the child through one pipe and comes back through the
// other: one round trip is two writes, two reads and two switches.
static void
pipe_roundtrip(void)
{
  uint64 t0, t1;
  int to[2], from[2], pid, i;
  char c = 'x';

  if (pipe(to) < 0 || pipe(from) < 0) {
    fprintf(2, "bench: no pipes: no pipe_roundtrip\n");
    return;
  }
  pid = fork();
  if (pid < 0)
    die("fork");
  if (pid == 0) {
    close(to[1]);
    close(from[0]);
    while (read(to[0], &c, 1) == 1)
      if (write(from[1], &c, 1) != 1)
        break;
    exit(0);
  }
  close(to[0]);
  close(from[1]);
  for (i = 0; i < WARMUP; i++)
    if (write(to[1], &c, 1) != 1 || read(from[0], &c, 1) != 1)
      die("pipe ping-pong");
  t0 = rdtime();
  for (i = 0; i < N; i++)
    if (write(to[1], &c, 1) != 1 || read(from[0], &c, 1) != 1)
      die("pipe ping-pong");
  t1 = rdtime();
  close(to[1]);         // the child sees end of file and exits
  close(from[0]);
  if (wait(0) != pid)
    die("wait");
  report("pipe_roundtrip", t1 - t0, N);
}

// A note to oneself: postnote, the handler entered with the text on the
// stack, noted(NCONT) back to where postnote returns.  One round trip is
// two system calls and the note's delivery.
static volatile int notes_seen;

static void
note_handler(void *ureg, char *note)
{
  notes_seen++;
  noted(NCONT);
}

static void
op_note(void)
{
  if (postnote(getpid(), "bench") != 0)
    die("postnote");
}

static void
note_roundtrip(void)
{
  notify(note_handler);
  measure("note_roundtrip", op_note, N);
  notify(0);
  if (notes_seen != WARMUP + N)
    die("note delivery");
}

// Write (or read) size bytes of fd in IOSIZE calls.
static void
transfer(int fd, int size, int writing)
{
  int done, n;

  for (done = 0; done < size; done += IOSIZE) {
    n = writing ? write(fd, iobuf, IOSIZE) : read(fd, iobuf, IOSIZE);
    if (n != IOSIZE)
      die(writing ? "write of the big file" : "read of the big file");
  }
}

static void
fs_1m(void)
{
  uint64 t0, t1, t2, t3;
  int fd;

  // Warm up: a small file through the same calls.
  fd = open("bench.tmp", O_CREATE | O_TRUNC | O_RDWR);
  if (fd < 0)
    die("create bench.tmp");
  transfer(fd, 4 * IOSIZE, 1);
  close(fd);
  fd = open("bench.tmp", O_RDONLY);
  transfer(fd, 4 * IOSIZE, 0);
  close(fd);
  unlink("bench.tmp");

  memset(iobuf, 'b', sizeof(iobuf));
  t0 = busytime();
  fd = open("bench.tmp", O_CREATE | O_TRUNC | O_RDWR);
  if (fd < 0)
    die("create bench.tmp");
  transfer(fd, FSIZE, 1);
  close(fd);
  t1 = busytime();

  t2 = busytime();
  fd = open("bench.tmp", O_RDONLY);
  if (fd < 0)
    die("open bench.tmp");
  transfer(fd, FSIZE, 0);
  close(fd);
  t3 = busytime();
  if (unlink("bench.tmp") < 0)
    die("unlink bench.tmp");
  report_ticks("fs_write_1m", t1 - t0);
  report_ticks("fs_read_1m", t3 - t2);
}

static void
create_delete(int n)
{
  char name[8];
  int i, fd;

  name[0] = 'b';
  name[1] = 'f';
  name[5] = 0;
  for (i = 0; i < n; i++) {
    name[2] = '0' + i / 100 % 10;
    name[3] = '0' + i / 10 % 10;
    name[4] = '0' + i % 10;
    fd = open(name, O_CREATE | O_RDWR);
    if (fd < 0)
      die("create");
    close(fd);
  }
  for (i = 0; i < n; i++) {
    name[2] = '0' + i / 100 % 10;
    name[3] = '0' + i / 10 % 10;
    name[4] = '0' + i % 10;
    if (unlink(name) < 0)
      die("unlink");
  }
}

static void
create_delete_100(void)
{
  uint64 t0, t1;

  create_delete(WARMUP);
  t0 = busytime();
  create_delete(NFILES);
  t1 = busytime();
  report_ticks("create_delete_100", t1 - t0);
}

int
main(void)
{
  int fd;

  measure("getpid", op_getpid, N);
  measure("sleep0", op_sleep0, N);
  measure("fork_exit_wait", op_fork_exit_wait, NSPAWN);
  measure("sbrk_pair", op_sbrk_pair, N);
  measure("fork_exec_wait", op_fork_exec_wait, NSPAWN);
  switch_roundtrip();
  pipe_roundtrip();
  note_roundtrip();
  // The file figures need a file system; a kernel without one says no.
  fd = open(".", O_RDONLY);
  if (fd < 0) {
    fprintf(2, "bench: no file system: no file figures\n");
    exit(0);
  }
  close(fd);
  fs_1m();
  create_delete_100();
  exit(0);
}
