// The kernel heap's high-water mark, emergency reserve and fault injection.
#pragma once
#include <stddef.h>

#define FAULT_HEAP 1    // a Python heap allocation (MemoryError)
#define FAULT_PAGE 2    // a physical page (kalloc returns NULL)

struct heapwatch {
    size_t peak;            // most bytes in use at once (see heapwatch.c)
    size_t collections;     // garbage collections since boot
    size_t reserve_spent;   // times the reserve let a call finish
    size_t refused;         // system calls refused while it was gone
    size_t allocs;          // allocations since boot (gc_alloc and growing reallocs)
    size_t alloc_bytes;     // their bytes
};
extern struct heapwatch heapwatch;

struct heapwatch_stats {
    size_t used, free, largest_free, peak, reserve;
};

void heapwatch_init(void);
void heapwatch_leave_kernel(void);
int heapwatch_enter_syscall(void);
void heapwatch_stats(struct heapwatch_stats *s);
size_t heapwatch_reset_peak(void);

void fault_arm(int kind, long n, int thread);
int fault_should_fail(int kind);
int fault_fired(void);
int fault_hold(int on);

#define NSITES 64
struct heap_site {
    void *caller;
    size_t count, bytes;
};
int heapwatch_sites(int on, struct heap_site **out);
