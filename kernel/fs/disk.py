# The disk: block reads and writes for the buffer cache (bio.py).
#
# C (cstubs/virtio_blk.c) only moves requests to and from the virtio
# device; this module owns the request queue and decides who waits:
#
#   read_into(blockno, buf)   fill buf (a bytearray of BSIZE) with a block
#   read(blockno)             the same, into a new bytearray
#   write(blockno, data)      BSIZE bytes to the disk; returns when they are there
#   write_many(blocknos, datas, count), transfer_many(..., write)
#                             several blocks at once, all in flight together;
#                             returns when every one is done
#
# A thread submits its request and sleeps on it; the disk's interrupt
# becomes the EV_DISK event, whose handler (intr) collects what completed
# and wakes the requesters.  If the device's queue is full (it holds 10
# requests), the thread sleeps until a request completes and frees room.
# The device reads or writes the caller's buffer in place, so the buffer
# is the device's until the request completes: even a killed process's
# thread waits for that before it returns.
#
# Only threads that may sleep use the disk: the file system is mounted by
# init's thread (kernel/main.py), never by the idle thread.
#
# A disk error (a status other than 0) raises OSError: the file system
# cannot carry on from a block it could not read or write.
import kern

from kernel.compat import const
from kernel.abi.fslayout import BSIZE, LOGSIZE
from kernel.thread import kthread, events

SECTOR_SIZE = const(512)
SECTORS_PER_BLOCK = const(2)          # BSIZE // SECTOR_SIZE
STATUS_NAMES = ("ok", "I/O error", "unsupported request")

MAXBATCH = LOGSIZE                    # the most blocks transfer_many moves at once
ROOM = "disk: queue room"             # what threads wait on when the queue is full


class Request:
    """One transfer in flight: its requester sleeps on it until intr()
    sets status to the device's status byte (0 = success).  (No __init__:
    a class without one is twice as quick to instantiate.)"""
    status = -1


pending = {}                          # request id -> Request, submitted and not done
# Requests are reused: a block read or written allocates nothing once
# there are as many as have ever been in flight at once (at most the
# device's queue).
spare_requests = []
spare_lists = []                      # transfer_many's lists of requests

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
    events.on_event(kern.EV_DISK, intr)
    print("disk: virtio, %d blocks of %d bytes" % (nblocks, BSIZE))


def present():
    return nblocks > 0


def intr():
    """EV_DISK: hand every completed request to its sleeping requester."""
    global strays
    any_done = False
    while True:
        done = kern.disk_next()       # id * 256 + status, or -1
        if done < 0:
            break
        any_done = True
        req = pending.pop(done >> 8, None)
        if req is None:               # submitted with kern.disk_submit at the monitor
            strays += 1
            continue
        req.status = done & 0xFF
        kthread.wakeup(req)
    if any_done:
        kthread.wakeup(ROOM)


def _check(blockno, buf):
    """Raise if a request for blockno with buf could not be made: checked
    before anything is in flight, so that nothing fails half-way."""
    if nblocks == 0:
        raise OSError("disk: none attached")
    if not 0 <= blockno < nblocks:
        raise ValueError("disk: block %d outside 0..%d" % (blockno, nblocks - 1))
    if len(buf) != BSIZE:
        raise ValueError("disk: a block buffer is %d bytes, not %d" % (len(buf), BSIZE))


def _submit(blockno, buf, write):
    """Put one request in flight (waiting for room in the queue if need
    be); its Request, whose status intr() sets when it completes.  (The
    caller has _check()ed it.)"""
    global full_waits
    req = spare_requests.pop() if spare_requests else Request()
    req.status = -1
    rid = kern.disk_submit(blockno * SECTORS_PER_BLOCK, buf, write)
    while rid < 0:                    # the queue is full: wait for room
        full_waits += 1
        kthread.sleep(ROOM)
        rid = kern.disk_submit(blockno * SECTORS_PER_BLOCK, buf, write)
    pending[rid] = req
    return req


def _finish(req, blockno, write):
    """Wait for req to complete; give it back; raise if it failed."""
    # A wakeup for another reason (kill) must not end the wait: the
    # device still owns the buffer until the request completes.
    while req.status < 0:
        kthread.sleep(req)
    spare_requests.append(req)
    if req.status != 0:
        _raise_status(req.status, blockno, write)


def _raise_status(status, blockno, write):
    raise OSError("disk: %s %s block %d" % (
        STATUS_NAMES[status] if status < len(STATUS_NAMES) else "status %d" % status,
        "writing" if write else "reading", blockno))


def _transfer(blockno, buf, write):
    # From submission to completion the device owns buf: the wait cannot
    # be abandoned half-way, so the tests' made-up allocation failures are
    # held off (kernel/fs/log.py's commit does the same).
    _check(blockno, buf)
    held = kern.fail_hold(True)
    _finish(_submit(blockno, buf, write), blockno, write)
    kern.fail_hold(held)


def transfer_many(blocknos, bufs, count, write):
    """Read (or write) block blocknos[i] into (from) bufs[i] for each
    i < count, with as many requests in flight at once as the device's
    queue takes: the requester sleeps at most once per block, and not at
    all for those done by the time it looks.  The log's commit writes this
    way, and reads fetch a file's blocks ahead."""
    global reads, writes
    # Every block checked first: nothing may fail once requests are in flight.
    if count > MAXBATCH:
        raise ValueError("disk: a batch of %d blocks is over %d" % (count, MAXBATCH))
    for i in range(count):
        _check(blocknos[i], bufs[i])
    # The batch's own list, from a pool: other threads batch too while this
    # one sleeps.
    inflight = spare_lists.pop() if spare_lists else [None] * MAXBATCH
    held = kern.fail_hold(True)
    for i in range(count):
        inflight[i] = _submit(blocknos[i], bufs[i], write)
    failed = -1
    for i in range(count):
        req = inflight[i]
        inflight[i] = None
        while req.status < 0:
            kthread.sleep(req)
        if req.status != 0 and failed < 0:
            failed = i
            status = req.status
        spare_requests.append(req)
    spare_lists.append(inflight)
    kern.fail_hold(held)
    if failed >= 0:
        _raise_status(status, blocknos[failed], write)
    if write:
        writes += count
    else:
        reads += count


def write_many(blocknos, datas, count):
    transfer_many(blocknos, datas, count, True)


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
