// The per-process trapframe: user registers saved by the trampoline, and
// the kernel context that kern.run_user() left behind to come back to.
//
// This struct is the one source of truth for the layout.  Two kinds of
// names describe it, and they never mix:
//   TF_*      byte offsets, for trampoline.S (the _Static_asserts below
//             check them against the struct);
//   REG_*, FIELD_*   field numbers, for Python: kern.tf_get(tf, n) and
//             kern.tf_set(tf, n, v) take 1..31 for registers x1..x31
//             (kern.REG_SP, kern.REG_A0, ...) and FIELD_* for the rest
//             (kern.FIELD_EPC, ...).  kern.arg_int/arg_addr read a0..a5.
#pragma once

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trapframe {
    uint64_t kernel_satp;   //   0 the kernel's page table
    uint64_t kernel_sp;     //   8 kernel sp inside kern.run_user()
    uint64_t kernel_trap;   //  16 where the trampoline jumps: user_trap_entry
    uint64_t epc;           //  24 user pc
    uint64_t kernel_self;   //  32 this trapframe's kernel address
    uint64_t regs[32];      //  40 x0..x31 (x0 unused); regs[10] is a0
    uint64_t kctx[13];      // 296 kernel ra, s0..s11 inside kern.run_user()
    uint64_t scause;        // 400 why the last trap happened
    uint64_t stval;         // 408
    uint64_t utime;         // 416 `time` spent in user mode, summed by kern.run_user()
    uint64_t hold;          // 424 nonzero: kern.run_user() returns TRAP_HOLD instead of
                            //     entering user mode (a suspended LWP, kernel/proc/lwp.py)
    uint64_t kernel_tp;     // 432 the kernel's tp (its hart's struct cpu) inside kern.run_user()
};
#endif

#define TF_KERNEL_SATP 0
#define TF_KERNEL_SP 8
#define TF_KERNEL_TRAP 16
#define TF_EPC 24
#define TF_KERNEL_SELF 32
#define TF_REGS 40
#define TF_KCTX 296
#define TF_KERNEL_TP 432

#ifndef __ASSEMBLER__
_Static_assert(__builtin_offsetof(struct trapframe, kernel_sp) == TF_KERNEL_SP, "tf");
_Static_assert(__builtin_offsetof(struct trapframe, kernel_trap) == TF_KERNEL_TRAP, "tf");
_Static_assert(__builtin_offsetof(struct trapframe, epc) == TF_EPC, "tf");
_Static_assert(__builtin_offsetof(struct trapframe, kernel_self) == TF_KERNEL_SELF, "tf");
_Static_assert(__builtin_offsetof(struct trapframe, regs) == TF_REGS, "tf");
_Static_assert(__builtin_offsetof(struct trapframe, kctx) == TF_KCTX, "tf");
_Static_assert(__builtin_offsetof(struct trapframe, kernel_tp) == TF_KERNEL_TP, "tf");
#endif

// Register numbers (x-register index): field numbers for kern.tf_get/tf_set.
#define REG_RA 1
#define REG_SP 2
#define REG_TP 4
#define REG_A0 10
#define REG_A7 17

// Field numbers for kern.tf_get/tf_set (Python's kern.FIELD_EPC, ...):
// 1..31 are registers x1..x31, then these.
#define FIELD_EPC 32
#define FIELD_SCAUSE 33
#define FIELD_STVAL 34
#define FIELD_UTIME 35
#define FIELD_HOLD 36

// What kern.run_user() returns besides a system call number.
#define TRAP_INTERRUPT (-1)   // an interrupt: its events are waiting
#define TRAP_FAULT (-2)       // an exception: see tf->scause, tf->stval, tf->epc
#define TRAP_HOLD (-3)        // tf->hold is set: user mode was not entered
#define SYSCALL_MAX 1023      // a7 outside [0, SYSCALL_MAX) comes back as SYSCALL_MAX
