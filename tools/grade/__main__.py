"""python -m tools.grade: list, grade, hand in, prove.

    python -m tools.grade                  list the labs
    python -m tools.grade LAB [-- PYTEST]  build with LAB=LAB and grade the tree
                                           (make grade LAB=LAB); exit 0 on full marks
    python -m tools.grade handin LAB       make handin LAB=LAB (tools/grade/handin.py)
    python -m tools.grade prove [LAB...]   make test-labs (tools/grade/prove.py)
    python -m tools.grade patch LAB BRANCH write labs/LAB/solution/solution.patch
                                           from a solution branch (instructors)
    python -m tools.grade branch LAB [BRANCH]  make a solution branch from main
                                           with the patch applied (to rebase it)
    python -m tools.grade refresh [LAB...] both: the patch re-made against main's tip
                                           (every lab's when none is named)
"""

import subprocess
import sys
import time

from tools.grade import labs, solutions
from tools.grade.plugin import OUT, REPO


def list_labs():
    print("Labs (grade one with `make grade LAB=name`; the handout is labs/name/README.md):")
    for lab in labs.all_labs():
        print("  %-10s %s" % (lab.name, lab.title))
    return 0


def build(lab_name, log_path):
    """`make kernel LAB=name`, output to log_path; True if it built."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.run(["make", "--no-print-directory", "kernel", "LAB=" + lab_name],
                              cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    return proc.returncode == 0


def grade(lab_name, pytest_args=(), do_build=True, out=OUT):
    lab = labs.find(lab_name)
    print("== Grading lab %s: %s ==" % (lab.name, lab.title), flush=True)
    args = [sys.executable, "-m", "pytest", str(lab.grader), "-p", "tools.grade.plugin",
            "--lab", lab.name, "--grade-out", str(out), "-q", "--tb=no", "--no-header", "-rN",
            "-p", "no:cacheprovider", "-o", "addopts=", "-o", "testpaths="]
    if do_build:
        log = out / "build.log"
        started = time.monotonic()
        if not build(lab.name, log):
            print("BAD  the tree does not build: see %s" % log.relative_to(REPO), flush=True)
            args += ["--build-failed", str(log)]
        else:
            print("built in %.0fs (make kernel LAB=%s)" % (time.monotonic() - started, lab.name),
                  flush=True)
    return subprocess.run(args + list(pytest_args), cwd=REPO).returncode


def main(argv):
    if not argv or argv[0] in ("list", "-l"):
        return list_labs()
    if argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if argv[0] == "handin":
        from tools.grade import handin
        return handin.main(argv[1:])
    if argv[0] == "prove":
        from tools.grade import prove
        return prove.main(argv[1:])
    if argv[0] == "patch":
        return solutions.write_patch(*argv[1:])
    if argv[0] == "branch":
        return solutions.make_branch(*argv[1:])
    if argv[0] == "refresh":
        return solutions.refresh_all(argv[1:])
    name, rest = argv[0], argv[1:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    do_build = "--no-build" not in rest
    rest = [a for a in rest if a != "--no-build"]
    try:
        return grade(name, rest, do_build)
    except KeyError as exc:
        print("grade: %s" % exc.args[0], file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
