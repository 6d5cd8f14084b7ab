# exec: replace a process's memory with a program loaded from its ELF file.
#
# The user layout (docs/abi.md): every PT_LOAD segment at its p_vaddr from 0 up;
# above the image, rounded to a page, one guard page user code cannot
# touch, then one page of stack; the heap (sbrk) grows from the top of the
# stack page.  argv strings go at the top of the stack, each 16-byte
# aligned, with the argv array of argc+1 pointers below them.
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
from kernel.fs import inode, directory, log

ELF_MAGIC = b"\x7fELF"
EM_RISCV = const(243)
ET_EXEC = const(2)
PT_LOAD = const(1)
PF_X = const(1)
PF_W = const(2)
PF_R = const(4)
PHDR_SIZE = const(56)

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


def parse_header(image):
    """(entry, phoff, phnum) of a RISC-V ELF64 executable, or None."""
    if len(image) < 64 or bytes(image[0:4]) != ELF_MAGIC or image[4] != 2 or image[5] != 1:
        return None
    (etype, machine, _, entry, phoff, _, _, _, phentsize, phnum) = struct.unpack_from(
        ELF_HEADER, image, 16)
    if etype != ET_EXEC or machine != EM_RISCV or phentsize != PHDR_SIZE:
        return None
    if phnum == 0 or phoff + phnum * PHDR_SIZE > len(image):
        return None
    return entry, phoff, phnum


def load_segments(image, pt):
    """Map and fill every PT_LOAD segment.  Returns (entry, size) where
    [0, size) is what got mapped -- on failure too, when entry is None."""
    header = parse_header(image)
    if header is None:
        return None, 0
    entry, phoff, phnum = header
    size = 0
    for i in range(phnum):
        (ptype, flags, offset, vaddr, _, filesz, memsz, _) = struct.unpack_from(
            PROGRAM_HEADER, image, phoff + i * PHDR_SIZE)
        if ptype != PT_LOAD:
            continue
        end = vaddr + memsz
        if (memsz < filesz or vaddr % PGSIZE != 0 or vaddr < size or end > USER_TOP
                or offset + filesz > len(image)):
            return None, size
        # Pages from the current top up to the segment's end (a gap below
        # the segment is mapped too, so that [0, size) is all mapped).
        if kern.uvm_alloc(pt, size, end, perm_of(flags)) < 0:
            return None, size           # uvm_alloc undid its own part
        size = uvm.pgup(end)
        if filesz and kern.uvm_load(pt, vaddr, image, offset, filesz) < 0:
            return None, size
        # memsz beyond filesz is bss: the pages came zeroed.
    if size == 0 or entry >= size:
        return None, size
    return entry, size


def push_arguments(pt, stack_top, stack_bottom, argv):
    """Copy argv onto the new stack; (sp, argv address) or None."""
    sp = stack_top
    pointers = []
    for arg in argv:
        sp -= len(arg) + 1
        sp -= sp % 16
        if sp < stack_bottom or kern.copyout(pt, sp, arg + b"\0") < 0:
            return None
        pointers.append(sp)
    pointers.append(0)
    sp -= 8 * len(pointers)
    sp -= sp % 16
    if sp < stack_bottom:
        return None
    if kern.copyout(pt, sp, struct.pack("<%dQ" % len(pointers), *pointers)) < 0:
        return None
    return sp, sp


def exec_program(p, path, argv, image):
    """Replace p's image by the program in image (the bytes of the ELF file
    at path); argc, or -1."""
    pt = uvm.create(p.trapframe)
    if pt == 0:
        return -1
    entry, size = load_segments(image, pt)
    stack = None
    # The guard page, then the stack page.
    if (entry is not None and size + 2 * PGSIZE <= USER_TOP
            and kern.uvm_alloc(pt, size, size + 2 * PGSIZE, kern.PTE_R | kern.PTE_W) == 0):
        kern.uvm_clear_user(pt, size)
        size += 2 * PGSIZE
        stack = push_arguments(pt, size, size - PGSIZE, argv)
    if stack is None:
        uvm.destroy(pt, size)             # exactly what was mapped
        return -1

    sp, argv_addr = stack
    old_pt, old_size = p.pagetable, p.size
    p.pagetable = pt
    p.size = size
    p.heap_start = size
    tf = p.trapframe
    kern.tf_set(tf, kern.FIELD_EPC, entry)
    kern.tf_set(tf, kern.REG_SP, sp)
    kern.tf_set(tf, kern.REG_A1, argv_addr)
    name = path
    slash = name.rfind("/")
    if slash >= 0:
        name = name[slash + 1:]
    p.name = name
    if p.thread is not None:
        kthread.rename(p.thread, name)
    uvm.destroy(old_pt, old_size)
    return len(argv)                       # becomes a0: argc


def read_program(p, path):
    """The contents of the regular file at path (relative to p's current
    directory), or None."""
    log.begin_op()
    ip = directory.namei(path, p.cwd)
    if ip is None:
        log.end_op()
        return None
    inode.ilock(ip)
    data = inode.readi(ip, 0, ip.size) if ip.type == T_FILE else None
    inode.iunlockput(ip)
    log.end_op()
    return data


def exec_file(p, path, argv):
    """exec: replace p's program by the one at path, with arguments argv
    (a list of byte strings); argc, or -1 with p unchanged."""
    image = read_program(p, path)
    if image is None:
        return -1
    return exec_program(p, path, argv, image)
