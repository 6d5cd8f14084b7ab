"""The course-lab grading library (tools/grade/) on the host: dependency
order, the report and Gradescope's results.json, panic diagnosis, and that
every lab has its parts.  (make test-labs proves the graders on QEMU.)"""

import json
import subprocess
import sys

from tests.qemu.machine import REPO
from tools.grade import diagnose, labs, results

GRADER = '''
from tools.grade import graded

HINTS = [(r"lab-specific trouble", "a hint of the lab's own")]

@graded(points=5)
def test_first():
    """the first test"""

@graded(points=7, depends="test_first")
def test_second():
    """the second test, after the first"""
    assert 1 + 1 == 3, "lab-specific trouble"

@graded(points=11, depends="test_second")
def test_third():
    """the third test"""

@graded(points=2, depends="test_fourth")
def test_after():
    """runs after the test it depends on, though written first"""

@graded(points=3, title="the fourth, by title")
def test_fourth():
    pass
'''


def run_grader(tmp_path, source):
    grader = tmp_path / "grade.py"
    grader.write_text(source)
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", str(grader), "-p", "tools.grade.plugin", "--lab", "demo",
         "--grade-out", str(out), "-q", "--tb=no", "-rN", "-p", "no:cacheprovider",
         "-o", "addopts=", "-o", "testpaths="],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc, out


def test_report_order_skips_and_results(tmp_path):
    proc, out = run_grader(tmp_path, GRADER)
    assert proc.returncode == 1, proc.stdout          # not full marks
    lines = [l for l in proc.stdout.splitlines() if l.startswith(("GOOD", "BAD"))]
    assert [l.split("  [")[0] for l in lines] == [
        "GOOD the first test",
        "BAD  the second test, after the first",
        "BAD  the third test (skipped)",
        "GOOD the fourth, by title",
        "GOOD runs after the test it depends on, though written first",
    ], proc.stdout
    assert "it depends on 'the second test, after the first', which did not pass" in proc.stdout
    assert "a hint of the lab's own" in proc.stdout
    assert "Score: 10/28  (lab demo)" in proc.stdout
    data = json.loads((out / "results.json").read_text())
    assert data["score"] == 10 and data["max_score"] == 28
    assert [(t["name"], t["score"], t["max_score"], t["status"]) for t in data["tests"]] == [
        ("the first test", 5, 5, "passed"),
        ("the second test, after the first", 0, 7, "failed"),
        ("the third test", 0, 11, "failed"),
        ("the fourth, by title", 3, 3, "passed"),
        ("runs after the test it depends on, though written first", 2, 2, "passed"),
    ]
    assert all(t["visibility"] == "visible" for t in data["tests"])


def test_full_marks_exit_zero(tmp_path):
    proc, out = run_grader(tmp_path, GRADER.replace("1 + 1 == 3", "1 + 1 == 2"))
    assert proc.returncode == 0, proc.stdout
    assert "Score: 28/28  (lab demo)" in proc.stdout


def test_an_ungraded_test_and_a_cycle_are_errors(tmp_path):
    proc, _ = run_grader(tmp_path, "def test_plain():\n    pass\n")
    assert proc.returncode != 0 and "needs @graded" in proc.stdout, proc.stdout
    cycle = ("from tools.grade import graded\n"
             "@graded(points=1, depends='test_b')\ndef test_a(): pass\n"
             "@graded(points=1, depends='test_a')\ndef test_b(): pass\n")
    proc, _ = run_grader(tmp_path, cycle)
    assert proc.returncode != 0 and "dependency cycle" in proc.stdout, proc.stdout


PANIC = """\
$ cowtest
panic: uncaught Python exception in the kernel
Traceback (most recent call last):
  File "kernel/proc/userloop.py", line 30, in user_loop
NameError: name 'uvm' isn't defined
kernel thread: 7 (cowtest)
pyrite: machine halted (power off, status 1)
"""


def test_diagnose_a_python_panic():
    text = diagnose.diagnose(PANIC, None, (), "QEMU exited while waiting for '$ '")
    assert "The kernel panicked:" in text
    assert "NameError: name 'uvm' isn't defined" in text
    assert "pyrite: machine halted" in text
    assert "missing import" in text              # the NameError hint
    assert "$ cowtest" not in text               # only the panic report


def test_diagnose_hints_come_from_the_failure_not_the_console():
    console = "pid 5 (usertests): unknown system call 99\n$ "
    assert diagnose.diagnose(console, None, (), "expected 3 lines") == ""
    assert "sysnum.py" in diagnose.diagnose(console, None, (), "unknown system call 99")


def test_results_lines():
    r = results.Result("test_x", "the x test", 10, status="passed", seconds=1.25)
    assert results.verdict_line(r) == "GOOD the x test  [10/10 points, 1.2s]"
    r = results.Result("test_y", "the y test", 4, status="skipped")
    assert results.verdict_line(r) == "BAD  the y test (skipped)  [0/4 points, 0.0s]"


def test_every_lab_has_its_parts():
    found = labs.all_labs()
    assert [lab.name for lab in found][:4] == ["util", "syscall", "traps", "cow"]
    for lab in found:
        assert (lab.dir / "README.md").is_file(), lab
        assert lab.title != lab.name, "%s: its README starts with a `# ` title" % lab
        assert lab.solution.is_file(), lab
        head = lab.solution.read_text().split("diff --git", 1)[0]
        assert "INSTRUCTORS ONLY" in head, lab
        assert "| **total** |" in (lab.dir / "README.md").read_text(), \
            "%s: the handout's grading table has a total" % lab


def test_handout_points_match_the_grader():
    import ast
    import re
    for lab in labs.all_labs():
        tree = ast.parse(lab.grader.read_text())
        points = 0
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "graded":
                points += next(k.value.value for k in node.keywords if k.arg == "points")
        total = re.search(r"\| \*\*total\*\* \| \*\*(\d+)\*\* \|", (lab.dir / "README.md").read_text())
        assert total and int(total.group(1)) == points, lab


def test_labs_number_their_calls_apart_in_the_labs_range():
    # (Main's own calls are outside 22-63; a student's tree with a lab
    # done has that lab's calls in its table too, which is fine.)
    import re
    taken = {}
    for lab in labs.all_labs():
        for number, name in re.findall(r'^\+\s*\((\d+), "(\w+)"', lab.solution.read_text(), re.M):
            number = int(number)
            assert 22 <= number <= 63, "%s: %s is numbered %d, outside 22-63" % (lab, name, number)
            assert number not in taken, "%s: %s is numbered %d, as in %s" % (
                lab, name, number, taken[number])
            taken[number] = lab.name
