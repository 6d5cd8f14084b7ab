// symlinktest: checks symbolic links (lab fs).  Each test ends in
// "symlinktest: NAME: OK token=..." or a line saying what failed;
// `symlinktest NAME ...` runs only those.  It works in /symlinktest.d.
#include "user.h"
#include "common/grade.h"

static const char *testname;
static int failed;

static void
fail(const char *why)
{
  printf("symlinktest: %s: FAILED: %s\n", testname, why);
  failed = 1;
}

static void
put(const char *name, const char *text)
{
  int fd = open(name, O_CREATE | O_WRONLY | O_TRUNC);
  if (fd < 0 || write(fd, text, strlen(text)) != strlen(text)) {
    printf("symlinktest: cannot write %s\n", name);
    exit(1);
  }
  close(fd);
}

// The first bytes of name, opened with omode; "" if open fails.
static char *
get(const char *name, int omode)
{
  static char buf[200];
  int fd = open(name, omode);
  buf[0] = 0;
  if (fd < 0)
    return buf;
  int n = read(fd, buf, sizeof(buf) - 1);
  buf[n < 0 ? 0 : n] = 0;
  close(fd);
  return buf;
}

static int
type_of(const char *name, int omode)
{
  struct stat st;
  int fd = open(name, omode);
  if (fd < 0)
    return -1;
  int r = fstat(fd, &st);
  close(fd);
  return r < 0 ? -1 : st.type;
}

// open follows a link to its target; O_NOFOLLOW opens the link itself,
// whose contents are the target's path.
static void
basic(void)
{
  put("a", "the file a\n");
  if (symlink("a", "b") != 0) {
    fail("symlink(\"a\", \"b\") did not return 0");
    return;
  }
  if (strcmp(get("b", O_RDONLY), "the file a\n") != 0)
    fail("reading b did not read a");
  if (type_of("b", O_RDONLY) != T_FILE)
    fail("fstat of b opened without O_NOFOLLOW is not a T_FILE");
  if (type_of("b", O_RDONLY | O_NOFOLLOW) != T_SYMLINK)
    fail("fstat of b opened with O_NOFOLLOW is not a T_SYMLINK");
  if (strcmp(get("b", O_RDONLY | O_NOFOLLOW), "a") != 0)
    fail("the link's own contents are not its target, \"a\"");
  int fd = open("b", O_WRONLY);
  if (fd < 0 || write(fd, "THE", 3) != 3)
    fail("cannot write a through b");
  close(fd);
  if (strcmp(get("a", O_RDONLY), "THE file a\n") != 0)
    fail("writing through b did not change a");
  if (symlink("/symlinktest.d/a", "abs") != 0 || strcmp(get("abs", O_RDONLY), "THE file a\n") != 0)
    fail("a link to an absolute path does not lead to its file");
  unlink("abs");
}

// Links to links; links to directories; links in other directories.
static void
chains(void)
{
  put("c0", "end of the chain\n");
  char from[8] = "c1", to[8] = "c0";
  for (int i = 1; i <= 5; i++) {
    from[1] = '0' + i;
    to[1] = '0' + i - 1;
    if (symlink(to, from) != 0) {
      fail("symlink failed in a chain");
      return;
    }
  }
  if (strcmp(get("c5", O_RDONLY), "end of the chain\n") != 0)
    fail("a chain of five links does not lead to its file");
  if (strcmp(get("c5", O_RDONLY | O_NOFOLLOW), "c4") != 0)
    fail("O_NOFOLLOW on a chain does not open its first link");
  mkdir("dir");
  put("dir/inside", "inside dir\n");
  if (symlink("dir", "dirlink") != 0 || type_of("dirlink", O_RDONLY) != T_DIR)
    fail("a link to a directory does not open the directory");
  if (symlink("/symlinktest.d/c5", "dir/up") != 0
      || strcmp(get("dir/up", O_RDONLY), "end of the chain\n") != 0)
    fail("a link in a subdirectory does not lead to its target");
  unlink("dir/up");
  unlink("dir/inside");
  unlink("dirlink");
  unlink("dir");
  for (int i = 5; i >= 0; i--) {
    from[1] = '0' + i;
    unlink(from);
  }
}

// A link whose target is missing, or a cycle, fails to open; and open
// returns, rather than following a cycle for ever.
static void
dangling(void)
{
  if (symlink("nothing-here", "dangle") != 0) {
    fail("symlink to a missing target did not return 0");
    return;
  }
  if (open("dangle", O_RDONLY) >= 0)
    fail("a link to a missing file opened");
  put("nothing-here", "now it is here\n");
  if (strcmp(get("dangle", O_RDONLY), "now it is here\n") != 0)
    fail("the link does not find its target once it exists");
  unlink("nothing-here");
  if (open("dangle", O_RDONLY) >= 0)
    fail("the link opened after its target was unlinked");
  if (strcmp(get("dangle", O_RDONLY | O_NOFOLLOW), "nothing-here") != 0)
    fail("unlinking the target changed the link");
  unlink("dangle");
  if (symlink("loop2", "loop1") != 0 || symlink("loop1", "loop2") != 0) {
    fail("symlink failed making a cycle");
    return;
  }
  if (open("loop1", O_RDONLY) >= 0)
    fail("a cycle of two links opened");
  if (symlink("self", "self") != 0 || open("self", O_RDONLY) >= 0)
    fail("a link to itself opened (or could not be made)");
  unlink("loop1");
  unlink("loop2");
  unlink("self");
}

// What symlink must refuse, and what unlink does to a link.
static void
refuse(void)
{
  put("target", "target\n");
  if (symlink("target", "target") != -1)
    fail("symlink over an existing file worked");
  if (symlink("target", "no/such/dir/link") != -1)
    fail("symlink into a missing directory worked");
  if (symlink("target", "") != -1 || symlink("", "empty") != -1)
    fail("symlink with an empty path or target worked");
  if (symlink((char *)0xffffffffff, "bad") != -1 || symlink("target", (char *)0xffffffffff) != -1)
    fail("symlink with a bad pointer worked");
  if (symlink("target", "link") != 0) {
    fail("symlink failed");
    return;
  }
  if (symlink("target", "link") != -1)
    fail("symlink over an existing link worked");
  if (unlink("link") != 0)
    fail("unlink of a link failed");
  if (strcmp(get("target", O_RDONLY), "target\n") != 0)
    fail("unlinking the link removed its target");
  if (open("link", O_RDONLY | O_NOFOLLOW) >= 0)
    fail("the link is still there after unlink");
  unlink("target");
}

// Two processes make and remove links to a file at once.
static void
concurrent(void)
{
  put("shared", "shared file\n");
  int pids[2];
  for (int c = 0; c < 2; c++) {
    pids[c] = fork();
    if (pids[c] == 0) {
      char name[8] = "l0_x";
      name[1] = '0' + c;
      for (int i = 0; i < 40; i++) {
        name[3] = 'a' + (i / 2) % 10;
        if (i % 2 == 0) {
          if (symlink("shared", name) != 0)
            exit(1);
          if (strcmp(get(name, O_RDONLY), "shared file\n") != 0)
            exit(2);
        } else if (unlink(name) != 0) {
          exit(3);
        }
      }
      exit(0);
    }
  }
  for (int c = 0; c < 2; c++) {
    int status;
    wait(&status);
    if (status != 0)
      fail("a process making and removing links failed");
  }
  unlink("shared");
}

static void
done(void)
{
  if (!failed) {
    char what[64] = "symlinktest: ";
    strcpy(what + strlen(what), testname);
    strcpy(what + strlen(what), ": OK");
    pass_token(what);
  }
}

static struct {
  void (*f)(void);
  const char *name;
} tests[] = {
  { basic, "basic" },
  { chains, "chains" },
  { dangling, "dangling" },
  { refuse, "refuse" },
  { concurrent, "concurrent" },
};

int
main(int argc, char *argv[])
{
  int inodes = freeinodes(), blocks = freeblocks();
  mkdir("/symlinktest.d");
  if (chdir("/symlinktest.d") < 0) {
    printf("symlinktest: cannot make /symlinktest.d\n");
    exit(1);
  }
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
  unlink("a");
  unlink("b");
  chdir("/");
  unlink("/symlinktest.d");
  if (freeinodes() != inodes || freeblocks() != blocks)
    printf("symlinktest: leaks: FAILED: free inodes %d then %d, free blocks %d then %d\n",
           inodes, freeinodes(), blocks, freeblocks());
  else
    printf("symlinktest: no leaks\n");
  printf("symlinktest: done\n");
  exit(0);
}
