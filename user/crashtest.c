// crashtest: write, round after round, files whose every on-disk state can
// be checked -- for tests/qemu/test_crash.py, which cuts the power while it runs.
//
//   crashtest [N]       the small workload, N rounds (none or 0: forever)
//   crashtest big [N]   the big workload (below), N rounds
//
// The small workload lives in the directory crash/ (made if missing):
//
//   cNN  (NN = 00 .. NFILES-1) exactly 3072 bytes: 48 lines of 64 bytes,
//        line l is "cNN round RRRRRRRR line LL " then letters that depend on
//        the file, the round, the line and the column, then '\n'.  Round R
//        overwrites every cNN, in order, with ONE write() of 3072 bytes, which
//        the kernel makes one transaction (kernel/fs/file.py MAX_WRITE_PER_OP):
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
// unlinks it while open), the other t, k and i files are removed.
//
// The big workload lives in big/: files past the 11 direct blocks, into
// the indirect block, single write()s of several transactions, and
// directories made and removed.  Every 64-byte line of its files is
// "KNN round RRRRRRRR line LLLL " (K the kind, NN the file's number),
// letters, '\n' (bfill).  Round R (R >= 1), in this order:
//
//   gNN  (NN = 00 .. NG-1) GSIZE = 14 KiB, overwritten whole with round R
//        by ONE write(), which the kernel cuts into pieces of MAX_IO bytes
//        and those into transactions of TXN bytes (txn_end): after a crash
//        gNN is round R up to a transaction's end and round R-1 after it
//        (or whole).  Made at the start, round 0, through hNN (written,
//        linked, unlinked) as iNN above.
//   fR   created, one write() of FBIG = 20 KiB (8 transactions): after a
//        crash it is a prefix of round R's contents up to a transaction's end.
//   dR   a directory, made; then dR/x, created and written (XSIZE bytes,
//        one transaction after the create's).
//   then f(R-1), d(R-1)/x and d(R-1) are removed, in that order.
//
// At start the program checks every file there (each g is one round or
// torn as above, each f a prefix, each d holds only a whole or empty x),
// and starts at round R+1 if round R (the round g00 begins with) is
// complete, else does round R again (each step can be redone).
//
// Output, both workloads:
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

// Name <dir>/<c><n> (n in decimal; two digits at least) into path.
static char*
dname_in(const char *dir, char c, uint n)
{
  char digits[12];
  int i = 0, k;

  strcpy(path, dir);
  k = strlen(path);
  path[k++] = '/';
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

static char*
name(char c, uint n)
{
  return dname_in(DIR, c, n);
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

// The round the first line of b names (a file of kind k), or -1 if the
// line is not one.
static int
round_of(const char *b, char k)
{
  int i;
  uint r = 0;

  if (b[0] != k || memcmp(b + 3, " round ", 7) != 0)
    return -1;
  for (i = 10; i < 18; i++) {
    if (b[i] < '0' || b[i] > '9')
      return -1;
    r = r * 10 + b[i] - '0';
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
  if ((r = round_of(buf, 'c')) < 0)
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

static void big(uint rounds);

int
main(int argc, char *argv[])
{
  uint f, r, start = 1, rounds;
  int n;
  struct stat st;
  char old[32];

  if (argc > 1 && strcmp(argv[1], "big") == 0) {
    big(argc > 2 ? atoi(argv[2]) : 0);
    exit(0);
  }
  rounds = argc > 1 ? atoi(argv[1]) : 0;

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

// ---- the big workload ----

#define BDIR "big"
#define NG 2
#define GSIZE (14 * 1024)   // 11 direct blocks and 3 through the indirect block
#define FBIG (20 * 1024)    // one write() of 8 transactions
#define XSIZE 700
// A write() reaches the file system in pieces of MAX_IO bytes (kernel/fs/sysfile.py),
// each written in transactions of TXN bytes (kernel/fs/file.py MAX_WRITE_PER_OP).
#define MAX_IO 8192
#define TXN 3072

static char bbuf[FBIG + 1];
static char bwant[FBIG + LINE];

// Kind k's file n at round r: size bytes of whole lines (the last one cut).
static void
bfill(char *p, int size, char k, uint n, uint r)
{
  int l, j;

  for (l = 0; l * LINE < size; l++, p += LINE) {
    // "KNN round RRRRRRRR line LLLL " is 29 bytes
    memmove(p, "k00 round 00000000 line 0000 ", 29);
    p[0] = k;
    putnum(p + 1, n, 2);
    putnum(p + 10, r, 8);
    putnum(p + 24, l, 4);
    for (j = 29; j < LINE - 1; j++)
      p[j] = 'a' + (n * 7 + r * 3 + l * 5 + j + k) % 26;
    p[LINE - 1] = '\n';
  }
}

static char*
bname(char c, uint n)
{
  return dname_in(BDIR, c, n);
}

// big/dR/x
static char*
xname(uint r)
{
  bname('d', r);
  strcpy(path + strlen(path), "/x");
  return path;
}

// Read the whole file p into bbuf (at most FBIG + 1 bytes); its size, or -1.
static int
bslurp(const char *p)
{
  int fd, n, got = 0;

  if ((fd = open(p, O_RDONLY)) < 0)
    return -1;
  while (got < FBIG + 1 && (n = read(fd, bbuf + got, FBIG + 1 - got)) > 0)
    got += n;
  close(fd);
  return got;
}

// Whether a write() of size bytes has a transaction end at off.
static int
txn_end(int off, int size)
{
  return off == size || off % MAX_IO % TXN == 0;
}

// bbuf holds n bytes of gNN (path p): round r whole, or round r up to the
// end of one of the write()'s transactions and round r-1 after it.  Its
// round r; *torn says which.
static uint
check_g(uint g, int n, const char *p, int *torn)
{
  int r, i, cut;

  if (n != GSIZE)
    fail("wrong size:", p);
  if ((r = round_of(bbuf, 'g')) < 0)
    fail("no round in", p);
  bfill(bwant, GSIZE, 'g', g, r);
  for (i = 0; i < GSIZE && bbuf[i] == bwant[i]; i++)
    ;
  *torn = i < GSIZE;
  if (!*torn)
    return r;
  for (cut = i; cut > 0 && !txn_end(cut, GSIZE); cut--)
    ;                            // the old round from a transaction's start
  bfill(bwant, GSIZE, 'g', g, r - 1);
  if (r == 0 || cut == 0 || memcmp(bbuf + cut, bwant + cut, GSIZE - cut) != 0)
    fail("torn or mixed contents in", p);
  return r;
}

// bbuf holds n bytes of a file written from empty by one write() of full
// bytes (kind k, number num, round r): a prefix cut at a transaction's
// end.  Whether it is whole.
static int
check_prefix(char k, uint num, uint r, int n, int full, const char *p)
{
  if (n > full || !txn_end(n, full))
    fail("wrong size:", p);
  bfill(bwant, full, k, num, r);
  if (memcmp(bbuf, bwant, n) != 0)
    fail("bad contents in", p);
  return n == full;
}

// Check directory dR: only x, empty or whole.  1 if x is whole, 0 if it
// is empty, -1 if there is no x.
static int
check_d(uint r)
{
  struct dirent de;
  int fd, n, whole = -1;
  char dir[32], entry[DIRSIZ + 1];

  strcpy(dir, bname('d', r));
  if ((fd = open(dir, O_RDONLY)) < 0)
    fail("cannot open", dir);
  while (read(fd, &de, sizeof de) == sizeof de) {
    memmove(entry, de.name, DIRSIZ);
    entry[DIRSIZ] = 0;
    if (de.inum == 0 || strcmp(entry, ".") == 0 || strcmp(entry, "..") == 0)
      continue;
    if (strcmp(entry, "x") != 0)
      fail("unexpected entry in", dir);
    n = bslurp(xname(r));
    whole = n == 0 ? 0 : check_prefix('x', 0, r, n, XSIZE, path);
  }
  close(fd);
  return whole;
}

static int
exists(const char *p)
{
  struct stat st;

  return stat(p, &st) >= 0;
}

static void
remove_if_there(const char *p)
{
  if (exists(p) && unlink(p) < 0)
    fail("cannot unlink", p);
}

static void
big_round(uint r)
{
  uint g;
  struct stat st;

  for (g = 0; g < NG; g++) {
    bfill(bbuf, GSIZE, 'g', g, r);
    write_all(bname('g', g), O_RDWR, bbuf, GSIZE);
  }
  bfill(bbuf, FBIG, 'f', 0, r);
  write_all(bname('f', r), O_CREATE | O_WRONLY | O_TRUNC, bbuf, FBIG);
  if (mkdir(bname('d', r)) < 0 && (stat(path, &st) < 0 || st.type != T_DIR))
    fail("cannot make", path);
  bfill(bbuf, XSIZE, 'x', 0, r);
  write_all(xname(r), O_CREATE | O_WRONLY | O_TRUNC, bbuf, XSIZE);
  if (r > 1) {
    remove_if_there(bname('f', r - 1));
    remove_if_there(xname(r - 1));
    remove_if_there(bname('d', r - 1));
  }
}

static void
big(uint rounds)
{
  struct dirent de;
  char entry[DIRSIZ + 1], old[32];
  uint g, r, start, rr[NG];
  int fd, n, k, torn, whole_g = 1, whole_f = 0, whole_x = 0, old_there = 0;

  if (!exists(BDIR) && mkdir(BDIR) < 0)
    fail("cannot make", BDIR);
  // A missing gNN is made whole, round 0, before it gets its name.
  for (g = 0; g < NG; g++) {
    if (exists(bname('g', g)))
      continue;
    bfill(bbuf, GSIZE, 'g', g, 0);
    write_all(bname('h', g), O_CREATE | O_WRONLY | O_TRUNC, bbuf, GSIZE);
    strcpy(old, path);
    if (link(old, bname('g', g)) < 0)
      fail("cannot link to", path);
    if (unlink(old) < 0)
      fail("cannot unlink", old);
  }
  for (g = 0; g < NG; g++) {
    n = bslurp(bname('g', g));
    rr[g] = check_g(g, n, path, &torn);
    if (g > 0 && rr[g] != rr[0] && rr[g] + 1 != rr[0])
      fail("more than a round behind g00:", path);
    whole_g = whole_g && !torn && rr[g] == rr[0];
  }
  r = rr[0];
  // Everything else in big/: this round's and the last one's f and d, and
  // leftover h files.
  if ((fd = open(BDIR, O_RDONLY)) < 0)
    fail("cannot open", BDIR);
  while (read(fd, &de, sizeof de) == sizeof de) {
    if (de.inum == 0)
      continue;
    memmove(entry, de.name, DIRSIZ);
    entry[DIRSIZ] = 0;
    if (strcmp(entry, ".") == 0 || strcmp(entry, "..") == 0)
      continue;
    k = number(entry + 1);
    if (k < 0 || (entry[0] == 'g' && k < NG))
      continue;
    if (entry[0] == 'h' && k < NG) {
      n = bslurp(bname('h', k));
      check_prefix('g', k, 0, n, GSIZE, path);
      if (unlink(path) < 0)
        fail("cannot unlink", path);
    } else if (entry[0] == 'f' && k >= 1 && (k == r || k == r - 1)) {
      n = bslurp(bname('f', k));
      if (check_prefix('f', 0, k, n, FBIG, path))
        whole_f |= k == r;
      else if (k != r)
        fail("an older round's file is not whole:", path);
      old_there |= k != r;
    } else if (entry[0] == 'd' && k >= 1 && (k == r || k == r - 1)) {
      n = check_d(k);
      if (n == 1)
        whole_x |= k == r;
      else if (n == 0 && k != r)
        fail("an older round's file is not whole:", xname(k));
      old_there |= k != r;
    } else {
      fail("unexpected file", entry);
    }
  }
  close(fd);
  // Round r is complete: on to the next.  Else (a crash in it) again.
  start = r == 0 || (whole_g && whole_f && whole_x && !old_there) ? r + 1 : r;
  printf("crashtest: start at round %d\n", start);
  for (r = start; rounds == 0 || r < start + rounds; r++) {
    big_round(r);
    printf("crashtest: round %d\n", r);
  }
  printf("crashtest: done\n");
}
