"""Host tests for tools/smpbench.py (make bench's multi-hart figures): the
parsing of the plugin's and the program's lines, the figures made of them,
the README table, and the plugin's build with the host compiler."""

import subprocess

import pytest

from tools import smpbench


def test_parse_counts_keeps_the_stop_reports_in_order():
    text = ('junk\r\n'
            'SMPCOUNT {"run": 1, "by": 0, "insns": [100, 5, 0, 7], "kernel": [50, 5, 0, 0], '
            '"spin": [10, 0, 0, 0]}\n'
            'SMPCOUNT {"run": 2, "by": 2, "insns": [1, 2, 3, 4]}\r\n'
            'SMPCOUNT {"exit": 1, "insns": [9, 9, 9, 9]}\n')
    runs = smpbench.parse_counts(text)
    assert [r["run"] for r in runs] == [1, 2]
    assert runs[0]["insns"] == [100, 5, 0, 7] and runs[1]["by"] == 2
    assert runs[0]["kernel"] == [50, 5, 0, 0] and runs[0]["spin"] == [10, 0, 0, 0]
    assert runs[1]["kernel"] == [0, 0, 0, 0] and runs[1]["spin"] == [0, 0, 0, 0]
    assert smpbench.parse_counts("nothing\n") == []


@pytest.mark.parametrize("line", ['SMPCOUNT {"run": 1,}',
                                  'SMPCOUNT {"run": 1, "insns": []}',
                                  'SMPCOUNT {"run": 1, "insns": [1, -2]}',
                                  'SMPCOUNT {"run": 1, "insns": [1, "2"]}',
                                  'SMPCOUNT {"run": 1, "insns": [1, 2], "spin": [1]}'])
def test_parse_counts_refuses_a_bad_line(line):
    with pytest.raises(smpbench.SmpError):
        smpbench.parse_counts(line + "\n")


def test_parse_result_wants_exactly_one_line():
    out = ('psum: 4 threads: sum 1..10 = 55 (correct)\r\n'
           'SMPBENCH {"workload": "psum", "nharts": 4, "procs": 4, "iters": 10, "ok": 1}\r\n')
    assert smpbench.parse_result(out) == {"workload": "psum", "nharts": 4, "procs": 4,
                                          "iters": 10, "ok": 1}
    with pytest.raises(smpbench.SmpError):
        smpbench.parse_result("no line\n")
    with pytest.raises(smpbench.SmpError):
        smpbench.parse_result(out + out)


def count(insns, kernel=None, spin=None):
    zeros = [0] * len(insns)
    return {"insns": insns, "kernel": kernel or zeros, "spin": spin or zeros}


def test_a_failed_workload_is_an_error():
    c = count([5, 6], kernel=[2, 3], spin=[1, 0])
    assert smpbench.measurement({"ok": 1, "nharts": 2, "iters": 3}, c) == {
        "nharts": 2, "iters": 3, "insns": [4, 6], "kernel": 4, "spin": 1, "critical": 6}
    with pytest.raises(smpbench.SmpError):
        smpbench.measurement({"ok": 0, "nharts": 2, "iters": 3}, c)


def test_critical_path_is_the_busiest_hart_less_its_spinning():
    assert smpbench.critical_path(count([10, 40, 30, 0])) == 40
    assert smpbench.critical_path(count([7])) == 7
    # Hart 1 spun 35 of its 40: hart 2 is the busiest.
    assert smpbench.critical_path(count([10, 40, 30, 0], [0, 36, 0, 0], [0, 35, 0, 0])) == 30


def test_critical_path_is_at_least_the_kernel_work_of_all_harts():
    # Each hart ran 30 of its 40 in the kernel, 10 of them spinning: the
    # kernel work (20 a hart) ran one hart at a time.
    c = count([40, 40, 40, 40], [30, 30, 30, 30], [10, 10, 10, 10])
    assert smpbench.work(c) == [30, 30, 30, 30]
    assert smpbench.kernel_work(c) == 80
    assert smpbench.critical_path(c) == 80


def test_busy_counts_the_harts_the_kernel_runs():
    assert smpbench.busy_milli([40, 40, 20, 0], 4, 40) == 625
    assert smpbench.busy_milli([40, 10, 10, 10], 1, 40) == 1000     # the others parked
    assert smpbench.busy_milli([20, 20], 2, 40) == 500              # the kernel's serial part
    assert smpbench.busy_milli([0, 0], 2, 0) == 0


def run(insns, iters=100, nharts=None):
    return {"nharts": nharts or len(insns), "iters": iters, "insns": insns,
            "critical": max(insns)}


def test_summarize_median_and_spread():
    s = smpbench.summarize([run([1000, 10]), run([1100, 20])])
    assert s["critical"] == 1050
    assert s["spread_milli"] == 100 * 1000 // 1050
    # Three runs: the middle one, whatever the outlier.
    s = smpbench.summarize([run([1000, 10]), run([3000, 20]), run([1100, 30])])
    assert s["critical"] == 1100 and s["insns"] == [1100, 30]
    assert s["spread_milli"] == 2000 * 1000 // 1100


def test_figures_speedup_and_pingpong_per_round_trip():
    one = {"cpu": smpbench.summarize([run([4000])]),
           "pingpong": smpbench.summarize([run([9000], iters=100)])}
    many = {"cpu": smpbench.summarize([run([1000, 1000, 1100, 1000])]),
            "pingpong": smpbench.summarize([run([12000, 11000, 0, 0], iters=100)])}
    rows = smpbench.figures(one, many)
    assert rows["cpu"]["one"] == 4000 and rows["cpu"]["many"] == 1100
    assert rows["cpu"]["speedup_x100"] == 363
    assert rows["cpu"]["nharts"] == 4
    assert rows["pingpong"]["one"] == 90 and rows["pingpong"]["many"] == 120
    assert rows["pingpong"]["per_hart"] == [120, 110, 0, 0]
    assert rows["cpu"]["busy_milli"] == 4100 * 1000 // (4 * 1100)
    assert smpbench.verdicts(rows) == [("cpu", 350, "met")]
    rows["cpu"]["speedup_x100"] = 349
    assert smpbench.verdicts(rows) == [("cpu", 350, "MISSED")]
    assert smpbench.verdicts({}) == [("cpu", 350, "MISSED")]


def test_table_has_a_row_per_measured_workload():
    one = {name: smpbench.summarize([run([4000])]) for name in smpbench.WORKLOADS}
    many = {name: smpbench.summarize([run([1000, 900, 800, 1000])]) for name in smpbench.WORKLOADS}
    text = smpbench.table(smpbench.figures(one, many))
    lines = text.splitlines()
    assert lines[0].startswith("| workload |") and lines[1].startswith("| --- |")
    rows = [line for line in lines[2:] if line.startswith("| ")]
    assert len(rows) == len(smpbench.WORKLOADS)
    assert ("| 4,000 | 1,000 | 1,000 / 900 / 800 / 1,000 | 92.5% | not counted | 4.00x | 0.0% |"
            in rows[0])
    assert "cpu >= 3.50x met" in text


def test_the_plugin_builds_and_exports_its_entry_points(tmp_path):
    so = smpbench.build_plugin(out=tmp_path / "smpcount.so")
    assert so == tmp_path / "smpcount.so" and so.exists()
    # Not loaded with its symbols resolved: they are QEMU's.  The ELF's
    # dynamic symbols name the two QEMU looks up.
    names = subprocess.run(["nm", "-D", "--defined-only", str(so)], stdout=subprocess.PIPE,
                           text=True, check=True).stdout.split()
    assert "qemu_plugin_install" in names and "qemu_plugin_version" in names
    # Made again only when the source is newer.
    mtime = so.stat().st_mtime_ns
    assert smpbench.build_plugin(out=so) == so and so.stat().st_mtime_ns == mtime


def test_the_plugin_build_failure_says_what_ran(tmp_path):
    bad = tmp_path / "bad.c"
    bad.write_text("this is not C\n")
    with pytest.raises(smpbench.SmpError) as e:
        smpbench.build_plugin(src=bad, out=tmp_path / "bad.so")
    assert "bad.c" in str(e.value)


def test_lock_wait_readings_and_share():
    out = 'print(...)\r\nLOCKWAIT [10, 2000, 0, 5]\r\n'
    assert smpbench.parse_lock_wait(out) == [10, 2000, 0, 5]
    assert smpbench.parse_lock_wait("LOCKWAIT None\n") is None
    with pytest.raises(smpbench.SmpError):
        smpbench.parse_lock_wait("NameError: kern\n")
    # 4 harts for 1000 ticks: 400 ticks of waiting in all is 10%.
    assert smpbench.lock_wait_milli([0, 0, 0, 0], [100, 100, 100, 100], 4, 1000) == 100
    assert smpbench.lock_wait_milli(None, [1], 1, 1000) is None
    assert smpbench.lock_wait_milli([0], [1], 1, 0) is None


def test_the_lock_wait_share_reaches_the_table():
    one = {"sys": smpbench.summarize([run([4000])])}
    many = {"sys": smpbench.summarize([run([1000, 900, 800, 1000])], lock_wait=125)}
    rows = smpbench.figures(one, many)
    assert rows["sys"]["lock_wait_milli"] == 125
    assert "| 12.5% | 4.00x |" in smpbench.table(rows)


def test_spin_ranges_come_from_the_kernel_symbols(tmp_path):
    src = tmp_path / "k.S"
    src.write_text(".globl take, other\n.type take, @function\n.type other, @function\n"
                   "take: nop\n nop\n.size take, .-take\n"
                   "other: nop\n.size other, .-other\n")
    elf = tmp_path / "k.elf"
    subprocess.run(["riscv64-unknown-elf-gcc", "-march=rv64i", "-mabi=lp64", "-nostdlib",
                    "-Wl,-Ttext=0x80000000", "-Wl,-e,take", "-o", str(elf), str(src)], check=True)
    assert smpbench.spin_ranges(elf, ("take", "missing")) == [(0x80000000, 0x80000008)]
    args = smpbench.plugin_args("p.so", "/tmp/c", [(0x80000000, 0x80000008)])
    assert args == ["-plugin", "p.so,out=/tmp/c,kernel=0x80000000,spin=0x80000000-0x80000008"]


def test_a_failed_workload_has_a_row_saying_so():
    one = {"cpu": smpbench.summarize([run([4000])])}
    many = {"cpu": smpbench.summarize([run([1000, 1000, 1000, 1000])])}
    text = smpbench.table(smpbench.figures(one, many), {"psum": "kernel panic on 4 harts"})
    assert "| failed: kernel panic on 4 harts |" in text
    assert smpbench.failure(ValueError("boom\nmore"), "panic: kernel fault") == "kernel panic"
    assert smpbench.failure(ValueError("boom\nmore"), "all fine") == "boom"


def test_quick_workloads_divide_the_work():
    quick = smpbench.quick_workloads(50)
    assert sorted(quick) == sorted(smpbench.WORKLOADS)
    for name, (iters, what) in quick.items():
        assert iters == max(1, smpbench.WORKLOADS[name][0] // 50)
