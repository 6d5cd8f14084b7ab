# Files on disk: allocating blocks and inodes, reading and writing inode
# contents.  (Directories and path names are built on this, in directory.py.)
#
# The layers, bottom up (xv6's fs.c, in Python):
#   blocks       balloc/bfree flip bits in the free-block bitmap
#   inodes       an in-memory Inode caches one on-disk inode; iget/iput
#                count references, ilock/iunlock guard its contents
#   contents     bmap finds (or allocates) the disk block holding a given
#                block of the file: direct, indirect, doubly indirect
#
# Anything that writes the disk must run inside log.begin_op()/end_op()
# and write blocks with log.log_write, so each system call is atomic.
import struct

import kern

from kernel.compat import const
from kernel.abi.fslayout import (BSIZE, FSMAGIC, SUPERBLOCK, SB_FIELDS, NDIRECT, NINDIRECT,
                                 NDINDIRECT, MAXFILE, DINODE, DINODE_SIZE, IPB, BPB)
from kernel.abi.limits import STAT_FORMAT
from kernel.thread import kthread
from kernel.fs import bio, log

NINODE = const(200)          # in-memory inodes cached (unused ones are reused)
ZEROS = bytes(BSIZE)

sb = {}                      # the superblock's fields
icache = {}                  # inum -> Inode
alloc_hint = 0               # where balloc starts looking
inode_hint = 1               # where ialloc starts looking


class FSError(Exception):
    """A file-system operation that cannot be done (the call returns -1)."""


def init():
    """Read the superblock and recover the log (at boot, before processes)."""
    global alloc_hint
    b = bio.bread(1)
    values = struct.unpack_from(SUPERBLOCK, b.data, 0)
    bio.brelse(b)
    for name, value in zip(SB_FIELDS, values):
        sb[name] = value
    if sb["magic"] != FSMAGIC:
        raise RuntimeError("fs: bad superblock magic 0x%x" % sb["magic"])
    alloc_hint = sb["size"] - sb["nblocks"]       # the first data block
    log.init(sb)
    reclaim_orphans()


def reclaim_orphans():
    """Free inodes left allocated with no links: a file unlinked while it
    was still open is freed at its last close, and a crash before that
    close would otherwise leak its inode and blocks."""
    for inum in range(1, sb["ninodes"]):
        block, offset = _inode_location(inum)
        b = bio.bread(block)
        itype, _, _, nlink = struct.unpack_from("<hhhh", b.data, offset)
        bio.brelse(b)
        if itype != 0 and nlink == 0:
            print("fs: freeing orphaned inode %d" % inum)
            log.begin_op()
            ip = iget(inum)
            ilock(ip)
            iunlock(ip)
            iput(ip)                # nlink 0, last reference: truncate and free
            log.end_op()


# ---- blocks ----

def bzero(blockno):
    # A block just allocated: its old contents are not read from the disk.
    b = bio.bget_zeroed(blockno)
    log.log_write(b)
    bio.brelse(b)


def balloc():
    """A zeroed free block, marked used; 0 when the disk is full."""
    global alloc_hint
    first, size = sb["size"] - sb["nblocks"], sb["size"]
    # From the last allocation to the end, then from the first data block:
    # allocation walks the disk instead of rescanning its full start.
    blockno = _take_free(alloc_hint, size)
    if blockno == 0:
        blockno = _take_free(first, alloc_hint)
    if blockno:
        alloc_hint = blockno + 1
        bzero(blockno)
    return blockno


FULL = b"\xff" * 32


def _take_free(lo, hi):
    """Mark the first free block in [lo, hi) used and return it; 0 if none."""
    blockno = lo
    while blockno < hi:
        base = blockno - blockno % BPB
        b = bio.bread(sb["bmapstart"] + base // BPB)
        data = b.data
        end = min(hi, base + BPB)
        while blockno < end:
            i = (blockno - base) // 8
            bit = 1 << (blockno % 8)
            # 256 used blocks at a time (the comparison runs in C).
            if bit == 1 and blockno + 256 <= end and data[i:i + 32] == FULL:
                blockno += 256
            elif data[i] & bit:
                blockno += 1
            else:
                data[i] |= bit
                log.log_write(b)
                bio.brelse(b)
                return blockno
        bio.brelse(b)
    return 0


def bfree(blockno):
    b = bio.bread(sb["bmapstart"] + blockno // BPB)
    i, bit = (blockno % BPB) // 8, blockno % 8
    if not b.data[i] & (1 << bit):
        bio.brelse(b)
        raise RuntimeError("fs: freeing free block %d" % blockno)
    b.data[i] &= ~(1 << bit) & 0xFF
    log.log_write(b)
    bio.brelse(b)


def free_blocks():
    """Count of free blocks (for leak checks; reads the whole bitmap)."""
    used = 0
    size = sb["size"]
    for base in range(0, size, BPB):
        b = bio.bread(sb["bmapstart"] + base // BPB)
        for byte in b.data[:(min(BPB, size - base) + 7) // 8]:
            used += bin(byte).count("1")
        bio.brelse(b)
    return size - used


def free_inodes():
    """Count of free on-disk inodes (for leak checks)."""
    count = 0
    for inum in range(1, sb["ninodes"]):
        block, offset = _inode_location(inum)
        b = bio.bread(block)
        if struct.unpack_from("<h", b.data, offset)[0] == 0:
            count += 1
        bio.brelse(b)
    return count


# ---- inodes ----

class Inode:
    def __init__(self, inum):
        self.inum = inum
        self.ref = 0
        self.valid = False       # fields below were read from disk
        self.locked = None       # the thread holding the lock
        self.wanted = False      # a thread sleeps waiting for the lock
        self.type = 0
        self.major = 0
        self.minor = 0
        self.nlink = 0
        self.size = 0
        self.addrs = [0] * (NDIRECT + 2)

    def __repr__(self):
        return "<Inode %d type %d size %d nlink %d ref %d>" % (
            self.inum, self.type, self.size, self.nlink, self.ref)


def _inode_location(inum):
    return _inode_block(inum), _inode_offset(inum)


def _inode_block(inum):
    return sb["inodestart"] + inum // IPB


def _inode_offset(inum):
    return (inum % IPB) * DINODE_SIZE


def iget(inum):
    """The in-memory inode for inum, with a reference; not locked or read."""
    ip = icache.get(inum)
    if ip is None:
        if len(icache) >= NINODE:
            _shrink_icache()
        ip = Inode(inum)
        icache[inum] = ip
    ip.ref += 1
    return ip


def _shrink_icache():
    for inum in [n for n, ip in icache.items() if ip.ref == 0]:
        del icache[inum]
    if len(icache) >= NINODE:
        raise FSError("no free in-memory inodes")


def idup(ip):
    ip.ref += 1
    return ip


def ialloc(itype):
    """A free on-disk inode, now of type itype, referenced; None if none."""
    global inode_hint
    ninodes = sb["ninodes"]
    # Start where the last allocation left off, a block of inodes at a time.
    for k in range(ninodes):
        inum = (inode_hint + k) % ninodes
        if inum == 0:
            continue
        block, offset = _inode_location(inum)
        b = bio.bread(block)
        free = b.data[offset] == 0 and b.data[offset + 1] == 0     # type 0
        if free:
            struct.pack_into(DINODE, b.data, offset, itype, 0, 0, 0, 0, *([0] * 13))
            log.log_write(b)
        bio.brelse(b)
        if free:
            inode_hint = inum + 1
            ip = iget(inum)
            ip.valid = False         # reread on ilock
            return ip
    return None


def iupdate(ip):
    """Write ip's fields to its on-disk inode (inside a transaction).
    (Field by field: a call with *ip.addrs would build an argument tuple
    on the heap at every write.)"""
    b = bio.bread(_inode_block(ip.inum))
    offset = _inode_offset(ip.inum)
    data = b.data
    struct.pack_into("<hhhhI", data, offset, ip.type, ip.major, ip.minor, ip.nlink, ip.size)
    offset += 12
    for addr in ip.addrs:
        struct.pack_into("<I", data, offset, addr)
        offset += 4
    log.log_write(b)
    bio.brelse(b)


def ilock(ip):
    while ip.locked:
        ip.wanted = True
        kthread.sleep(ip)
    ip.locked = kthread.current
    if not ip.valid:
        block, offset = _inode_location(ip.inum)
        b = bio.bread(block)
        fields = struct.unpack_from(DINODE, b.data, offset)
        bio.brelse(b)
        ip.type, ip.major, ip.minor, ip.nlink, ip.size = fields[:5]
        ip.addrs = list(fields[5:])
        ip.valid = True
        if ip.type == 0:
            ip.locked = None
            raise RuntimeError("fs: inode %d has no type" % ip.inum)


def iunlock(ip):
    if not ip.locked:
        raise RuntimeError("iunlock of an unlocked inode")
    ip.locked = None
    if ip.wanted:                # someone sleeps on it: most often nobody
        ip.wanted = False
        kthread.wakeup(ip)


def iput(ip):
    """Drop a reference; the last reference to an unlinked inode frees it
    and its blocks (so callers must be inside a transaction)."""
    if ip.ref == 1 and ip.valid and ip.nlink == 0:
        ilock(ip)
        itrunc(ip)
        ip.type = 0
        iupdate(ip)
        ip.valid = False
        iunlock(ip)
    ip.ref -= 1


def iunlockput(ip):
    iunlock(ip)
    iput(ip)


def drop(ip):
    """Let go of ip after a failure, in whatever state it was left: unlock
    it if this thread holds it, and drop the reference."""
    if ip.locked is kthread.current:
        iunlock(ip)
    iput(ip)


def release_held(thread):
    """Unlock every inode `thread` holds locked (its system call failed)."""
    for ip in icache.values():
        if ip.locked is thread:
            iunlock(ip)


def invalidate_unlocked():
    """Make every unlocked inode reread its fields from the disk (a failed
    operation's changes were rolled back there), and forget those nobody
    references: a failed create's new inode would otherwise stay cached
    under a number the rollback gave back, and each retry add another."""
    for ip in icache.values():
        if not ip.locked:
            ip.valid = False
    while True:                   # one at a time: an error path allocates nothing
        unused = 0
        for inum in icache:
            ip = icache[inum]
            if ip.ref == 0 and not ip.locked:
                unused = inum
                break
        if unused == 0:
            return
        del icache[unused]


# ---- inode contents ----

def _entry(blockno, index, alloc):
    """Entry index of the block-number block blockno, allocating a block
    for it if it is 0 and alloc is set.  Returns the block number (0 if
    absent, or out of blocks)."""
    b = bio.bread(blockno)
    d = b.data
    i = 4 * index           # a little-endian uint32, decoded without a tuple
    addr = d[i] | d[i + 1] << 8 | d[i + 2] << 16 | d[i + 3] << 24
    if addr == 0 and alloc:
        addr = balloc()
        if addr:
            struct.pack_into("<I", b.data, 4 * index, addr)
            log.log_write(b)
    bio.brelse(b)
    return addr


def bmap(ip, bn, alloc=True):
    """The disk block holding block bn of ip's contents (allocating it, and
    any index blocks, if alloc); 0 if absent or the disk is full."""
    if bn < NDIRECT:
        addr = ip.addrs[bn]
        if addr == 0 and alloc:
            addr = ip.addrs[bn] = balloc()
        return addr
    bn -= NDIRECT
    if bn < NINDIRECT:
        top = ip.addrs[NDIRECT]
        if top == 0:
            if not alloc:
                return 0
            top = ip.addrs[NDIRECT] = balloc()
            if top == 0:
                return 0
        return _entry(top, bn, alloc)
    bn -= NINDIRECT
    if bn < NDINDIRECT:
        top = ip.addrs[NDIRECT + 1]
        if top == 0:
            if not alloc:
                return 0
            top = ip.addrs[NDIRECT + 1] = balloc()
            if top == 0:
                return 0
        middle = _entry(top, bn // NINDIRECT, alloc)
        if middle == 0:
            return 0
        return _entry(middle, bn % NINDIRECT, alloc)
    raise FSError("block %d beyond the largest file" % bn)


def _free_index_block(blockno, depth):
    # Free every block an index block points to (recursively), then it.
    b = bio.bread(blockno)
    addrs = struct.unpack_from("<256I", b.data, 0)
    bio.brelse(b)
    for addr in addrs:
        if addr:
            if depth > 1:
                _free_index_block(addr, depth - 1)
            else:
                bfree(addr)
    bfree(blockno)


def itrunc(ip):
    """Free all of ip's contents (ip locked, inside a transaction)."""
    for i in range(NDIRECT):
        if ip.addrs[i]:
            bfree(ip.addrs[i])
            ip.addrs[i] = 0
    if ip.addrs[NDIRECT]:
        _free_index_block(ip.addrs[NDIRECT], 1)
        ip.addrs[NDIRECT] = 0
    if ip.addrs[NDIRECT + 1]:
        _free_index_block(ip.addrs[NDIRECT + 1], 2)
        ip.addrs[NDIRECT + 1] = 0
    ip.size = 0
    iupdate(ip)


def readi(ip, off, n):
    """Up to n bytes of ip's contents from off (ip locked); b"" at or past
    the end -- also when another descriptor truncated the file under this
    offset, as xv6 programs expect; None for a negative n."""
    if n < 0:
        return None
    if off >= ip.size:
        return b""
    n = min(n, ip.size - off)
    out = bytearray(n)
    done = 0
    while done < n:
        addr = bmap(ip, off // BSIZE, False)
        start = off % BSIZE
        chunk = min(n - done, BSIZE - start)
        if addr:
            b = bio.bread(addr)
            out[done:done + chunk] = b.data[start:start + chunk]
            bio.brelse(b)
        done += chunk
        off += chunk
    return out


# The user-memory forms of readi and writei: the bytes move in C, a block
# at a time, between the cached block and the process's pages
# (kern.copyout_buf/copyin_buf), so no Python object grows with the size of
# a read or write.

def _fetch_ahead(ip, bn):
    # Blocks bn, bn+1, ... of ip (up to READ_AHEAD_MAX, within the file)
    # into the cache with one wait for the disk: reads go on sequentially
    # nearly always, so the blocks after the one asked for are wanted next.
    # (A batch of its own: bmap may sleep, and another thread fetch ahead.)
    batch = bio.batch_get()
    last = (ip.size - 1) // BSIZE
    count = 0
    try:
        while count < bio.READ_AHEAD_MAX and bn <= last:
            addr = bmap(ip, bn, False)
            if addr:
                batch.blocknos[count] = addr
                count += 1
            bn += 1
    except BaseException:
        bio.spare_batches.append(batch)
        raise
    bio.read_ahead(batch, count)


def _copy_to_user(ip, off, n, pt, va, copy):
    # Copy n bytes of ip from off to user va a block at a time with
    # copy(pt, va, buffer, offset, count) -- kern.copyout_buf, or exec's
    # kern.uvm_load -- a hole as zeros.  0, or -1 if a copy failed.
    done = 0
    while done < n:
        addr = bmap(ip, off // BSIZE, False)
        start = off % BSIZE
        chunk = min(n - done, BSIZE - start)
        if addr:
            b = bio.cache.get(addr)
            if b is None or not b.valid:      # not cached: fetch ahead too
                _fetch_ahead(ip, off // BSIZE)
            b = bio.bread(addr)
            copied = copy(pt, va + done, b.data, start, chunk)
            bio.brelse(b)
        else:
            copied = copy(pt, va + done, ZEROS, 0, chunk)
        if copied < 0:
            return -1
        done += chunk
        off += chunk
    return 0


def readi_user(ip, off, n, pt, va):
    """Copy up to n bytes of ip's contents from off to user address va in
    page table pt (ip locked): the count, 0 at or past the end, -1 if va is
    bad."""
    if off >= ip.size:
        return 0
    if n > ip.size - off:
        n = ip.size - off
    if _copy_to_user(ip, off, n, pt, va, kern.copyout_buf) < 0:
        return -1
    return n


def writei_user(ip, off, n, pt, va):
    """Write n bytes from user address va to ip at off (ip locked, inside a
    transaction): the count written (short when the disk fills or va goes
    bad part way), or -1 for a bad offset or a bad va at the start."""
    if off > ip.size or off + n > MAXFILE * BSIZE:
        return -1
    done = 0
    while done < n:
        addr = bmap(ip, off // BSIZE, True)
        if addr == 0:
            break                       # out of blocks
        start = off % BSIZE
        chunk = min(n - done, BSIZE - start)
        b = bio.bread(addr)
        copied = kern.copyin_buf(pt, va + done, b.data, start, chunk)
        # Even a failed copy may have changed part of the block: log it, so
        # the cache and the disk never disagree about what it holds.
        log.log_write(b)
        bio.brelse(b)
        if copied < 0:
            break
        done += chunk
        off += chunk
    if off > ip.size:
        ip.size = off
    iupdate(ip)
    return done if done > 0 or n == 0 else -1


def load_user(ip, off, n, pt, va):
    """exec's loader: copy n bytes of ip from off into the user pages at va,
    which need not be writable by the user (ip locked).  0, or -1."""
    if off + n > ip.size:
        return -1
    return _copy_to_user(ip, off, n, pt, va, kern.uvm_load)


def writei(ip, off, data):
    """Write data at off (ip locked, inside a transaction); the count
    written (short when the disk fills), or -1 for a bad offset."""
    n = len(data)
    if off > ip.size or off + n > MAXFILE * BSIZE:
        return -1
    done = 0
    view = memoryview(data)
    while done < n:
        addr = bmap(ip, off // BSIZE, True)
        if addr == 0:
            break                       # out of blocks
        start = off % BSIZE
        chunk = min(n - done, BSIZE - start)
        b = bio.bread(addr)
        b.data[start:start + chunk] = view[done:done + chunk]
        log.log_write(b)
        bio.brelse(b)
        done += chunk
        off += chunk
    if off > ip.size:
        ip.size = off
    # Even with no size change bmap may have added blocks to ip.addrs.
    iupdate(ip)
    return done


def stat_bytes(ip):
    """struct stat (docs/abi.md, STAT_SIZE bytes) for ip (locked); dev is always 1."""
    return struct.pack(STAT_FORMAT, 1, ip.inum, ip.type, ip.nlink, 0, ip.size)
