"""Write the deliberately malformed programs that exec must refuse.

Usage: python -m tools.mkbadelf OUTDIR MODEL_ELF

Each is made from MODEL_ELF (user/Makefile gives `echo`, a small, ordinary
program) and written to OUTDIR/NAME; the Makefile puts them in the file
system image, where usertests execs each and expects -1:

    badelf    the first 100 bytes: the program headers are cut off
    truncelf  cut in the middle of the first segment's contents
    badseg    a PT_LOAD whose p_vaddr is MAXVA, outside user space
    hugeseg   a PT_LOAD whose p_vaddr + p_memsz wraps around 2^64
    badsize   a PT_LOAD with p_filesz > p_memsz
    badalign  a PT_LOAD whose p_vaddr is not page aligned
    badarch   e_machine is not RISC-V
    notelf    a few bytes of text, no ELF header at all
"""

import struct
import sys
from pathlib import Path

MAXVA = 1 << 38          # top of the Sv39 user address space
PT_LOAD = 1

# ELF64 header: e_machine is at byte 18, e_phoff at 32, e_phentsize and
# e_phnum at 54 and 56.  Program header: p_type at 0, p_offset 8, p_vaddr 16,
# p_filesz 32, p_memsz 40.
E_MACHINE = 18
P_VADDR = 16
P_FILESZ = 32
P_MEMSZ = 40
EM_X86_64 = 62


def first_load(elf):
    """Byte offset of the first PT_LOAD program header, and its p_offset."""
    (phoff,) = struct.unpack_from("<Q", elf, 32)
    phentsize, phnum = struct.unpack_from("<HH", elf, 54)
    for i in range(phnum):
        ph = phoff + i * phentsize
        if struct.unpack_from("<I", elf, ph)[0] == PT_LOAD:
            return ph, struct.unpack_from("<Q", elf, ph + 8)[0]
    raise SystemExit("mkprograms: no PT_LOAD segment to break")


def with_fields(elf, *changes):
    """elf with (offset, format, value) changes applied."""
    out = bytearray(elf)
    for offset, fmt, value in changes:
        struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def broken_programs(elf):
    """name -> contents of each deliberately malformed program."""
    ph, data_offset = first_load(elf)
    (filesz,) = struct.unpack_from("<Q", elf, ph + P_FILESZ)
    return {
        "badelf": elf[:100],
        "truncelf": elf[:data_offset + 64],
        "badseg": with_fields(elf, (ph + P_VADDR, "<Q", MAXVA)),
        "hugeseg": with_fields(elf, (ph + P_VADDR, "<Q", 0x2000),
                               (ph + P_MEMSZ, "<Q", 2**64 - 0x1000)),
        "badsize": with_fields(elf, (ph + P_MEMSZ, "<Q", filesz // 2)),
        "badalign": with_fields(elf, (ph + P_VADDR, "<Q", 0x10)),
        "badarch": with_fields(elf, (E_MACHINE, "<H", EM_X86_64)),
        "notelf": b"#!/bin/sh\necho this is not an ELF file\n",
    }


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: mkbadelf.py OUTDIR MODEL_ELF\n")
        return 2
    outdir = Path(argv[1])
    outdir.mkdir(parents=True, exist_ok=True)
    elf = Path(argv[2]).read_bytes()
    for name, contents in broken_programs(elf).items():
        (outdir / name).write_bytes(contents)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
