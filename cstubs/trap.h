// Kernel-mode traps: interrupts become event bits for Python; faults panic.
#pragma once
#include <stdint.h>

// The registers saved by kernelvec.S; x[i] is register xi (x[0] unused).
struct kregs { uint64_t x[32]; };

// Events that interrupts leave for Python to handle at a safe point.
#define EV_TIMER (1u << 0)
#define EV_UART (1u << 1)
#define EV_DEVICE (1u << 2)
#define EV_DISK (1u << 3)
#define EV_IPI (1u << 4)     // another hart sent this one a message

void trap_init(void);
void kerneltrap(struct kregs *regs);
void trap_interrupt(uint64_t scause);
uint32_t trap_idle(void);         // wait for an interrupt; return and clear events
extern uint64_t idle_backstop;    // idle's timer deadline when none is set (0: none; make bench)
uint32_t trap_take_events(void);   // return and clear events without waiting
const char *trap_cause_name(uint64_t scause);
extern const char *const reg_names[32];   // ABI names: ra, sp, gp, ...
