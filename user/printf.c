// Formatted output: printf and fprintf with %d %u %x %p %s %c, l-variants, %%.
#include <stdarg.h>

#include "user.h"

// Output is gathered in a small buffer and written in whole pieces, not one
// system call per character: fewer traps, and lines printed by concurrent
// processes come out whole instead of interleaved letter by letter.  The
// buffer lives on the caller's stack, which is only one page: keep it small.
struct out {
  int fd;
  int n;
  char buf[96];
};

static void
flush(struct out *o)
{
  if (o->n > 0)
    write(o->fd, o->buf, o->n);
  o->n = 0;
}

static void
putc(struct out *o, char c)
{
  if (o->n == sizeof(o->buf))
    flush(o);
  o->buf[o->n++] = c;
}

static const char digits[] = "0123456789abcdef";

// An unsigned number in base 10 or 16; negative signed numbers arrive here
// already made positive, with neg set.
static void
putnum(struct out *o, uint64 x, int base, int neg)
{
  char tmp[24];
  int i = 0;

  do {
    tmp[i++] = digits[x % base];
    x /= base;
  } while (x != 0);
  if (neg)
    tmp[i++] = '-';
  while (--i >= 0)
    putc(o, tmp[i]);
}

static void
putptr(struct out *o, uint64 x)
{
  int i;

  putc(o, '0');
  putc(o, 'x');
  for (i = 0; i < 16; i++, x <<= 4)
    putc(o, digits[x >> 60]);
}

static void
vprintf(int fd, const char *fmt, va_list ap)
{
  struct out o;
  int i, longs;
  uint64 u;
  long d;
  const char *s;

  o.fd = fd;
  o.n = 0;
  for (i = 0; fmt[i]; i++) {
    if (fmt[i] != '%') {
      putc(&o, fmt[i]);
      continue;
    }
    // %l and %ll both mean 64 bits here (long is 64 bits on RV64).
    longs = 0;
    while (fmt[i + 1] == 'l') {
      longs++;
      i++;
    }
    i++;
    switch (fmt[i]) {
    case 'd':
      d = longs ? va_arg(ap, long) : va_arg(ap, int);
      if (d < 0)
        putnum(&o, -(uint64)d, 10, 1);
      else
        putnum(&o, d, 10, 0);
      break;
    case 'u':
      u = longs ? va_arg(ap, uint64) : va_arg(ap, uint);
      putnum(&o, u, 10, 0);
      break;
    case 'x':
      u = longs ? va_arg(ap, uint64) : va_arg(ap, uint);
      putnum(&o, u, 16, 0);
      break;
    case 'p':
      putptr(&o, (uint64)va_arg(ap, void*));
      break;
    case 's':
      s = va_arg(ap, const char*);
      if (s == 0)
        s = "(null)";
      for (; *s; s++)
        putc(&o, *s);
      break;
    case 'c':
      putc(&o, va_arg(ap, int));
      break;
    case '%':
      putc(&o, '%');
      break;
    case 0:
      // A lone % at the very end: print it and stop.
      putc(&o, '%');
      i--;
      break;
    default:
      // Unknown conversion: show it as written, so the mistake is visible.
      putc(&o, '%');
      putc(&o, fmt[i]);
      break;
    }
  }
  flush(&o);
}

void
fprintf(int fd, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vprintf(fd, fmt, ap);
  va_end(ap);
}

void
printf(const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vprintf(1, fmt, ap);
  va_end(ap);
}
