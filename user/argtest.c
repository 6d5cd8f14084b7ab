// argtest: check that exec delivered argc and argv as argv[1] says; exit 0 or 1.
#include "user.h"

// usertests runs   argtest SPEC WORD...   where SPEC is "N:W2,W3,..." -- N the
// expected argc (counting argv[0] and SPEC itself) and then the expected
// argv[2], argv[3], ... joined by commas (the words contain no commas).
// Besides the words it checks the layout docs/abi.md gives: argv[argc] is
// NULL, and argv and every string are 16-byte aligned.

static int failed;

static void
bad(const char *what)
{
  fprintf(2, "argtest: %s\n", what);
  failed = 1;
}

int
main(int argc, char *argv[])
{
  char *spec, *p;
  int i, n;

  if ((uint64)argv % 16 != 0)
    bad("argv not 16-byte aligned");
  if (argc < 2) {
    bad("no SPEC argument");
    exit(1);
  }
  if (argv[argc] != 0)
    bad("argv[argc] is not NULL");
  for (i = 0; i < argc; i++)
    if ((uint64)argv[i] % 16 != 0)
      bad("an argument string is not 16-byte aligned");
  if (strcmp(argv[0], "argtest") != 0)
    bad("argv[0] is not \"argtest\"");

  spec = argv[1];
  n = atoi(spec);
  if (n != argc) {
    fprintf(2, "argtest: argc is %d, expected %d\n", argc, n);
    failed = 1;
  }
  p = strchr(spec, ':');
  if (p == 0) {
    bad("SPEC has no ':'");
    exit(1);
  }
  p++;

  // Walk the expected words in SPEC alongside argv[2...].
  for (i = 2; i < argc; i++) {
    n = strlen(argv[i]);
    if (strncmp(p, argv[i], n) != 0 || (p[n] != ',' && p[n] != 0)) {
      fprintf(2, "argtest: argv[%d] is \"%s\", not as in SPEC\n", i, argv[i]);
      failed = 1;
      break;
    }
    p += n;
    if (*p == ',')
      p++;
    else if (i + 1 < argc) {
      bad("more arguments than SPEC lists");
      break;
    }
  }
  exit(failed);
}
