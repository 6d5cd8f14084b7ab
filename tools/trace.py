"""`make trace CMD="..."`: a picture of who ran when.

Boots Pyrite (the scheduling policy from SCHED, as `make qemu` does), turns
the kernel's scheduler trace on at the monitor, runs CMD at the shell,
turns the trace off and has the monitor print the ring buffer
(kernel/thread/trace.py: one `E time hart kind a b name` line per event,
between `TRACE BEGIN total hz` and `TRACE END`).  From the events it writes

    build/trace.json   Chrome's trace-event format: open it in
                       https://ui.perfetto.dev or chrome://tracing
    build/trace.txt    the dump itself (draw it again with --dump)
    build/trace.svg    one lane per thread (a process's is named after its
                       program and pid), coloured by state -- running,
                       runnable (waiting for the CPU), sleeping -- with an
                       arrow from waker to woken at each wakeup and a mark
                       at each preemption; drawn with matplotlib

    python -m tools.trace --cmd "hog 10 & interactive 10" --sched plan9
    python -m tools.trace --setup "hog 30 a & hog 30 b & sleep 20" --cmd "interactive 4"
    python -m tools.trace --dump saved-console.txt     # draw a saved dump

parse(), timeline(), chrome_trace() and draw() are plain functions of the
dump's text, tested on the host without QEMU.
"""

import argparse
import json
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

DEFAULT_JSON = REPO_ROOT / "build" / "trace.json"
DEFAULT_SVG = REPO_ROOT / "build" / "trace.svg"
EVENT = re.compile(r"^E (\d+) (\d+) (\w+) (-?\d+) (-?\d+) (.*?)\s*$")
BEGIN = re.compile(r"^TRACE BEGIN (\d+) (\d+)\s*$")
COLOURS = {"running": "#2e7d32", "runnable": "#f9a825", "sleeping": "#cfd8dc"}


def parse(text):
    """The events of a dump, as dicts (time in microseconds from the first
    event), and the timebase: ([{t, hart, kind, a, b, name}], hz)."""
    hz = 10_000_000
    events = []
    for line in text.replace("\r", "").splitlines():
        m = BEGIN.match(line)
        if m:
            hz = int(m.group(2))
            continue
        m = EVENT.match(line)
        if m:
            t, hart, kind, a, b, name = m.groups()
            events.append({"time": int(t), "hart": int(hart), "kind": kind, "a": int(a),
                           "b": int(b), "name": "" if name == "-" else name})
    if events:
        t0 = events[0]["time"]
        for e in events:
            e["t"] = (e["time"] - t0) * 1_000_000 / hz
    return events, hz


def timeline(events):
    """Per lane: its label, and its states as [(start, end, state)] in
    microseconds; plus the wakeups [(t, waker lane, woken lane)] and
    preemptions [(t, lane)].  A lane is one thread's life: kernel thread
    handles are reused, so a handle that exited starts a new lane.  A
    thread's state before its first event is unknown and not drawn; the
    idle thread (handle 0) is left out."""
    lane_of, next_lane = {}, [1]
    labels, pids, state, since, spans = {}, {}, {}, {}, {}
    wakeups, preemptions = [], []
    end = events[-1]["t"] if events else 0

    def lane(h):
        if h == 0:
            return 0
        if h not in lane_of:
            lane_of[h] = next_lane[0]
            next_lane[0] += 1
        return lane_of[h]

    def enter(h, new, t):
        if h == 0:
            return
        ln = lane(h)
        old = state.get(ln)
        if old is not None and t > since[ln]:
            spans.setdefault(ln, []).append((since[ln], t, old))
        state[ln], since[ln] = new, t
        spans.setdefault(ln, [])
        if new is None:
            del lane_of[h]                      # exited: the handle's next life is a new lane

    for e in events:
        t, kind, a, b = e["t"], e["kind"], e["a"], e["b"]
        if kind == "name":
            if b and pids.get(lane(a), b) != b:  # a new process on a reused handle
                enter(a, None, t)
            labels[lane(a)] = e["name"]
            if b:
                pids[lane(a)] = b
        elif kind == "switch":
            if state.get(lane_of.get(a)) == "running":
                enter(a, "runnable", t)     # a sleep, yield or exit said otherwise first
            if a in lane_of and state.get(lane_of[a]) == "exiting":
                enter(a, None, t)
            enter(b, "running", t)
            if b and lane(b) not in labels and e["name"]:
                labels[lane(b)] = e["name"]
        elif kind == "wakeup":
            wakeups.append((t, lane(a), lane(b)))
            enter(b, "runnable", t)
        elif kind == "sleep":
            enter(a, "sleeping", t)
        elif kind in ("preempt", "yield"):
            enter(a, "runnable", t)
            if kind == "preempt":
                preemptions.append((t, lane(a)))
        elif kind == "exit":
            pids[lane(a)] = b
            state[lane(a)] = "running"
            enter(a, "exiting", t)               # runs on until it switches away
    for ln in list(state):
        if state[ln] not in (None, "exiting") and end > since[ln]:
            spans[ln].append((since[ln], end, state[ln]))
    for ln in spans:
        spans[ln] = [s for s in spans[ln] if s[2] != "exiting"]
    names = {}
    for ln in spans:
        name = labels.get(ln, "thread")
        names[ln] = "%s (pid %d)" % (name, pids[ln]) if ln in pids else name
    return names, spans, wakeups, preemptions


def hart_timeline(events):
    """Per hart, what it ran: [(start, end, thread label)] in microseconds,
    from the switch events each hart recorded (an idle thread's turn is
    left out: the lane is empty while the hart idles)."""
    running, since, spans = {}, {}, {}
    end = events[-1]["t"] if events else 0
    for e in events:
        if e["kind"] != "switch":
            continue
        h, t = e["hart"], e["t"]
        if running.get(h) is not None and t > since[h]:
            spans.setdefault(h, []).append((since[h], t, running[h]))
        name = e["name"]
        running[h] = None if e["b"] == 0 or name.startswith("idle") else "%s [%d]" % (name, e["b"])
        since[h] = t
        spans.setdefault(h, [])
    for h, label in running.items():
        if label is not None and end > since[h]:
            spans[h].append((since[h], end, label))
    return spans


def chrome_trace(events):
    """The Chrome trace-event JSON object: a complete ("X") event per state
    span, flow arrows ("s"/"f") for wakeups, instants ("i") for preemptions;
    and a second group, "harts", with one lane per hart showing what it ran."""
    names, spans, wakeups, preemptions = timeline(events)
    out = [{"name": "process_name", "ph": "M", "pid": 1, "args": {"name": "Pyrite"}},
           {"name": "process_name", "ph": "M", "pid": 2, "args": {"name": "harts"}}]
    for hart, hs in sorted(hart_timeline(events).items()):
        out.append({"name": "thread_name", "ph": "M", "pid": 2, "tid": hart,
                    "args": {"name": "hart %d" % hart}})
        for start, stop, label in hs:
            out.append({"name": label, "cat": "hart", "ph": "X", "pid": 2, "tid": hart,
                        "ts": start, "dur": stop - start})
    for h, label in names.items():
        out.append({"name": "thread_name", "ph": "M", "pid": 1, "tid": h, "args": {"name": label}})
    for h, hs in spans.items():
        for start, stop, st in hs:
            out.append({"name": st, "cat": "state", "ph": "X", "pid": 1, "tid": h,
                        "ts": start, "dur": stop - start})
    for i, (t, waker, woken) in enumerate(wakeups):
        if waker in names and woken in names:
            out.append({"name": "wakeup", "cat": "wakeup", "ph": "s", "id": i, "pid": 1,
                        "tid": waker, "ts": t})
            out.append({"name": "wakeup", "cat": "wakeup", "ph": "f", "bp": "e", "id": i,
                        "pid": 1, "tid": woken, "ts": t})
    for t, h in preemptions:
        out.append({"name": "preempted", "cat": "preempt", "ph": "i", "s": "t", "pid": 1,
                    "tid": h, "ts": t})
    for e in events:
        if e["kind"] in ("policy", "miss", "fork", "exit"):
            out.append({"name": e["kind"], "cat": "sched", "ph": "i", "s": "g", "pid": 1,
                        "tid": 0, "ts": e["t"], "args": {"a": e["a"], "b": e["b"], "name": e["name"]}})
    return {"traceEvents": out, "displayTimeUnit": "ms"}


def draw(events, path, title="Pyrite scheduler trace"):
    """One lane per thread, coloured by state, wakeup arrows, preemption
    marks: an SVG (or PNG, by the path's suffix) drawn with matplotlib."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    names, spans, wakeups, preemptions = timeline(events)
    lanes = sorted(names, key=lambda h: names[h])
    row = {h: i for i, h in enumerate(lanes)}
    per_hart = hart_timeline(events)
    harts = sorted(per_hart) if len(per_hart) > 1 else []    # one hart: its lane says nothing new
    fig, ax = plt.subplots(figsize=(12, 1 + 0.45 * max(len(lanes) + len(harts), 1)))
    palette = ["#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#e53935", "#6d4c41", "#3949ab"]
    for i, hart in enumerate(harts):
        y = len(lanes) + i
        for start, stop, label in per_hart[hart]:
            ax.broken_barh([(start / 1000, (stop - start) / 1000)], (y - 0.35, 0.7),
                           facecolors=palette[sum(map(ord, label)) % len(palette)])
    for h in lanes:
        for state in COLOURS:
            bars = [(s / 1000, (e - s) / 1000) for s, e, st in spans[h] if st == state]
            if bars:
                ax.broken_barh(bars, (row[h] - 0.35, 0.7), facecolors=COLOURS[state])
    for t, waker, woken in wakeups:
        if waker in row and woken in row and waker != woken:
            ax.annotate("", xy=(t / 1000, row[woken]), xytext=(t / 1000, row[waker]),
                        arrowprops={"arrowstyle": "->", "color": "#1565c0", "lw": 0.7})
    if preemptions:
        xs = [t / 1000 for t, h in preemptions if h in row]
        ys = [row[h] + 0.42 for t, h in preemptions if h in row]
        ax.scatter(xs, ys, marker="v", color="#c62828", s=12, zorder=3)
    ax.set_yticks(range(len(lanes) + len(harts)))
    ax.set_yticklabels([names[h] for h in lanes] + ["hart %d (what it ran)" % h for h in harts])
    ax.set_xlabel("milliseconds")
    ax.set_title(title)
    ax.legend(handles=[Patch(color=c, label=s) for s, c in COLOURS.items()] +
              [Patch(color="#1565c0", label="wakeup (arrow)"),
               Patch(color="#c62828", label="preempted (mark)")],
              loc="upper right", fontsize="small", ncol=5)
    ax.set_ylim(-0.7, len(lanes) + len(harts) + 0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def collect(m, cmd, timeout=120, setup=None):
    """On a booted machine at the shell's prompt: run SETUP untraced (say,
    hogs that should have sunk before the picture starts), then trace CMD;
    return the dump."""
    from tests.qemu.shell import ESCAPE, sh, to_monitor
    if setup:
        sh(m, setup, timeout)
    to_monitor(m)
    m.run("trace.on()", 20)
    m.send_raw(ESCAPE)
    m.expect_exact("[back to the programs]", 10)
    sh(m, cmd, timeout)
    to_monitor(m)
    m.run("trace.off()", 20)
    m.send_line("trace.dump()")
    m.expect_exact("TRACE BEGIN", 30)
    dump = "TRACE BEGIN" + m.expect_exact("TRACE END", 120)
    m.prompt(30)
    return dump


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cmd", help="the command line to trace at the shell")
    ap.add_argument("--sched", default="", help="the scheduling policy (rr, plan9, edf+plan9)")
    ap.add_argument("--setup", help="a command line to run first, untraced")
    ap.add_argument("--dump", help="draw a saved dump instead of booting")
    ap.add_argument("--json", default=str(DEFAULT_JSON))
    ap.add_argument("--svg", default=str(DEFAULT_SVG), help="the picture (.svg or .png)")
    args = ap.parse_args(argv)
    if args.dump:
        text = Path(args.dump).read_text()
    elif args.cmd:
        from tests.qemu.machine import Machine, KERNEL_ELF
        from tests.qemu.shell import poweroff
        bootargs = "sched=" + args.sched if args.sched else ""
        m = Machine(KERNEL_ELF, bootargs=bootargs, wait_prompt=False, name="trace")
        try:
            m.expect_exact("init: starting sh\n", 60)
            m.expect_exact("$ ", 60)
            text = collect(m, args.cmd, setup=args.setup)
            poweroff(m)
        finally:
            m.close()
    else:
        ap.error("give --cmd (or --dump)")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).with_suffix(".txt").write_text(text)     # the raw dump, for --dump
    events, _ = parse(text)
    if not events:
        print("trace: no events recorded", file=sys.stderr)
        return 1
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(chrome_trace(events)))
    draw(events, args.svg, "Pyrite: %s%s" % (args.cmd or args.dump,
                                               " (%s)" % args.sched if args.sched else ""))
    print("trace: %d events -> %s, %s" % (len(events), args.json, args.svg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
