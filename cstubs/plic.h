// The platform-level interrupt controller (PLIC).
#pragma once
void plic_init(void);
void plic_enable(int irq);
int plic_claim(void);
void plic_complete(int irq);
