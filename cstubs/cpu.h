// Each hart's private state, struct cpu, found through the tp register.
//
// tp holds the running hart's struct cpu for as long as the kernel runs:
// start.c sets it, kern.run_user() saves it in the trapframe and the
// trampoline restores it on every trap from user mode (user code may put
// anything in tp).  The struct begins with the hart's thread-local storage,
// because picolibc keeps errno at a small offset from tp; kernelvec.S
// finds the hart's trap stack right after it.
#pragma once
#include "abi.h"          // NCPU (also for entry.S and kernelvec.S)

#define BOOT_STACK_SIZE 65536      // each hart's boot stack: its idle thread's (entry.S)
#define TRAP_STACK_SIZE 8192       // each hart's stack for kernel-mode traps (kernelvec.S)
#define TIMER_SLOTS 2              // the one-shot timer's slots (kernel/thread/timer.py)
#define CPU_TRAP_SP 256            // offsetof(struct cpu, trap_sp), for kernelvec.S

#ifndef __ASSEMBLER__
#include <stdint.h>

struct kthread;

struct cpu {
    uint8_t tls[256];            // picolibc's thread-local storage: tp points here
    uint64_t trap_sp;            // the top of this hart's kernel trap stack
    int id;                      // the hart id: 0 .. NCPU-1
    volatile int present;        // reached the kernel and waits to be started
    volatile int online;         // started: runs the kernel (kern.nharts counts these)
    struct kthread *current;     // the kernel thread this hart runs
    uint64_t switched_at;        // rdtime() of its last switch: charges CPU time
    uint32_t events;             // EV_* bits its interrupts recorded (trap.h)
    uint64_t deadline[TIMER_SLOTS];  // the timer slots (modkern_sched.c)
    volatile uint64_t user_satp; // the address space it runs in user mode, or 0 (smp.c)
    uint64_t kmap_gen;           // kernel mappings as of its last full TLB flush (kthread.c)
    int noff, intena;            // push_off nesting, and SIE before it (spinlock.c)
    volatile int mail;           // another hart left it mail: the next IPI is EV_IPI (ipi.c)
    volatile int lock_waiting;   // waits in wfi for the interpreter lock ...
    volatile uint32_t lock_ticket;   // ... with this ticket (pylock.c)
    // For kern.hart_stats(): what the hart did.
    uint64_t idle_ticks;         // `time` spent waiting in wfi
    uint64_t lock_wait;          // `time` spent waiting for the interpreter lock
    uint64_t lock_taken;         // times it took the interpreter lock
    uint64_t lock_contended;     // ... of which it had to wait
    uint64_t ipis;               // inter-processor interrupts received
};

_Static_assert(__builtin_offsetof(struct cpu, trap_sp) == CPU_TRAP_SP, "kernelvec.S");

extern struct cpu cpus[NCPU];

static inline struct cpu *mycpu(void) {
    struct cpu *c;
    __asm__ volatile("mv %0, tp" : "=r"(c));
    return c;
}

static inline int cpuid(void) { return mycpu()->id; }
#endif
