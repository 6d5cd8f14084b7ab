// Glue the MicroPython core needs from a port: console output, the GC's
// root scan, and the hooks for things a kernel without files cannot do.
#include <string.h>
#include "py/runtime.h"
#include "py/gc.h"
#include "py/lexer.h"
#include "py/builtin.h"
#include "py/mphal.h"
#include "py/mperrno.h"
#include "shared/runtime/gchelper.h"
#include "uart.h"
#include "panic.h"
#include "kthread.h"

mp_uint_t mp_hal_stdout_tx_strn(const char *str, size_t len) {
    uart_write(str, len);
    return len;
}

// Like the C library's cooked output: "\n" becomes "\r\n" on the terminal.
void mp_hal_stdout_tx_strn_cooked(const char *str, size_t len) {
    while (len--) {
        if (*str == '\n')
            uart_putc('\r');
        uart_putc(*str++);
    }
}

void mp_hal_stdout_tx_str(const char *str) {
    mp_hal_stdout_tx_strn(str, strlen(str));
}

// The running thread's registers and stack, then every suspended thread's
// (docs/design.md, decision 3: skipping them frees live frames).
void gc_collect(void) {
    gc_collect_start();
    gc_helper_collect_regs_and_stack();
    kthread_gc_scan_suspended();
    gc_collect_end();
}

// There is no file system for the interpreter: only frozen modules import.
mp_import_stat_t mp_import_stat(const char *path) {
    (void)path;
    return MP_IMPORT_STAT_NO_EXIST;
}

mp_lexer_t *mp_lexer_new_from_file(qstr filename) {
    mp_raise_OSError(MP_ENOENT);
}

void nlr_jump_fail(void *val) {
    panic("nlr_jump_fail: a Python exception was raised with no handler (%lx)",
        (unsigned long)val);
}

void __assert_func(const char *file, int line, const char *func, const char *expr) {
    panic("assertion \"%s\" failed: %s:%d (%s)", expr, file, line, func);
}
