// torture: a long, mixed workload against the kernel's memory, in rounds.
//
//   torture [rounds [execs]]     (default 1 round, 150 execs)
//
// Each round fills a big directory, runs the disk out of inodes and then
// out of blocks, holds `execs` execs of the biggest program (memtest)
// alive at once, pushes data down a pipeline of 20 processes and grows a
// process tree 40 deep.  Running out (of inodes, blocks, pages) must be an
// error return, never a crash.  After every round the free pages, blocks
// and inodes and the kernel heap's live bytes are back where they were;
// the heap's high-water mark and largest free block are printed, so a
// fragmenting heap shows.  The kernel's counters are kstat()
// (kernel/debug/faults.py).
#include "user.h"

#define KSTAT_HEAP_PEAK 1
#define KSTAT_HEAP_RESET 2
#define KSTAT_HEAP_LARGEST 3

#define DIRFILES 120
#define EXECS 150        // by default
#define PIPELINE 20
#define DEPTH 40

static char buf[8192];

static void
die(const char *what)
{
  printf("torture: %s failed\n", what);
  exit(1);
}

// "x000".."x999" with prefix c.
static void
name_of(char *name, char c, int i)
{
  name[0] = c;
  name[1] = '0' + i / 100 % 10;
  name[2] = '0' + i / 10 % 10;
  name[3] = '0' + i % 10;
  name[4] = 0;
}

static void
big_directory(void)
{
  char name[8];
  if(mkdir("tdir") < 0 || chdir("tdir") < 0)
    die("mkdir tdir");
  for(int i = 0; i < DIRFILES; i++){
    name_of(name, 'f', i);
    int fd = open(name, O_CREATE | O_WRONLY);
    if(fd < 0 || write(fd, name, 4) != 4)
      die("create in tdir");
    close(fd);
  }
  for(int i = DIRFILES - 1; i >= 0; i -= 2){     // look every other one up
    name_of(name, 'f', i);
    int fd = open(name, O_RDONLY);
    if(fd < 0 || read(fd, buf, 8) != 4)
      die("reopen in tdir");
    close(fd);
  }
  for(int i = 0; i < DIRFILES; i++){
    name_of(name, 'f', i);
    if(unlink(name) < 0)
      die("unlink in tdir");
  }
  chdir("..");
  if(unlink("tdir") < 0)
    die("unlink tdir");
}

// Create empty files until the disk has no inode left; remove them.
static int
out_of_inodes(void)
{
  char name[8];
  int n = 0;
  if(mkdir("tino") < 0 || chdir("tino") < 0)
    die("mkdir tino");
  for(; n < 1000; n++){
    name_of(name, 'i', n);
    int fd = open(name, O_CREATE | O_WRONLY);
    if(fd < 0)
      break;                      // out of inodes: an error, not a crash
    close(fd);
  }
  if(freeinodes() != 0)
    die("running out of inodes");
  for(int i = 0; i < n; i++){
    name_of(name, 'i', i);
    unlink(name);
  }
  chdir("..");
  unlink("tino");
  return n;
}

// Write one file until the disk is full; remove it.
static int
full_disk(void)
{
  int fd = open("tfull", O_CREATE | O_WRONLY);
  if(fd < 0)
    die("create tfull");
  int kb = 0, r;
  while((r = write(fd, buf, sizeof(buf))) == sizeof(buf))
    kb += sizeof(buf) / 1024;
  if(r > 0)
    kb += r / 1024;
  close(fd);
  if(freeblocks() > 2)
    die("filling the disk");
  unlink("tfull");
  return kb;
}

// `execs` children exec memtest at once; each blocks reading its stdin (a
// pipe) until the parent closes the other end.  Some may fail for want
// of pages: that is an error return, counted.
static int
many_execs(int execs)
{
  int p[2];
  if(pipe(p) < 0)
    die("pipe");
  int started = 0;
  for(int i = 0; i < execs; i++){
    int pid = fork();
    if(pid < 0)
      break;
    if(pid == 0){
      close(0);
      dup(p[0]);
      close(p[0]);
      close(p[1]);
      char *argv[] = { "memtest", "block", 0 };
      exec("memtest", argv);
      exit(2);                    // exec failed (out of memory): said by the status
    }
    started++;
  }
  close(p[0]);
  close(p[1]);                    // every child's read sees end of file
  int ran = 0, status;
  for(int i = 0; i < started; i++){
    if(wait(&status) < 0)
      die("wait for the execs");
    if(status == 0)
      ran++;
  }
  return ran;
}

// A pipeline of PIPELINE processes, each copying its stdin to its stdout;
// 64 KiB go in at one end and must come out at the other.
static void
pipeline(void)
{
  int in[2];
  if(pipe(in) < 0)
    die("pipe");
  int first = in[1], prev = in[0];
  for(int i = 0; i < PIPELINE; i++){
    int next[2];
    if(pipe(next) < 0)
      die("pipe in the pipeline");
    if(fork() == 0){
      close(first);
      close(next[0]);
      int r;
      while((r = read(prev, buf, sizeof(buf))) > 0)
        if(write(next[1], buf, r) != r)
          exit(1);
      exit(0);
    }
    close(prev);
    close(next[1]);
    prev = next[0];
  }
  if(fork() == 0){                // the writer
    close(prev);
    memset(buf, 'p', sizeof(buf));
    for(int i = 0; i < 8; i++)
      if(write(first, buf, sizeof(buf)) != sizeof(buf))
        exit(1);
    exit(0);
  }
  close(first);
  int got = 0, r;
  while((r = read(prev, buf, sizeof(buf))) > 0)
    got += r;
  close(prev);
  for(int i = 0; i < PIPELINE + 1; i++)
    wait(0);
  if(got != 8 * (int)sizeof(buf))
    die("the pipeline's data");
}

// Each process forks the next, DEPTH deep, and waits for it: the child
// carries on down the loop, the parent waits and passes its status up.
static void
deep_tree(void)
{
  for(int depth = 0; depth < DEPTH; depth++){
    int pid = fork();
    if(pid < 0)
      exit(1);
    if(pid > 0){
      int status = -1;
      wait(&status);
      exit(status);
    }
  }
  exit(0);
}

static void
tree(void)
{
  int pid = fork();
  if(pid == 0)
    deep_tree();
  int status = -1;
  wait(&status);
  if(status != 0)
    die("the deep process tree");
}

int
main(int argc, char *argv[])
{
  int rounds = argc > 1 ? atoi(argv[1]) : 1;
  int execs = argc > 2 ? atoi(argv[2]) : EXECS;
  // One round first, so that every table grows to its working size.
  int live0 = 0, pages0 = 0, blocks0 = 0, inodes0 = 0;
  for(int r = 0; r <= rounds; r++){
    big_directory();
    int inodes = out_of_inodes();
    int kb = full_disk();
    int ran = many_execs(execs);
    pipeline();
    tree();
    int peak = kstat(KSTAT_HEAP_PEAK);          // the round's high-water mark
    int live = kstat(KSTAT_HEAP_RESET);         // collect; start a new mark
    int largest = kstat(KSTAT_HEAP_LARGEST);
    if(r == 0){
      live0 = live;
      pages0 = freepages();
      blocks0 = freeblocks();
      inodes0 = freeinodes();
      continue;
    }
    printf("torture round %d: %d files to fill the inodes, %d KiB to fill the disk, "
           "%d of %d execs ran; heap live %d (+%d), high-water %d, largest free %d\n",
           r, inodes, kb, ran, execs, live, live - live0, peak, largest);
    if(freepages() != pages0 || freeblocks() != blocks0 || freeinodes() != inodes0){
      printf("torture: round %d leaked: pages %d -> %d, blocks %d -> %d, inodes %d -> %d\n",
             r, pages0, freepages(), blocks0, freeblocks(), inodes0, freeinodes());
      exit(1);
    }
    if(live - live0 > 16384){
      printf("torture: round %d: the heap's live bytes grew by %d\n", r, live - live0);
      exit(1);
    }
  }
  printf("torture: %d rounds ok\n", rounds);
  exit(0);
}
