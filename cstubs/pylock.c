// The interpreter lock (pylock.h explains it): a ticket lock, its
// bookkeeping, and the hand-over of the interpreter's thread state.
#include "py/runtime.h"
#include "riscv.h"
#include "cpu.h"
#include "kthread.h"
#include "pylock.h"

static volatile uint32_t ticket_next, ticket_serving;
static volatile int holder = -1;      // the hart holding it, or -1
static int last_holder = -1;          // the hart that held it last

// kernel/thread/kthread.py's enter_hart(hart): called when a hart takes
// the lock after another hart held it, to bring the per-hart state that
// Python keeps in module globals back to this hart's (kern.set_hart_hook).
MP_REGISTER_ROOT_POINTER(mp_obj_t pylock_hart_hook);

static void take(struct cpu *c) {
    uint32_t mine = __atomic_fetch_add(&ticket_next, 1, __ATOMIC_RELAXED);
    if (__atomic_load_n(&ticket_serving, __ATOMIC_ACQUIRE) != mine) {
        uint64_t start = rdtime();
        while (__atomic_load_n(&ticket_serving, __ATOMIC_ACQUIRE) != mine)
            ;
        c->lock_wait += rdtime() - start;
        c->lock_contended++;
    }
    c->lock_taken++;
    holder = c->id;
}

void pylock_release_state(struct kthread *t) {
    t->mp = mp_state_ctx.thread;
    holder = -1;
    __atomic_store_n(&ticket_serving, ticket_serving + 1, __ATOMIC_RELEASE);
}

void pylock_acquire(void) {
    struct cpu *c = mycpu();
    take(c);
    kthread_sync_kmap();
    mp_state_ctx.thread = c->current->mp;
    if (last_holder != c->id) {
        last_holder = c->id;
        mp_obj_t hook = MP_STATE_VM(pylock_hart_hook);
        if (hook != MP_OBJ_NULL)
            mp_call_function_1(hook, MP_OBJ_NEW_SMALL_INT(c->id));
    }
}

// A hart's first entry: it has no thread yet (smp.c makes its idle
// thread once it holds the lock), and Python sets itself up for the hart.
void pylock_acquire_first(void) {
    struct cpu *c = mycpu();
    take(c);
    kthread_sync_kmap();
    last_holder = c->id;
}

int pylock_holder(void) { return holder; }
