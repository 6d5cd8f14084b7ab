// Spinlocks for C state that several harts touch, with interrupts off.
//
// Used for what an interrupt handler shares with other harts (the UART's
// input ring, the disk's rings) and for the page allocator.  Interrupts
// stay off while a spinlock is held, so a handler on the same hart can
// never spin on a lock its own hart holds; push_off/pop_off nest, as in
// xv6.  Spinlocks are leaves: nothing else is taken while one is held.
// Lock order: the interpreter lock (pylock.h) first, then at most one
// spinlock.
#pragma once
#include <stdint.h>

struct spinlock {
    volatile uint32_t locked;
    const char *name;
    int hart;                    // the holder, for panics
};

#define SPINLOCK_INIT(n) { 0, n, -1 }

void spin_lock(struct spinlock *lk);
void spin_unlock(struct spinlock *lk);
int spin_holding(struct spinlock *lk);
void push_off(void);
void pop_off(void);
