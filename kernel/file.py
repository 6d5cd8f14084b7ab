# Open files: what a file descriptor refers to -- an inode, a device, or
# one end of a pipe -- with its offset and access mode.
#
# A File is shared by every descriptor that dup() or fork() made from the
# same open(), so they share the offset.  Devices are found by major number
# in `devices`; the console is major 1.
from kernel.compat import const
from kernel.fslayout import BSIZE, MAXOPBLOCKS
from kernel import fs, log, console
import kern

NFILE = const(1000)      # open files in the whole system: configuration
NOFILE = const(16)       # descriptors per process

FD_PIPE = const(1)
FD_INODE = const(2)
FD_DEVICE = const(3)

CONSOLE = const(1)

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
        fs.iput(f.ip)
        log.end_op()


def stat(f):
    """struct stat bytes, or None (a pipe has none)."""
    if f.type == FD_PIPE:
        return None
    fs.ilock(f.ip)
    st = fs.stat_bytes(f.ip)
    fs.iunlock(f.ip)
    return st


# read and write serve inodes and devices; the caller (kernel/sysfile.py)
# has checked the access mode, and moves a pipe's bytes straight between
# user memory and the pipe (Pipe.read_user/write_user) without them.

def read(f, n, p):
    """Up to n bytes (b"" at end of file), or None for an error."""
    if f.type == FD_DEVICE:
        device = devices.get(f.major)
        return device[0](n, p) if device else None
    fs.ilock(f.ip)
    data = fs.readi(f.ip, f.off, n)
    if data is not None:
        f.off += len(data)
    fs.iunlock(f.ip)
    return data


def write(f, data, p):
    """Write data; the count written, or -1."""
    if f.type == FD_DEVICE:
        device = devices.get(f.major)
        return device[1](data, p) if device else -1
    # Several transactions for a big write, each small enough for the log.
    done = 0
    n = len(data)
    while done < n:
        chunk = min(n - done, MAX_WRITE_PER_OP)
        log.begin_op()
        fs.ilock(f.ip)
        wrote = fs.writei(f.ip, f.off, data[done:done + chunk])
        if wrote > 0:
            f.off += wrote
        fs.iunlock(f.ip)
        log.end_op()
        if wrote > 0:
            done += wrote
        if wrote != chunk:
            break                    # the disk is full (or a bad offset)
    return done if done > 0 or n == 0 else -1


# ---- devices: major number -> (read(n, p), write(data, p)) ----

def console_read(n, p):
    return console.read(n, p)


def console_write(data, p):
    kern.console_write(data)
    return len(data)


devices = {CONSOLE: (console_read, console_write)}
