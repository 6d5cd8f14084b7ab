# The buffer cache: a bounded set of disk blocks in memory, reused LRU.
#
# Every block the file system reads or writes goes through here, so that
# (1) a block is read from disk once while it stays cached, and (2) only
# one thread at a time works on a block: a buffer is "locked" while a
# thread uses it, and others wanting the same block sleep until it is
# released.  The kernel is not preemptive, so that lock only matters across
# a sleep -- but the disk I/O inside bread() is exactly such a sleep.
#
#   b = bread(blockno)     the block, locked, its data valid
#   ... read or change b.data (a memoryview of BSIZE bytes) ...
#   bwrite(b)              write it to disk now (the log does this)
#   brelse(b)              unlock it; it stays cached until evicted
#
# Buffers sit on a list from most to least recently released; eviction
# takes the least recently used buffer that nobody holds.
#
# The blocks' bytes live in pages from the page allocator, four blocks to
# a page, taken once at boot: b.data is a memoryview of its part of a
# page, so file data never sits in the Python heap (C copies it between
# these pages and user pages; kernel/fs/inode.py).
#
# A buffer's `locked` is the thread holding it (or None), so that when a
# system call fails half-way (out of memory), release_held() can give back
# every buffer its thread still holds.
import kern

from kernel.compat import const
from kernel.abi.fslayout import BSIZE
from kernel.abi.limits import PGSIZE
from kernel.thread import kthread
from kernel.fs import disk

NBUF = const(64)          # blocks kept in memory: configuration


class Buf:
    def __init__(self, data):
        self.blockno = -1
        self.data = data      # BSIZE bytes of a page (a memoryview)
        self.valid = False    # data holds the block's contents
        self.locked = None    # the thread using it
        self.logged = False   # part of the log's open transaction
        self.wanted = False   # a thread sleeps waiting for the lock
        self.refcnt = 0       # holders, plus the log's pins
        self.prev = self      # LRU list neighbours
        self.next = self


head = Buf(None)              # list sentinel: head.next = most recently used
cache = {}                    # blockno -> Buf, every buffer that holds a block
stats = {"hits": 0, "misses": 0, "evictions": 0}
pages = []                    # the pages holding the blocks' bytes
READ_AHEAD_MAX = const(NBUF // 4)
ZEROS = bytes(BSIZE)


def _unlink(b):
    b.prev.next = b.next
    b.next.prev = b.prev


def _push_front(b):
    b.next = head.next
    b.prev = head
    head.next.prev = b
    head.next = b


def init():
    per_page = PGSIZE // BSIZE
    for i in range(NBUF):
        if i % per_page == 0:
            pa = kern.kalloc()
            if pa == 0:
                raise RuntimeError("bio: no pages for the buffer cache")
            pages.append(pa)
        _push_front(Buf(kern.page_view(pages[-1], (i % per_page) * BSIZE, BSIZE)))
    # Grow the table to its full size now, so that caching a block later
    # never allocates (a dict keeps its size when entries are deleted).
    for i in range(NBUF):
        cache[-1 - i] = None
    for i in range(NBUF):
        del cache[-1 - i]


def _get(blockno):
    """The buffer for blockno, with a reference taken (not yet locked)."""
    b = cache.get(blockno)
    if b is not None:
        stats["hits"] += 1
        b.refcnt += 1
        return b
    stats["misses"] += 1
    # Recycle the least recently used buffer nobody holds.
    b = head.prev
    while b is not head:
        if b.refcnt == 0 and not b.locked:
            if b.blockno >= 0:
                del cache[b.blockno]
                stats["evictions"] += 1
            b.blockno = blockno
            b.valid = False
            b.refcnt = 1
            cache[blockno] = b
            return b
        b = b.prev
    raise RuntimeError("bio: every buffer is in use (NBUF=%d too small)" % NBUF)


def bread(blockno):
    """Block blockno, locked and valid."""
    b = _get(blockno)
    while b.locked:
        b.wanted = True
        kthread.sleep(b)
    b.locked = kthread.current
    if not b.valid:
        disk.read_into(blockno, b.data)
        b.valid = True
    return b


class Batch:
    """The lists of one read-ahead: block numbers, then the buffers being
    filled and their data.  Kept in a pool (a thread sleeps on the disk
    mid-batch while others batch too), so reading ahead allocates nothing
    once there are as many as have ever been in use at once."""

    def __init__(self):
        self.blocknos = [0] * READ_AHEAD_MAX
        self.bufs = [None] * READ_AHEAD_MAX
        self.data = [None] * READ_AHEAD_MAX


spare_batches = []


def batch_get():
    """A Batch for read_ahead, which gives it back."""
    return spare_batches.pop() if spare_batches else Batch()


def read_ahead(batch, count):
    """Bring blocks batch.blocknos[:count] into the cache with one wait:
    those not cached are read with all their requests in flight together,
    and left unlocked for the bread that follows.  Blocks another thread
    holds are skipped (it is reading them, or will), so this never waits
    for a lock while holding one.  At most READ_AHEAD_MAX (NBUF // 4)
    blocks: the cache must keep room for everyone else.  Gives batch back
    to the pool."""
    me = kthread.current
    blocknos, bufs, data = batch.blocknos, batch.bufs, batch.data
    n = 0
    ok = False
    try:
        for i in range(min(count, READ_AHEAD_MAX)):
            b = cache.get(blocknos[i])
            if b is not None and (b.valid or b.locked):
                continue
            b = _get(blocknos[i])
            if b.locked or b.valid:
                b.refcnt -= 1
                continue
            b.locked = me
            bufs[n] = b
            blocknos[n] = b.blockno      # (n <= i: compacting in place)
            data[n] = b.data
            n += 1
        if n > 0:
            disk.transfer_many(blocknos, data, n, False)
        ok = True
    finally:
        for i in range(n):
            b = bufs[i]
            bufs[i] = None
            data[i] = None
            b.valid = ok
            brelse(b)
        spare_batches.append(batch)


def bget_zeroed(blockno):
    """Block blockno, locked, its contents all zeroes, without reading the
    disk: for a block just allocated, whose old contents nobody wants."""
    b = _get(blockno)
    while b.locked:
        b.wanted = True
        kthread.sleep(b)
    b.locked = kthread.current
    b.data[:] = ZEROS
    b.valid = True
    return b


def bwrite(b):
    if not b.locked:
        raise RuntimeError("bwrite of an unlocked buffer")
    disk.write(b.blockno, b.data)


def brelse(b):
    """Unlock b and drop the reference; it becomes most recently used."""
    if not b.locked:
        raise RuntimeError("brelse of an unlocked buffer")
    b.locked = None
    if b.wanted:                  # someone sleeps on it: most often nobody
        b.wanted = False
        kthread.wakeup(b)
    b.refcnt -= 1
    if b.refcnt == 0:             # to the front of the LRU list (by hand: hot)
        b.prev.next = b.next
        b.next.prev = b.prev
        b.next = head.next
        b.prev = head
        head.next.prev = b
        head.next = b


def bpin(b):
    b.refcnt += 1          # the log keeps a block cached until it is installed


def bunpin(b):
    b.refcnt -= 1


def release_held(thread):
    """Release every buffer `thread` holds (its system call failed)."""
    b = head.next
    while b is not head:
        nxt = b.next              # brelse moves b to the front
        if b.locked is thread:
            brelse(b)
        b = nxt


def invalidate(b):
    """Forget b's contents: the next bread reads the block from disk
    (the log, rolling back a failed operation)."""
    b.valid = False
