// The PLIC: route the UART and virtio disk interrupts to hart 0's S-mode.
#include <stdint.h>
#include "memlayout.h"
#include "plic.h"

#define PRIORITY(irq) ((volatile uint32_t *)(PLIC + 4 * (irq)))
#define SENABLE(hart) ((volatile uint32_t *)(PLIC + 0x2080 + (hart) * 0x100))
#define SPRIORITY(hart) ((volatile uint32_t *)(PLIC + 0x201000 + (hart) * 0x2000))
#define SCLAIM(hart) ((volatile uint32_t *)(PLIC + 0x201004 + (hart) * 0x2000))

void plic_enable(int irq) {
    *PRIORITY(irq) = 1;
    SENABLE(0)[irq / 32] |= 1u << (irq % 32);
}

void plic_init(void) {
    plic_enable(UART0_IRQ);
    plic_enable(VIRTIO0_IRQ);
    *SPRIORITY(0) = 0;   // accept every priority above 0
}

int plic_claim(void) { return (int)*SCLAIM(0); }
void plic_complete(int irq) { *SCLAIM(0) = (uint32_t)irq; }
