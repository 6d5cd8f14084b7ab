// M-mode set-up, then the drop to S-mode: delegation, PMP, timer, counters.
#include <stdint.h>
#include "riscv.h"
#include "cpu.h"

void kmain(uint64_t hartid, uint64_t dtb);
void kmain_secondary(uint64_t hartid);

struct cpu cpus[NCPU];

void start(uint64_t hartid, uint64_t dtb) {
    // tp is the hart's struct cpu from here on (cpu.h).
    struct cpu *c = &cpus[hartid];
    c->id = (int)hartid;
    __asm__ volatile("mv tp, %0" : : "r"(c));

    // mret goes to S-mode, at kmain, with paging off.
    uint64_t mstatus = csr_read(mstatus);
    mstatus = (mstatus & ~MSTATUS_MPP_MASK) | MSTATUS_MPP_S;
    csr_write(mstatus, mstatus);
    csr_write(mepc, hartid == 0 ? (uint64_t)kmain : (uint64_t)kmain_secondary);
    csr_write(satp, 0);

    // Every exception and interrupt that can be delegated goes to S-mode:
    // the kernel proper never runs in M-mode again.
    csr_write(medeleg, 0xffff);
    csr_write(mideleg, 0xffff);
    csr_write(sie, SIE_SEIE | SIE_STIE | SIE_SSIE);

    // One PMP entry covering all of memory, so S-mode may touch everything.
    csr_write(pmpaddr0, 0x3fffffffffffffUL);
    csr_write(pmpcfg0, 0xf);

    // Sstc: S-mode programs its own timer through stimecmp, no M-mode
    // timer trampoline.  Start with the timer far in the future.
    __asm__ volatile("csrs 0x30a, %0" : : "r"(MENVCFG_STCE));
    stimecmp_write(~0UL);

    // Let S-mode read cycle, time and instret (S-mode passes time on to
    // user mode through scounteren).
    csr_write(mcounteren, 7);

    register uint64_t a0 __asm__("a0") = hartid;
    register uint64_t a1 __asm__("a1") = dtb;
    __asm__ volatile("mret" : : "r"(a0), "r"(a1));
    __builtin_unreachable();
}
