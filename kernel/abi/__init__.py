# What user programs, host tools and the kernel must agree on, written once.
#
#   sysnum     the system call table: number, name, C prototype
#   fslayout   the on-disk layout of the file system (mkfs, fsck, the kernel)
#   limits     open() flags, path and argument limits, descriptors per
#              process, the page size and the top of user memory, the
#              process and thread limits, struct stat
#   notes      noted()'s NCONT and NDFLT, a note's longest text, the queue
#
# Data only: these modules import under MicroPython and under CPython, so
# the host tools (tools/mkfs.py, tools/fsck.py) and the generator of the
# user and C headers (tools/gen_headers.py) read the very same values.
# Nothing here imports anything but kernel.compat.
