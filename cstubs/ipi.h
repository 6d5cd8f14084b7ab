// Inter-processor interrupts (ipi.c).
#pragma once

struct cpu;

void ipi_send(int hart);              // an interrupt, nothing for Python
void ipi_mail(int hart);              // an interrupt that is EV_IPI: the hart has mail
void ipi_take_mail(struct cpu *c);    // c's interrupt was seen: EV_IPI if it carried mail
