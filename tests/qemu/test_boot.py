"""Boot: the banner, the monitor prompt, RAM from the device tree, extra
harts parked, and power off with a status QEMU passes on."""

import re

from tests.qemu.machine import REPO, parse_banner


def source_version():
    text = (REPO / "kernel" / "main.py").read_text()
    return re.search(r'^VERSION = "([^"]+)"', text, re.M).group(1)


def test_banner_and_prompt(machine):
    b = parse_banner(machine.banner)
    assert b["pyrite"] == source_version()
    assert b["micropython"] == "1.23.0"
    assert b["ram_mib"] == 128
    assert b["ram_base"] == 0x8000_0000
    assert 0 < b["free_pages"] <= b["total_pages"]
    # The pages cover the RAM that the image and the Python heap leave,
    # less a little bookkeeping (the allocator's bitmap).
    ram_kib = b["ram_mib"] * 1024
    rest_kib = ram_kib - b["image_kib"] - b["heap_kib"]
    assert b["total_pages"] * 4 <= rest_kib
    assert b["total_pages"] * 4 >= rest_kib - 64
    assert "Kernel monitor" in machine.banner
    # The prompt is live: it evaluates what is typed.
    assert machine.run("1 + 1") == "2"


def test_more_ram_from_the_device_tree(machine, boot):
    small = parse_banner(machine.banner)
    big_machine = boot("-m", "256M")
    big = parse_banner(big_machine.banner)
    assert big["ram_mib"] == 256
    # 128 MiB more RAM is 32768 more pages, less the allocator bitmap's growth.
    assert 32768 - 4 <= big["total_pages"] - small["total_pages"] <= 32768
    assert big_machine.value("kern.total_pages()") == big["total_pages"]
    assert big_machine.value("kern.machine()[1]") == 256 << 20


def test_every_hart_comes_online(boot, kernel_elf):
    from tools.symbolize import symbolize

    m = boot("-smp", "3")
    cpus = m.qmp("query-cpus-fast")
    assert len(cpus) == 3
    assert m.run("kern.nharts()") == "3"
    assert m.run("sorted(c.hart for c in kthread.online)") == "[0, 1, 2]"
    # Each hart has its own idle thread, and each waits in the kernel's
    # idle loop in S-mode (not parked in M-mode in boot/entry.S).
    assert m.run("sorted(c.idle_thread.name for c in kthread.online)") == "['idle', 'idle1', 'idle2']"
    table = m.run("harts()").splitlines()
    assert table[0].split()[:3] == ["HART", "RUNNING", "QUEUED"], table
    assert sorted(int(row.split()[0]) for row in table[1:]) == [0, 1, 2], table
    regs = m.hmp("info registers -a")
    sections = re.split(r"^CPU#(\d+)", regs, flags=re.M)
    per_cpu = {int(sections[i]): sections[i + 1] for i in range(1, len(sections), 2)}
    assert set(per_cpu) == {0, 1, 2}
    for hart in (1, 2):
        pc = int(re.search(r"\bpc\s+([0-9a-f]+)", per_cpu[hart]).group(1), 16)
        assert not symbolize(kernel_elf, pc).startswith("park"), symbolize(kernel_elf, pc)
    assert m.run("uptime() >= 0") == "True"


def test_poweroff_zero(machine):
    status = machine.qmp("query-status")
    assert status["status"] == "running" and status["running"] is True
    machine.send_line("poweroff()")
    machine.expect(r"pyrite: power off \(status 0\)")
    how, detail = machine.watch_qmp_stop()
    # QEMU 7.2's SiFive test device exits at once: QMP sees its connection
    # close.  A newer QEMU sends a SHUTDOWN event first.
    assert how in ("disconnected", "event"), (how, detail)
    if how == "event":
        assert detail["event"] == "SHUTDOWN"
    assert machine.wait_exit() == 0


def test_poweroff_status(machine):
    machine.send_line("poweroff(3)")
    machine.expect(r"pyrite: power off \(status 3\)")
    assert machine.wait_exit() == 3
