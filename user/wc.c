// wc: count lines, words and bytes of each file (or the standard input).
#include "user.h"

// Output, one line per input:   LINES WORDS BYTES NAME
// (NAME is empty for the standard input), as xv6's wc prints it.

static char buf[4096];

static int
is_blank(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v';
}

// 0, or -1 if reading failed.
static int
count(int fd, const char *name)
{
  int n, i, lines = 0, words = 0, bytes = 0, inword = 0;

  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    bytes += n;
    for (i = 0; i < n; i++) {
      if (buf[i] == '\n')
        lines++;
      if (is_blank(buf[i])) {
        inword = 0;
      } else if (!inword) {
        inword = 1;
        words++;
      }
    }
  }
  if (n < 0) {
    fprintf(2, "wc: cannot read %s\n", name);
    return -1;
  }
  printf("%d %d %d %s\n", lines, words, bytes, name);
  return 0;
}

int
main(int argc, char *argv[])
{
  int i, fd, status = 0;

  if (argc < 2) {
    if (count(0, "") < 0)
      exit(1);
    exit(0);
  }
  for (i = 1; i < argc; i++) {
    fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "wc: cannot open %s\n", argv[i]);
      status = 1;
      continue;
    }
    if (count(fd, argv[i]) < 0)
      status = 1;
    close(fd);
  }
  exit(status);
}
