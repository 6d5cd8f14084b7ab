// ls: list directories, or describe files.
#include "user.h"

// For each argument (default "."): a file or device is one line; a
// directory is one line per entry, "." and ".." included.  A line is
//
//   NAME TYPE INUM SIZE
//
// with NAME padded with blanks to DIRSIZ characters (longer names are
// printed whole) and TYPE 1 for a directory, 2 a file, 3 a device -- the
// format of xv6's ls.

static char path[MAXPATH + DIRSIZ + 2];     // a directory's path + '/' + an entry

// The last component of p, padded to DIRSIZ.
static const char*
padded(const char *p)
{
  static char name[DIRSIZ + 1];
  const char *base = p + strlen(p);
  int n;

  while (base > p && base[-1] != '/')
    base--;
  n = strlen(base);
  if (n >= DIRSIZ)
    return base;
  memmove(name, base, n);
  memset(name + n, ' ', DIRSIZ - n);
  name[DIRSIZ] = 0;
  return name;
}

static void
show(const char *name, struct stat *st)
{
  printf("%s %d %d %lu\n", padded(name), st->type, st->ino, st->size);
}

// 0, or -1 if something could not be listed.
static int
ls(const char *p)
{
  struct dirent de;
  struct stat st;
  int fd, n, len, status = 0;

  fd = open(p, O_RDONLY);
  if (fd < 0) {
    fprintf(2, "ls: cannot open %s\n", p);
    return -1;
  }
  if (fstat(fd, &st) < 0) {
    fprintf(2, "ls: cannot stat %s\n", p);
    close(fd);
    return -1;
  }
  if (st.type != T_DIR) {
    show(p, &st);
    close(fd);
    return 0;
  }

  len = strlen(p);
  if (len + 1 + DIRSIZ + 1 > sizeof(path)) {
    fprintf(2, "ls: path too long: %s\n", p);
    close(fd);
    return -1;
  }
  strcpy(path, p);
  path[len++] = '/';
  while ((n = read(fd, &de, sizeof(de))) == sizeof(de)) {
    if (de.inum == 0)
      continue;
    memmove(path + len, de.name, DIRSIZ);
    path[len + DIRSIZ] = 0;
    if (stat(path, &st) < 0) {
      fprintf(2, "ls: cannot stat %s\n", path);
      status = -1;
      continue;
    }
    show(path, &st);
  }
  if (n != 0) {
    fprintf(2, "ls: cannot read %s\n", p);
    status = -1;
  }
  close(fd);
  return status;
}

int
main(int argc, char *argv[])
{
  int i, status = 0;

  if (argc < 2)
    exit(ls(".") < 0);
  for (i = 1; i < argc; i++)
    if (ls(argv[i]) < 0)
      status = 1;
  exit(status);
}
