"""The symbolizer on a live stream: unfinished lines (a prompt) pass at once, complete lines get their notes.

`make qemu 2>&1 | python -m tools.symbolize` must not hold back the shell's
"$ " (it has no newline after it) until the next key, and must annotate a
stream cut anywhere exactly as annotate() annotates the whole text.
"""

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from tools import symbolize
from tools.symbolize import Annotator, annotate

ROOT = Path(__file__).resolve().parents[2]
ELF = ROOT / "build" / "kernel" / "kernel.elf"
DEADLINE = 20 * float(os.environ.get("PYRITE_TIMEOUT_SCALE", "1"))


@pytest.fixture(scope="module")
def elf(tmp_path_factory):
    """A private copy of the kernel ELF, built first if it is missing."""
    if not ELF.exists():
        subprocess.run(["make", "kernel"], cwd=ROOT, check=True)
    copy = tmp_path_factory.mktemp("elf") / "kernel.elf"
    shutil.copyfile(ELF, copy)
    return copy


@pytest.fixture(scope="module")
def kt(elf):
    """The address of kerneltrap: a kernel text address with a name."""
    with open(elf, "rb") as f:
        sym = ELFFile(f).get_section_by_name(".symtab").get_symbol_by_name("kerneltrap")
    return sym[0]["st_value"]


def note(elf, addr, ending="\n"):
    return f"    0x{addr:x} = {symbolize.symbolize(elf, addr)}{ending}"


def test_unfinished_line_passes_at_once(elf):
    a = Annotator(elf)
    assert a.write("init: starting sh\n") == "init: starting sh\n"
    assert a.write("$ ") == "$ "
    assert a.write("ec") == "ec"
    assert a.write("ho hi\r\n") == "ho hi\r\n"
    assert not a.waiting()
    assert a.finish() == ""


def test_notes_follow_the_complete_line(elf, kt):
    a = Annotator(elf)
    assert a.write(f"symbolize: pc=0x{kt:x}") == f"symbolize: pc=0x{kt:x}"
    assert a.write(" ra=0x0\r\n") == " ra=0x0\r\n"    # notes wait for the next line
    assert a.waiting()
    assert a.write("pyrite: machine halted") == note(elf, kt, "\r\n") + "pyrite: machine halted"
    assert a.finish() == ""


def test_a_possible_note_line_is_held_until_decided(elf, kt):
    a = Annotator(elf)
    a.write(f"pc=0x{kt:x}\n")
    assert a.write("    0x") == ""                  # could be an annotation: wait
    assert a.write("1") == ""
    assert a.write("2 = old note\n") == "    0x12 = old note\n"   # it was one: ours go
    a.write(f"pc=0x{kt:x}\n")
    assert a.write("    ") == ""
    assert a.write("x") == note(elf, kt) + "    x"   # it was not: ours come first


def test_idle_lets_held_text_out(elf, kt):
    a = Annotator(elf)
    a.write(f"pc=0x{kt:x}\n")
    assert a.waiting()
    assert a.idle() == note(elf, kt)
    assert not a.waiting()
    assert a.write("  ") == ""
    assert a.idle() == "  "
    assert a.write(" x\n") == " x\n"
    assert a.finish() == ""


LOG_LINES = [
    "Pyrite 0.1.0 on MicroPython 1.23.0\r\n",
    "panic: kernel fault\r\n",
    "scause=0xd sepc=0x{kt:x} stval=0x0\r\n",
    "symbolize: pc=0x{kt:x} ra=0x{kt2:x}\r\n",
    "    0x{kt:x} = already annotated\r\n",
    "plain\n",
    "\n",
    "héllo 0x{kt2:x}\n",
    "$ last line without an ending 0x{kt:x}",
]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 16, 10000])
def test_a_stream_cut_anywhere_is_annotated_like_the_whole(elf, kt, size):
    text = "".join(LOG_LINES).format(kt=kt, kt2=kt + 4)
    a = Annotator(elf)
    out = [a.write(text[i:i + size]) for i in range(0, len(text), size)]
    out.append(a.finish())
    assert "".join(out) == annotate(elf, text)


def read_until(fd, want, got=b""):
    """Bytes from fd until `want` is in them; fails after DEADLINE seconds."""
    end = time.monotonic() + DEADLINE
    while want not in got:
        left = end - time.monotonic()
        assert left > 0, f"waited for {want!r}, got only {got!r}"
        if select.select([fd], [], [], left)[0]:
            chunk = os.read(fd, 4096)
            assert chunk, f"end of output before {want!r}; got {got!r}"
            got += chunk
    return got


def test_cli_shows_a_prompt_before_the_next_line(elf, kt):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "tools.symbolize", "--elf", str(elf)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, env=env)
    try:
        out = proc.stdout.fileno()
        proc.stdin.write(b"init: starting sh\n$ ")
        proc.stdin.flush()
        got = read_until(out, b"$ ")                  # no newline, no end of input
        assert got == b"init: starting sh\n$ "
        line = f"symbolize: pc=0x{kt:x} ra=0x0\n".encode()
        proc.stdin.write(line)
        proc.stdin.flush()
        want = note(elf, kt).encode()
        got = read_until(out, want, got)              # notes come once the input is quiet
        assert got == b"init: starting sh\n$ " + line + want
        proc.stdin.close()
        rest = proc.stdout.read()
        assert proc.wait(DEADLINE) == 0
        assert rest == b""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
