# exec: replace a process's memory with a program loaded from its ELF file.
#
# The user layout (docs/abi.md): every PT_LOAD segment at its p_vaddr from 0 up;
# above the image, rounded to a page, one guard page user code cannot
# touch, then one page of stack; the heap (sbrk) grows from the top of the
# stack page.  argv strings go at the top of the stack, each 16-byte
# aligned, with the argv array of argc+1 pointers below them.  The
# arguments never pass through Python: the caller gathers them in C into
# a kernel page (kern.args_gather from the old address space, or
# kern.args_build for init), and kern.args_place copies that image onto
# the new stack.
#
# Everything is checked before the old image is given up: a malformed or
# truncated file, a segment outside user space, too many arguments -- exec
# returns -1 and the caller carries on as it was.
import struct

import kern

from kernel.compat import const
from kernel.abi.fslayout import T_FILE
from kernel.abi.limits import PGSIZE, USER_TOP
from kernel.thread import kthread
from kernel.mm import uvm
from kernel.fs import inode, directory, file
from kernel.proc import notes

ELF_MAGIC = b"\x7fELF"
EM_RISCV = const(243)
ET_EXEC = const(2)
PT_LOAD = const(1)
PF_X = const(1)
PF_W = const(2)
PF_R = const(4)
PHDR_SIZE = const(56)
MAX_PHNUM = const(64)          # program headers exec reads (ours have 3 or 4)

# ELF64 header fields after e_ident: type, machine, version, entry, phoff,
# shoff, flags, ehsize, phentsize, phnum (shentsize, shnum, shstrndx follow).
ELF_HEADER = "<HHIQQQIHHH"
PROGRAM_HEADER = "<IIQQQQQQ"   # type, flags, offset, vaddr, paddr, filesz, memsz, align


def perm_of(flags):
    perm = 0
    if flags & PF_R:
        perm |= kern.PTE_R
    if flags & PF_W:
        perm |= kern.PTE_W
    if flags & PF_X:
        perm |= kern.PTE_X
    return perm


def parse_header(ip):
    """(entry, program headers as bytes) of the RISC-V ELF64 executable in
    ip (locked), or None.  Only the 64-byte ELF header and the program
    headers are read into Python; the segments are loaded block by block."""
    header = inode.readi(ip, 0, 64)
    if len(header) < 64 or bytes(header[0:4]) != ELF_MAGIC or header[4] != 2 or header[5] != 1:
        return None
    (etype, machine, _, entry, phoff, _, _, _, phentsize, phnum) = struct.unpack_from(
        ELF_HEADER, header, 16)
    if etype != ET_EXEC or machine != EM_RISCV or phentsize != PHDR_SIZE:
        return None
    if phnum == 0 or phnum > MAX_PHNUM or phoff + phnum * PHDR_SIZE > ip.size:
        return None
    return entry, inode.readi(ip, phoff, phnum * PHDR_SIZE)


def load_segments(ip, pt, mapped):
    """Map every PT_LOAD segment of the program in ip (locked) and fill it
    straight from the file's cached blocks.  Returns (entry, size) where
    [0, size) is what got mapped -- on failure too, when entry is None.
    mapped[0] follows the size as it grows, for a caller cleaning up after
    an exception."""
    header = parse_header(ip)
    if header is None:
        return None, 0
    entry, phdrs = header
    size = 0
    for i in range(len(phdrs) // PHDR_SIZE):
        (ptype, flags, offset, vaddr, _, filesz, memsz, _) = struct.unpack_from(
            PROGRAM_HEADER, phdrs, i * PHDR_SIZE)
        if ptype != PT_LOAD:
            continue
        end = vaddr + memsz
        if (memsz < filesz or vaddr % PGSIZE != 0 or vaddr < size or end > USER_TOP
                or offset + filesz > ip.size):
            return None, size
        # Pages from the current top up to the segment's end (a gap below
        # the segment is mapped too, so that [0, size) is all mapped).
        if kern.uvm_alloc(pt, size, end, perm_of(flags)) < 0:
            return None, size           # uvm_alloc undid its own part
        size = mapped[0] = uvm.pgup(end)
        if filesz and inode.load_user(ip, offset, filesz, pt, vaddr) < 0:
            return None, size
        # memsz beyond filesz is bss: the pages came zeroed.
    if size == 0 or entry >= size:
        return None, size
    return entry, size


def exec_program(p, path, args, argc, ip):
    """Replace p's image by the program in ip (the locked inode of the ELF
    file at path), with the argc arguments in the argument page args;
    argc, or -1."""
    mapped = [0]                  # (allocated first: the page table must not leak)
    pt = uvm.create(p.trapframe)
    if pt == 0:
        return -1
    try:
        entry, size = load_segments(ip, pt, mapped)
        stack = None
        # The guard page, then the stack page.
        if (entry is not None and size + 2 * PGSIZE <= USER_TOP
                and kern.uvm_alloc(pt, size, size + 2 * PGSIZE, kern.PTE_R | kern.PTE_W) == 0):
            kern.uvm_clear_user(pt, size)
            size += 2 * PGSIZE
            mapped[0] = size
            stack = kern.args_place(args, pt, size)
    except BaseException:
        uvm.destroy(pt, mapped[0])        # out of memory half-way
        raise
    if stack is None or stack < 0:
        uvm.destroy(pt, size)             # exactly what was mapped
        return -1

    sp = argv_addr = stack               # the argv array is the stack's bottom
    name = path
    slash = name.rfind("/")
    if slash >= 0:
        name = name[slash + 1:]
    # The point of no return: nothing below allocates.
    old_pt, old_size = p.pagetable, p.size
    p.pagetable = pt
    p.size = size
    p.heap_start = size
    tf = p.trapframe
    kern.tf_set(tf, kern.FIELD_EPC, entry)
    kern.tf_set(tf, kern.REG_SP, sp)
    kern.tf_set(tf, kern.REG_A1, argv_addr)
    p.name = name
    if p.thread is not None:
        kthread.rename(p.thread, name)
    notes.exec_done(p)                     # the old program's note handler is gone
    uvm.destroy(old_pt, old_size)
    return argc                            # becomes a0


def exec_file(p, path, args, argc):
    """exec: replace p's program by the one at path, with the argc
    arguments gathered in the argument page args; argc, or -1 with p
    unchanged."""
    return file.operation(_exec_file, p, path, args, argc)


def _exec_file(p, path, args, argc):
    ip = directory.namei(path, p.cwd)
    if ip is None:
        return -1
    try:
        inode.ilock(ip)
        argc = exec_program(p, path, args, argc, ip) if ip.type == T_FILE else -1
    except BaseException:
        inode.drop(ip)
        raise
    inode.iunlockput(ip)
    return argc
