"""Check a Pyrite file-system image for consistency, and read files out of one.

Usage: python -m tools.fsck IMG [--replay]

Prints one line per problem found and then `fsck: N problems` (exit status
1), or just `fsck: clean` (exit status 0).  An image that cannot be read at
all gives `fsck: IMG: <reason>` on stderr and exit status 2.

A log whose header holds committed blocks (n != 0) is a problem on its own
("log has N committed blocks not installed"): the kernel would install them
at its next boot.  With --replay fsck first does that recovery itself -- copies
each logged block to its home and sets n to 0, as the kernel does -- on its
in-memory copy, then checks the result.  The image file is never modified.

What is checked (kernel/abi/fslayout.py has the layout, docs/abi.md the types):

  - the superblock: magic, and geometry equal to fslayout.layout(size, ninodes)
  - inodes: inode 0 free; every allocated inode's type T_DIR, T_FILE or
    T_DEVICE; its block pointers (direct, indirect, doubly indirect, and the
    indirect blocks' entries) inside the data area; exactly the data blocks
    below ceil(size / BSIZE) present (Pyrite makes no holes), none beyond
    (an index block past the size is allowed, empty: a write that ran out
    of disk leaves one); devices of size 0 with no blocks
  - blocks: none referenced twice; the bitmap marks exactly the metadata
    blocks and the referenced ones
  - directories, walked from the root: size a multiple of 16; `.` (itself)
    and `..` (its parent; the root's is itself) first; every entry naming an
    allocated inode, with a NUL-padded, unique name; each directory named by
    exactly one entry (no directory hard links); every allocated inode
    reachable; nlink = the entries naming the inode, `.` entries not counted

From Python (the crash tests use these):

    check(path, replay=False)  -> list of problem strings ([] = clean)
    img = Image(path, replay=False)
    img.listdir("/d")  -> {name: (inum, type)}     (`.` and `..` left out)
    img.read("/d/f")   -> the file's bytes
    img.stat("/d/f")   -> {"type": 2, "nlink": 1, "size": 5, "inum": 3}
    img.free_blocks(), img.free_inodes()  -> counts (bitmap zeros; type-0 inodes)

Image's readers raise FileNotFoundError / NotADirectoryError for bad paths and
assume a sane image; check() is the one that copes with any bytes.
"""

import argparse
import struct
import sys
from collections import Counter, namedtuple
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from kernel.abi import fslayout as fs  # noqa: E402
from kernel.abi.fslayout import BSIZE, NDIRECT, NINDIRECT, ROOTINO  # noqa: E402

TYPE_NAMES = {fs.T_DIR: "directory", fs.T_FILE: "file", fs.T_DEVICE: "device"}
DINODE = struct.Struct(fs.DINODE)
DIRENT = struct.Struct(fs.DIRENT)
INDIRECT = struct.Struct("<%dI" % NINDIRECT)

Dinode = namedtuple("Dinode", "type major minor nlink size addrs")


class Image:
    """A disk image read into memory, with xv6-style lookups on it."""

    def __init__(self, path, replay=False):
        with open(path, "rb") as f:
            self.disk = bytearray(f.read())
        if len(self.disk) < 2 * BSIZE:
            raise ValueError(f"{len(self.disk)} bytes: too small to hold a superblock")
        self.sb = dict(zip(fs.SB_FIELDS, struct.unpack_from(fs.SUPERBLOCK, self.disk, BSIZE)))
        self.datastart = self.sb["size"] - self.sb["nblocks"]
        if replay:
            self.replay_log()

    # -- raw structures ------------------------------------------------------

    def block(self, b):
        """Block b's bytes (a view, writable)."""
        if not 0 <= b < len(self.disk) // BSIZE:
            raise ValueError(f"block {b} is outside the image")
        return memoryview(self.disk)[b * BSIZE:(b + 1) * BSIZE]

    def inode(self, inum):
        block, offset = fs.inode_block(inum, self.sb["inodestart"])
        f = DINODE.unpack_from(self.block(block), offset)
        return Dinode(f[0], f[1], f[2], f[3], f[4], f[5:])

    def bit(self, b):
        """Block b's bit in the free-block bitmap (True = in use)."""
        block, bit = fs.bitmap_block(b, self.sb["bmapstart"])
        return bool(self.block(block)[bit // 8] >> (bit % 8) & 1)

    def log_header(self):
        """(n, home block numbers) from the log's header block."""
        n, *homes = struct.unpack_from(fs.LOGHEADER, self.block(self.sb["logstart"]))
        return n, homes[:n]

    def replay_log(self):
        """The kernel's recovery: install every committed block, then n = 0."""
        n, homes = self.log_header()
        if n > fs.LOGSIZE:
            raise ValueError(f"log header says {n} blocks; the log holds {fs.LOGSIZE}")
        logstart = self.sb["logstart"]
        for i, home in enumerate(homes):
            self.block(home)[:] = self.block(logstart + 1 + i)
        struct.pack_into("<I", self.block(logstart), 0, 0)

    def bmap(self, ino, bn):
        """The disk block holding file block bn of ino, or 0 if none."""
        if bn < NDIRECT:
            return ino.addrs[bn]
        bn -= NDIRECT
        if bn < NINDIRECT:
            return self._entry(ino.addrs[NDIRECT], bn)
        bn -= NINDIRECT
        return self._entry(self._entry(ino.addrs[NDIRECT + 1], bn // NINDIRECT), bn % NINDIRECT)

    def _entry(self, block, i):
        if not 0 < block < self.sb["size"]:     # 0, or a bad pointer check() reports
            return 0
        return struct.unpack_from("<I", self.block(block), 4 * i)[0]

    def contents(self, ino):
        """ino's bytes, up to its size; a missing or bad block reads as zeros."""
        size = min(ino.size, fs.MAXFILE * BSIZE)
        out = bytearray()
        for bn in range((size + BSIZE - 1) // BSIZE):
            b = self.bmap(ino, bn)
            out += self.block(b) if 0 < b < self.sb["size"] else bytes(BSIZE)
        return bytes(out[:size])

    def entries(self, ino):
        """A directory's slots: (inum, raw 14-byte name), free ones included."""
        data = self.contents(ino)
        return [DIRENT.unpack_from(data, at) for at in range(0, len(data) - 15, fs.DIRENT_SIZE)]

    # -- by path -------------------------------------------------------------

    def lookup(self, path):
        """The inode number path names, walking from the root."""
        inum = ROOTINO
        for name in path.split("/"):
            if not name:
                continue
            ino = self.inode(inum)
            if ino.type != fs.T_DIR:
                raise NotADirectoryError(path)
            for entry, raw in self.entries(ino):
                if entry and entry_name(raw) == name:
                    inum = entry
                    break
            else:
                raise FileNotFoundError(path)
        return inum

    def listdir(self, path="/"):
        """{name: (inum, type)} for the directory's entries but `.` and `..`."""
        ino = self.inode(self.lookup(path))
        if ino.type != fs.T_DIR:
            raise NotADirectoryError(path)
        return {entry_name(raw): (inum, self.inode(inum).type)
                for inum, raw in self.entries(ino)
                if inum and entry_name(raw) not in (".", "..")}

    def read(self, path):
        return self.contents(self.inode(self.lookup(path)))

    def stat(self, path):
        inum = self.lookup(path)
        ino = self.inode(inum)
        return {"type": ino.type, "nlink": ino.nlink, "size": ino.size, "inum": inum}

    def free_blocks(self):
        return sum(not self.bit(b) for b in range(self.sb["size"]))

    def free_inodes(self):
        """Free inodes among those the kernel hands out (1 .. ninodes-1)."""
        return sum(self.inode(i).type == 0 for i in range(ROOTINO, self.sb["ninodes"]))


def entry_name(raw):
    return raw.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


# -- the checks ---------------------------------------------------------------

def check(path, replay=False):
    """Every problem found in the image at path, as one string each."""
    try:
        img = Image(path)
    except ValueError as exc:
        return [f"image is {exc}"]
    problems = check_superblock(img)
    if problems:
        return problems
    return check_length(img) + check_log(img, replay) + Checker(img).run()


def check_superblock(img):
    """Problems that make the rest of the image unreadable: with any of
    these, nothing else can be located."""
    sb = img.sb
    if sb["magic"] != fs.FSMAGIC:
        return [f"superblock: bad magic 0x{sb['magic']:08x} (expected 0x{fs.FSMAGIC:08x})"]
    if sb["ninodes"] < 2 or sb["size"] < 2:
        return [f"superblock: size {sb['size']} and ninodes {sb['ninodes']} leave no room for a root"]
    want = fs.layout(sb["size"], sb["ninodes"])
    problems = [f"superblock: {f} is {sb[f]}, expected {want[f]} for {sb['size']} blocks "
                f"and {sb['ninodes']} inodes" for f in fs.SB_FIELDS if sb[f] != want[f]]
    nblocks = len(img.disk) // BSIZE
    if nblocks < sb["size"]:
        problems.append(f"superblock: size is {sb['size']} blocks, but the image holds only {nblocks}")
    return problems


def check_length(img):
    """An image longer than its superblock says still works; report it anyway."""
    if len(img.disk) != img.sb["size"] * BSIZE:
        return [f"image is {len(img.disk)} bytes, not size * BSIZE = {img.sb['size'] * BSIZE}"]
    return []


def check_log(img, replay):
    n, homes = img.log_header()
    if n == 0:
        return []
    if n > fs.LOGSIZE:
        return [f"log header: n is {n}, but the log holds {fs.LOGSIZE} blocks"]
    first = img.sb["logstart"] + img.sb["nlog"]     # inode, bitmap and data blocks
    bad = [f"log header: entry {i} installs to block {home}, outside blocks {first}..{img.sb['size'] - 1}"
           for i, home in enumerate(homes) if not first <= home < img.sb["size"]]
    if bad:
        return bad
    if not replay:
        return [f"log has {n} committed blocks not installed"]
    img.replay_log()
    return []


class Checker:
    """One pass over the inodes, the bitmap and the directory tree of an Image
    whose superblock check_superblock() accepted."""

    def __init__(self, img):
        self.img = img
        self.sb = img.sb
        self.problems = []
        self.owner = {}       # block -> "inode N <what>", for every block referenced
        self.inodes = {}      # inum -> Dinode, every allocated inode of a valid type

    def report(self, message):
        self.problems.append(message)

    def run(self):
        self.scan_inodes()
        self.check_bitmap()
        self.check_tree()
        return self.problems

    # -- inodes and their blocks ---------------------------------------------

    def scan_inodes(self):
        for inum in range(self.sb["ninodes"]):
            ino = self.img.inode(inum)
            if ino.type == 0:
                continue
            if ino.type not in TYPE_NAMES:
                self.report(f"inode {inum}: bad type {ino.type}")
                continue
            if inum == 0:
                self.report(f"inode 0: in use (type {ino.type}), but inode 0 is never used")
                continue
            self.inodes[inum] = ino
            if ino.type == fs.T_DEVICE and ino.size != 0:
                self.report(f"inode {inum}: device with size {ino.size}, not 0")
            if ino.size > fs.MAXFILE * BSIZE:
                self.report(f"inode {inum}: size {ino.size} exceeds the largest file, "
                            f"{fs.MAXFILE * BSIZE} bytes")
            self.scan_blocks(inum, ino)

    def scan_blocks(self, inum, ino):
        """Claim every block ino points at, and compare them with its size."""
        nb = min((ino.size + BSIZE - 1) // BSIZE, fs.MAXFILE)
        if ino.type == fs.T_DEVICE:       # its size is reported above; it has no blocks
            nb = 0
        missing, beyond = [], []

        def place(b, first, what, index=False):
            """Pointer b for the file blocks from `first` on: is it where it
            should be, and may it be followed?  An index block past the size
            is no fault in itself (only data blocks there are): a write
            that runs out of disk leaves the index block it allocated before
            failing to get the data block, as xv6's bmap does."""
            if b == 0:
                if first < nb:
                    missing.append(first)
                return False
            if first >= nb and not index:
                beyond.append(f"{what} (block {b})")
            if not self.img.datastart <= b < self.sb["size"]:
                self.report(f"inode {inum}: {what} is block {b}, outside the data area "
                            f"{self.img.datastart}..{self.sb['size'] - 1}")
                return False
            self.claim(b, f"inode {inum} {what}")
            return True

        def indirect(b, first, what):
            if place(b, first, what, index=True):
                for i, entry in enumerate(INDIRECT.unpack(self.img.block(b))):
                    place(entry, first + i, f"file block {first + i}")

        for bn in range(NDIRECT):
            place(ino.addrs[bn], bn, f"file block {bn}")
        indirect(ino.addrs[NDIRECT], NDIRECT, "indirect block")
        first = NDIRECT + NINDIRECT
        if place(ino.addrs[NDIRECT + 1], first, "doubly-indirect block", index=True):
            top = INDIRECT.unpack(self.img.block(ino.addrs[NDIRECT + 1]))
            for j, b in enumerate(top):
                indirect(b, first + j * NINDIRECT, f"indirect block {j} of the doubly-indirect block")

        if missing:
            self.report(f"inode {inum}: size {ino.size} needs file blocks 0..{nb - 1}, "
                        f"but file block {min(missing)} is missing")
        if beyond:
            more = f" and {len(beyond) - 1} more" if len(beyond) > 1 else ""
            self.report(f"inode {inum}: {beyond[0]}{more} beyond its size {ino.size}")

    def claim(self, b, who):
        if b in self.owner:
            self.report(f"block {b} used twice: by {self.owner[b]} and by {who}")
        else:
            self.owner[b] = who

    # -- the bitmap ----------------------------------------------------------

    def check_bitmap(self):
        leaked = []
        for b in range(self.sb["size"]):
            used = b < self.img.datastart or b in self.owner
            marked = self.img.bit(b)
            if used and not marked:
                who = self.owner.get(b, "metadata")
                self.report(f"block {b} ({who}) is in use but free in the bitmap")
            elif marked and not used:
                leaked.append(b)
        for first, last in ranges(leaked):
            span = f"block {first}" if first == last else f"blocks {first}..{last}"
            self.report(f"{span} marked in use in the bitmap but unreferenced (leaked)")
        # The last bitmap block covers more than the disk; those bits stay clear.
        nbits = (self.img.datastart - self.sb["bmapstart"]) * fs.BPB
        beyond = [b for b in range(self.sb["size"], nbits) if self.img.bit(b)]
        if beyond:
            self.report(f"bitmap: {len(beyond)} blocks past the end of the disk marked in use")

    # -- directories, reachability, link counts ------------------------------

    def check_tree(self):
        root = self.inodes.get(ROOTINO)
        if root is None or root.type != fs.T_DIR:
            self.report(f"root inode {ROOTINO} is not an allocated directory")
            return
        self.links = Counter()                # inum -> entries naming it, `.` not counted
        self.path = {ROOTINO: "/"}            # every inode reached -> its first path
        self.dirpath = {ROOTINO: "/"}         # directories -> the one path naming each
        queue = [(ROOTINO, ROOTINO)]          # (directory, its parent)
        while queue:
            inum, parent = queue.pop(0)
            for name, child in self.check_dir(inum, parent):
                path = self.dirpath[inum].rstrip("/") + "/" + name
                self.links[child] += 1
                self.path.setdefault(child, path)
                if self.inodes[child].type != fs.T_DIR:
                    continue
                if child in self.dirpath:
                    self.report(f"directory inode {child} named twice: {self.dirpath[child]} "
                                f"and {path} (directories have one name)")
                    continue
                self.dirpath[child] = path
                queue.append((child, inum))
        for inum, ino in sorted(self.inodes.items()):
            if inum not in self.path:
                self.report(f"orphan inode {inum} ({TYPE_NAMES[ino.type]}, nlink {ino.nlink}): "
                            f"no directory entry reaches it")
            elif ino.nlink != self.links[inum]:
                self.report(f"{self.path[inum]} (inode {inum}): nlink {ino.nlink}, but "
                            f"{self.links[inum]} directory entries name it")

    def check_dir(self, inum, parent):
        """Check directory inum's entries; count its `..`; return the other
        entries naming valid inodes, as (name, inum)."""
        ino = self.inodes[inum]
        where = f"directory {self.dirpath[inum]} (inode {inum})"
        if ino.size % fs.DIRENT_SIZE:
            self.report(f"{where}: size {ino.size} is not a multiple of {fs.DIRENT_SIZE}")
        slots = self.img.entries(ino)
        names = [entry_name(raw) for _, raw in slots]
        for slot, name, want in ((0, ".", inum), (1, "..", parent)):
            if slot >= len(slots) or names[slot] != name:
                self.report(f"{where}: entry {slot} is not {name!r}")
            elif slots[slot][0] != want:
                what = "itself" if name == "." else f"its parent {want}"
                self.report(f"{where}: {name!r} names inode {slots[slot][0]}, not {what}")
        seen = set()
        children = []
        for slot, ((child, raw), name) in enumerate(zip(slots, names)):
            if child == 0:
                continue
            label = f"{where}: entry {slot} {name!r}"
            if not self.valid_entry(label, child, raw, name, slot, seen):
                continue
            if name == "..":
                self.links[child] += 1
            elif name != ".":
                children.append((name, child))
        return children

    def valid_entry(self, label, child, raw, name, slot, seen):
        """Report what is wrong with one used directory entry; True if it is
        sound enough to follow."""
        ok = True
        if raw.rstrip(b"\0").count(b"\0") or not name or "/" in name:
            self.report(f"{label}: bad name {raw!r} (1 to {fs.DIRSIZ} bytes, NUL-padded, no '/')")
            ok = False
        if name in seen:
            self.report(f"{label}: a second entry with that name")
            ok = False
        seen.add(name)
        if (name == "." and slot != 0) or (name == ".." and slot != 1):
            self.report(f"{label}: only entries 0 and 1 may be '.' and '..'")
            ok = False
        if child >= self.sb["ninodes"]:
            self.report(f"{label}: names inode {child}, but there are only {self.sb['ninodes']} inodes")
            return False
        if child not in self.inodes:
            type = self.img.inode(child).type
            if type == 0:
                self.report(f"{label}: names free inode {child}")
            else:
                self.report(f"{label}: names inode {child}, whose type {type} is bad")
            return False
        return ok


def ranges(numbers):
    """Sorted numbers as (first, last) runs of consecutive values."""
    runs = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return [tuple(r) for r in runs]


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python -m tools.fsck",
        description="Check a Pyrite file-system image; exit status 0 if clean, 1 if not.")
    ap.add_argument("image", metavar="IMG")
    ap.add_argument("--replay", action="store_true",
                    help="install a committed log first, as the kernel's recovery would "
                         "(in memory: the image file is not modified)")
    args = ap.parse_args(argv)
    try:
        problems = check(args.image, replay=args.replay)
    except OSError as exc:
        print(f"fsck: {args.image}: {exc.strerror}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    print(f"fsck: {len(problems)} problems" if problems else "fsck: clean")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
