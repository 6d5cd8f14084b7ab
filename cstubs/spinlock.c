// Spinlocks with interrupts off (spinlock.h says which state they guard).
#include <stddef.h>
#include "riscv.h"
#include "cpu.h"
#include "panic.h"
#include "spinlock.h"

void push_off(void) {
    int was_on = intr_get();
    intr_off();
    struct cpu *c = mycpu();
    if (c->noff == 0)
        c->intena = was_on;
    c->noff++;
}

void pop_off(void) {
    struct cpu *c = mycpu();
    if (intr_get() || c->noff < 1)
        panic("pop_off: unbalanced");
    c->noff--;
    if (c->noff == 0 && c->intena)
        intr_on();
}

int spin_holding(struct spinlock *lk) {
    return lk->locked && lk->hart == cpuid();
}

void spin_lock(struct spinlock *lk) {
    push_off();
    if (spin_holding(lk))
        panic("spinlock %s: taken twice by hart %d", lk->name, cpuid());
    while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0)
        ;
    lk->hart = cpuid();
}

void spin_unlock(struct spinlock *lk) {
    if (!spin_holding(lk))
        panic("spinlock %s: released by a hart that does not hold it", lk->name);
    lk->hart = -1;
    __atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
    pop_off();
}
