"""`make bench`: boot Pyrite under -icount and report guest instructions.

QEMU runs with `-icount shift=0,align=off,sleep=off`: one guest instruction
takes exactly 1 ns of virtual time and the RISC-V `time` CSR (10 MHz) advances
one tick per 100 instructions.  The kernel times its own loops with `rdtime`
and prints the results; this script only drives the console and converts.

The conversation with the kernel (pexpect on QEMU's serial console):

    <banner ...>
    pyrite> bench()                      <- typed by this script, then Enter
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

Adding benchmarks: write a function `step(console) -> dict of raw figures`
(usually `return run_bench_command(console, "some command", prompt=...)`) and
append it to STEPS.  User programs run from the shell fit the same shape.

PYRITE_TIMEOUT_SCALE (a float, default 1) multiplies every timeout, for slow
or loaded machines.
"""

import argparse
import io
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import sys
from pathlib import Path

import pexpect
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ELF = REPO_ROOT / "build" / "kernel" / "kernel.elf"
DEFAULT_OUT = REPO_ROOT / "build" / "bench.json"
FS_IMG = REPO_ROOT / "build" / "fs.img"

ICOUNT_ARGS = ["-icount", "shift=0,align=off,sleep=off"]
INSNS_PER_TICK = 100            # time CSR at 10 MHz, 1 instruction = 1 ns

PROMPT = "pyrite> "
ENTER = "\r"                    # what a terminal sends for the Enter key
PANIC = "panic:"

# Seconds, before PYRITE_TIMEOUT_SCALE.
BOOT_TIMEOUT = 60
COMMAND_TIMEOUT = 120
POWEROFF_TIMEOUT = 30

# Reference figures, in guest instructions, for the figures that have a
# counterpart elsewhere: xv6-riscv measured with the same method (as given
# in the processes and files issues).  figure -> (instructions, source).
XV6 = "xv6-riscv, same method (issues 3 and 4)"
REFERENCE = {
    "getpid": (1130, XV6),
    "sleep0": (1381, XV6),
    "fork_exit_wait": (473052, XV6),
    "sbrk_pair": (40561, XV6),
    "fork_exec_wait": (1526628, XV6),
    "pipe_roundtrip": (95802, XV6),
}

# Pyrite's targets (issues 3 and 4): figure -> most instructions allowed.
TARGETS = {
    "getpid": 3000,
    "sleep0": 3500,
    "fork_exit_wait": 300000,
    "sbrk_pair": 40000,
    "fork_exec_wait": 1200000,
    "pipe_roundtrip": 60000,          # issue 4
}

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
    env = os.environ if environ is None else environ
    text = env.get("PYRITE_TIMEOUT_SCALE", "").strip()
    if not text:
        return 1.0
    try:
        value = float(text)
    except ValueError:
        raise BenchError(f"PYRITE_TIMEOUT_SCALE={text!r} is not a number")
    if not value > 0 or math.isinf(value):
        raise BenchError(f"PYRITE_TIMEOUT_SCALE={text!r} must be a positive number")
    return value


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


def qemu_command(repo_root=REPO_ROOT, fsimg=None):
    """The QEMU command of `make -s print-qemu-cmd`, with icount added;
    fsimg: the disk image to boot (the benchmarks write to their disk)."""
    args = ["make", "-s", "--no-print-directory", "print-qemu-cmd"]
    if fsimg is not None:
        args.append("FSIMG=%s" % fsimg)
    out = subprocess.run(args, cwd=repo_root, capture_output=True, text=True)
    if out.returncode != 0:
        raise BenchError(f"make print-qemu-cmd failed:\n{out.stderr}")
    lines = [l for l in out.stdout.splitlines() if l.strip()]
    if not lines:
        raise BenchError("make print-qemu-cmd printed nothing")
    return shlex.split(lines[-1]) + ICOUNT_ARGS


# ---- the console ----

class Console:
    """A pexpect session on the kernel console that fails loudly.

    Every wait also watches for a panic and for QEMU exiting; either raises
    BenchError with the log so far.  `log()` returns everything read."""

    def __init__(self, argv, cwd=REPO_ROOT, scale=None):
        self.scale = timeout_scale() if scale is None else scale
        self.argv = list(argv)
        self._log = io.StringIO()
        self.child = pexpect.spawn(self.argv[0], self.argv[1:], cwd=str(cwd),
                                   encoding="utf-8", codec_errors="replace",
                                   echo=False, timeout=None, dimensions=(24, 200))
        self.child.logfile_read = self._log

    def log(self):
        return self._log.getvalue()

    def expect(self, pattern, timeout, what):
        """Wait for pattern (a literal string); return the text before it."""
        i = self.child.expect_exact([pattern, PANIC, pexpect.EOF, pexpect.TIMEOUT],
                                    timeout=timeout * self.scale)
        if i == 0:
            return self.child.before
        if i == 1:
            try:      # let the rest of the panic report arrive
                self.child.expect(pexpect.EOF, timeout=5 * self.scale)
            except pexpect.TIMEOUT:
                pass
            raise BenchError(f"kernel panic while waiting for {what}", self.log())
        if i == 2:
            raise BenchError(f"QEMU exited while waiting for {what}", self.log())
        raise BenchError(f"timed out after {timeout * self.scale:g}s waiting for {what}",
                         self.log())

    def type_line(self, line):
        self.child.send(line + ENTER)

    def command(self, line, prompt=PROMPT, timeout=COMMAND_TIMEOUT):
        """Type line at the prompt; return its output up to the next prompt."""
        self.type_line(line)
        return self.expect(prompt, timeout, f"{prompt!r} after {line!r}")

    def poweroff(self, line="poweroff()", timeout=POWEROFF_TIMEOUT):
        """Type line and wait for QEMU to exit with status 0."""
        self.type_line(line)
        i = self.child.expect_exact([pexpect.EOF, PANIC, pexpect.TIMEOUT],
                                    timeout=timeout * self.scale)
        if i == 1:
            raise BenchError(f"kernel panic after {line!r}", self.log())
        if i == 2:
            raise BenchError(f"QEMU still running {timeout * self.scale:g}s after {line!r}",
                             self.log())
        self.child.close()
        status = self.child.exitstatus
        if status != 0:
            why = f"status {status}" if status is not None else f"signal {self.child.signalstatus}"
            raise BenchError(f"QEMU exited with {why} after {line!r}", self.log())

    def close(self):
        if self.child.isalive():
            self.child.close(force=True)


def boot(console, prompt=PROMPT, timeout=BOOT_TIMEOUT):
    """Wait for the first prompt; return the boot output before it."""
    return console.expect(prompt, timeout, f"the first prompt {prompt!r}")


def run_bench_command(console, line, prompt=PROMPT, timeout=COMMAND_TIMEOUT):
    """Run line at prompt and return the raw figures of its BENCH lines.

    This is the building block for every benchmark, kernel or user program."""
    output = console.command(line, prompt=prompt, timeout=timeout)
    try:
        raw = parse_bench_lines(output)
    except BenchError as e:
        raise BenchError(str(e), console.log())
    if not raw:
        raise BenchError(f"no BENCH line in the output of {line!r}", console.log())
    return raw


SHELL_PROMPT = "$ "
ESCAPE = "\x1d"                 # Ctrl-]: the keyboard to the kernel monitor


def user_bench(console):
    """The processes' figures: the `bench` program at the shell."""
    return run_bench_command(console, "bench", prompt=SHELL_PROMPT)


def monitor_bench(console):
    """The kernel's own figures: Ctrl-] to the monitor, then bench()."""
    console.child.send(ESCAPE)
    console.expect(PROMPT, COMMAND_TIMEOUT, "the monitor prompt after Ctrl-]")
    return run_bench_command(console, "bench()")


# Boot waits for the shell's prompt; the steps run in order after it, each
# returning raw figures.
BOOT_PROMPT = SHELL_PROMPT
STEPS = [user_bench, monitor_bench]


def run(argv, steps=None, cwd=REPO_ROOT, scale=None):
    """Boot argv, run the steps, power off; return the merged raw figures."""
    console = Console(argv, cwd=cwd, scale=scale)
    try:
        boot(console, prompt=BOOT_PROMPT)
        raw = {}
        for step in (STEPS if steps is None else steps):
            raw.update(step(console))
        console.poweroff()
        return raw
    finally:
        console.close()


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
    ap.add_argument("--elf", default=str(DEFAULT_ELF), help="kernel ELF for the image sizes")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="where to write the JSON report")
    args = ap.parse_args(argv)
    # A private copy of the disk: the benchmarks create and delete files.
    scratch = tempfile.mkdtemp(prefix="pyrite-bench-")
    try:
        fsimg = None
        if FS_IMG.exists():
            fsimg = os.path.join(scratch, "fs.img")
            shutil.copyfile(FS_IMG, fsimg)
        cmd = qemu_command(fsimg=fsimg) if fsimg else qemu_command()
        qemu = shlex.join(cmd)
        print(f"bench: {qemu}", flush=True)
        raw = run(cmd)
        result = report(raw, args.elf, qemu, args.out)
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
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
