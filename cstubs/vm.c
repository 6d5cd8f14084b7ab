// Sv39 page-table primitives and the kernel's own address space.
//
// The kernel runs with paging on so that every kernel thread's stack can
// sit below an unmapped guard page (see kthread.c): a kernel stack overflow
// is then a page fault with a clear message.  RAM and devices are mapped at
// their physical addresses; the kernel's text is read-only and executable,
// everything else read-write and not executable.  RAM beyond the first
// 2 MiB region that holds the image is mapped with 2 MiB megapages, which
// keeps the boot cost of building the map to a few hundred PTEs.
#include <string.h>
#include "memlayout.h"
#include "riscv.h"
#include "kalloc.h"
#include "panic.h"
#include "vm.h"

pagetable_t kernel_pagetable;
extern char etext[], trampoline[];

#define PX(level, va) ((((uint64_t)(va)) >> (PGSHIFT + 9 * (level))) & 0x1FF)

// The PTE for va at the given level (0 = 4 KiB leaf, 1 = 2 MiB leaf),
// creating intermediate tables when alloc is set.  NULL if va is out of the
// Sv39 range, or a table is missing and could not (or may not) be made.
pte_t *vm_walk(pagetable_t pt, uint64_t va, int alloc, int level) {
    if (va >= MAXVA)
        return NULL;
    for (int l = 2; l > level; l--) {
        pte_t *pte = &pt[PX(l, va)];
        if (*pte & PTE_V) {
            if (*pte & (PTE_R | PTE_W | PTE_X))
                return NULL;   // a bigger leaf is in the way
            pt = (pagetable_t)PTE2PA(*pte);
        } else {
            if (!alloc || (pt = kalloc()) == NULL)
                return NULL;
            *pte = PA2PTE(pt) | PTE_V;
        }
    }
    return &pt[PX(level, va)];
}

static int map_range(pagetable_t pt, uint64_t va, uint64_t pa, uint64_t size, int perm, int level) {
    uint64_t step = PGSIZE << (9 * level);
    if (size == 0 || va % step || pa % step || size % step)
        panic("vm: misaligned mapping va=0x%lx pa=0x%lx size=0x%lx", (unsigned long)va, (unsigned long)pa, (unsigned long)size);
    for (uint64_t off = 0; off < size; off += step) {
        pte_t *pte = vm_walk(pt, va + off, 1, level);
        if (pte == NULL)
            return -1;
        if (*pte & PTE_V)
            panic("vm: remap of va=0x%lx", (unsigned long)(va + off));
        *pte = PA2PTE(pa + off) | perm | PTE_V | PTE_A | PTE_D;
    }
    return 0;
}

int vm_map(pagetable_t pt, uint64_t va, uint64_t pa, uint64_t size, int perm) {
    return map_range(pt, va, pa, size, perm, 0);
}

int vm_map_megapages(pagetable_t pt, uint64_t va, uint64_t pa, uint64_t size, int perm) {
    return map_range(pt, va, pa, size, perm, 1);
}

// Remove npages 4 KiB mappings starting at va; free the pages if asked.
void vm_unmap(pagetable_t pt, uint64_t va, uint64_t npages, int free_pages) {
    for (uint64_t i = 0; i < npages; i++, va += PGSIZE) {
        pte_t *pte = vm_walk(pt, va, 0, 0);
        if (pte == NULL || !(*pte & PTE_V))
            panic("vm_unmap: va=0x%lx not mapped", (unsigned long)va);
        if (free_pages)
            kfree((void *)PTE2PA(*pte));
        *pte = 0;
    }
}

uint64_t vm_translate(pagetable_t pt, uint64_t va) {
    for (int level = 0; level < 3; level++) {
        pte_t *pte = vm_walk(pt, va, 0, level);
        if (pte && (*pte & PTE_V) && (*pte & (PTE_R | PTE_W | PTE_X)))
            return PTE2PA(*pte) + (va & ((PGSIZE << (9 * level)) - 1));
    }
    return 0;
}

void kvm_init(uint64_t ram_end) {
    kernel_pagetable = kalloc();
    pagetable_t kpt = kernel_pagetable;
    int ok = 0;
    ok |= vm_map(kpt, TEST_DEVICE, TEST_DEVICE, PGSIZE, PTE_R | PTE_W);
    ok |= vm_map_megapages(kpt, PLIC, PLIC, PLIC_SIZE, PTE_R | PTE_W);
    ok |= vm_map(kpt, UART0, UART0, PGSIZE, PTE_R | PTE_W);
    ok |= vm_map(kpt, ACLINT_SSWI, ACLINT_SSWI, PGSIZE, PTE_R | PTE_W);
    ok |= vm_map(kpt, VIRTIO0, VIRTIO0, VIRTIO_COUNT * PGSIZE, PTE_R | PTE_W);
    ok |= vm_map(kpt, TRAMPOLINE, (uint64_t)trampoline, PGSIZE, PTE_R | PTE_X);

    uint64_t text_end = (uint64_t)etext;
    uint64_t small_end = (text_end + MEGAPAGE - 1) & ~(MEGAPAGE - 1);
    if (small_end > ram_end)
        small_end = ram_end;
    ok |= vm_map(kpt, KERNBASE, KERNBASE, text_end - KERNBASE, PTE_R | PTE_X);
    ok |= vm_map(kpt, text_end, text_end, small_end - text_end, PTE_R | PTE_W);
    uint64_t mega_end = ram_end & ~(MEGAPAGE - 1);
    if (mega_end > small_end)
        ok |= vm_map_megapages(kpt, small_end, small_end, mega_end - small_end, PTE_R | PTE_W);
    else
        mega_end = small_end;
    if (ram_end > mega_end)   // a RAM size that is not a multiple of 2 MiB
        ok |= vm_map(kpt, mega_end, mega_end, PGROUNDDOWN(ram_end) - mega_end, PTE_R | PTE_W);
    // The page-table pages under the kernel-stack region are made now, once
    // (a dozen pages), so that starting a thread never allocates one that
    // stays after the thread is gone: free pages return to where they were.
    for (uint64_t va = KSTACK_REGION_BOTTOM; va < KSTACK_REGION_TOP; va += MEGAPAGE)
        ok |= vm_walk(kpt, va, 1, 0) == NULL;
    ok |= vm_walk(kpt, KSTACK_REGION_TOP - 1, 1, 0) == NULL;
    if (ok)
        panic("kvm_init: out of memory");
}

void kvm_hart_on(void) {
    sfence_vma();
    csr_write(satp, MAKE_SATP(kernel_pagetable));
    sfence_vma();
}
