"""Panic symbolizer: kernel addresses -> function+offset (file:line).

The kernel has no symbol table at run time, so when it panics it prints raw
addresses, for instance

    scause=0xd sepc=0x80023b1c stval=0x0
    symbolize: pc=0x80023b1c ra=0x80023040

and this tool, on the host, turns them into names using build/kernel/kernel.elf:

    0x80023b1c = kerneltrap+0x18 (cstubs/trap.c:88)

Library use:

    symbolize(elf_path, addr) -> "kerneltrap+0x18 (cstubs/trap.c:88)", or "??"
    annotate(elf_path, text)  -> the log with a line added under every line
                                 that mentions kernel text addresses
    Annotator(elf_path)       -> the same for a stream: write(piece) as text
                                 arrives, finish() at its end

Command line (run from the repository root, or pass --elf):

    python -m tools.symbolize 0x80023b1c 0x80023040     # one line per address
    make qemu 2>&1 | python -m tools.symbolize          # annotate a live log

Reading a live log, it writes whatever arrives at once, unfinished lines
too: a shell prompt ("$ ") has no newline after it and must still show up
before you type.  A line's notes follow when the line is complete.

Function names come from the ELF symbol table (the sized FUNC symbol that
contains the address; for assembly labels, which have no size, the nearest
label before it).  File and line come from the DWARF line-number program
(.debug_line), decoded once per ELF into a sorted address table; the table is
also kept next to the ELF (<elf>.symcache) so that later processes start fast.
File names are shown relative to the repository root (the build compiles in
cstubs/ with paths like ../build/micropython/py/vm.c; those become
build/micropython/py/vm.c).

A return address (ra) points after the call, so its line may be the line that
follows the call: that is normal, and addr2line does the same.
"""

import argparse
import bisect
import codecs
import os
import pickle
import re
import select
import sys
from pathlib import Path

from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ELF = REPO_ROOT / "build" / "kernel" / "kernel.elf"

# Bump when the layout of the on-disk cache changes.
_CACHE_VERSION = 1

# A hexadecimal number standing on its own (not the tail of a longer word).
_HEX_RE = re.compile(r"(?<![0-9A-Za-z_])0[xX]([0-9a-fA-F]+)(?![0-9A-Za-z_])")
# The lines annotate() adds: never annotate them again.
_ANNOTATION_RE = re.compile(r"^    0x[0-9a-f]+ = ")
# The start of a line that may still turn out to be such a line.
_ANNOTATION_PREFIX_RE = re.compile(r"^(?: {0,4}|    0|    0x[0-9a-f]*|    0x[0-9a-f]+ =?)$")
# A live stream that has been quiet this long gets its held-back text out.
IDLE_SECONDS = 0.2


class _Symbols:
    """Everything symbolize() needs from one ELF file, built once."""

    def __init__(self, elf_path):
        self.path = Path(elf_path)
        st = self.path.stat()
        self.key = (_CACHE_VERSION, st.st_size, st.st_mtime_ns)
        with open(self.path, "rb") as f:
            elf = ELFFile(f)
            self.exec_ranges = _exec_ranges(elf)
            self._load_functions(elf)
            self._load_lines(elf)

    # ---- executable ranges and function symbols ----

    def in_text(self, addr):
        return any(lo <= addr < hi for lo, hi in self.exec_ranges)

    def _load_functions(self, elf):
        symtab = elf.get_section_by_name(".symtab")
        sized = {}    # start -> (end, name): FUNC symbols with a size
        labels = {}   # start -> name: unsized code labels (assembly)
        if symtab is not None:
            for sym in symtab.iter_symbols():
                name = sym.name
                kind = sym["st_info"]["type"]
                addr = sym["st_value"]
                size = sym["st_size"]
                if not name or name.startswith(("$", ".L")):
                    continue
                if kind not in ("STT_FUNC", "STT_NOTYPE") or not self.in_text(addr):
                    continue
                if kind == "STT_FUNC" and size > 0:
                    # Prefer a global name over a local alias at the same address.
                    if addr not in sized or sym["st_info"]["bind"] == "STB_GLOBAL":
                        sized[addr] = (addr + size, name)
                elif addr not in labels or sym["st_info"]["bind"] == "STB_GLOBAL":
                    labels[addr] = name
        self.func_starts = sorted(sized)
        self.func_info = [sized[a] for a in self.func_starts]
        self.label_starts = sorted(labels)
        self.label_names = [labels[a] for a in self.label_starts]

    def function(self, addr):
        """(name, offset) of the function containing addr, or None."""
        best = None
        i = bisect.bisect_right(self.func_starts, addr) - 1
        prev_end = 0
        if i >= 0:
            start = self.func_starts[i]
            end, name = self.func_info[i]
            if addr < end:
                best = (name, addr - start)
            prev_end = end
        if best is None:
            # Assembly (kernelvec, swtch, _entry) has labels without a size:
            # take the nearest one before addr that is not inside a sized function.
            j = bisect.bisect_right(self.label_starts, addr) - 1
            if j >= 0 and self.label_starts[j] >= prev_end:
                best = (self.label_names[j], addr - self.label_starts[j])
        return best

    # ---- DWARF line table ----

    def _cache_path(self):
        return self.path.with_name(self.path.name + ".symcache")

    def _load_lines(self, elf):
        cache = self._cache_path()
        try:
            with open(cache, "rb") as f:
                data = pickle.load(f)
            if data[0] == self.key:
                _, self.line_addrs, self.line_rows, self.files = data
                return
        except Exception:
            pass
        self.line_addrs, self.line_rows, self.files = _decode_lines(elf, self.path)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as f:
                pickle.dump((self.key, self.line_addrs, self.line_rows, self.files), f,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache)
        except OSError:
            try:
                tmp.unlink()
            except OSError:
                pass

    def line(self, addr):
        """(file, line) for addr, or None."""
        i = bisect.bisect_right(self.line_addrs, addr) - 1
        if i < 0:
            return None
        row = self.line_rows[i]
        if row is None:          # past the end of a sequence: no line info
            return None
        file_index, line = row
        return self.files[file_index], line

    def describe(self, addr):
        if not self.in_text(addr):
            return "??"
        fn = self.function(addr)
        loc = self.line(addr)
        if fn is None and loc is None:
            return "??"
        name = f"{fn[0]}+0x{fn[1]:x}" if fn else "??"
        where = f"{loc[0]}:{loc[1]}" if loc else "??"
        return f"{name} ({where})"


def _exec_ranges(elf):
    ranges = []
    for sec in elf.iter_sections():
        flags = sec["sh_flags"]
        if flags & SH_FLAGS.SHF_EXECINSTR and flags & SH_FLAGS.SHF_ALLOC and sec["sh_size"]:
            ranges.append((sec["sh_addr"], sec["sh_addr"] + sec["sh_size"]))
    return ranges


def _decode_lines(elf, elf_path):
    """Decode every line-number program into one sorted table.

    Returns (addrs, rows, files): addrs sorted ascending; rows[i] is
    (index into files, line) for the range starting at addrs[i], or None
    where a sequence ends and no line information follows.
    """
    if not elf.has_dwarf_info():
        return [], [], []
    dwarf = elf.get_dwarf_info()
    exec_ranges = _exec_ranges(elf)
    files = []
    file_ids = {}
    entries = []   # (addr, order, row): order 0 for end-of-sequence, so a
                   # sequence starting where another ends wins the tie

    for cu in dwarf.iter_CUs():
        lp = dwarf.line_program_for_CU(cu)
        if lp is None:
            continue
        version = lp["version"]
        incdirs = [_s(d) for d in lp["include_directory"]]
        if version >= 5:
            comp_dir = incdirs[0] if incdirs else ""
        else:
            attr = cu.get_top_DIE().attributes.get("DW_AT_comp_dir")
            comp_dir = _s(attr.value) if attr else ""
        roots = _repo_roots(comp_dir, elf_path)
        local = {}   # file number in this program -> index into files

        def file_id(num):
            if num in local:
                return local[num]
            fentries = lp["file_entry"]
            idx = num if version >= 5 else num - 1
            if 0 <= idx < len(fentries):
                fe = fentries[idx]
                d = fe["dir_index"]
                if version >= 5:
                    dirname = incdirs[d] if d < len(incdirs) else ""
                else:
                    dirname = comp_dir if d == 0 else incdirs[d - 1]
                name = _short_path(os.path.join(comp_dir, dirname, _s(fe["name"])), roots)
            else:
                name = "??"
            fid = file_ids.get(name)
            if fid is None:
                fid = file_ids[name] = len(files)
                files.append(name)
            local[num] = fid
            return fid

        seq = []
        for entry in lp.get_entries():
            state = entry.state
            if state is None:
                continue
            if state.end_sequence:
                # Sequences of functions dropped by --gc-sections are left at
                # address 0: keep only those that lie in kernel text.
                if seq and any(lo <= seq[0][0] < hi for lo, hi in exec_ranges):
                    last = {}
                    for addr, row in seq:
                        last[addr] = row      # the last row at an address wins
                    entries.extend((a, 1, r) for a, r in last.items())
                    entries.append((state.address, 0, None))
                seq = []
            else:
                seq.append((state.address, (file_id(state.file), state.line)))

    entries.sort(key=lambda e: (e[0], e[1]))
    addrs, rows = [], []
    for addr, _, row in entries:
        if addrs and addrs[-1] == addr:
            rows[-1] = row            # real row beats end-of-sequence
        else:
            addrs.append(addr)
            rows.append(row)
    return addrs, rows, files


def _s(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _repo_roots(comp_dir, elf_path):
    """Directories to show file names relative to, most specific first."""
    roots = []
    if comp_dir and os.path.isabs(comp_dir):
        cd = Path(os.path.normpath(comp_dir))
        # The kernel is compiled in <repo>/cstubs.
        roots.append(cd.parent if cd.name == "cstubs" else cd)
    p = Path(os.path.abspath(elf_path))
    if p.parent.name == "kernel" and p.parent.parent.name == "build":
        roots.append(p.parent.parent.parent)
    roots.append(REPO_ROOT)
    out = []
    for r in roots:
        if r not in out:
            out.append(r)
    return out


def _short_path(path, roots):
    path = os.path.normpath(path)
    for root in roots:
        try:
            return Path(path).relative_to(root).as_posix()
        except ValueError:
            continue
    return path


_cache = {}


def _symbols(elf_path):
    """The _Symbols for elf_path, rebuilt only if the file changed."""
    path = os.path.abspath(elf_path)
    st = os.stat(path)
    key = (_CACHE_VERSION, st.st_size, st.st_mtime_ns)
    syms = _cache.get(path)
    if syms is None or syms.key != key:
        syms = _cache[path] = _Symbols(path)
    return syms


def symbolize(elf_path, addr):
    """'function+0xoff (file:line)' for a kernel text address, else '??'.

    Either half may itself be '??' when only the other is known (for
    example a library function built without debug information).
    """
    return _symbols(elf_path).describe(int(addr))


def text_addresses(elf_path, line):
    """The distinct kernel text addresses written in hex in line, in order."""
    syms = _symbols(elf_path)
    seen = []
    for m in _HEX_RE.finditer(line):
        value = int(m.group(1), 16)
        if value not in seen and syms.in_text(value):
            seen.append(value)
    return seen


def annotate_line(elf_path, line):
    """The annotation lines (without line endings) for one log line."""
    if _ANNOTATION_RE.match(line):
        return []
    return [f"    0x{a:x} = {symbolize(elf_path, a)}" for a in text_addresses(elf_path, line)]


class Annotator:
    """annotate() for a stream.

    feed() takes whole lines; write() takes any piece of text as it
    arrives (a stream cut anywhere, unfinished lines included); finish()
    ends the stream.  Each returns the text to write out now.

    A line's notes are held back until the next line starts: if that line
    is already an annotation (the log was annotated before), they are
    dropped, so annotating twice changes nothing.  An unfinished line is
    passed on at once, except while it could still be the start of an
    annotation ("    0x..."); idle() (the stream went quiet) lets out
    whatever is held back."""

    def __init__(self, elf_path):
        self.elf_path = elf_path
        self._pending = []      # notes of the previous line, with endings
        self._line = ""         # write(): the current line so far
        self._shown = 0         # how much of _line has been passed on
        self._is_note = None    # whether _line is an annotation; None: not known yet

    def feed(self, line):
        """One line, with its line ending if any; returns text to write."""
        return self.write(line) + (self._end_line() if self._line else "")

    def write(self, text):
        """Any piece of the stream; returns text to write now."""
        out = []
        while text:
            nl = text.find("\n") + 1
            if nl == 0:
                self._line += text
                out.append(self._show(final=False))
                break
            self._line += text[:nl]
            text = text[nl:]
            out.append(self._end_line())
        return "".join(out)

    def waiting(self):
        """Whether some text is held back (idle() would let it out)."""
        return bool(self._pending) or (self._line != "" and self._is_note is None)

    def idle(self):
        """The stream went quiet: pass on what is held back."""
        if self._line:
            if self._is_note is None:
                self._is_note = False
            return self._show(final=False)
        out, self._pending = "".join(self._pending), []
        return out

    def finish(self):
        """The end of the stream: the last line's notes."""
        out = self._end_line() if self._line else ""
        out += "".join(self._pending)
        self._pending = []
        return out

    def _decide(self, final):
        """Settle whether the current line is an annotation, once enough of
        it is known; the held notes of the line before then go or stay."""
        if self._is_note is not None:
            return ""
        body = self._line.rstrip("\r\n")
        if _ANNOTATION_RE.match(body):
            self._is_note = True
        elif not final and _ANNOTATION_PREFIX_RE.match(body):
            return None                 # could still be one: hold it back
        else:
            self._is_note = False
        out = "" if self._is_note else "".join(self._pending)
        self._pending = []
        return out

    def _show(self, final):
        head = self._decide(final)
        if head is None:
            return ""
        out = head + self._line[self._shown:]
        self._shown = len(self._line)
        return out

    def _end_line(self):
        """The current line is complete (or the stream ended after it)."""
        out = self._show(final=True)
        line, is_note = self._line, self._is_note
        self._line, self._shown, self._is_note = "", 0, None
        if not is_note:
            body = line.rstrip("\r\n")
            notes = annotate_line(self.elf_path, body)
            if notes:
                ending = line[len(body):]
                if ending:
                    self._pending = [n + ending for n in notes]
                else:           # last line without an ending: end it first
                    self._pending = ["\n"] + [n + "\n" for n in notes]
        return out


def annotate(elf_path, text):
    """text with, after each line naming kernel text addresses, one indented
    line per address: '    0x80001234 = kerneltrap+0x1c (cstubs/trap.c:99)'.

    Line endings are kept (console logs often use \\r\\n)."""
    a = Annotator(elf_path)
    out = [a.feed(line) for line in text.splitlines(keepends=True)]
    out.append(a.finish())
    return "".join(out)


def _parse_addr(text):
    t = text.strip()
    return int(t, 16) if not t.lower().startswith("0x") else int(t[2:], 16)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python -m tools.symbolize",
        description="Turn kernel addresses into function+offset (file:line). "
                    "With no ADDR, annotate a console log read from stdin.")
    ap.add_argument("--elf", default=None,
                    help=f"kernel ELF (default: {DEFAULT_ELF.relative_to(REPO_ROOT)})")
    ap.add_argument("addrs", nargs="*", metavar="ADDR", help="hex address, 0x optional")
    args = ap.parse_args(argv)
    elf = Path(args.elf) if args.elf else DEFAULT_ELF
    if not elf.exists():
        ap.error(f"{elf}: no such file (run `make kernel` first)")
    if args.addrs:
        for a in args.addrs:
            try:
                value = _parse_addr(a)
            except ValueError:
                ap.error(f"not a hex address: {a!r}")
            print(f"0x{value:x} = {symbolize(elf, value)}")
        return 0
    annotate_stream(elf, sys.stdin.fileno(), sys.stdout)
    return 0


def annotate_stream(elf_path, fd, out):
    """Annotate what arrives on file descriptor fd, writing to out as it
    comes: `make qemu | python -m tools.symbolize` stays live, prompts and
    all.  Returns at end of input."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    annotator = Annotator(elf_path)
    while True:
        if annotator.waiting() and not select.select([fd], [], [], IDLE_SECONDS)[0]:
            out.write(annotator.idle())
            out.flush()
            continue
        data = os.read(fd, 4096)
        if not data:
            break
        out.write(annotator.write(decoder.decode(data)))
        out.flush()
    out.write(annotator.write(decoder.decode(b"", final=True)))
    out.write(annotator.finish())
    out.flush()


if __name__ == "__main__":
    sys.exit(main())
