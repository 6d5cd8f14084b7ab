# The trampoline: the one page mapped at the same virtual address
# (TRAMPOLINE) in the kernel's and in every process's page table, so that
# the code switching between them keeps running across the satp change.
#
# Entering user space is a call, kern.run_user(), that "returns" when the
# process next traps: run_user saves the kernel's callee-saved registers and
# sp in the trapframe and sret's to user mode; uservec saves the user's
# registers, restores the kernel's, and the C trap code returns to
# run_user's caller.  So the process's kernel thread keeps its Python frames
# on its stack across user mode, and a system call is just the next turn
# of a Python loop (kernel/proc/userloop.py).
#
# Each hart has its own trapframe slot in the process's page table
# (memlayout.h's TRAPFRAME_SLOT): userret leaves the slot's address in
# sscratch, and uservec swaps it with the user's a0, so the registers go
# to the trapframe of the LWP this hart was running.
#include "trapframe.h"
#include "abi.h"

// memlayout.h's TRAMPOLINE, spelled for the assembler (abi.h holds plain
// numbers; memlayout.h's C-only parts cannot be included here).
#define TRAMPOLINE_VA (MAXVA - PGSIZE)
#define R(n) (TF_REGS + 8 * (n))

.section .text.trampoline, "ax"
.balign 4096
.globl trampoline
trampoline:

# uservec: stvec points here while user code runs.
.balign 4
.globl uservec
uservec:
        csrrw   a0, sscratch, a0           # a0: this hart's slot; sscratch: user a0
        sd      x1, R(1)(a0)
        sd      x2, R(2)(a0)
        sd      x3, R(3)(a0)
        sd      x4, R(4)(a0)
        sd      x5, R(5)(a0)
        sd      x6, R(6)(a0)
        sd      x7, R(7)(a0)
        sd      x8, R(8)(a0)
        sd      x9, R(9)(a0)
        sd      x11, R(11)(a0)
        sd      x12, R(12)(a0)
        sd      x13, R(13)(a0)
        sd      x14, R(14)(a0)
        sd      x15, R(15)(a0)
        sd      x16, R(16)(a0)
        sd      x17, R(17)(a0)
        sd      x18, R(18)(a0)
        sd      x19, R(19)(a0)
        sd      x20, R(20)(a0)
        sd      x21, R(21)(a0)
        sd      x22, R(22)(a0)
        sd      x23, R(23)(a0)
        sd      x24, R(24)(a0)
        sd      x25, R(25)(a0)
        sd      x26, R(26)(a0)
        sd      x27, R(27)(a0)
        sd      x28, R(28)(a0)
        sd      x29, R(29)(a0)
        sd      x30, R(30)(a0)
        sd      x31, R(31)(a0)
        csrr    t0, sscratch
        sd      t0, R(10)(a0)

        ld      sp, TF_KERNEL_SP(a0)
        ld      tp, TF_KERNEL_TP(a0)       # the hart's struct cpu (cpu.h)
        ld      t0, TF_KERNEL_TRAP(a0)
        ld      t1, TF_KERNEL_SATP(a0)
        ld      a0, TF_KERNEL_SELF(a0)     # the trapframe's kernel address
        sfence.vma zero, zero
        csrw    satp, t1
        sfence.vma zero, zero
        jr      t0                         # user_trap_entry, in kernel text

# userret(user satp, slot): the second half of run_user, from the kernel's
# page table into the process's, then every user register from the
# trapframe at the hart's slot, then sret.
.globl userret
userret:
        sfence.vma zero, zero
        csrw    satp, a0
        sfence.vma zero, zero
        csrw    sscratch, a1               # for uservec, at the next trap
        mv      a0, a1
        ld      x1, R(1)(a0)
        ld      x2, R(2)(a0)
        ld      x3, R(3)(a0)
        ld      x4, R(4)(a0)
        ld      x5, R(5)(a0)
        ld      x6, R(6)(a0)
        ld      x7, R(7)(a0)
        ld      x8, R(8)(a0)
        ld      x9, R(9)(a0)
        ld      x11, R(11)(a0)
        ld      x12, R(12)(a0)
        ld      x13, R(13)(a0)
        ld      x14, R(14)(a0)
        ld      x15, R(15)(a0)
        ld      x16, R(16)(a0)
        ld      x17, R(17)(a0)
        ld      x18, R(18)(a0)
        ld      x19, R(19)(a0)
        ld      x20, R(20)(a0)
        ld      x21, R(21)(a0)
        ld      x22, R(22)(a0)
        ld      x23, R(23)(a0)
        ld      x24, R(24)(a0)
        ld      x25, R(25)(a0)
        ld      x26, R(26)(a0)
        ld      x27, R(27)(a0)
        ld      x28, R(28)(a0)
        ld      x29, R(29)(a0)
        ld      x30, R(30)(a0)
        ld      x31, R(31)(a0)
        ld      a0, R(10)(a0)
        sret

.balign 4096
.globl trampoline_end
trampoline_end:

.section .text
# run_user(tf, user satp, slot): save the kernel side in tf, jump to
# userret.  tf must be mapped at slot, the running hart's trapframe slot in
# the user page table (kern.run_user sees to it).
.globl run_user
run_user:
        sd      ra, TF_KCTX+0(a0)
        sd      s0, TF_KCTX+8(a0)
        sd      s1, TF_KCTX+16(a0)
        sd      s2, TF_KCTX+24(a0)
        sd      s3, TF_KCTX+32(a0)
        sd      s4, TF_KCTX+40(a0)
        sd      s5, TF_KCTX+48(a0)
        sd      s6, TF_KCTX+56(a0)
        sd      s7, TF_KCTX+64(a0)
        sd      s8, TF_KCTX+72(a0)
        sd      s9, TF_KCTX+80(a0)
        sd      s10, TF_KCTX+88(a0)
        sd      s11, TF_KCTX+96(a0)
        sd      sp, TF_KERNEL_SP(a0)
        sd      tp, TF_KERNEL_TP(a0)
        csrr    t0, satp
        sd      t0, TF_KERNEL_SATP(a0)
        sd      a0, TF_KERNEL_SELF(a0)
        la      t0, user_trap_entry
        sd      t0, TF_KERNEL_TRAP(a0)
        ld      t0, TF_EPC(a0)
        csrw    sepc, t0
        # Traps from user mode go to uservec, at its trampoline address.
        la      t0, uservec
        la      t1, trampoline
        sub     t0, t0, t1
        li      t1, TRAMPOLINE_VA
        add     t0, t0, t1
        csrw    stvec, t0
        # sret goes to user mode (SPP = 0) with interrupts on (SPIE = 1).
        li      t0, 0x100
        csrc    sstatus, t0
        li      t0, 0x20
        csrs    sstatus, t0
        la      t0, userret
        la      t1, trampoline
        sub     t0, t0, t1
        li      t1, TRAMPOLINE_VA
        add     t0, t0, t1
        mv      a0, a1
        mv      a1, a2
        jr      t0

# user_trap_entry(tf): back in the kernel's page table, on the kernel stack
# run_user left.  Restore the kernel's registers; user_trap() then returns
# straight to run_user's caller.
.globl user_trap_entry
user_trap_entry:
        ld      ra, TF_KCTX+0(a0)
        ld      s0, TF_KCTX+8(a0)
        ld      s1, TF_KCTX+16(a0)
        ld      s2, TF_KCTX+24(a0)
        ld      s3, TF_KCTX+32(a0)
        ld      s4, TF_KCTX+40(a0)
        ld      s5, TF_KCTX+48(a0)
        ld      s6, TF_KCTX+56(a0)
        ld      s7, TF_KCTX+64(a0)
        ld      s8, TF_KCTX+72(a0)
        ld      s9, TF_KCTX+80(a0)
        ld      s10, TF_KCTX+88(a0)
        ld      s11, TF_KCTX+96(a0)
        la      t0, kernelvec
        csrw    stvec, t0
        tail    user_trap
