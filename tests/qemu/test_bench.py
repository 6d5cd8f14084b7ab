"""`make bench` once against the real kernel: tools.bench, run as the
Makefile runs it but on the session's kernel and into a scratch report and
a scratch copy of the README, measures every figure the README's table
lists -- a number for each, no error.  How fast is never asserted."""

import json
import os
import shutil
import subprocess
import sys

from tests.qemu.machine import REPO, scaled
from tools import bench


def test_bench_measures_every_figure(kernel_elf, tmp_path):
    readme = tmp_path / "README.md"
    shutil.copyfile(REPO / "README.md", readme)
    out = tmp_path / "bench.json"
    env = dict(os.environ, PYRITE_KERNEL=str(kernel_elf))
    run = subprocess.run([sys.executable, "-m", "tools.bench", "--out", str(out),
                          "--readme", str(readme)],
                         cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=scaled(600))
    assert run.returncode == 0, run.stdout
    assert "FAILED" not in run.stdout and "not converted" not in run.stdout, run.stdout
    result = json.loads(out.read_text())
    figures = result["figures"]
    # Every figure of the README's table, and no figure the table leaves out.
    assert sorted(figures) == sorted(bench.FIGURES), run.stdout
    for name, value in figures.items():
        assert type(value) is int and value > 0, (name, value)
    assert bench.unconverted(result["raw"]) == [] and len(result["raw"]) == len(figures)
    assert result["image"] == bench.image_sizes(kernel_elf)
    assert "-kernel %s " % kernel_elf in result["qemu"]
    assert result["qemu"].endswith(" -icount shift=0,align=off,sleep=off")
    # The README copy: its table is this run's, everything else as it was.
    table = bench.readme_table(figures)
    assert readme.read_text() == bench.replace_table((REPO / "README.md").read_text(), table)
    assert table in readme.read_text()
