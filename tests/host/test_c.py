"""C pieces of the kernel compiled for the host with cffi and tested there:
the device-tree reader (fed a blob QEMU itself dumps) and the physical page
allocator.  Faster to poke at than through a booted kernel, and they fail
with a plain assertion rather than a panic."""

import shutil
import subprocess

import cffi
import pytest

from tests.qemu.machine import REPO

CSTUBS = REPO / "cstubs"
MICROPYTHON = REPO / "build" / "micropython"
GENHDR = REPO / "build" / "kernel"
ABI_INCLUDE = REPO / "build" / "include"     # abi.h, written by tools/gen_headers.py


def build(tmp_path, name, cdef, source, sources):
    """Compile sources (paths under cstubs/) into a module; return its lib."""
    ffi = cffi.FFI()
    ffi.cdef(cdef)
    ffi.set_source(name, source, sources=[str(CSTUBS / s) for s in sources],
                   include_dirs=[str(CSTUBS), str(MICROPYTHON), str(GENHDR), str(ABI_INCLUDE)],
                   extra_compile_args=["-w"])
    lib_path = ffi.compile(tmpdir=str(tmp_path), verbose=False)
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, lib_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ffi, module.lib


@pytest.fixture(scope="module")
def fdt(tmp_path_factory):
    return build(tmp_path_factory.mktemp("fdt"), "_pyrite_fdt", """
        uint64_t fdt_memory_size(uint64_t fdt_addr);
        char *bootargs(void);
    """, """
        #include "machine.h"
        struct machine_info machine;
        char *bootargs(void) { return machine.bootargs; }
    """, ["fdt.c"])


def dump_dtb(tmp_path, mem, append):
    """The device tree QEMU's virt machine gives the kernel."""
    qemu = shutil.which("qemu-system-riscv64")
    if qemu is None:
        pytest.fail("qemu-system-riscv64 is not installed: run tools/setup.sh", pytrace=False)
    out = tmp_path / "virt.dtb"
    args = [qemu, "-machine", "virt,dumpdtb=%s" % out, "-bios", "none", "-m", mem,
            "-nographic"]
    if append:
        args += ["-append", append, "-kernel", str(REPO / "build" / "kernel" / "kernel.elf")]
    subprocess.run(args, check=True, capture_output=True, timeout=30)
    return out.read_bytes()


@pytest.mark.parametrize("mem, size", [("128M", 128 << 20), ("256M", 256 << 20), ("1G", 1 << 30)])
def test_fdt_memory_size(fdt, tmp_path, mem, size):
    ffi, lib = fdt
    blob = ffi.from_buffer(dump_dtb(tmp_path, mem, None))
    assert lib.fdt_memory_size(int(ffi.cast("uintptr_t", blob))) == size


def test_fdt_bootargs(fdt, tmp_path):
    ffi, lib = fdt
    blob = ffi.from_buffer(dump_dtb(tmp_path, "128M", "monitor quiet"))
    assert lib.fdt_memory_size(int(ffi.cast("uintptr_t", blob))) == 128 << 20
    assert ffi.string(lib.bootargs()) == b"monitor quiet"


def test_fdt_rejects_garbage(fdt):
    ffi, lib = fdt
    junk = ffi.from_buffer(bytearray(b"\x00not a device tree" * 8))
    assert lib.fdt_memory_size(int(ffi.cast("uintptr_t", junk))) == 0


@pytest.fixture
def kalloc(tmp_path):
    # A fresh module per test: the allocator's state is C globals.
    ffi, lib = build(tmp_path, "_pyrite_kalloc", """
        void kalloc_init(uintptr_t start, uintptr_t stop);
        void *kalloc(void);
        void kfree(void *pa);
        int kalloc_owned(uintptr_t pa);
        size_t kalloc_free_pages(void);
        size_t kalloc_total_pages(void);
        void kfree_checked(void *pa);
        extern int panics;
        extern int locks_held;
    """, """
        #include <stdint.h>
        #include <stddef.h>
        #include <setjmp.h>
        #include "kalloc.h"
        #include "spinlock.h"
        int panics;
        /* One thread here: the spinlock only counts, so that a test can
           see every path (a panic's too) lets go of it. */
        int locks_held;
        void spin_lock(struct spinlock *lk) { locks_held++; }
        void spin_unlock(struct spinlock *lk) { locks_held--; }
        /* kalloc.c's panic(): count it, and skip the rest of the call. */
        static jmp_buf on_panic;
        void panic(const char *fmt, ...) { panics++; longjmp(on_panic, 1); }
        void kfree_checked(void *pa) { if (setjmp(on_panic) == 0) kfree(pa); }
        /* heapwatch.c's fault injection: no failures armed here. */
        int fault_should_fail(int kind) { return 0; }
    """, ["kalloc.c"])
    arena = ffi.new("char[]", 64 * 4096 + 4095)
    start = (int(ffi.cast("uintptr_t", arena)) + 4095) & ~4095
    lib.kalloc_init(start, start + 64 * 4096)
    yield ffi, lib, arena
    assert lib.locks_held == 0       # every path let go of the allocator's lock


def test_kalloc_all_then_free_all(kalloc):
    ffi, lib, _ = kalloc
    total = lib.kalloc_total_pages()
    assert 0 < total < 64 and lib.kalloc_free_pages() == total    # the bitmap takes one
    pages = []
    while True:
        pa = lib.kalloc()
        if pa == ffi.NULL:
            break
        assert bytes(ffi.buffer(pa, 4096)) == bytes(4096)          # handed out zeroed
        ffi.memmove(pa, b"\xff" * 4096, 4096)                      # dirty it
        pages.append(pa)
    assert len(pages) == total and lib.kalloc_free_pages() == 0
    addrs = [int(ffi.cast("uintptr_t", p)) for p in pages]
    assert len(set(addrs)) == total and all(a % 4096 == 0 for a in addrs)
    assert all(lib.kalloc_owned(a) for a in addrs)
    for pa in pages:
        lib.kfree(pa)
    assert lib.kalloc_free_pages() == total
    assert not any(lib.kalloc_owned(a) for a in addrs)
    again = lib.kalloc()                                           # reused, and zeroed again
    assert again != ffi.NULL and bytes(ffi.buffer(again, 4096)) == bytes(4096)


def test_kalloc_owned_rejects_what_it_never_gave(kalloc):
    ffi, lib, arena = kalloc
    pa = int(ffi.cast("uintptr_t", lib.kalloc()))
    assert lib.kalloc_owned(pa)
    assert not lib.kalloc_owned(pa + 8)                # not a page start
    assert not lib.kalloc_owned(pa + 4096)             # not handed out
    assert not lib.kalloc_owned(0)


def test_kfree_twice_is_a_panic_not_a_corrupt_list(kalloc):
    ffi, lib, _ = kalloc
    pa = lib.kalloc()
    free_before = lib.kalloc_free_pages()
    lib.kfree_checked(pa)
    assert lib.panics == 0 and lib.kalloc_free_pages() == free_before + 1
    lib.kfree_checked(pa)                                # the second time
    assert lib.panics == 1 and lib.kalloc_free_pages() == free_before + 1
    lib.kfree_checked(ffi.cast("void *", 4096))          # never handed out
    assert lib.panics == 2
