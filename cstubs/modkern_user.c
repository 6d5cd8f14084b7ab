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

long run_user(struct trapframe *tf, uint64_t satp, uint64_t slot);

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

// The leaf page table of the space's top 2 MiB, which holds the PTEs of
// the trampoline and of every slot (memlayout.h): a walk by hand, on the
// path of every system call, with no loop and no call.
static pte_t *top_leaf_table(pagetable_t pt) {
    const pte_t table = PTE_V, mask = PTE_V | PTE_R | PTE_W | PTE_X;
    pte_t pte = pt[(TRAMPOLINE >> 30) & 0x1FF];
    if ((pte & mask) == table) {
        pte = ((pagetable_t)PTE2PA(pte))[(TRAMPOLINE >> 21) & 0x1FF];
        if ((pte & mask) == table)
            return (pte_t *)PTE2PA(pte);
    }
    mp_raise_ValueError(MP_ERROR_TEXT("no trampoline mapped"));
}

// Every LWP of a process has its own trapframe page, and every hart its
// own slot for one in each user page table (memlayout.h): the running
// hart's slot must map the trapframe of the LWP about to run, and its
// address is what the trampoline gets.  A process with one LWP that stays
// on one hart keeps its mapping (uvm_create made hart 0's), so this is
// usually a walk and a compare.  The slot is this hart's alone, so only
// this hart's TLB can hold the old translation, and userret's sfence.vma
// drops it.
//
// A slot may still point at the trapframe page of an LWP that has exited
// (lwp.py frees it; the page may be anything by now).  That is harmless:
// a slot has no PTE_U, so user code never reaches it, and the trampoline
// uses only its own hart's slot, which this rewrote just before.
static uint64_t map_slot(pagetable_t pt, struct trapframe *tf) {
    uint64_t slot = TRAPFRAME_SLOT(cpuid());
    pte_t *pte = &top_leaf_table(pt)[(slot >> PGSHIFT) & 0x1FF];
    if (!(*pte & PTE_V) || PTE2PA(*pte) != (uint64_t)tf)
        *pte = PA2PTE(tf) | PTE_R | PTE_W | PTE_V | PTE_A | PTE_D;
    return slot;
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
    uint64_t slot = map_slot(pt, tf);
    // User time is measured here, at the boundary itself, in C: two
    // rdtimes instead of two Python calls on every system call.
    // The interpreter lock is let go for the time in user mode (pylock.h).
    for (;;) {
        heapwatch_leave_kernel();
        uint64_t entered = rdtime();
        struct cpu *c = mycpu();
        c->user_satp = MAKE_SATP(pt);      // for smp_shootdown()
        pylock_release();
        long code = run_user(tf, MAKE_SATP(pt), slot);
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
