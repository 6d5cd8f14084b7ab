# The on-disk layout of Pyrite's file system: the one description that the
# kernel (kernel/fs/inode.py, kernel/fs/log.py) and the host tools (tools/mkfs.py,
# tools/fsck.py) share.  Data and tiny helpers only: it imports under
# MicroPython and CPython.
#
# It is xv6's layout with one change: a doubly-indirect block, so a file can
# reach 11 + 256 + 256*256 blocks (64 MiB) instead of xv6's 268.
#
#   block 0        boot block (unused)
#   block 1        superblock
#   2 ..           the log: a header block, then LOGSIZE data blocks
#   then           inode blocks, IPB inodes each
#   then           the free-block bitmap, one bit per block of the disk
#   then           data blocks
#
# All integers are little-endian.
from kernel.compat import const

BSIZE = const(1024)           # block size in bytes; the disk's sector is 512
FSMAGIC = const(0x10203040)
ROOTINO = const(1)            # inode of the root directory; inode 0 is never used
FSSIZE = const(8192)          # blocks in the image tools/mkfs.py makes (8 MiB)
NINODES = const(200)
MAXOPBLOCKS = const(10)       # the most blocks one file-system operation writes
LOGSIZE = const(30)           # data blocks in the log (MAXOPBLOCKS * 3)

# Superblock (block 1): eight uint32 fields, in this order.
SUPERBLOCK = "<IIIIIIII"
SB_FIELDS = ("magic", "size", "nblocks", "ninodes", "nlog", "logstart", "inodestart", "bmapstart")

# Inode types, as struct stat's type shows them (docs/abi.md); 0 = free.
T_DIR = const(1)
T_FILE = const(2)
T_DEVICE = const(3)

# On-disk inode, 64 bytes: type, major, minor, nlink (shorts), size
# (uint32), then NDIRECT direct block numbers, one indirect, one doubly
# indirect (uint32 each).
NDIRECT = const(11)
NINDIRECT = const(256)        # BSIZE // 4 block numbers in an indirect block
NDINDIRECT = const(65536)     # NINDIRECT * NINDIRECT
MAXFILE = const(65803)        # NDIRECT + NINDIRECT + NDINDIRECT blocks
DINODE = "<hhhhI13I"
DINODE_SIZE = const(64)
IPB = const(16)               # inodes per block: BSIZE // DINODE_SIZE

# Directory entry, 16 bytes: inode number (uint16), name (14 bytes, NUL
# padded; a 14-byte name has no NUL).  inum 0 = a free slot.
DIRSIZ = const(14)
DIRENT = "<H14s"
DIRENT_SIZE = const(16)

# What tools/gen_headers.py writes into abi.h for user programs.
HEADER_NAMES = ("BSIZE", "T_DIR", "T_FILE", "T_DEVICE", "DIRSIZ", "DIRENT_SIZE")

# Log header (the log's first block): the count n, then LOGSIZE block numbers.
LOGHEADER = "<I30I"

# Bitmap: bits per bitmap block.
BPB = const(8192)             # BSIZE * 8


def layout(size=FSSIZE, ninodes=NINODES, nlog=LOGSIZE):
    """The superblock fields for a disk of `size` blocks, as a dict."""
    logstart = 2
    inodestart = logstart + nlog + 1
    ninodeblocks = ninodes // IPB + 1
    bmapstart = inodestart + ninodeblocks
    nbitmap = size // BPB + 1
    nmeta = bmapstart + nbitmap
    return {
        "magic": FSMAGIC, "size": size, "nblocks": size - nmeta, "ninodes": ninodes,
        "nlog": nlog + 1, "logstart": logstart, "inodestart": inodestart,
        "bmapstart": bmapstart,
    }


def inode_block(inum, inodestart):
    """The block holding inode inum, and the inode's byte offset in it."""
    return inodestart + inum // IPB, (inum % IPB) * DINODE_SIZE


def bitmap_block(blockno, bmapstart):
    """The bitmap block for blockno, and the bit's index in that block."""
    return bmapstart + blockno // BPB, blockno % BPB
