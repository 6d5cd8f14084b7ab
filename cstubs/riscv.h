// RISC-V control and status register access for the S-mode kernel.
#pragma once
#include <stdint.h>

#define csr_read(name) ({ uint64_t v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define csr_write(name, v) __asm__ volatile("csrw " #name ", %0" : : "r"((uint64_t)(v)))
#define csr_set(name, v) __asm__ volatile("csrs " #name ", %0" : : "r"((uint64_t)(v)))
#define csr_clear(name, v) __asm__ volatile("csrc " #name ", %0" : : "r"((uint64_t)(v)))

// mstatus / sstatus bits
#define MSTATUS_MPP_MASK (3UL << 11)
#define MSTATUS_MPP_S (1UL << 11)
#define SSTATUS_SPP (1UL << 8)   // previous mode: 1 = supervisor
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SIE (1UL << 1)
#define SSTATUS_SUM (1UL << 18)  // S-mode may touch user pages

// sie / sip bits
#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

// scause values
#define SCAUSE_INTERRUPT (1UL << 63)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9

// stimecmp (Sstc) is CSR 0x14d; older assemblers do not know its name.
#define CSR_STIMECMP 0x14d
#define CSR_MENVCFG 0x30a
#define MENVCFG_STCE (1UL << 63)

static inline void stimecmp_write(uint64_t v) { __asm__ volatile("csrw 0x14d, %0" : : "r"(v)); }
static inline uint64_t stimecmp_read(void) { uint64_t v; __asm__ volatile("csrr %0, 0x14d" : "=r"(v)); return v; }
static inline uint64_t rdtime(void) { uint64_t t; __asm__ volatile("rdtime %0" : "=r"(t)); return t; }
static inline void intr_on(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline int intr_get(void) { return (csr_read(sstatus) & SSTATUS_SIE) != 0; }
static inline void sfence_vma(void) { __asm__ volatile("sfence.vma zero, zero"); }
static inline void wfi(void) { __asm__ volatile("wfi"); }
