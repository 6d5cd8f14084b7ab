// The C start-up routine and the string and memory helpers every program uses.
#include "user.h"

int main(int argc, char **argv);

// exec enters here (docs/abi.md): a0 = argc, a1 = argv, sp at argv[0]'s
// slot.  Like xv6, main's return value is ignored: a program that wants a
// non-zero status calls exit() itself.
void
_main(int argc, char **argv)
{
  main(argc, argv);
  exit(0);
}

uint
strlen(const char *s)
{
  uint n = 0;
  while (s[n])
    n++;
  return n;
}

char*
strcpy(char *dst, const char *src)
{
  char *d = dst;
  while ((*d++ = *src++) != 0)
    ;
  return dst;
}

// Characters compare as unsigned, as the C library's do.
int
strcmp(const char *p, const char *q)
{
  while (*p && *p == *q)
    p++, q++;
  return (uchar)*p - (uchar)*q;
}

int
strncmp(const char *p, const char *q, uint n)
{
  for (; n > 0; n--, p++, q++) {
    if (*p != *q || *p == 0)
      return (uchar)*p - (uchar)*q;
  }
  return 0;
}

char*
strchr(const char *s, char c)
{
  for (; *s; s++)
    if (*s == c)
      return (char*)s;
  return 0;
}

void*
memset(void *dst, int c, uint n)
{
  uchar *d = dst;
  while (n-- > 0)
    *d++ = c;
  return dst;
}

// Copies correctly when the ranges overlap: backwards if dst is above src.
void*
memmove(void *dst, const void *src, int n)
{
  uchar *d = dst;
  const uchar *s = src;
  if (n <= 0)
    return dst;
  if (s < d && d < s + n) {
    while (n-- > 0)
      d[n] = s[n];
  } else {
    while (n-- > 0)
      *d++ = *s++;
  }
  return dst;
}

void*
memcpy(void *dst, const void *src, uint n)
{
  return memmove(dst, src, n);
}

int
memcmp(const void *a, const void *b, uint n)
{
  const uchar *p = a, *q = b;
  for (; n > 0; n--, p++, q++)
    if (*p != *q)
      return *p - *q;
  return 0;
}

// Read one line from fd 0 into buf, keeping the newline and always ending
// with a NUL; at most max-1 characters.  At end of input buf is left empty,
// which is how callers tell end of file from an empty line ("\n").
char*
gets(char *buf, int max)
{
  int i = 0;
  char c;

  while (i + 1 < max) {
    if (read(0, &c, 1) < 1)
      break;
    buf[i++] = c;
    if (c == '\n' || c == '\r')
      break;
  }
  buf[i] = 0;
  return buf;
}

// Decimal, with an optional minus sign; stops at the first non-digit.
int
atoi(const char *s)
{
  int n = 0, neg = 0;
  if (*s == '-') {
    neg = 1;
    s++;
  }
  while (*s >= '0' && *s <= '9')
    n = n * 10 + (*s++ - '0');
  return neg ? -n : n;
}

int
stat(const char *path, struct stat *st)
{
  int fd, r;

  fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  r = fstat(fd, st);
  close(fd);
  return r;
}
