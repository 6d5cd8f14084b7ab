// mkdir: make the directories named.
#include "user.h"

int
main(int argc, char *argv[])
{
  int i, status = 0;

  if (argc < 2) {
    fprintf(2, "usage: mkdir dir...\n");
    exit(1);
  }
  for (i = 1; i < argc; i++) {
    if (mkdir(argv[i]) < 0) {
      fprintf(2, "mkdir: cannot make %s\n", argv[i]);
      status = 1;
    }
  }
  exit(status);
}
