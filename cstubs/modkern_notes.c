// The `kern` functions for notes: enter a process's note handler, and
// come back from it (kernel/proc/notes.py decides when).
//
// Where the interrupted registers are kept while the handler runs: in the
// second half of the process's trapframe page, a kernel page.  Plan 9
// keeps them on the user stack (its Ureg) and noted() reads them back,
// checking what the user may have changed; here the handler gets a copy
// on its stack to read, but noted() restores the kernel's copy.  So user
// memory can never make the kernel resume with registers it did not save,
// there is nothing to check, and the save costs no allocation: the
// trapframe struct uses less than half its page.
#include <string.h>
#include "py/runtime.h"
#include "memlayout.h"
#include "trapframe.h"
#include "kalloc.h"
#include "kthread.h"
#include "uvm.h"
#include "modkern.h"

// What the handler's first argument points at: the interrupted x1..x31,
// and the pc in the slot of x0 (always zero, so nothing is lost).
struct ureg {
    uint64_t regs[32];
};

#define SAVE_OFFSET (PGSIZE / 2)
_Static_assert(sizeof(struct trapframe) <= SAVE_OFFSET, "the trapframe leaves room for a ureg");
_Static_assert(SAVE_OFFSET + sizeof(struct ureg) <= PGSIZE, "a ureg fits in the trapframe page");

// (Trapframe and page-table arguments: tf_arg, page_arg, modkern_user.c.)

static struct ureg *saved(struct trapframe *tf) {
    return (struct ureg *)((char *)tf + SAVE_OFFSET);
}

// note_enter(tf, pagetable, handler, text, a0) -> 0, or -1 if the user
// stack has no room (the process must die).  a0, unless None, is the
// result of the system call the note interrupted: it goes into the
// registers first, as kern.run_user would put it.  Saves the registers, pushes the
// note's text (with a NUL) and a copy of the registers on the user stack,
// and makes user mode resume in handler(ureg, text).  Its return address
// is the trapframe's, which user mode cannot execute: a handler that
// returns instead of calling noted() faults.
static mp_obj_t kern_note_enter(size_t n_args, const mp_obj_t *args) {
    struct trapframe *tf = tf_arg(args[0]);
    pagetable_t pt = page_arg(args[1]);
    uint64_t handler = (uint64_t)mp_obj_get_int_truncated(args[2]);
    mp_buffer_info_t text;
    mp_get_buffer_raise(args[3], &text, MP_BUFFER_READ);
    char nul = 0;

    if (args[4] != mp_const_none)
        tf->regs[REG_A0] = (uint64_t)mp_obj_get_int_truncated(args[4]);
    struct ureg *u = saved(tf);
    memcpy(u->regs, tf->regs, sizeof(u->regs));
    u->regs[0] = tf->epc;
    uint64_t sp = tf->regs[REG_SP];
    uint64_t text_va = sp - text.len - 1;
    uint64_t ureg_va = (text_va - sizeof(struct ureg)) & ~(uint64_t)15;
    if (sp < sizeof(struct ureg) + text.len + 16 ||
        copyout(pt, text_va, text.buf, text.len) < 0 ||
        copyout(pt, text_va + text.len, &nul, 1) < 0 ||
        copyout(pt, ureg_va, u, sizeof(*u)) < 0)
        return MP_OBJ_NEW_SMALL_INT(-1);
    tf->epc = handler;
    tf->regs[REG_A0] = ureg_va;
    tf->regs[REG_A0 + 1] = text_va;
    tf->regs[REG_SP] = ureg_va;
    tf->regs[REG_RA] = TRAPFRAME;
    return MP_OBJ_NEW_SMALL_INT(0);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kern_note_enter_obj, 5, 5, kern_note_enter);

// note_return(tf): the registers note_enter saved, back in the trapframe
// (a0 too): user mode resumes where the note interrupted it.
static mp_obj_t kern_note_return(mp_obj_t tf_obj) {
    struct trapframe *tf = tf_arg(tf_obj);
    struct ureg *u = saved(tf);
    memcpy(&tf->regs[1], &u->regs[1], 31 * sizeof(uint64_t));
    tf->epc = u->regs[0];
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_note_return_obj, kern_note_return);
