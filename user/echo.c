// echo: print the arguments, separated by spaces, and a newline.
#include "user.h"

int
main(int argc, char *argv[])
{
  int i;

  for (i = 1; i < argc; i++)
    printf("%s%s", argv[i], i + 1 < argc ? " " : "");
  printf("\n");
  exit(0);
}
