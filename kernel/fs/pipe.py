# Pipes: a bounded buffer between a writing and a reading file.
#
# Writers sleep while the buffer is full, readers while it is empty.  When
# every writer has closed, readers see end of file (a read returns b"");
# when every reader has closed, a write returns -1.
#
# write_user/read_user move bytes straight between a process's memory and
# the ring (kern.copyin_buf/copyout_buf), with no Python bytes in between:
# they are the system calls' path, and pipes are often used a byte at a time.
import kern

from kernel.compat import const
from kernel.thread import kthread

PIPESIZE = const(512)


class Channel:
    """Something to sleep on: its identity is all that matters."""


class Pipe:
    def __init__(self):
        self.buf = bytearray(PIPESIZE)
        self.nread = 0          # bytes read so far (mod nothing: ever growing)
        self.nwrite = 0         # bytes written so far
        self.readopen = True
        self.writeopen = True
        self.readable = Channel()   # readers sleep here
        self.writable = Channel()   # writers sleep here
        # Whether anyone sleeps on readable/writable: a wakeup with nobody
        # to wake costs as much as a small copy, and most have nobody.
        self.readers_waiting = False
        self.writers_waiting = False

    def close(self, writer):
        if writer:
            self.writeopen = False
            self._wake_readers()
        else:
            self.readopen = False
            self._wake_writers()

    def write_user(self, p, addr, n):
        """Copy n bytes at user address addr into the pipe: n, or -1 if the
        readers are gone, p is killed or gets a note, or addr is bad."""
        done = 0
        while done < n:
            if not self.readopen or p.killed or p.note_pending:
                return -1
            used = self.nwrite - self.nread
            if used == PIPESIZE:
                self._wake_readers()
                self.writers_waiting = True
                kthread.sleep(self.writable)
                continue
            start = self.nwrite % PIPESIZE
            chunk = n - done
            if chunk > PIPESIZE - used:
                chunk = PIPESIZE - used
            if chunk > PIPESIZE - start:
                chunk = PIPESIZE - start
            if kern.copyin_buf(p.pagetable, addr + done, self.buf, start, chunk) < 0:
                return -1
            self.nwrite += chunk
            done += chunk
        self._wake_readers()
        return n

    def read_user(self, p, addr, n):
        """Copy up to n bytes to user address addr, waiting for some: the
        count, 0 at end of file, -1 if p is killed or gets a note, or addr
        is bad."""
        while self.nread == self.nwrite and self.writeopen:
            if p.killed or p.note_pending:
                return -1
            self.readers_waiting = True
            kthread.sleep(self.readable)
        available = self.nwrite - self.nread
        if n > available:
            n = available
        start = self.nread % PIPESIZE
        first = PIPESIZE - start
        if first >= n:
            if kern.copyout_buf(p.pagetable, addr, self.buf, start, n) < 0:
                return -1
        elif (kern.copyout_buf(p.pagetable, addr, self.buf, start, first) < 0
              or kern.copyout_buf(p.pagetable, addr + first, self.buf, 0, n - first) < 0):
            return -1
        self.nread += n
        self._wake_writers()
        return n

    def _wake_readers(self):
        if self.readers_waiting:
            self.readers_waiting = False
            kthread.wakeup(self.readable)

    def _wake_writers(self):
        if self.writers_waiting:
            self.writers_waiting = False
            kthread.wakeup(self.writable)
