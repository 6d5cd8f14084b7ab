# M-mode entry: QEMU's reset vector (-bios none) jumps here, at 0x8000_0000,
# on every hart with a0 = hart id and a1 = address of the device tree blob.
.section .text.entry
.globl _entry
_entry:
        # Only hart 0 boots for now; the others park until SMP wakes them.
        csrr    t0, mhartid
        bnez    t0, park

        la      sp, boot_stack_top

        # Zero .bss (the boot stack lives in .noinit, so it is not in the way).
        la      t1, __bss_start
        la      t2, __bss_end
1:      bgeu    t1, t2, 2f
        sd      zero, 0(t1)
        addi    t1, t1, 8
        j       1b
2:      call    start               # start(hartid, dtb) never returns
park:
        wfi
        j       park

# The boot stack is the idle thread's stack for the life of the kernel (the
# boot thread becomes the idle thread); the monitor and every other kernel
# thread get stacks of their own (kthread.c).
# It is not zeroed at boot: nothing reads it before writing.
.section .noinit, "aw", @nobits
.balign 16
.globl boot_stack, boot_stack_top
boot_stack:
        .space  65536
boot_stack_top:
