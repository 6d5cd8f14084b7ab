// The 16550 UART at 0x1000_0000: polled output, interrupt-driven input.
//
// Output polls the transmit-holding-register-empty bit: the kernel prints
// with interrupts off, and under QEMU the wait is never long.  Input arrives
// by interrupt; uart_intr() drains the receive FIFO into a ring buffer that
// Python's console layer reads at a safe point (kern.uart_getc).
//
// Hart 0 takes the UART's interrupt even while another hart holds the
// interpreter lock and reads the ring, and any hart may print a panic, so
// the ring and the transmitter are under a spinlock.  A panic prints
// without it (uart_panic): the machine stops anyway, and the hart that
// panicked may be the one holding it.
#include <stdint.h>
#include "memlayout.h"
#include "spinlock.h"
#include "uart.h"

static struct spinlock uart_lock = SPINLOCK_INIT("uart");
static volatile int panicking;

#define REG(r) ((volatile uint8_t *)(UART0 + (r)))
#define RHR 0   // receive holding register
#define THR 0   // transmit holding register
#define IER 1   // interrupt enable
#define FCR 2   // FIFO control
#define LCR 3   // line control
#define LSR 5   // line status
#define LSR_RX_READY (1 << 0)
#define LSR_TX_IDLE (1 << 5)

#define RXBUF_SIZE 512
static uint8_t rxbuf[RXBUF_SIZE];
static unsigned rx_head, rx_tail;   // head: next to read; tail: next to write
static int intr_char = -1;          // the byte that is noted, not queued (-1: none)
static int intr_char_seen;          // it came since the last uart_take_intr_char()

void uart_init(void) {
    *REG(IER) = 0x00;            // interrupts off while we configure
    *REG(LCR) = 0x80;            // set the baud rate divisor (38.4K)
    *REG(0) = 0x03;
    *REG(1) = 0x00;
    *REG(LCR) = 0x03;            // 8 bits, no parity, one stop bit
    *REG(FCR) = 0x07;            // reset and enable the FIFOs
    *REG(IER) = 0x01;            // interrupt when a byte arrives
}

void uart_putc(int c) {
    while ((*REG(LSR) & LSR_TX_IDLE) == 0)
        ;
    *REG(THR) = (uint8_t)c;
}

void uart_write(const char *s, size_t n) {
    if (panicking) {
        for (size_t i = 0; i < n; i++)
            uart_putc(s[i]);
        return;
    }
    spin_lock(&uart_lock);
    for (size_t i = 0; i < n; i++)
        uart_putc(s[i]);
    spin_unlock(&uart_lock);
}

void uart_panic(void) { panicking = 1; }

void uart_intr(void) {
    spin_lock(&uart_lock);
    while (*REG(LSR) & LSR_RX_READY) {
        uint8_t c = *REG(RHR);
        if (c == intr_char)
            intr_char_seen = 1;
        else if (rx_tail - rx_head < RXBUF_SIZE)   // a full buffer drops input
            rxbuf[rx_tail++ % RXBUF_SIZE] = c;
    }
    spin_unlock(&uart_lock);
}

int uart_getc(void) {
    int c = -1;
    spin_lock(&uart_lock);
    if (rx_head != rx_tail)
        c = rxbuf[rx_head++ % RXBUF_SIZE];
    spin_unlock(&uart_lock);
    return c;
}

void uart_set_intr_char(int c) {
    spin_lock(&uart_lock);
    intr_char = c;
    intr_char_seen = 0;
    spin_unlock(&uart_lock);
}

int uart_take_intr_char(void) {
    spin_lock(&uart_lock);
    int seen = intr_char_seen;
    intr_char_seen = 0;
    spin_unlock(&uart_lock);
    return seen;
}
