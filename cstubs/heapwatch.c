// The kernel heap, watched: its high-water mark, an emergency reserve, and
// a switch that makes allocations fail on purpose.
//
// The link wraps three of the core's functions (-Wl,--wrap, see the
// Makefile): every allocation the interpreter makes comes through
// __wrap_gc_alloc/__wrap_gc_realloc, and every collection through
// __wrap_gc_collect.
//
// The high-water mark.  Between two collections the heap only grows, so
// its fullest moments are just before each collection: sampling the used
// bytes there (and now, when asked) gives the true peak.
//
// It also counts allocations and their bytes: a hot path that allocates
// nothing shows a count that does not move (kern.heap_allocs()).
//
// The reserve.  Each system call allocates a small, bounded amount (the
// kernel's memory rule), so one block of RESERVE_BYTES held back at boot
// is enough for any call to finish.  When an allocation fails even after a
// collection, the reserve is given up and the allocation retried: the call
// in progress completes, with every lock and log transaction it holds.  On
// the way back to user mode the reserve is taken again; while it cannot be
// (the heap really is full), system calls are refused at the door with -1
// (heapwatch_door_closed), before they hold anything -- except the calls
// that give memory back (exit, wait, close, kill).  This is Biscuit's
// reservation idea, reduced to one block.
//
// Fault injection.  fault_arm(kind, n, thread) makes the nth heap
// allocation (FAULT_HEAP) or page allocation (FAULT_PAGE) of that thread's
// next system call fail, past the reserve: the kernel's error paths run as
// if memory were truly gone.  Tests sweep n over every allocation of every
// call and check that nothing leaks.
#include <string.h>
#include "py/runtime.h"
#include "py/gc.h"
#include "kthread.h"
#include "heapwatch.h"

#define RESERVE_BYTES (64 * 1024)

void *__real_gc_alloc(size_t n_bytes, unsigned int alloc_flags);
void *__real_gc_realloc(void *ptr, size_t n_bytes, bool allow_move);
void __real_gc_collect(void);

MP_REGISTER_ROOT_POINTER(void *heap_reserve);

struct heapwatch heapwatch;

static struct {
    int kind;          // FAULT_HEAP or FAULT_PAGE; 0 = nothing armed
    int thread;        // whose system call
    long countdown;    // allocations left before the one that fails
    int active;        // the armed thread is inside that system call now
    int fired;         // the failure happened
    int held;          // fault_hold(): none may fire now
} fault;

static size_t heap_used(void) {
    gc_info_t info;
    gc_info(&info);
    return info.used;
}

void __wrap_gc_collect(void) {
    size_t used = heap_used();
    if (used > heapwatch.peak)
        heapwatch.peak = used;
    heapwatch.collections++;
    __real_gc_collect();
}

int fault_should_fail(int kind) {
    if (!fault.active || fault.held || fault.kind != kind || kthread_current() != fault.thread)
        return 0;
    if (--fault.countdown > 0)
        return 0;
    fault.active = 0;
    fault.kind = 0;
    fault.fired = 1;
    return 1;
}

// Give up the reserve and try again; NULL if there was none left.
static void *alloc_from_reserve(size_t n_bytes, unsigned int alloc_flags) {
    void *reserve = MP_STATE_VM(heap_reserve);
    if (reserve == NULL || MP_STATE_THREAD(gc_lock_depth) > 0)
        return NULL;
    MP_STATE_VM(heap_reserve) = NULL;
    gc_free(reserve);
    heapwatch.reserve_spent++;
    return __real_gc_alloc(n_bytes, alloc_flags);
}

// Allocation sites, while asked for (kern.heap_sites): the C caller of
// each allocation (mp_obj_new_tuple, a bound method, ...), counted.  A
// debugging aid for finding what allocates on a hot path.
static struct heap_site sites[NSITES];
static int sites_on;

static int last_site = -1;
static size_t last_bytes;

static void count_site(void *caller, size_t n_bytes) {
    for (int i = 0; i < NSITES; i++) {
        if (sites[i].caller == caller || sites[i].caller == NULL) {
            sites[i].caller = caller;
            sites[i].count++;
            sites[i].bytes += n_bytes;
            last_site = i;
            last_bytes = n_bytes;
            return;
        }
    }
    last_site = -1;
}

// The last allocation counted belongs to `caller` (a wrapper's caller).
static void sites_last_set(void *caller) {
    if (last_site < 0)
        return;
    sites[last_site].count--;
    sites[last_site].bytes -= last_bytes;
    count_site(caller, last_bytes);
}

int heapwatch_sites(int on, struct heap_site **out) {
    if (on >= 0) {
        sites_on = on;
        memset(sites, 0, sizeof(sites));
    }
    *out = sites;
    return NSITES;
}

// m_malloc and friends are wrapped too, so that a site is their caller.
void *__real_m_malloc(size_t n_bytes);
void *__real_m_malloc0(size_t n_bytes);
void *__real_m_malloc_maybe(size_t n_bytes);
static void *site_caller;

void *__wrap_m_malloc(size_t n_bytes) {
    site_caller = __builtin_return_address(0);
    return __real_m_malloc(n_bytes);
}

void *__wrap_m_malloc0(size_t n_bytes) {
    site_caller = __builtin_return_address(0);
    return __real_m_malloc0(n_bytes);
}

void *__wrap_m_malloc_maybe(size_t n_bytes) {
    site_caller = __builtin_return_address(0);
    return __real_m_malloc_maybe(n_bytes);
}

void *__real_mp_obj_malloc_helper(size_t num_bytes, const mp_obj_type_t *type);

void *__wrap_mp_obj_malloc_helper(size_t num_bytes, const mp_obj_type_t *type) {
    void *caller = __builtin_return_address(0);
    void *p = __real_mp_obj_malloc_helper(num_bytes, type);
    if (sites_on)               // (m_malloc set site_caller to the helper)
        sites_last_set(caller);
    return p;
}

void *__wrap_gc_alloc(size_t n_bytes, unsigned int alloc_flags) {
    heapwatch.allocs++;
    heapwatch.alloc_bytes += n_bytes;
    void *caller = site_caller;
    site_caller = NULL;
    if (sites_on)
        count_site(caller != NULL ? caller : __builtin_return_address(0), n_bytes);
    if (fault.active && fault_should_fail(FAULT_HEAP))
        return NULL;
    void *p = __real_gc_alloc(n_bytes, alloc_flags);
    if (p == NULL && n_bytes != 0)
        p = alloc_from_reserve(n_bytes, alloc_flags);
    return p;
}

void *__wrap_gc_realloc(void *ptr, size_t n_bytes, bool allow_move) {
    heapwatch.allocs++;
    heapwatch.alloc_bytes += n_bytes;
    if (fault.active && n_bytes > gc_nbytes(ptr) && fault_should_fail(FAULT_HEAP))
        return NULL;
    void *p = __real_gc_realloc(ptr, n_bytes, allow_move);
    if (p == NULL && n_bytes != 0 && allow_move && MP_STATE_VM(heap_reserve) != NULL) {
        void *fresh = alloc_from_reserve(n_bytes, 0);
        if (fresh != NULL) {
            size_t old = gc_nbytes(ptr);
            memcpy(fresh, ptr, old < n_bytes ? old : n_bytes);
            gc_free(ptr);
            p = fresh;
        }
    }
    return p;
}

void heapwatch_init(void) {
    MP_STATE_VM(heap_reserve) = __real_gc_alloc(RESERVE_BYTES, 0);
}

// Called on every trip from kernel to user mode: the armed system call, if
// any, is over; the reserve is taken back if it was spent.
void heapwatch_leave_kernel(void) {
    if (fault.active) {          // the armed call is over, failed or not
        fault.active = 0;
        fault.kind = 0;
    }
    if (MP_STATE_VM(heap_reserve) == NULL)
        MP_STATE_VM(heap_reserve) = __real_gc_alloc(RESERVE_BYTES, 0);
}

// Called when a system call arrives: arm its fault if one waits for it;
// 1 if the heap has no reserve, so the call must be refused.
int heapwatch_enter_syscall(void) {
    if (fault.kind != 0 && fault.thread == kthread_current())
        fault.active = 1;
    if (MP_STATE_VM(heap_reserve) != NULL)
        return 0;
    heapwatch.refused++;
    return 1;
}

void fault_arm(int kind, long n, int thread) {
    fault.kind = n > 0 ? kind : 0;
    fault.countdown = n;
    fault.thread = thread;
    fault.active = 0;
    fault.fired = 0;
}

// Work that must not stop half-way (the log's commit) holds failures off.
int fault_hold(int on) {
    int was = fault.held;
    fault.held = on;
    return was;
}

int fault_fired(void) {
    return fault.fired;
}

void heapwatch_stats(struct heapwatch_stats *s) {
    gc_info_t info;
    gc_info(&info);
    if (info.used > heapwatch.peak)
        heapwatch.peak = info.used;
    s->used = info.used;
    s->free = info.free;
    s->largest_free = info.max_free * MICROPY_BYTES_PER_GC_BLOCK;
    s->peak = heapwatch.peak;
    s->reserve = MP_STATE_VM(heap_reserve) != NULL ? RESERVE_BYTES : 0;
}

// Start a new high-water mark from the live data alone.
size_t heapwatch_reset_peak(void) {
    gc_collect();
    heapwatch.peak = heap_used();
    return heapwatch.peak;
}
