"""Host-only tests for tools/mkfs.py and tools/fsck.py (no QEMU).

mkfs builds a small image with a subdirectory tree, a device, a 14-byte name
and a file big enough to need the doubly-indirect block; fsck must call it
clean and read every byte back.  Then each test damages one copy of it in one
way -- through kernel/abi/fslayout.py's layout, not through the tools' own code --
and requires fsck to report that particular problem.
"""

import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from kernel.abi import fslayout as fs
from kernel.abi.fslayout import BSIZE, ROOTINO
from tools import fsck, mkfs
from tools.fsck import Image, check
from tools.mkfs import Builder, MkfsError, make_image

REPO = Path(__file__).resolve().parents[2]
SIZE, NINODES = 2000, 64
SB = fs.layout(SIZE, NINODES)
DATASTART = SIZE - SB["nblocks"]

# File contents: the big one crosses into the doubly-indirect range
# ((11 + 256) KiB), and no two blocks anywhere are alike.
BIG = b"".join(struct.pack("<I", i) * (BSIZE // 4) for i in range(300))
FILES = {
    "big": BIG,
    "small": b"hello, pyrite\n",
    "abcdefghijklmn": b"x" * (BSIZE + 1),     # a 14-byte name, no NUL in the entry
    "empty": b"",
}


def build(files=FILES, extra=None):
    """The test image: FILES in the root, a device, and /d/f, /d/e/g."""
    b = Builder(SIZE, NINODES)
    for name, data in files.items():
        b.add_file(ROOTINO, name, data)
    b.mknod(ROOTINO, "console", 1, 0)
    d = b.mkdir(ROOTINO, "d")
    b.add_file(d, "f", b"in d\n")
    e = b.mkdir(d, "e")
    b.add_file(e, "g", b"in e\n")
    if extra:
        extra(b)
    return b.image()


@pytest.fixture(scope="module")
def base():
    return build()


@pytest.fixture
def img_path(tmp_path, base):
    path = tmp_path / "fs.img"
    path.write_bytes(base)
    return path


# -- poking at an image by hand (fslayout only) --------------------------------

class Disk:
    """An image's bytes with the few accessors the corruptions need."""

    FIELDS = ("type", "major", "minor", "nlink", "size")

    def __init__(self, data):
        self.data = bytearray(data)

    def inode_offset(self, inum):
        block, offset = fs.inode_block(inum, SB["inodestart"])
        return block * BSIZE + offset

    def inode(self, inum):
        f = struct.unpack_from(fs.DINODE, self.data, self.inode_offset(inum))
        return dict(zip(self.FIELDS, f[:5]), addrs=list(f[5:]))

    def set_inode(self, inum, **changes):
        ino = self.inode(inum)
        ino.update(changes)
        struct.pack_into(fs.DINODE, self.data, self.inode_offset(inum),
                         *(ino[f] for f in self.FIELDS), *ino["addrs"])

    def set_bit(self, b, value):
        block, bit = fs.bitmap_block(b, SB["bmapstart"])
        at = block * BSIZE + bit // 8
        self.data[at] = self.data[at] & ~(1 << bit % 8) | (value << bit % 8)

    def u32(self, at, value=None):
        if value is not None:
            struct.pack_into("<I", self.data, at, value)
        return struct.unpack_from("<I", self.data, at)[0]

    def entry_offset(self, dirinum, slot):
        """Byte offset of a directory's slot (directories here are one block)."""
        return self.inode(dirinum)["addrs"][0] * BSIZE + slot * fs.DIRENT_SIZE

    def slot_of(self, dirinum, name):
        block = self.inode(dirinum)["addrs"][0] * BSIZE
        for slot in range(BSIZE // fs.DIRENT_SIZE):
            inum, raw = struct.unpack_from(fs.DIRENT, self.data, block + slot * fs.DIRENT_SIZE)
            if inum and raw.rstrip(b"\0") == name.encode():
                return slot
        raise KeyError(name)

    def set_entry(self, dirinum, name, inum=None, raw=None):
        at = self.entry_offset(dirinum, self.slot_of(dirinum, name))
        old_inum, old_raw = struct.unpack_from(fs.DIRENT, self.data, at)
        struct.pack_into(fs.DIRENT, self.data, at,
                         old_inum if inum is None else inum, old_raw if raw is None else raw)


def problems_after(tmp_path, base, corrupt):
    """fsck's problems for a copy of base that corrupt(Disk) has damaged."""
    disk = Disk(base)
    corrupt(disk)
    path = tmp_path / "bad.img"
    path.write_bytes(disk.data)
    return check(path)


def assert_reported(problems, pattern):
    assert any(re.search(pattern, p) for p in problems), \
        f"no problem matches {pattern!r}; fsck said: {problems}"


# -- mkfs and the readers ------------------------------------------------------

def test_clean_image_reads_back(img_path):
    assert check(img_path) == []
    img = Image(img_path)
    for name, data in FILES.items():
        assert img.read("/" + name) == data
    assert img.read("/d/f") == b"in d\n"
    assert img.read("/d/e/g") == b"in e\n"
    assert set(img.listdir("/")) == set(FILES) | {"console", "d"}
    assert img.listdir("/d") == {"f": (img.lookup("/d/f"), fs.T_FILE),
                                 "e": (img.lookup("/d/e"), fs.T_DIR)}


def test_big_file_uses_doubly_indirect_block(img_path):
    img = Image(img_path)
    ino = img.inode(img.lookup("/big"))
    assert ino.size == len(BIG) > (fs.NDIRECT + fs.NINDIRECT) * BSIZE
    assert ino.addrs[fs.NDIRECT] and ino.addrs[fs.NDIRECT + 1]


def test_stat_and_link_counts(img_path):
    img = Image(img_path)
    assert img.stat("/") == {"type": fs.T_DIR, "nlink": 2, "size": 8 * 16, "inum": ROOTINO}
    assert img.stat("/d")["nlink"] == 2                # its name, and e's `..`
    assert img.stat("/d/e") == {"type": fs.T_DIR, "nlink": 1, "size": 48,
                                "inum": img.lookup("/d/e")}
    assert img.stat("/small")["nlink"] == 1
    assert img.stat("/console")["type"] == fs.T_DEVICE
    assert img.lookup("/d/e/../../small") == img.lookup("/small")
    with pytest.raises(FileNotFoundError):
        img.stat("/nothing")
    with pytest.raises(NotADirectoryError):
        img.read("/small/x")


def test_blocks_allocated_in_order_from_first_data_block(img_path):
    """Every block in use is metadata or one of a run starting at the first
    data block; the superblock is layout()'s; the log is empty."""
    img = Image(img_path)
    assert img.sb == SB
    used = SIZE - img.free_blocks()
    assert all(img.bit(b) for b in range(used))
    assert not any(img.bit(b) for b in range(used, SIZE))
    assert img.inode(ROOTINO).addrs[0] == DATASTART
    assert img.log_header() == (0, [])
    assert img.free_inodes() == NINODES - 1 - 10      # root, 4 files, console, d, f, e, g


def test_make_image_and_cli(tmp_path):
    (tmp_path / "hello").write_bytes(b"hi\n")
    make_image(tmp_path / "a.img", [("hello", b"hi\n")])
    assert Image(tmp_path / "a.img").sb == fs.layout()
    out = subprocess.run([sys.executable, "-m", "tools.mkfs", str(tmp_path / "b.img"),
                          "--size", "300", "--ninodes", "32", str(tmp_path / "hello"),
                          f"other={tmp_path / 'hello'}"],
                         cwd=REPO, capture_output=True, text=True)
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")
    img = Image(tmp_path / "b.img")
    assert (img.sb["size"], img.sb["ninodes"]) == (300, 32)
    assert img.read("/hello") == img.read("/other") == b"hi\n"
    out = subprocess.run([sys.executable, "-m", "tools.fsck", str(tmp_path / "b.img")],
                         cwd=REPO, capture_output=True, text=True)
    assert (out.returncode, out.stdout) == (0, "fsck: clean\n")


def test_mkfs_verbose_and_errors(tmp_path, capsys):
    (tmp_path / "f").write_bytes(b"data")
    (tmp_path / "fifteen_letters").write_bytes(b"")
    out = str(tmp_path / "o.img")
    assert mkfs.main([out, "-v", str(tmp_path / "f")]) == 0
    assert capsys.readouterr().out == (
        f"mkfs: {out}: 8192 blocks (48 metadata, 2 data in use, 8142 free), "
        f"2 of 199 inodes in use\n")
    for args, message in [
        ([str(tmp_path / "fifteen_letters")], "not a valid name"),
        ([str(tmp_path / "f"), str(tmp_path / "f")], "given twice"),
        ([str(tmp_path / "missing")], "No such file"),
        (["--size", "47", str(tmp_path / "f")], "leave no room"),
        (["--size", "48", str(tmp_path / "f")], "out of blocks"),     # the root takes the one
    ]:
        assert mkfs.main([out] + args) == 1
        assert message in capsys.readouterr().err


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "x" * 15])
def test_bad_names(name):
    with pytest.raises(MkfsError):
        Builder(SIZE, NINODES).add_file(ROOTINO, name, b"")


def test_out_of_space():
    with pytest.raises(MkfsError, match="out of blocks"):
        Builder(100, 16).add_file(ROOTINO, "f", bytes(100 * BSIZE))
    b = Builder(SIZE, 4)                       # inodes 1..3 usable
    b.add_file(ROOTINO, "a", b"")
    b.add_file(ROOTINO, "b", b"")
    with pytest.raises(MkfsError, match="out of inodes"):
        b.add_file(ROOTINO, "c", b"")


def test_largest_file(tmp_path):
    """MAXFILE blocks fit (every block distinct); one more block does not."""
    size = fs.layout(0)["size"] - fs.layout(0)["nblocks"] + fs.MAXFILE + 1 + 1 + 256 + 40
    data = bytearray(fs.MAXFILE * BSIZE)
    for bn in range(fs.MAXFILE):
        struct.pack_into("<I", data, bn * BSIZE, bn)
    b = make_image(tmp_path / "max.img", [("max", data)], size=size)
    img = Image(tmp_path / "max.img")
    assert check(tmp_path / "max.img") == []
    assert img.read("/max") == data
    with pytest.raises(MkfsError, match="too large"):
        b._bmap(b.inodes[2], fs.MAXFILE)


# -- the corruptions -----------------------------------------------------------

# Inode numbers in the test image, in creation order.
BIGI, SMALLI, LONGI, EMPTYI, CONSOLEI, DI, FI, EI, GI = range(2, 11)
FREEI = NINODES - 1


def addr(disk, inum, i=0):
    return disk.inode(inum)["addrs"][i]


def set_addr(disk, inum, i, value):
    addrs = disk.inode(inum)["addrs"]
    addrs[i] = value
    disk.set_inode(inum, addrs=addrs)


def write_log(disk, homes, blocks):
    """A committed transaction: the blocks in the log, then the header."""
    for i, data in enumerate(blocks):
        at = (SB["logstart"] + 1 + i) * BSIZE
        disk.data[at:at + BSIZE] = data
    struct.pack_into(fs.LOGHEADER, disk.data, SB["logstart"] * BSIZE,
                     len(homes), *(homes + [0] * (fs.LOGSIZE - len(homes))))


CORRUPTIONS = {
    # the superblock
    "bad magic": (lambda d: d.u32(BSIZE, 0x12345678),
                  r"^superblock: bad magic 0x12345678"),
    "bad geometry": (lambda d: d.u32(BSIZE + 4 * 6, SB["inodestart"] + 1),
                     r"^superblock: inodestart is \d+, expected \d+"),
    "truncated image": (lambda d: d.data.__delitem__(slice(100 * BSIZE, None)),
                        r"^superblock: size is 2000 blocks, but the image holds only 100"),
    # the log
    "pending log": (lambda d: write_log(d, [DATASTART + 5, DATASTART + 6], [bytes(BSIZE)] * 2),
                    r"^log has 2 committed blocks not installed$"),
    "log header too long": (lambda d: d.u32(SB["logstart"] * BSIZE, fs.LOGSIZE + 1),
                            r"^log header: n is 31"),
    "log home outside": (lambda d: write_log(d, [1], [bytes(BSIZE)]),
                         r"^log header: entry 0 installs to block 1, outside"),
    # inodes
    "bad type": (lambda d: d.set_inode(EMPTYI, type=7), r"^inode 5: bad type 7$"),
    "entry names a bad inode": (lambda d: d.set_inode(EMPTYI, type=-1),
                                r"'empty': names inode 5, whose type -1 is bad$"),
    "inode 0 in use": (lambda d: d.set_inode(0, type=fs.T_FILE, nlink=1),
                       r"^inode 0: in use"),
    "device with size": (lambda d: d.set_inode(CONSOLEI, size=10),
                         r"^inode 6: device with size 10, not 0$"),
    "pointer into metadata": (lambda d: set_addr(d, SMALLI, 0, SB["inodestart"]),
                              r"^inode 3: file block 0 is block \d+, outside the data area"),
    "pointer past the disk": (lambda d: set_addr(d, BIGI, fs.NDIRECT + 1, SIZE + 5),
                              r"^inode 2: doubly-indirect block is block 2005, outside"),
    "size past blocks": (lambda d: d.set_inode(SMALLI, size=BSIZE + 1),
                         r"^inode 3: size 1025 needs file blocks 0\.\.1, but file block 1 is missing$"),
    "blocks past size": (lambda d: d.set_inode(BIGI, size=5 * BSIZE),
                         r"^inode 2: file block 5 \(block \d+\) and \d+ more beyond its size 5120"),
    "file too large": (lambda d: d.set_inode(EMPTYI, size=fs.MAXFILE * BSIZE + 1),
                       r"^inode 5: size \d+ exceeds the largest file"),
    # blocks and the bitmap
    "block in two inodes": (lambda d: set_addr(d, SMALLI, 0, addr(d, BIGI, 0)),
                            r"^block \d+ used twice: by inode 2 file block 0 and by inode 3 file block 0"),
    "block twice in one inode": (lambda d: set_addr(d, BIGI, 1, addr(d, BIGI, 0)),
                                 r"^block \d+ used twice: by inode 2 file block 0 and by inode 2 file block 1"),
    "indirect entry repeats a block": (
        lambda d: d.u32(addr(d, BIGI, fs.NDIRECT) * BSIZE + 4 * 3, addr(d, SMALLI, 0)),
        r"^block \d+ used twice: by inode 2 file block 14 and by inode 3 file block 0"),
    "used block free in bitmap": (lambda d: d.set_bit(addr(d, SMALLI, 0), 0),
                                  r"^block \d+ \(inode 3 file block 0\) is in use but free in the bitmap$"),
    "metadata free in bitmap": (lambda d: d.set_bit(1, 0),
                                r"^block 1 \(metadata\) is in use but free in the bitmap$"),
    "leaked blocks": (lambda d: [d.set_bit(b, 1) for b in (SIZE - 3, SIZE - 2)],
                      r"^blocks 1997\.\.1998 marked in use in the bitmap but unreferenced \(leaked\)$"),
    "bitmap past the disk": (lambda d: d.set_bit(SIZE + 7, 1),
                             r"^bitmap: 1 blocks past the end of the disk marked in use$"),
    # directories and links
    "bad nlink": (lambda d: d.set_inode(SMALLI, nlink=2),
                  r"^/small \(inode 3\): nlink 2, but 1 directory entries name it$"),
    "directory nlink": (lambda d: d.set_inode(DI, nlink=1),
                        r"^/d \(inode 7\): nlink 1, but 2 directory entries name it$"),
    "entry names a free inode": (lambda d: d.set_entry(ROOTINO, "small", inum=FREEI),
                                 rf"^directory / \(inode 1\): entry \d+ 'small': names free inode {FREEI}$"),
    "entry names no inode": (lambda d: d.set_entry(ROOTINO, "small", inum=999),
                             r"'small': names inode 999, but there are only 64 inodes$"),
    "broken ..": (lambda d: d.set_entry(EI, "..", inum=ROOTINO),
                  r"^directory /d/e \(inode 9\): '\.\.' names inode 1, not its parent 7$"),
    "broken .": (lambda d: d.set_entry(DI, ".", inum=ROOTINO),
                 r"^directory /d \(inode 7\): '\.' names inode 1, not itself$"),
    "no . entry": (lambda d: d.set_entry(DI, ".", raw=b"dot"),
                   r"^directory /d \(inode 7\): entry 0 is not '\.'$"),
    "orphan inode": (lambda d: d.set_inode(FREEI, type=fs.T_FILE, nlink=1),
                     rf"^orphan inode {FREEI} \(file, nlink 1\)"),
    "unlinked file": (lambda d: d.set_entry(ROOTINO, "small", inum=0),
                      r"^orphan inode 3 \(file, nlink 1\)"),
    "directory hard link": (lambda d: d.set_entry(ROOTINO, "small", inum=EI),
                            r"^directory inode 9 named twice: /small and /d/e"),
    "root linked from below": (lambda d: d.set_entry(EI, "g", inum=ROOTINO),
                               r"^directory inode 1 named twice: / and /d/e/g"),
    "directory size": (lambda d: d.set_inode(DI, size=40),
                       r"^directory /d \(inode 7\): size 40 is not a multiple of 16$"),
    "name not NUL-padded": (lambda d: d.set_entry(ROOTINO, "small", raw=b"small\0x"),
                            r"^directory / \(inode 1\): entry \d+ 'small': bad name"),
    "duplicate name": (lambda d: d.set_entry(ROOTINO, "empty", raw=b"small"),
                       r"'small': a second entry with that name$"),
    "root not a directory": (lambda d: d.set_inode(ROOTINO, type=fs.T_FILE),
                             r"^root inode 1 is not an allocated directory$"),
}


@pytest.mark.parametrize("name", CORRUPTIONS)
def test_corruption_reported(tmp_path, base, name):
    corrupt, pattern = CORRUPTIONS[name]
    assert_reported(problems_after(tmp_path, base, corrupt), pattern)


def test_cli_reports_problems(tmp_path, base, capsys):
    disk = Disk(base)
    disk.set_inode(SMALLI, nlink=3)
    disk.set_bit(SIZE - 1, 1)
    (tmp_path / "bad.img").write_bytes(disk.data)
    assert fsck.main([str(tmp_path / "bad.img")]) == 1
    assert capsys.readouterr().out == (
        "block 1999 marked in use in the bitmap but unreferenced (leaked)\n"
        "/small (inode 3): nlink 3, but 1 directory entries name it\n"
        "fsck: 2 problems\n")
    assert fsck.main([str(tmp_path / "missing.img")]) == 2
    assert capsys.readouterr().err.startswith("fsck: ")


def test_empty_index_block_past_size_is_allowed(tmp_path, base):
    """What a write leaves when the disk fills just after bmap allocated an
    indirect block: the block, empty, past the file's size.  Not a problem;
    a data block in it is."""
    def strand_indirect(d):
        set_addr(d, LONGI, fs.NDIRECT, SIZE - 1)
        d.set_bit(SIZE - 1, 1)
    assert problems_after(tmp_path, base, strand_indirect) == []

    def data_in_it(d):
        strand_indirect(d)
        d.u32((SIZE - 1) * BSIZE, SIZE - 2)
        d.set_bit(SIZE - 2, 1)
    assert_reported(problems_after(tmp_path, base, data_in_it),
                    r"^inode 4: file block 11 \(block 1998\) beyond its size 1025$")


# -- log replay ------------------------------------------------------------------

def test_replay_installs_a_committed_transaction(tmp_path, base, capsys):
    """The log holds a whole transaction -- /small rewritten, /new created --
    made of the blocks in which the image with it differs from the one without.
    Before recovery the image is the old one; after it, the new one, clean."""
    new = dict(FILES, small=b"HELLO, PYRITE\n")
    after = build(new, extra=lambda b: b.add_file(ROOTINO, "new", b"n" * 3000))
    homes = [b for b in range(SIZE) if after[b * BSIZE:(b + 1) * BSIZE] != base[b * BSIZE:(b + 1) * BSIZE]]
    assert 3 < len(homes) <= fs.LOGSIZE
    disk = Disk(base)
    write_log(disk, homes, [after[b * BSIZE:(b + 1) * BSIZE] for b in homes])
    path = tmp_path / "log.img"
    path.write_bytes(disk.data)

    assert check(path) == [f"log has {len(homes)} committed blocks not installed"]
    assert Image(path).read("/small") == FILES["small"]
    assert check(path, replay=True) == []
    img = Image(path, replay=True)
    assert img.read("/small") == new["small"] and img.read("/new") == b"n" * 3000
    assert img.log_header() == (0, [])
    assert fsck.main([str(path), "--replay"]) == 0
    assert capsys.readouterr().out == "fsck: clean\n"
    assert path.read_bytes() == disk.data                  # the file is untouched
