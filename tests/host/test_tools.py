"""Host-only tests for tools/symbolize.py and tools/bench.py (no QEMU).

The symbolizer is checked against the kernel ELF itself (symbols read here
with pyelftools) and, where the cross toolchain is installed, against
addr2line.  The bench driver is checked on its pure functions and, end to
end, against a small fake kernel console run under pexpect.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from tools import bench, symbolize
from tools.symbolize import annotate

ROOT = Path(__file__).resolve().parents[2]
ELF = ROOT / "build" / "kernel" / "kernel.elf"
ADDR2LINE = shutil.which("riscv64-unknown-elf-addr2line")


@pytest.fixture(scope="session")
def elf(tmp_path_factory):
    """A private copy of the kernel ELF (others may relink the real one
    while the tests run), built first if it is missing."""
    if not ELF.exists():
        subprocess.run(["make", "kernel"], cwd=ROOT, check=True)
    copy = tmp_path_factory.mktemp("elf") / "kernel.elf"
    shutil.copyfile(ELF, copy)
    return copy


@pytest.fixture(scope="session")
def syms(elf):
    """name -> (address, size) of the FUNC and NOTYPE symbols in text."""
    out = {}
    with open(elf, "rb") as f:
        e = ELFFile(f)
        for s in e.get_section_by_name(".symtab").iter_symbols():
            if s["st_info"]["type"] in ("STT_FUNC", "STT_NOTYPE") and s.name:
                out.setdefault(s.name, (s["st_value"], s["st_size"]))
    return out


@pytest.fixture(scope="session")
def text_range(elf):
    with open(elf, "rb") as f:
        sec = ELFFile(f).get_section_by_name(".text")
        return sec["sh_addr"], sec["sh_addr"] + sec["sh_size"]


# ---- symbolize ----

@pytest.mark.parametrize("name, source", [
    ("kerneltrap", "cstubs/trap.c"),
    ("kmain", "cstubs/main.c"),
])
def test_symbolize_c_function(elf, syms, name, source):
    addr, size = syms[name]
    assert size > 0
    got = symbolize.symbolize(elf, addr)
    m = re.fullmatch(r"(\w+)\+0x([0-9a-f]+) \(([^:]+):(\d+)\)", got)
    assert m, got
    assert m.group(1) == name and m.group(2) == "0"
    assert m.group(3) == source
    # The first line of the function is where it is defined, or just after.
    src = (ROOT / source).read_text().splitlines()
    line = int(m.group(4))
    assert 1 <= line <= len(src)
    window = "\n".join(src[max(0, line - 8):line])
    assert re.search(rf"\b{name}\s*\(", window), (got, window)
    # An address inside the function: same name, right offset, same file.
    inner = symbolize.symbolize(elf, addr + size - 2)
    assert inner.startswith(f"{name}+0x{size - 2:x} ({source}:"), inner


def test_symbolize_micropython_path_is_repo_relative(elf, syms):
    addr, _ = syms["mp_execute_bytecode"]
    got = symbolize.symbolize(elf, addr + 0x10)
    assert re.fullmatch(r"mp_execute_bytecode\+0x10 \(build/micropython/py/vm\.c:\d+\)", got), got


def test_symbolize_assembly_label(elf, syms):
    addr, size = syms["kernelvec"]
    assert size == 0          # an assembly label: no size in the symbol table
    got = symbolize.symbolize(elf, addr + 4)
    assert re.fullmatch(r"kernelvec\+0x4 \(cstubs/kernelvec\.S:\d+\)", got), got


def test_symbolize_unknown(elf, text_range):
    lo, hi = text_range
    assert symbolize.symbolize(elf, 0) == "??"
    assert symbolize.symbolize(elf, 0x1000_0000) == "??"
    assert symbolize.symbolize(elf, lo - 2) == "??"
    assert symbolize.symbolize(elf, hi) == "??"
    assert symbolize.symbolize(elf, 0x87ff_fff0) == "??"


def test_lines_agree_with_addr2line(elf, text_range):
    if ADDR2LINE is None:
        pytest.fail("riscv64-unknown-elf-addr2line is not installed: run tools/setup.sh",
                    pytrace=False)
    lo, hi = text_range
    addrs = list(range(lo, hi, max(2, ((hi - lo) // 400) & ~1)))
    out = subprocess.run([ADDR2LINE, "-e", str(elf)] + [hex(a) for a in addrs],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    compared = 0
    for addr, loc in zip(addrs, out):
        loc = loc.split(" (discriminator")[0]
        path, line = loc.rsplit(":", 1)
        if not path.startswith(str(ROOT) + "/"):
            continue          # picolibc and the like: not our sources
        want = f"{os.path.relpath(os.path.normpath(path), ROOT)}:{line}"
        got = symbolize.symbolize(elf, addr)
        assert got.endswith(f" ({want})"), (hex(addr), got, want)
        compared += 1
    assert compared > 100


def test_annotate_panic_log(elf, syms):
    kt, _ = syms["kerneltrap"]
    km, _ = syms["kmain"]
    log = ("Pyrite booting\r\n"
           "panic: kernel fault: load page fault\r\n"
           f"scause=0xd sepc=0x{kt + 8:x} stval=0x0\r\n"
           f"  ra=0x{km + 4:016x}  sp=0x0000000080050000\r\n"
           f"symbolize: pc=0x{kt + 8:x} ra=0x{km + 4:x}\r\n"
           "pyrite: machine halted\r\n")
    got = annotate(elf, log)
    kt_note = f"    0x{kt + 8:x} = {symbolize.symbolize(elf, kt + 8)}"
    km_note = f"    0x{km + 4:x} = {symbolize.symbolize(elf, km + 4)}"
    assert "kerneltrap+0x8 (cstubs/trap.c:" in kt_note
    assert "kmain+0x4 (cstubs/main.c:" in km_note
    assert got.split("\r\n") == [
        "Pyrite booting",
        "panic: kernel fault: load page fault",
        f"scause=0xd sepc=0x{kt + 8:x} stval=0x0",
        kt_note,
        f"  ra=0x{km + 4:016x}  sp=0x0000000080050000",
        km_note,
        f"symbolize: pc=0x{kt + 8:x} ra=0x{km + 4:x}",
        kt_note,
        km_note,
        "pyrite: machine halted",
        "",
    ]
    assert annotate(elf, got) == got          # annotating twice adds nothing


def test_annotate_leaves_other_numbers_alone(elf, syms):
    kt, _ = syms["kerneltrap"]
    text = ("scause=0x8000000000000005 x=0x80000000000 y=ab0x%x\n"
            f"no newline at the end 0x{kt:x}")
    got = annotate(elf, text).split("\n")
    assert got[0] == "scause=0x8000000000000005 x=0x80000000000 y=ab0x%x"
    assert got[1] == f"no newline at the end 0x{kt:x}"
    assert got[2].startswith(f"    0x{kt:x} = kerneltrap+0x0 (cstubs/trap.c:")
    assert len(got) == 4 and got[3] == ""


def test_cli(elf, syms):
    kt, _ = syms["kerneltrap"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "tools.symbolize", "--elf", str(elf),
                          hex(kt), f"{kt + 2:x}", "0x10"],
                         capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    elapsed = time.monotonic() - start
    lines = out.stdout.splitlines()
    assert lines[0] == f"0x{kt:x} = {symbolize.symbolize(elf, kt)}"
    assert lines[1].startswith(f"0x{kt + 2:x} = kerneltrap+0x2 (cstubs/trap.c:")
    assert lines[2] == "0x10 = ??"
    assert elapsed < 10, elapsed       # the table is cached next to the ELF
    log = f"hello\nsymbolize: pc=0x{kt:x} ra=0x0\n"
    out = subprocess.run([sys.executable, "-m", "tools.symbolize", "--elf", str(elf)],
                         input=log, capture_output=True, text=True, check=True,
                         cwd=ROOT, env=env)
    assert out.stdout == annotate(elf, log)
    assert out.stdout.count("\n") == 3


def test_stale_or_corrupt_cache_is_ignored(elf, syms, tmp_path):
    copy = tmp_path / "kernel.elf"
    shutil.copyfile(elf, copy)
    cache = tmp_path / "kernel.elf.symcache"
    cache.write_bytes(b"not a pickle")
    kt, _ = syms["kerneltrap"]
    assert symbolize.symbolize(copy, kt) == symbolize.symbolize(elf, kt)
    assert cache.stat().st_size > 1000          # rewritten with the real table


# ---- bench: pure functions ----

def test_parse_bench_lines():
    out = ('bench()\r\r\n'
           'BENCH {"boot_banner_ticks": 1234, "x_centiticks": 4512}\r\r\n'
           'BENCHMARK {"ignored_ticks": 1}\r\n'
           'some BENCH {"ignored_ticks": 2}\n'
           'BENCH {"x_centiticks": 4600, "sw_ticks": 0.5}\n')
    assert bench.parse_bench_lines(out) == {
        "boot_banner_ticks": 1234, "x_centiticks": 4600, "sw_ticks": 0.5}
    assert bench.parse_bench_lines("no figures here\n") == {}
    with pytest.raises(bench.BenchError):
        bench.parse_bench_lines('BENCH {"a_ticks": 1,}\n')
    with pytest.raises(bench.BenchError):
        bench.parse_bench_lines('BENCH {"a_ticks": "12"}\n')


def test_to_instructions():
    raw = {"boot_banner_ticks": 1234, "kthread_switch_roundtrip_centiticks": 4512,
           "half_ticks": 0.5, "pages_free": 30000}
    assert bench.to_instructions(raw) == {
        "boot_banner": 123400, "kthread_switch_roundtrip": 4512, "half": 50}
    assert bench.unconverted(raw) == ["pages_free"]


def test_image_sizes(elf):
    sizes = bench.image_sizes(elf)
    with open(elf, "rb") as f:
        e = ELFFile(f)
        size = {s.name: s["sh_size"] for s in e.iter_sections()}
    assert list(sizes)[:4] == ["text", "rodata", "data", "bss"]
    assert sizes["text"] == size[".text"] > 0
    assert sizes["rodata"] == size[".rodata"] > 0
    assert sizes["bss"] == size[".bss"] + size.get(".sbss", 0)
    if size.get(".noinit"):
        assert sizes["noinit"] == size[".noinit"]


def test_format_table():
    table = bench.format_table({"b_op": 4512, "a_op": 123400},
                               {"text": 1000, "bss": 24},
                               reference={"b_op": (2256, "xv6-riscv, same method")},
                               targets={"a_op": 100000, "b_op": 5000})
    lines = table.splitlines()
    assert lines[0].split() == ["figure", "instructions", "reference", "ratio", "target"]
    assert lines[2].split() == ["a_op", "123,400", "100,000", "MISSED"]
    assert lines[3].split() == ["b_op", "4,512", "2,256", "2.00x", "5,000", "met"]
    assert "xv6-riscv, same method" in table
    assert re.search(r"total\s+1,024$", table, re.M)


def test_references_name_their_source():
    assert all(isinstance(v, tuple) and v[0] > 0 and v[1] for v in bench.REFERENCE.values())


def test_timeout_scale():
    assert bench.timeout_scale({}) == 1.0
    assert bench.timeout_scale({"PYRITE_TIMEOUT_SCALE": "2.5"}) == 2.5
    for bad in ("zero", "0", "-1"):
        with pytest.raises(bench.BenchError):
            bench.timeout_scale({"PYRITE_TIMEOUT_SCALE": bad})


def test_qemu_command():
    cmd = bench.qemu_command()
    assert cmd[0].startswith("qemu-system-riscv64")
    assert cmd[-2:] == ["-icount", "shift=0,align=off,sleep=off"]
    assert "-kernel" in cmd and "virt,aclint=on" in cmd


# ---- bench: the console driver, against a fake kernel ----

FAKE_KERNEL = textwrap.dedent('''
    # Boots to a shell prompt; Ctrl-] switches to a monitor prompt, as Pyrite does.
    import os, sys, time, tty
    mode = sys.argv[1]
    tty.setraw(0)
    def out(text):
        os.write(1, text.replace("\\n", "\\r\\n").encode())
    out("Pyrite 0.0 (fake)\\n")
    if mode == "eof":
        sys.exit(0)
    if mode == "slow":
        time.sleep(30)
    prompt = "$ "
    while True:
        out(prompt)
        line = ""
        while True:
            c = os.read(0, 1).decode()
            if c == "\\x1d":
                prompt = "pyrite> "
                out("\\n[monitor]\\n" + prompt)
            elif c == "\\r":
                break
            else:
                line += c
        out(line + "\\n")
        if line == "bench":
            out('BENCH {"getpid_centiticks": 2100}\\n')
        elif line == "bench()":
            if mode == "panic":
                out("panic: kernel fault\\nsymbolize: pc=0x80000000 ra=0x0\\n")
                sys.exit(1)
            if mode == "nobench":
                out("NameError: bench\\n")
                continue
            out('BENCH {"boot_banner_ticks": 12, "sw_centiticks": 4512}\\n')
        elif line == "poweroff()":
            sys.exit(3 if mode == "badexit" else 0)
''')


@pytest.fixture
def fake(tmp_path):
    script = tmp_path / "fake_kernel.py"
    script.write_text(FAKE_KERNEL)
    return lambda mode: [sys.executable, str(script), mode]


def test_run_against_fake_kernel(fake):
    raw = bench.run(fake("ok"), scale=1.0)
    assert raw == {"getpid_centiticks": 2100, "boot_banner_ticks": 12, "sw_centiticks": 4512}


def test_extra_steps_use_run_bench_command(fake):
    calls = []

    def again(console):
        calls.append(1)
        raw = bench.run_bench_command(console, "bench()")
        return {"again_" + k: v for k, v in raw.items()}

    raw = bench.run(fake("ok"), steps=[bench.user_bench, bench.monitor_bench, again], scale=1.0)
    assert calls == [1]
    assert raw["again_sw_centiticks"] == 4512 and raw["sw_centiticks"] == 4512


@pytest.mark.parametrize("mode, message", [
    ("eof", "QEMU exited while waiting for the first prompt"),
    ("panic", "kernel panic"),
    ("nobench", "no BENCH line"),
    ("badexit", "status 3"),
    ("slow", "timed out"),
])
def test_run_failures(fake, mode, message):
    with pytest.raises(bench.BenchError) as info:
        bench.run(fake(mode), scale=0.02)        # the boot timeout becomes 1.2 s
    assert message in str(info.value)
    assert "Pyrite 0.0 (fake)" in info.value.log


def test_main_writes_report(fake, elf, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bench, "qemu_command", lambda fsimg=None: fake("ok"))
    out = tmp_path / "bench.json"
    assert bench.main(["--elf", str(elf), "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["figures"] == {"getpid": 2100, "boot_banner": 1200, "sw": 4512}
    assert result["image"] == bench.image_sizes(elf)
    assert result["qemu"].endswith("fake_kernel.py ok")
    assert re.search(r"^boot_banner\s+1,200$", capsys.readouterr().out, re.M)


def test_main_failure_prints_log(fake, elf, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bench, "qemu_command", lambda fsimg=None: fake("panic"))
    assert bench.main(["--elf", str(elf), "--out", str(tmp_path / "b.json")]) != 0
    err = capsys.readouterr().err
    assert "panic: kernel fault" in err and "FAILED" in err
    assert not (tmp_path / "b.json").exists()
