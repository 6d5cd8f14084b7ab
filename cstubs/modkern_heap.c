// The `kern` functions for kernel memory: the heap's figures, fault
// injection, and views of physical pages.  (modkern.c lists them.)
#include "py/runtime.h"
#include "py/objarray.h"
#include "memlayout.h"
#include "kalloc.h"
#include "kthread.h"
#include "heapwatch.h"
#include "modkern.h"

// heap_info() -> (used, free, largest_free, peak, reserve, collections,
// reserve_spent, refused): bytes, then counts since boot (heapwatch.c).
static mp_obj_t kern_heap_info(void) {
    struct heapwatch_stats s;
    heapwatch_stats(&s);
    mp_obj_t items[8] = {
        MP_OBJ_NEW_SMALL_INT(s.used), MP_OBJ_NEW_SMALL_INT(s.free),
        MP_OBJ_NEW_SMALL_INT(s.largest_free), MP_OBJ_NEW_SMALL_INT(s.peak),
        MP_OBJ_NEW_SMALL_INT(s.reserve), MP_OBJ_NEW_SMALL_INT(heapwatch.collections),
        MP_OBJ_NEW_SMALL_INT(heapwatch.reserve_spent), MP_OBJ_NEW_SMALL_INT(heapwatch.refused),
    };
    return mp_obj_new_tuple(8, items);
}
MP_DEFINE_CONST_FUN_OBJ_0(kern_heap_info_obj, kern_heap_info);

// heap_allocs(bytes=False) -> allocations since boot, or their bytes: a
// small int, so reading it allocates nothing.
static mp_obj_t kern_heap_allocs(size_t n_args, const mp_obj_t *args) {
    if (n_args > 0 && mp_obj_is_true(args[0]))
        return MP_OBJ_NEW_SMALL_INT(heapwatch.alloc_bytes);
    return MP_OBJ_NEW_SMALL_INT(heapwatch.allocs);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kern_heap_allocs_obj, 0, 1, kern_heap_allocs);

// heap_sites(on) starts (1) or stops (0) counting allocation sites, afresh;
// heap_sites(-1) -> [(caller address, count, bytes), ...] so far.
static mp_obj_t kern_heap_sites(mp_obj_t on_obj) {
    struct heap_site *sites;
    int on = mp_obj_get_int(on_obj);
    int n = heapwatch_sites(on, &sites);
    if (on >= 0)
        return mp_const_none;
    mp_obj_t list = mp_obj_new_list(0, NULL);
    for (int i = 0; i < n && sites[i].caller != NULL; i++) {
        mp_obj_t items[3] = {
            mp_obj_new_int_from_uint((uintptr_t)sites[i].caller),
            MP_OBJ_NEW_SMALL_INT(sites[i].count), MP_OBJ_NEW_SMALL_INT(sites[i].bytes),
        };
        mp_obj_list_append(list, mp_obj_new_tuple(3, items));
    }
    return list;
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_heap_sites_obj, kern_heap_sites);

// heap_reset_peak() -> bytes in use after a collection, the new peak.
static mp_obj_t kern_heap_reset_peak(void) {
    return MP_OBJ_NEW_SMALL_INT(heapwatch_reset_peak());
}
MP_DEFINE_CONST_FUN_OBJ_0(kern_heap_reset_peak_obj, kern_heap_reset_peak);

// fail_arm(kind, n, thread): the nth allocation of `kind` (FAULT_HEAP or
// FAULT_PAGE) in that thread's next system call fails; n = 0 disarms.
static mp_obj_t kern_fail_arm(mp_obj_t kind_obj, mp_obj_t n_obj, mp_obj_t thread_obj) {
    mp_int_t kind = mp_obj_get_int(kind_obj), n = mp_obj_get_int(n_obj);
    if ((kind != FAULT_HEAP && kind != FAULT_PAGE) || n < 0)
        mp_raise_ValueError(MP_ERROR_TEXT("kind FAULT_HEAP or FAULT_PAGE, n >= 0"));
    fault_arm((int)kind, n, (int)mp_obj_get_int(thread_obj));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_3(kern_fail_arm_obj, kern_fail_arm);

// fail_fired() -> True if the last armed failure happened.
static mp_obj_t kern_fail_fired(void) {
    return mp_obj_new_bool(fault_fired());
}
MP_DEFINE_CONST_FUN_OBJ_0(kern_fail_fired_obj, kern_fail_fired);

// fail_hold(on) -> whether failures were held off before; while held,
// none fires (code that must not stop half-way).
static mp_obj_t kern_fail_hold(mp_obj_t on) {
    return mp_obj_new_bool(fault_hold(mp_obj_is_true(on)));
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_fail_hold_obj, kern_fail_hold);

// page_view(pa, offset, length) -> a writable memoryview of part of an
// allocated page: how the buffer cache sees its blocks, with no copy.
static mp_obj_t kern_page_view(mp_obj_t pa_obj, mp_obj_t off_obj, mp_obj_t len_obj) {
    uintptr_t pa = (uintptr_t)mp_obj_get_int_truncated(pa_obj);
    mp_int_t off = mp_obj_get_int(off_obj), len = mp_obj_get_int(len_obj);
    if (!kalloc_owned(pa))
        mp_raise_ValueError(MP_ERROR_TEXT("not an allocated page"));
    if (off < 0 || len <= 0 || off + len > (mp_int_t)PGSIZE)
        mp_raise_ValueError(MP_ERROR_TEXT("range outside the page"));
    return mp_obj_new_memoryview('B' | MP_OBJ_ARRAY_TYPECODE_FLAG_RW, len, (void *)(pa + off));
}
MP_DEFINE_CONST_FUN_OBJ_3(kern_page_view_obj, kern_page_view);
