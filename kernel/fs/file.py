# Open files: what a file descriptor refers to -- an inode, a device, or
# one end of a pipe -- with its offset and access mode.
#
# A File is shared by every descriptor that dup() or fork() made from the
# same open(), so they share the offset.  Devices are found by major number
# in the device switch (kernel/dev/devsw.py); the console is major 1.
import kern

from kernel.compat import const
from kernel.abi.fslayout import BSIZE, MAXOPBLOCKS
from kernel.abi.limits import NFILE
from kernel.dev import devsw
from kernel.thread import kthread
from kernel.fs import bio, inode, log, pipe

FD_PIPE = const(1)
FD_INODE = const(2)
FD_DEVICE = const(3)

# One transaction may write at most this much of a file: with indirect and
# bitmap blocks, 3 data blocks stay within MAXOPBLOCKS (as in xv6).
MAX_WRITE_PER_OP = ((MAXOPBLOCKS - 1 - 1 - 2) // 2) * BSIZE

open_files = 0           # how many File objects exist


class File:
    def __init__(self, ftype, readable, writable):
        self.type = ftype
        self.ref = 1
        self.readable = readable
        self.writable = writable
        self.pipe = None
        self.ip = None
        self.off = 0
        self.major = 0


def alloc(ftype, readable, writable):
    """A new open file, or None when the system's table is full."""
    global open_files
    if open_files >= NFILE:
        return None
    f = File(ftype, readable, writable)
    open_files += 1
    return f


def _count_open(n):
    global open_files
    open_files += n


def free_unused(f):
    """Give back a File from alloc() that never got its inode or pipe
    (the call that wanted it failed on the way)."""
    global open_files
    open_files -= 1


def open_pipe():
    """A new pipe's two ends, (read end, write end), or None when the
    system's table of open files is full."""
    if open_files + 2 > NFILE:
        return None
    # Every object first, then the count: an allocation that fails leaves
    # nothing behind.
    shared = pipe.Pipe()
    rf = File(FD_PIPE, True, False)
    wf = File(FD_PIPE, False, True)
    rf.pipe = wf.pipe = shared
    ends = (rf, wf)
    _count_open(2)
    return ends


def operation(work, a, b, c, d=None):
    """work(a, b, c, d) as one file-system operation, inside begin_op/end_op.
    If it fails half-way (out of memory), the buffers and inode locks its
    thread still holds are released, the log rolls the operation back
    (kernel/fs/log.py), the inodes reread what the disk holds, and the
    exception goes on up."""
    log.begin_op()
    try:
        result = work(a, b, c, d)
    except BaseException:
        bio.release_held(kthread.current)
        inode.release_held(kthread.current)
        log.end_op(True)
        inode.invalidate_unlocked()
        raise
    log.end_op()
    return result


def dup(f):
    f.ref += 1
    return f


def close(f):
    global open_files
    f.ref -= 1
    if f.ref > 0:
        return
    open_files -= 1
    if f.type == FD_PIPE:
        f.pipe.close(f.writable)
    else:
        # close cannot fail (the descriptor is gone already), and dropping
        # the last reference to an unlinked file frees it: the tests'
        # made-up allocation failures are held off.
        held = kern.fail_hold(True)
        operation(_iput, f.ip, None, None, None)
        kern.fail_hold(held)


def _iput(ip, _, __, ___):
    inode.iput(ip)


def _write_chunk(f, p, va, n):
    inode.ilock(f.ip)
    wrote = inode.writei_user(f.ip, f.off, n, p.pagetable, va)
    if wrote > 0:
        f.off += wrote
    inode.iunlock(f.ip)
    return wrote


def stat(f):
    """struct stat bytes, or None (a pipe has none)."""
    if f.type == FD_PIPE:
        return None
    inode.ilock(f.ip)
    try:
        return inode.stat_bytes(f.ip)
    finally:
        inode.iunlock(f.ip)          # also when out of memory


# read_user and write_user serve inodes and devices; the caller
# (sysfile.py) has checked the access mode, and moves a pipe's bytes
# straight between user memory and the pipe (Pipe.read_user/write_user).
# An inode's bytes move in C between the cached blocks and the process's
# pages (inode.readi_user/writei_user): nothing in Python grows with n.

def read_user(f, p, va, n):
    """Copy up to n bytes to p's memory at va: the count, 0 at end of file,
    -1 for an error (a bad va, a missing device, p killed while waiting)."""
    if f.type == FD_DEVICE:
        device = devsw.lookup(f.major)
        data = device[0](n, p) if device else None     # a line at most
        if data is None or kern.copyout(p.pagetable, va, data) < 0:
            return -1
        return len(data)
    inode.ilock(f.ip)
    try:
        count = inode.readi_user(f.ip, f.off, n, p.pagetable, va)
        if count > 0:
            f.off += count
    finally:
        inode.iunlock(f.ip)          # also when out of memory
    return count


def write_user(f, p, va, n):
    """Write n bytes from p's memory at va: the count written, or -1."""
    if f.type == FD_DEVICE:
        device = devsw.lookup(f.major)
        data = kern.copyin(p.pagetable, va, n) if device else None
        if data is None:
            return -1
        return device[1](data, p)
    # Several transactions for a big write, each small enough for the log.
    done = 0
    while done < n:
        chunk = min(n - done, MAX_WRITE_PER_OP)
        wrote = operation(_write_chunk, f, p, va + done, chunk)
        if wrote > 0:
            done += wrote
        if wrote != chunk:
            break                    # the disk is full, a bad offset or a bad va
    return done if done > 0 or n == 0 else -1
