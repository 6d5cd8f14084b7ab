# The disk: block reads and writes for the buffer cache (kernel/bio.py).
#
# C (cstubs/virtio_blk.c) only moves requests to and from the virtio
# device; this module owns the request queue and decides who waits:
#
#   read_into(blockno, buf)   fill buf (a bytearray of BSIZE) with a block
#   read(blockno)             the same, into a new bytearray
#   write(blockno, data)      BSIZE bytes to the disk; returns when they are there
#
# A thread submits its request and sleeps on it; the disk's interrupt
# becomes the EV_DISK event, whose handler (intr) collects what completed
# and wakes the requesters.  If the device's queue is full (it holds 10
# requests), the thread sleeps until a request completes and frees room.
# The device reads or writes the caller's buffer in place, so the buffer
# is the device's until the request completes: even a killed process's
# thread waits for that before it returns.
#
# The idle thread must never sleep, yet the file system is read at boot
# on it, before any other thread exists.  So when the caller is the idle
# thread it waits the other way: in the interrupt wait loop (kern.idle),
# handling events itself, until its request is done.
#
# A disk error (a status other than 0) raises OSError: the file system
# cannot carry on from a block it could not read or write.
import kern

from kernel.compat import const
from kernel.fslayout import BSIZE
from kernel import kthread

SECTOR_SIZE = const(512)
SECTORS_PER_BLOCK = const(2)          # BSIZE // SECTOR_SIZE
STATUS_NAMES = ("ok", "I/O error", "unsupported request")

ROOM = "disk: queue room"             # what threads wait on when the queue is full


class Request:
    """One transfer in flight: its requester sleeps on it until intr()
    sets status to the device's status byte (0 = success).  (No __init__:
    a class without one is twice as quick to instantiate.)"""
    status = -1


pending = {}                          # request id -> Request, submitted and not done
nblocks = 0                           # the disk's size in blocks (0: no disk)
reads = 0                             # blocks read and written since boot
writes = 0
full_waits = 0                        # times a request waited for queue room
strays = 0                            # completions of requests not made here


def init():
    """Find the disk and take its interrupts; a machine without one is fine."""
    global nblocks
    if not kern.disk_present():
        print("disk: none attached")
        return
    nblocks = kern.disk_capacity() // SECTORS_PER_BLOCK
    kthread.on_event(kern.EV_DISK, intr)
    print("disk: virtio, %d blocks of %d bytes" % (nblocks, BSIZE))


def present():
    return nblocks > 0


def intr():
    """EV_DISK: hand every completed request to its sleeping requester."""
    global strays
    done = kern.disk_done()
    for rid, status in done:
        req = pending.pop(rid, None)
        if req is None:               # submitted with kern.disk_submit at the monitor
            strays += 1
            continue
        req.status = status
        kthread.wakeup(req)
    if done:
        kthread.wakeup(ROOM)


def _wait(chan):
    # Block until something changes for chan: sleep, or on the idle
    # thread (which must not sleep) wait for interrupts and handle them.
    # (Before kthread.init() both are None: that is the boot thread too.)
    if kthread.current is kthread.idle_thread:
        events = kern.idle()
        if events:
            kthread.dispatch(events)
    else:
        kthread.sleep(chan)


def _transfer(blockno, buf, write):
    global full_waits
    if nblocks == 0:
        raise OSError("disk: none attached")
    if not 0 <= blockno < nblocks:
        raise ValueError("disk: block %d outside 0..%d" % (blockno, nblocks - 1))
    if len(buf) != BSIZE:
        raise ValueError("disk: a block buffer is %d bytes, not %d" % (BSIZE, len(buf)))
    req = Request()
    rid = kern.disk_submit(blockno * SECTORS_PER_BLOCK, buf, write)
    while rid < 0:                    # the queue is full: wait for room
        full_waits += 1
        _wait(ROOM)
        rid = kern.disk_submit(blockno * SECTORS_PER_BLOCK, buf, write)
    pending[rid] = req
    # A wakeup for another reason (kill) must not end the wait: the
    # device still owns buf until the request completes.
    while req.status < 0:
        _wait(req)
    if req.status != 0:
        raise OSError("disk: %s %s block %d" % (
            STATUS_NAMES[req.status] if req.status < len(STATUS_NAMES) else "status %d" % req.status,
            "writing" if write else "reading", blockno))


def read_into(blockno, buf):
    """Read block blockno into buf, a bytearray of BSIZE bytes."""
    global reads
    _transfer(blockno, buf, False)
    reads += 1


def read(blockno):
    """Block blockno, as a new bytearray of BSIZE bytes."""
    buf = bytearray(BSIZE)
    read_into(blockno, buf)
    return buf


def write(blockno, data):
    """Write BSIZE bytes (any buffer: bytes, bytearray, memoryview) to block
    blockno; returns once the disk has them."""
    global writes
    _transfer(blockno, data, True)
    writes += 1
