// What a lab's test programs share (labs/README.md): the grader's pass token.
//
// Every grading run writes a fresh random token to /gradetoken on the disk
// (tools/grade/plugin.py).  A test program prints it after its verdict,
//
//   cowtest: ALL TESTS PASSED token=3f9a0c...
//
// and the grader accepts the verdict only with this run's token, so that
// output typed in by hand, or printed by a program that skipped the work,
// cannot pass.  Include this file in one .c file of a program.
#ifndef PYRITE_LAB_GRADE_H
#define PYRITE_LAB_GRADE_H

#include "user.h"

// Print "<what> token=<token>\n"; without a token (run outside the grader)
// the token is "none".
static void
pass_token(const char *what)
{
  char tok[40];
  int fd, n = -1;

  fd = open("/gradetoken", O_RDONLY);
  if (fd >= 0) {
    n = read(fd, tok, sizeof(tok) - 1);
    close(fd);
  }
  if (n <= 0) {
    strcpy(tok, "none");
  } else {
    tok[n] = 0;
    if (tok[n - 1] == '\n')
      tok[n - 1] = 0;
  }
  printf("%s token=%s\n", what, tok);
}

#endif
