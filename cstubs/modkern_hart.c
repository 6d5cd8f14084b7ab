// kern functions about harts: which one runs this code, how many run,
// starting them, interrupting one, and what each has done.
#include "py/runtime.h"
#include "cpu.h"
#include "ipi.h"
#include "smp.h"
#include "pylock.h"
#include "modkern.h"

// kern.hart() -> the id of the hart running this Python.
static mp_obj_t kern_hart(void) {
    return MP_OBJ_NEW_SMALL_INT(cpuid());
}
MP_DEFINE_CONST_FUN_OBJ_0(kern_hart_obj, kern_hart);

// kern.nharts() -> how many harts run the kernel.
static mp_obj_t kern_nharts(void) {
    int n = 0;
    for (int i = 0; i < NCPU; i++)
        n += cpus[i].online != 0;
    return MP_OBJ_NEW_SMALL_INT(n);
}
MP_DEFINE_CONST_FUN_OBJ_0(kern_nharts_obj, kern_nharts);

// kern.harts_present() -> how many harts have reached the kernel (hart
// 0 included), online or waiting to be started.
static mp_obj_t kern_harts_present(void) {
    int n = 0;
    for (int i = 0; i < NCPU; i++)
        n += cpus[i].present != 0;
    return MP_OBJ_NEW_SMALL_INT(n);
}
MP_DEFINE_CONST_FUN_OBJ_0(kern_harts_present_obj, kern_harts_present);

// kern.start_harts(entry) -> harts online: the others start, each calling
// entry() on its idle thread with the interpreter lock held (smp.c).
static mp_obj_t kern_start_harts(mp_obj_t entry) {
    return MP_OBJ_NEW_SMALL_INT(smp_start_harts(entry));
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_start_harts_obj, kern_start_harts);

// kern.set_hart_hook(fn): fn(hart) runs whenever a hart takes the
// interpreter lock after another hart held it (pylock.c).
static mp_obj_t kern_set_hart_hook(mp_obj_t fn) {
    MP_STATE_VM(pylock_hart_hook) = fn == mp_const_none ? MP_OBJ_NULL : fn;
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_set_hart_hook_obj, kern_set_hart_hook);

static struct cpu *hart_arg(mp_obj_t o) {
    mp_int_t h = mp_obj_get_int(o);
    if (h < 0 || h >= NCPU || !cpus[h].online)
        mp_raise_ValueError(MP_ERROR_TEXT("no such hart"));
    return &cpus[h];
}

// kern.ipi(hart): interrupt that hart: its mailbox has news (EV_IPI).
static mp_obj_t kern_ipi(mp_obj_t hart) {
    ipi_mail(hart_arg(hart)->id);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_ipi_obj, kern_ipi);

// kern.kick(hart): interrupt that hart, for no news: a thread it runs in
// user mode must come back to the kernel and look (kill, notes).
static mp_obj_t kern_kick(mp_obj_t hart) {
    ipi_send(hart_arg(hart)->id);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_kick_obj, kern_kick);

// kern.stop_user(hart): as kick, and wait until that hart has left user
// mode (it cannot go back while we hold the interpreter lock).
static mp_obj_t kern_stop_user(mp_obj_t hart) {
    smp_stop_user(hart_arg(hart)->id);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_stop_user_obj, kern_stop_user);

// kern.hart_stats(hart) -> (idle, lock_wait, lock_taken, lock_contended,
// ipis): `time` cycles idle in wfi and waiting for the interpreter lock,
// how often it took the lock and how often it had to wait for it, and
// the IPIs it received.
static mp_obj_t kern_hart_stats(mp_obj_t hart) {
    struct cpu *c = hart_arg(hart);
    mp_obj_t items[5] = {
        mp_obj_new_int_from_uint(c->idle_ticks), mp_obj_new_int_from_uint(c->lock_wait),
        mp_obj_new_int_from_uint(c->lock_taken), mp_obj_new_int_from_uint(c->lock_contended),
        mp_obj_new_int_from_uint(c->ipis),
    };
    return mp_obj_new_tuple(5, items);
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_hart_stats_obj, kern_hart_stats);
