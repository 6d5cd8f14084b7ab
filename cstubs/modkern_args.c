// exec's arguments, moved in C: from the old address space into a kernel
// page, and from there onto the new program's stack.  The strings never
// become Python objects, so exec's heap use does not grow with them.
//
// The argument page: bytes 0..8 hold how many bytes the image uses (at the
// page's end), 8..16 argc.  The image is the new stack's top as it will be:
// argc+1 pointers (offsets in the page until args_place), then the strings,
// each NUL-terminated and 16-byte aligned, the first at the top.
#include <string.h>
#include "py/runtime.h"
#include "memlayout.h"
#include "riscv.h"
#include "kalloc.h"
#include "uvm.h"
#include "abi.h"
#include "modkern.h"

#define HEADER 16
#define SCRATCH (HEADER + 8 * (MAXARG + 1))    // where a string lands first

// The string at base+from (len bytes and its NUL) moves up to just below
// *top, 16-byte aligned; its offset, or -1 if it would reach the scratch.
static long place(char *base, long *top, long from, long len) {
    long at = (*top - (len + 1)) & ~15L;
    if (at < SCRATCH)
        return -1;
    memmove(base + at, base + from, len + 1);
    *top = at;
    return at;
}

// The pointers below the strings, and the header; argc, or -1 if no room.
static long finish(char *base, long top, long *offs, long argc) {
    long ptrs = (top - 8 * (argc + 1)) & ~15L;
    if (ptrs < SCRATCH)
        return -1;
    uint64_t *p = (uint64_t *)(base + ptrs);
    for (long i = 0; i < argc; i++)
        p[i] = offs[i];
    p[argc] = 0;
    ((uint64_t *)base)[0] = PGSIZE - ptrs;
    ((uint64_t *)base)[1] = argc;
    return argc;
}

// args_gather(pt, uargv, page) -> argc, or -1: a bad pointer, more than
// MAXARG arguments, or more than the page holds.
static mp_obj_t kern_args_gather(mp_obj_t pt_obj, mp_obj_t uargv_obj, mp_obj_t page_obj) {
    pagetable_t pt = (pagetable_t)page_arg(pt_obj);
    uint64_t uargv = (uint64_t)mp_obj_get_int_truncated(uargv_obj);
    char *base = (char *)page_arg(page_obj);
    long offs[MAXARG], top = PGSIZE, argc = 0;
    for (;;) {
        uint64_t uaddr;
        if (copyin(pt, &uaddr, uargv + 8 * argc, 8) < 0)
            return MP_OBJ_NEW_SMALL_INT(-1);
        if (uaddr == 0)
            break;
        if (argc >= MAXARG || top - SCRATCH <= 0)
            return MP_OBJ_NEW_SMALL_INT(-1);
        long len = copyinstr(pt, base + SCRATCH, uaddr, top - SCRATCH);
        if (len < 0 || (offs[argc] = place(base, &top, SCRATCH, len)) < 0)
            return MP_OBJ_NEW_SMALL_INT(-1);
        argc++;
    }
    return MP_OBJ_NEW_SMALL_INT(finish(base, top, offs, argc));
}
MP_DEFINE_CONST_FUN_OBJ_3(kern_args_gather_obj, kern_args_gather);

// args_build(page, args) -> argc, or -1: the same page from a sequence of
// byte strings the kernel chose (init's argv).
static mp_obj_t kern_args_build(mp_obj_t page_obj, mp_obj_t args_obj) {
    char *base = (char *)page_arg(page_obj);
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(args_obj, &n, &items);
    long offs[MAXARG], top = PGSIZE;
    if (n > MAXARG)
        return MP_OBJ_NEW_SMALL_INT(-1);
    for (size_t i = 0; i < n; i++) {
        mp_buffer_info_t s;
        mp_get_buffer_raise(items[i], &s, MP_BUFFER_READ);
        if ((long)s.len >= top - SCRATCH)
            return MP_OBJ_NEW_SMALL_INT(-1);
        memcpy(base + SCRATCH, s.buf, s.len);
        base[SCRATCH + s.len] = 0;
        if ((offs[i] = place(base, &top, SCRATCH, s.len)) < 0)
            return MP_OBJ_NEW_SMALL_INT(-1);
    }
    return MP_OBJ_NEW_SMALL_INT(finish(base, top, offs, n));
}
MP_DEFINE_CONST_FUN_OBJ_2(kern_args_build_obj, kern_args_build);

// args_place(page, pt, stack_top) -> the new sp (also argv's address), or
// -1: the image goes just below stack_top (page aligned) in pt, its
// pointers made addresses there.
static mp_obj_t kern_args_place(mp_obj_t page_obj, mp_obj_t pt_obj, mp_obj_t top_obj) {
    char *base = (char *)page_arg(page_obj);
    pagetable_t pt = (pagetable_t)page_arg(pt_obj);
    uint64_t stack_top = (uint64_t)mp_obj_get_int_truncated(top_obj);
    uint64_t used = ((uint64_t *)base)[0], argc = ((uint64_t *)base)[1];
    if (used == 0 || used > PGSIZE - SCRATCH || stack_top % PGSIZE != 0 || stack_top < PGSIZE)
        mp_raise_ValueError(MP_ERROR_TEXT("not a gathered argument page"));
    uint64_t *ptrs = (uint64_t *)(base + PGSIZE - used);
    for (uint64_t i = 0; i < argc; i++)
        ptrs[i] += stack_top - PGSIZE;
    if (copyout(pt, stack_top - used, ptrs, used) < 0)
        return MP_OBJ_NEW_SMALL_INT(-1);
    return mp_obj_new_int_from_uint(stack_top - used);
}
MP_DEFINE_CONST_FUN_OBJ_3(kern_args_place_obj, kern_args_place);
