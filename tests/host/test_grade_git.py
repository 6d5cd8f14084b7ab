"""The lab tools that drive git, in a throwaway repository: `make handin`
(tools/grade/handin.py) packs a student's commits, changes and new files
so that an instructor can replay them; `python -m tools.grade patch` and
`refresh` (tools/grade/solutions.py) write a solution patch from a branch
and carry it across a moved main, merging moved context and refusing a
conflict."""

import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tools.grade import handin, solutions

LINES = ["line %d\n" % i for i in range(1, 21)]


def git(repo, *args):
    proc = subprocess.run(["git"] + list(args), cwd=repo, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    assert proc.returncode == 0, "git %s:\n%s" % (" ".join(args), proc.stdout)
    return proc.stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository on branch main: a kernel file, a lab `demo`, and build/
    ignored; tools.grade's handin and solutions pointed at it."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "course"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.org")
    git(root, "config", "commit.gpgsign", "false")
    (root / ".gitignore").write_text("build/\n")
    (root / "kernel").mkdir()
    (root / "kernel" / "x.py").write_text("".join(LINES))
    (root / "labs" / "demo" / "solution").mkdir(parents=True)
    (root / "labs" / "demo" / "grade.py").write_text("# the demo lab's grader\n")
    (root / "labs" / "demo" / "README.md").write_text("# demo: a lab\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "the course")
    monkeypatch.setattr(handin, "REPO", root)
    monkeypatch.setattr(solutions, "REPO", root)
    monkeypatch.setattr(solutions, "BASE", "main")
    return root


def edit(path, number, text):
    lines = path.read_text().splitlines(keepends=True)
    lines[number - 1] = text + "\n"
    path.write_text("".join(lines))


def test_handin_holds_commits_changes_new_files_and_results(repo, tmp_path):
    git(repo, "checkout", "-q", "-b", "demo")
    (repo / "kernel" / "new.py").write_text("committed work\n")
    git(repo, "add", "kernel/new.py")
    git(repo, "commit", "-q", "-m", "first step")
    edit(repo / "kernel" / "x.py", 5, "changed, committed")
    git(repo, "commit", "-q", "-am", "second step")
    edit(repo / "kernel" / "x.py", 15, "changed, not committed")
    (repo / "kernel" / "untracked.py").write_text("not added yet\n")
    (repo / "build" / "grade").mkdir(parents=True)
    (repo / "build" / "grade" / "results.json").write_text('{"score": 1}')
    (repo / "build" / "junk").write_text("ignored\n")

    dest = handin.handin("demo", out_dir=tmp_path / "out")     # base: main, found by itself
    with tarfile.open(dest) as tar:
        names = sorted(tar.getnames())
        tar.extractall(tmp_path / "unpacked")
    assert names == ["commits/0001-first-step.patch", "commits/0002-second-step.patch",
                     "results.json", "uncommitted.patch", "untracked/kernel/untracked.py"]
    unpacked = tmp_path / "unpacked"
    assert (unpacked / "results.json").read_text() == '{"score": 1}'

    # The instructor replays it on the same starting point: the same tree.
    replay = tmp_path / "replay"
    git(tmp_path, "clone", "-q", "-b", "main", str(repo), str(replay))
    git(replay, "config", "user.name", "Instructor")
    git(replay, "config", "user.email", "staff@example.org")
    patches = sorted(str(p) for p in (unpacked / "commits").glob("*.patch"))
    git(replay, "am", "-q", *patches)
    git(replay, "apply", str(unpacked / "uncommitted.patch"))
    for rel in ("kernel/x.py", "kernel/new.py"):
        assert (replay / rel).read_text() == (repo / rel).read_text(), rel
    assert (unpacked / "untracked" / "kernel" / "untracked.py").read_text() == "not added yet\n"
    assert git(replay, "log", "--format=%s", "origin/main..HEAD").split("\n")[:2] == [
        "second step", "first step"]


def test_handin_without_a_base_branch_says_so(repo, tmp_path):
    with pytest.raises(RuntimeError, match="no base branch"):
        handin.handin("demo", base="no-such-branch", out_dir=tmp_path / "out")
    with pytest.raises(KeyError):
        handin.handin("no-such-lab", out_dir=tmp_path / "out")


def solve(repo, line_number, text):
    """Branch solution/demo: main with one line of kernel/x.py changed (and
    a file under labs/, which the patch leaves out); the patch written."""
    git(repo, "checkout", "-q", "-b", "solution/demo")
    edit(repo / "kernel" / "x.py", line_number, text)
    (repo / "labs" / "demo" / "notes.txt").write_text("labs/ is not part of a solution\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "the solution")
    git(repo, "checkout", "-q", "main")
    assert solutions.write_patch("demo") == 0
    return repo / "labs" / "demo" / "solution" / "solution.patch"


def applies(repo, patch):
    return subprocess.run(["git", "apply", "--check", str(patch)], cwd=repo,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT).returncode == 0


def test_patch_is_the_branch_outside_labs_with_a_header(repo):
    patch = solve(repo, 10, "line 10, solved")
    text = patch.read_text()
    head, _, diff = text.partition("diff --git")
    assert "INSTRUCTORS ONLY" in head and "solution/demo" in head
    assert "kernel/x.py" in diff and "+line 10, solved" in diff
    assert "labs/" not in diff
    assert applies(repo, patch)


def test_refresh_carries_a_patch_across_moved_context(repo):
    patch = solve(repo, 10, "line 10, solved")
    # main moves: a line next to the solution's changes, and more lines
    # at the top.  The old patch no longer applies as it is.
    edit(repo / "kernel" / "x.py", 7, "line 7, changed on main")
    path = repo / "kernel" / "x.py"
    path.write_text("a new first line\n" + path.read_text())
    git(repo, "commit", "-q", "-am", "main moves")
    git(repo, "branch", "-q", "-D", "solution/demo")
    assert not applies(repo, patch)
    assert solutions.refresh("demo") == 0
    assert applies(repo, patch)
    git(repo, "apply", str(patch))
    text = path.read_text()
    assert "line 7, changed on main\nline 8\nline 9\nline 10, solved\n" in text
    assert text.startswith("a new first line\n")


def test_refresh_refuses_a_conflict_and_keeps_the_patch(repo, capsys):
    patch = solve(repo, 10, "line 10, solved")
    before = patch.read_text()
    edit(repo / "kernel" / "x.py", 10, "line 10, changed on main")
    git(repo, "commit", "-q", "-am", "main changes the same line")
    git(repo, "branch", "-q", "-D", "solution/demo")
    assert solutions.refresh("demo") == 1
    out = capsys.readouterr().out
    assert "resolve the conflicts" in out
    assert patch.read_text() == before
    # The worktree left for resolving holds the conflict; remove it.
    where = re.search(r"resolve the conflicts in (\S+),", out).group(1)
    assert "<<<<<<<" in (Path(where) / "kernel" / "x.py").read_text()
    git(repo, "worktree", "remove", "--force", where)
    shutil.rmtree(Path(where).parent, ignore_errors=True)


def test_refresh_of_every_lab_names_the_ones_that_conflict(repo, capsys):
    solve(repo, 10, "line 10, solved")
    git(repo, "checkout", "-q", "-b", "solution/other")
    (repo / "labs" / "other" / "solution").mkdir(parents=True)
    (repo / "labs" / "other" / "grade.py").write_text("# another lab\n")
    edit(repo / "kernel" / "x.py", 2, "line 2, solved")
    git(repo, "commit", "-q", "-am", "the other solution")
    git(repo, "checkout", "-q", "main")
    assert solutions.write_patch("other") == 0
    (repo / "labs" / "other" / "grade.py").write_text("# another lab\n")
    git(repo, "add", "labs")
    edit(repo / "kernel" / "x.py", 10, "line 10, changed on main")
    git(repo, "commit", "-q", "-am", "main changes demo's line")
    for branch in ("solution/demo", "solution/other"):
        git(repo, "branch", "-q", "-D", branch)
    assert solutions.refresh_all() == 1
    out = capsys.readouterr().out
    assert "wrote labs/other/solution/solution.patch" in out
    assert out.rstrip().endswith("not refreshed (conflicts to resolve): demo")
    where = re.search(r"resolve the conflicts in (\S+),", out).group(1)
    git(repo, "worktree", "remove", "--force", where)
    shutil.rmtree(Path(where).parent, ignore_errors=True)
