// Inter-processor interrupts (ipi.c).
#pragma once

void ipi_send(int hart);
