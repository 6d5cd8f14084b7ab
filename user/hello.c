// hello: the smallest program that says something.
#include "user.h"

int
main(void)
{
  printf("hello, world\n");
  exit(0);
}
