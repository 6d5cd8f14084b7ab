// mmaptest: checks mmap and munmap of files (lab mmap).  Each test ends in
// "mmaptest: NAME: OK token=..." or a line saying what failed; `mmaptest
// NAME ...` runs only those.
#include "user.h"
#include "common/grade.h"

#define FILE_BYTES (PGSIZE * 2 + PGSIZE / 2)   // two and a half pages
#define MAP_FAILED ((char *)-1)

static const char *testname;
static int failed;

static void
fail(const char *why, int a, int b)
{
  printf("mmaptest: %s: FAILED: %s (%d, %d)\n", testname, why, a, b);
  failed = 1;
}

// The byte at file offset i of a test file: no two nearby pages alike.
static char
pattern(int i, int salt)
{
  return 'A' + (i / PGSIZE * 7 + i + salt) % 26;
}

// A file of FILE_BYTES pattern bytes.
static void
makefile(const char *name, int salt)
{
  static char buf[512];
  unlink(name);
  int fd = open(name, O_CREATE | O_RDWR);
  if (fd < 0) {
    printf("mmaptest: cannot create %s\n", name);
    exit(1);
  }
  for (int off = 0; off < FILE_BYTES; off += sizeof(buf)) {
    for (int i = 0; i < (int)sizeof(buf); i++)
      buf[i] = pattern(off + i, salt);
    if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
      printf("mmaptest: cannot write %s\n", name);
      exit(1);
    }
  }
  close(fd);
}

// Do p[0 .. n) hold the file's bytes from off (and zeros past its end)?
static int
holds(const char *p, int off, int n, int salt)
{
  for (int i = 0; i < n; i++) {
    char want = off + i < FILE_BYTES ? pattern(off + i, salt) : 0;
    if (p[i] != want) {
      fail("a mapped byte is wrong (offset, byte)", off + i, p[i]);
      return 0;
    }
  }
  return 1;
}

// Does the file hold its pattern, but for `n` bytes `c` at `at`?
static int
file_holds(const char *name, int at, int n, char c, int salt)
{
  static char buf[FILE_BYTES + 16];
  int fd = open(name, O_RDONLY);
  if (fd < 0) {
    fail("cannot open the file again", 0, 0);
    return 0;
  }
  int got = read(fd, buf, sizeof(buf));
  close(fd);
  if (got != FILE_BYTES) {
    fail("the file's size changed (bytes, expected)", got, FILE_BYTES);
    return 0;
  }
  for (int i = 0; i < FILE_BYTES; i++) {
    char want = i >= at && i < at + n ? c : pattern(i, salt);
    if (buf[i] != want) {
      fail("a byte of the file is wrong (offset, byte)", i, buf[i]);
      return 0;
    }
  }
  return 1;
}

static void
done(void)
{
  if (!failed) {
    char what[64];
    char *w = what;
    const char *s = "mmaptest: ";
    while (*s) *w++ = *s++;
    s = testname;
    while (*s) *w++ = *s++;
    s = ": OK";
    while (*s) *w++ = *s++;
    *w = 0;
    pass_token(what);
  }
}

// Run f in a child; its exit status (-1 when the kernel killed it).
static int
in_child(void (*f)(char *), char *arg)
{
  int pid = fork();
  if (pid < 0) {
    fail("fork", pid, 0);
    return -2;
  }
  if (pid == 0) {
    f(arg);
    exit(0);
  }
  int status;
  wait(&status);
  return status;
}

// mmap reads the file's pages only when they are touched.
static void
lazy(void)
{
  makefile("mmap.lazy", 1);
  int fd = open("mmap.lazy", O_RDONLY);
  // Once first, so that the page tables for the mapping exist before
  // pages are counted.
  char *p = mmap(0, FILE_BYTES, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) {
    fail("mmap of a read-only file, PROT_READ, MAP_PRIVATE failed", 0, 0);
    return;
  }
  holds(p, 0, 16, 1);
  munmap(p, FILE_BYTES);
  int before = freepages();
  p = mmap(0, FILE_BYTES, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);                          // the mapping keeps the file open
  if (p == MAP_FAILED) {
    fail("the second mmap failed", 0, 0);
    return;
  }
  if (freepages() != before)
    fail("mmap took pages before any was touched (free before, after)", before, freepages());
  else if (holds(p + PGSIZE, PGSIZE, 100, 1) && freepages() != before - 1)
    fail("touching one page did not take exactly one page (free before, after)", before, freepages());
  else if (holds(p, 0, FILE_BYTES, 1) && holds(p + FILE_BYTES, FILE_BYTES, PGSIZE * 3 - FILE_BYTES, 1)
           && freepages() != before - 3)
    fail("three touched pages did not take three pages (free before, after)", before, freepages());
  if (munmap(p, FILE_BYTES) != 0)
    fail("munmap failed", 0, 0);
  else if (freepages() != before)
    fail("munmap did not give every page back (free before, after)", before, freepages());
}

// MAP_PRIVATE: stores stay in the process; the file never changes.
static void
private(void)
{
  makefile("mmap.private", 2);
  int fd = open("mmap.private", O_RDONLY);
  char *p = mmap(0, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  close(fd);
  if (p == MAP_FAILED) {
    fail("mmap PROT_READ|PROT_WRITE, MAP_PRIVATE of a read-only file failed", 0, 0);
    return;
  }
  for (int i = 0; i < PGSIZE; i++)
    p[PGSIZE + i] = 'z';
  for (int i = 0; i < PGSIZE; i++)
    if (p[PGSIZE + i] != 'z') {
      fail("a store into the mapping did not stick (offset, byte)", PGSIZE + i, p[PGSIZE + i]);
      break;
    }
  holds(p, 0, PGSIZE, 2);
  if (munmap(p, FILE_BYTES) != 0)
    fail("munmap failed", 0, 0);
  file_holds("mmap.private", 0, 0, 0, 2);
}

// MAP_SHARED: stores reach the file at munmap, within its size.
static void
shared(void)
{
  makefile("mmap.shared", 3);
  int fd = open("mmap.shared", O_RDWR);
  char *p = mmap(0, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) {
    fail("mmap PROT_READ|PROT_WRITE, MAP_SHARED of a read-write file failed", 0, 0);
    return;
  }
  // Page 0 untouched; page 1 from its middle on; page 2 all, past the end.
  for (int i = PGSIZE + 100; i < PGSIZE * 3; i++)
    p[i] = 's';
  if (munmap(p, FILE_BYTES) != 0)
    fail("munmap failed", 0, 0);
  file_holds("mmap.shared", PGSIZE + 100, FILE_BYTES - PGSIZE - 100, 's', 3);
}

static void
store(char *p)
{
  *p = 'x';
}

static void
load(char *p)
{
  if (*(volatile char *)p == 0x55)
    exit(7);
}

// What mmap must refuse; stores where only loads are allowed kill.
static void
refuse(void)
{
  makefile("mmap.refuse", 4);
  int fd = open("mmap.refuse", O_RDONLY);
  int fds[2];
  pipe(fds);
  if (mmap(0, PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) != MAP_FAILED)
    fail("MAP_SHARED, PROT_WRITE of a file opened read-only was allowed", 0, 0);
  if (mmap(0, PGSIZE, PROT_READ, MAP_SHARED, fds[0], 0) != MAP_FAILED)
    fail("a pipe was mapped", 0, 0);
  if (mmap(0, PGSIZE, PROT_READ, MAP_SHARED, 15, 0) != MAP_FAILED
      || mmap(0, PGSIZE, PROT_READ, MAP_SHARED, -1, 0) != MAP_FAILED)
    fail("a descriptor that is not open was mapped", 0, 0);
  if (mmap(0, 0, PROT_READ, MAP_SHARED, fd, 0) != MAP_FAILED
      || mmap(0, -PGSIZE, PROT_READ, MAP_SHARED, fd, 0) != MAP_FAILED)
    fail("a mapping of 0 or fewer bytes was made", 0, 0);
  if (mmap(0, PGSIZE, PROT_READ, 3, fd, 0) != MAP_FAILED
      || mmap(0, PGSIZE, PROT_READ, 0, fd, 0) != MAP_FAILED)
    fail("flags other than MAP_SHARED or MAP_PRIVATE were accepted", 0, 0);
  char *p = mmap(0, PGSIZE, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  close(fds[0]);
  close(fds[1]);
  if (p == MAP_FAILED) {
    fail("mmap PROT_READ, MAP_SHARED of a read-only file failed", 0, 0);
    return;
  }
  if (munmap(p + 1, PGSIZE) != -1)
    fail("munmap of an address that is not page-aligned worked", 0, 0);
  if (in_child(store, p) != -1)
    fail("a store to a PROT_READ mapping (not loaded) did not kill", 0, 0);
  holds(p, 0, 10, 4);
  if (in_child(store, p) != -1)
    fail("a store to a PROT_READ mapping (loaded) did not kill", 0, 0);
  if (in_child(load, p + PGSIZE) != -1)
    fail("a load past the mapping's end did not kill", 0, 0);
  if (munmap(p, PGSIZE) != 0)
    fail("munmap failed", 0, 0);
  if (in_child(load, p) != -1)
    fail("a load after munmap did not kill", 0, 0);
  if (munmap(p, PGSIZE) != -1)
    fail("munmap of what is no longer mapped worked", 0, 0);
  file_holds("mmap.refuse", 0, 0, 0, 4);
}

// munmap of the start, then the end, of a mapping.
static void
partial(void)
{
  makefile("mmap.partial", 5);
  int fd = open("mmap.partial", O_RDWR);
  char *p = mmap(0, PGSIZE * 3, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  char *q = mmap(0, PGSIZE * 3, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (p == MAP_FAILED || q == MAP_FAILED || p == q) {
    fail("two mmaps of one file did not both work (and differ)", p == MAP_FAILED, q == MAP_FAILED);
    return;
  }
  p[0] = 'a';
  p[PGSIZE] = 'b';
  if (munmap(p, PGSIZE) != 0)
    fail("munmap of the first page failed", 0, 0);
  if (in_child(load, p) != -1)
    fail("a load in the unmapped first page did not kill", 0, 0);
  if (p[PGSIZE] != 'b')
    fail("the second page lost its store (byte)", p[PGSIZE], 0);
  if (munmap(p + PGSIZE * 2, PGSIZE) != 0)
    fail("munmap of the last page failed", 0, 0);
  if (in_child(load, p + PGSIZE * 2) != -1)
    fail("a load in the unmapped last page did not kill", 0, 0);
  if (p[PGSIZE] != 'b')
    fail("the middle page lost its store (byte)", p[PGSIZE], 0);
  if (munmap(p + PGSIZE, PGSIZE) != 0)
    fail("munmap of the middle page failed", 0, 0);
  // The other mapping still reads the file as it was at its first touch.
  holds(q + PGSIZE * 2, PGSIZE * 2, 8, 5);
  if (munmap(q, PGSIZE * 3) != 0)
    fail("munmap of the second mapping failed", 0, 0);
  // Both stores were written back, page 0's at the first munmap.
  static char buf[PGSIZE + 1];
  fd = open("mmap.partial", O_RDONLY);
  read(fd, buf, PGSIZE + 1);
  close(fd);
  if (buf[0] != 'a' || buf[PGSIZE] != 'b')
    fail("the stores were not written back (bytes)", buf[0], buf[PGSIZE]);
}

static char *forkmap;

static void
child_reads(char *unused)
{
  // The child has the same mapping: the file's bytes at every page.
  if (!holds(forkmap, 0, FILE_BYTES, 6))
    exit(1);
  forkmap[0] = 'c';                     // private to the child
  if (munmap(forkmap, FILE_BYTES) != 0)
    exit(2);
  exit(0);
}

// fork: the child has the parent's mappings; each its own pages.
static void
forked(void)
{
  makefile("mmap.fork", 6);
  int fd = open("mmap.fork", O_RDONLY);
  forkmap = mmap(0, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  close(fd);
  if (forkmap == MAP_FAILED) {
    fail("mmap failed", 0, 0);
    return;
  }
  holds(forkmap + PGSIZE, PGSIZE, 10, 6);   // one page loaded before the fork
  int status = in_child(child_reads, 0);
  if (status != 0)
    fail("the child could not read the mapping, or munmap it (status)", status, 0);
  if (forkmap[0] != pattern(0, 6))
    fail("the child's store reached the parent's private page (byte)", forkmap[0], 0);
  holds(forkmap, 0, FILE_BYTES, 6);
  if (munmap(forkmap, FILE_BYTES) != 0)
    fail("munmap failed", 0, 0);
}

static void
exit_mapped(char *name)
{
  int fd = open(name, O_RDWR);
  char *p = mmap(0, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED)
    exit(1);
  for (int i = 0; i < 10; i++)
    p[PGSIZE * 2 + i] = 'e';
  exit(0);                              // no munmap
}

static void
exec_mapped(char *name)
{
  int fd = open(name, O_RDWR);
  char *p = mmap(0, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED)
    exit(1);
  p[5] = 'x';
  char *argv[] = { "echo", "mmaptest: exec'd with a mapping", 0 };
  // An exec that fails leaves the process as it was, mappings and all.
  if (exec("/no-such-program", argv) != -1 || p[5] != 'x' || p[6] != pattern(6, 8))
    exit(3);
  p[6] = 'x';
  exec("echo", argv);
  exit(2);
}

// exit and exec unmap what is still mapped, writing MAP_SHARED stores back.
static void
exits(void)
{
  makefile("mmap.exit", 7);
  int status = in_child(exit_mapped, "mmap.exit");
  if (status != 0)
    fail("the child could not map the file (status)", status, 0);
  file_holds("mmap.exit", PGSIZE * 2, 10, 'e', 7);
  makefile("mmap.exec", 8);
  status = in_child(exec_mapped, "mmap.exec");
  if (status != 0)
    fail("the child could not map the file and exec (status)", status, 0);
  file_holds("mmap.exec", 5, 2, 'x', 8);
}

static struct {
  void (*f)(void);
  const char *name;
} tests[] = {
  { lazy, "lazy" },
  { private, "private" },
  { shared, "shared" },
  { refuse, "refuse" },
  { partial, "partial" },
  { forked, "fork" },
  { exits, "exit" },
};

int
main(int argc, char *argv[])
{
  for (int t = 0; t < (int)(sizeof(tests) / sizeof(tests[0])); t++) {
    int chosen = argc < 2;
    for (int a = 1; a < argc; a++)
      if (strcmp(argv[a], tests[t].name) == 0)
        chosen = 1;
    if (!chosen)
      continue;
    testname = tests[t].name;
    failed = 0;
    tests[t].f();
    done();
  }
  printf("mmaptest: done\n");
  exit(0);
}
