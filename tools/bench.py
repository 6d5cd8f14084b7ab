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

With --sched (`make bench` gives it) the machine is booted once more per
scheduling policy (SCHED_POLICIES, `-append sched=NAME`) to run
user/schedbench.c and the monitor's sched.bench_tick(), which print
`SCHED {json}` lines: wake-up latency beside 4 hogs, an EDF task set at 90%
beside 4 hogs, fairness, the switch round trip and the cost of a
scheduling timer event.  They go to build/bench.json's "sched" and, with
--readme, into the table between SCHED_BEGIN and SCHED_END.

With --smp (`make bench` gives it) two more boots, `-smp 1` and `-smp 4`,
without -icount, count each hart's instructions with a QEMU plugin while
user/smpbench.c runs its workloads (tools/smpbench.py says how and why):
build/bench.json's "smp" and, with --readme, the table between
smpbench.SMP_BEGIN and smpbench.SMP_END.

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
from tests.qemu.shell import (ESCAPE, SHELL, power_off, poweroff, sh,  # noqa: E402
                              to_monitor)
from tools import smpbench                                        # noqa: E402

DEFAULT_ELF = REPO_ROOT / "build" / "kernel" / "kernel.elf"
DEFAULT_OUT = REPO_ROOT / "build" / "bench.json"

ICOUNT_ARGS = ["-icount", "shift=0,align=off,sleep=off"]
# Under -icount sleep=off QEMU notices a device's interrupt only at a timer
# deadline, and an idle Pyrite sets none: `idlewake` makes idle set one
# (kernel/thread/kthread.py boot_choice, cstubs/trap.c).
BOOTARGS = "idlewake=1000"
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
    "getpid": 1500,
    "sleep0": 1800,
    "fork_exit_wait": 300000,
    "sbrk_pair": 40000,
    "fork_exec_wait": 1200000,
    "pipe_roundtrip": 60000,
    "switch_roundtrip": 15000,
    "fs_write_1m": 150000000,
    "fs_read_1m": 30000000,
    "create_delete_100": 120000000,
}

# Targets relative to another figure: figure -> (other figure, divisor):
# a park/unpark round trip between two LWPs at most half a pipe's.
RELATIVE_TARGETS = {
    "lwp_park_roundtrip": ("pipe_roundtrip", 2),
}


def targets_for(figures, targets=None):
    """TARGETS (or targets), with the relative ones worked out from figures."""
    result = dict(TARGETS if targets is None else targets)
    if targets is None:
        for name, (other, divisor) in RELATIVE_TARGETS.items():
            if other in figures:
                result[name] = figures[other] // divisor
    return result

# The figures every run must measure, in the README table's order: figure ->
# what it is.
FIGURES = {
    "getpid": "getpid round trip",
    "sleep0": "sleep(0)",
    "fork_exit_wait": "fork + exit + wait",
    "sbrk_pair": "sbrk(4096) + sbrk(-4096)",
    "fork_exec_wait": "fork + exec + wait (from the file system)",
    "pipe_roundtrip": "pipe ping-pong round trip",
    "lwp_create_join": "LWP create + join (beside fork + exit + wait)",
    "lwp_park_roundtrip": "LWP park/unpark round trip (target: half the pipe's)",
    "mutex_handoff": "contended mutex hand-off (thread library, with 2 yields)",
    "note_roundtrip": "note round trip (postnote to self, handler, `noted`)",
    "switch_roundtrip": "context switch round trip (processes, `yield`)",
    "kthread_switch_roundtrip": "kernel-thread switch round trip",
    "boot_banner": "boot to the banner",
    "boot_prompt": "boot to the monitor's prompt",
    "boot_shell": "boot to the shell's prompt (its first read of the console)",
    "fs_write_1m": "create a file, write 1 MiB in 4 KiB calls",
    "fs_read_1m": "read the 1 MiB back in 4 KiB calls",
    "create_delete_100": "create 100 empty files, unlink them",
}

# The scheduler's figures, one row per policy (user/schedbench.c, and the
# monitor's sched.bench_tick()), each policy booted on its own: the policies
# and the columns, figure -> (heading, target or None).
SCHED_POLICIES = ("rr", "plan9", "edf+plan9")
SCHED_COLUMNS = {
    "wakeup_mean_us": ("wake-up latency, 4 hogs: mean (us)", None),
    "wakeup_max_us": ("max (us)", None),
    "edf_misses": ("EDF 90% set beside 4 hogs: misses", None),
    "jain_milli": ("fairness of 4 hogs (Jain x1000)", None),
    "switch_roundtrip": ("switch round trip (instructions)", None),
    "tick": ("scheduling timer event (instructions)", None),
}
# Targets: Plan 9's wake-up latency; no EDF misses; fair round robin and
# Plan 9 (Jain >= 0.99).  The switch and tick costs are compared with
# round robin's (at most 20% more).
SCHED_TARGETS = {
    ("plan9", "wakeup_max_us"): 1000,
    ("edf+plan9", "edf_misses"): 0,
}
SCHED_MIN_TARGETS = {("rr", "jain_milli"): 990, ("plan9", "jain_milli"): 990}
SCHED_BEGIN = "<!-- sched-bench:begin: written by `make bench` (tools/bench.py) from build/bench.json -->"
SCHED_END = "<!-- sched-bench:end -->"
_SCHED_RE = re.compile(r"^SCHED (\{.*\})\s*$")

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
    targets = targets_for(figures, targets)
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
    targets = targets_for(figures, targets)
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


def replace_table(text, table, begin=README_BEGIN, end=README_END):
    """text with what lies between begin and end (README_BEGIN and
    README_END) replaced by table (BenchError if the markers are not
    there, once each, in order)."""
    if text.count(begin) != 1 or text.count(end) != 1:
        raise BenchError("the README needs the lines %r and %r, once each" % (begin, end))
    head, rest = text.split(begin)
    if end not in rest:
        raise BenchError("%r comes before %r in the README" % (end, begin))
    _, tail = rest.split(end)
    return head + begin + "\n" + table + "\n" + end + tail


def parse_sched_lines(text):
    """Merge the JSON objects of every `SCHED {json}` line in text; the
    _centiticks figures become instructions (without the suffix)."""
    raw = {}
    for line in text.replace("\r", "").splitlines():
        m = _SCHED_RE.match(line.strip())
        if m:
            try:
                raw.update(json.loads(m.group(1)))
            except ValueError as e:
                raise BenchError(f"bad SCHED line ({e}): {line!r}")
    figures = {}
    for key, value in raw.items():
        if key.endswith("_centiticks"):
            figures[key[: -len("_centiticks")]] = int(value * INSNS_PER_TICK / 100)
        else:
            figures[key] = value
    return figures


def sched_verdicts(rows):
    """(policy, figure, verdict) for each target: "met" or "MISSED"."""
    out = []
    for (policy, name), most in SCHED_TARGETS.items():
        value = rows.get(policy, {}).get(name)
        out.append((policy, name, "met" if value is not None and value <= most else "MISSED"))
    for (policy, name), least in SCHED_MIN_TARGETS.items():
        value = rows.get(policy, {}).get(name)
        out.append((policy, name, "met" if value is not None and value >= least else "MISSED"))
    rr = rows.get("rr", {})
    for policy in rows:
        for name in ("switch_roundtrip", "tick"):
            if policy != "rr" and name in rr and name in rows[policy]:
                ok = rows[policy][name] <= rr[name] * 12 // 10
                out.append((policy, name, "met" if ok else "MISSED"))
    return out


def sched_table(rows):
    """The README's scheduler table (Markdown): a row per policy."""
    lines = ["| policy | " + " | ".join(h for h, _ in SCHED_COLUMNS.values()) + " |",
             "| --- |" + " ---: |" * len(SCHED_COLUMNS)]
    for policy, figures in rows.items():
        cells = []
        for name in SCHED_COLUMNS:
            value = figures.get(name)
            if name == "edf_misses" and not figures.get("edf_admitted"):
                cells.append("%s (not admitted: no EDF)" % value)
            elif value is None:
                cells.append("")
            else:
                cells.append(f"{value:,}")
        lines.append(f"| {policy} | " + " | ".join(cells) + " |")
    targets = ["%s %s %s" % v for v in sched_verdicts(rows)]
    lines.append("")
    lines.append("Targets (Plan 9 wake-up max <= 1000 us; EDF 0 misses; Jain >= 990 for rr "
                 "and plan9; switch and tick <= 1.2x round robin's): " + "; ".join(targets) + ".")
    return "\n".join(lines)


def qemu_command(fsimg=None):
    """The QEMU command of `make -s print-qemu-cmd` (the kernel PYRITE_KERNEL
    names, if set), with icount added; fsimg: the disk image to boot."""
    make_vars = {} if fsimg is None else {"FSIMG": fsimg}
    kernel = os.environ.get("PYRITE_KERNEL") or None
    try:
        return qemu_machine.qemu_command(kernel, make_vars) + ["-append", BOOTARGS] + ICOUNT_ARGS
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


def sched_step(m):
    """The scheduler's figures on a machine booted with one policy."""
    try:
        out = sh(m, "schedbench", COMMAND_TIMEOUT * 3)
    except MachineError as e:
        raise _failed(m, e, "running schedbench", COMMAND_TIMEOUT * 3) from None
    figures = parse_sched_lines(out)
    m.send_raw(ESCAPE)
    try:
        m.prompt(COMMAND_TIMEOUT)
        figures.update(parse_sched_lines(m.run("sched.bench_tick()", COMMAND_TIMEOUT)))
    except MachineError as e:
        raise _failed(m, e, "running sched.bench_tick()", COMMAND_TIMEOUT) from None
    return figures


def run_sched(cmd, policies=SCHED_POLICIES, scale=None):
    """Boot once per policy (`-append sched=NAME`); {policy: figures}."""
    rows = {}
    for policy in policies:
        argv = list(cmd)
        argv[argv.index("-append") + 1] = BOOTARGS + " sched=" + policy
        try:
            m = Machine(command=argv, qmp=False, wait_prompt=False, scale=scale,
                        name="bench-" + policy)
        except Exception as e:
            raise BenchError("cannot start %s: %s" % (shlex.join(argv), e)) from None
        try:
            boot(m, prompt=BOOT_PROMPT)
            rows[policy] = sched_step(m)
            try:
                poweroff(m, POWEROFF_TIMEOUT)
            except MachineError as e:
                raise BenchError(str(e), m.transcript) from None
        finally:
            m.close()
    return rows


def smp_qemu_command(fsimg, cpus):
    """The Makefile's QEMU command with CPUS=cpus, without -icount (the
    plugin counts instructions: tools/smpbench.py)."""
    kernel = os.environ.get("PYRITE_KERNEL") or None
    try:
        return qemu_machine.qemu_command(kernel, {"FSIMG": fsimg, "CPUS": cpus})
    except RuntimeError as e:
        raise BenchError(str(e)) from None


def smp_monitor(m, expr):
    """From the shell's prompt: Ctrl-] to the monitor, evaluate expr, back
    to the shell; what it printed."""
    to_monitor(m)
    out = m.run(expr, COMMAND_TIMEOUT)
    m.send_raw(ESCAPE)
    m.expect_exact("[back to the programs]", COMMAND_TIMEOUT)
    m.send_line("")
    m.expect_exact(SHELL, COMMAND_TIMEOUT)
    return out


def run_smp(fsimg, scale=None, quick=False):
    """The multi-hart figures: {"rows": table rows, "runs": every count,
    "failed": {workload: why}}; quick: a fiftieth of the work, one run."""
    workloads = smpbench.quick_workloads(50) if quick else None
    try:
        rows, runs, failed = smpbench.measure(fsimg, Machine, smp_qemu_command, sh, power_off,
                                              smp_monitor, scale, workloads,
                                              1 if quick else smpbench.RUNS)
    except smpbench.SmpError as e:
        raise BenchError(str(e), e.log) from None
    return {"rows": rows, "runs": runs, "failed": failed}


def report(raw, elf_path, qemu, out_path, sched=None, smp=None):
    figures = to_instructions(raw)
    image = image_sizes(elf_path) if Path(elf_path).exists() else {}
    result = {"figures": figures, "image": image, "qemu": qemu, "raw": raw}
    if sched is not None:
        result["sched"] = sched
    if smp is not None:
        result["smp"] = smp
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
    ap.add_argument("--sched", action="store_true", help="also boot once per scheduling "
                    "policy for the scheduler's table (user/schedbench.c)")
    ap.add_argument("--sched-only", action="store_true", help="only the per-policy runs")
    ap.add_argument("--smp", action="store_true", help="also boot with 1 and 4 harts for "
                    "the multi-hart table (user/smpbench.c, counted by tools/smpcount.c)")
    ap.add_argument("--smp-only", action="store_true", help="only the multi-hart runs")
    ap.add_argument("--smp-quick", action="store_true", help="the multi-hart workloads "
                    "with a fiftieth of their work, run once (for the tests)")
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
        only = args.sched_only or args.smp_only
        raw = run(cmd) if not only else {}
        sched = run_sched(cmd) if args.sched or args.sched_only else None
        smp = run_smp(str(fsimg), quick=args.smp_quick) if args.smp or args.smp_only else None
        if args.readme:         # check before writing anything
            readme = Path(args.readme)
            text = readme.read_text()
            if not only:
                text = replace_table(text, readme_table(to_instructions(raw)))
            if sched is not None:
                text = replace_table(text, sched_table(sched), SCHED_BEGIN, SCHED_END)
            if smp is not None:
                text = replace_table(text, smpbench.table(smp["rows"], smp["failed"]),
                                     smpbench.SMP_BEGIN, smpbench.SMP_END)
        result = report(raw, args.elf, qemu, args.out, sched, smp)
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
    if not args.smp_only:
        print(format_table(result["figures"], result["image"]))
    if sched is not None:
        print()
        print(sched_table(sched))
    if smp is not None:
        print()
        print(smpbench.table(smp["rows"], smp["failed"]))
        for name, why in smp["failed"].items():
            print("bench: smpbench %s failed: %s (console log in %s)" % (name, why, smpbench.LOG_DIR))
    skipped = unconverted(raw)
    if skipped:
        print(f"not converted (no _ticks/_centiticks suffix): {', '.join(skipped)}")
    print(f"wrote {args.out}" + (f" and the table in {args.readme}" if args.readme else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
