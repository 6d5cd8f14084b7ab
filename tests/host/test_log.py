"""The buffer cache and the write-ahead log (kernel/fs/bio.py, log.py) under
CPython, on an in-memory disk that records every block written.

The log's promise is that a transaction reaches the disk all at once or
not at all, wherever the power is cut.  The crash test here cuts it after
every single disk write of a commit, runs recovery on what was on the
disk at that moment, and checks each block of the transaction is either
all old or all new.  The same check run against a commit that installs
its blocks before writing the header (the classic mistake) must find a
torn state: that is the negative control that shows the check can fail.
"""

import importlib
import sys

import pytest

from kernel.abi import fslayout
from tests.host import fakekern

DISK_BLOCKS = 200
LAYOUT = fslayout.layout(size=DISK_BLOCKS, ninodes=16)
FIRST_DATA = DISK_BLOCKS - LAYOUT["nblocks"]
OLD, NEW = 0x11, 0x22


class MemDisk:
    """Blocks in a dict (missing ones read as zeros); every write is
    recorded, so a test can rebuild the disk as it was after any of them."""

    def __init__(self, blocks=None):
        self.blocks = dict(blocks or {})
        self.writes = []          # (blockno, bytes), in order
        self.reads = 0

    def read_into(self, blockno, buf):
        self.reads += 1
        buf[:] = self.blocks.get(blockno, bytes(fslayout.BSIZE))

    def write(self, blockno, data):
        assert len(data) == fslayout.BSIZE
        self.blocks[blockno] = bytes(data)
        self.writes.append((blockno, bytes(data)))

    def write_many(self, blocknos, datas, count):
        # The device may finish a batch's writes in any order: record them
        # last first, so the crash cuts see an order other than the issue order.
        for i in reversed(range(count)):
            self.write(blocknos[i], datas[i])

    def after(self, base, n):
        """The disk as it was after the first n recorded writes, from base."""
        blocks = dict(base)
        for blockno, data in self.writes[:n]:
            blocks[blockno] = data
        return blocks


def boot_fs(disk, monkeypatch):
    """bio and log imported afresh against a fake kern, reading and writing
    `disk`, with the log initialised (recovery included).  Returns (bio, log)."""
    fakekern.install()
    for name in list(sys.modules):
        if name == "kernel" or name.startswith("kernel."):
            del sys.modules[name]
    kthread = importlib.import_module("kernel.thread.kthread")
    kthread.init()
    disk_mod = importlib.import_module("kernel.fs.disk")
    monkeypatch.setattr(disk_mod, "read_into", disk.read_into)
    monkeypatch.setattr(disk_mod, "write", disk.write)
    monkeypatch.setattr(disk_mod, "write_many", disk.write_many)
    bio = importlib.import_module("kernel.fs.bio")
    log = importlib.import_module("kernel.fs.log")
    bio.init()
    log.init(LAYOUT)
    return bio, log


@pytest.fixture(autouse=True)
def forget_kernel_modules():
    yield
    for name in list(sys.modules):
        if name == "kernel" or name.startswith("kernel."):
            del sys.modules[name]
    sys.modules.pop("kern", None)


def transaction(bio, log, homes, value):
    """One file-system operation writing `value` over every block in homes."""
    log.begin_op()
    for home in homes:
        b = bio.bread(home)
        b.data[:] = bytes([value]) * fslayout.BSIZE
        log.log_write(b)
        bio.brelse(b)
    log.end_op()


# ---- the buffer cache ----

def test_bread_reads_once_and_caches(monkeypatch):
    disk = MemDisk({FIRST_DATA: b"\x07" * fslayout.BSIZE})
    bio, _ = boot_fs(disk, monkeypatch)
    reads = disk.reads
    b = bio.bread(FIRST_DATA)
    assert bytes(b.data) == b"\x07" * fslayout.BSIZE and b.locked
    bio.brelse(b)
    b = bio.bread(FIRST_DATA)
    bio.brelse(b)
    assert disk.reads == reads + 1
    assert bio.stats["hits"] >= 1


def test_the_least_recently_used_free_buffer_is_recycled(monkeypatch):
    disk = MemDisk()
    bio, _ = boot_fs(disk, monkeypatch)
    for n in range(bio.NBUF + 1):          # one more block than there are buffers
        bio.brelse(bio.bread(FIRST_DATA + n))
    assert FIRST_DATA not in bio.cache     # the oldest went
    assert FIRST_DATA + bio.NBUF in bio.cache and FIRST_DATA + 1 in bio.cache


def test_held_buffers_are_never_recycled(monkeypatch):
    bio, _ = boot_fs(MemDisk(), monkeypatch)
    held = [bio.bread(FIRST_DATA + n) for n in range(bio.NBUF)]
    with pytest.raises(RuntimeError, match="every buffer is in use"):
        bio.bread(FIRST_DATA + bio.NBUF)
    for b in held:
        bio.brelse(b)


def test_bwrite_and_brelse_need_the_buffer_locked(monkeypatch):
    bio, _ = boot_fs(MemDisk(), monkeypatch)
    b = bio.bread(FIRST_DATA)
    bio.brelse(b)
    with pytest.raises(RuntimeError, match="bwrite of an unlocked buffer"):
        bio.bwrite(b)
    with pytest.raises(RuntimeError, match="brelse of an unlocked buffer"):
        bio.brelse(b)


# ---- the log ----

def test_a_transaction_reaches_home_through_the_log(monkeypatch):
    disk = MemDisk()
    bio, log = boot_fs(disk, monkeypatch)
    homes = [FIRST_DATA + 3, FIRST_DATA + 9, FIRST_DATA + 4]
    disk.writes.clear()
    transaction(bio, log, homes, NEW)
    start = LAYOUT["logstart"]
    written = [blockno for blockno, _ in disk.writes]
    # The blocks into the log, the header (commit point), home, the header
    # again; the blocks of each batch in any order.
    assert sorted(written[:3]) == [start + 1, start + 2, start + 3]
    assert written[3] == start
    assert sorted(written[4:7]) == sorted(homes)
    assert written[7:] == [start]
    header = disk.writes[3][1]
    assert int.from_bytes(header[:4], "little") == 3
    assert int.from_bytes(disk.writes[-1][1][:4], "little") == 0
    for home in homes:
        assert disk.blocks[home] == bytes([NEW]) * fslayout.BSIZE


def test_log_write_outside_a_transaction_is_refused(monkeypatch):
    bio, log = boot_fs(MemDisk(), monkeypatch)
    b = bio.bread(FIRST_DATA)
    with pytest.raises(RuntimeError, match="outside a transaction"):
        log.log_write(b)
    bio.brelse(b)


def test_a_block_written_twice_is_logged_once(monkeypatch):
    disk = MemDisk()
    bio, log = boot_fs(disk, monkeypatch)
    disk.writes.clear()
    log.begin_op()
    for value in (1, 2):
        b = bio.bread(FIRST_DATA)
        b.data[0] = value
        log.log_write(b)
        bio.brelse(b)
    log.end_op()
    assert [blockno for blockno, _ in disk.writes].count(FIRST_DATA) == 1
    assert disk.blocks[FIRST_DATA][0] == 2


def torn_states(commit_order, monkeypatch):
    """Cut the power after each disk write of one committed transaction,
    recover, and return the cuts that left the transaction's blocks
    neither all old nor all new (an empty list: the log held)."""
    homes = [FIRST_DATA + 1, FIRST_DATA + 2, FIRST_DATA + 5]
    base = {home: bytes([OLD]) * fslayout.BSIZE for home in homes}
    disk = MemDisk(base)
    bio, log = boot_fs(disk, monkeypatch)
    if commit_order is not None:
        monkeypatch.setattr(log, "commit", lambda: commit_order(bio, log))
    transaction(bio, log, homes, NEW)
    torn = []
    for cut in range(len(disk.writes) + 1):
        after_crash = MemDisk(disk.after(base, cut))
        boot_fs(after_crash, monkeypatch)                 # reboot: recovery runs
        values = {after_crash.blocks[home][0] for home in homes}
        if values not in ({OLD}, {NEW}):
            torn.append((cut, sorted(values)))
    assert disk.writes, "the transaction wrote nothing"
    return torn


def test_every_cut_during_a_commit_recovers_all_or_nothing(monkeypatch):
    assert torn_states(None, monkeypatch) == []


def install_first(bio, log):
    """A wrong commit: the blocks go home before the log header says so."""
    done = log.blocks[:log.nblocks]
    log.nblocks = 0
    for home in done:
        b = bio.bread(home)
        bio.bwrite(b)
        b.logged = False
        bio.bunpin(b)
        bio.brelse(b)
    log.write_header([], 0)


def test_a_commit_that_installs_before_the_header_is_caught(monkeypatch):
    torn = torn_states(install_first, monkeypatch)
    assert torn, "the crash check did not notice a commit with no commit point"
    assert torn[0] == (1, [OLD, NEW])          # one block home, the others not
