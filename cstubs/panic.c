// Power-off through the SiFive test device, and the kernel's panic paths.
//
// A panic must never be a silent hang: it prints what it knows, then stops
// the machine with a non-zero status so that `make qemu` and the tests see
// it.  Python exceptions print their traceback (file and line) through
// MicroPython's own printer; kthread.c adds the running thread and, for a
// process's thread, its pid, program name and trapframe.
#include <stdarg.h>
#include "py/runtime.h"
#include "py/objexcept.h"
#include "memlayout.h"
#include "riscv.h"
#include "uart.h"
#include "trap.h"
#include "kthread.h"
#include "panic.h"

static void uart_print_strn(void *env, const char *s, size_t n) {
    (void)env;
    uart_write(s, n);
}
const mp_print_t uart_print = {NULL, uart_print_strn};

// QEMU's sifive_test device: 0x5555 powers off with status 0; 0x3333 with
// the status in the upper 16 bits makes QEMU exit with that status.
void poweroff(int status) {
    volatile uint32_t *finisher = (volatile uint32_t *)TEST_DEVICE;
    if (status == 0)
        *finisher = 0x5555;
    else
        *finisher = ((uint32_t)(status & 0xffff) << 16) | 0x3333;
    for (;;)
        wfi();
}

static __attribute__((noreturn)) void panic_context(void) {
    kthread_print_current();
    kprintf("pyrite: machine halted (power off, status 1)\n");
    poweroff(1);
}

void panic(const char *fmt, ...) {
    intr_off();
    uart_panic();
    va_list ap;
    va_start(ap, fmt);
    kprintf("\npanic: ");
    mp_vprintf(&uart_print, fmt, ap);
    kprintf("\n");
    va_end(ap);
    panic_context();
}

void panic_python(void *exc) {
    intr_off();
    uart_panic();
    kprintf("\npanic: uncaught Python exception in the kernel\n");
    // Printing the traceback runs Python's printer, which may itself raise
    // (a corrupted object, no memory): then say what little is certain.
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_print_exception(&uart_print, MP_OBJ_FROM_PTR(exc));
        nlr_pop();
    } else {
        kprintf("(the traceback could not be printed: %s while printing a %s",
            mp_obj_get_type_str(MP_OBJ_FROM_PTR(nlr.ret_val)), mp_obj_get_type_str(MP_OBJ_FROM_PTR(exc)));
        mp_obj_exception_t *e = MP_OBJ_TO_PTR(exc);
        if (e->args != NULL && e->args->len > 0 && mp_obj_is_str(e->args->items[0]))
            kprintf(": %s", mp_obj_str_get_str(e->args->items[0]));
        kprintf(")\n");
        char here;
        kprintf("stack_top=%p limit=%lu sp=%p\n", MP_STATE_THREAD(stack_top),
            (unsigned long)MP_STATE_THREAD(stack_limit), &here);
    }
    panic_context();
}
