// Starting the other harts, and each one's way into Python.
//
// Every hart runs entry.S and start.c; hart 0 boots the kernel while the
// others wait in kmain_secondary(), in wfi with paging off.  Once hart 0's
// Python has made a place for them (kernel/thread/kthread.py's per-hart
// state), kern.start_harts() marks them online and interrupts each one;
// each then turns paging on, takes the interpreter lock, adopts its boot
// stack as its idle thread and calls the Python entry it was given.
#include "py/runtime.h"
#include "memlayout.h"
#include "riscv.h"
#include "cpu.h"
#include "vm.h"
#include "trap.h"
#include "kthread.h"
#include "pylock.h"
#include "panic.h"
#include "machine.h"
#include "ipi.h"
#include "smp.h"

extern char boot_stack[];
static volatile int harts_go;        // kern.start_harts() was called

// The Python function each hart other than 0 runs (kern.start_harts).
MP_REGISTER_ROOT_POINTER(mp_obj_t smp_hart_entry);

void kmain_secondary(uint64_t hartid) {
    struct cpu *c = mycpu();
    c->present = 1;
    // start.c left sie.SSIE on: the IPI that follows harts_go ends the
    // wfi (or is pending already, and wfi returns at once).
    while (!__atomic_load_n(&harts_go, __ATOMIC_ACQUIRE) || !c->online)
        wfi();
    csr_clear(sip, SIE_SSIE);
    kvm_hart_on();
    trap_init();
    csr_set(scounteren, 2);           // user mode may read `time`, as on hart 0

    pylock_acquire_first();
    uintptr_t lo = (uintptr_t)boot_stack + hartid * BOOT_STACK_SIZE;
    if (kthread_init_hart(lo, lo + BOOT_STACK_SIZE) < 0)
        panic("hart %d: no kernel thread left for its idle thread", (int)hartid);
    mp_state_ctx.thread = c->current->mp;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_call_function_0(MP_STATE_VM(smp_hart_entry));
        nlr_pop();
        panic("hart %d: its Python entry returned", (int)hartid);
    }
    panic_python(nlr.ret_val);
}

// Bring the other harts online, each to run entry() with the lock held;
// returns how many harts are online now, hart 0 included.  Waits up to a
// second for the harts the device tree lists to reach kmain_secondary.
int smp_start_harts(mp_obj_t entry) {
    MP_STATE_VM(smp_hart_entry) = entry;
    int want = machine.ncpu < NCPU ? machine.ncpu : NCPU;
    uint64_t until = rdtime() + TIMEBASE_HZ;
    int n;
    for (;;) {
        n = 0;
        for (int i = 0; i < NCPU; i++)
            n += cpus[i].present;
        if (n >= want || rdtime() > until)
            break;
    }
    for (int i = 1; i < NCPU; i++)
        if (cpus[i].present)
            cpus[i].online = 1;
    if (n > 1)
        pylock_solo = 0;          // from now on the lock hands the interpreter over
    __atomic_store_n(&harts_go, 1, __ATOMIC_RELEASE);
    for (int i = 1; i < NCPU; i++)
        if (cpus[i].online)
            ipi_send(i);
    return n;
}

// Before user pages of an address space are unmapped and freed, no other
// hart may be running in it: its TLB could still reach those pages, and
// write into them after they are free.  So every other hart in user mode
// in that space is interrupted, and we wait until it has trapped.  It
// then waits for the interpreter lock, which we hold, and comes back to
// user mode only after we let go -- through userret, whose sfence.vma
// drops whatever it had cached.
void smp_shootdown(uint64_t satp) {
    for (int i = 0; i < NCPU; i++)
        if (cpus[i].user_satp == satp)
            smp_stop_user(i);
}

// Bring hart `hart` out of user mode, and wait until it is out: it then
// waits for the interpreter lock, which the caller holds, so when the
// caller looks at the thread it ran, that thread runs no user code
// (lwp_suspend keeps its promise: the LWP has stopped when it returns).
void smp_stop_user(int hart) {
    struct cpu *c = &cpus[hart];
    if (c == mycpu() || c->user_satp == 0)
        return;
    ipi_send(hart);
    while (c->user_satp != 0)
        ;
}
