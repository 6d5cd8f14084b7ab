// What the scheduling programs share: the time CSR, procinfo's record.
#ifndef PYRITE_SCHED_H
#define PYRITE_SCHED_H
#include "user.h"

#define TIME_HZ 10000000        // the `time` CSR counts 10 MHz (QEMU virt)
#define TIME_PER_US 10

static inline uint64
now(void)
{
  uint64 t;
  asm volatile("rdtime %0" : "=r"(t));
  return t;
}

// What procinfo(after, &info) fills in (kernel/proc/sysproc.py).
struct procinfo {
  int pid, ppid;
  int pri, base;        // current and base priority (Plan 9 policy)
  uint64 size;          // bytes of user memory
  uint64 user_us, sys_us;
  char state[16];
  char sched[16];       // the policy's few words: "p10/10", "rr", "edf:0miss"
  char name[16];
  int hart;             // the hart whose scheduler holds it (-1: none)
  int wired;            // the hart it is wired to, or -1
};

// A number from the command line, or -1 if it is not one.
static inline int
number(const char *s)
{
  int n = 0;
  if (*s == 0)
    return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return -1;
    n = n * 10 + (*s - '0');
  }
  return n;
}
#endif
