# A process's user address space: where things go, and growing it.
#
# User memory is [0, size): the program's segments from 0 (kernel/proc/exec.py
# lays them out), a guard page, one stack page, then the heap, which sbrk
# moves.  Nothing may be mapped at or above USER_TOP, where the trapframe
# slots (a page per hart) and the trampoline live.  The page tables are C's (cstubs/uvm.c); a space is
# known here by the kernel address of its root page table.
import kern

from kernel.abi.limits import PGSIZE, USER_TOP


PAGE_MASK = ~(PGSIZE - 1)


def pgup(n):
    """n rounded up to a whole number of pages."""
    return (n + PGSIZE - 1) & PAGE_MASK


def create(trapframe):
    """A new, empty address space whose trapframe page is `trapframe`
    (mapped in hart 0's slot; kern.run_user maps the slot of the hart
    that runs it); its root page table, or 0 if out of memory."""
    return kern.uvm_create(trapframe)


def copy(old_pt, new_pt, size):
    """Copy [0, size) of one space into another (fork); 0, or -1 if out of memory."""
    return kern.uvm_copy(old_pt, new_pt, pgup(size))


def destroy(pt, size):
    """Free [0, size) and the page tables of a space."""
    kern.uvm_destroy(pt, pgup(size))


def grow(pt, old, n):
    """Move the end of a space from `old` by n bytes: the new end, or -1 if
    it would pass USER_TOP or there are not enough free pages.  New pages
    come zeroed, readable and writable.  (Whether the end may go down that
    far is the caller's question: see proc.grow.)"""
    new = old + n
    # pgup() by hand: sbrk is on benchmarks' hot path, and a call costs more
    # than the arithmetic.
    lo = (old + PGSIZE - 1) & PAGE_MASK
    hi = (new + PGSIZE - 1) & PAGE_MASK
    if n > 0:
        if new > USER_TOP or (hi - lo) // PGSIZE > kern.free_pages():
            return -1
        if kern.uvm_alloc(pt, lo, hi, kern.PTE_R | kern.PTE_W) < 0:
            return -1
    elif n < 0:
        kern.uvm_dealloc(pt, hi, lo)
    return new
