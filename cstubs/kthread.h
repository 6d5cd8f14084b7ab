// Kernel threads: stacks, interpreter states and the context switch.
#pragma once
#include <stdint.h>
#include "py/mpstate.h"
#include "trapframe.h"

// Callee-saved registers, as swtch.S saves them.
struct context {
    uint64_t ra, sp;
    uint64_t s[12];
};

struct kthread {
    struct context ctx;          // where swtch left this thread
    mp_state_thread_t mp;        // its interpreter state while it is not running
    mp_obj_t entry, arg;         // what it runs: entry(arg)
    uintptr_t stack_lo, stack_hi;
    int handle;                  // 0 for the boot thread
    char name[16];
    int pid;                     // the process this thread runs, or 0
    struct trapframe *tf;        //   and its trapframe (for panic reports)
    int fail_held;               // heapwatch's fault_hold(): per thread, as holders sleep
    struct kthread *next, *prev; // every live thread, for the GC
    uint64_t cpu;                // `time` cycles it has run, charged at each switch
    unsigned long switches;      // times it was switched to
    int hart_idle;               // the idle thread of a hart other than 0: never freed
};

#define KTHREAD_NAME_MAX 16

void kthread_init_boot(uintptr_t stack_lo, uintptr_t stack_hi);
int kthread_init_hart(uintptr_t stack_lo, uintptr_t stack_hi);   // handle, or -1
void kthread_sync_kmap(void);     // flush this hart's TLB if kernel stacks were unmapped since
int kthread_create(mp_obj_t entry, mp_obj_t arg);   // handle, or -1 when out of memory
int kthread_switch(int handle);                     // -1 if no such thread
int kthread_free(int handle);                       // -1 if no such thread or running
int kthread_current(void);
uint64_t kthread_cpu(int handle);                   // `time` cycles run, the current turn too
struct kthread *kthread_lookup(int handle);
void kthread_set_name(int handle, const char *name, size_t len);
void kthread_set_process(int handle, int pid, struct trapframe *tf);
struct trapframe *kthread_current_tf(void);
int *kthread_current_fail_held(void);
uintptr_t kthread_stack_used(int handle);
void kthread_gc_scan_suspended(void);
void kthread_print_current(void);
const char *kthread_guard_page_owner(uint64_t addr);
extern int kthread_gc_scan_enabled;
