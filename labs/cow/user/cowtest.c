// cowtest [TEST...]: checks copy-on-write fork (lab cow).  Each test ends
// in "cowtest: NAME: OK token=..." or a line saying what failed; with no
// arguments every test runs.  The tests size their memory from the free
// page count, so they mean the same on any amount of RAM.
#include "user.h"
#include "common/grade.h"

static int failed;

static void
fail(const char *name, const char *why)
{
  printf("cowtest: %s: FAILED: %s\n", name, why);
  failed = 1;
}

// Grow by n pages and write each one; the old break, or 0.
static char*
grab(const char *name, int n)
{
  char *p = sbrk(n * PGSIZE);
  int i;

  if (p == (char*)-1) {
    fail(name, "sbrk failed");
    return 0;
  }
  for (i = 0; i < n; i++)
    *(int*)(p + i * PGSIZE) = i;
  return p;
}

// A process holding more than half of the free memory forks: only
// copy-on-write leaves enough pages for the child's copy.
static void
simple(void)
{
  int n = freepages() * 2 / 3, pid, status = 1;
  char *p = grab("simple", n);

  if (p == 0)
    return;
  pid = fork();
  if (pid < 0) {
    fail("simple", "fork of a process that holds 2/3 of the free memory failed");
  } else if (pid == 0) {
    exit(0);
  } else {
    wait(&status);
    if (status != 0)
      fail("simple", "the child failed");
  }
  sbrk(-n * PGSIZE);
  if (!failed)
    pass_token("cowtest: simple: OK");
}

// Fork costs a few pages, not a copy of the memory, and the pages come
// back when the child exits.
static void
cost(void)
{
  int n = freepages() / 8, before, after, pid, fds[2];
  char *p = grab("cost", n), c;

  if (p == 0)
    return;
  if (pipe(fds) < 0) {
    fail("cost", "pipe failed");
    return;
  }
  before = freepages();
  pid = fork();
  if (pid == 0) {
    read(fds[0], &c, 1);          // stay until the parent has counted
    exit(0);
  }
  after = freepages();
  if (pid < 0)
    fail("cost", "fork failed");
  else if (before - after > n / 4)
    fail("cost", "fork copied the memory: it took more than a quarter of the process's pages");
  write(fds[1], "x", 1);
  wait(0);
  close(fds[0]);
  close(fds[1]);
  sbrk(-n * PGSIZE);
  if (!failed)
    pass_token("cowtest: cost: OK");
}

// Three processes share the pages and write to them: each sees its own.
static void
three(void)
{
  int n = freepages() / 4, i, pid1, pid2, status;
  char *p = grab("three", n);

  if (p == 0)
    return;
  pid1 = fork();
  if (pid1 < 0) {
    fail("three", "fork failed");
    return;
  }
  if (pid1 == 0) {
    pid2 = fork();
    if (pid2 < 0)
      exit(1);
    if (pid2 == 0) {
      for (i = 0; i < n; i += 2)
        *(int*)(p + i * PGSIZE) = -i;
      for (i = 0; i < n; i += 2)
        if (*(int*)(p + i * PGSIZE) != -i)
          exit(1);
      exit(0);
    }
    for (i = 0; i < n; i++)
      if (*(int*)(p + i * PGSIZE) != i)
        exit(1);
    wait(&status);
    exit(status);
  }
  for (i = 0; i < n; i += 3)
    *(int*)(p + i * PGSIZE) = 7 * i;
  wait(&status);
  if (status != 0)
    fail("three", "a child saw memory another process wrote");
  for (i = 0; i < n; i++)
    if (*(int*)(p + i * PGSIZE) != (i % 3 == 0 ? 7 * i : i)) {
      fail("three", "the parent's writes were lost or changed");
      break;
    }
  sbrk(-n * PGSIZE);
  if (!failed)
    pass_token("cowtest: three: OK");
}

// The kernel writes into shared pages (read, pipe): it must copy them too.
static char buf[PGSIZE];

static void
file(void)
{
  int i, fds[2], pid, status;

  buf[0] = 99;
  for (i = 0; i < 4; i++) {
    if (pipe(fds) != 0) {
      fail("file", "pipe failed");
      return;
    }
    pid = fork();
    if (pid < 0) {
      fail("file", "fork failed");
      return;
    }
    if (pid == 0) {
      sleep(1);
      if (read(fds[0], buf, sizeof(i)) != sizeof(i))
        exit(1);                 // read into a shared page failed
      exit(*(int*)buf == i ? 0 : 1);
    }
    if (write(fds[1], &i, sizeof(i)) != sizeof(i)) {
      fail("file", "write to the pipe failed");
      return;
    }
    wait(&status);
    close(fds[0]);
    close(fds[1]);
    if (status != 0) {
      fail("file", "a child's read() into a copy-on-write page failed");
      return;
    }
  }
  if (buf[0] != 99)
    fail("file", "the child's read() changed the parent's memory");
  if (!failed)
    pass_token("cowtest: file: OK");
}

static struct { char *name; void (*fn)(void); } tests[] = {
  { "simple", simple }, { "cost", cost }, { "three", three }, { "file", file }, { 0, 0 },
};

int
main(int argc, char *argv[])
{
  int i, j;

  // Free pages are compared by the grader, from the kernel, once cowtest
  // has exited: a running process keeps the page-table pages its heap
  // needed, which sbrk(-n) does not give back.
  for (i = 0; tests[i].name; i++) {
    int chosen = argc < 2;
    for (j = 1; j < argc; j++)
      if (strcmp(argv[j], tests[i].name) == 0)
        chosen = 1;
    if (chosen) {
      failed = 0;
      tests[i].fn();
    }
  }
  printf("cowtest: done\n");
  exit(0);
}
