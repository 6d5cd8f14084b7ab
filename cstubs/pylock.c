// The interpreter lock (pylock.h explains it): a ticket lock, its
// bookkeeping, and the hand-over of the interpreter's thread state.
//
// A hart waiting for the lock waits in wfi, not in a spinning loop, and
// the hart that lets go sends an IPI to the one whose ticket is next.
// Under QEMU the harts are host threads, often more than the host has
// cores; a spinning waiter takes the core the lock's holder needs, and
// with a ticket lock every waiter behind a descheduled one waits too
// (we measured 40 ms per hand-over with 4 harts on 2 host cores).  A
// hart in wfi gives its host thread up.
#include "py/runtime.h"
#include "riscv.h"
#include "cpu.h"
#include "kthread.h"
#include "pylock.h"
#include "trap.h"
#include "ipi.h"

static volatile uint32_t ticket_next, ticket_serving;
static volatile int waiters;          // harts waiting in wfi for it
static volatile int holder = -1;      // the hart holding it, or -1
static int last_holder = -1;          // the hart that held it last

// Until a second hart comes online (smp.c clears this), hart 0 is the
// lock's only user, and it simply keeps it: it took it at boot
// (pylock_acquire_first) and neither gives it back nor takes it again.
// When the others start, hart 0 is inside Python, holding it, as the
// lock's state says; from its next release on, the lock works in full.
int pylock_solo = 1;

// kernel/thread/kthread.py's enter_hart(hart): called when a hart takes
// the lock after another hart held it, to bring the per-hart state that
// Python keeps in module globals back to this hart's (kern.set_hart_hook).
MP_REGISTER_ROOT_POINTER(mp_obj_t pylock_hart_hook);

static void take(struct cpu *c) {
    uint32_t mine = __atomic_fetch_add(&ticket_next, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&ticket_serving, __ATOMIC_SEQ_CST) != mine) {
        uint64_t start = rdtime();
        c->lock_ticket = mine;
        __atomic_fetch_add(&waiters, 1, __ATOMIC_SEQ_CST);
        __atomic_store_n(&c->lock_waiting, 1, __ATOMIC_SEQ_CST);
        // Only the hand-over's IPI may end the wait: a timer or device
        // interrupt already pending would make every wfi return at once,
        // and the wait a spin.  (Those stay pending, and are taken once
        // the hart is in Python.)  An IPI that comes before the wfi leaves
        // SSIP pending, and wfi then returns at once: no hand-over is lost.
        uint64_t sie = csr_read(sie);
        csr_write(sie, SIE_SSIE);
        while (__atomic_load_n(&ticket_serving, __ATOMIC_SEQ_CST) != mine)
            wfi();
        // The hand-over's IPI has done its work: if it stayed pending, the
        // hart would trap again the moment it entered user mode, a second
        // trip through Python per hand-over.  Mail that came meanwhile is
        // not lost: its sender set c->mail before its IPI, and the event
        // is recorded here instead.
        csr_clear(sip, SIE_SSIE);
        ipi_take_mail(c);
        csr_write(sie, sie);
        __atomic_store_n(&c->lock_waiting, 0, __ATOMIC_SEQ_CST);
        __atomic_fetch_sub(&waiters, 1, __ATOMIC_SEQ_CST);
        c->lock_wait += rdtime() - start;
        c->lock_contended++;
    }
    c->lock_taken++;
    holder = c->id;
}

void vm_poll_rest(void);               // mpport.c

void pylock_release_state(struct kthread *t) {
    t->mp = mp_state_ctx.thread;
    vm_poll_rest();                   // leaving Python: the soft-lockup clock starts again
    holder = -1;
    uint32_t next = ticket_serving + 1;
    __atomic_store_n(&ticket_serving, next, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&waiters, __ATOMIC_SEQ_CST) == 0)
        return;
    for (int i = 0; i < NCPU; i++) {
        if (cpus[i].lock_waiting && cpus[i].lock_ticket == next) {
            ipi_send(i);
            break;
        }
    }
}

void pylock_acquire(void) {
    if (pylock_solo)
        return;
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
