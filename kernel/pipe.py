# Pipes: a bounded buffer between a writing and a reading file.
#
# Writers sleep while the buffer is full, readers while it is empty.  When
# every writer has closed, readers see end of file (a read returns b"");
# when every reader has closed, a write returns -1.
from kernel.compat import const
from kernel import kthread

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

    def close(self, writer):
        if writer:
            self.writeopen = False
            kthread.wakeup(self.readable)
        else:
            self.readopen = False
            kthread.wakeup(self.writable)

    def write(self, data, p):
        """Write all of data; -1 if the readers are gone (or p is killed)."""
        n = len(data)
        done = 0
        while done < n:
            if not self.readopen or p.killed:
                return -1
            space = PIPESIZE - (self.nwrite - self.nread)
            if space == 0:
                kthread.wakeup(self.readable)
                kthread.sleep(self.writable)
                continue
            start = self.nwrite % PIPESIZE
            chunk = min(n - done, space, PIPESIZE - start)
            self.buf[start:start + chunk] = data[done:done + chunk]
            self.nwrite += chunk
            done += chunk
        kthread.wakeup(self.readable)
        return n

    def read(self, n, p):
        """Up to n bytes, waiting for some; b"" at end of file; None if killed."""
        while self.nread == self.nwrite and self.writeopen:
            if p.killed:
                return None
            kthread.sleep(self.readable)
        available = self.nwrite - self.nread
        n = min(n, available)
        start = self.nread % PIPESIZE
        first = min(n, PIPESIZE - start)
        out = self.buf[start:start + first]
        if first < n:
            out += self.buf[0:n - first]
        self.nread += n
        kthread.wakeup(self.writable)
        return out
