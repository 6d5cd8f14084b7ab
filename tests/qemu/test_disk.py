"""The virtio disk (cstubs/virtio_blk.c, kernel/fs/disk.py) on a booted kernel:
capacity, reads of what the host wrote, writes that reach the host file,
many threads at once (more than the device's queue holds), the boot
thread's polling path, bad arguments, injected I/O errors, and no disk.

Every machine boots a private copy of an image made here with tools/mkfs.py
(a real file system, so a kernel that mounts it at boot is happy), whose
last blocks -- free space as far as the file system is concerned -- carry
test patterns."""

import random

import pytest

from kernel.abi.fslayout import BSIZE, FSSIZE
from tools.mkfs import make_image

NPATTERN = 64                        # blocks the host fills with known bytes
PATTERN_START = FSSIZE - NPATTERN    # ... at the very end of the disk
SCRATCH_START = FSSIZE - 2 * NPATTERN   # blocks the guest writes


def pattern(n):
    """The host's contents of block n: random, but the same every time."""
    return random.Random(n).randbytes(BSIZE)


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "fs.img"
    make_image(str(path), [("README", b"the disk test's image\n")])
    with open(path, "r+b") as f:
        for n in range(PATTERN_START, FSSIZE):
            f.seek(n * BSIZE)
            f.write(pattern(n))
    return path


def host_block(path, n):
    with open(path, "rb") as f:
        f.seek(n * BSIZE)
        return f.read(BSIZE)


def hex_blocks(out):
    """{block: bytes} from lines `N HEX` that the guest printed."""
    blocks = {}
    for line in out.splitlines():
        n, data = line.split()
        blocks[int(n)] = bytes.fromhex(data)
    return blocks


def test_capacity_and_reads_match_the_host(boot, image):
    m = boot(make_vars={"FSIMG": image})
    assert "disk: virtio, %d blocks of %d bytes" % (FSSIZE, BSIZE) in m.banner
    assert m.value("kern.disk_present()") is True
    assert m.value("kern.disk_capacity()") == FSSIZE * BSIZE // 512
    assert m.value("disk.nblocks") == FSSIZE
    # Every block of the disk, byte for byte as the host wrote it: the guest
    # reads them all and prints those that are not all zeros (mkfs's
    # metadata, the README, the patterns) in hex.
    m.run("zero = bytes(%d)" % BSIZE)
    out = m.run("for n in range(disk.nblocks): b = disk.read(n); b != zero and print(n, b.hex())",
                timeout=60)
    guest = hex_blocks(out)
    with open(image, "rb") as f:
        host = f.read()
    assert len(host) == FSSIZE * BSIZE
    for n in range(FSSIZE):
        want = host[n * BSIZE:(n + 1) * BSIZE]
        assert guest.get(n, bytes(BSIZE)) == want, "block %d differs from the host's" % n
    assert all(n in guest for n in range(PATTERN_START, FSSIZE))
    # read_into fills a buffer the caller owns (the buffer cache's way).
    m.run("b = bytearray(%d); disk.read_into(%d, b)" % (BSIZE, FSSIZE - 1))
    assert m.value("bytes(b)") == pattern(FSSIZE - 1)


def test_writes_reach_the_host_file(boot, image):
    m = boot(make_vars={"FSIMG": image})
    m.run("free0 = kern.free_pages()")
    data = bytes(range(256)) * (BSIZE // 256)
    m.run("data = bytes(range(256)) * %d" % (BSIZE // 256))
    for n in range(SCRATCH_START, SCRATCH_START + 8):
        m.run("disk.write(%d, data)" % n)
    assert m.value("[n for n in range(%d, %d) if disk.read(n) != data]"
                   % (SCRATCH_START, SCRATCH_START + 8)) == []
    # A block read back and written elsewhere arrives intact.
    m.run("copied = disk.read(%d); disk.write(%d, copied)" % (PATTERN_START, SCRATCH_START + 8))
    assert m.value("bytes(copied)") == pattern(PATTERN_START)
    assert m.value("kern.free_pages() - free0") == 0
    m.send_line("poweroff(0)")
    assert m.wait_exit() == 0
    for n in range(SCRATCH_START, SCRATCH_START + 8):
        assert host_block(image, n) == data, "block %d" % n
    assert host_block(image, SCRATCH_START + 8) == pattern(PATTERN_START)
    assert host_block(image, SCRATCH_START + 9) == bytes(BSIZE)   # untouched


READER = """\
def reader(k, rounds):
    bad = 0
    for i in range(rounds):
        n = %d + (k * 5 + i) %% %d
        if disk.read(n) != expected[n]:
            bad += 1
    return bad
"""


def test_concurrent_reads_from_many_threads(boot, image):
    m = boot(make_vars={"FSIMG": image})
    # The guest makes the expected bytes itself: read once, sequentially.
    m.run("expected = {n: bytes(disk.read(n)) for n in range(%d, %d)}" % (PATTERN_START, FSSIZE))
    out = m.run("for n in sorted(expected): print(n, expected[n].hex())")
    assert hex_blocks(out) == {n: pattern(n) for n in range(PATTERN_START, FSSIZE)}
    assert m.run_block(READER % (PATTERN_START, NPATTERN)) == ""
    # 16 threads at once: more than the device queue's room (10 requests),
    # so some wait for room as well as for their data.  A warm-up round
    # first, so that the page count below sees no first-use page tables.
    spawn = "ts = [kthread.spawn('reader%%d' %% k, reader, k, %d) for k in range(16)]"
    m.run(spawn % 2)
    assert m.value("[kthread.join(t) for t in ts]") == [0] * 16
    m.run("free0 = kern.free_pages(); reads0 = disk.reads; full0 = disk.full_waits")
    m.run(spawn % 25)
    assert m.value("[kthread.join(t) for t in ts]", timeout=20) == [0] * 16
    assert m.value("disk.reads - reads0") == 16 * 25
    assert m.value("disk.full_waits - full0") > 0
    assert m.value("disk.pending") == {}
    assert m.value("sorted(t.name for t in kthread.threads.values())") == ["idle", "monitor"]
    assert m.value("kern.free_pages() - free0") == 0


def test_bad_requests_are_exceptions(boot, image):
    m = boot(make_vars={"FSIMG": image})
    sectors = FSSIZE * BSIZE // 512
    for call, error in [
        ("disk.read(%d)" % FSSIZE, "ValueError"),
        ("disk.read(-1)", "ValueError"),
        ("disk.write(5, bytes(100))", "ValueError"),
        ("kern.disk_submit(0, bytearray(100), 0)", "ValueError"),
        ("kern.disk_submit(0, bytearray(0), 0)", "ValueError"),
        ("kern.disk_submit(%d, bytearray(512), 0)" % sectors, "ValueError"),
        ("kern.disk_submit(%d, bytearray(1024), 0)" % (sectors - 1), "ValueError"),
        ("kern.disk_submit(-1, bytearray(512), 0)", "ValueError"),
        ("kern.disk_submit(0, b'x' * 512, 0)", "TypeError"),     # a read into bytes
        ("kern.disk_submit(0, 512, 0)", "TypeError"),
    ]:
        out = m.run(call)
        assert out.splitlines()[-1].startswith(error), (call, out)
    # None of them reached the device: the next request is the first.
    assert m.value("disk.read(1) == disk.read(1)") is True
    assert m.value("disk.strays, disk.pending") == (0, {})


def test_io_errors_raise_oserror(boot, image, tmp_path):
    # QEMU's blkdebug driver fails reads of one block and writes of another.
    bad_read, bad_write = SCRATCH_START, SCRATCH_START + 1
    config = tmp_path / "blkdebug.cfg"
    config.write_text(
        '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "%d"\n\n'
        '[inject-error]\nevent = "write_aio"\nerrno = "5"\nsector = "%d"\n'
        % (bad_read * 2, bad_write * 2))
    drive = "format=raw,file.driver=blkdebug,file.config=%s,file.image.filename=%s" % (config, image)
    m = boot(make_vars={"FSDRIVE": drive})
    out = m.run("disk.read(%d)" % bad_read)
    assert out.splitlines()[-1] == "OSError: disk: I/O error reading block %d" % bad_read, out
    out = m.run("disk.write(%d, bytes(%d))" % (bad_write, BSIZE))
    assert out.splitlines()[-1] == "OSError: disk: I/O error writing block %d" % bad_write, out
    # The device and the driver carry on.
    assert m.value("bytes(disk.read(%d))" % PATTERN_START) == pattern(PATTERN_START)
    assert m.value("disk.pending") == {}


def test_no_disk_is_not_a_panic(boot):
    m = boot(make_vars={"FSIMG": ""})
    assert "-drive" not in m.command
    assert "disk: none attached" in m.banner
    assert m.value("kern.disk_present(), kern.disk_capacity(), disk.present()") == (False, 0, False)
    assert m.run("disk.read(1)").splitlines()[-1] == "OSError: disk: none attached"
    assert m.value("kern.disk_done()") == []
