// stressfs: several processes create, write, read back and remove files at once.
#include "user.h"

// Usage:  stressfs [NPROC [ROUNDS [KIB]]]          (default 4 5 16)
//
// NPROC processes work in the current directory at the same time.  In each
// of ROUNDS rounds a process writes a file of KIB KiB, named sfs<P>_<R>, in
// pieces of uneven sizes, with contents that depend on process, round and
// offset; checks its size and reads it back; then removes the previous
// round's file (so each process keeps up to two files).  At the end every
// file is gone.  Prints
//
//   stressfs ok                                     when all went well, or
//   stressfs: process P: WHAT                        for each problem, then
//   stressfs FAILED
//
// and exits 0 or 1.

#define CHUNK 700          // write and read sizes cycle through CHUNK - 0..99

static char buf[CHUNK];
static int me;             // this process's number, 0 .. NPROC-1

static void
fail(const char *what, const char *name)
{
  printf("stressfs: process %d: %s %s\n", me, what, name);
  exit(1);
}

static char
pattern(int round, int off)
{
  return 'a' + (me * 7 + round * 3 + off + off / 1024) % 26;
}

static void
filename(char *name, int round)
{
  // sfs<P>_<R>: at most 3 + 2 + 1 + 4 = 10 characters < DIRSIZ.
  name[0] = 's';
  name[1] = 'f';
  name[2] = 's';
  name[3] = '0' + me / 10;
  name[4] = '0' + me % 10;
  name[5] = '_';
  name[6] = '0' + round / 1000 % 10;
  name[7] = '0' + round / 100 % 10;
  name[8] = '0' + round / 10 % 10;
  name[9] = '0' + round % 10;
  name[10] = 0;
}

static void
onefile(int round, int size)
{
  char name[16];
  struct stat st;
  int fd, off, n, i;

  filename(name, round);
  fd = open(name, O_CREATE | O_RDWR);
  if (fd < 0)
    fail("cannot create", name);
  for (off = 0; off < size; off += n) {
    n = CHUNK - (off / CHUNK) % 100;
    if (n > size - off)
      n = size - off;
    for (i = 0; i < n; i++)
      buf[i] = pattern(round, off + i);
    if (write(fd, buf, n) != n)
      fail("short write to", name);
  }
  if (fstat(fd, &st) < 0 || st.type != T_FILE || st.size != size)
    fail("wrong size or type of", name);
  close(fd);

  fd = open(name, O_RDONLY);
  if (fd < 0)
    fail("cannot reopen", name);
  for (off = 0; off < size; off += n) {
    n = CHUNK - 1 - (off / CHUNK) % 50;
    if (n > size - off)
      n = size - off;
    if (read(fd, buf, n) != n)
      fail("short read of", name);
    for (i = 0; i < n; i++)
      if (buf[i] != pattern(round, off + i))
        fail("wrong contents in", name);
  }
  if (read(fd, buf, 1) != 0)
    fail("no end of file in", name);
  close(fd);

  if (round > 0) {
    filename(name, round - 1);
    if (unlink(name) < 0)
      fail("cannot remove", name);
    if (open(name, O_RDONLY) >= 0)
      fail("can still open removed", name);
  }
}

int
main(int argc, char *argv[])
{
  int nproc = 4, rounds = 5, kib = 16;
  int i, pid, st, failed = 0;
  char name[16];

  if (argc > 1)
    nproc = atoi(argv[1]);
  if (argc > 2)
    rounds = atoi(argv[2]);
  if (argc > 3)
    kib = atoi(argv[3]);
  if (argc > 4 || nproc < 1 || nproc > 99 || rounds < 1 || rounds > 9999 || kib < 0) {
    fprintf(2, "usage: stressfs [nproc [rounds [kib]]]\n");
    exit(1);
  }

  for (i = 0; i < nproc; i++) {
    pid = fork();
    if (pid < 0) {
      printf("stressfs: fork failed\n");
      failed++;
      break;
    }
    if (pid == 0) {
      me = i;
      for (i = 0; i < rounds; i++)
        onefile(i, kib * 1024 + me * 13);
      filename(name, rounds - 1);
      if (unlink(name) < 0)
        fail("cannot remove", name);
      exit(0);
    }
  }
  while ((pid = wait(&st)) >= 0)
    if (st != 0)
      failed++;

  if (failed) {
    printf("stressfs FAILED\n");
    exit(1);
  }
  printf("stressfs ok\n");
  exit(0);
}
