// grep: print the lines that match a simple regular expression.
#include "user.h"

// Usage:  grep PATTERN [FILE...]      (no FILE: the standard input)
//
// The pattern language is the small one of xv6's grep:
//
//   c     any ordinary character matches itself
//   .     matches any character
//   x*    zero or more of x (x an ordinary character or .)
//   ^     at the start of the pattern: the match must begin the line
//   $     at the end of the pattern: the match must end the line
//   \c    the character c itself (so \. \* \^ \$ \\ are literal)
//
// Exits 0 if some line matched, 1 if none did, 2 on an error.

#define MAXLINE 1024

static char buf[MAXLINE + 1];    // the unprocessed input, NUL-terminated lines

// One pattern element: a character (or any character, for '.'), perhaps
// starred.  *len is set to how many pattern bytes the element takes.
struct elem {
  char c;
  int any;       // '.'
  int star;      // followed by '*'
};

static const char*
element(const char *re, struct elem *e)
{
  e->any = 0;
  if (re[0] == '\\' && re[1] != 0) {
    e->c = re[1];
    re += 2;
  } else {
    e->any = (re[0] == '.');
    e->c = re[0];
    re += 1;
  }
  e->star = (re[0] == '*');
  if (e->star)
    re++;
  return re;
}

static int
same(struct elem *e, char c)
{
  return c != 0 && (e->any || e->c == c);
}

// Does re match a prefix of text?
static int
match_here(const char *re, const char *text)
{
  struct elem e;
  const char *rest, *t;

  for (;;) {
    if (re[0] == 0)
      return 1;
    if (re[0] == '$' && re[1] == 0)
      return *text == 0;
    rest = element(re, &e);
    if (e.star) {
      // Take as many as possible, then give them back one at a time.
      for (t = text; same(&e, *t); t++)
        ;
      for (; t >= text; t--)
        if (match_here(rest, t))
          return 1;
      return 0;
    }
    if (!same(&e, *text))
      return 0;
    re = rest;
    text++;
  }
}

// Does re match anywhere in text?
static int
match(const char *re, const char *text)
{
  if (re[0] == '^')
    return match_here(re + 1, text);
  do {
    if (match_here(re, text))
      return 1;
  } while (*text++ != 0);
  return 0;
}

// Print the matching lines of fd; the number of matches, or -1.
static int
grep(const char *re, int fd, const char *name)
{
  int n, have = 0, matches = 0;
  char *line, *nl;

  for (;;) {
    n = read(fd, buf + have, MAXLINE - have);
    if (n < 0) {
      fprintf(2, "grep: cannot read %s\n", name);
      return -1;
    }
    have += n;
    buf[have] = 0;
    line = buf;
    while ((nl = strchr(line, '\n')) != 0 ||
           (n == 0 && line < buf + have) ||
           (line == buf && have == MAXLINE)) {
      // A whole line; or the last one, without a newline; or one too long
      // for the buffer, which is taken in pieces.
      if (nl)
        *nl = 0;
      else
        nl = buf + have;
      if (match(re, line)) {
        matches++;
        write(1, line, nl - line);
        write(1, "\n", 1);
      }
      line = nl + 1;
      if (line > buf + have)
        line = buf + have;
    }
    if (n == 0)
      return matches;
    have -= line - buf;
    memmove(buf, line, have);
  }
}

int
main(int argc, char *argv[])
{
  int i, fd, n, matches = 0, error = 0;

  if (argc < 2) {
    fprintf(2, "usage: grep pattern [file...]\n");
    exit(2);
  }
  if (argc == 2) {
    n = grep(argv[1], 0, "standard input");
    exit(n < 0 ? 2 : n == 0);
  }
  for (i = 2; i < argc; i++) {
    fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "grep: cannot open %s\n", argv[i]);
      error = 1;
      continue;
    }
    n = grep(argv[1], fd, argv[i]);
    close(fd);
    if (n < 0)
      error = 1;
    else
      matches += n;
  }
  exit(error ? 2 : matches == 0);
}
