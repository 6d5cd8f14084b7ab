# Directories and path names, on top of inodes (inode.py).
#
# A directory is a file of 16-byte entries (inum, name); inum 0 marks a
# free slot.  namei("/a/b") walks directories from the root or from the
# process's current directory.  As in xv6, the entries "." and ".." are
# real entries on disk.
import struct

import kern

from kernel.abi.fslayout import BSIZE, ROOTINO, T_DIR, DIRSIZ, DIRENT, DIRENT_SIZE
from kernel.fs import bio
from kernel.fs.inode import (FSError, iget, idup, iput, ilock, iunlockput, drop, bmap, writei)


def pad_name(name):
    """name as a directory entry's 14-byte field, NUL padded; None if it is
    empty, too long, or holds a '/' or NUL."""
    raw = name.encode() if isinstance(name, str) else bytes(name)
    if not raw or len(raw) > DIRSIZ or b"/" in raw or b"\0" in raw:
        return None
    return raw + bytes(DIRSIZ - len(raw))


# Directories are scanned a block at a time, in the buffer cache: the
# search for a name runs in C (kern.dirent_find) over the cached block, so
# a lookup allocates nothing however big the directory grows.  (BSIZE is a
# multiple of DIRENT_SIZE: no entry straddles two blocks.)

def _entries(dp, base):
    """The cached block (locked) of directory dp holding offset base."""
    addr = bmap(dp, base // BSIZE, False)
    if addr == 0:
        raise FSError("directory %d has a hole at %d" % (dp.inum, base))
    return bio.bread(addr)


def dirfind(dp, name):
    """The offset of name's entry in directory dp (locked), or -1."""
    target = pad_name(name)
    if target is None:
        return -1
    for base in range(0, dp.size, BSIZE):
        b = _entries(dp, base)
        off = kern.dirent_find(b.data, target)
        bio.brelse(b)
        if off >= 0 and base + off < dp.size:
            return base + off
    return -1


def entry_inum(dp, off):
    """The inode number of the entry at off in directory dp (locked)."""
    b = _entries(dp, off - off % BSIZE)
    i = off % BSIZE
    inum = b.data[i] | b.data[i + 1] << 8
    bio.brelse(b)
    return inum


def dirlookup(dp, name):
    """The inode of name in directory dp (locked), referenced; or None."""
    off = dirfind(dp, name)
    if off < 0:
        return None
    return iget(entry_inum(dp, off))


def dirlink(dp, name, inum):
    """Add entry (name, inum) to directory dp (locked, in a transaction)."""
    target = pad_name(name)
    if target is None:
        raise FSError("bad name")
    if dirfind(dp, name) >= 0:
        raise FSError("name exists")
    off = dp.size                       # no free slot: append
    for base in range(0, dp.size, BSIZE):
        b = _entries(dp, base)
        free = kern.dirent_find(b.data, None)
        bio.brelse(b)
        if free >= 0 and base + free < dp.size:
            off = base + free
            break
    if writei(dp, off, struct.pack(DIRENT, inum, target)) != DIRENT_SIZE:
        raise FSError("out of blocks")


def dir_is_empty(dp):
    """True if dp holds nothing but "." and ".."."""
    for base in range(0, dp.size, BSIZE):
        b = _entries(dp, base)
        data = b.data
        end = min(BSIZE, dp.size - base)
        off = 2 * DIRENT_SIZE if base == 0 else 0
        while off < end and data[off] == 0 and data[off + 1] == 0:
            off += DIRENT_SIZE
        bio.brelse(b)
        if off < end:
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
            nxt = dirlookup(ip, name)
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
