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

// ---- The VM's periodic check: Ctrl-C at the monitor, and soft lockups ----
//
// Kernel Python runs with interrupts off, so a loop in it that never
// returns to user mode or idle would freeze the machine: no interrupt gets
// in, not even the keyboard's.  MICROPY_VM_HOOK_LOOP (mpconfigport.h)
// counts the VM's backward branches and calls vm_poll() every
// VM_POLL_BRANCHES of them.  It looks at two things:
//
//   - the thread that armed Ctrl-C (the monitor, with micropython.kbd_intr,
//     while it runs an expression): the UART's FIFO is drained here, and a
//     Ctrl-C in it becomes a KeyboardInterrupt in that thread.  That
//     thread may run as long as it likes: Ctrl-C is its way out.
//   - any other thread: the time it has run Python without a break.  A
//     break is user mode or the idle loop (trap.c calls vm_poll_rest()) or
//     another thread running.  Past LOCKUP_TICKS the thread gets a
//     SoftLockup exception, a BaseException that no `except Exception`
//     catches: it reaches the top of the thread, which panics with the
//     traceback of where the loop is.
//
// Time is read with rdtime at each poll, and a gap between two polls counts
// at most POLL_GAP_MAX: what happened between them (a long C call, the host
// not running QEMU at all) is not a Python loop's doing.
#include "riscv.h"
#include "machine.h"
#include "shared/runtime/interrupt_char.h"

#define LOCKUP_TICKS TIMEBASE_HZ           // one second
#define POLL_GAP_MAX (TIMEBASE_HZ / 100)   // 10 ms

MP_DEFINE_EXCEPTION(SoftLockup, BaseException)

int vm_poll_countdown = VM_POLL_BRANCHES;
static int armed_thread = -1;   // the thread Ctrl-C interrupts, or -1
static int busy_thread = -1;    // the thread that ran at the last poll, or -1 after a break
static uint64_t last_poll;      // rdtime then
static uint64_t busy_ticks;     // how long busy_thread has run Python without a break

// micropython.kbd_intr(c): c >= 0 arms Ctrl-C (byte c) for the calling
// thread; -1 disarms it.
void mp_hal_set_interrupt_char(int c) {
    armed_thread = c >= 0 ? kthread_current() : -1;
    uart_set_intr_char(c);
}

void vm_poll_rest(void) {
    busy_thread = -1;
}

void vm_poll(void) {
    vm_poll_countdown = VM_POLL_BRANCHES;
    int self = kthread_current();
    uint64_t now = rdtime();
    if (self == armed_thread) {
        busy_thread = -1;
        uart_intr();              // the FIFO into the ring; Ctrl-C noted, not queued
        if (uart_take_intr_char())
            mp_sched_keyboard_interrupt();   // raised as soon as this returns
        return;
    }
    if (self != busy_thread) {
        busy_thread = self;
        busy_ticks = 0;
    } else {
        uint64_t gap = now - last_poll;
        busy_ticks += gap < POLL_GAP_MAX ? gap : POLL_GAP_MAX;
    }
    last_poll = now;
    if (busy_ticks > LOCKUP_TICKS) {
        busy_thread = -1;
        mp_raise_msg(&mp_type_SoftLockup, MP_ERROR_TEXT(
            "kernel Python ran for a second without going to user mode or idle"));
    }
}
