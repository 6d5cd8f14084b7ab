"""Reference solutions as patches (labs/LAB/solution/solution.patch), and
the instructors' round trip between a patch and a branch, so that a
solution follows main as it moves:

    python -m tools.grade refresh [LAB...]  apply the patch to main's tip (three-way, so
                                          moved context is merged), commit it on branch
                                          solution/LAB, and rewrite the patch from it
                                          (every lab's, when no LAB is named)
    python -m tools.grade branch LAB      only the first two steps, in a worktree under
                                          build/solutions/LAB (edit, commit, then `patch`)
    python -m tools.grade patch LAB [BRANCH]  rewrite the patch from BRANCH (default
                                          solution/LAB): its changes since it left main

PYRITE_SOLUTION_BASE=ref uses another base than main.  The patch never
includes labs/ itself.  Text before its first `diff --git`
is a header that `git apply` ignores.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.grade import labs

REPO = labs.REPO
BASE = os.environ.get("PYRITE_SOLUTION_BASE", "main")
HEADER = """\
INSTRUCTORS ONLY: the reference solution of the Pyrite lab `%s`.
Keep this file out of the students' copy (labs/README.md says how).
Made by `python -m tools.grade patch %s` from branch %s against %s;
apply with `git apply %s`.

"""


def git(*args, cwd=None, check=True):
    proc = subprocess.run(["git"] + list(args), cwd=cwd or REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError("git %s failed:\n%s" % (" ".join(args), proc.stdout))
    return proc.stdout


def patch_text(lab_name, branch):
    diff = git("diff", "--binary", "%s...%s" % (BASE, branch), "--", ".", ":(exclude)labs")
    if not diff.strip():
        raise RuntimeError("branch %s changes nothing outside labs/ since %s" % (branch, BASE))
    rel = labs.Lab(lab_name, REPO / "labs").solution.relative_to(REPO)
    return HEADER % (lab_name, lab_name, branch, BASE, rel) + diff


def write_patch(lab_name, branch=None):
    lab = labs.Lab(lab_name, REPO / "labs")
    branch = branch or "solution/" + lab_name
    lab.solution.parent.mkdir(parents=True, exist_ok=True)
    lab.solution.write_text(patch_text(lab_name, branch))
    print("wrote %s from %s" % (lab.solution.relative_to(REPO), branch))
    return 0


def make_branch(lab_name, branch=None, keep=True):
    """Branch `branch` (default solution/LAB) = main + the patch, committed;
    in a worktree under build/solutions/LAB if keep, else a temporary one.
    Returns 0, or 1 with the worktree left for resolving conflicts."""
    lab = labs.find(lab_name, REPO / "labs")
    branch = branch or "solution/" + lab_name
    if keep:
        where = REPO / "build" / "solutions" / lab_name
        where.parent.mkdir(parents=True, exist_ok=True)
    else:
        where = Path(tempfile.mkdtemp(prefix="pyrite-solution-")) / lab_name
    git("worktree", "add", "--force", "-B", branch, str(where), BASE)
    applied = subprocess.run(["git", "apply", "--3way", "--index", str(lab.solution)], cwd=where,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if applied.returncode != 0:
        print(applied.stdout)
        print("the patch does not apply cleanly to %s: resolve the conflicts in %s, "
              "`git commit`, then `python -m tools.grade patch %s`" % (BASE, where, lab_name))
        return 1
    git("commit", "-q", "-m", "Reference solution of lab %s (from its patch)" % lab_name, cwd=where)
    print("branch %s: %s plus the solution of %s (worktree %s)" % (branch, BASE, lab_name, where))
    if not keep:
        git("worktree", "remove", "--force", str(where))
        shutil.rmtree(where.parent, ignore_errors=True)
    return 0


def refresh(lab_name):
    status = make_branch(lab_name, keep=False)
    if status == 0:
        write_patch(lab_name)
    return status


def refresh_all(names=()):
    """refresh() each named lab, or every lab; 1 if any did not merge."""
    names = list(names) or [lab.name for lab in labs.all_labs(REPO / "labs")]
    failed = [name for name in names if refresh(name) != 0]
    if failed:
        print("not refreshed (conflicts to resolve): %s" % " ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(refresh_all(sys.argv[1:]))
