// Physical and virtual memory layout of QEMU's virt machine as Pyrite uses it.
#pragma once

// PGSIZE, MAXVA, USER_TOP, MAX_THREADS and NCPU come from kernel/abi/limits.py,
// shared with the kernel's Python and the user programs
// (build/include/abi.h, written by tools/gen_headers.py).
#include "abi.h"

#define KERNBASE 0x80000000UL   // RAM starts here; -bios none enters the kernel here
#define PGSHIFT 12
#define PGROUNDUP(a) (((a) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(PGSIZE - 1))
#define MEGAPAGE (2UL << 20)   // an Sv39 level-1 leaf maps 2 MiB

// Devices (see QEMU hw/riscv/virt.c).
#define TEST_DEVICE 0x00100000UL  // SiFive test finisher: power off / reset
#define CLINT 0x02000000UL
#define ACLINT_SSWI 0x02F00000UL   // -machine virt,aclint=on: a SETSSIP word per hart
#define PLIC 0x0c000000UL
#define PLIC_SIZE 0x00400000UL
#define UART0 0x10000000UL
#define UART0_IRQ 10
#define VIRTIO0 0x10001000UL   // the disk (virtio-mmio-bus.0)
#define VIRTIO0_IRQ 1
#define VIRTIO_COUNT 8

// The top of the Sv39 space (MAXVA = 2^38).  Kernel stacks live just below
// the trampoline page, each with an unmapped guard page beneath it, so that
// overflowing a kernel stack is a page fault, not silent corruption.
#define TRAMPOLINE (MAXVA - PGSIZE)
#define KSTACK_PAGES 4                       // 16 KiB: a Python call level costs ~500 bytes
#define KSTACK_SLOT_SIZE ((KSTACK_PAGES + 1) * PGSIZE)
#define KSTACK_SLOTS MAX_THREADS             // virtual slots, not memory: pages are taken on use
#define KSTACK_REGION_TOP (TRAMPOLINE - 2 * PGSIZE)
#define KSTACK_REGION_BOTTOM (KSTACK_REGION_TOP - KSTACK_SLOTS * KSTACK_SLOT_SIZE)

// A process's address space (the layout itself is Python's: kernel/mm/uvm.py,
// kernel/proc/exec.py): user memory is [0, USER_TOP), and above it, up to
// the trampoline, one trapframe slot per hart.  Hart h enters user mode
// with its running LWP's trapframe page mapped at TRAPFRAME_SLOT(h)
// (kern.run_user): two LWPs of one process on two harts share the page
// table but not a slot.  Hart 0's slot, TRAPFRAME, is right below the
// trampoline.
#define TRAPFRAME (TRAMPOLINE - PGSIZE)
#define TRAPFRAME_SLOT(hart) (TRAPFRAME - (unsigned long)(hart) * PGSIZE)
_Static_assert(TRAPFRAME_SLOT(NCPU - 1) == USER_TOP, "user memory ends below the lowest slot");
_Static_assert(USER_TOP / MEGAPAGE == TRAMPOLINE / MEGAPAGE, "the slots share the trampoline's leaf table");
