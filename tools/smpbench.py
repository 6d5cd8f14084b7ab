"""make bench's multi-hart figures: per-hart instruction counts from a QEMU plugin.

Why not -icount, like the other figures: under -icount QEMU runs every vCPU
round robin on one host thread, and the virtual clock (the guest's `time`)
advances with the instructions of all harts together, so four busy harts
take as long in guest time as one.  Wall time cannot show a speedup either
on a host with fewer cores than harts.  What does: how many instructions
each hart executed.  tools/smpcount.c, a TCG plugin, counts them per vCPU
between two marker instructions that user/smpbench.c executes around its
workload, and writes every hart's count at the stop marker.

The critical path of a run is the largest per-hart count between the
markers: the harts run at once, so the run takes as long as its busiest
hart.  The work is the same on 1 hart and on 4, so throughput = work /
critical path, and the speedup of 4 harts is the 1-hart critical path over
the 4-hart one.  A hart that waits idles in `wfi` and executes nothing
(so do the interpreter lock's waiters).  A hart that spins for a lock
(a spinlock) would count its spinning, but how long it
spins on this host says more about the host than the guest: with fewer
host cores than harts, the vCPU holding the lock is often not running
while the others spin.  So the plugin counts apart what runs in the
kernel's spinning functions (SPIN_FUNCTIONS, found in the kernel ELF) and
what runs at kernel addresses, and the critical path is the busiest
hart's count less its spinning -- or, if more, all the harts' kernel
instructions less spinning together: the kernel's Python runs on one hart
at a time (the interpreter lock), so that much cannot overlap.

Two boots, `-smp 1` and `-smp 4` (the Makefile's CPUS=, which also gives
`-machine virt,aclint=on`), without -icount, each running every workload
of WORKLOADS four times at the shell (`smpbench NAME ITERS`): the first
warms the caches (the program file exec reads, the README's blocks), the
figures are the median of the other three, and the table shows how far
apart they were.  On the 4-hart boot one more run of each, bracketed by
visits to the kernel monitor, reads the harts' time waiting for the
interpreter lock (kern.hart_stats).

The plugin is built here from tools/smpcount.c with the host's C compiler
(build/smpcount.so, remade when the source is newer): QEMU's plugin API is a
plain C ABI, so no QEMU headers are needed.
"""

import json
import os
import re
import shlex
import subprocess
import tempfile
from pathlib import Path

from elftools.elf.elffile import ELFFile

REPO_ROOT = Path(__file__).resolve().parents[1]
LOG_DIR = REPO_ROOT / "build" / "test-logs"      # console logs of failed boots

PLUGIN_SRC = REPO_ROOT / "tools" / "smpcount.c"
PLUGIN = REPO_ROOT / "build" / "smpcount.so"
HOST_CC = os.environ.get("HOSTCC", "gcc")

SMP_HARTS = 4               # the parallel boot; the other boots 1 hart
KERNEL_BASE = 0x80000000    # the kernel's code lies above, user code below
# The kernel's functions that spin for a lock (cstubs/pylock.c's ticket
# lock, cstubs/spinlock.c): what a hart executes there is waiting.
SPIN_FUNCTIONS = ("take", "spin_lock")
RUNS = 3                    # each workload this often per boot (after a warm-up)

# The workloads, in the table's order: name -> (iterations, what it is,
# with {} for the iterations).
# The parallel ones are long enough that what only hart 0 does (the forks,
# exec, the waits: a few hundred thousand instructions each) is a small
# part of the 4-hart critical path.
WORKLOADS = {
    "cpu": (5000000, "4 CPU-bound processes ({:,} rounds each, no system calls)"),
    "sys": (40, "4 system-call-heavy processes ({:,} rounds each of getpid, pipe write+read, "
                "open+read+close)"),
    "pingpong": (200, "pipe ping-pong, {:,} round trips: per round trip"),
    "psum": (20000000, "`psum 4 {}`: 4 LWPs of one process (with its fork and exec)"),
}
# Speedup targets: workload -> least speedup (x100) of SMP_HARTS over 1 hart.
TARGETS = {"cpu": 350}

SMP_BEGIN = "<!-- smp-bench:begin: written by `make bench` (tools/bench.py --smp) from build/bench.json -->"
SMP_END = "<!-- smp-bench:end -->"

# The kernel monitor's expression for each hart's `time` ticks spent
# waiting for the interpreter lock so far (kern.hart_stats(h)[1]), or None
# from a kernel without it; printed on a line of its own.
LOCK_WAIT_EXPR = ('print("LOCKWAIT", [kern.hart_stats(h)[1] for h in range(kern.nharts())] '
                  'if hasattr(kern, "hart_stats") else None)')
_LOCK_RE = re.compile(r"^LOCKWAIT (\[[0-9, ]*\]|None)\s*$")

_COUNT_RE = re.compile(r"^SMPCOUNT (\{.*\})\s*$")
_BENCH_RE = re.compile(r"^SMPBENCH (\{.*\})\s*$")


class SmpError(Exception):
    """A multi-hart run failed; the console log so far travels with it."""

    def __init__(self, message, log=""):
        super().__init__(message)
        self.log = log


# ---- the plugin ----

def build_plugin(src=PLUGIN_SRC, out=PLUGIN, cc=HOST_CC):
    """Compile the plugin if it is missing or older than its source; its path."""
    src, out = Path(src), Path(out)
    if out.exists() and out.stat().st_mtime >= src.stat().st_mtime:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".so.tmp")
    cmd = [cc, "-shared", "-fPIC", "-O2", "-Wall", "-fvisibility=hidden",
           "-o", str(tmp), str(src), "-lpthread"]
    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if run.returncode != 0:
        raise SmpError("cannot build the plugin: %s\n%s" % (shlex.join(cmd), run.stdout))
    tmp.replace(out)
    return out


def plugin_args(plugin, counts_path, spin=()):
    """QEMU's arguments that load the plugin, writing to counts_path;
    spin: (lo, hi) address ranges whose instructions it counts apart."""
    args = "%s,out=%s,kernel=%#x" % (plugin, counts_path, KERNEL_BASE)
    for lo, hi in spin:
        args += ",spin=%#x-%#x" % (lo, hi)
    return ["-plugin", args]


def spin_ranges(elf_path, names=SPIN_FUNCTIONS):
    """The (start, end) addresses of the functions in names that the
    kernel ELF has."""
    ranges = []
    with open(elf_path, "rb") as f:
        symtab = ELFFile(f).get_section_by_name(".symtab")
        for name in names:
            for sym in (symtab.get_symbol_by_name(name) or []) if symtab else []:
                if sym["st_info"]["type"] == "STT_FUNC" and sym["st_size"]:
                    ranges.append((sym["st_value"], sym["st_value"] + sym["st_size"]))
    return ranges


# ---- parsing (host-testable) ----

def _json_lines(regex, text, what):
    found = []
    for line in text.replace("\r", "").splitlines():
        m = regex.match(line.strip())
        if m:
            try:
                obj = json.loads(m.group(1))
            except ValueError as e:
                raise SmpError("bad %s line (%s): %r" % (what, e, line))
            if not isinstance(obj, dict):
                raise SmpError("%s line is not a JSON object: %r" % (what, line))
            found.append(obj)
    return found


def parse_counts(text):
    """The plugin's stop reports, in order: [{"run", "by", "insns"}] (its
    exit line, which has no "run", is left out)."""
    runs = []
    for obj in _json_lines(_COUNT_RE, text, "SMPCOUNT"):
        if "run" not in obj:
            continue
        insns = obj.get("insns")
        for key in ("insns", "kernel", "spin"):
            counts = obj.setdefault(key, [0] * len(insns) if isinstance(insns, list) else None)
            if (not isinstance(counts, list) or not counts or len(counts) != len(insns)
                    or not all(type(n) is int and n >= 0 for n in counts)):
                raise SmpError("SMPCOUNT line without per-hart counts: %r" % (obj,))
        runs.append(obj)
    return runs


def parse_result(text):
    """The one SMPBENCH line of a workload's output, as a dict."""
    found = _json_lines(_BENCH_RE, text, "SMPBENCH")
    if len(found) != 1:
        raise SmpError("%d SMPBENCH lines in %r" % (len(found), text))
    return found[0]


def parse_lock_wait(text):
    """The LOCKWAIT line of LOCK_WAIT_EXPR's output: a list of ticks per
    hart, or None (the kernel keeps no such count)."""
    for line in text.replace("\r", "").splitlines():
        m = _LOCK_RE.match(line.strip())
        if m:
            return json.loads(m.group(1).replace("None", "null"))
    raise SmpError("no LOCKWAIT line in %r" % text)


def lock_wait_milli(before, after, nharts, ticks):
    """The share of the harts' time (nharts x ticks) they spent waiting for
    the interpreter lock between two LOCKWAIT readings, per mille; None
    when the kernel keeps no count."""
    if before is None or after is None or not ticks or not nharts:
        return None
    waited = sum(a - b for a, b in zip(after[:nharts], before[:nharts]))
    return waited * 1000 // (nharts * ticks)


def work(count):
    """Each hart's instructions between the markers, less its spinning for
    a lock (waiting, not work)."""
    return [n - spin for n, spin in zip(count["insns"], count["spin"])]


def kernel_work(count):
    """The harts' kernel instructions together, less their spinning: the
    kernel's Python runs on one hart at a time, so this much of the run
    cannot overlap."""
    return sum(k - spin for k, spin in zip(count["kernel"], count["spin"]))


def critical_path(count):
    """How long the run took, in instructions: the busiest hart's work, or
    all the harts' kernel work if that is more (it ran one hart at a time).

    Spinning is left out, then put back as the larger of the two: on a
    host with fewer cores than harts a spinning vCPU runs while the one it
    waits for may not, so its spin counts say how busy the host was, not
    how long the guest had to wait."""
    return max(max(work(count)), kernel_work(count))


def measurement(result, count):
    """One run: the program's SMPBENCH line and the plugin's report."""
    if not result.get("ok"):
        raise SmpError("the workload failed: %r" % (result,))
    return {"nharts": result["nharts"], "iters": result["iters"], "insns": work(count),
            "kernel": kernel_work(count), "spin": sum(count["spin"]),
            "critical": critical_path(count)}


def summarize(runs, lock_wait=None):
    """A boot's runs of one workload -> the median critical path (one
    run that went astray -- two of psum's LWPs put on one hart -- does not
    move it), the spread between the runs (per mille of the median), the
    per-hart counts of the median run, and lock_wait (lock_wait_milli) as
    it is."""
    ranked = sorted(runs, key=lambda r: r["critical"])
    mid = len(ranked) // 2
    if len(ranked) % 2:
        median = ranked[mid]["critical"]
    else:
        median = (ranked[mid - 1]["critical"] + ranked[mid]["critical"]) // 2
    spread = (ranked[-1]["critical"] - ranked[0]["critical"]) * 1000 // median if median else 0
    return {"critical": median, "spread_milli": spread, "insns": ranked[mid]["insns"],
            "iters": runs[0]["iters"], "nharts": runs[0]["nharts"], "lock_wait_milli": lock_wait}


def busy_milli(insns, nharts, crit):
    """How busy the harts the kernel ran were over the critical path crit,
    per mille: their work over nharts x crit.  What is missing is time a
    hart had nothing to run, or waited for the interpreter lock."""
    return sum(insns[:nharts]) * 1000 // (nharts * crit) if crit and nharts else 0


def figures(one, many):
    """The figures of each workload from the 1-hart and the SMP_HARTS-hart
    boots ({workload: summary}): critical paths, speedup x100 (pingpong:
    per round trip, and the ratio of the two)."""
    out = {}
    for name in WORKLOADS:
        if name not in one or name not in many:
            continue
        a, b = one[name], many[name]
        row = {"one": a["critical"], "many": b["critical"], "per_hart": b["insns"],
               "spread_milli": max(a["spread_milli"], b["spread_milli"]),
               "nharts": b["nharts"], "busy_milli": busy_milli(b["insns"], b["nharts"], b["critical"]),
               "lock_wait_milli": b.get("lock_wait_milli"), "iters": b["iters"]}
        if name == "pingpong":
            row["one"] = a["critical"] // a["iters"]
            row["many"] = b["critical"] // b["iters"]
            row["per_hart"] = [n // b["iters"] for n in b["insns"]]
        row["speedup_x100"] = row["one"] * 100 // row["many"] if row["many"] else 0
        out[name] = row
    return out


def verdicts(rows):
    """(workload, target x100, "met" or "MISSED") for each target."""
    out = []
    for name, least in TARGETS.items():
        value = rows.get(name, {}).get("speedup_x100")
        out.append((name, least, "met" if value is not None and value >= least else "MISSED"))
    return out


def _x(x100):
    return "%d.%02dx" % (x100 // 100, x100 % 100)


def _percent(milli):
    return "%d.%d%%" % (milli // 10, milli % 10)


def table(rows, failed=None):
    """The README's table (Markdown); failed: {workload: why} for those
    that could not be measured."""
    failed = failed or {}
    lines = ["| workload | 1 hart: critical path (instructions) | %d harts: critical path "
             "| %d harts: each hart | harts busy | waiting for the interpreter lock "
             "| speedup | runs differ by |" % (SMP_HARTS, SMP_HARTS),
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, (iters, what) in WORKLOADS.items():
        row = rows.get(name)
        what = what.format(row["iters"] if row else iters)
        if row is None:
            if name in failed:
                lines.append("| %s | failed: %s | | | | | | |" % (what, failed[name]))
            continue
        each = " / ".join("{:,}".format(n) for n in row["per_hart"])
        if name == "pingpong":
            speed = "%s the 1-hart cost" % _x(row["many"] * 100 // row["one"]) if row["one"] else ""
            what = what + " (harts 0 and 1 / both on hart 0)"
        else:
            speed = _x(row["speedup_x100"])
        spread = _percent(row["spread_milli"])
        wait = row.get("lock_wait_milli")
        wait = "not counted" if wait is None else _percent(wait)
        lines.append("| %s | {:,} | {:,} | %s | %s | %s | %s | %s |".format(row["one"], row["many"])
                     % (what, each, _percent(row["busy_milli"]), wait, speed, spread))
    lines.append("")
    lines.append("Targets (speedup of %d harts over 1): " % SMP_HARTS + "; ".join(
        "%s >= %s %s" % (name, _x(least), verdict) for name, least, verdict in verdicts(rows))
        + ". The harts the kernel ran: %s." % ", ".join(
            "%s %d" % (name, rows[name]["nharts"]) for name in WORKLOADS if name in rows))
    return "\n".join(lines)


# ---- driving the machines ----

def run_once(m, sh, counts_path, name, iters, timeout):
    """smpbench NAME ITERS at the shell: its SMPBENCH line and the
    plugin's report of the run."""
    result = parse_result(sh(m, "smpbench %s %d" % (name, iters), timeout))
    with open(counts_path) as f:
        counts = parse_counts(f.read())
    if not counts:
        raise SmpError("the plugin reported no count for %r" % name)
    return result, counts[-1]


def failure(error, transcript):
    """What to say of a workload that failed: a panic, or the error."""
    if "panic:" in transcript:
        return "kernel panic"
    return str(error).splitlines()[0][:120]


def save_log(cpus, transcript):
    """Keep the console log of a boot where a workload failed."""
    path = LOG_DIR / ("smpbench-%d.log" % cpus)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(transcript)


def run_boot(cpus, fsimg, machine_cls, qemu_command, sh, power_off, monitor=None, scale=None,
             workloads=None, runs=RUNS, boot_timeout=60, command_timeout=300, failed=None):
    """Boot with `cpus` harts and the plugin, run each workload `runs`
    times (0: only the warm-up and the lock waits): ({workload:
    [measurement]}, {workload: lock-wait share per mille, or None}).  A workload that fails (a kernel panic, a hang, a
    wrong answer) goes into failed, {workload: why}, with the console
    log in LOG_DIR, and ends the boot: the workloads after it are not run.

    The console driver's pieces are passed in (tools/bench.py gives
    tests/qemu's): machine_cls(command=...), qemu_command(fsimg, cpus),
    sh(m, line, timeout), power_off(m) (from the shell), and monitor(m,
    expr) (from the shell to the kernel monitor, evaluate, back: the
    output), which reads the harts' lock waits around one more run of each
    workload, after all the counted ones: a visit to the monitor leaves
    the kernel heap laid out otherwise, which moves the next runs' counts
    by several per cent.  monitor=None: no lock waits."""
    workloads = WORKLOADS if workloads is None else workloads
    failed = {} if failed is None else failed
    plugin = build_plugin()
    scratch = tempfile.mkdtemp(prefix="pyrite-smpbench-")
    counts_path = os.path.join(scratch, "counts")
    argv = qemu_command(fsimg, cpus)
    elf = REPO_ROOT / argv[argv.index("-kernel") + 1]      # relative to the Makefile's
    argv += plugin_args(plugin, counts_path, spin_ranges(elf))
    m = machine_cls(command=argv, qmp=False, wait_prompt=False, scale=scale,
                    name="smpbench-%d" % cpus)
    try:
        try:
            m.expect_exact("$ ", boot_timeout)
            found = {}
            waits = {name: None for name in workloads}
            for name, spec in workloads.items():
                iters = spec[0] if isinstance(spec, tuple) else spec
                # A first run warms the caches (exec's program file, the
                # README's blocks): its figures are not kept.
                try:
                    for run in range(runs + 1):
                        result, count = run_once(m, sh, counts_path, name, iters,
                                                 command_timeout)
                        if run:
                            found.setdefault(name, []).append(measurement(result, count))
                except (SmpError, AssertionError) as e:    # AssertionError: MachineError
                    # The machine may be gone (a panic): the workloads
                    # measured so far stand, this one is reported failed.
                    found.pop(name, None)
                    failed[name] = failure(e, m.transcript)
                    save_log(cpus, m.transcript)
                    return found, waits
            for name, spec in workloads.items() if monitor is not None else ():
                iters = spec[0] if isinstance(spec, tuple) else spec
                before = parse_lock_wait(monitor(m, LOCK_WAIT_EXPR))
                if before is None:          # a kernel without the count
                    break
                result, _ = run_once(m, sh, counts_path, name, iters, command_timeout)
                after = parse_lock_wait(monitor(m, LOCK_WAIT_EXPR))
                waits[name] = lock_wait_milli(before, after, result["nharts"],
                                              result.get("ticks"))
            power_off(m)
            return found, waits
        except SmpError as e:
            raise SmpError(str(e), m.transcript) from None
        except AssertionError as e:     # the console driver's MachineError
            raise SmpError("%s: %s" % (type(e).__name__, e), m.transcript) from None
    finally:
        m.close()
        for name in os.listdir(scratch):
            os.unlink(os.path.join(scratch, name))
        os.rmdir(scratch)


def quick_workloads(divisor):
    """WORKLOADS with the iterations divided (for a test: the same
    paths, a fraction of the time)."""
    return {name: (max(1, iters // divisor), what) for name, (iters, what) in WORKLOADS.items()}


def measure(fsimg, machine_cls, qemu_command, sh, power_off, monitor=None, scale=None,
            workloads=None, runs=RUNS):
    """Both boots; (rows for the table, raw runs for the report,
    {workload: why it failed, "on N harts"}).  """
    raw = {}
    summaries = {}
    failed = {}
    for cpus in (1, SMP_HARTS):
        # The lock is never contended on one hart: its waits are read on
        # the other boot only.
        why = {}
        found, waits = run_boot(cpus, fsimg, machine_cls, qemu_command, sh, power_off,
                                monitor if cpus > 1 else None, scale, workloads, runs,
                                failed=why)
        for name, text in why.items():
            failed[name] = "%s on %d hart%s" % (text, cpus, "s" if cpus > 1 else "")
        if why and monitor is not None and cpus > 1 and found:
            # The failure ended the boot before the lock waits were read:
            # another boot reads them, for the workloads that worked.
            _, waits = run_boot(cpus, fsimg, machine_cls, qemu_command, sh, power_off, monitor,
                                scale, {name: (workloads or WORKLOADS)[name] for name in found},
                                0, failed={})
        raw[str(cpus)] = {"runs": found, "lock_wait_milli": waits, "failed": why}
        summaries[cpus] = {name: summarize(r, waits.get(name)) for name, r in found.items()}
    return figures(summaries[1], summaries[SMP_HARTS]), raw, failed
