// memtest: the kernel's memory, tested from user space.
//
//   memtest peak     how much the kernel heap grows during a small and a
//                    big read, write, pipe transfer, exec and directory
//                    scan (the growth must not depend on the size)
//   memtest allocs   heap allocations per call on the hot paths (getpid,
//                    sleep(0), yield, a 4 KiB read and write, a pipe round
//                    trip, open+close): the aim is none, or a few
//   memtest block    wait for end of file on stdin (torture's many execs)
//   memtest sweep    make the 1st, 2nd, ... allocation of each system call
//                    fail (failnext), for every call, and check that the
//                    kernel's counters come back: nothing leaks
//
// The numbers come from two Pyrite calls: kstat(what) reads a kernel
// counter, failnext(kind, n) arms a failure for the next call
// (kernel/debug/faults.py).
#include "user.h"

#define KSTAT_HEAP_USED 0
#define KSTAT_HEAP_PEAK 1
#define KSTAT_HEAP_RESET 2
#define KSTAT_INODE_REFS 4
#define KSTAT_OPEN_FILES 5
#define KSTAT_BUFS_HELD 6
#define KSTAT_PROCS 7
#define KSTAT_RESERVE 8
#define KSTAT_ALLOCS 9
#define FAIL_HEAP 1
#define FAIL_PAGE 2

static char buf[65536];

static void
die(const char *what)
{
  printf("memtest: %s failed\n", what);
  exit(1);
}

// ---- peak ----

static int
peak_of_read(int n)
{
  int fd = open("mt_big", O_RDONLY);
  if(fd < 0)
    die("open mt_big");
  int base = kstat(KSTAT_HEAP_RESET);
  if(read(fd, buf, n) != n)
    die("read");
  int peak = kstat(KSTAT_HEAP_PEAK) - base;
  close(fd);
  return peak;
}

static int
peak_of_write(int n)
{
  int fd = open("mt_out", O_CREATE | O_WRONLY | O_TRUNC);
  if(fd < 0)
    die("open mt_out");
  int base = kstat(KSTAT_HEAP_RESET);
  if(write(fd, buf, n) != n)
    die("write");
  int peak = kstat(KSTAT_HEAP_PEAK) - base;
  close(fd);
  unlink("mt_out");
  return peak;
}

// n bytes through a pipe to a child that reads them all.
static int
peak_of_pipe(int n)
{
  int p[2];
  if(pipe(p) < 0)
    die("pipe");
  int base = kstat(KSTAT_HEAP_RESET);
  int pid = fork();
  if(pid == 0){
    close(p[1]);
    int got = 0, r;
    while((r = read(p[0], buf, sizeof(buf))) > 0)
      got += r;
    exit(got == n ? 0 : 1);
  }
  close(p[0]);
  if(write(p[1], buf, n) != n)
    die("pipe write");
  close(p[1]);
  int status = -1;
  wait(&status);
  if(status != 0)
    die("pipe child");
  return kstat(KSTAT_HEAP_PEAK) - base;
}

// Ballast: initialized data, so that memtest is the biggest program on
// the disk and "exec memtest" loads the most blocks of any exec.
char ballast[384 * 1024] = { 1 };
volatile char *ballast_at = ballast;     // read through, so it is kept

// exec prog with the heap's base as its first argument, and then nargs
// more of arglen bytes each; prog prints the peak's rise (peakprobe, or
// memtest probe), measured from just before the exec to its first call.
static void
exec_probe(char *prog, int nargs, int arglen)
{
  static char args[32][200];
  static char basestr[16];
  char *argv[35];
  int n = 0;
  argv[n++] = prog;
  if(strcmp(prog, "memtest") == 0)
    argv[n++] = "probe";
  argv[n++] = basestr;
  for(int i = 0; i < nargs; i++){
    memset(args[i], 'a' + i % 26, arglen);
    args[i][arglen] = 0;
    argv[n++] = args[i];
  }
  argv[n] = 0;
  if(fork() == 0){
    int base = kstat(KSTAT_HEAP_RESET), i = 0;
    char digits[16];
    do { digits[i++] = '0' + base % 10; base /= 10; } while(base > 0);
    for(int j = 0; j < i; j++)
      basestr[j] = digits[i - 1 - j];
    basestr[i] = 0;
    exec(prog, argv);
    die("exec");
  }
  int status = -1;
  wait(&status);
  if(status != 0)
    die("exec probe");
}

// "f000".."f999": the name of entry i of the test directory.
static void
entry_name(char *name, int i)
{
  name[0] = 'f';
  name[1] = '0' + i / 100;
  name[2] = '0' + i / 10 % 10;
  name[3] = '0' + i % 10;
  name[4] = 0;
}

// Look up a missing name in a directory of n entries: the whole scan.
static int
peak_of_lookup(int nfiles)
{
  char name[16];
  if(mkdir("mt_dir") < 0 || chdir("mt_dir") < 0)
    die("mkdir mt_dir");
  for(int i = 0; i < nfiles; i++){
    entry_name(name, i);
    int fd = open(name, O_CREATE | O_WRONLY);
    if(fd < 0)
      die("create in mt_dir");
    close(fd);
  }
  int base = kstat(KSTAT_HEAP_RESET);
  if(open("missing", O_RDONLY) >= 0)
    die("lookup");
  int peak = kstat(KSTAT_HEAP_PEAK) - base;
  for(int i = 0; i < nfiles; i++){
    entry_name(name, i);
    unlink(name);
  }
  chdir("..");
  unlink("mt_dir");
  return peak;
}

static void
peak(void)
{
  int fd = open("mt_big", O_CREATE | O_WRONLY | O_TRUNC);
  if(fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf))
    die("make mt_big");
  close(fd);
  printf("peak read %d %d\n", peak_of_read(1024), peak_of_read(65536));
  printf("peak write %d %d\n", peak_of_write(1024), peak_of_write(65536));
  printf("peak pipe %d %d\n", peak_of_pipe(1024), peak_of_pipe(65536));
  printf("peak exec ");            // the probes print their figures
  exec_probe("peakprobe", 0, 0);
  printf(" ");
  exec_probe("memtest", 0, 0);
  printf("\npeak execargs ");
  exec_probe("peakprobe", 1, 8);
  printf(" ");
  exec_probe("peakprobe", 30, 60);      // with argv[0] and the base: MAXARG
  printf("\n");
  printf("peak lookup %d %d\n", peak_of_lookup(2), peak_of_lookup(150));
  unlink("mt_big");
}

// ---- allocs ----

#define ROUNDS 100

// Heap allocations per round of `what`, the measuring calls' own taken off.
static char *only;      // memtest allocs NAME / sweep NAME: that one alone

static void
allocs_of(char *name, int what, int fd, int fd2)
{
  if(only && strcmp(only, name) != 0)
    return;
  int empty0 = kstat(KSTAT_ALLOCS);
  int empty = kstat(KSTAT_ALLOCS) - empty0;
  kstat(KSTAT_HEAP_RESET);
  int used = kstat(KSTAT_HEAP_USED);
  int before = kstat(KSTAT_ALLOCS);
  for(int i = 0; i < ROUNDS; i++){
    switch(what){
    case 0: getpid(); break;
    case 1: sleep(0); break;
    case 2: yield(); break;
    case 3: if(read(fd, buf, 4096) != 4096) die("read"); break;
    case 4: if(write(fd, buf, 4096) != 4096) die("write"); break;
    case 5: if(write(fd, buf, 1) != 1 || read(fd2, buf, 1) != 1) die("pipe"); break;
    case 6: close(open("mt_big", O_RDONLY)); break;
    case 7: kstat(KSTAT_ALLOCS); break;
    }
  }
  int total = kstat(KSTAT_ALLOCS) - before - empty;
  int garbage = kstat(KSTAT_HEAP_USED) - used;
  printf("allocs %s %d.%d garbage %d\n", name, total / ROUNDS, total % ROUNDS * 10 / ROUNDS,
         garbage / ROUNDS);
}

static void
allocs(void)
{
  int fd = open("mt_big", O_CREATE | O_RDWR | O_TRUNC);
  if(fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf))
    die("make mt_big");
  close(fd);
  allocs_of("kstat", 7, -1, -1);
  allocs_of("getpid", 0, -1, -1);
  allocs_of("sleep0", 1, -1, -1);
  allocs_of("yield", 2, -1, -1);
  // ROUNDS 4 KiB writes to a new file, then reading them back twice: the
  // first time partly from the disk, the second from the buffer cache as
  // far as it holds them.
  fd = open("mt_out", O_CREATE | O_WRONLY | O_TRUNC);
  allocs_of("write4k", 4, fd, -1);
  if(only && strcmp(only, "write4k") != 0)
    for(int i = 0; i < ROUNDS; i++)
      write(fd, buf, 4096);
  close(fd);
  for(int round = 0; round < 2; round++){
    fd = open("mt_out", O_RDONLY);
    allocs_of(round ? "read4k-again" : "read4k", 3, fd, -1);
    close(fd);
  }
  unlink("mt_out");
  // A pipe round trip: a child echoes every byte back.
  int to[2], from[2];
  if(pipe(to) < 0 || pipe(from) < 0)
    die("pipe");
  int pid = fork();
  if(pid == 0){
    char c;
    close(to[1]);
    close(from[0]);
    while(read(to[0], &c, 1) == 1)
      write(from[1], &c, 1);
    exit(0);
  }
  close(to[0]);
  close(from[1]);
  allocs_of("pipe-roundtrip", 5, to[1], from[0]);
  close(to[1]);
  close(from[0]);
  wait(0);
  allocs_of("open-close", 6, -1, -1);
  unlink("mt_big");
}

// ---- sweep ----

struct counters {
  int pages, blocks, inodes, heap, refs, files, bufs, procs;
};

static void
count_cheap(struct counters *c)
{
  c->pages = freepages();
  c->blocks = freeblocks();
  c->inodes = freeinodes();
  c->refs = kstat(KSTAT_INODE_REFS);
  c->files = kstat(KSTAT_OPEN_FILES);
  c->bufs = kstat(KSTAT_BUFS_HELD);
  c->procs = kstat(KSTAT_PROCS);
}

static void
count(struct counters *c)
{
  c->heap = kstat(KSTAT_HEAP_RESET);
  count_cheap(c);
}

// Set-up outside the armed call, the armed call, and the tidying after.
enum { S_OPEN_CREATE, S_OPEN, S_OPEN_TRUNC, S_WRITE, S_WRITE_BIG, S_READ, S_MKDIR,
  S_LINK, S_UNLINK, S_UNLINK_DIR, S_CHDIR, S_PIPE, S_FORK, S_EXEC, S_EXEC_ARGS,
  S_SBRK, S_DUP, S_FSTAT, S_CLOSE, S_MKNOD, S_WAIT, S_KILL, NSCENARIOS };
static char *scenario_names[] = { "open-create", "open", "open-trunc", "write", "write-big",
  "read", "mkdir", "link", "unlink", "unlink-dir", "chdir", "pipe", "fork", "exec",
  "exec-args", "sbrk", "dup", "fstat", "close", "mknod", "wait", "kill" };

static void
make_file(char *name, int n)
{
  int fd = open(name, O_CREATE | O_WRONLY | O_TRUNC);
  if(fd < 0 || write(fd, buf, n) != n)
    die("make_file");
  close(fd);
}

// Run scenario s once with the kind/n failure armed for its call; returns
// the call's result.
static int
run_scenario(int s, int kind, int n)
{
  int fd, r, p[2], pid, status;
  struct stat st;
  static char *argv[34];
  static char longarg[128];
  switch(s){
  case S_OPEN_CREATE:
    failnext(kind, n);
    r = open("sw_new", O_CREATE | O_RDWR);
    if(r >= 0)
      close(r);
    unlink("sw_new");
    return r;
  case S_OPEN:
    make_file("sw_f", 10);
    failnext(kind, n);
    r = open("sw_f", O_RDONLY);
    if(r >= 0)
      close(r);
    unlink("sw_f");
    return r;
  case S_OPEN_TRUNC:
    make_file("sw_f", 5000);
    failnext(kind, n);
    r = open("sw_f", O_RDWR | O_TRUNC);
    if(r >= 0)
      close(r);
    unlink("sw_f");
    return r;
  case S_WRITE:
  case S_WRITE_BIG:
    fd = open("sw_f", O_CREATE | O_RDWR);
    failnext(kind, n);
    r = write(fd, buf, s == S_WRITE ? 100 : 20000);   // 20000: past the direct blocks
    close(fd);
    unlink("sw_f");
    return r;
  case S_READ:
    make_file("sw_f", 3000);
    fd = open("sw_f", O_RDONLY);
    failnext(kind, n);
    r = read(fd, buf, 3000);
    close(fd);
    unlink("sw_f");
    return r;
  case S_MKDIR:
    failnext(kind, n);
    r = mkdir("sw_d");
    unlink("sw_d");
    return r;
  case S_LINK:
    make_file("sw_f", 10);
    failnext(kind, n);
    r = link("sw_f", "sw_l");
    unlink("sw_l");
    unlink("sw_f");
    return r;
  case S_UNLINK:
    make_file("sw_f", 3000);
    failnext(kind, n);
    r = unlink("sw_f");
    unlink("sw_f");
    return r;
  case S_UNLINK_DIR:
    mkdir("sw_d");
    failnext(kind, n);
    r = unlink("sw_d");
    unlink("sw_d");
    return r;
  case S_CHDIR:
    mkdir("sw_d");
    failnext(kind, n);
    r = chdir("sw_d");
    if(r == 0)
      chdir("..");
    unlink("sw_d");
    return r;
  case S_PIPE:
    failnext(kind, n);
    r = pipe(p);
    if(r == 0){
      close(p[0]);
      close(p[1]);
    }
    return r;
  case S_FORK:
    failnext(kind, n);
    pid = fork();
    if(pid == 0)
      exit(0);
    if(pid > 0)
      wait(0);
    return pid;
  case S_EXEC:
  case S_EXEC_ARGS:
    argv[0] = "exit0";
    argv[1] = 0;
    if(s == S_EXEC_ARGS){
      memset(longarg, 'x', sizeof(longarg) - 1);
      for(int i = 1; i <= 32; i++)
        argv[i] = longarg;
      argv[33] = 0;
    }
    pid = fork();
    if(pid == 0){
      failnext(kind, n);
      exec("exit0", argv);
      exit(7);                            // exec failed
    }
    status = -1;
    wait(&status);
    return status == 7 ? -1 : 0;
  case S_SBRK:
    failnext(kind, n);
    r = (int)(uint64)sbrk(3 * 4096);
    if(r != -1)
      sbrk(-3 * 4096);
    return r == -1 ? -1 : 0;
  case S_DUP:
    failnext(kind, n);
    r = dup(1);
    if(r >= 0)
      close(r);
    return r;
  case S_FSTAT:
    failnext(kind, n);
    return fstat(1, &st);
  case S_CLOSE:
    make_file("sw_f", 10);
    fd = open("sw_f", O_RDONLY);
    unlink("sw_f");                       // close frees the file
    failnext(kind, n);
    return close(fd);
  case S_MKNOD:
    failnext(kind, n);
    r = mknod("sw_n", 1, 1);
    unlink("sw_n");
    return r;
  case S_WAIT:
    pid = fork();
    if(pid == 0)
      exit(3);
    failnext(kind, n);
    r = wait(0);
    if(r < 0)
      wait(0);
    return r;
  case S_KILL:
    pid = fork();
    if(pid == 0){
      for(;;)
        sleep(1);
    }
    failnext(kind, n);
    r = kill(pid);
    if(r < 0)
      kill(pid);
    wait(0);
    return r;
  }
  return 0;
}

static int
same(struct counters *a, struct counters *b)
{
  // The heap may keep a little (a table that grew once, a cached string).
  return a->pages == b->pages && a->blocks == b->blocks && a->inodes == b->inodes
    && a->refs == b->refs && a->files == b->files && a->bufs == b->bufs
    && a->procs == b->procs && b->heap - a->heap < 4096;
}

static void
show(char *when, struct counters *c)
{
  printf("memtest: %s: pages %d blocks %d inodes %d heap %d refs %d files %d bufs %d procs %d\n",
         when, c->pages, c->blocks, c->inodes, c->heap, c->refs, c->files, c->bufs, c->procs);
}

static void
sweep(void)
{
  struct counters start, now;
  int total = 0, failed_calls = 0;
  // One run of each without failures first: the tables they touch grow
  // to their size now, not in the middle of the measurement.
  for(int s = 0; s < NSCENARIOS; s++)
    run_scenario(s, FAIL_HEAP, 0);
  count(&start);
  show("start", &start);
  for(int s = 0; s < NSCENARIOS; s++){
    if(only && strcmp(only, scenario_names[s]) != 0)
      continue;
    for(int kind = FAIL_HEAP; kind <= FAIL_PAGE; kind++){
      int n;
      for(n = 1; n < 2000; n++){
        int r = run_scenario(s, kind, n);
        int fired = failnext(0, 0);
        if(!fired)
          break;                          // the call made fewer than n allocations
        total++;
        if(r == -1)
          failed_calls++;
        // The cheap counters after every failure, so that a leak names the
        // allocation whose failure caused it (the heap's: at the end).
        if(only)                          // one scenario: the heap too, every time
          count(&now);
        else {
          count_cheap(&now);
          now.heap = start.heap;
        }
        if(!same(&start, &now)){
          printf("memtest: leak after %s with %s allocation %d failing\n",
                 scenario_names[s], kind == FAIL_HEAP ? "heap" : "page", n);
          show("now", &now);
          exit(1);
        }
      }
      printf("sweep %s %s %d\n", scenario_names[s], kind == FAIL_HEAP ? "heap" : "page", n - 1);
    }
    count(&now);
    if(!same(&start, &now)){
      printf("memtest: leak after %s\n", scenario_names[s]);
      show("now", &now);
      exit(1);
    }
  }
  show("end", &now);
  printf("memtest: sweep ok: %d failures injected, %d calls returned -1\n", total, failed_calls);
}

int
main(int argc, char *argv[])
{
  if(argc == 3 && strcmp(argv[1], "probe") == 0){
    printf("%d", kstat(KSTAT_HEAP_PEAK) - atoi(argv[2]) + ballast_at[0] - 1);
    exit(0);
  }
  if(argc == 2 && strcmp(argv[1], "block") == 0){
    char c;                       // torture's execs: alive until stdin closes
    read(0, &c, 1);
    exit(0);
  }
  if(argc == 2 && strcmp(argv[1], "peak") == 0)
    peak();
  else if(argc >= 2 && strcmp(argv[1], "sweep") == 0){
    only = argc > 2 ? argv[2] : 0;
    sweep();
  }
  else if(argc >= 2 && strcmp(argv[1], "allocs") == 0){
    only = argc > 2 ? argv[2] : 0;
    allocs();
  }
  else {
    fprintf(2, "usage: memtest peak|sweep|allocs [name]\n");
    exit(1);
  }
  exit(0);
}
