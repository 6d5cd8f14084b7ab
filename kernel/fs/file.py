# Open files: what a file descriptor refers to -- an inode, a device, or
# one end of a pipe -- with its offset and access mode.
#
# A File is shared by every descriptor that dup() or fork() made from the
# same open(), so they share the offset.  Devices are found by major number
# in the device switch (kernel/dev/devsw.py); the console is major 1.
from kernel.compat import const
from kernel.abi.fslayout import BSIZE, MAXOPBLOCKS
from kernel.abi.limits import NFILE
from kernel.dev import devsw
from kernel.fs import inode, log, pipe

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
    open_files += 1
    return File(ftype, readable, writable)


def free_unused(f):
    """Give back a File from alloc() that never got its inode or pipe
    (the call that wanted it failed on the way)."""
    global open_files
    open_files -= 1


def open_pipe():
    """A new pipe's two ends, (read end, write end), or None when the
    system's table of open files is full."""
    rf = alloc(FD_PIPE, True, False)
    if rf is None:
        return None
    wf = alloc(FD_PIPE, False, True)
    if wf is None:
        free_unused(rf)
        return None
    rf.pipe = wf.pipe = pipe.Pipe()
    return rf, wf


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
        log.begin_op()
        inode.iput(f.ip)
        log.end_op()


def stat(f):
    """struct stat bytes, or None (a pipe has none)."""
    if f.type == FD_PIPE:
        return None
    inode.ilock(f.ip)
    st = inode.stat_bytes(f.ip)
    inode.iunlock(f.ip)
    return st


# read and write serve inodes and devices; the caller (sysfile.py)
# has checked the access mode, and moves a pipe's bytes straight between
# user memory and the pipe (Pipe.read_user/write_user) without them.

def read(f, n, p):
    """Up to n bytes (b"" at end of file), or None for an error."""
    if f.type == FD_DEVICE:
        device = devsw.lookup(f.major)
        return device[0](n, p) if device else None
    inode.ilock(f.ip)
    data = inode.readi(f.ip, f.off, n)
    if data is not None:
        f.off += len(data)
    inode.iunlock(f.ip)
    return data


def write(f, data, p):
    """Write data; the count written, or -1."""
    if f.type == FD_DEVICE:
        device = devsw.lookup(f.major)
        return device[1](data, p) if device else -1
    # Several transactions for a big write, each small enough for the log.
    done = 0
    n = len(data)
    while done < n:
        chunk = min(n - done, MAX_WRITE_PER_OP)
        log.begin_op()
        inode.ilock(f.ip)
        wrote = inode.writei(f.ip, f.off, data[done:done + chunk])
        if wrote > 0:
            f.off += wrote
        inode.iunlock(f.ip)
        log.end_op()
        if wrote > 0:
            done += wrote
        if wrote != chunk:
            break                    # the disk is full (or a bad offset)
    return done if done > 0 or n == 0 else -1

