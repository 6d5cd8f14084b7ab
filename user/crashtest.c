// crashtest: write, round after round, files whose every on-disk state can
// be checked -- for tests/qemu/test_crash.py, which cuts the power while it runs.
//
//   crashtest [N]     N rounds (none or 0: forever)
//
// Everything lives in the directory crash/ (made if missing):
//
//   cNN  (NN = 00 .. NFILES-1) exactly 3072 bytes: 48 lines of 64 bytes,
//        line l is "cNN round RRRRRRRR line LL " then letters that depend on
//        the file, the round, the line and the column, then '\n'.  Round R
//        overwrites every cNN, in order, with ONE write() of 3072 bytes, which
//        the kernel makes one transaction (kernel/file.py MAX_WRITE_PER_OP):
//        after any crash a cNN holds exactly one round, never a mix.
//   tR, kR  round R creates tR (tsize(R) bytes of tfill(R), one write),
//        links it to kR, unlinks tR; then opens k(R-1), unlinks it, reads
//        it back through the open descriptor and closes it (its inode is
//        freed at that close: a crash before leaves an orphan for the kernel
//        to free at boot).  So blocks and inodes are allocated and freed,
//        directory slots reused, and link counts go 1, 2, 1, 0 every round.
//   iNN  a missing cNN is made atomically: iNN is written with round 0,
//        linked to cNN, and unlinked.
//
// At start every file already there is checked (so after a crash the
// program itself verifies what recovery left), and the rounds go on from
// the newest round R found, as if never stopped: kR stays (round R+1
// unlinks it while open), the other t, k and i files are removed.  Output:
//   crashtest: start at round S          files checked and present
//   crashtest: round R                   after round R is done (on disk)
//   crashtest: done                      after N rounds
//   crashtest: <what went wrong>         and exit status 1
// tests/qemu/test_crash.py has the same formulas in Python; keep them in step.
#include "user.h"

#define NFILES 4
#define FSIZE 3072          // one write, one transaction
#define LINE 64
#define DIR "crash"

static char buf[FSIZE];
static char want[FSIZE];
static char path[32];

static void
fail(const char *what, const char *name)
{
  printf("crashtest: %s %s\n", what, name);
  exit(1);
}

// Decimal, right-aligned in width digits with leading zeros.
static void
putnum(char *p, uint n, int width)
{
  while (width-- > 0) {
    p[width] = '0' + n % 10;
    n /= 10;
  }
}

// Name DIR/<c><n> (n in decimal; two digits at least) into path.
static char*
name(char c, uint n)
{
  char digits[12];
  int i = 0, k;

  strcpy(path, DIR "/");
  k = strlen(path);
  path[k++] = c;
  do {
    digits[i++] = '0' + n % 10;
    n /= 10;
  } while (n);
  if (i < 2)
    digits[i++] = '0';
  while (i > 0)
    path[k++] = digits[--i];
  path[k] = 0;
  return path;
}

// The contents of file f at round r.
static void
cfill(char *p, uint f, uint r)
{
  int l, j;

  for (l = 0; l < FSIZE / LINE; l++, p += LINE) {
    // "cNN round RRRRRRRR line LL " is 27 bytes
    memmove(p, "c00 round 00000000 line 00 ", 27);
    putnum(p + 1, f, 2);
    putnum(p + 10, r, 8);
    putnum(p + 24, l, 2);
    for (j = 27; j < LINE - 1; j++)
      p[j] = 'a' + (f * 7 + r * 3 + l * 5 + j) % 26;
    p[LINE - 1] = '\n';
  }
}

// Round r's t/k file.
static uint
tsize(uint r)
{
  return 200 + (r * 677) % 2800;
}

static void
tfill(char *p, uint r)
{
  uint j, n = tsize(r);

  for (j = 0; j < n; j++)
    p[j] = j % LINE == LINE - 1 ? '\n' : 'A' + (r * 11 + j) % 26;
}

// Read the whole file at path into buf (at most FSIZE + 1 bytes); its size.
static int
slurp(const char *p)
{
  int fd, n, got = 0;

  if ((fd = open(p, O_RDONLY)) < 0)
    return -1;
  while (got < FSIZE + 1 && (n = read(fd, buf + got, FSIZE + 1 - got)) > 0)
    got += n;
  close(fd);
  return got;
}

// The round a cNN's first line names, or -1 if the line is not one.
static int
round_of(void)
{
  int i;
  uint r = 0;

  if (buf[0] != 'c' || memcmp(buf + 3, " round ", 7) != 0)
    return -1;
  for (i = 10; i < 18; i++) {
    if (buf[i] < '0' || buf[i] > '9')
      return -1;
    r = r * 10 + buf[i] - '0';
  }
  return r;
}

// Check file f (already in buf, n bytes): its round, or exit.
static uint
check_c(uint f, int n, const char *p)
{
  int r;

  if (n != FSIZE)
    fail("wrong size:", p);
  if ((r = round_of()) < 0)
    fail("no round in", p);
  cfill(want, f, r);
  if (memcmp(buf, want, FSIZE) != 0)
    fail("torn or mixed contents in", p);
  return r;
}

static void
write_all(const char *p, int flags, char *data, int n)
{
  int fd;

  if ((fd = open(p, flags)) < 0)
    fail("cannot open", p);
  if (write(fd, data, n) != n)
    fail("short write to", p);
  close(fd);
}

// Number after the letter in a directory entry's name, or -1.
static int
number(const char *s)
{
  int n = 0;

  if (*s == 0)
    return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return -1;
    n = n * 10 + *s - '0';
  }
  return n;
}

// Check the t, k and i files a crash (or a stop) left behind, and remove
// them, but for round keep's k file.
static void
clean_up(int keep)
{
  struct dirent de;
  char entry[DIRSIZ + 1];
  int fd, n, size;

  if ((fd = open(DIR, O_RDONLY)) < 0)
    fail("cannot open", DIR);
  while (read(fd, &de, sizeof de) == sizeof de) {
    if (de.inum == 0)
      continue;
    memmove(entry, de.name, DIRSIZ);
    entry[DIRSIZ] = 0;
    n = number(entry + 1);
    if (n < 0 || (entry[0] != 't' && entry[0] != 'k' && entry[0] != 'i'))
      continue;
    name(entry[0], n);
    size = slurp(path);
    if (entry[0] == 'i') {
      if (size != 0)
        check_c(n, size, path);     // round 0 of cNN
    } else if (size != 0 || entry[0] == 'k') {
      tfill(want, n);
      if (size != tsize(n) || memcmp(buf, want, size) != 0)
        fail("bad contents in", path);
    }
    if (entry[0] == 'k' && n == keep)
      continue;
    if (unlink(path) < 0)
      fail("cannot unlink", path);
  }
  close(fd);
}

static void
round_trip(uint r)
{
  uint f;
  int fd, n, got;
  char old[32];

  for (f = 0; f < NFILES; f++) {
    cfill(buf, f, r);
    write_all(name('c', f), O_RDWR, buf, FSIZE);
  }
  tfill(buf, r);
  write_all(name('t', r), O_CREATE | O_WRONLY | O_TRUNC, buf, tsize(r));
  strcpy(old, path);
  if (link(old, name('k', r)) < 0)
    fail("cannot link to", path);
  if (unlink(old) < 0)
    fail("cannot unlink", old);
  // The previous round's k file: unlink it while it is open, read it back.
  if ((fd = open(name('k', r - 1), O_RDONLY)) < 0)
    return;                         // none: the first round, or a crash in the last
  if (unlink(path) < 0)
    fail("cannot unlink", path);
  got = 0;
  while ((n = read(fd, buf + got, FSIZE - got)) > 0)
    got += n;
  close(fd);
  tfill(want, r - 1);
  if (got != tsize(r - 1) || memcmp(buf, want, got) != 0)
    fail("bad contents in unlinked", path);
}

int
main(int argc, char *argv[])
{
  uint f, r, start = 1, rounds = argc > 1 ? atoi(argv[1]) : 0;
  int n;
  struct stat st;
  char old[32];

  if (stat(DIR, &st) < 0 && mkdir(DIR) < 0)
    fail("cannot make", DIR);
  for (f = 0; f < NFILES; f++) {
    if ((n = slurp(name('c', f))) >= 0) {
      r = check_c(f, n, path);
      if (r + 1 > start)
        start = r + 1;
      continue;
    }
    // Missing: make it whole, then give it its name.
    cfill(buf, f, 0);
    write_all(name('i', f), O_CREATE | O_WRONLY | O_TRUNC, buf, FSIZE);
    strcpy(old, path);
    if (link(old, name('c', f)) < 0)
      fail("cannot link to", path);
    if (unlink(old) < 0)
      fail("cannot unlink", old);
  }
  clean_up(start - 1);
  printf("crashtest: start at round %d\n", start);
  for (r = start; rounds == 0 || r < start + rounds; r++) {
    round_trip(r);
    printf("crashtest: round %d\n", r);
  }
  printf("crashtest: done\n");
  exit(0);
}
