"""A stand-in for the kernel's native `kern` module, so that kernel/*.py
imports and runs under CPython on the host.

It is a module-like object with the names kernel/ uses; it records what
the kernel asked of it (switches, timers, frees) for tests to check, and
never really switches stacks: thread_switch() returns at once, as if the
thread that called it had been resumed.

    import tests.host.fakekern as fakekern
    kern = fakekern.install()          # sys.modules["kern"] = a fresh FakeKern
"""

import sys

EV_TIMER = 1
EV_UART = 2
EV_DEVICE = 4
EV_IPI = 16


class FakeKern:
    EV_TIMER = EV_TIMER
    EV_UART = EV_UART
    EV_DEVICE = EV_DEVICE
    EV_IPI = EV_IPI
    PGSIZE = 4096
    KSTACK_SIZE = 16384
    TIMEBASE_HZ = 10_000_000
    # The user side (cstubs/trapframe.h, riscv.h, memlayout.h).
    TRAP_INTERRUPT = -1
    TRAP_FAULT = -2
    TRAP_HOLD = -3
    SYSCALL_MAX = 1023
    FIELD_EPC = 32               # trapframe fields, as kern.tf_get/tf_set index them
    FIELD_SCAUSE = 33
    FIELD_STVAL = 34
    FIELD_UTIME = 35
    FIELD_HOLD = 36
    REG_SP = 2
    REG_TP = 4
    REG_A0 = 10
    REG_A1 = 11
    REG_A7 = 17
    PTE_R = 1 << 1
    PTE_W = 1 << 2
    PTE_X = 1 << 3

    def __getattr__(self, name):
        # Only reached for names this fake lacks.
        raise AttributeError("tests/host/fakekern.py has no kern.%s: kernel Python uses it, "
                             "so give the fake one (a constant or a small function)" % name)

    def __init__(self, total_pages=64):
        self.now = 0                  # kern.time()
        self.timer = None             # what the comparator holds (-1: nothing)
        self.deadlines = [1 << 60, 1 << 60]   # the timer's slots (timer_arm)
        self.cpu = {}                 # handle -> `time` it has run (thread_cpu)
        self.switch_counts = {}       # handle -> times switched to
        self.running = 0              # the handle thread_switch() last ran
        self.switched_at = 0
        self.idle_backstop = 0        # set_idle_backstop()
        self.trace = []               # the scheduler trace's ring (trace_record)
        self.pending_events = 0       # what events() / idle() report next
        self.input = []               # bytes uart_getc() returns
        self.switches = []            # handles thread_switch() was asked for
        self.freed_threads = []       # handles thread_free() was asked for
        self.names = {0: "boot"}
        self.next_handle = 1
        self.total = total_pages
        self.free = total_pages
        self.allocated = set()
        self.memory = {}              # page address -> its bytes, once viewed
        self.fail_held = False
        self.next_page = 0x8010_0000
        self.poweroff_status = None
        self.bootargs_text = ""
        self.fields = {}              # (trapframe page, field) -> tf_set's value
        self.processes = {}           # thread handle -> (pid, trapframe)
        self.notes_entered = []       # (trapframe, handler, text, a0) of note_enter()
        self.notes_returned = []      # trapframes note_return() restored
        self.user_stack_full = False  # note_enter() finds no room (-1)
        self.hart_id = 0              # kern.hart(): the hart running this Python
        self.harts = 1                # harts online
        self.ipis = []                # harts kern.ipi() interrupted (mail)
        self.kicks = []               # harts kern.kick() interrupted

    # ---- harts: one, unless a test makes more (tests/host/test_harts.py) ----
    def hart(self):
        return self.hart_id

    def nharts(self):
        return self.harts

    def harts_present(self):
        return self.harts

    def set_hart_hook(self, fn):
        self.hart_hook = fn

    def ipi(self, hart):
        assert 0 <= hart < self.harts and hart != self.hart_id, hart
        self.ipis.append(hart)

    def kick(self, hart):
        assert 0 <= hart < self.harts and hart != self.hart_id, hart
        self.kicks.append(hart)

    def stop_user(self, hart):
        self.kick(hart)

    def hart_stats(self, hart):
        return (0, 0, 0, 0, 0)

    # ---- time and events ----
    def time(self):
        return self.now

    def idle_time(self):
        return 0                      # the fake never waits in wfi

    def set_timer(self, deadline):
        self.timer = deadline

    def _program(self):
        d = min(self.deadlines)
        self.timer = -1 if d == 1 << 60 else d

    def timer_arm(self, slot, when):
        self.deadlines[slot] = when
        self._program()

    def timer_deadline(self, slot):
        return self.deadlines[slot]

    def timer_due(self, now):
        due = 0
        for slot, d in enumerate(self.deadlines):
            if d <= now:
                self.deadlines[slot] = 1 << 60
                due |= 1 << slot
        self._program()
        return due

    def set_idle_backstop(self, cycles):
        self.idle_backstop = cycles

    def trace_record(self, kind, a, b, name=""):
        self.trace.append((self.now, 0, kind, a, b, name))

    def trace_count(self):
        return len(self.trace)

    def trace_event(self, i):
        return self.trace[i] if 0 <= i < len(self.trace) else None

    def trace_clear(self):
        self.trace = []

    def events(self):
        ev, self.pending_events = self.pending_events, 0
        return ev

    def idle(self):
        return self.events()

    def uart_getc(self):
        return self.input.pop(0) if self.input else -1

    # ---- pages ----
    def free_pages(self):
        return self.free

    def total_pages(self):
        return self.total

    def kalloc(self):
        if self.free == 0:
            return 0
        pa = self.next_page
        self.next_page += self.PGSIZE
        self.allocated.add(pa)
        self.free -= 1
        return pa

    def kfree(self, pa):
        if pa not in self.allocated:
            raise ValueError("not an allocated page")
        self.allocated.remove(pa)
        self.memory.pop(pa, None)
        self.free += 1

    def page_view(self, pa, offset, length):
        if pa not in self.allocated:
            raise ValueError("not an allocated page")
        if offset < 0 or length <= 0 or offset + length > self.PGSIZE:
            raise ValueError("range outside the page")
        page = self.memory.setdefault(pa, bytearray(self.PGSIZE))
        return memoryview(page)[offset:offset + length]

    def dirent_find(self, block, name, start=0):
        # cstubs/modkern_dir.c: the first used entry named name (or, with
        # None, the first free entry) at or after start; -1 if none.
        data = bytes(block)
        for off in range(max(start, 0), len(data) - 15, 16):
            inum = data[off] | data[off + 1] << 8
            if name is None and inum == 0:
                return off
            if name is not None and inum != 0 and data[off + 2:off + 16] == bytes(name):
                return off
        return -1

    def fail_hold(self, on):
        held, self.fail_held = self.fail_held, bool(on)
        return held

    def machine(self):
        return (0x8000_0000, 128 << 20, 0x8010_0000, 8 << 20, 0x8005_0000)

    def poweroff(self, status=0):
        self.poweroff_status = status

    def bootargs(self):
        return self.bootargs_text

    # ---- user processes (notes) ----
    def note_enter(self, tf, pagetable, handler, text, a0):
        if self.user_stack_full:
            return -1
        self.notes_entered.append((tf, handler, bytes(text), a0))
        return 0

    def note_return(self, tf):
        self.notes_returned.append(tf)

    # ---- threads ----
    def thread_current(self):
        return 0

    def thread_new(self, entry, arg):
        handle = self.next_handle
        self.next_handle += 1
        self.names[handle] = ""
        return handle

    def thread_set_process(self, handle, pid, trapframe):
        self.processes[handle] = (pid, trapframe)

    # ---- trapframes (0: the running thread's, which the fake does not know) ----
    def tf_get(self, tf, field):
        if tf not in self.allocated:
            raise ValueError("not an allocated page")
        return self.fields.get((tf, field), 0)

    def tf_set(self, tf, field, value):
        if tf not in self.allocated:
            raise ValueError("not an allocated page")
        self.fields[(tf, field)] = value

    def thread_set_name(self, handle, name):
        self.names[handle] = name

    def thread_switch(self, handle, deadline=None):
        if deadline is not None:
            self.timer_arm(0, deadline)
        self.switches.append(handle)
        self.cpu[self.running] = self.thread_cpu(self.running)
        self.switched_at = self.now
        self.running = handle
        self.switch_counts[handle] = self.switch_counts.get(handle, 0) + 1

    def thread_run(self, t):
        self.thread_switch(t.handle, t.sched.slice_end)

    def thread_cpu(self, handle):
        ran = self.cpu.get(handle, 0)
        return ran + self.now - self.switched_at if handle == self.running else ran

    def thread_switches(self, handle):
        return self.switch_counts.get(handle, 0)

    def thread_free(self, handle):
        self.freed_threads.append(handle)
        self.names.pop(handle, None)

    def thread_stack_used(self, handle):
        return 1024

    def thread_stack(self, handle):
        top = 0x3F_FFFF_F000 - handle * 5 * self.PGSIZE
        return (top - self.KSTACK_SIZE, top)

    def gc_scan_suspended(self, on):
        self.scan_suspended = bool(on)

    def peek(self, addr):
        raise MemoryError("no memory to peek at on the host")

    def poke(self, addr, value):
        raise MemoryError("no memory to poke at on the host")


def install(**kwargs):
    """Put a fresh FakeKern in sys.modules["kern"] and return it.  Kernel
    modules already imported keep the `kern` they bound at import: use
    tests.host.test_kernel's fixture, which reloads them."""
    kern = FakeKern(**kwargs)
    sys.modules["kern"] = kern
    return kern
