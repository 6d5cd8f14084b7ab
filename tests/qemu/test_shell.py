"""Shell sessions on the booted kernel with its file system: redirection,
pipelines, lists, groups, background jobs, directories -- what a person
does at xv6's shell -- then the disk checked by fsck on the host."""

import re
import shutil
import time

from tools import fsck
from tests.qemu.shell import SHELL, await_process, boot_shell, processes, sh, power_off

BLANKS = rb"[ \t\n\r\v]+"            # what user/wc.c counts as a word's end


def grep_wc(text, pattern):
    """What `grep PATTERN | wc` prints for text (a plain-word pattern):
    the matching lines' count, words and bytes, and wc's empty name."""
    lines = [line + b"\n" for line in text.split(b"\n")[:-1] if pattern in line]
    data = b"".join(lines)
    words = len([w for w in re.split(BLANKS, data) if w])
    return "%d %d %d " % (len(lines), words, len(data))


def test_redirection_and_files(shell):
    assert sh(shell, "echo hi > f") == ""
    assert sh(shell, "cat f") == "hi"
    assert sh(shell, "echo there >> f") == ""
    assert sh(shell, "cat < f") == "hi\nthere"
    assert sh(shell, "wc f") == "2 2 9 f"
    assert sh(shell, "rm f") == ""
    assert sh(shell, "cat f") == "cat: cannot open f"


def test_pipelines_lists_and_groups(shell, fs_image):
    # The README the disk holds (tests/qemu/conftest.py made it from README.md).
    readme = fsck.Image(fs_image).read("/README")
    assert sh(shell, "cat README | grep Pyrite | wc") == grep_wc(readme, b"Pyrite")
    assert sh(shell, "(echo a; echo b) | wc") == "2 2 4 "
    assert sh(shell, "echo one; echo two") == "one\ntwo"
    assert sh(shell, "echo x | cat | cat | cat") == "x"


def ls_rows(listing):
    """ls's lines as (name, type, inode, size)."""
    rows = []
    for line in listing.splitlines():
        m = re.fullmatch(r"(\S+) +(\d+) (\d+) (\d+)", line)
        assert m, "not an ls line: %r" % line
        rows.append((m.group(1),) + tuple(int(g) for g in m.groups()[1:]))
    return rows


def test_directories(shell, fs_image):
    # The root gains two entries (16 bytes each) beyond what mkfs wrote,
    # which left no free slot: init's `console` device at its first boot, and d.
    root = fsck.Image(fs_image)
    assert "console" not in root.listdir("/")
    root_size = root.stat("/")["size"] + 2 * 16
    inums = {inum for inum, _ in root.listdir("/").values()}
    listing = ls_rows(sh(shell, "mkdir d; cd d; echo inside > g; ls"))
    assert [(name, kind, size) for name, kind, _, size in listing] == [
        (".", 1, 48), ("..", 1, root_size), ("g", 2, 7)]
    d, parent, g = (inum for _, _, inum, _ in listing)
    assert parent == 1 and d not in inums and g not in inums | {d}
    assert ls_rows(sh(shell, "ls")) == listing
    assert sh(shell, "cd ..; cat d/g") == "inside"
    assert ("d", 1, d, 48) in ls_rows(sh(shell, "ls"))
    assert sh(shell, "rm d") == "rm: cannot remove d"      # not empty
    assert sh(shell, "rm d/g; rm d") == ""
    assert sh(shell, "cd d") == "cannot cd d"


def shell_pid(m):
    """The pid of the shell at the prompt: init's child named sh."""
    table = processes(m)
    (pid,) = [p for p, (ppid, _, name) in table.items() if (ppid, name) == (1, "sh")]
    return pid


def test_background_jobs(shell):
    # `sleep 20 &` returns at once; the job shows in the process list.
    shell.send_line("sleep 20 &")
    pid = int(shell.expect(r"\[(\d+)\]\s", 10).group(1))
    shell.expect_exact(SHELL, 10)
    assert sh(shell, "echo meanwhile") == "meanwhile"
    await_process(shell, pid, (shell_pid(shell), "sleeping", "sleep"))


def test_stressfs_and_disk_consistent(boot):
    m = boot_shell(boot)
    assert sh(m, "stressfs", 300) == "stressfs ok"
    assert sh(m, "echo kept > keep") == ""
    image = m.fsimg
    saved = image + ".after"
    power_off(m)
    shutil.copyfile(image, saved)
    assert fsck.check(saved) == []
    assert fsck.Image(saved).read("/keep") == b"kept\n"
    # The file survives a reboot on the same image.
    m2 = boot_shell(boot, make_vars={"FSIMG": saved})
    assert sh(m2, "cat keep") == "kept"
    power_off(m2)
    assert fsck.check(saved) == []


def test_kill_from_the_shell(shell):
    shell.send_line("sleep 1000 &")
    pid = int(shell.expect(r"\[(\d+)\]\s", 10).group(1))
    shell.expect_exact(SHELL, 10)
    sh_pid = shell_pid(shell)
    await_process(shell, pid, (sh_pid, "sleeping", "sleep"))
    assert sh(shell, "kill %d" % pid) == ""
    table = processes(shell)
    # sh reaps a finished background job in the wait() of a later command
    # (user/sh.c waitfor): once the killed one has exited, a command later
    # it is gone from the process list -- not left a zombie, not running.
    deadline = time.monotonic() + shell.scaled(10)
    while pid in table:
        assert table[pid][1] in ("runnable", "zombie"), table[pid]   # kill woke it
        assert time.monotonic() < deadline, "pid %d not reaped: %s" % (pid, table[pid])
        assert sh(shell, "echo reap") == "reap"
        table = processes(shell)
    assert sorted(table) == [1, sh_pid]
    assert sh(shell, "kill %d" % pid) == "kill: no process %d" % pid
    assert sh(shell, "kill 1") == "kill: no process 1"                # init is not killable
    assert sh(shell, "echo alive") == "alive"
