# The write-ahead log: every system call's disk updates happen atomically.
#
# A system call that changes the file system brackets its work with
# begin_op() and end_op(), and writes blocks with log_write(b) instead of
# bwrite(b).  log_write only notes the block (and pins it in the cache).
# When the last operation in progress ends, commit():
#
#   1. copies each noted block into the log area on disk;
#   2. writes the log header with the count: the commit point -- from here
#      a crash is recovered by replaying the log;
#   3. copies each block to its home location ("install");
#   4. writes the header with count 0: the log is empty again.
#
# At boot, recover() replays a committed log that a crash left behind.  So
# after a crash, each system call's changes are on disk entirely or not at
# all.  This is xv6's log.c; the disk layout is in kernel/abi/fslayout.py.
#
# A system call can also fail half-way inside the kernel (out of memory).
# Its caller then ends the operation with end_op(failed=True).  If it was
# the only operation in the transaction, nothing of it has reached the
# disk yet -- its blocks wait, pinned, in the cache -- so it is rolled
# back: the cached copies are dropped and read again from the disk, and the
# disk never sees the half-done change.  If other operations share the
# transaction their changes cannot be told apart; it is committed whole,
# and counted in stats["mixed_failures"].  log_write never allocates, so a
# block is never changed in the cache without being noted here.
import struct

import kern

from kernel.abi.fslayout import LOGHEADER, LOGSIZE, MAXOPBLOCKS
from kernel.thread import kthread
from kernel.fs import bio, disk

start = 0              # block of the log header
size = 0               # blocks in the log area, header included
outstanding = 0        # operations between begin_op and end_op
committing = False
blocks = [0] * LOGSIZE  # block numbers noted in this transaction: blocks[:nblocks]
nblocks = 0
ops = 0                # operations begun in this transaction
# The commit's disk writes, made without allocating: block numbers, and the
# cached data to write there.  (One commit at a time: `committing`.)
log_slots = [0] * LOGSIZE
batch_data = [None] * LOGSIZE
stats = {"commits": 0, "blocks": 0, "rollbacks": 0, "mixed_failures": 0}

WAIT_CHANNEL = "log space"


def init(superblock):
    global start, size
    start = superblock["logstart"]
    size = superblock["nlog"]
    if size - 1 < LOGSIZE:
        raise RuntimeError("log: disk log of %d blocks is smaller than LOGSIZE" % size)
    recover()


def read_header():
    b = bio.bread(start)
    fields = struct.unpack_from(LOGHEADER, b.data, 0)
    bio.brelse(b)
    return list(fields[1:1 + fields[0]])


def write_header(block_list, count):
    """The header: count, then block_list[:count] (the rest is unused).
    One integer at a time, so that a commit allocates nothing."""
    b = bio.bread(start)
    struct.pack_into("<I", b.data, 0, count)
    for i in range(count):
        struct.pack_into("<I", b.data, 4 + 4 * i, block_list[i])
    bio.bwrite(b)
    bio.brelse(b)


def install(block_list, count, recovering):
    """Copy each logged block to its home location (at boot, replaying a
    log a crash left behind: the committed copies are read from the log)."""
    if not recovering:
        _install_cached(block_list, count)
        return
    for i in range(count):
        home = block_list[i]
        logged = bio.bread(start + 1 + i)
        dst = bio.bread(home)
        dst.data[:] = logged.data
        bio.bwrite(dst)
        if not recovering:
            bio.bunpin(dst)
        bio.brelse(logged)
        bio.brelse(dst)


def _install_cached(block_list, count):
    # After a commit the blocks' new contents are still in the cache,
    # pinned: write them home straight from there, all in flight at once.
    for i in range(count):
        batch_data[i] = bio.cache[block_list[i]].data
    disk.write_many(block_list, batch_data, count)
    for i in range(count):
        bio.bunpin(bio.cache[block_list[i]])
        batch_data[i] = None


def recover():
    pending = read_header()
    if pending:
        print("log: recovering %d blocks from an interrupted commit" % len(pending))
        install(pending, len(pending), True)
        write_header(pending, 0)


def begin_op():
    """Start a file-system operation; wait while the log could overflow."""
    global outstanding, ops
    while True:
        if committing:
            kthread.sleep(WAIT_CHANNEL)
        elif nblocks + (outstanding + 1) * MAXOPBLOCKS > LOGSIZE:
            kthread.sleep(WAIT_CHANNEL)    # this op might run out of log space
        else:
            outstanding += 1
            ops += 1
            return


def end_op(failed=False):
    """End an operation; the last one out commits everything.  failed:
    the operation stopped half-way (see the top of this file)."""
    global outstanding, committing
    outstanding -= 1
    if committing:
        raise RuntimeError("log: end_op while committing")
    if failed:
        if ops == 1 and outstanding == 0:
            rollback()
        else:
            stats["mixed_failures"] += 1
    if outstanding == 0:
        committing = True
        commit()
        committing = False
    # Waiting operations may fit now (fewer reservations, or a fresh log).
    kthread.wakeup(WAIT_CHANNEL)


def rollback():
    """Drop the open transaction's changes: its blocks are read again from
    the disk, which has never seen them."""
    global nblocks, ops
    for i in range(nblocks):
        b = bio.cache.get(blocks[i])      # pinned, so still cached
        b.logged = False
        bio.invalidate(b)
        bio.bunpin(b)
    nblocks = 0
    ops = 0
    stats["rollbacks"] += 1


def commit():
    # The commit works for every operation of the transaction, and one that
    # stopped half-way would leave the log wedged (committing forever): so
    # the tests' made-up allocation failures are held off while it runs.
    held = kern.fail_hold(True)
    _commit()
    kern.fail_hold(held)


def _commit():
    global nblocks, ops
    ops = 0
    if nblocks == 0:
        return
    # 1. the blocks, into the log area: straight from their pinned cached
    # copies (nobody changes them: no operation runs during a commit), all
    # in flight at once.
    for i in range(nblocks):
        b = bio.cache[blocks[i]]
        b.logged = False
        batch_data[i] = b.data
        log_slots[i] = start + 1 + i
    disk.write_many(log_slots, batch_data, nblocks)
    for i in range(nblocks):
        batch_data[i] = None
    count = nblocks
    write_header(blocks, count)  # 2. the commit point
    install(blocks, count, False)  # 3.
    write_header(blocks, 0)      # 4.
    nblocks = 0
    stats["commits"] += 1
    stats["blocks"] += count


def log_write(b):
    """Note that buffer b (locked by the caller) belongs to this transaction."""
    global nblocks
    if outstanding < 1:
        raise RuntimeError("log_write outside a transaction")
    if b.logged:
        return                   # absorbed: one copy per transaction
    if nblocks >= LOGSIZE:
        raise RuntimeError("log: transaction too big")
    blocks[nblocks] = b.blockno
    nblocks += 1
    b.logged = True
    bio.bpin(b)
