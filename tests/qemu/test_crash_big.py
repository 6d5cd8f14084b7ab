"""Crash safety with the big workload (`crashtest big`, see user/crashtest.c):
files past the 11 direct blocks into the indirect block, single write()s
of several log transactions (14 KiB overwrites, 20 KiB new files), and
directories made and removed every round.  The power is cut at random
points -- real cuts a seeded random number of disk writes into a round,
and exact ones (blkdebug) after a seeded sample of the writes of one whole
round -- then, as for the small workload (tests/qemu/test_crash.py, whose
helpers these are): fsck with the log replayed (no problem at all: this
workload leaves no file open), every file checked on the host, recovery
at reboot, crashtest's own check and two more rounds, fsck again.

What a cut may leave, after the log is replayed (big/, round R being the
one g00's first line names):

  gNN   round R whole, or round R up to the end of one of the write()'s
        transactions and round R-1 after it (see txn_end);
  fR    absent, or a prefix of its contents up to a transaction's end, or whole;
  dR    absent or present; dR/x absent, empty (created, not yet written) or whole;
  f(R-1), d(R-1)/x, d(R-1)   whole until removed, in that order.

and the steps of round R (g00, g01, fR, dR, dR/x, then the removals) are
each done, half done or not begun in order: done ... done [half] not ...
not.  No round crashtest reported done is lost.
"""

import functools
import random
import re
import shutil

import pytest

from tests.qemu.shell import SHELL, power_off, sh
from tests.qemu.test_crash import (LINE, PANIC_IO, boot_shell, check_log_and_orphans,
                                   cut, cut_at_random_write, drive, private_image,
                                   rounds_done, run_output, writes)
from tools import fsck
from tools.fsck import Image

# user/crashtest.c's big workload: keep them in step.
BDIR = "/big"
NG = 2
GSIZE = 14 * 1024
FBIG = 20 * 1024
XSIZE = 700
# A write() reaches the file system in pieces of MAX_IO bytes (kernel/fs/sysfile.py
# MAX_IO), each written in transactions of TXN bytes (kernel/fs/file.py
# MAX_WRITE_PER_OP): its transactions end where txn_end says.
MAX_IO = 8192
TXN = 3072


def txn_end(offset, size):
    """Whether a write() of size bytes has a transaction end at offset."""
    return offset == size or offset % MAX_IO % TXN == 0
AFTER, HALF, BEFORE = "done", "half", "not begun"


@functools.lru_cache(maxsize=None)
def bfill(kind, n, r, size):
    """Kind kind's file n at round r: size bytes of 64-byte lines."""
    out = bytearray()
    for l in range(-(-size // LINE)):
        out += b"%s%02d round %08d line %04d " % (kind.encode(), n, r, l)
        out += bytes(ord("a") + (n * 7 + r * 3 + l * 5 + j + ord(kind)) % 26
                     for j in range(29, LINE - 1))
        out += b"\n"
    return bytes(out[:size])


def g_state(data, g):
    """(round, cut): gNN holds round `round` up to byte `cut` (GSIZE: all of
    it) and round-1 after it, cut at one of the write()'s transaction ends."""
    name = "g%02d" % g
    assert len(data) == GSIZE, "%s is %d bytes" % (name, len(data))
    m = re.match(rb"g%02d round (\d{8}) line 0000 " % g, data)
    assert m, "%s: bad first line %r" % (name, data[:LINE])
    r = int(m.group(1))
    new = bfill("g", g, r, GSIZE)
    if data == new:
        return r, GSIZE
    if r > 0:
        old = bfill("g", g, r - 1, GSIZE)
        for c in range(1, GSIZE):
            if txn_end(c, GSIZE) and data == new[:c] + old[c:]:
                return r, c
    bad = next(i for i in range(GSIZE) if data[i] != new[i])
    raise AssertionError("%s is torn other than at a transaction's end: round %d up to "
                         "byte %d, then %r" % (name, r, bad, data[bad - bad % LINE:][:LINE]))


def prefix_state(data, kind, r, size, name):
    """A file written from empty by one write(): HALF if a prefix up to a
    transaction's end (possibly empty), AFTER if whole."""
    assert len(data) <= size and txn_end(len(data), size), (
        "%s is %d bytes" % (name, len(data)))
    assert data == bfill(kind, 0, r, size)[:len(data)], "bad contents in %s" % name
    return AFTER if len(data) == size else HALF


def read_big(img):
    """big/ as {"g": {n: bytes}, "h": ..., "f": {round: bytes},
    "d": {round: {name: bytes}}}, or None if there is no big/."""
    if "big" not in img.listdir("/"):
        return None
    out = {"g": {}, "h": {}, "f": {}, "d": {}}
    for name, (_, itype) in img.listdir(BDIR).items():
        m = re.fullmatch(r"([ghfd])(\d{2,})", name)
        assert m, "unexpected %s/%s" % (BDIR, name)
        kind, n = m.group(1), int(m.group(2))
        path = "%s/%s" % (BDIR, name)
        if kind == "d":
            assert itype == fsck.fs.T_DIR, "%s is not a directory" % path
            out["d"][n] = {}
            for inner, (_, t) in img.listdir(path).items():
                assert (inner, t) == ("x", fsck.fs.T_FILE), "unexpected %s/%s" % (path, inner)
                out["d"][n][inner] = img.read(path + "/x")
        else:
            assert itype == fsck.fs.T_FILE, "%s is not a plain file" % path
            out[kind][n] = img.read(path)
    return out


def check_setup(big, started):
    """Round 0, the g files being made: (0, whether that is finished)."""
    assert big["f"] == {} and big["d"] == {}, "f or d files before round 1"
    gs = sorted(big["g"])
    assert gs == list(range(len(gs))), "g files made out of order: %s" % gs
    for g in gs:
        assert g_state(big["g"][g], g) == (0, GSIZE)
    # hNN: the next one being written, or linked to gNN but not yet unlinked.
    assert len(big["h"]) <= 1 and all(
        n in (len(gs), len(gs) - 1) for n in big["h"]), "h files: %s" % sorted(big["h"])
    for n, data in big["h"].items():
        assert txn_end(len(data), GSIZE), "h%02d is %d bytes" % (n, len(data))
        assert data == bfill("g", n, 0, GSIZE)[:len(data)], "bad contents in h%02d" % n
    finished = len(gs) == NG and not big["h"]
    assert finished or not started, "crashtest started before its files were made"
    return 0, finished


def steps_of_round(big, r):
    """Each step of round r as AFTER, HALF or BEFORE, in order."""
    steps = []
    for g in range(NG):
        gr, c = g_state(big["g"][g], g)
        if gr == r:
            steps.append(AFTER if c == GSIZE else HALF)
        else:
            assert (gr, c) == (r - 1, GSIZE) and g > 0, "g%02d at round %d, g00 at %d" % (g, gr, r)
            steps.append(BEFORE)
    f = big["f"].get(r)
    steps.append(BEFORE if f is None else prefix_state(f, "f", r, FBIG, "f%02d" % r))
    d = big["d"].get(r)
    steps.append(BEFORE if d is None else AFTER)
    x = (d or {}).get("x")
    steps.append(BEFORE if x is None else AFTER if x == bfill("x", 0, r, XSIZE) else
                 HALF if x == b"" else "bad d%02d/x" % r)
    if r > 1:                         # the last round's, removed in order
        f, d = big["f"].get(r - 1), big["d"].get(r - 1)
        assert f in (None, bfill("f", 0, r - 1, FBIG)), "f%02d is not whole" % (r - 1)
        assert (d or {}).get("x") in (None, bfill("x", 0, r - 1, XSIZE)), (
            "d%02d/x is not whole" % (r - 1))
        steps += [AFTER if f is None else BEFORE,
                  AFTER if "x" not in (d or {}) else BEFORE,
                  AFTER if d is None else BEFORE]
    return steps


def check_big(path, done, started):
    """Steps 1 and 2 on an image just cut: fsck (log replayed) finds nothing
    wrong, and big/ is one state of round R; returns (log blocks committed,
    R, whether round R is complete)."""
    nlog, _ = Image(path).log_header()
    problems = fsck.check(path, replay=True)
    assert problems == [], "fsck after replaying the log:\n" + "\n".join(problems)
    big = read_big(Image(path, replay=True))
    if big is None:
        assert not started and done == 0, "big/ is missing"
        return nlog, 0, False
    if 0 not in big["g"] or g_state(big["g"][0], 0)[0] == 0:
        r, complete = check_setup(big, started)
    else:
        r = g_state(big["g"][0], 0)[0]
        assert big["h"] == {}, "h files after round 0"
        assert set(big["f"]) <= {r, r - 1} and set(big["d"]) <= {r, r - 1}, (
            "f files %s, d directories %s at round %d" % (sorted(big["f"]), sorted(big["d"]), r))
        steps = steps_of_round(big, r)
        order = "".join({AFTER: "a", HALF: "h", BEFORE: "b"}.get(s, "?") for s in steps)
        assert re.fullmatch("a*h?b*", order), "round %d's steps out of order: %s" % (r, steps)
        complete = order == "a" * len(order)
    # Durability: the last round reported done is complete on disk, and at
    # most the next one has begun.
    assert r in (done, done + 1) and (r > done or complete or done == 0), (
        "crashtest said round %d was done; the disk is at round %d%s"
        % (done, r, "" if complete else " (not complete)"))
    return nlog, r, complete


def check_recovery(boot, img, nlog, r, complete):
    """Steps 3 and 4: boot the crashed image, crashtest checks and goes on
    two rounds, power off; fsck clean as it is, big/ exactly round start+1."""
    m = boot_shell(boot, img)
    check_log_and_orphans(m, nlog, [])
    start = r + 1 if r == 0 or complete else r
    assert sh(m, "crashtest big 2", timeout=60) == run_output(start, 2)
    power_off(m)
    problems = fsck.check(img)
    assert problems == [], "fsck after recovery and a clean power-off:\n" + "\n".join(problems)
    end = start + 1
    assert read_big(Image(img)) == {
        "g": {g: bfill("g", g, end, GSIZE) for g in range(NG)}, "h": {},
        "f": {end: bfill("f", 0, end, FBIG)}, "d": {end: {"x": bfill("x", 0, end, XSIZE)}}}


# ---- real power cuts, a random number of writes into a round ----------------

# (name, wait for this line, then for at most this many disk writes
# (random.Random(name)), then cut this way).  Setting up is about 60
# writes, a round about 250.
CUTS = [
    ("setting-up", "crashtest big\n", 60, "sigkill"),
    ("round-2", "crashtest: round 1\n", 250, "qmp-quit"),
    ("round-4", "crashtest: round 3\n", 250, "sigkill"),
    ("round-7", "crashtest: round 6\n", 250, "qmp-quit"),
]


@pytest.mark.parametrize("name,after,most,method", CUTS, ids=[c[0] for c in CUTS])
def test_big_power_cut(boot, fs_image, tmp_path, name, after, most, method):
    img = private_image(fs_image, tmp_path)
    m = boot_shell(boot, img)
    m.send_line("crashtest big")
    n = cut_at_random_write(m, after, name, most, method)
    done, started = rounds_done(m)
    nlog, r, complete = check_big(img, done, started)
    summary = ("cut (%s) %d writes after %r: round %d reported done, disk at round %d (%s), "
               "log holds %d blocks" % (method, n, after.strip(), done, r,
                                        "complete" if complete else "half done", nlog))
    m.note(summary)
    print(summary)                   # pytest -rP shows it
    check_recovery(boot, img, nlog, r, complete)


# ---- exact cuts after a sample of one round's writes --------------------------

def test_big_cut_after_sampled_writes(boot, fs_image, tmp_path):
    # The base: a fresh image after round 1, powered off cleanly.  Booted
    # again, `crashtest big 1` checks it and runs round 2: count that boot's
    # writes and the round's.
    base = private_image(fs_image, tmp_path, "base.img")
    m = boot_shell(boot, base)
    assert sh(m, "crashtest big 1", 60) == run_output(1, 1)
    power_off(m)
    assert fsck.check(base) == []
    probe = tmp_path / "probe.img"
    shutil.copyfile(base, probe)
    m = boot_shell(boot, probe)
    first = writes(m)                             # at boot
    assert sh(m, "crashtest big 1", 60) == run_output(2, 1)
    last = writes(m)                              # ... and round 2
    m.close()
    assert 100 < last - first < 1000, (first, last)

    # About 24 cut points spread over the round (a random one in each stretch
    # of its writes, the same every run), and the round's last write.
    rng = random.Random("big")
    stretch = (last - first) // 24
    points = [first + k * stretch + rng.randrange(stretch) for k in range(24)] + [last]
    seen = []                                     # (N, round, its steps)
    recovered_half = set()                        # steps seen half done by a recovery
    for i, n in enumerate(points):
        img = tmp_path / "cut.img"
        shutil.copyfile(base, img)
        m = boot_shell(boot, img, cut_after=n, tmp_path=tmp_path)
        m.send_line("crashtest big 1")
        # The disk stops after write n: the kernel panics at the next write.
        m.expect([PANIC_IO, "crashtest: done"], 60)
        if n < last:
            assert PANIC_IO in m.transcript, "write %d did not fail" % (n + 1)
            m.wait_exit()
        else:                 # write n was the round's last: nothing failed
            assert PANIC_IO not in m.transcript
            m.expect_exact(SHELL)
            cut(m, "sigkill")
        done, started = rounds_done(m)
        assert started
        nlog, r, complete = check_big(img, max(done, 1), started)
        big = read_big(Image(img, replay=True))
        seen.append((n, r, steps_of_round(big, r)))
        m.close()
        # The whole recovery (boot, crashtest, fsck) on every third, and on
        # the first cut that leaves each step half done.
        half = [j for j, step in enumerate(seen[-1][2]) if step == HALF]
        if i % 3 == 0 or n == last or set(half) - recovered_half:
            recovered_half.update(half)
            check_recovery(boot, img, nlog, r, complete)
    # The sample went through round 2, from its start to its end, through
    # torn g files, a half-written f, and the removal of round 1's files.
    assert seen[0][1] == 2 and seen[-1][1:] == (2, [AFTER] * 8), seen[-1]
    assert any(steps[0] == HALF or steps[1] == HALF for _, _, steps in seen), "no torn g file"
    assert any(steps[2] == HALF for _, _, steps in seen), "no half-written f file"
    assert any(steps[5] == AFTER and steps[7] == BEFORE for _, _, steps in seen), (
        "no cut among the removals")
    # Steps only go forward with n.
    progress = [sum(s == AFTER for s in steps) for _, _, steps in seen]
    assert progress == sorted(progress)
