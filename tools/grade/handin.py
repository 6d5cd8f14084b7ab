"""make handin LAB=name: the student's work on a lab in one file to upload,
build/handin/LAB-handin.tar.gz, holding

    commits/*.patch       `git format-patch` of every commit since the lab's
                          starting point (where the branch left main)
    uncommitted.patch     what is changed but not committed (tracked files)
    untracked/...         new files git does not track yet (not ignored ones)
    results.json          the last `make grade` result, if any

The starting point is the merge base of HEAD and BASE (default: upstream/main,
else origin/main, else main), so work in a branch of your private fork
(labs/README.md).  Instructors apply it with `git am commits/*.patch` on the
same starting point.
"""

import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from tools.grade import labs

REPO = labs.REPO
BASES = ("upstream/main", "origin/main", "main")


def git(*args, text=True):
    proc = subprocess.run(["git"] + list(args), cwd=REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=text)
    if proc.returncode != 0:
        raise RuntimeError("git %s: %s" % (" ".join(args), proc.stderr.strip()))
    return proc.stdout


def starting_point(base=None):
    for ref in ([base] if base else BASES):
        try:
            git("rev-parse", "--verify", "-q", ref + "^{commit}")
        except RuntimeError:
            continue
        return ref, git("merge-base", "HEAD", ref).strip()
    raise RuntimeError("no base branch found (tried %s): set BASE=" % ", ".join(BASES))


def handin(lab_name, base=None, out_dir=None):
    labs.find(lab_name, REPO / "labs")
    ref, start = starting_point(base)
    out_dir = Path(out_dir or REPO / "build" / "handin")
    out_dir.mkdir(parents=True, exist_ok=True)
    dest = out_dir / ("%s-handin.tar.gz" % lab_name)
    with tempfile.TemporaryDirectory() as tmp:
        git("format-patch", "-q", "--binary", "-o", tmp, "%s..HEAD" % start)
        commits = sorted(Path(tmp).glob("*.patch"))
        uncommitted = git("diff", "--binary", "HEAD", text=False)
        untracked = [p for p in git("ls-files", "-z", "-o", "--exclude-standard").split("\0") if p]
        with tarfile.open(dest, "w:gz") as tar:
            for c in commits:
                tar.add(str(c), arcname="commits/" + c.name)
            info = tarfile.TarInfo("uncommitted.patch")
            info.size = len(uncommitted)
            tar.addfile(info, io.BytesIO(uncommitted))
            for rel in untracked:
                tar.add(str(REPO / rel), arcname="untracked/" + rel)
            results = REPO / "build" / "grade" / "results.json"
            if results.exists():
                tar.add(str(results), arcname="results.json")
    print("wrote %s: %d commit(s) since %s (%s), %d uncommitted byte(s) of changes, %d untracked file(s)"
          % (dest.relative_to(REPO) if dest.is_relative_to(REPO) else dest, len(commits), ref,
             start[:12], len(uncommitted), len(untracked)))
    return dest


def main(argv):
    if not argv:
        print("usage: python -m tools.grade handin LAB [BASE]", file=sys.stderr)
        return 2
    try:
        handin(argv[0], argv[1] if len(argv) > 1 else None)
    except (KeyError, RuntimeError) as exc:
        print("handin: %s" % exc, file=sys.stderr)
        return 1
    return 0
