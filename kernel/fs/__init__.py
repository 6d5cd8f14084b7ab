# The file system: xv6's, in Python, on a virtio disk.  Bottom up:
#
#   disk       block reads and writes; threads sleep until the device is done
#   bio        the buffer cache: a bounded set of blocks, one user at a time
#   log        transactions: each system call's writes reach the disk
#              all together or not at all, even across a crash
#   inode      block allocation, inodes, reading and writing their contents
#   directory  directory entries and path names
#   pipe       a bounded buffer between two open files
#   file       open files (what a descriptor refers to): inodes, devices, pipes
#   sysfile    the file system calls, registered in the system call table
#
# The on-disk layout is kernel/abi/fslayout.py, shared with tools/mkfs.py.
# Offers the layers above: inode.init (mount), inode.iget/idup/iput,
# directory.namei, file.dup/close, log.begin_op/end_op, and the calls.
# Uses: kernel.syscall, kernel.dev, kernel.thread, kernel.abi, kern.
