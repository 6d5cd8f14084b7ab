// Sv39 page tables: the primitives; the layout is decided by their callers.
#pragma once
#include <stdint.h>

typedef uint64_t pte_t;
typedef uint64_t *pagetable_t;   // 512 PTEs in one page

#define PTE_V (1L << 0)
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4)
#define PTE_G (1L << 5)
#define PTE_A (1L << 6)
#define PTE_D (1L << 7)

#define PA2PTE(pa) ((((uint64_t)(pa)) >> 12) << 10)
#define PTE2PA(pte) (((pte) >> 10) << 12)
#define PTE_FLAGS(pte) ((pte) & 0x3FF)
#define SATP_SV39 (8L << 60)
#define MAKE_SATP(pt) (SATP_SV39 | (((uint64_t)(pt)) >> 12))

extern pagetable_t kernel_pagetable;

pte_t *vm_walk(pagetable_t pt, uint64_t va, int alloc, int level);
int vm_map(pagetable_t pt, uint64_t va, uint64_t pa, uint64_t size, int perm);
int vm_map_megapages(pagetable_t pt, uint64_t va, uint64_t pa, uint64_t size, int perm);
void vm_unmap(pagetable_t pt, uint64_t va, uint64_t npages, int free_pages);
uint64_t vm_translate(pagetable_t pt, uint64_t va);   // 0 if unmapped
void kvm_init(uint64_t ram_end);
void kvm_hart_on(void);
