// kern functions about harts: which one runs this code, how many run.
#include "py/runtime.h"
#include "cpu.h"
#include "modkern.h"

// kern.hart() -> the id of the hart running this Python.
static mp_obj_t kern_hart(void) {
    return MP_OBJ_NEW_SMALL_INT(cpuid());
}
MP_DEFINE_CONST_FUN_OBJ_0(kern_hart_obj, kern_hart);

// kern.nharts() -> how many harts run the kernel.
static mp_obj_t kern_nharts(void) {
    int n = 0;
    for (int i = 0; i < NCPU; i++)
        n += cpus[i].started != 0;
    return MP_OBJ_NEW_SMALL_INT(n);
}
MP_DEFINE_CONST_FUN_OBJ_0(kern_nharts_obj, kern_nharts);
