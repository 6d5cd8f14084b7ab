# System calls about files: descriptors, paths, directories, pipes.
#
# Each handler takes the calling process and returns its a0; the handlers
# are registered in the system call table (kernel/syscall/table.py) by
# their names, sys_<call>, when this module is imported.  Calls that
# change the disk run inside log.begin_op()/end_op(), so each is atomic
# across a crash.  Any failure -- a bad pointer, a missing or non-directory
# path component, a path too long (over MAXPATH), a full disk or inode
# table -- is -1.  (An element over DIRSIZ is cut, as in xv6: directory.py.)
import struct

import kern

from kernel.compat import const
from kernel.abi.fslayout import T_DIR, T_FILE, T_DEVICE, DIRENT_SIZE
from kernel.abi.limits import NOFILE, O_WRONLY, O_RDWR, O_CREATE, O_TRUNC
from kernel.dev import devsw
from kernel.syscall import table
from kernel.syscall.args import fetch_path
from kernel.fs import inode, directory, log, file
from kernel.fs.file import FD_PIPE, FD_INODE

MAX_IO = const(8192)    # bytes moved across the user boundary per chunk
ZERO_DIRENT = bytes(DIRENT_SIZE)


def arg_fd(p, n):
    """(fd, File) for descriptor argument n, or (-1, None)."""
    fd = kern.arg_int(p.trapframe, n)
    if 0 <= fd < NOFILE:
        f = p.ofile[fd]
        if f is not None:
            return fd, f
    return -1, None


def fd_alloc(p, f):
    """The lowest free descriptor of p, now referring to f; -1 if none."""
    for fd in range(NOFILE):
        if p.ofile[fd] is None:
            p.ofile[fd] = f
            return fd
    return -1


# ---- descriptors ----

def sys_dup(p):
    _, f = arg_fd(p, 0)
    if f is None:
        return -1
    fd = fd_alloc(p, f)
    if fd >= 0:
        file.dup(f)
    return fd


def sys_close(p):
    # By hand, not arg_fd: its (fd, File) pair is an allocation, and close
    # must not fail for want of memory (the descriptor would stay open).
    fd = kern.arg_int(p.trapframe, 0)
    f = p.ofile[fd] if 0 <= fd < NOFILE else None
    if f is None:
        return -1
    p.ofile[fd] = None
    file.close(f)
    return 0


def sys_read(p):
    # read and write look their descriptor up by hand rather than through
    # arg_fd(): they are the pipe round trip's hot path, and measured
    # (make bench) the helper call costs far more than these two lines.
    tf = p.trapframe
    fd, addr, n = kern.arg_int(tf, 0), kern.arg_addr(tf, 1), kern.arg_int(tf, 2)
    f = p.ofile[fd] if 0 <= fd < NOFILE else None
    if f is None or n < 0 or not f.readable:
        return -1
    if f.type == FD_PIPE:
        return f.pipe.read_user(p, addr, n)       # the fast path: no copies in Python
    return file.read_user(f, p, addr, n)


def sys_write(p):
    tf = p.trapframe
    fd, addr, n = kern.arg_int(tf, 0), kern.arg_addr(tf, 1), kern.arg_int(tf, 2)
    f = p.ofile[fd] if 0 <= fd < NOFILE else None
    if f is None or n < 0 or not f.writable:
        return -1
    if f.type == FD_PIPE:
        return f.pipe.write_user(p, addr, n)
    # Pieces of at most MAX_IO bytes: a device gets them as bytes (the
    # console writes them out), an inode takes each in a few transactions.
    total = 0
    while total < n:
        chunk = min(n - total, MAX_IO)
        wrote = file.write_user(f, p, addr + total, chunk)
        if wrote < 0:
            return -1 if total == 0 else total
        total += wrote
        if wrote < chunk:
            break
    return total


def sys_fstat(p):
    _, f = arg_fd(p, 0)
    if f is None:
        return -1
    st = file.stat(f)
    if st is None or kern.copyout(p.pagetable, kern.arg_addr(p.trapframe, 1), st) < 0:
        return -1
    return 0


def sys_pipe(p):
    addr = kern.arg_addr(p.trapframe, 0)
    ends = file.open_pipe()
    if ends is None:
        return -1
    rf, wf = ends
    fd0 = fd1 = -1
    try:
        fd0 = fd_alloc(p, rf)
        fd1 = fd_alloc(p, wf) if fd0 >= 0 else -1
        if fd1 >= 0 and kern.copyout(p.pagetable, addr, struct.pack("<ii", fd0, fd1)) == 0:
            return 0
    except BaseException:
        _unpipe(p, fd0, fd1, rf, wf)      # out of kernel memory half-way
        raise
    _unpipe(p, fd0, fd1, rf, wf)
    return -1


def _unpipe(p, fd0, fd1, rf, wf):
    if fd0 >= 0:
        p.ofile[fd0] = None
    if fd1 >= 0:
        p.ofile[fd1] = None
    file.close(rf)
    file.close(wf)


# ---- paths ----
#
# Each call that changes the disk is one operation of the log, run by
# file.operation(): if it stops half-way (the kernel ran out of memory),
# the log rolls its changes back and the error goes on up to the system
# call loop, which returns -1.  Inode references are the work's own to drop,
# so each piece of work lets go of what it holds when something under it
# fails (inode.drop).

def create(p, path, itype, major, minor):
    """The inode at path, created if missing, locked; None on failure.
    (Inside a transaction.)  An existing file is fine for open(O_CREATE)."""
    dp, name = directory.nameiparent(path, p.cwd)
    if dp is None:
        return None
    ip = None
    try:
        if name in (".", "..") or directory.pad_name(name) is None:
            inode.iput(dp)
            return None
        inode.ilock(dp)
        if dp.type != T_DIR:
            inode.iunlockput(dp)
            return None
        ip = directory.dirlookup(dp, name)
        if ip is not None:
            inode.iunlockput(dp)
            dp = None
            inode.ilock(ip)
            if itype == T_FILE and ip.type in (T_FILE, T_DEVICE):
                return ip
            inode.iunlockput(ip)
            return None
        ip = inode.ialloc(itype)
        if ip is None:
            inode.iunlockput(dp)
            return None
        inode.ilock(ip)
        ip.major, ip.minor, ip.nlink = major, minor, 1
        inode.iupdate(ip)
        try:
            if itype == T_DIR:
                # "." does not count as a link; the child's ".." counts for dp.
                directory.dirlink(ip, ".", ip.inum)
                directory.dirlink(ip, "..", dp.inum)
            directory.dirlink(dp, name, ip.inum)
        except inode.FSError:
            ip.nlink = 0                      # iput frees it
            inode.iupdate(ip)
            inode.iunlockput(ip)
            inode.iunlockput(dp)
            return None
        if itype == T_DIR:
            dp.nlink += 1
            inode.iupdate(dp)
        inode.iunlockput(dp)
        return ip
    except BaseException:
        # Out of memory half-way: the log rolls the disk back; let go of
        # the inodes.  (A new inode's on-disk allocation is undone by the
        # rollback, so dropping it frees nothing twice.)
        if ip is not None:
            inode.drop(ip)
        if dp is not None and dp.ref > 0:
            inode.drop(dp)
        raise


def sys_open(p):
    path = fetch_path(p, 0)
    if path is None:
        return -1
    return file.operation(_open, p, path, kern.arg_int(p.trapframe, 1))


def _open(p, path, omode, _d=None):
    if omode & O_CREATE:
        ip = create(p, path, T_FILE, 0, 0)
        if ip is None:
            return -1
    else:
        ip = directory.namei(path, p.cwd)
        if ip is None:
            return -1
    f = None
    fd = -1
    try:
        if not omode & O_CREATE:
            inode.ilock(ip)
            if ip.type == T_DIR and omode & (O_WRONLY | O_RDWR):
                inode.iunlockput(ip)
                return -1
        if ip.type == T_DEVICE and devsw.lookup(ip.major) is None:
            inode.iunlockput(ip)
            return -1
        readable = not omode & O_WRONLY
        writable = bool(omode & (O_WRONLY | O_RDWR))
        f = file.alloc(file.FD_DEVICE if ip.type == T_DEVICE else file.FD_INODE, readable, writable)
        fd = fd_alloc(p, f) if f is not None else -1
        if fd < 0:
            if f is not None:
                file.free_unused(f)
            inode.iunlockput(ip)
            return -1
        f.ip = ip
        f.major = ip.major
        if omode & O_TRUNC and ip.type == T_FILE:
            inode.itrunc(ip)
        inode.iunlock(ip)
        return fd
    except BaseException:
        if fd >= 0:
            p.ofile[fd] = None
        if f is not None:
            file.free_unused(f)
        inode.drop(ip)
        raise


def make_node(p, itype, major, minor):
    path = fetch_path(p, 0)
    if path is None:
        return -1
    return file.operation(_make_node, p, path, (itype, major, minor))


def _make_node(p, path, kind, _d=None):
    ip = create(p, path, kind[0], kind[1], kind[2])
    if ip is None:
        return -1
    inode.iunlockput(ip)
    return 0


def sys_mkdir(p):
    return make_node(p, T_DIR, 0, 0)


def sys_mknod(p):
    tf = p.trapframe
    return make_node(p, T_DEVICE, kern.arg_int(tf, 1), kern.arg_int(tf, 2))


def sys_chdir(p):
    path = fetch_path(p, 0)
    if path is None:
        return -1
    return file.operation(_chdir, p, path, None)


def _chdir(p, path, _, _d=None):
    ip = directory.namei(path, p.cwd)
    if ip is None:
        return -1
    try:
        inode.ilock(ip)
        if ip.type != T_DIR:
            inode.iunlockput(ip)
            return -1
        inode.iunlock(ip)
    except BaseException:
        inode.drop(ip)
        raise
    old, p.cwd = p.cwd, ip
    inode.iput(old)
    return 0


def sys_link(p):
    old, new = fetch_path(p, 0), fetch_path(p, 1)
    if old is None or new is None:
        return -1
    return file.operation(_link, p, old, new)


def _link(p, old, new, _d=None):
    ip = directory.namei(old, p.cwd)
    if ip is None:
        return -1
    dp = None
    try:
        inode.ilock(ip)
        if ip.type == T_DIR:
            inode.iunlockput(ip)
            return -1
        ip.nlink += 1
        inode.iupdate(ip)
        inode.iunlock(ip)
        ok = False
        dp, name = directory.nameiparent(new, p.cwd)
        if dp is not None:
            inode.ilock(dp)
            if dp.type == T_DIR:
                try:
                    directory.dirlink(dp, name, ip.inum)
                    ok = True
                except inode.FSError:
                    pass
            inode.iunlockput(dp)
            dp = None
        if not ok:
            inode.ilock(ip)
            ip.nlink -= 1
            inode.iupdate(ip)
            inode.iunlock(ip)
        inode.iput(ip)
        return 0 if ok else -1
    except BaseException:
        if dp is not None:
            inode.drop(dp)
        inode.drop(ip)
        raise


def sys_unlink(p):
    path = fetch_path(p, 0)
    if path is None:
        return -1
    return file.operation(_unlink, p, path, None)


def _unlink(p, path, _, _d=None):
    dp, name = directory.nameiparent(path, p.cwd)
    if dp is None:
        return -1
    ip = None
    try:
        inode.ilock(dp)
        result = -1
        if dp.type == T_DIR and name not in (".", ".."):
            off = directory.dirfind(dp, name)
            if off >= 0:
                ip = inode.iget(directory.entry_inum(dp, off))
                inode.ilock(ip)
                if ip.nlink < 1:
                    raise RuntimeError("unlink: inode %d has no links" % ip.inum)
                if ip.type == T_DIR and not directory.dir_is_empty(ip):
                    inode.iunlockput(ip)
                else:
                    inode.writei(dp, off, ZERO_DIRENT)
                    if ip.type == T_DIR:
                        dp.nlink -= 1         # the child's ".." is gone
                        inode.iupdate(dp)
                    ip.nlink -= 1
                    inode.iupdate(ip)
                    inode.iunlock(ip)
                    # Dropping the last reference to the unlinked inode
                    # frees it: past the rollback point, so out of the
                    # except's reach.
                    victim, ip = ip, None
                    inode.iput(victim)
                    result = 0
                ip = None
        inode.iunlockput(dp)
        return result
    except BaseException:
        if ip is not None:
            inode.drop(ip)
        inode.drop(dp)
        raise


def sys_freeblocks(p):
    return inode.free_blocks()


def sys_freeinodes(p):
    return inode.free_inodes()


table.register_handlers(globals())
