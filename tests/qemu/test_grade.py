"""The lab grading library on the booted kernel: a grader's machine gets the
run's token on its disk, and a kernel panic in a graded test is reported
with the kernel's traceback, symbolized C faults and hints, and its console
saved.  (make test-labs runs the real graders.)"""

import json
import subprocess
import sys

from tests.qemu.machine import REPO

GRADER = '''
from tools.grade import graded

@graded(points=3, timeout=60)
def test_token_on_disk(shell, token):
    """the token is on the disk"""
    assert shell.run("cat gradetoken") == token

@graded(points=4, timeout=60)
def test_python_panic(machine):
    """a Python exception in the kernel"""
    machine.send_line('crash("python")')
    machine.prompt(20)

@graded(points=5, timeout=60)
def test_c_fault(machine):
    """a C fault in the kernel"""
    machine.send_line('crash("c")')
    machine.prompt(20)
'''


SHARED_GRADER = '''
from tools.grade import graded

@graded(points=1, timeout=60)
def test_first(shared_shell):
    """writes a file"""
    shared_shell.run("echo one > mark")

@graded(points=1, timeout=60)
def test_same_machine(shared_shell):
    """the next test has the same machine"""
    assert shared_shell.run("cat mark") == "one"

@graded(points=1, timeout=60)
def test_fails(shared_shell):
    """a failure retires the machine"""
    shared_shell.run("echo two > mark")
    assert False, "deliberately"

@graded(points=1, timeout=60)
def test_fresh_machine(shared_shell):
    """the test after it boots a fresh one, on the grader's disk"""
    assert "cannot open" in shared_shell.run("cat mark")
'''


def run_grader(source, tmp_path):
    grader = tmp_path / "grade.py"
    grader.write_text(source)
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", str(grader), "-p", "tools.grade.plugin", "--lab", "demo",
         "--grade-out", str(out), "-q", "--tb=no", "-rN", "-p", "no:cacheprovider",
         "-o", "addopts=", "-o", "testpaths="],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    return proc, out


def test_grader_on_qemu(kernel_elf, tmp_path):
    # kernel_elf ran `make kernel`: build/kernel and build/user are current.
    proc, out = run_grader(GRADER, tmp_path)
    text = proc.stdout
    assert proc.returncode == 1, text
    assert "GOOD the token is on the disk  [3/3 points" in text, text
    assert "BAD  a Python exception in the kernel  [0/4 points" in text, text
    assert "The kernel panicked:" in text
    assert "RuntimeError: deliberate crash requested from the monitor" in text
    assert 'File "kernel/debug/monitor.py"' in text
    # The C fault's addresses are symbolized, and the hint names the cause.
    assert "kern_peek+" in text and "cstubs/modkern.c" in text, text
    assert "The C kernel touched a bad address" in text
    assert "Score: 3/12  (lab demo)" in text
    for name in ("test_python_panic", "test_c_fault"):
        log = (out / "logs" / (name + ".log")).read_text()
        assert "pyrite: machine halted (power off, status 1)" in log
    data = json.loads((out / "results.json").read_text())
    assert (data["score"], data["max_score"]) == (3, 12)
    panic_test = data["tests"][1]
    assert "The kernel panicked" in panic_test["output"] and "console log:" in panic_test["output"]


def test_shared_shell_is_one_machine_until_a_test_fails(kernel_elf, tmp_path):
    proc, out = run_grader(SHARED_GRADER, tmp_path)
    text = proc.stdout
    for title in ("writes a file", "the next test has the same machine",
                  "the test after it boots a fresh one, on the grader's disk"):
        assert "GOOD " + title in text, text
    assert "BAD  a failure retires the machine" in text, text
    assert "Score: 3/4  (lab demo)" in text, text
    # The failed test's log is its own part of the shared console.
    log = (out / "logs" / "test_fails.log").read_text()
    assert "echo two > mark" in log and "echo one > mark" not in log, log
