// Inter-processor interrupts (ipi.c).
#pragma once

void ipi_send(int hart);      // an interrupt, nothing for Python
void ipi_mail(int hart);      // an interrupt that is EV_IPI: the hart has mail
