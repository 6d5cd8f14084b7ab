// The physical page allocator: a free list of 4 KiB pages over the RAM that
// the kernel image and the Python heap do not use.
//
// Each free page holds the link to the next one, as in xv6's kalloc.c,
// except that pages never handed out yet are not threaded onto the list at
// boot (that loop cost ~300,000 instructions for 128 MiB): they are taken
// in address order from `untouched` once the list is empty.  A
// bitmap with one bit per page records which pages are allocated, so that
// freeing a page twice, or freeing an address that was never handed out, is
// caught at once (a panic naming the address) instead of corrupting the list.
#include <string.h>
#include "memlayout.h"
#include "kalloc.h"
#include "panic.h"
#include "heapwatch.h"
#include "spinlock.h"

struct run { struct run *next; };

// Every hart may allocate and free pages (today only under the interpreter
// lock, but this is C that any hart may call), so the list, the bitmap
// and the counts are under a spinlock.
static struct spinlock kalloc_lock = SPINLOCK_INIT("kalloc");

static struct run *freelist;
static uintptr_t base, limit;       // the managed range [base, limit)
static uintptr_t untouched;         // [untouched, limit) never allocated yet
static size_t nfree, ntotal;
static uint8_t *allocated;          // bitmap: 1 = handed out

#define PAGE_INDEX(pa) (((uintptr_t)(pa) - base) >> PGSHIFT)

static int bit_get(size_t i) { return (allocated[i / 8] >> (i % 8)) & 1; }
static void bit_set(size_t i, int v) {
    if (v)
        allocated[i / 8] |= (uint8_t)(1u << (i % 8));
    else
        allocated[i / 8] &= (uint8_t)~(1u << (i % 8));
}

void kalloc_init(uintptr_t start, uintptr_t stop) {
    // The bitmap itself takes the first pages of the range.
    start = PGROUNDUP(start);
    size_t npages = (stop - start) / PGSIZE;
    size_t bitmap_bytes = PGROUNDUP((npages + 7) / 8);
    allocated = (uint8_t *)start;
    memset(allocated, 0, bitmap_bytes);
    base = start + bitmap_bytes;
    limit = PGROUNDDOWN(stop);

    freelist = NULL;
    untouched = base;
    ntotal = nfree = (limit - base) / PGSIZE;
}

void *kalloc(void) {
    if (fault_should_fail(FAULT_PAGE))   // a test making this call fail
        return NULL;
    spin_lock(&kalloc_lock);
    struct run *r = freelist;
    if (r != NULL) {
        freelist = r->next;
    } else if (untouched < limit) {
        r = (struct run *)untouched;
        untouched += PGSIZE;
    } else {
        spin_unlock(&kalloc_lock);
        return NULL;
    }
    nfree--;
    bit_set(PAGE_INDEX(r), 1);
    spin_unlock(&kalloc_lock);
    memset(r, 0, PGSIZE);
    return r;
}

int kalloc_owned(uintptr_t pa) {
    return pa % PGSIZE == 0 && pa >= base && pa < limit && bit_get(PAGE_INDEX(pa));
}

void kfree(void *pa) {
    spin_lock(&kalloc_lock);
    if (!kalloc_owned((uintptr_t)pa)) {
        spin_unlock(&kalloc_lock);
        panic("kfree: 0x%lx is not an allocated page", (unsigned long)pa);
    }
    bit_set(PAGE_INDEX(pa), 0);
    struct run *r = (struct run *)pa;
    r->next = freelist;
    freelist = r;
    nfree++;
    spin_unlock(&kalloc_lock);
}

size_t kalloc_free_pages(void) { return nfree; }
size_t kalloc_total_pages(void) { return ntotal; }
uintptr_t kalloc_base(void) { return base; }
