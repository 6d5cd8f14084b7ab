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
#   ... read or change b.data (a bytearray of BSIZE bytes) ...
#   bwrite(b)              write it to disk now (the log does this)
#   brelse(b)              unlock it; it stays cached until evicted
#
# Buffers sit on a list from most to least recently released; eviction
# takes the least recently used buffer that nobody holds.
from kernel.compat import const
from kernel.abi.fslayout import BSIZE
from kernel.thread import kthread
from kernel.fs import disk

NBUF = const(64)          # blocks kept in memory: configuration


class Buf:
    def __init__(self):
        self.blockno = -1
        self.data = bytearray(BSIZE)
        self.valid = False    # data holds the block's contents
        self.locked = False   # a thread is using it
        self.refcnt = 0       # holders, plus the log's pins
        self.prev = self      # LRU list neighbours
        self.next = self


head = Buf()                  # list sentinel: head.next = most recently used
cache = {}                    # blockno -> Buf, every buffer that holds a block
stats = {"hits": 0, "misses": 0, "evictions": 0}


def _unlink(b):
    b.prev.next = b.next
    b.next.prev = b.prev


def _push_front(b):
    b.next = head.next
    b.prev = head
    head.next.prev = b
    head.next = b


def init():
    for _ in range(NBUF):
        _push_front(Buf())


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
        kthread.sleep(b)
    b.locked = True
    if not b.valid:
        disk.read_into(blockno, b.data)
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
    b.locked = False
    kthread.wakeup(b)
    b.refcnt -= 1
    if b.refcnt == 0:
        _unlink(b)
        _push_front(b)


def bpin(b):
    b.refcnt += 1          # the log keeps a block cached until it is installed


def bunpin(b):
    b.refcnt -= 1
