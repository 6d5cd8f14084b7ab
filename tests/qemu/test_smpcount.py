"""The instruction-counting plugin (tools/smpcount.c) against a machine whose
counts are known: a bare-metal program on 4 harts, no kernel.  Hart 0 starts
the count, wakes the others with an inter-processor interrupt, each hart h
runs a loop of 1000 x (h + 1) rounds (2 instructions a round), the last to
finish wakes hart 0, which stops the count and powers the machine off.
The loop is given to the plugin as a spin range, counted apart exactly.
Nobody spins, so each hart's count is its loop plus a few instructions
around it, on every run (which of those few fall between the markers
depends on which hart gets where first)."""

import subprocess

from elftools.elf.elffile import ELFFile

from tests.qemu.machine import REPO, scaled
from tools import smpbench

HARTS = 4
ROUNDS = 1000           # hart h's loop: ROUNDS * (h + 1) rounds
AROUND = 40             # most instructions a hart runs outside its loop

# M-mode from reset (-bios none: every hart starts at 0x80000000).  The
# CLINT's MSIP registers (0x2000000 + 4 x hart) interrupt a hart; with
# mie.MSIE set and mstatus.MIE clear, wfi returns when one is pending and
# no trap is taken.
PROBE = r"""
        .equ MSIP, 0x2000000
        .globl _start
_start:
        csrr    s0, mhartid
        li      s1, MSIP
        slli    t0, s0, 2
        add     s2, s1, t0              # this hart's MSIP register
        li      t0, 8
        csrw    mie, t0                 # MSIE: msip wakes wfi
        bnez    s0, wait

        slti    x0, x0, 1               # start the count
        li      t0, 1
        sw      t0, 4(s1)               # wake harts 1, 2, 3
        sw      t0, 8(s1)
        sw      t0, 12(s1)
        j       work

wait:   wfi
        csrr    t0, mip
        andi    t0, t0, 8
        beqz    t0, wait
work:   sw      zero, 0(s2)             # clear this hart's interrupt
        addi    t1, s0, 1
        li      t0, %(rounds)d
        mul     t1, t1, t0
        .globl  loop
loop:   addi    t1, t1, -1
        bnez    t1, loop
        la      t0, done
        li      t1, 1
        amoadd.w t2, t1, (t0)
        li      t1, %(last)d
        bne     t2, t1, 2f
        li      t0, 1                   # the last to finish wakes hart 0
        sw      t0, 0(s1)
2:      bnez    s0, park

3:      wfi                             # hart 0: until the last one is done
        csrr    t0, mip
        andi    t0, t0, 8
        beqz    t0, 3b
        slti    x0, x0, 2               # stop the count
        li      t0, 0x100000            # the test device: power off
        li      t1, 0x5555
        sw      t1, 0(t0)

park:   csrw    mie, zero
        wfi
        j       park

        .data
        .align 2
done:   .word 0
""" % {"rounds": ROUNDS, "last": HARTS - 1}


def build_probe(tmp_path):
    src = tmp_path / "probe.S"
    src.write_text(PROBE)
    elf = tmp_path / "probe.elf"
    subprocess.run(["riscv64-unknown-elf-gcc", "-march=rv64ima_zicsr", "-mabi=lp64",
                    "-nostdlib", "-nostartfiles", "-Wl,-Ttext=0x80000000", "-o", str(elf),
                    str(src)], check=True, cwd=REPO)
    return elf


def loop_range(elf):
    """The loop's two instructions, as a spin range for the plugin."""
    with open(elf, "rb") as f:
        loop = ELFFile(f).get_section_by_name(".symtab").get_symbol_by_name("loop")[0]
    return (loop["st_value"], loop["st_value"] + 8)


def counted_run(elf, plugin, counts):
    run = subprocess.run(["qemu-system-riscv64", "-machine", "virt", "-bios", "none",
                          "-smp", str(HARTS), "-m", "32M", "-display", "none",
                          "-serial", "none", "-monitor", "none", "-kernel", str(elf)]
                         + smpbench.plugin_args(plugin, counts, [loop_range(elf)]),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=scaled(60))
    assert run.returncode == 0, run.stdout
    reports = smpbench.parse_counts(counts.read_text())
    assert len(reports) == 1, counts.read_text()
    return reports[0]


def test_each_hart_counts_its_own_instructions_exactly(tmp_path):
    elf = build_probe(tmp_path)
    plugin = smpbench.build_plugin(out=tmp_path / "smpcount.so")
    first = counted_run(elf, plugin, tmp_path / "counts1")
    assert first["run"] == 1 and first["by"] == 0
    assert len(first["insns"]) == HARTS
    for hart, insns in enumerate(first["insns"]):
        loop = 2 * ROUNDS * (hart + 1)
        assert loop <= insns <= loop + AROUND, (hart, first["insns"])
        # The loop was given as a spin range: exactly its instructions.
        assert first["spin"][hart] == loop, first
    # All of it at kernel addresses (0x80000000 up); a hart that was running
    # when hart 0 started the count may be a block apart in its two counts.
    for kernel, insns in zip(first["kernel"], first["insns"]):
        assert abs(kernel - insns) <= AROUND, first
    # No hart spins and no counter is shared: the next run counts the same
    # but for those few instructions.
    second = counted_run(elf, plugin, tmp_path / "counts2")
    for a, b in zip(first["insns"], second["insns"]):
        assert abs(a - b) <= AROUND, (first["insns"], second["insns"])
    # The exit line has every hart's instructions since reset.
    text = (tmp_path / "counts1").read_text()
    assert 'SMPCOUNT {"exit": 1, "insns": [' in text
