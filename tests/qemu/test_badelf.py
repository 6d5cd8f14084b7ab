"""The malformed programs (tools/mkbadelf.py) that exec must refuse:
usertests' badelf test execs each and expects -1 -- which a missing file
also gives, so that test alone would pass with none of them on the disk.
Here: every one tools/mkbadelf.py makes is on the disk, byte for byte,
usertests names every one, and exec refuses each while it is there."""

import re

from tools import fsck
from tools.mkbadelf import broken_programs
from tests.qemu.machine import REPO
from tests.qemu.shell import sh


def malformed():
    """name -> contents, as tools/mkbadelf.py makes them from the build's echo."""
    return broken_programs((REPO / "build" / "user" / "stripped" / "echo").read_bytes())


def test_usertests_execs_every_malformed_program():
    source = (REPO / "user" / "usertests.c").read_text()
    body = re.search(r"\nbadelfs\(void\)\n\{(.*?)\n\}\n", source, re.S)
    assert body, "user/usertests.c has no badelfs()"
    names = re.search(r"static char \*names\[\] = \{(.*?)\};", body.group(1), re.S)
    assert names, "badelfs() has no names[] list"
    assert sorted(re.findall(r'"(\w+)"', names.group(1))) == sorted(malformed())


def test_every_malformed_program_is_on_the_disk(fs_image):
    img = fsck.Image(fs_image)
    root = img.listdir("/")
    for name, contents in malformed().items():
        assert name in root, "%s is not on the disk" % name
        assert img.read("/" + name) == contents, "%s on the disk is not mkbadelf's" % name


def test_exec_refuses_each(shell):
    for name, contents in malformed().items():
        # There (ls finds it, its size is mkbadelf's), and exec fails.
        row = sh(shell, "ls %s" % name).split()
        assert row[:2] == [name, "2"] and row[3] == str(len(contents)), (name, row)
        assert sh(shell, name) == "exec %s failed" % name
    out = sh(shell, "usertests badelf", 60).splitlines()
    assert [l for l in out if not l.startswith("usertests: free ")] == [
        "usertests starting", "test badelf: OK", "test leaks: OK", "usertests: 2 passed, 0 failed"]
    for what in ("pages", "blocks", "inodes"):
        assert len([l for l in out if re.fullmatch(
            r"usertests: free %s at start (\d+), at end \1" % what, l)]) == 1, (what, out)
    assert sh(shell, "hello") == "hello, world"
