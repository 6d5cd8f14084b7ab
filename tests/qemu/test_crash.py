"""Crash safety, tested for real: the small workload (the big one, with
files into the indirect block, writes of several transactions and
directories, is tests/qemu/test_crash_big.py, on the helpers here).

user/crashtest.c writes, round after round, files whose every state on disk
can be checked (see there: crash/cNN are 3072 bytes rewritten whole by one
write() each round, crash/tR and kR are created, linked and unlinked, one
of them while it is still open).  Each test here boots a private copy of
the session's fresh disk image, starts crashtest at the shell, cuts the
power somewhere, and then on the host:

  1. runs tools/fsck.py with the log replayed, as the kernel's recovery
     would: the only problem allowed is an orphan -- the file crashtest had
     unlinked but not yet closed, which the kernel frees at its next boot;
  2. reads every file crashtest made (fsck's Image, log replayed): each cNN
     is exactly one round, fully old or fully new, never a mix or a torn
     write; no round the program reported done is lost; the t/k/i files
     are consistent with the cNN files' rounds;
  3. boots the image again: the kernel must say it recovered exactly the
     blocks the log held and freed exactly the orphans; `cat` shows a file;
     crashtest itself checks every file again (it does at start) and runs
     two more rounds; the machine powers off cleanly;
  4. runs fsck without replay: the image must be clean as it is -- recovery
     installed the log and freed the orphans for real.

Two kinds of cut:

  - real ones, at a few points (right after start, after round 1, at
    random points in later rounds: a seeded random number of disk writes
    after a round's line, counted by QMP): QMP `quit` or SIGKILL of QEMU.
    Where such a cut lands inside a commit depends on timing;
  - exact ones: QEMU's blkdebug driver lets the first N disk writes through
    and fails every later one, which stops the disk after write N as a power
    cut would (the kernel panics on the I/O error; nothing after write N
    reaches the file).  The sweep cuts after every single write of one whole
    round (about 80) -- each commit's log writes, its commit point, its
    installs, its header clear -- so a log whose commit point were wrong
    leaves a torn cNN or a broken file system at some N, every time.  The
    images cut just past a commit point are cut again while the kernel
    replays their log at boot: recovery must be idempotent.

Checked against deliberately broken kernels (kernel/fs/log.py or file.py
changed in a scratch copy, run with PYRITE_KERNEL): installing before the
header is written, writing the header before the log blocks, recovery
that drops a committed log instead of installing it, and a 3072-byte
write() split into three transactions all fail the sweep (torn cNN,
leaked blocks, or crashtest's own check after reboot), and usually some
of the real cuts too.

The disk is opened with cache=writethrough (O_DSYNC on the image file): a
write the guest was told is complete is in the host file, so SIGKILL cannot
lose it.  (QEMU's default, writeback, would also keep it across a kill of
the QEMU process -- the data is in the host's page cache once pwrite
returns -- but not across a host crash; `unsafe` is not wanted here.)
"""

import os
import random
import re
import shutil
import signal
import time

import pytest

from tests.qemu import shell
from tests.qemu.machine import MachineTimeout
from tests.qemu.shell import SHELL, power_off, sh
from tools import fsck
from tools.fsck import Image

# user/crashtest.c's formulas: keep them in step.
NFILES = 4
FSIZE = 3072
LINE = 64
DIR = "/crash"

ORPHAN = re.compile(r"orphan inode (\d+) \(file, nlink 0\): no directory entry reaches it")
PANIC_IO = "I/O error writing block"


def cfill(f, r):
    """File cNN's contents at round r."""
    out = bytearray()
    for l in range(FSIZE // LINE):
        out += b"c%02d round %08d line %02d " % (f, r, l)
        out += bytes(ord("a") + (f * 7 + r * 3 + l * 5 + j) % 26 for j in range(27, LINE - 1))
        out += b"\n"
    return bytes(out)


def tsize(r):
    return 200 + (r * 677) % 2800


def tfill(r):
    return bytes(ord("\n") if j % LINE == LINE - 1 else ord("A") + (r * 11 + j) % 26
                 for j in range(tsize(r)))


# ---- machines -----------------------------------------------------------

def private_image(fs_image, tmp_path, name="fs.img"):
    """A private copy of the session's fresh disk image."""
    path = tmp_path / name
    shutil.copyfile(fs_image, path)
    if "crashtest" not in Image(path).listdir("/"):
        pytest.fail("the disk image has no crashtest: is it in user/Makefile's PROGS?",
                    pytrace=False)
    return path


def drive(img, cut_after=None, tmp_path=None):
    """make_vars for a disk on img; with cut_after=N, one whose writes after
    the N-th fail (blkdebug: state i counts write i; state N+1 fails all)."""
    spec = "file=%s,format=raw,cache=writethrough" % img
    if cut_after is not None:
        config = tmp_path / ("blkdebug-%d.cfg" % cut_after)
        rules = ['[set-state]\nevent = "write_aio"\nstate = "%d"\nnew_state = "%d"\n\n'
                 % (i, i + 1) for i in range(1, cut_after + 1)]
        rules.append('[inject-error]\nevent = "write_aio"\nstate = "%d"\nerrno = "5"\n'
                     % (cut_after + 1))
        config.write_text("".join(rules))
        spec = ("format=raw,cache=writethrough,file.driver=blkdebug,file.config=%s,"
                "file.image.filename=%s" % (config, img))
    return {"FSIMG": str(img), "FSDRIVE": spec}


def boot_shell(boot, img, **drive_args):
    return shell.boot_shell(boot, make_vars=drive(img, **drive_args))


def writes(m):
    """Write requests the disk has served since QEMU started."""
    return m.qmp("query-blockstats")[0]["stats"]["wr_operations"]


def wait_writes(m, n, timeout=30):
    """Wait (asking QMP) until the disk has served n more write requests."""
    target = writes(m) + n
    deadline = time.monotonic() + m.scaled(timeout)
    while writes(m) < target:
        if time.monotonic() > deadline:
            raise MachineTimeout("the disk served fewer than %d more writes in %gs"
                                 % (n, m.scaled(timeout)))
        time.sleep(0.001)


def cut_at_random_write(m, after, seed, most, method, timeout=30):
    """Wait for the console line `after`, then for a random number of disk
    writes (from random.Random(seed), 0 .. most), then cut the power."""
    m.expect_exact(after, timeout)
    n = random.Random(seed).randrange(most + 1)
    if n:
        wait_writes(m, n, timeout)
    cut(m, method)
    return n


def cut(m, method):
    """Pull the plug."""
    if method == "sigkill":
        os.kill(m.child.pid, signal.SIGKILL)
        assert m.wait_exit() == -signal.SIGKILL
    elif method == "qmp-quit":
        try:
            m.qmp("quit")
        except Exception:         # QEMU may close the socket before it answers
            pass
        assert m.wait_exit() == 0
    else:
        raise ValueError(method)


def rounds_done(m):
    """The last round crashtest said it finished (0: none), and whether it
    said it had started (its files all present)."""
    text = m.transcript.replace("\r", "")
    done = [int(r) for r in re.findall(r"^crashtest: round (\d+)$", text, re.M)]
    return (done[-1] if done else 0), "crashtest: start at round" in text


# ---- the checks ---------------------------------------------------------

def read_files(img):
    """{name: (inum, nlink, bytes)} for everything in crash/ (None: no crash/)."""
    if "crash" not in img.listdir("/"):
        return None
    out = {}
    for name, (inum, itype) in img.listdir(DIR).items():
        assert itype == 2, "%s/%s is not a plain file" % (DIR, name)
        st = img.stat(DIR + "/" + name)
        out[name] = (inum, st["nlink"], img.read(DIR + "/" + name))
    return out


def check_files(files, done, started):
    """Check what crashtest left in crash/ (log replayed); return the
    cNN files' rounds, in file order."""
    if files is None:
        assert not started and done == 0, "crash/ is missing"
        return []
    for name in files:
        assert re.fullmatch(r"[ctki]\d{2,}", name), "unexpected file %s/%s" % (DIR, name)
    # cNN: each exactly one round's contents.  They are made in order
    # (atomically, through iNN), so the ones present are c00, c01, ...
    rounds = []
    for f in range(NFILES):
        name = "c%02d" % f
        if name not in files:
            assert not started, "%s/%s is missing after crashtest started" % (DIR, name)
            assert all("c%02d" % g not in files for g in range(f, NFILES)), "c files out of order"
            break
        data = files[name][2]
        assert len(data) == FSIZE, "%s/%s is %d bytes, not %d" % (DIR, name, len(data), FSIZE)
        m = re.match(rb"c%02d round (\d{8}) line 00 " % f, data)
        assert m, "%s/%s: bad first line %r" % (DIR, name, data[:LINE])
        r = int(m.group(1))
        if data != cfill(f, r):
            bad = next(i for i in range(FSIZE) if data[i] != cfill(f, r)[i])
            pytest.fail("%s/%s is torn or mixed: says round %d, differs from it at byte %d "
                        "(block %d of the file): %r" % (DIR, name, r, bad, bad // 1024,
                                                        data[bad - bad % LINE:][:LINE]))
        rounds.append(r)
    if len(rounds) < NFILES:
        assert set(rounds) <= {0}, "a cNN is missing, so no round has run: %s" % rounds
    # A round rewrites c00, c01, ... in order: newer ones first, at most one round apart.
    assert rounds == sorted(rounds, reverse=True), "rounds out of order: %s" % rounds
    if rounds:
        assert rounds[0] - rounds[-1] <= 1, "more than one round apart: %s" % rounds
        # Durability: a round crashtest reported done is on disk.
        assert rounds[-1] >= done, "crashtest said round %d was done, files hold %s" % (done, rounds)
    newest = rounds[0] if rounds else 0
    for name, (inum, nlink, data) in files.items():
        kind, n = name[0], int(name[1:])
        if kind == "i":         # making cNN: round 0, empty until written
            assert n < NFILES and data in (b"", cfill(n, 0)), "bad %s" % name
            if "c%02d" % n in files:
                assert files["c%02d" % n][0] == inum, "%s and c%02d differ" % (name, n)
        elif kind == "t":       # made this round, linked to kR, then unlinked
            assert n == newest and n >= 1, "%s at round %d" % (name, newest)
            assert data in (b"", tfill(n)), "bad contents in %s" % name
            if "k%02d" % n in files:
                assert files["k%02d" % n][0] == inum and nlink == 2, "%s, k%02d differ" % (name, n)
        elif kind == "k":       # this round's, and the last one's until it is unlinked
            assert n in (newest, newest - 1) and n >= 1, "%s at round %d" % (name, newest)
            assert data == tfill(n), "bad contents in %s" % name
    return rounds


def check_crashed(path, done, started):
    """Steps 1 and 2 on an image just cut: returns (log blocks committed,
    orphan inodes, {name: contents} after replay, cNN rounds)."""
    raw = Image(path)
    nlog, _ = raw.log_header()
    problems = fsck.check(path, replay=True)
    orphans = [int(m.group(1)) for m in map(ORPHAN.fullmatch, problems) if m]
    others = [p for p in problems if not ORPHAN.fullmatch(p)]
    assert others == [], "fsck after replaying the log:\n" + "\n".join(problems)
    img = Image(path, replay=True)
    files = read_files(img)
    rounds = check_files(files, done, started)
    # An orphan is the k file of the round before, unlinked while open.
    assert len(orphans) <= 1, "orphans: %s" % orphans
    for inum in orphans:
        data = img.contents(img.inode(inum))
        assert rounds and data == tfill(rounds[0] - 1), "orphan inode %d is not k%02d" % (
            inum, rounds[0] - 1 if rounds else 0)
    contents = {name: data for name, (_, _, data) in (files or {}).items()}
    return nlog, orphans, contents, rounds


def run_output(start, rounds):
    """What `crashtest N` (or `crashtest big N`) prints, starting at round start."""
    return "\n".join(["crashtest: start at round %d" % start]
                     + ["crashtest: round %d" % r for r in range(start, start + rounds)]
                     + ["crashtest: done"])


def check_log_and_orphans(m, nlog, orphans):
    """The kernel's boot messages: it recovered exactly the nlog blocks the
    log held, and freed exactly the orphans."""
    text = m.transcript.replace("\r", "")
    if nlog:
        assert "log: recovering %d blocks from an interrupted commit\n" % nlog in text
    else:
        assert "log: recovering" not in text
    assert sorted(map(int, re.findall(r"fs: freeing orphaned inode (\d+)", text))) == sorted(orphans)


def check_recovery(boot, img, nlog, orphans, rounds):
    """Steps 3 and 4: boot the crashed image, use it, power off, fsck."""
    m = boot_shell(boot, img)
    check_log_and_orphans(m, nlog, orphans)
    if rounds:
        assert sh(m, "cat crash/c00") + "\n" == cfill(0, rounds[0]).decode()
    else:
        assert "Pyrite" in sh(m, "cat README")
    start = max(rounds, default=0) + 1
    assert sh(m, "crashtest 2", timeout=30) == run_output(start, 2)
    power_off(m)
    problems = fsck.check(img)
    assert problems == [], "fsck after recovery and a clean power-off:\n" + "\n".join(problems)
    files = read_files(Image(img))
    assert sorted(files) == ["c%02d" % f for f in range(NFILES)] + ["k%02d" % (start + 1)]
    assert check_files(files, start + 1, True) == [start + 1] * NFILES


# ---- real power cuts ----------------------------------------------------

# (name, wait for this line, then for a random number of disk writes: at
# most this many (random.Random(name)), then cut this way).  A round is
# about 80 writes; the first, which makes the files, about 200.
CUTS = [
    ("right-after-start", "crashtest\n", 40, "sigkill"),
    ("after-round-1", "crashtest: round 1\n", 0, "qmp-quit"),
    ("mid-round-3", "crashtest: round 3\n", 100, "sigkill"),
    ("mid-round-6", "crashtest: round 6\n", 100, "qmp-quit"),
    ("after-round-12", "crashtest: round 12\n", 0, "sigkill"),
    ("mid-round-20", "crashtest: round 20\n", 100, "qmp-quit"),
]


@pytest.mark.parametrize("name,after,most,method", CUTS, ids=[c[0] for c in CUTS])
def test_power_cut(boot, fs_image, tmp_path, name, after, most, method):
    img = private_image(fs_image, tmp_path)
    m = boot_shell(boot, img)
    m.send_line("crashtest")
    n = cut_at_random_write(m, after, name, most, method)
    done, started = rounds_done(m)
    nlog, orphans, _, rounds = check_crashed(img, done, started)
    summary = ("cut (%s) %d writes after %r: round %d reported done, files at rounds %s, "
               "log holds %d blocks, orphans %s" % (method, n, after.strip(), done,
                                                    rounds, nlog, orphans))
    m.note(summary)
    print(summary)                   # pytest -rP shows it
    check_recovery(boot, img, nlog, orphans, rounds)


# ---- exact cuts: after every write of a round -----------------------------

def test_cut_after_every_write_of_a_round(boot, fs_image, tmp_path):
    # The base: a fresh image after round 1, powered off cleanly.  Booted
    # again, `crashtest 1` checks it (reads only) and runs round 2 as if it
    # had never stopped; count that boot's writes and the round's.
    base = private_image(fs_image, tmp_path, "base.img")
    m = boot_shell(boot, base)
    assert sh(m, "crashtest 1", 30) == run_output(1, 1)
    power_off(m)
    assert fsck.check(base) == []
    probe = tmp_path / "probe.img"
    shutil.copyfile(base, probe)
    m = boot_shell(boot, probe)
    first = writes(m)                             # at boot
    assert sh(m, "crashtest 1", 30) == run_output(2, 1)
    last = writes(m)                              # ... and round 2
    m.close()
    assert 20 < last - first < 300, (first, last)

    seen = []                                     # (N, log blocks, orphans, rounds)
    double = 0                                    # cuts during recovery
    for n in range(first, last + 1):
        img = tmp_path / "cut.img"
        shutil.copyfile(base, img)
        m = boot_shell(boot, img, cut_after=n, tmp_path=tmp_path)
        m.send_line("crashtest 1")
        # The disk stops after write n: the kernel panics at the next write.
        m.expect([PANIC_IO, "crashtest: done"], 30)
        if n < last:
            assert PANIC_IO in m.transcript, "write %d did not fail" % (n + 1)
            m.wait_exit()
        else:                 # write n was the round's last: nothing failed
            assert PANIC_IO not in m.transcript
            m.expect_exact(SHELL)
            cut(m, "sigkill")
        done, started = rounds_done(m)
        assert started
        nlog, orphans, contents, rounds = check_crashed(img, max(done, 1), started)
        seen.append((n, nlog, orphans, rounds))
        m.close()
        # Just past each commit point, cut again while the kernel recovers
        # the log (after half of its installs): recovery must be idempotent.
        if nlog > 1 and len(seen) > 1 and seen[-2][1] == 0:
            double += 1
            m = boot(bootargs=None, wait_prompt=False,
                     make_vars=drive(img, cut_after=nlog // 2, tmp_path=tmp_path))
            m.expect_exact("log: recovering %d blocks" % nlog, 20)
            m.expect([PANIC_IO, re.escape(SHELL)], 20)
            assert PANIC_IO in m.transcript, (
                "recovering %d blocks wrote fewer than %d" % (nlog, nlog // 2 + 1))
            m.wait_exit()
            m.close()
            again = check_crashed(img, max(done, 1), started)
            assert again[0] == nlog and again[2] == contents, "recovery cut at write %d" % (
                nlog // 2 + 1)
        # The whole recovery (boot, use, fsck) on every few, and the first
        # with an orphan.
        if n % 8 == 0 or n == last or (orphans and not seen[-2][2]):
            check_recovery(boot, img, nlog, orphans, rounds)
    # The sweep went through round 2: from files all at round 1 to all at 2,
    # through states where the log had to be replayed and one with an orphan.
    assert seen[0][3] == [1] * NFILES and seen[-1][3] == [2] * NFILES
    assert double >= 3, "fewer than 3 commits of more than one block"
    assert any(orphans for _, _, orphans, _ in seen), "no cut left an orphan"
    # Rounds only go forward with n.
    flat = [sum(r) for _, _, _, r in seen]
    assert flat == sorted(flat)
