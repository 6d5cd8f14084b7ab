"""Shell sessions on the booted kernel with its file system: redirection,
pipelines, lists, groups, background jobs, directories -- what a person
does at xv6's shell -- then the disk checked by fsck on the host."""

import shutil

import pytest

from tools import fsck
from tests.qemu.shell import SHELL, boot_shell, sh, power_off


def test_redirection_and_files(shell):
    assert sh(shell, "echo hi > f") == ""
    assert sh(shell, "cat f") == "hi"
    assert sh(shell, "echo there >> f") == ""
    assert sh(shell, "cat < f") == "hi\nthere"
    assert sh(shell, "wc f") == "2 2 9 f"
    assert sh(shell, "rm f") == ""
    assert "cannot open f" in sh(shell, "cat f")


def test_pipelines_lists_and_groups(shell):
    readme_lines = sh(shell, "cat README | grep Pyrite | wc").split()
    assert len(readme_lines) == 3 and int(readme_lines[0]) > 0
    assert sh(shell, "(echo a; echo b) | wc").split() == ["2", "2", "4"]
    assert sh(shell, "echo one; echo two") == "one\ntwo"
    assert sh(shell, "echo x | cat | cat | cat") == "x"


def test_directories(shell):
    assert sh(shell, "mkdir d; cd d; echo inside > g; ls") .split("\n")[-1].startswith("g ")
    listing = sh(shell, "ls")
    names = [line.split()[0] for line in listing.splitlines()]
    assert names == [".", "..", "g"]
    assert sh(shell, "cd ..; cat d/g") == "inside"
    assert sh(shell, "rm d") == "rm: cannot remove d"      # not empty
    assert sh(shell, "rm d/g; rm d") == ""
    assert "cannot cd d" in sh(shell, "cd d")


def test_background_jobs(shell):
    # `sleep 20 &` returns at once; the job shows in the process list.
    shell.send_line("sleep 20 &")
    shell.expect(r"\[\d+\]", 10)
    shell.expect_exact(SHELL, 10)
    assert sh(shell, "echo meanwhile") == "meanwhile"
    shell.send_raw("\x10")                                  # ^P
    shell.expect(r"\s\d+\s+\d+\s+sleeping\s+\d+\s+\d+\s+sleep\s", 10)


def test_stressfs_and_disk_consistent(boot):
    m = boot_shell(boot)
    assert "stressfs ok" in sh(m, "stressfs", 300)
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
    pid = shell.expect(r"\[(\d+)\]", 10).group(1)
    shell.expect_exact(SHELL, 10)
    assert sh(shell, "kill %s" % pid) == ""
    assert sh(shell, "kill %s" % pid) == "kill: no process %s" % pid   # gone (reaped by sh)
    assert sh(shell, "kill 1") == "kill: no process 1"                # init is not killable
    assert sh(shell, "echo alive") == "alive"
