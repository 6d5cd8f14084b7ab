// The physical page allocator: 4 KiB pages from a free list.
#pragma once
#include <stdint.h>
#include <stddef.h>

void kalloc_init(uintptr_t start, uintptr_t stop);
void *kalloc(void);              // one zeroed page, or NULL when memory is gone
void kfree(void *pa);            // panics on a page that is not allocated
int kalloc_owned(uintptr_t pa);  // 1 if pa is the start of an allocated page
size_t kalloc_free_pages(void);
size_t kalloc_total_pages(void);
uintptr_t kalloc_base(void);
