"""make test-labs: every grader is proven against its lab's reference
solution and against the unmodified tree.

For each lab, in a temporary copy of the tree (the files git knows or would
add, plus build/ copied with its timestamps, so that make rebuilds only what
a patch changes):

    unmodified       `make kernel LAB=lab`, grade: must score LESS than full
    with solution    `git apply` the lab's solution.patch, build, grade:
                     must score full marks; a patch that does not apply fails

One copy serves every lab's unmodified run; each solution gets its own.
Exit status 0 only if every lab passed both.  Logs: build/grade-proof/LAB/.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.grade import labs
from tools.grade.results import read_results

REPO = labs.REPO
OUT = REPO / "build" / "grade-proof"
# What a copy takes from build/: MicroPython's source and the last build.
BUILD_PARTS = ("micropython", "dl", "kernel", "include", "user", ".host-checked")


def _copy_if_there(src, dst):
    # A build running meanwhile may delete a file copytree has listed
    # (make's dependency files): a missing file is not worth failing for.
    try:
        return shutil.copy2(src, dst)
    except FileNotFoundError:
        return dst


def copy_tree(dest):
    """A copy of the working tree (tracked and untracked-but-not-ignored
    files) at dest, with build/'s reusable parts; .venv is linked."""
    listed = subprocess.run(["git", "ls-files", "-z", "-c", "-o", "--exclude-standard"],
                            cwd=REPO, stdout=subprocess.PIPE, check=True).stdout
    for rel in listed.decode().split("\0"):
        if not rel:
            continue
        src = REPO / rel
        if not src.is_file():
            continue                 # deleted in the working tree
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    build = dest / "build"
    build.mkdir(exist_ok=True)
    for part in BUILD_PARTS:
        src = REPO / "build" / part
        if src.is_dir():
            shutil.copytree(src, build / part, symlinks=True, copy_function=_copy_if_there)
        elif src.exists():
            shutil.copy2(src, build / part)
    os.symlink((REPO / ".venv").resolve(), dest / ".venv")


def grade_in(tree, lab_name, out):
    """Grade lab_name in tree; (score, max_score, seconds)."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(out / "grade.log", "w") as log:
        subprocess.run([str(tree / ".venv" / "bin" / "python"), "-m", "tools.grade", lab_name],
                       cwd=tree, stdout=log, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    results = tree / "build" / "grade" / "results.json"
    if not results.exists():
        return None, None, seconds
    shutil.copy2(results, out / "results.json")
    score, possible = read_results(results)
    return score, possible, seconds


def apply_patch(tree, patch, out):
    out.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["git", "apply", "--verbose", str(patch)], cwd=tree,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=dict(os.environ, GIT_CEILING_DIRECTORIES=str(tree.parent)))
    (out / "apply.log").write_text(proc.stdout)
    return proc.returncode == 0, proc.stdout


def prove(names=None, keep=False):
    chosen = labs.all_labs() if not names else [labs.find(n) for n in names]
    shutil.rmtree(OUT, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix="pyrite-labs-"))
    failures = []
    started = time.monotonic()
    try:
        base = work / "unmodified"
        copy_tree(base)
        for lab in chosen:
            out = OUT / lab.name
            score, possible, secs = grade_in(base, lab.name, out / "unmodified")
            line = "%-8s unmodified tree: %s/%s (%.0fs)" % (lab.name, score, possible, secs)
            if score is None or possible is None or possible == 0:
                failures.append(line + ": no results (see %s)" % (out / "unmodified" / "grade.log"))
            elif score >= possible:
                failures.append(line + ": full marks without the solution: the grader proves nothing")
            print(line, flush=True)

            tree = work / lab.name
            copy_tree(tree)
            if not lab.solution.exists():
                failures.append("%-8s has no solution (%s)" % (lab.name, lab.solution))
                continue
            ok, text = apply_patch(tree, lab.solution, out / "solution")
            if not ok:
                failures.append("%-8s solution.patch does not apply to this tree "
                                "(python -m tools.grade refresh %s):\n%s" % (lab.name, lab.name, text))
                print(failures[-1], flush=True)
                continue
            score, possible, secs = grade_in(tree, lab.name, out / "solution")
            line = "%-8s with its solution: %s/%s (%.0fs)" % (lab.name, score, possible, secs)
            print(line, flush=True)
            if score is None or score != possible:
                failures.append(line + ": not full marks (see %s)" % (out / "solution" / "grade.log"))
            if not keep:
                shutil.rmtree(tree, ignore_errors=True)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    print("labs proven in %.0fs" % (time.monotonic() - started))
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


def main(argv):
    keep = "--keep" in argv
    names = [a for a in argv if a != "--keep"]
    return prove(names, keep)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
