"""Grader of lab mmap (labs/mmap/README.md): files mapped into memory,
loaded page by page on first touch, written back on munmap.  The tests share
one machine (shared_shell) while they pass."""

from tools.grade import graded

HINTS = [
    (r"implicit declaration of function '(mmap|munmap)'|undefined reference to `(mmap|munmap)'",
     "The user library has no mmap/munmap yet: add them to kernel/abi/sysnum.py (numbers 27 "
     "and 28, with the prototypes the handout gives); tools/gen_headers.py makes the stubs."),
    (r"'(PROT_READ|PROT_WRITE|MAP_SHARED|MAP_PRIVATE)' undeclared",
     "The flags are the kernel's ABI: add PROT_READ, PROT_WRITE, MAP_SHARED and MAP_PRIVATE to "
     "kernel/abi/limits.py, and their names to HEADER_NAMES so that build/include/abi.h has them."),
    (r"uvm_destroy: a leaf is still mapped",
     "A process went away with mapped pages above its size: exit (proc.free_memory) and exec "
     "must unmap every mapping before the page table is destroyed."),
    (r"vm: remap of va",
     "A page was mapped twice: a fault on a page that is already loaded is a permission fault "
     "(a store to a PROT_READ mapping), not a reason to load it again."),
    (r"vm_unmap: va=\S+ not mapped",
     "munmap (or exit) freed a page that was never loaded: kern.uvm_dealloc only the pages "
     "that are mapped (kern.copyin(pt, va, 1) is not None)."),
    # (refuse kills children on purpose; mmaptest itself dying never says done)
    (r"killed by (load|store) page fault[^\n]*stval=0x2[0-9a-f]*(?![\s\S]*mmaptest: done)",
     "A touch of a mapped page killed the program: userloop.fault must recognise a load or "
     "store page fault (scause 13 or 15) inside a mapping, map a page there and load the file's "
     "bytes (inode.load_user), and let the access run again."),
]


def mmaptest(shell, token, name, timeout=60):
    return shell.run_part("mmaptest", name, token, timeout)


@graded(points=15, timeout=90)
def test_lazy(shared_shell, token):
    """mmaptest lazy: mmap reads nothing; each touched page is loaded, one page each"""
    mmaptest(shared_shell, token, "lazy")


@graded(points=10, depends="test_lazy", timeout=90)
def test_private(shared_shell, token):
    """mmaptest private: MAP_PRIVATE stores stay in the process"""
    mmaptest(shared_shell, token, "private")


@graded(points=15, depends="test_lazy", timeout=90)
def test_shared(shared_shell, token):
    """mmaptest shared: MAP_SHARED stores reach the file at munmap, never past its end"""
    mmaptest(shared_shell, token, "shared")


@graded(points=10, depends="test_lazy", timeout=90)
def test_refuse(shared_shell, token):
    """mmaptest refuse: bad arguments get -1; stores to PROT_READ pages and touches outside kill"""
    mmaptest(shared_shell, token, "refuse")


@graded(points=10, depends="test_shared", timeout=90)
def test_partial(shared_shell, token):
    """mmaptest partial: munmap of a mapping's first or last pages"""
    mmaptest(shared_shell, token, "partial")


@graded(points=10, depends="test_private", timeout=90)
def test_fork(shared_shell, token):
    """mmaptest fork: the child has the parent's mappings, with pages of its own"""
    mmaptest(shared_shell, token, "fork")


@graded(points=10, depends="test_shared", timeout=90)
def test_exit(shared_shell, token):
    """mmaptest exit: exit and exec unmap what is left, writing MAP_SHARED pages back"""
    mmaptest(shared_shell, token, "exit")


@graded(points=10, depends=("test_partial", "test_fork", "test_exit"), timeout=180)
def test_no_leaks(shared_shell):
    """every page comes back after a whole mmaptest (the kernel's count, from the monitor)"""
    shell = shared_shell
    shell.run("echo warm > warm")            # the shell's own first allocations
    before = shell.free_pages()
    out = shell.run("mmaptest", 120)
    assert out.splitlines()[-1] == "mmaptest: done" and "FAILED" not in out, out
    after = shell.free_pages()
    assert after == before, "%d free pages before mmaptest, %d after" % (before, after)


@graded(points=10, depends="test_exit", timeout=300)
def test_usertests(shared_shell):
    """usertests of fork, exec, sbrk and faults still pass"""
    names = ("forkwait zombies forkleak faults stackoverflow sbrkbasic sbrkfork execargs execmem "
             "badexec execfile forkfd openexit")
    out = shared_shell.run("usertests " + names, 240)
    last = out.splitlines()[-1] if out else ""
    want = "usertests: %d passed, 0 failed" % (len(names.split()) + 1)    # and its leak test
    assert last == want, "usertests %s:\n%s" % (names, out)
