"""make bench's multi-hart figures on the booted kernel: four harts, the
instruction-counting plugin (tools/smpcount.c) loaded, user/smpbench.c's
workloads at the shell.  Each run reports every hart's count between its
markers; every hart the kernel runs did its share of the CPU-bound work; a
marker without the plugin does nothing.  How fast is never asserted."""

import json
import os
import shutil
import subprocess
import sys

from tests.qemu.machine import REPO, scaled
from tests.qemu.shell import sh, boot_shell
from tools import bench, smpbench

HARTS = 4
ITERS = 100000          # rounds of smpbench cpu's loop, each at least 3 instructions


def boot_counted(boot, tmp_path):
    counts = tmp_path / "counts"
    plugin = smpbench.build_plugin(out=tmp_path / "smpcount.so")
    m = boot_shell(boot, *smpbench.plugin_args(plugin, counts), make_vars={"CPUS": HARTS})
    return m, counts


def run(m, counts, line):
    """The workload's SMPBENCH line and the plugin's report of it."""
    result = smpbench.parse_result(sh(m, line, 120))
    reports = smpbench.parse_counts(counts.read_text())
    assert reports, "the plugin reported nothing for %r" % line
    return result, reports[-1]


def test_every_hart_is_counted_between_the_markers(boot, tmp_path):
    m, counts = boot_counted(boot, tmp_path)
    result, report = run(m, counts, "smpbench cpu %d" % ITERS)
    assert result["ok"] == 1 and result["workload"] == "cpu" and result["iters"] == ITERS
    assert 1 <= result["nharts"] <= HARTS
    assert len(report["insns"]) == HARTS and report["by"] == 0
    # Four workers, wired to hart i mod nharts(): each hart the kernel runs
    # ran at least one loop, and all told the loops' work was done.
    for hart in range(result["nharts"]):
        assert report["insns"][hart] >= 3 * ITERS, report
    assert sum(report["insns"]) >= 4 * 3 * ITERS
    # Another run is reported afresh, numbered on.
    result2, report2 = run(m, counts, "smpbench cpu %d" % ITERS)
    assert result2["ok"] == 1 and report2["run"] == report["run"] + 1
    assert max(report2["insns"]) < 4 * max(report["insns"])


def test_the_other_workloads_report(boot, tmp_path):
    m, counts = boot_counted(boot, tmp_path)
    for line, procs in (("smpbench pingpong 20", 2), ("smpbench sys 5", 4),
                        ("smpbench psum 1000", 4)):
        result, report = run(m, counts, line)
        assert result["ok"] == 1 and result["procs"] == procs, (line, result)
        assert report["insns"][0] > 0 and len(report["insns"]) == HARTS
    out = sh(m, "smpbench nosuch", 20)
    assert "smpbench: unknown workload nosuch" in out
    assert "SMPBENCH" not in out


def test_markers_do_nothing_without_the_plugin(boot):
    m = boot_shell(boot, make_vars={"CPUS": 1})
    for line in ("smpbench cpu 1000", "smpbench psum 1000"):
        result = smpbench.parse_result(sh(m, line, 60))
        assert result["ok"] == 1 and result["nharts"] == 1


def test_bench_smp_measures_every_workload(kernel_elf, tmp_path):
    """tools.bench --smp-only --smp-quick (make bench's --smp with a
    fiftieth of the work) into a scratch report and a scratch README: a
    row for every workload, numbers in it."""
    readme = tmp_path / "README.md"
    shutil.copyfile(REPO / "README.md", readme)
    out = tmp_path / "bench.json"
    env = dict(os.environ, PYRITE_KERNEL=str(kernel_elf))
    run = subprocess.run([sys.executable, "-m", "tools.bench", "--smp-only", "--smp-quick", "--out", str(out),
                          "--readme", str(readme)],
                         cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=scaled(900))
    assert run.returncode == 0, run.stdout
    smp = json.loads(out.read_text())["smp"]
    rows = smp["rows"]
    assert smp["failed"] == {}, run.stdout
    assert sorted(rows) == sorted(smpbench.WORKLOADS), run.stdout
    for name, row in rows.items():
        assert row["one"] > 0 and row["many"] > 0 and row["speedup_x100"] > 0, (name, row)
        assert len(row["per_hart"]) == smpbench.SMP_HARTS
    table = smpbench.table(rows, smp["failed"])
    assert table in readme.read_text()
    assert readme.read_text() == smpbench_readme(table)


def smpbench_readme(table):
    return bench.replace_table((REPO / "README.md").read_text(), table,
                               smpbench.SMP_BEGIN, smpbench.SMP_END)
