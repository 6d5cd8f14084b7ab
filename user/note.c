// note: post a note to a process, or to every process of a group.
#include "user.h"

// Usage:  note PID TEXT       the note TEXT to process PID
//         note -GROUP TEXT    ... to each process of process group GROUP
// (Quote TEXT to put blanks in it.)  A process with no note handler dies
// of it, saying TEXT.
int
main(int argc, char *argv[])
{
  int target;

  if (argc != 3) {
    fprintf(2, "usage: note pid|-group text\n");
    exit(1);
  }
  target = argv[1][0] == '-' ? -atoi(argv[1] + 1) : atoi(argv[1]);
  if (target == 0 || postnote(target, argv[2]) < 0) {
    fprintf(2, "note: nobody took it: %s\n", argv[1]);
    exit(1);
  }
  exit(0);
}
