"""Build a Pyrite file-system image: a root directory holding the given files.

Usage: python -m tools.mkfs OUT.img [--size BLOCKS] [--ninodes N] [-v] [NAME=]FILE...

Each FILE is copied into the root directory under its base name (or under
NAME when given as NAME=FILE).  Names are at most DIRSIZ (14) bytes; a name
that is too long, empty, `.`/`..` or given twice is an error.  --size and
--ninodes default to kernel/abi/fslayout.py's FSSIZE and NINODES.  Nothing is
printed on success; -v prints one summary line:

    mkfs: OUT.img: 8192 blocks (48 metadata, 345 data in use, 7799 free), 6 of 199 inodes in use

The layout is kernel/abi/fslayout.py's, with xv6's conventions: root is inode 1,
whose `.` and `..` both name itself; inodes are handed out from 1 up and
blocks in order from the first data block; a file's blocks are allocated in
file order, each indirect block just before the first data block it holds
(so a file's layout is what the kernel's bmap would have made appending to
it).  The log is empty (header n = 0).

From Python, make_image(path, [(name, bytes), ...]) does the same, and
Builder makes images with subdirectories and device files (the tests use it):

    b = Builder(size=2000, ninodes=50)
    d = b.mkdir(ROOTINO, "d")
    b.add_file(d, "f", b"hello")
    b.mknod(ROOTINO, "console", 1, 0)
    b.write("fs.img")
"""

import argparse
import os
import struct
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from kernel.abi import fslayout as fs  # noqa: E402
from kernel.abi.fslayout import BSIZE, DIRSIZ, NDIRECT, NINDIRECT, ROOTINO  # noqa: E402


class MkfsError(ValueError):
    """The files asked for do not fit, or cannot be named, in the image."""


class Inode:
    """An inode being built: the fields of fslayout's DINODE."""

    def __init__(self, type, major=0, minor=0):
        self.type = type
        self.major = major
        self.minor = minor
        self.nlink = 0
        self.size = 0
        self.addrs = [0] * (NDIRECT + 2)
        self.names = {}           # directories only: name -> inum, for duplicates

    def pack(self):
        return struct.pack(fs.DINODE, self.type, self.major, self.minor,
                           self.nlink, self.size, *self.addrs)


class Builder:
    """A disk image under construction, held in memory until write()."""

    def __init__(self, size=fs.FSSIZE, ninodes=fs.NINODES):
        self.sb = fs.layout(size, ninodes)
        if ninodes < 2 or self.sb["nblocks"] < 1:
            raise MkfsError(f"{size} blocks and {ninodes} inodes leave no room for a root directory")
        self.disk = bytearray(size * BSIZE)
        self.datastart = size - self.sb["nblocks"]
        self.next_block = self.datastart
        self.inodes = {}          # inum -> Inode
        root = self._ialloc(fs.T_DIR)
        assert root == ROOTINO
        self._append(root, _dirent(root, "."))
        self._append(root, _dirent(root, ".."))
        self.inodes[root].nlink = 1   # its own `..`

    # -- what callers build --------------------------------------------------

    def mkdir(self, parent, name):
        """A new directory `name` in directory `parent`; its inode number."""
        inum = self._link(parent, name, self._ialloc(fs.T_DIR))
        self._append(inum, _dirent(inum, "."))
        self._append(inum, _dirent(parent, ".."))
        self.inodes[parent].nlink += 1   # the new directory's `..`
        return inum

    def add_file(self, parent, name, data):
        """A regular file `name` in directory `parent` holding data; its inode number."""
        inum = self._link(parent, name, self._ialloc(fs.T_FILE))
        self._append(inum, bytes(data))
        return inum

    def mknod(self, parent, name, major, minor):
        """A device file `name` in directory `parent`; its inode number."""
        return self._link(parent, name, self._ialloc(fs.T_DEVICE, major, minor))

    def image(self):
        """The finished image's bytes: superblock, inodes and bitmap filled in."""
        disk = bytearray(self.disk)
        sb = self.sb
        struct.pack_into(fs.SUPERBLOCK, disk, BSIZE, *(sb[f] for f in fs.SB_FIELDS))
        for inum, ino in self.inodes.items():
            block, offset = fs.inode_block(inum, sb["inodestart"])
            disk[block * BSIZE + offset:block * BSIZE + offset + fs.DINODE_SIZE] = ino.pack()
        # Every block below next_block is in use: the metadata and all we allocated.
        for b in range(self.next_block):
            block, bit = fs.bitmap_block(b, sb["bmapstart"])
            disk[block * BSIZE + bit // 8] |= 1 << (bit % 8)
        return bytes(disk)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(self.image())

    def summary(self, path):
        size = self.sb["size"]
        used = self.next_block - self.datastart
        return (f"mkfs: {path}: {size} blocks ({self.datastart} metadata, {used} data in use, "
                f"{size - self.next_block} free), {len(self.inodes)} of "
                f"{self.sb['ninodes'] - 1} inodes in use")

    # -- allocation ----------------------------------------------------------

    def _ialloc(self, type, major=0, minor=0):
        inum = len(self.inodes) + ROOTINO
        if inum >= self.sb["ninodes"]:
            raise MkfsError(f"out of inodes ({self.sb['ninodes'] - 1} usable)")
        self.inodes[inum] = Inode(type, major, minor)
        return inum

    def _balloc(self):
        if self.next_block >= self.sb["size"]:
            raise MkfsError(f"out of blocks ({self.sb['size']}-block image)")
        self.next_block += 1
        return self.next_block - 1    # already zero: the disk starts zeroed

    def _link(self, parent, name, inum):
        """Enter inum in directory parent under name (checked); returns inum."""
        dir = self.inodes[parent]
        if dir.type != fs.T_DIR:
            raise MkfsError(f"inode {parent} is not a directory")
        raw = name.encode()
        if not raw or len(raw) > DIRSIZ or b"/" in raw or b"\0" in raw or name in (".", ".."):
            raise MkfsError(f"{name!r}: not a valid name (1 to {DIRSIZ} bytes, no '/')")
        if name in dir.names:
            raise MkfsError(f"{name!r}: given twice")
        dir.names[name] = inum
        self._append(parent, _dirent(inum, name))
        self.inodes[inum].nlink += 1
        return inum

    # -- file contents -------------------------------------------------------

    def _append(self, inum, data):
        """Write data at the end of inode inum, allocating blocks as needed."""
        ino = self.inodes[inum]
        view = memoryview(data)
        while view:
            offset = ino.size % BSIZE
            n = min(BSIZE - offset, len(view))
            start = self._bmap(ino, ino.size // BSIZE) * BSIZE + offset
            self.disk[start:start + n] = view[:n]
            ino.size += n
            view = view[n:]

    def _bmap(self, ino, bn):
        """The disk block holding file block bn, allocated (with any indirect
        blocks on the way) if it has none yet: the kernel's bmap, in short."""
        if bn < NDIRECT:
            return self._slot(ino.addrs, bn)
        bn -= NDIRECT
        if bn < NINDIRECT:
            return self._entry(self._slot(ino.addrs, NDIRECT), bn)
        bn -= NINDIRECT
        if bn < fs.NDINDIRECT:
            middle = self._entry(self._slot(ino.addrs, NDIRECT + 1), bn // NINDIRECT)
            return self._entry(middle, bn % NINDIRECT)
        raise MkfsError(f"file too large (more than {fs.MAXFILE} blocks)")

    def _slot(self, addrs, i):
        if addrs[i] == 0:
            addrs[i] = self._balloc()
        return addrs[i]

    def _entry(self, block, i):
        """Entry i of indirect block `block`, allocated if it is 0."""
        at = block * BSIZE + 4 * i
        (b,) = struct.unpack_from("<I", self.disk, at)
        if b == 0:
            b = self._balloc()
            struct.pack_into("<I", self.disk, at, b)
        return b


def _dirent(inum, name):
    return struct.pack(fs.DIRENT, inum, name.encode())   # "14s" NUL-pads


def make_image(path, files, size=fs.FSSIZE, ninodes=fs.NINODES):
    """Write an image to path with each (name, bytes) of files in the root
    directory.  Raises MkfsError if they do not fit; returns the Builder."""
    builder = Builder(size, ninodes)
    for name, data in files:
        builder.add_file(ROOTINO, name, data)
    builder.write(path)
    return builder


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python -m tools.mkfs",
        description="Make a Pyrite file-system image holding FILEs in its root directory.")
    ap.add_argument("out", metavar="OUT.img")
    ap.add_argument("files", nargs="*", metavar="[NAME=]FILE",
                    help="copied in under NAME, or else its base name")
    ap.add_argument("--size", type=int, default=fs.FSSIZE, metavar="BLOCKS",
                    help=f"image size in {BSIZE}-byte blocks (default {fs.FSSIZE})")
    ap.add_argument("--ninodes", type=int, default=fs.NINODES, metavar="N",
                    help=f"inode count, inode 0 included (default {fs.NINODES})")
    ap.add_argument("-v", "--verbose", action="store_true", help="print a summary line")
    args = ap.parse_intermixed_args(argv)    # options may follow OUT.img
    files = []
    for arg in args.files:
        name, sep, path = arg.partition("=")
        if not sep:
            name, path = os.path.basename(arg), arg
        try:
            files.append((name, Path(path).read_bytes()))
        except OSError as exc:
            print(f"mkfs: {path}: {exc.strerror}", file=sys.stderr)
            return 1
    try:
        builder = make_image(args.out, files, args.size, args.ninodes)
    except MkfsError as exc:
        print(f"mkfs: {exc}", file=sys.stderr)
        return 1
    if args.verbose:
        print(builder.summary(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
