// The `kern` functions for user processes: entering user mode, trapframes,
// address spaces, and copies across the user boundary.  (modkern.c lists
// them in the module's table.)
#include <string.h>
#include "py/runtime.h"
#include "py/objstr.h"
#include "memlayout.h"
#include "riscv.h"
#include "kalloc.h"
#include "uvm.h"
#include "trapframe.h"
#include "pylock.h"
#include "smp.h"
#include "cpu.h"
#include "uart.h"
#include "modkern.h"
#include "heapwatch.h"
#include "sysnum.h"
#include "vm.h"
#include "kthread.h"

long run_user(struct trapframe *tf, uint64_t satp);

// Trapframes and page tables are pages from kalloc: a Python slip that
// passes anything else is an exception, not memory corruption.
void *page_arg(mp_obj_t o) {
    uintptr_t pa = (uintptr_t)mp_obj_get_int_truncated(o);
    if (!kalloc_owned(pa))
        mp_raise_ValueError(MP_ERROR_TEXT("not an allocated page"));
    return (void *)pa;
}

// A trapframe argument: a trapframe page, or 0 for the running thread's own
// (the one kern.thread_set_process gave it).  A process with several LWPs
// has a trapframe per LWP and keeps 0 as its p.trapframe, so that a system
// call handler always reads and writes its caller's registers, even after
// it slept while another LWP of the process ran (kernel/proc/lwp.py).
struct trapframe *tf_arg(mp_obj_t o) {
    if (o == MP_OBJ_NEW_SMALL_INT(0)) {
        struct trapframe *tf = kthread_current_tf();
        if (tf == NULL)
            mp_raise_ValueError(MP_ERROR_TEXT("this thread runs no process"));
        return tf;
    }
    return page_arg(o);
}

static uint64_t u64_arg(mp_obj_t o) { return (uint64_t)mp_obj_get_int_truncated(o); }

// The calls let through even when the heap is full: they free memory.
static int gives_memory_back(long code) {
    return code == SYS_exit || code == SYS_wait || code == SYS_close || code == SYS_kill ||
        code == SYS_lwp_exit || code == SYS_lwp_wait;
}

// Every LWP of a process has its own trapframe page, and all of them use
// the one address TRAPFRAME: the page mapped there must be the one of the
// LWP about to run (one hart, so one LWP of a space runs at a time;
// userret's sfence.vma drops the old translation).
static void map_trapframe(pagetable_t pt, struct trapframe *tf) {
    pte_t *pte = vm_walk(pt, TRAPFRAME, 0, 0);
    if (pte == NULL || !(*pte & PTE_V))
        mp_raise_ValueError(MP_ERROR_TEXT("no trapframe mapped"));
    *pte = PA2PTE(tf) | PTE_R | PTE_W | PTE_V;
}

// run_user(tf, pagetable, a0) -> what brought the process back (trapframe.h).
// a0, unless None, is stored in the user's a0 first: a system call's result.
// A held trapframe (a suspended LWP) comes back at once with TRAP_HOLD.
static mp_obj_t kern_run_user(mp_obj_t tf_obj, mp_obj_t pt_obj, mp_obj_t a0) {
    struct trapframe *tf = tf_arg(tf_obj);
    pagetable_t pt = page_arg(pt_obj);
    if (a0 != mp_const_none)
        tf->regs[REG_A0] = (uint64_t)mp_obj_get_int_truncated(a0);
    if (tf->hold)
        return MP_OBJ_NEW_SMALL_INT(TRAP_HOLD);
    // tf 0: a process with several LWPs (kernel/proc/lwp.py).  A process
    // with one keeps the trapframe uvm_create mapped, and pays nothing.
    if (tf_obj == MP_OBJ_NEW_SMALL_INT(0))
        map_trapframe(pt, tf);
    // User time is measured here, at the boundary itself, in C: two
    // rdtimes instead of two Python calls on every system call.
    // The interpreter lock is let go for the time in user mode (pylock.h).
    for (;;) {
        heapwatch_leave_kernel();
        uint64_t entered = rdtime();
        struct cpu *c = mycpu();
        c->user_satp = MAKE_SATP(pt);      // for smp_shootdown()
        pylock_release();
        long code = run_user(tf, MAKE_SATP(pt));
        c->user_satp = 0;
        tf->utime += rdtime() - entered;
        pylock_acquire();
        if (code < 0 || !heapwatch_enter_syscall() || gives_memory_back(code))
            return MP_OBJ_NEW_SMALL_INT(code);
        // The heap is full and its reserve spent: refuse the call before
        // it holds anything (heapwatch.c).
        tf->regs[REG_A0] = (uint64_t)-1;
    }
}
MP_DEFINE_CONST_FUN_OBJ_3(kern_run_user_obj, kern_run_user);

// map_trapframe(pagetable, tf): map tf at TRAPFRAME in the space (a
// process whose LWPs are down to one, which run_user then enters with its
// own trapframe's address).
static mp_obj_t kern_map_trapframe(mp_obj_t pt, mp_obj_t tf) {
    map_trapframe(page_arg(pt), page_arg(tf));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(kern_map_trapframe_obj, kern_map_trapframe);

static uint64_t *tf_field(struct trapframe *tf, mp_int_t field) {
    if (field >= 1 && field < 32)
        return &tf->regs[field];
    if (field == FIELD_EPC)
        return &tf->epc;
    if (field == FIELD_SCAUSE)
        return &tf->scause;
    if (field == FIELD_STVAL)
        return &tf->stval;
    if (field == FIELD_UTIME)
        return &tf->utime;
    if (field == FIELD_HOLD)
        return &tf->hold;
    mp_raise_ValueError(MP_ERROR_TEXT("no such trapframe field"));
}

static mp_obj_t kern_tf_get(mp_obj_t tf, mp_obj_t field) {
    return mp_obj_new_int_from_uint(*tf_field(tf_arg(tf), mp_obj_get_int(field)));
}
MP_DEFINE_CONST_FUN_OBJ_2(kern_tf_get_obj, kern_tf_get);

static mp_obj_t kern_tf_set(mp_obj_t tf, mp_obj_t field, mp_obj_t value) {
    *tf_field(tf_arg(tf), mp_obj_get_int(field)) = u64_arg(value);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_3(kern_tf_set_obj, kern_tf_set);

static mp_obj_t kern_tf_copy(mp_obj_t dst, mp_obj_t src) {
    memcpy(tf_arg(dst), tf_arg(src), sizeof(struct trapframe));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(kern_tf_copy_obj, kern_tf_copy);

// System call arguments: arg_int(tf, n) is a C int (sign-extended from 32
// bits, as the ABI passes it); arg_addr(tf, n) a 64-bit user address.
static uint64_t syscall_arg(mp_obj_t tf_obj, mp_obj_t n) {
    struct trapframe *tf = tf_arg(tf_obj);
    mp_int_t i = mp_obj_get_int(n);
    if (i < 0 || i > 5)
        mp_raise_ValueError(MP_ERROR_TEXT("argument 0..5"));
    return tf->regs[REG_A0 + i];
}

static mp_obj_t kern_arg_int(mp_obj_t tf, mp_obj_t n) {
    return MP_OBJ_NEW_SMALL_INT((int32_t)syscall_arg(tf, n));
}
MP_DEFINE_CONST_FUN_OBJ_2(kern_arg_int_obj, kern_arg_int);

static mp_obj_t kern_arg_addr(mp_obj_t tf, mp_obj_t n) {
    return mp_obj_new_int_from_uint(syscall_arg(tf, n));
}
MP_DEFINE_CONST_FUN_OBJ_2(kern_arg_addr_obj, kern_arg_addr);

// ---- address spaces ----

static mp_obj_t kern_uvm_create(mp_obj_t tf) {
    return mp_obj_new_int_from_uint((uintptr_t)uvm_create((uint64_t)page_arg(tf)));
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_uvm_create_obj, kern_uvm_create);

static mp_obj_t kern_uvm_destroy(mp_obj_t pt, mp_obj_t size) {
    smp_shootdown(MAKE_SATP((pagetable_t)page_arg(pt)));
    uvm_destroy(page_arg(pt), u64_arg(size));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(kern_uvm_destroy_obj, kern_uvm_destroy);

static mp_obj_t kern_uvm_alloc(size_t n_args, const mp_obj_t *args) {
    int perm = (int)mp_obj_get_int(args[3]) & (PTE_R | PTE_W | PTE_X);
    return MP_OBJ_NEW_SMALL_INT(uvm_alloc(page_arg(args[0]), u64_arg(args[1]), u64_arg(args[2]), perm));
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kern_uvm_alloc_obj, 4, 4, kern_uvm_alloc);

static mp_obj_t kern_uvm_dealloc(mp_obj_t pt, mp_obj_t lo, mp_obj_t hi) {
    uint64_t l = u64_arg(lo), h = u64_arg(hi);
    if (l % PGSIZE || h % PGSIZE)
        mp_raise_ValueError(MP_ERROR_TEXT("not page aligned"));
    smp_shootdown(MAKE_SATP((pagetable_t)page_arg(pt)));
    uvm_dealloc(page_arg(pt), l, h);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_3(kern_uvm_dealloc_obj, kern_uvm_dealloc);

static mp_obj_t kern_uvm_copy(mp_obj_t from, mp_obj_t to, mp_obj_t size) {
    return MP_OBJ_NEW_SMALL_INT(uvm_copy(page_arg(from), page_arg(to), u64_arg(size)));
}
MP_DEFINE_CONST_FUN_OBJ_3(kern_uvm_copy_obj, kern_uvm_copy);

static mp_obj_t kern_uvm_clear_user(mp_obj_t pt, mp_obj_t va) {
    return MP_OBJ_NEW_SMALL_INT(uvm_clear_user(page_arg(pt), u64_arg(va)));
}
MP_DEFINE_CONST_FUN_OBJ_2(kern_uvm_clear_user_obj, kern_uvm_clear_user);

// ---- copies across the user boundary ----

// copyin(pt, va, n) -> bytes, or None if any byte is not readable user memory.
static mp_obj_t kern_copyin(mp_obj_t pt, mp_obj_t va, mp_obj_t n_obj) {
    mp_int_t n = mp_obj_get_int(n_obj);
    if (n < 0)
        return mp_const_none;
    vstr_t vstr;
    vstr_init_len(&vstr, n);
    if (copyin(page_arg(pt), vstr.buf, u64_arg(va), n) < 0) {
        vstr_clear(&vstr);
        return mp_const_none;
    }
    return mp_obj_new_bytes_from_vstr(&vstr);
}
MP_DEFINE_CONST_FUN_OBJ_3(kern_copyin_obj, kern_copyin);

// copyout(pt, va, buffer) -> 0, or -1 if any byte is not writable user memory.
static mp_obj_t kern_copyout(mp_obj_t pt, mp_obj_t va, mp_obj_t buf) {
    mp_buffer_info_t info;
    mp_get_buffer_raise(buf, &info, MP_BUFFER_READ);
    return MP_OBJ_NEW_SMALL_INT(copyout(page_arg(pt), u64_arg(va), info.buf, info.len));
}
MP_DEFINE_CONST_FUN_OBJ_3(kern_copyout_obj, kern_copyout);

// copyinstr(pt, va, max) -> the string's bytes (no NUL), or None if it is
// not readable user memory or has no NUL within max bytes.
static mp_obj_t kern_copyinstr(mp_obj_t pt, mp_obj_t va, mp_obj_t max_obj) {
    mp_int_t max = mp_obj_get_int(max_obj);
    if (max <= 0 || max > (mp_int_t)PGSIZE)
        mp_raise_ValueError(MP_ERROR_TEXT("max 1..4096"));
    vstr_t vstr;
    vstr_init_len(&vstr, max);
    long len = copyinstr(page_arg(pt), vstr.buf, u64_arg(va), max);
    if (len < 0) {
        vstr_clear(&vstr);
        return mp_const_none;
    }
    vstr.len = len;
    return mp_obj_new_bytes_from_vstr(&vstr);
}
MP_DEFINE_CONST_FUN_OBJ_3(kern_copyinstr_obj, kern_copyinstr);

// copyin_buf(pt, va, buffer, offset, n): user [va, va+n) into
// buffer[offset:offset+n], with no Python object in between -> 0 or -1.
// copyout_buf(pt, va, buffer, offset, n): the other way.  (Pipes copy
// straight between user memory and their ring with these.)
static void *buf_range(mp_obj_t buf, mp_obj_t off_obj, mp_obj_t n_obj, int flags, size_t *n_out) {
    mp_buffer_info_t info;
    mp_get_buffer_raise(buf, &info, flags);
    mp_int_t off = mp_obj_get_int(off_obj), n = mp_obj_get_int(n_obj);
    if (off < 0 || n < 0 || (size_t)off > info.len || (size_t)n > info.len - off)
        mp_raise_ValueError(MP_ERROR_TEXT("range outside the buffer"));
    *n_out = n;
    return (char *)info.buf + off;
}

static mp_obj_t kern_copyin_buf(size_t n_args, const mp_obj_t *args) {
    size_t n;
    void *dst = buf_range(args[2], args[3], args[4], MP_BUFFER_WRITE, &n);
    return MP_OBJ_NEW_SMALL_INT(copyin(page_arg(args[0]), dst, u64_arg(args[1]), n));
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kern_copyin_buf_obj, 5, 5, kern_copyin_buf);

static mp_obj_t kern_copyout_buf(size_t n_args, const mp_obj_t *args) {
    size_t n;
    void *src = buf_range(args[2], args[3], args[4], MP_BUFFER_READ, &n);
    return MP_OBJ_NEW_SMALL_INT(copyout(page_arg(args[0]), u64_arg(args[1]), src, n));
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kern_copyout_buf_obj, 5, 5, kern_copyout_buf);

// uvm_load(pt, va, src_buffer, offset, n): exec's loader: copy n bytes of
// a kernel buffer (a program's ELF image) from offset into user pages,
// which need not be writable by the user (text) -> 0 or -1.
static mp_obj_t kern_uvm_load(size_t n_args, const mp_obj_t *args) {
    mp_buffer_info_t info;
    mp_get_buffer_raise(args[2], &info, MP_BUFFER_READ);
    mp_int_t off = mp_obj_get_int(args[3]), n = mp_obj_get_int(args[4]);
    if (off < 0 || n < 0 || (size_t)off > info.len || (size_t)n > info.len - off)
        return MP_OBJ_NEW_SMALL_INT(-1);
    return MP_OBJ_NEW_SMALL_INT(uvm_load(page_arg(args[0]), u64_arg(args[1]), (char *)info.buf + off, n));
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kern_uvm_load_obj, 5, 5, kern_uvm_load);

// console_write(buffer): bytes to the UART as they are (user output).
static mp_obj_t kern_console_write(mp_obj_t buf) {
    mp_buffer_info_t info;
    mp_get_buffer_raise(buf, &info, MP_BUFFER_READ);
    uart_write(info.buf, info.len);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_console_write_obj, kern_console_write);
