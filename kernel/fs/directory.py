# Directories and path names, on top of inodes (inode.py).
#
# A directory is a file of 16-byte entries (inum, name); inum 0 marks a
# free slot.  namei("/a/b") walks directories from the root or from the
# process's current directory.  As in xv6, the entries "." and ".." are
# real entries on disk.
import struct

from kernel.abi.fslayout import BSIZE, ROOTINO, T_DIR, DIRSIZ, DIRENT, DIRENT_SIZE
from kernel.fs.inode import (FSError, iget, idup, iput, ilock, iunlockput, drop, readi, writei)


def pad_name(name):
    """name as a directory entry's 14-byte field, NUL padded; None if it is
    empty, too long, or holds a '/' or NUL."""
    raw = name.encode() if isinstance(name, str) else bytes(name)
    if not raw or len(raw) > DIRSIZ or b"/" in raw or b"\0" in raw:
        return None
    return raw + bytes(DIRSIZ - len(raw))


# Directories are scanned a block at a time (readi of BSIZE bytes), so a
# scan allocates one block's worth however big the directory grows.

def dirlookup(dp, name):
    """(Inode, offset) of name in directory dp (locked), or (None, -1)."""
    target = pad_name(name)
    if target is None:
        return None, -1
    for base in range(0, dp.size, BSIZE):
        data = readi(dp, base, BSIZE)
        # The name search runs in C (bytearray.find): a match must sit at a
        # name field (offset 2 in a 16-byte entry) of a used entry.
        pos = data.find(target)
        while pos >= 0:
            if pos % DIRENT_SIZE == 2:
                inum = data[pos - 2] | (data[pos - 1] << 8)
                if inum:
                    return iget(inum), base + pos - 2
            pos = data.find(target, pos + 1)
    return None, -1


def dirlink(dp, name, inum):
    """Add entry (name, inum) to directory dp (locked, in a transaction)."""
    target = pad_name(name)
    if target is None:
        raise FSError("bad name")
    ip, _ = dirlookup(dp, name)
    if ip is not None:
        iput(ip)
        raise FSError("name exists")
    off = dp.size                       # no free slot: append
    for base in range(0, dp.size, BSIZE):
        data = readi(dp, base, BSIZE)
        free = _free_slot(data)
        if free >= 0:
            off = base + free
            break
    if writei(dp, off, struct.pack(DIRENT, inum, target)) != DIRENT_SIZE:
        raise FSError("out of blocks")


def _free_slot(data):
    # The offset of the first entry with inum 0 in data, or -1.
    for off in range(0, len(data), DIRENT_SIZE):
        if data[off] == 0 and data[off + 1] == 0:
            return off
    return -1


def dir_is_empty(dp):
    """True if dp holds nothing but "." and ".."."""
    for base in range(0, dp.size, BSIZE):
        data = readi(dp, base, BSIZE)
        first = 2 * DIRENT_SIZE if base == 0 else 0
        for off in range(first, len(data), DIRENT_SIZE):
            if data[off] or data[off + 1]:
                return False
    return True


# ---- path names ----

def split_path(path):
    """The elements of path, each cut to its first DIRSIZ bytes as xv6 cuts
    them: mkdir("12345678901234/123456789012345") makes
    12345678901234/12345678901234.  (A character that would straddle the
    cut is dropped whole.)"""
    parts = []
    for part in path.split("/"):
        if part:
            if len(part) > DIRSIZ or len(part.encode()) > DIRSIZ:
                part = part[:DIRSIZ]
                while len(part.encode()) > DIRSIZ:
                    part = part[:-1]
            parts.append(part)
    return parts


def namex(path, cwd, want_parent):
    """Walk path from the root (absolute) or cwd.  Returns the inode
    (referenced, unlocked), or with want_parent (parent inode, last name).
    None (or (None, None)) if a component is missing or not a directory."""
    parts = split_path(path)
    ip = iget(ROOTINO) if path.startswith("/") or cwd is None else idup(cwd)
    if want_parent:
        if not parts:
            iput(ip)
            return None, None
        last = parts.pop()
    try:
        for name in parts:
            ilock(ip)
            if ip.type != T_DIR:
                iunlockput(ip)
                return (None, None) if want_parent else None
            nxt, _ = dirlookup(ip, name)
            iunlockput(ip)
            ip = nxt
            if nxt is None:
                return (None, None) if want_parent else None
        if want_parent:
            return ip, last     # (the pair is allocated: inside the try)
    except BaseException:
        if ip is not None:
            drop(ip)            # out of memory on the way: let go of it
        raise
    return ip


def namei(path, cwd):
    return namex(path, cwd, False)


def nameiparent(path, cwd):
    return namex(path, cwd, True)
