# M-mode entry: QEMU's reset vector (-bios none) jumps here, at 0x8000_0000,
# on every hart with a0 = hart id and a1 = address of the device tree blob.
#include "cpu.h"

.section .text.entry
.globl _entry
_entry:
        # Harts beyond NCPU stay parked for good.
        csrr    t0, mhartid
        li      t1, NCPU
        bgeu    t0, t1, park

        # Each hart's boot stack: boot_stack + (hartid + 1) * BOOT_STACK_SIZE.
        la      sp, boot_stack
        addi    t1, t0, 1
        li      t2, BOOT_STACK_SIZE
        mul     t1, t1, t2
        add     sp, sp, t1
        bnez    t0, secondary

        # Hart 0 zeroes .bss (the boot stacks live in .noinit, out of the
        # way), then lets the others on into C.
        la      t1, __bss_start
        la      t2, __bss_end
1:      bgeu    t1, t2, 2f
        sd      zero, 0(t1)
        addi    t1, t1, 8
        j       1b
2:      fence   rw, rw
        la      t1, bss_ready
        li      t2, 1
        sw      t2, 0(t1)
        call    start               # start(hartid, dtb) never returns

        # The other harts wait until .bss is zeroed: struct cpu lives there.
secondary:
        la      t1, bss_ready
3:      lw      t2, 0(t1)
        beqz    t2, 3b
        fence   rw, rw
        call    start
park:
        wfi
        j       park

.section .data
.balign 4
bss_ready:
        .word   0

# The boot stacks, one per hart: each is its hart's idle thread's stack
# for the life of the kernel (hart 0's boot thread becomes its idle
# thread; smp.c makes the others'); the monitor and every other kernel
# thread get stacks of their own (kthread.c).  Not zeroed at boot:
# nothing reads them before writing.
.section .noinit, "aw", @nobits
.balign 16
.globl boot_stack
boot_stack:
        .space  BOOT_STACK_SIZE * NCPU
