// exit0: do nothing and exit 0; the fork+exec+wait benchmark runs it.
#include "user.h"

int
main(void)
{
  return 0;     // _main then calls exit(0)
}
