// The 16550 UART: polled output, interrupt-driven input into a ring buffer.
#pragma once
#include <stddef.h>

void uart_init(void);
void uart_putc(int c);
void uart_write(const char *s, size_t n);
void uart_intr(void);      // called from the trap handler on UART0_IRQ
int uart_getc(void);       // next received byte, or -1 if none is buffered
void uart_set_intr_char(int c);   // c (or -1: none) is taken out of the input...
int uart_take_intr_char(void);    // ...and this says (once) that it came
void uart_panic(void);      // from now on print without the lock: a panic
