"""`make bench`: boot Pyrite under -icount and report guest instructions.

QEMU runs with `-icount shift=0,align=off,sleep=off`: one guest instruction
takes exactly 1 ns of virtual time and the RISC-V `time` CSR (10 MHz) advances
one tick per 100 instructions.  The kernel times its own loops with `rdtime`
and prints the results; this script only drives the console and converts.
It drives it with the QEMU tests' console driver (tests/qemu/machine.py's
Machine, tests/qemu/shell.py's helpers): one driver, one timeout scale.

The conversation with the kernel (pexpect on QEMU's serial console):

    <banner ...>
    $ bench                              <- the user program: process figures
    BENCH {"getpid_centiticks": 1950}
    $ <Ctrl-]>                           <- to the kernel monitor
    pyrite> bench()                      <- the kernel's own figures
    BENCH {"boot_banner_ticks": 1234, "kthread_switch_roundtrip_centiticks": 4512}
    pyrite> poweroff()                   <- QEMU must then exit with status 0

A `BENCH {json}` line is a JSON object on one line.  Keys ending in `_ticks`
are `time` ticks per operation; keys ending in `_centiticks` are hundredths of
a tick (for figures below one tick).  Each becomes a figure named without the
suffix, in guest instructions: ticks x 100, centiticks x 1.  Several BENCH
lines may appear; later keys override earlier ones.

The report is a table on stdout and build/bench.json:

    {"figures": {name: instructions}, "image": {section: bytes},
     "qemu": "<command line>", "raw": {key as printed: value}}

With --readme FILE (`make bench` gives README.md), the figures table of
FIGURES is written into FILE between the lines README_BEGIN and README_END:
the README's figures always come from a run.  Every figure of FIGURES must
be measured, or the run fails.

The machine boots a private disk image made fresh by the Makefile's mkfs
recipe (the benchmarks make and delete files; build/fs.img holds whatever a
person left there), and the kernel PYRITE_KERNEL names, if set, as in the
tests, else the Makefile's build/kernel/kernel.elf.

Adding benchmarks: write a function `step(machine) -> dict of raw figures`
(usually `return run_bench_command(machine, "some command", prompt=...)`) and
append it to STEPS.  User programs run from the shell fit the same shape.

PYRITE_TIMEOUT_SCALE (a float, default 1) multiplies every timeout, for slow
or loaded machines.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

REPO_ROOT = Path(__file__).resolve().parents[1]
# The console driver lives with the tests (tests/qemu/machine.py); the repo
# root on the path makes `tests` importable wherever this runs from.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.qemu import machine as qemu_machine                    # noqa: E402
from tests.qemu.machine import (Machine, MachineError, MachineTimeout,  # noqa: E402
                                make_fs_image)
from tests.qemu.shell import ESCAPE, SHELL, poweroff, sh          # noqa: E402

DEFAULT_ELF = REPO_ROOT / "build" / "kernel" / "kernel.elf"
DEFAULT_OUT = REPO_ROOT / "build" / "bench.json"

ICOUNT_ARGS = ["-icount", "shift=0,align=off,sleep=off"]
INSNS_PER_TICK = 100            # time CSR at 10 MHz, 1 instruction = 1 ns

PROMPT = qemu_machine.PROMPT     # the kernel monitor's
PANIC = "panic:"

# Seconds, before PYRITE_TIMEOUT_SCALE.
BOOT_TIMEOUT = 60
COMMAND_TIMEOUT = 120
POWEROFF_TIMEOUT = 30

# Reference figures, in guest instructions, for the figures that have a
# counterpart elsewhere: figure -> (instructions, source).
XV6 = "xv6-riscv measured with the same method (-icount, rdtime loops)"
REFERENCE = {
    "getpid": (1130, XV6),
    "sleep0": (1381, XV6),
    "fork_exit_wait": (473052, XV6),
    "sbrk_pair": (40561, XV6),
    "fork_exec_wait": (1526628, XV6),
    "pipe_roundtrip": (95802, XV6),
}

# Pyrite's targets: figure -> most instructions allowed.
TARGETS = {
    "getpid": 3000,
    "sleep0": 3500,
    "fork_exit_wait": 300000,
    "sbrk_pair": 40000,
    "fork_exec_wait": 1200000,
    "pipe_roundtrip": 60000,
}

# The figures every run must measure, in the README table's order: figure ->
# what it is.
FIGURES = {
    "getpid": "getpid round trip",
    "sleep0": "sleep(0)",
    "fork_exit_wait": "fork + exit + wait",
    "sbrk_pair": "sbrk(4096) + sbrk(-4096)",
    "fork_exec_wait": "fork + exec + wait (from the file system)",
    "pipe_roundtrip": "pipe ping-pong round trip",
    "switch_roundtrip": "context switch round trip (processes, `yield`)",
    "kthread_switch_roundtrip": "kernel-thread switch round trip",
    "boot_banner": "boot to the banner",
    "boot_prompt": "boot to the monitor's prompt",
    "boot_shell": "boot to the shell's prompt (its first read of the console)",
    "fs_write_1m": "create a file, write 1 MiB in 4 KiB calls",
    "fs_read_1m": "read the 1 MiB back in 4 KiB calls",
    "create_delete_100": "create 100 empty files, unlink them",
}

# The README's figures table sits between these lines.
README_BEGIN = "<!-- bench:begin: written by `make bench` (tools/bench.py) from build/bench.json -->"
README_END = "<!-- bench:end -->"

# Section name prefixes summed into the image sizes, in report order.
IMAGE_SECTIONS = {
    "text": (".text",),
    "rodata": (".rodata", ".srodata"),
    "data": (".data", ".sdata"),
    "bss": (".bss", ".sbss"),
    "noinit": (".noinit",),
}

_BENCH_RE = re.compile(r"^BENCH (\{.*\})\s*$")


class BenchError(Exception):
    """A benchmark run failed; the console log so far travels with it."""

    def __init__(self, message, log=""):
        super().__init__(message)
        self.log = log


# ---- pure parsing and conversion (host-testable) ----

def timeout_scale(environ=None):
    """PYRITE_TIMEOUT_SCALE (tests/qemu/machine.py reads it), or BenchError."""
    try:
        return qemu_machine.timeout_scale(environ)
    except ValueError as e:
        raise BenchError(str(e)) from None


def parse_bench_lines(text):
    """Merge the JSON objects of every `BENCH {json}` line in text.

    Raises BenchError on a BENCH line that is not a JSON object of numbers."""
    raw = {}
    for line in text.splitlines():
        m = _BENCH_RE.match(line.strip("\r"))
        if not m:
            continue
        try:
            obj = json.loads(m.group(1))
        except ValueError as e:
            raise BenchError(f"bad BENCH line ({e}): {line!r}")
        if not isinstance(obj, dict):
            raise BenchError(f"BENCH line is not a JSON object: {line!r}")
        for key, value in obj.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise BenchError(f"BENCH figure {key!r} is not a number: {value!r}")
        raw.update(obj)
    return raw


def figure_name(key):
    """(figure name, instructions per unit) for a raw key, or None."""
    if key.endswith("_centiticks"):
        return key[: -len("_centiticks")], INSNS_PER_TICK / 100
    if key.endswith("_ticks"):
        return key[: -len("_ticks")], INSNS_PER_TICK
    return None


def to_instructions(raw):
    """Raw figures (ticks or centiticks) -> {figure: guest instructions}.

    Keys with another suffix are not converted (see unconverted())."""
    figures = {}
    for key, value in raw.items():
        conv = figure_name(key)
        if conv is None:
            continue
        name, per_unit = conv
        insns = value * per_unit
        figures[name] = int(round(insns)) if abs(insns - round(insns)) < 1e-6 else round(insns, 2)
    return figures


def unconverted(raw):
    return sorted(k for k in raw if figure_name(k) is None)


def image_sizes(elf_path):
    """Bytes per image part (text, rodata, data, bss, noinit if present),
    summing allocated sections by name prefix."""
    sizes = {}
    with open(elf_path, "rb") as f:
        elf = ELFFile(f)
        for sec in elf.iter_sections():
            if not sec["sh_flags"] & SH_FLAGS.SHF_ALLOC:
                continue
            for part, prefixes in IMAGE_SECTIONS.items():
                if any(sec.name == p or sec.name.startswith(p + ".") for p in prefixes):
                    sizes[part] = sizes.get(part, 0) + sec["sh_size"]
                    break
    return {part: sizes[part] for part in IMAGE_SECTIONS
            if part in sizes and (part != "noinit" or sizes[part])}


def format_table(figures, image=None, reference=None, targets=None):
    """The human-readable report."""
    reference = REFERENCE if reference is None else reference
    targets = TARGETS if targets is None else targets
    rows = [("figure", "instructions", "reference", "ratio", "target")]
    for name in sorted(figures):
        value = figures[name]
        ref = reference.get(name)
        if ref is not None:
            ref_value = ref[0] if isinstance(ref, (tuple, list)) else ref
            ref_text = f"{ref_value:,}"
            ratio = f"{value / ref_value:.2f}x" if ref_value else ""
        else:
            ref_text = ratio = ""
        target = targets.get(name)
        if target is None:
            target_text = ""
        else:
            target_text = f"{target:,} {'met' if value <= target else 'MISSED'}"
        rows.append((name, f"{value:,}", ref_text, ratio, target_text))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for i, r in enumerate(rows):
        lines.append(f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  "
                     f"{r[2]:>{widths[2]}}  {r[3]:>{widths[3]}}  {r[4]:>{widths[4]}}".rstrip())
        if i == 0:
            lines.append("-" * len(lines[0]))
    sources = [f"  {n}: {reference[n][1]}" for n in sorted(figures)
               if isinstance(reference.get(n), (tuple, list)) and len(reference[n]) > 1]
    if sources:
        lines.append("references:")
        lines.extend(sources)
    if image:
        lines.append("")
        lines.append("image (bytes):")
        w = max(len(k) for k in image)
        for part, size in image.items():
            lines.append(f"  {part:<{w}}  {size:>10,}")
        lines.append(f"  {'total':<{w}}  {sum(image.values()):>10,}")
    return "\n".join(lines)


def readme_table(figures, reference=None, targets=None):
    """The README's figures table (Markdown) for FIGURES; BenchError if
    one of them was not measured."""
    reference = REFERENCE if reference is None else reference
    targets = TARGETS if targets is None else targets
    missing = [name for name in FIGURES if name not in figures]
    if missing:
        raise BenchError("figures not measured: %s" % ", ".join(missing))
    lines = ["| figure | Pyrite | xv6-riscv | target |", "| --- | ---: | ---: | ---: |"]
    for name, what in FIGURES.items():
        value = figures[name]
        ref = f"{reference[name][0]:,}" if name in reference else ""
        target = ""
        if name in targets:
            target = f"≤ {targets[name]:,}" + ("" if value <= targets[name] else " (missed)")
        lines.append(f"| {what} | {value:,} | {ref} | {target} |")
    return "\n".join(lines)


def replace_table(text, table):
    """text with what lies between README_BEGIN and README_END replaced by
    table (BenchError if the markers are not there, once each, in order)."""
    if text.count(README_BEGIN) != 1 or text.count(README_END) != 1:
        raise BenchError("the README needs the lines %r and %r, once each"
                         % (README_BEGIN, README_END))
    head, rest = text.split(README_BEGIN)
    if README_END not in rest:
        raise BenchError("%r comes before %r in the README" % (README_END, README_BEGIN))
    _, tail = rest.split(README_END)
    return head + README_BEGIN + "\n" + table + "\n" + README_END + tail


def qemu_command(fsimg=None):
    """The QEMU command of `make -s print-qemu-cmd` (the kernel PYRITE_KERNEL
    names, if set), with icount added; fsimg: the disk image to boot."""
    make_vars = {} if fsimg is None else {"FSIMG": fsimg}
    kernel = os.environ.get("PYRITE_KERNEL") or None
    try:
        return qemu_machine.qemu_command(kernel, make_vars) + ICOUNT_ARGS
    except RuntimeError as e:
        raise BenchError(str(e)) from None


# ---- driving the machine ----

def _failed(m, error, doing, timeout):
    """BenchError for the driver's MachineError while doing something: a
    kernel panic (which powers the machine off), QEMU gone, or a timeout."""
    if PANIC in m.transcript:
        why = "kernel panic"
    elif isinstance(error, MachineTimeout):
        why = "timed out after %gs" % m.scaled(timeout)
    else:
        why = "QEMU exited"
    return BenchError("%s while %s" % (why, doing), m.transcript)


def boot(m, prompt=SHELL, timeout=BOOT_TIMEOUT):
    """Wait for the first prompt; return the boot output before it."""
    try:
        return m.expect_exact(prompt, timeout)
    except MachineError as e:
        raise _failed(m, e, "waiting for the first prompt %r" % prompt, timeout) from None


def run_bench_command(m, line, prompt=PROMPT, timeout=COMMAND_TIMEOUT):
    """Run line at prompt (the shell's SHELL or the monitor's PROMPT) and
    return the raw figures of its BENCH lines.

    This is the building block for every benchmark, kernel or user program."""
    try:
        output = sh(m, line, timeout) if prompt == SHELL else m.run(line, timeout)
    except MachineError as e:
        raise _failed(m, e, "running %r" % line, timeout) from None
    try:
        raw = parse_bench_lines(output)
    except BenchError as e:
        raise BenchError(str(e), m.transcript)
    if not raw:
        raise BenchError(f"no BENCH line in the output of {line!r}", m.transcript)
    return raw


def user_bench(m):
    """The processes' figures: the `bench` program at the shell."""
    return run_bench_command(m, "bench", prompt=SHELL)


def monitor_bench(m):
    """The kernel's own figures: Ctrl-] to the monitor, then bench()."""
    # Only the prompt is awaited, not shell.to_monitor()'s banner line: the
    # host tests drive this with a fake kernel that prints another.
    m.send_raw(ESCAPE)
    try:
        m.prompt(COMMAND_TIMEOUT)
    except MachineError as e:
        raise _failed(m, e, "waiting for the monitor prompt after Ctrl-]", COMMAND_TIMEOUT) from None
    return run_bench_command(m, "bench()")


# Boot waits for the shell's prompt; the steps run in order after it, each
# returning raw figures.
BOOT_PROMPT = SHELL
STEPS = [user_bench, monitor_bench]


def run(argv, steps=None, scale=None):
    """Boot argv, run the steps, power off; return the merged raw figures."""
    try:
        m = Machine(command=argv, qmp=False, wait_prompt=False, scale=scale, name="bench")
    except Exception as e:
        raise BenchError("cannot start %s: %s" % (shlex.join(argv), e)) from None
    try:
        boot(m, prompt=BOOT_PROMPT)
        raw = {}
        for step in (STEPS if steps is None else steps):
            raw.update(step(m))
        try:
            poweroff(m, POWEROFF_TIMEOUT)       # QEMU must exit with status 0
        except MachineTimeout as e:
            raise _failed(m, e, "powering off", POWEROFF_TIMEOUT) from None
        except MachineError as e:               # another status
            raise BenchError(str(e), m.transcript) from None
        return raw
    finally:
        m.close()


def report(raw, elf_path, qemu, out_path):
    figures = to_instructions(raw)
    image = image_sizes(elf_path) if Path(elf_path).exists() else {}
    result = {"figures": figures, "image": image, "qemu": qemu, "raw": raw}
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n")[0])
    ap.add_argument("--elf", default=os.environ.get("PYRITE_KERNEL") or str(DEFAULT_ELF),
                    help="kernel ELF for the image sizes (default: the one booted)")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="where to write the JSON report")
    ap.add_argument("--readme", help="write the figures table into this file, between "
                    "its bench:begin and bench:end lines")
    args = ap.parse_args(argv)
    # A private, fresh disk: the benchmarks create and delete files.
    scratch = tempfile.mkdtemp(prefix="pyrite-bench-")
    try:
        try:
            fsimg = make_fs_image(os.path.join(scratch, "fs.img"))
        except RuntimeError as e:
            raise BenchError(str(e)) from None
        cmd = qemu_command(fsimg=str(fsimg))
        qemu = shlex.join(cmd)
        print(f"bench: {qemu}", flush=True)
        raw = run(cmd)
        if args.readme:         # check before writing anything
            readme = Path(args.readme)
            text = replace_table(readme.read_text(), readme_table(to_instructions(raw)))
        result = report(raw, args.elf, qemu, args.out)
        if args.readme:
            readme.write_text(text)
    except BenchError as e:
        if e.log:
            log = re.sub(r"\r+\n", "\n", e.log)
            try:    # a panic prints raw addresses: name them
                from tools.symbolize import annotate
                log = annotate(args.elf, log)
            except Exception:
                pass
            sys.stderr.write("---- console log ----\n")
            sys.stderr.write(log)
            if not e.log.endswith("\n"):
                sys.stderr.write("\n")
            sys.stderr.write("---- end of console log ----\n")
        sys.stderr.write(f"bench: FAILED: {e}\n")
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(format_table(result["figures"], result["image"]))
    skipped = unconverted(raw)
    if skipped:
        print(f"not converted (no _ticks/_centiticks suffix): {', '.join(skipped)}")
    print(f"wrote {args.out}" + (f" and the table in {args.readme}" if args.readme else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
