// User address spaces: create, grow, shrink, copy and destroy them, and
// move bytes across the user/kernel boundary.
//
// Every user pointer the kernel follows goes through copyin/copyout/
// copyinstr here, which walk the process's page table in software: a page
// that is unmapped, not user-accessible (the kernel's, the trampoline, the
// stack guard) or, for copyout, not writable makes the copy fail with -1.
// The kernel never dereferences a user address, so a bad pointer can never
// fault in the kernel.
#include <string.h>
#include "memlayout.h"
#include "riscv.h"
#include "kalloc.h"
#include "panic.h"
#include "uvm.h"

extern char trampoline[];

// A process page table with only the trampoline and its trapframe mapped,
// in hart 0's slot (kern.run_user maps the slot of whichever hart runs it).
pagetable_t uvm_create(uint64_t trapframe_pa) {
    pagetable_t pt = kalloc();
    if (pt == NULL)
        return NULL;
    if (vm_map(pt, TRAMPOLINE, (uint64_t)trampoline, PGSIZE, PTE_R | PTE_X) < 0 ||
        vm_map(pt, TRAPFRAME, trapframe_pa, PGSIZE, PTE_R | PTE_W) < 0) {
        uvm_destroy(pt, 0);
        return NULL;
    }
    return pt;
}

static void free_tree(pagetable_t pt, int level) {
    for (int i = 0; i < 512; i++) {
        pte_t pte = pt[i];
        if (!(pte & PTE_V))
            continue;
        if (pte & (PTE_R | PTE_W | PTE_X))
            panic("uvm_destroy: a leaf is still mapped at level %d", level);
        free_tree((pagetable_t)PTE2PA(pte), level - 1);
    }
    kfree(pt);
}

static void unmap_if_mapped(pagetable_t pt, uint64_t va) {
    pte_t *pte = vm_walk(pt, va, 0, 0);
    if (pte && (*pte & PTE_V))
        *pte = 0;
}

// Free the user memory [0, size), then the page-table pages themselves.
// The trampoline is shared and the trapframes belong to the process and
// its LWPs (kernel/proc/proc.py, lwp.py): all are unmapped, not freed.
// Any hart's slot may have been mapped, and may point at a page freed
// long ago (modkern_user.c's map_slot says why that is harmless).
void uvm_destroy(pagetable_t pt, uint64_t size) {
    if (size > 0)
        uvm_dealloc(pt, 0, size);
    unmap_if_mapped(pt, TRAMPOLINE);
    for (int hart = 0; hart < NCPU; hart++)
        unmap_if_mapped(pt, TRAPFRAME_SLOT(hart));
    free_tree(pt, 2);
}

// Map zeroed pages over [lo, hi) (rounded out to pages) with perm | U.
// All or nothing: on running out of memory, what was mapped is undone.
int uvm_alloc(pagetable_t pt, uint64_t lo, uint64_t hi, int perm) {
    lo = PGROUNDDOWN(lo);
    hi = PGROUNDUP(hi);
    if (hi > USER_TOP || lo > hi)
        return -1;
    for (uint64_t va = lo; va < hi; va += PGSIZE) {
        void *pa = kalloc();
        if (pa == NULL || vm_map(pt, va, (uint64_t)pa, PGSIZE, perm | PTE_U) < 0) {
            if (pa)
                kfree(pa);
            uvm_dealloc(pt, lo, va);
            return -1;
        }
    }
    return 0;
}

// Unmap and free the pages of [lo, hi) (lo, hi page-aligned).
void uvm_dealloc(pagetable_t pt, uint64_t lo, uint64_t hi) {
    if (hi > lo)
        vm_unmap(pt, lo, (hi - lo) / PGSIZE, 1);
}

// fork: give `to` a copy of from's memory [0, size), permissions and all.
int uvm_copy(pagetable_t from, pagetable_t to, uint64_t size) {
    for (uint64_t va = 0; va < size; va += PGSIZE) {
        pte_t *pte = vm_walk(from, va, 0, 0);
        if (pte == NULL || !(*pte & PTE_V))
            panic("uvm_copy: va=0x%lx not mapped", (unsigned long)va);
        void *pa = kalloc();
        if (pa == NULL || vm_map(to, va, (uint64_t)pa, PGSIZE, PTE_FLAGS(*pte) & ~(PTE_V | PTE_A | PTE_D)) < 0) {
            if (pa)
                kfree(pa);
            uvm_dealloc(to, 0, va);
            return -1;
        }
        memcpy(pa, (void *)PTE2PA(*pte), PGSIZE);
    }
    return 0;
}

// Make a page inaccessible to user mode (the stack's guard page).
int uvm_clear_user(pagetable_t pt, uint64_t va) {
    pte_t *pte = vm_walk(pt, va, 0, 0);
    if (pte == NULL || !(*pte & PTE_V))
        return -1;
    *pte &= ~PTE_U;
    return 0;
}

// The kernel address of user va, if the page is mapped for user mode with
// the `need` permission bits; 0 otherwise.
static uint64_t user_pa(pagetable_t pt, uint64_t va, int need) {
    if (va >= MAXVA)
        return 0;
    pte_t *pte = vm_walk(pt, va, 0, 0);
    if (pte == NULL || (*pte & (PTE_V | PTE_U | need)) != (uint64_t)(PTE_V | PTE_U | need))
        return 0;
    return PTE2PA(*pte) + (va & (PGSIZE - 1));
}

static int copy_to_user(pagetable_t pt, uint64_t dstva, const void *src, size_t n, int need) {
    const char *s = src;
    while (n > 0) {
        uint64_t pa = user_pa(pt, dstva, need);
        if (pa == 0)
            return -1;
        size_t chunk = PGSIZE - (dstva & (PGSIZE - 1));
        if (chunk > n)
            chunk = n;
        memcpy((void *)pa, s, chunk);
        n -= chunk;
        s += chunk;
        dstva += chunk;
    }
    return 0;
}

int copyout(pagetable_t pt, uint64_t dstva, const void *src, size_t n) {
    return copy_to_user(pt, dstva, src, n, PTE_W);
}

// exec's loader writes program text into pages the user may not write.
int uvm_load(pagetable_t pt, uint64_t dstva, const void *src, size_t n) {
    return copy_to_user(pt, dstva, src, n, 0);
}

int copyin(pagetable_t pt, void *dst, uint64_t srcva, size_t n) {
    char *d = dst;
    while (n > 0) {
        uint64_t pa = user_pa(pt, srcva, PTE_R);
        if (pa == 0)
            return -1;
        size_t chunk = PGSIZE - (srcva & (PGSIZE - 1));
        if (chunk > n)
            chunk = n;
        memcpy(d, (void *)pa, chunk);
        n -= chunk;
        d += chunk;
        srcva += chunk;
    }
    return 0;
}

// Copy a NUL-terminated string of at most max bytes (NUL included);
// return its length without the NUL, or -1 (bad pointer, or no NUL).
long copyinstr(pagetable_t pt, char *dst, uint64_t srcva, size_t max) {
    size_t len = 0;
    while (len < max) {
        uint64_t pa = user_pa(pt, srcva, PTE_R);
        if (pa == 0)
            return -1;
        size_t chunk = PGSIZE - (srcva & (PGSIZE - 1));
        const char *p = (const char *)pa;
        for (size_t i = 0; i < chunk && len < max; i++, len++) {
            dst[len] = p[i];
            if (p[i] == 0)
                return (long)len;
        }
        srcva += chunk;
    }
    return -1;
}
