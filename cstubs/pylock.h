// The interpreter lock: kernel Python runs on one hart at a time.
//
// A hart takes the lock when it enters Python -- a trap from user mode
// (kern.run_user returning), an interrupt that ends an idle wait
// (kern.idle returning), a hart's first entry -- and gives it back when
// it leaves: into user mode, or into wfi.  So user code runs on every
// hart at once, while the kernel's Python, its objects and its heap are
// only ever touched by the holder.  This is MicroPython's GIL, held in
// the other direction: the kernel holds it by default, user mode is the
// time without it.
//
// Leaving Python stores the running thread's interpreter state and
// callee-saved registers in its struct kthread, exactly as a switch
// does, so that the garbage collector, run later by whichever hart holds
// the lock, scans that thread's stack like any suspended thread's.  The
// lock is a ticket lock: harts get it in the order they asked, so a busy
// hart cannot starve the others.  Lock order: this lock first, then at
// most one spinlock (spinlock.h).
#pragma once
#include "cpu.h"
#include "kthread.h"

void kthread_save_context(struct context *ctx);      // swtch.S
void pylock_release_state(struct kthread *t);
extern int pylock_solo;          // only hart 0 runs: it keeps the lock (pylock.c)
void pylock_acquire(void);
void pylock_acquire_first(void);
int pylock_holder(void);

// Give the lock up, leaving this thread's registers for the GC.  Inline,
// so that the registers and sp saved are those of the caller's frame,
// which stays as it is until the caller takes the lock back.
static inline __attribute__((always_inline)) void pylock_release(void) {
    if (pylock_solo)
        return;
    struct kthread *t = mycpu()->current;
    kthread_save_context(&t->ctx);
    pylock_release_state(t);
}
