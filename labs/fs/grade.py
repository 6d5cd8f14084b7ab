"""Grader of lab fs (labs/fs/README.md): symbolic links.  The tests share
one machine (shared_shell) while they pass."""

from tools.grade import graded

HINTS = [
    (r"implicit declaration of function 'symlink'|undefined reference to `symlink'",
     "The user library has no symlink yet: add it to kernel/abi/sysnum.py (number 29, "
     "`int symlink(const char*, const char*)`); tools/gen_headers.py makes the stub."),
    (r"'(T_SYMLINK|O_NOFOLLOW)' undeclared",
     "T_SYMLINK (4) belongs in kernel/abi/fslayout.py and O_NOFOLLOW (0x800) in "
     "kernel/abi/limits.py, each with its name in the file's HEADER_NAMES, so that "
     "build/include/abi.h has them."),
    (r"symlinktest: \w+: FAILED.*(opened|hang)|Timeout.*symlinktest",
     "open must stop following after 10 links in a row: a cycle of links never ends otherwise."),
    (r"leaks: FAILED",
     "Inodes or blocks leaked: every inode reference open takes while following links (namei) "
     "must be dropped (iput / iunlockput) when it moves on to the link's target."),
]


def symlinktest(shell, token, name, timeout=60):
    return shell.run_part("symlinktest", name, token, timeout)


@graded(points=20, timeout=90)
def test_basic(shared_shell, token):
    """symlinktest basic: open follows a link; O_NOFOLLOW opens the link itself"""
    symlinktest(shared_shell, token, "basic")


@graded(points=15, depends="test_basic", timeout=90)
def test_chains(shared_shell, token):
    """symlinktest chains: links to links, links to directories"""
    symlinktest(shared_shell, token, "chains")


@graded(points=15, depends="test_basic", timeout=90)
def test_dangling(shared_shell, token):
    """symlinktest dangling: a missing target or a cycle fails to open, and open returns"""
    symlinktest(shared_shell, token, "dangling")


@graded(points=10, depends="test_basic", timeout=90)
def test_refuse(shared_shell, token):
    """symlinktest refuse: symlink over an existing name or into a missing directory fails; unlink"""
    symlinktest(shared_shell, token, "refuse")


@graded(points=10, depends="test_basic", timeout=90)
def test_concurrent(shared_shell, token):
    """symlinktest concurrent: two processes make and remove links at once"""
    symlinktest(shared_shell, token, "concurrent")


@graded(points=10, depends=("test_chains", "test_dangling", "test_refuse"), timeout=120)
def test_no_leaks(shared_shell):
    """a whole symlinktest gives back every inode and block, and every page"""
    shell = shared_shell
    shell.run("echo warm > warm")
    before = shell.free_pages()
    out = shell.run("symlinktest", 90)
    assert "symlinktest: no leaks" in out.splitlines(), out
    after = shell.free_pages()
    assert after == before, "%d free pages before symlinktest, %d after" % (before, after)


@graded(points=20, depends="test_basic", timeout=300)
def test_usertests(shared_shell):
    """usertests of the file system still pass"""
    names = ("createread opentrunc openmodes longnames readpastend dirs dirents unlinkdir "
             "linkunlink openexit bigfile manyfiles concreate fstat devices longpath badpath "
             "execfile outoffd")
    out = shared_shell.run("usertests " + names, 240)
    last = out.splitlines()[-1] if out else ""
    want = "usertests: %d passed, 0 failed" % (len(names.split()) + 1)    # and its leak test
    assert last == want, "usertests %s:\n%s" % (names, out)
