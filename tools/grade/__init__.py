"""Course-lab grading (labs/README.md): gradelib for Pyrite, on the test
suite's own harness (tests/qemu/machine.py, shell.py) and pytest.

A lab's grader is labs/NAME/grade.py, a pytest module whose tests carry
points:

    from tools.grade import graded

    @graded(points=10, timeout=60)
    def test_pingpong(shell):
        out = shell.run("pingpong")
        assert ...

    @graded(points=5, depends=("test_pingpong",))
    def test_primes(shell, token): ...

`python -m tools.grade NAME` (what `make grade LAB=NAME` runs) builds the
tree with the lab's test programs, runs the grader with the plugin
(tools/grade/plugin.py: fixtures, dependency order and skips, GOOD/BAD
lines, the score, build/grade/results.json for Gradescope, saved console
logs, panic diagnosis with hints), and exits 0 only on full marks.

    marks.py     the @graded decorator: points, dependencies, timeout
    plugin.py    the pytest plugin: fixtures, order, report, results.json
    shell.py     LabShell: a booted machine at the shell, for graders
    diagnose.py  a failed test's console: the kernel's traceback, symbolized
                 C faults, hints for common mistakes
    results.py   the score and Gradescope's results.json
    labs.py      where the labs are, their titles and starting points
    handin.py    `make handin`: the student's changes in one file
    prove.py     `make test-labs`: every grader against its reference
                 solution (full marks) and the unmodified tree (less)
"""

from tools.grade.marks import graded

__all__ = ["graded"]
