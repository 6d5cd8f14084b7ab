# Memory management's policy: a process's user address space.
#
#   uvm   the layout (segments from 0, guard page, stack, heap up to
#         USER_TOP), page rounding, growing and shrinking with sbrk,
#         making, copying and freeing a whole address space
#
# The page tables and the pages themselves are C's (cstubs/uvm.c, kalloc.c);
# this package decides what is mapped where.
# Offers: uvm.pgup, uvm.create/copy/destroy, uvm.grow.  Uses: kernel.abi, kern.
