// Each hart's private state, struct cpu, found through the tp register.
//
// tp holds the running hart's struct cpu for as long as the kernel runs:
// entry.S sets it, kern.run_user() saves it in the trapframe and the
// trampoline restores it on every trap from user mode (user code may put
// anything in tp).  The struct begins with the hart's thread-local storage,
// because picolibc keeps errno at a small offset from tp.
#pragma once
#include <stdint.h>
#include "abi.h"          // NCPU

struct kthread;

struct cpu {
    uint8_t tls[256];            // picolibc's thread-local storage: tp points here
    int id;                      // the hart id: 0 .. NCPU-1
    int started;                 // set once the hart runs the kernel
};

extern struct cpu cpus[NCPU];

static inline struct cpu *mycpu(void) {
    struct cpu *c;
    __asm__ volatile("mv %0, tp" : "=r"(c));
    return c;
}

static inline int cpuid(void) { return mycpu()->id; }
