# S-mode trap entry while in the kernel.
#
# Kernel-mode traps are device interrupts taken while the kernel idles, or
# fatal exceptions.  Both are handled on a separate trap stack: a fault
# caused by overflowing a kernel stack into its guard page must not try to
# push registers onto that same stack.  All 31 registers are saved in a
# struct kregs (trap.h) so a panic can print them.
#include "cpu.h"

.globl kernelvec
.balign 4
kernelvec:
        csrw    sscratch, sp
        ld      sp, CPU_TRAP_SP(tp)     # this hart's trap stack (struct cpu, cpu.h)
        addi    sp, sp, -256
        sd      x1, 8(sp)
        sd      x3, 24(sp)
        sd      x4, 32(sp)
        sd      x5, 40(sp)
        sd      x6, 48(sp)
        sd      x7, 56(sp)
        sd      x8, 64(sp)
        sd      x9, 72(sp)
        sd      x10, 80(sp)
        sd      x11, 88(sp)
        sd      x12, 96(sp)
        sd      x13, 104(sp)
        sd      x14, 112(sp)
        sd      x15, 120(sp)
        sd      x16, 128(sp)
        sd      x17, 136(sp)
        sd      x18, 144(sp)
        sd      x19, 152(sp)
        sd      x20, 160(sp)
        sd      x21, 168(sp)
        sd      x22, 176(sp)
        sd      x23, 184(sp)
        sd      x24, 192(sp)
        sd      x25, 200(sp)
        sd      x26, 208(sp)
        sd      x27, 216(sp)
        sd      x28, 224(sp)
        sd      x29, 232(sp)
        sd      x30, 240(sp)
        sd      x31, 248(sp)
        csrr    t0, sscratch
        sd      t0, 16(sp)          # the interrupted sp

        mv      a0, sp
        call    kerneltrap

        ld      x1, 8(sp)
        ld      x3, 24(sp)
        ld      x4, 32(sp)
        ld      x5, 40(sp)
        ld      x6, 48(sp)
        ld      x7, 56(sp)
        ld      x8, 64(sp)
        ld      x9, 72(sp)
        ld      x10, 80(sp)
        ld      x11, 88(sp)
        ld      x12, 96(sp)
        ld      x13, 104(sp)
        ld      x14, 112(sp)
        ld      x15, 120(sp)
        ld      x16, 128(sp)
        ld      x17, 136(sp)
        ld      x18, 144(sp)
        ld      x19, 152(sp)
        ld      x20, 160(sp)
        ld      x21, 168(sp)
        ld      x22, 176(sp)
        ld      x23, 184(sp)
        ld      x24, 192(sp)
        ld      x25, 200(sp)
        ld      x26, 208(sp)
        ld      x27, 216(sp)
        ld      x28, 224(sp)
        ld      x29, 232(sp)
        ld      x30, 240(sp)
        ld      x31, 248(sp)
        ld      sp, 16(sp)
        sret

# One trap stack per hart (trap.c's trap_init points struct cpu at it).
.section .noinit, "aw", @nobits
.balign 16
.globl trap_stacks
trap_stacks:
        .space  TRAP_STACK_SIZE * NCPU
