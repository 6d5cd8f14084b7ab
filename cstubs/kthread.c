// Kernel threads: each has its own stack and MicroPython thread state.
//
// This is the xv6 model carried over to Python.  Every kernel thread (the
// boot thread, which becomes the idle thread, the monitor, and one per
// process) runs Python on a stack of its own, so a thread can block deep
// inside Python code while another runs.  There is no scheduler thread:
// the running thread switches directly to the next one (one switch, not
// two through a scheduler as in xv6), and the idle thread runs only when
// nothing else can.  Switching threads means:
//
//   1. save the running interpreter state (nlr chain, stack limits,
//      globals, pending exception) into the old thread's struct kthread;
//   2. load the new thread's state into the interpreter;
//   3. swtch() the callee-saved registers and stack pointer.
//
// Policy (which thread runs next, who sleeps, who is woken) is Python's,
// in kernel/kthread.py; this file is only the mechanism.
//
// Stacks live in the kernel's virtual address space, one slot per thread
// below the trampoline.  The lowest page of each slot is never mapped: a
// stack overflow faults there and trap.c names the thread.  The struct
// kthread itself sits at the top of its stack, so the GC's scan of a
// suspended stack from its saved sp upward covers it too.
#include <string.h>
#include "py/runtime.h"
#include "py/gc.h"
#include "memlayout.h"
#include "riscv.h"
#include "kalloc.h"
#include "vm.h"
#include "panic.h"
#include "kthread.h"
#include "trap.h"
#include "cpu.h"

void swtch(struct context *old, struct context *new);

// swtch.S stores ra, sp, s0..s11 at these offsets.
_Static_assert(__builtin_offsetof(struct context, ra) == 0, "swtch.S: ra at 0");
_Static_assert(__builtin_offsetof(struct context, sp) == 8, "swtch.S: sp at 8");
_Static_assert(__builtin_offsetof(struct context, s) == 16, "swtch.S: s0 at 16");
_Static_assert(sizeof(struct context) == 112, "swtch.S: 14 registers");

static struct kthread boot_thread;          // hart 0's idle thread
static struct kthread hart_idle[NCPU];      // the other harts' idle threads
static struct kthread *by_handle[KSTACK_SLOTS + 1];   // handle h uses slot h - 1
static int free_handles[KSTACK_SLOTS];
static int nfree_handles;
int kthread_gc_scan_enabled = 1;

// Each hart has its own running thread and switch time (struct cpu).
// Everything else here is shared, and changed only by the hart that holds
// the interpreter lock (pylock.h): every caller is Python.
static inline struct kthread *running(void) { return mycpu()->current; }

// Kernel stacks are mapped and unmapped in the one kernel page table
// that every hart uses.  A hart may still hold a stale translation of a
// freed stack in its TLB, and then read a new thread's struct kthread, or
// scan its stack for the GC, through it.  So each hart counts the changes
// it has flushed, and flushes when it takes the interpreter lock if the
// count moved on (kthread_sync_kmap).  Only the lock's holder changes the
// mappings, so that is soon enough.
static uint64_t kmap_gen;

void kthread_sync_kmap(void) {
    struct cpu *c = mycpu();
    if (c->kmap_gen != kmap_gen) {
        c->kmap_gen = kmap_gen;
        sfence_vma();
    }
}

// A Python stack check stops runaway recursion this many bytes before the
// guard page, leaving room for the C that runs between two checks (the
// exception printer, the GC, a native call).
#define STACK_MARGIN 3072

static uintptr_t slot_top(int handle) {
    return KSTACK_REGION_TOP - (uintptr_t)(handle - 1) * KSTACK_SLOT_SIZE;
}

static void list_insert(struct kthread *t) {
    t->next = boot_thread.next;
    t->prev = &boot_thread;
    if (boot_thread.next)
        boot_thread.next->prev = t;
    boot_thread.next = t;
}

static void list_remove(struct kthread *t) {
    t->prev->next = t->next;
    if (t->next)
        t->next->prev = t->prev;
}

void kthread_init_boot(uintptr_t stack_lo, uintptr_t stack_hi) {
    boot_thread.stack_lo = stack_lo;
    boot_thread.stack_hi = stack_hi;
    boot_thread.handle = 0;
    strcpy(boot_thread.name, "boot");
    by_handle[0] = &boot_thread;
    mycpu()->current = &boot_thread;
    mycpu()->switched_at = rdtime();
    // Hand out low handles first.
    for (int h = KSTACK_SLOTS; h >= 1; h--)
        free_handles[nfree_handles++] = h;
}

struct kthread *kthread_lookup(int handle) {
    if (handle < 0 || handle > KSTACK_SLOTS)
        return NULL;
    return by_handle[handle];
}

// The first thing a new thread runs.  Python's entry function never
// returns (it switches away for good when the thread exits), and an
// exception escaping it is a kernel bug: a panic with its traceback.
static void kthread_start(void) {
    struct kthread *t = running();
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_call_function_1(t->entry, t->arg);
        nlr_pop();
        panic("kernel thread %d (%s) returned from its entry function", t->handle, t->name);
    }
    panic_python(nlr.ret_val);
}

static void unmap_stack(uintptr_t lo, uintptr_t hi) {
    vm_unmap(kernel_pagetable, lo, (hi - lo) / PGSIZE, 1);
    kmap_gen++;
    sfence_vma();
    mycpu()->kmap_gen = kmap_gen;
}

// A hart that is not the holder of the lock's: the idle thread of a hart
// other than hart 0 runs on that hart's boot stack (entry.S), and is made
// here, by the hart itself, once it holds the interpreter lock.  -1 if
// there is no handle left.
int kthread_init_hart(uintptr_t stack_lo, uintptr_t stack_hi) {
    if (nfree_handles == 0)
        return -1;
    int handle = free_handles[--nfree_handles];
    struct kthread *t = &hart_idle[cpuid()];
    memset(t, 0, sizeof *t);
    t->handle = handle;
    t->stack_lo = stack_lo;
    t->stack_hi = stack_hi;
    t->hart_idle = 1;
    t->mp.stack_top = (char *)stack_hi;
    t->mp.stack_limit = (size_t)(stack_hi - stack_lo) - STACK_MARGIN;
    t->mp.dict_locals = mp_locals_get();
    t->mp.dict_globals = mp_globals_get();
    t->mp.mp_pending_exception = MP_OBJ_NULL;
    t->mp.stop_iteration_arg = MP_OBJ_NULL;
    by_handle[handle] = t;
    list_insert(t);
    mycpu()->current = t;
    mycpu()->switched_at = rdtime();
    mycpu()->kmap_gen = kmap_gen;
    return handle;
}

int kthread_create(mp_obj_t entry, mp_obj_t arg) {
    if (nfree_handles == 0)
        return -1;
    int handle = free_handles[nfree_handles - 1];
    uintptr_t hi = slot_top(handle);
    uintptr_t lo = hi - KSTACK_PAGES * PGSIZE;

    for (uintptr_t va = lo; va < hi; va += PGSIZE) {
        void *pa = kalloc();
        if (pa == NULL || vm_map(kernel_pagetable, va, (uint64_t)pa, PGSIZE, PTE_R | PTE_W) < 0) {
            if (pa)
                kfree(pa);
            if (va > lo)
                unmap_stack(lo, va);
            return -1;
        }
    }
    sfence_vma();
    nfree_handles--;

    struct kthread *t = (struct kthread *)((hi - sizeof(struct kthread)) & ~15UL);
    memset(t, 0, sizeof *t);
    t->handle = handle;
    t->stack_lo = lo;
    t->stack_hi = hi;
    t->entry = entry;
    t->arg = arg;
    t->ctx.ra = (uint64_t)kthread_start;
    t->ctx.sp = (uint64_t)t;

    // A fresh interpreter state: no exception handlers yet, the creator's
    // globals (the entry function brings its own when called), and stack
    // bounds for MicroPython's recursion check.
    t->mp.stack_top = (char *)hi;
    t->mp.stack_limit = (size_t)((uintptr_t)t - lo) - STACK_MARGIN;
    t->mp.dict_locals = mp_locals_get();
    t->mp.dict_globals = mp_globals_get();
    t->mp.mp_pending_exception = MP_OBJ_NULL;
    t->mp.stop_iteration_arg = MP_OBJ_NULL;

    by_handle[handle] = t;
    list_insert(t);
    return handle;
}

int kthread_switch(int handle) {
    struct kthread *to = kthread_lookup(handle);
    struct kthread *from = running();
    if (to == NULL)
        return -1;
    if (to == from)
        return 0;
    struct cpu *c = mycpu();
    uint64_t now = rdtime();
    from->cpu += now - c->switched_at;
    c->switched_at = now;
    to->switches++;
    from->mp = mp_state_ctx.thread;
    mp_state_ctx.thread = to->mp;
    c->current = to;
    swtch(&from->ctx, &to->ctx);
    // Running again: whoever switched back to us restored our state.
    return 0;
}

// The hart whose running thread t is (in user mode, say), or NULL.
static struct cpu *hart_running(struct kthread *t) {
    for (int i = 0; i < NCPU; i++)
        if (cpus[i].current == t)
            return &cpus[i];
    return NULL;
}

int kthread_free(int handle) {
    struct kthread *t = kthread_lookup(handle);
    if (t == NULL || handle == 0 || t->hart_idle || hart_running(t) != NULL)
        return -1;
    by_handle[handle] = NULL;
    list_remove(t);
    free_handles[nfree_handles++] = handle;
    unmap_stack(t->stack_lo, t->stack_hi);   // t itself lives on that stack
    return 0;
}

int kthread_current(void) { return running()->handle; }

uint64_t kthread_cpu(int handle) {
    struct kthread *t = kthread_lookup(handle);
    if (t == NULL)
        return 0;
    struct cpu *c = hart_running(t);     // running on some hart: its turn so far too
    return c ? t->cpu + rdtime() - c->switched_at : t->cpu;
}

void kthread_set_name(int handle, const char *name, size_t len) {
    struct kthread *t = kthread_lookup(handle);
    if (t == NULL)
        return;
    if (len >= KTHREAD_NAME_MAX)
        len = KTHREAD_NAME_MAX - 1;
    memcpy(t->name, name, len);
    t->name[len] = 0;
}

void kthread_set_process(int handle, int pid, struct trapframe *tf) {
    struct kthread *t = kthread_lookup(handle);
    if (t != NULL) {
        t->pid = pid;
        t->tf = tf;
    }
}

// The running thread's trapframe (NULL if it runs no process): what a
// trapframe argument of 0 means to the kern functions (modkern_user.c).
struct trapframe *kthread_current_tf(void) { return running()->tf; }

// The running thread's fault_hold() flag (heapwatch.c).
int *kthread_current_fail_held(void) { return &running()->fail_held; }

uintptr_t kthread_stack_used(int handle) {
    struct kthread *t = kthread_lookup(handle);
    if (t == NULL)
        return 0;
    uintptr_t sp = t == running() ? (uintptr_t)&t : t->ctx.sp;
    return t->stack_hi - sp;
}

// Called by gc_collect() after the running thread's registers and stack
// have been scanned: every other thread's saved registers, interpreter
// state and live stack hold roots too -- the threads other harts run
// included: a hart saved those when it gave up the interpreter lock.  (kthread_gc_scan_enabled exists
// so that a test can show that skipping this is caught.)
void kthread_gc_scan_suspended(void) {
    for (struct kthread *t = &boot_thread; t != NULL; t = t->next) {
        gc_collect_root(&t->entry, 2);
        if (t == running() || !kthread_gc_scan_enabled)
            continue;
        gc_collect_root((void **)&t->ctx, sizeof t->ctx / sizeof(void *));
        gc_collect_root((void **)&t->mp, sizeof t->mp / sizeof(void *));
        uintptr_t sp = t->ctx.sp;
        gc_collect_root((void **)sp, ((uintptr_t)t->mp.stack_top - sp) / sizeof(void *));
    }
}

// For panics: the running thread and, if it runs a process, the pid, the
// program and the user registers of its last trap.
void kthread_print_current(void) {
    kprintf("kernel thread: %d (%s) on hart %d\n", running()->handle, running()->name, cpuid());
    struct trapframe *tf = running()->tf;
    if (running()->pid == 0 || tf == NULL)
        return;
    kprintf("process: pid %d (%s); its last trap: %s\n", running()->pid, running()->name,
        trap_cause_name(tf->scause));
    kprintf("trapframe: epc=0x%lx scause=0x%lx stval=0x%lx\n", (unsigned long)tf->epc,
        (unsigned long)tf->scause, (unsigned long)tf->stval);
    for (int i = 1; i < 32; i++)
        kprintf("%4s=0x%016lx%s", reg_names[i], (unsigned long)tf->regs[i], i % 4 == 3 ? "\n" : "  ");
    kprintf("\n");
}

const char *kthread_guard_page_owner(uint64_t addr) {
    if (addr < KSTACK_REGION_BOTTOM || addr >= KSTACK_REGION_TOP)
        return NULL;
    uint64_t offset = (KSTACK_REGION_TOP - 1 - addr) % KSTACK_SLOT_SIZE;
    if (offset >= KSTACK_PAGES * PGSIZE)
        return "kernel stack overflow: the fault is in a kernel stack's guard page";
    return NULL;
}
