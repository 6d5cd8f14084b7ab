# swtch(old, new): save the callee-saved registers into *old, load *new.
#
# Everything else a thread needs is already on its own stack or in its
# struct kthread (kthread.c swaps the interpreter state before calling us).
# Offsets match struct context in kthread.h: ra, sp, s0..s11.
# save_context: store ra, sp and s0..s11 at *a0 (struct context).
.macro save_context
        sd ra, 0(a0)
        sd sp, 8(a0)
        sd s0, 16(a0)
        sd s1, 24(a0)
        sd s2, 32(a0)
        sd s3, 40(a0)
        sd s4, 48(a0)
        sd s5, 56(a0)
        sd s6, 64(a0)
        sd s7, 72(a0)
        sd s8, 80(a0)
        sd s9, 88(a0)
        sd s10, 96(a0)
        sd s11, 104(a0)
.endm

.globl swtch
swtch:
        save_context

        ld ra, 0(a1)
        ld sp, 8(a1)
        ld s0, 16(a1)
        ld s1, 24(a1)
        ld s2, 32(a1)
        ld s3, 40(a1)
        ld s4, 48(a1)
        ld s5, 56(a1)
        ld s6, 64(a1)
        ld s7, 72(a1)
        ld s8, 80(a1)
        ld s9, 88(a1)
        ld s10, 96(a1)
        ld s11, 104(a1)
        ret

# kthread_save_context(ctx): store the caller's ra, sp and s0..s11 in *ctx,
# as swtch would, without switching: the interpreter lock does this when a
# hart leaves Python (pylock.h), so that the GC can scan the thread's stack.
.globl kthread_save_context
kthread_save_context:
        save_context
        ret
