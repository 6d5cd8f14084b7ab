// Inter-processor interrupts: one hart gets another's attention.
//
// QEMU's virt machine with aclint=on (the Makefile asks for it) has an
// ACLINT SSWI device: one 32-bit SETSSIP register per hart, and writing 1
// to hart h's raises a supervisor software interrupt on hart h.  That is
// all an IPI carries: the message itself waits in the receiving hart's
// mailbox, a Python list (kernel/thread/kthread.py), and the interrupt
// only makes the hart look (trap.c turns it into EV_IPI).  IPIs that are
// not mail (the interpreter lock's hand-over, kicks, shootdowns) only make
// the hart trap, so it does not read an empty mailbox for each.  Without the
// ACLINT, S-mode would need an M-mode handler to forward the CLINT's
// machine software interrupt; with -bios none we have no M-mode code
// after boot, so the ACLINT it is.
#include <stdint.h>
#include "memlayout.h"
#include "cpu.h"
#include "trap.h"
#include "ipi.h"

// An interrupt alone (a hand-over of the interpreter lock, a shootdown, a
// kick to make a hart leave user mode): the hart traps, and nothing more.
void ipi_send(int hart) {
    volatile uint32_t *setssip = (volatile uint32_t *)(ACLINT_SSWI + 4 * (uintptr_t)hart);
    __atomic_thread_fence(__ATOMIC_RELEASE);   // the message is written before the interrupt
    *setssip = 1;
}

// Mail: the hart's next software interrupt becomes EV_IPI for Python.
void ipi_mail(int hart) {
    __atomic_store_n(&cpus[hart].mail, 1, __ATOMIC_SEQ_CST);
    ipi_send(hart);
}

// The hart's software interrupt was seen (trapped, or ended its wait for
// the interpreter lock): if it carried mail, Python must look (EV_IPI).
void ipi_take_mail(struct cpu *c) {
    if (__atomic_exchange_n(&c->mail, 0, __ATOMIC_SEQ_CST))
        c->events |= EV_IPI;
}
