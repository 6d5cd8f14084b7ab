// sysinfotest: checks the sysinfo system call (lab syscall).  Ends with
// "sysinfotest: OK token=..." when every check passed.
#include "user.h"
#include "common/grade.h"
#include "sysinfo.h"

static int failures;

static void
check(int ok, const char *what, long got, long want)
{
  if (!ok) {
    printf("sysinfotest: FAIL %s: got %ld, want %ld\n", what, got, want);
    failures++;
  }
}

static void
info(struct sysinfo *si)
{
  if (sysinfo(si) < 0) {
    printf("sysinfotest: FAIL sysinfo returned -1\n");
    exit(1);
  }
}

static void
testmem(void)
{
  struct sysinfo si;
  long before;

  info(&si);
  check(si.freemem == (uint64)freepages() * PGSIZE, "freemem is the free pages times PGSIZE",
        si.freemem, (long)freepages() * PGSIZE);
  before = si.freemem;
  if (sbrk(16 * PGSIZE) == (char*)-1) {
    printf("sysinfotest: FAIL sbrk\n");
    exit(1);
  }
  info(&si);
  check(si.freemem <= before - 16 * PGSIZE, "freemem after sbrk of 16 pages", si.freemem,
        before - 16 * PGSIZE);
  sbrk(-16 * PGSIZE);
  info(&si);
  check(si.freemem == before, "freemem after giving the pages back", si.freemem, before);
}

static void
testproc(void)
{
  struct sysinfo si;
  long before;
  int pid, p[2];
  char c;

  info(&si);
  before = si.nproc;
  check(before >= 3, "nproc counts at least init, sh and this program", before, 3);
  if (pipe(p) < 0)
    exit(1);
  pid = fork();
  if (pid < 0)
    exit(1);
  if (pid == 0) {
    close(p[1]);
    read(p[0], &c, 1);      // until the parent has counted
    exit(0);
  }
  close(p[0]);
  info(&si);
  check(si.nproc == before + 1, "nproc with one more child", si.nproc, before + 1);
  close(p[1]);
  wait(0);
  info(&si);
  check(si.nproc == before, "nproc after the child was reaped", si.nproc, before);
}

static void
testbad(void)
{
  check(sysinfo((struct sysinfo*)0xffffffffffffff00UL) == -1, "sysinfo of a kernel address", 0, -1);
  check(sysinfo((struct sysinfo*)(USER_TOP - 8)) == -1, "sysinfo across the top of user memory",
        0, -1);
}

int
main(void)
{
  printf("sysinfotest: start\n");
  testmem();
  testproc();
  testbad();
  if (failures == 0)
    pass_token("sysinfotest: OK");
  else
    printf("sysinfotest: %d check(s) failed\n", failures);
  exit(failures != 0);
}
