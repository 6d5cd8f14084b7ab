// Kernel printing, power-off and panics.
#pragma once
#include <stdint.h>
#include "py/mpprint.h"

extern const mp_print_t uart_print;
#define kprintf(...) mp_printf(&uart_print, __VA_ARGS__)

__attribute__((noreturn)) void poweroff(int status);
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
__attribute__((noreturn)) void panic_python(void *exc);   // exc: an mp_obj_t
