// Kernel-mode traps: interrupts become event bits for Python; faults panic.
//
// The interpreter is not reentrant, so an interrupt never calls Python.  It
// does the least the device needs (claim it, drain the UART FIFO, silence
// the timer) and records an event bit; Python collects the bits at a safe
// point (kern.idle, kern.events) and decides what they mean.  Any exception
// taken in S-mode is a kernel bug: it is reported with the registers and
// the machine is powered off.
#include "py/mpconfig.h"
#include "memlayout.h"
#include "riscv.h"
#include "uart.h"
#include "plic.h"
#include "virtio_blk.h"
#include "kthread.h"
#include "panic.h"
#include "trap.h"
#include "trapframe.h"
#include "cpu.h"
#include "pylock.h"
#include "ipi.h"

extern char kernelvec[];
extern char trap_stacks[];     // kernelvec.S: TRAP_STACK_SIZE for each hart

// Each hart calls this once: its own stvec and its own trap stack.
void trap_init(void) {
    struct cpu *c = mycpu();
    c->trap_sp = (uint64_t)trap_stacks + (uint64_t)(c->id + 1) * TRAP_STACK_SIZE;
    for (int s = 0; s < TIMER_SLOTS; s++)
        c->deadline[s] = 1ULL << 60;   // NEVER (kernel/sched/base.py)
    csr_write(stvec, (uint64_t)kernelvec);
}

static const char *const exception_names[] = {
    "instruction address misaligned", "instruction access fault", "illegal instruction",
    "breakpoint", "load address misaligned", "load access fault",
    "store address misaligned", "store access fault", "ecall from U-mode",
    "ecall from S-mode", "reserved", "ecall from M-mode",
    "instruction page fault", "load page fault", "reserved", "store page fault",
};

const char *trap_cause_name(uint64_t scause) {
    if (scause & SCAUSE_INTERRUPT) {
        switch (scause & 0xff) {
            case IRQ_S_SOFT: return "supervisor software interrupt";
            case IRQ_S_TIMER: return "supervisor timer interrupt";
            case IRQ_S_EXT: return "supervisor external interrupt";
            default: return "unknown interrupt";
        }
    }
    if (scause < sizeof exception_names / sizeof exception_names[0])
        return exception_names[scause];
    return "unknown exception";
}

// Devices interrupt hart 0 only (plic.c), so their event bits appear in
// hart 0's word; a hart's event word is written by its own interrupts
// alone, with interrupts off, and needs no lock.
static void device_interrupt(struct cpu *c) {
    int irq = plic_claim();
    if (irq == UART0_IRQ) {
        uart_intr();
        c->events |= EV_UART;
    } else if (irq == VIRTIO0_IRQ) {
        virtio_blk_intr();
        c->events |= EV_DISK;
    } else if (irq) {
        c->events |= EV_DEVICE;
    }
    if (irq)
        plic_complete(irq);
}

const char *const reg_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
    "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
    "t3", "t4", "t5", "t6",
};

static __attribute__((noreturn)) void kernel_fault(struct kregs *regs, uint64_t scause,
    uint64_t sepc, uint64_t stval) {
    uart_panic();
    kprintf("\npanic: kernel fault: %s (hart %d)\n", trap_cause_name(scause), cpuid());
    kprintf("scause=0x%lx sepc=0x%lx stval=0x%lx\n",
        (unsigned long)scause, (unsigned long)sepc, (unsigned long)stval);
    const char *why = kthread_guard_page_owner(stval);
    if (why)
        kprintf("%s\n", why);
    for (int i = 1; i < 32; i++)
        kprintf("%4s=0x%016lx%s", reg_names[i], (unsigned long)regs->x[i], i % 4 == 3 ? "\n" : "  ");
    kprintf("\n");
    // The host has the symbols: tools/symbolize.py turns these addresses
    // into function, file and line (the tests and `make qemu` logs use it).
    kprintf("symbolize: pc=0x%lx ra=0x%lx\n", (unsigned long)sepc, (unsigned long)regs->x[1]);
    kthread_print_current();
    kprintf("pyrite: machine halted (power off, status 1)\n");
    poweroff(1);
}

// The C half of any interrupt, from user or kernel mode.
void trap_interrupt(uint64_t scause) {
    struct cpu *c = mycpu();
    switch (scause & 0xff) {
        case IRQ_S_TIMER:
            stimecmp_write(~0UL);   // quiet until Python sets the next deadline
            c->events |= EV_TIMER;
            break;
        case IRQ_S_EXT:
            device_interrupt(c);
            break;
        case IRQ_S_SOFT:            // another hart wants our attention (ipi.c)
            csr_clear(sip, SIE_SSIE);
            ipi_take_mail(c);
            c->ipis++;
            break;
    }
}

void kerneltrap(struct kregs *regs) {
    uint64_t scause = csr_read(scause);
    uint64_t sepc = csr_read(sepc);
    uint64_t stval = csr_read(stval);

    if (!(scause & SCAUSE_INTERRUPT))
        kernel_fault(regs, scause, sepc, stval);
    trap_interrupt(scause);
    // sret returns with sstatus as the trap left it (SPP = S, SPIE = the
    // interrupted SIE), so nothing to restore here.
}

// A safe point: let any pending interrupt be taken now (sstatus.SIE is
// otherwise off while Python runs), then hand over what they recorded.
// A trap from user mode, after user_trap_entry (trampoline.S) restored the
// kernel's registers: this returns straight to kern.run_user's caller,
// telling Python what happened (trapframe.h): a system call number, or
// TRAP_INTERRUPT, or TRAP_FAULT.
long user_trap(struct trapframe *tf) {
    uint64_t scause = csr_read(scause);
    if (pylock_solo)
        vm_poll_rest();                // the soft-lockup clock starts again (with several
                                       // harts the lock's release does it: pylock.c)
    tf->epc = csr_read(sepc);
    tf->scause = scause;
    tf->stval = csr_read(stval);
    if (scause == 8) {                 // ecall from U-mode
        tf->epc += 4;                  // return past the ecall
        uint64_t n = tf->regs[REG_A7];
        return n < SYSCALL_MAX ? (long)n : SYSCALL_MAX;
    }
    if (scause & SCAUSE_INTERRUPT) {
        trap_interrupt(scause);
        return TRAP_INTERRUPT;
    }
    return TRAP_FAULT;
}

uint32_t trap_take_events(void) {
    intr_on();
    intr_off();
    struct cpu *c = mycpu();
    uint32_t e = c->events;
    c->events = 0;
    return e;
}

// QEMU under -icount with sleep=off (make bench) notices a device's
// interrupt (the disk's, the UART's) only at a timer deadline while the
// hart waits in wfi; with no deadline at all it would wait for ever.  So
// the bench boots with `idlewake=US` (kern.set_idle_backstop): idle then
// sets a deadline that far ahead whenever no timer is set, and clears it
// again if something else woke the hart.  Otherwise (0, the default) an
// idle machine with nothing to wake takes no timer interrupts at all.
uint64_t idle_backstop;

// An idle hart gives up the interpreter lock while it waits (pylock.h),
// and takes it back before Python sees what woke it.  The `time` it
// spends in wfi is counted (struct cpu's idle_ticks, kern.idle_time()):
// under -icount with sleep=off the clock jumps ahead while idle, so
// benchmarks subtract it.
uint32_t trap_idle(void) {
    struct cpu *c = mycpu();
    vm_poll_rest();                    // idle: the soft-lockup clock starts again
    // wfi wakes for an interrupt that is enabled in sie even while
    // sstatus.SIE is off, so there is no window in which a wakeup is lost
    // between deciding to sleep and sleeping.  A wakeup by the backstop
    // alone is no news: wait again here, without a trip through Python,
    // so that the bench's figures count the machine's work, not how often
    // the backstop fired while the host was slow to finish a disk request.
    uint64_t start = rdtime();
    pylock_release();
    while (c->events == 0) {
        uint64_t backstop = 0;
        if (idle_backstop && stimecmp_read() == ~0UL) {
            backstop = rdtime() + idle_backstop;
            stimecmp_write(backstop);
        }
        wfi();
        if (backstop && stimecmp_read() == backstop)
            stimecmp_write(~0UL);
        intr_on();                     // take what woke the hart
        intr_off();
        if (backstop == 0)
            break;                     // not the backstop: Python looks
    }
    c->idle_ticks += rdtime() - start;
    pylock_acquire();
    return trap_take_events();
}
