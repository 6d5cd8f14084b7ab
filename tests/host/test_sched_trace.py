"""tools/trace.py on a made-up dump: events parsed, states per lane, the
Chrome trace-event JSON, and the matplotlib picture; and the kernel's
trace module against the fake kern (on, off, the dump's format)."""

import json

from tests.host.test_kernel import kern, kthread   # noqa: F401 (fixtures)

from tools import trace

DUMP = """\
pyrite> trace.dump()
TRACE BEGIN 11 10000000
E 1000 0 name 4 3 hog
E 1000 0 name 5 7 sh
E 1000 0 switch 0 4 hog
E 101000 0 preempt 4 0 -
E 101000 0 switch 4 5 sh
E 111000 0 sleep 5 0 <Proc_7_sh>
E 111000 0 switch 5 4 hog
E 211000 0 wakeup 4 5 -
E 211000 0 exit 4 3 -
E 211000 0 switch 4 5 sh
E 311000 0 policy 0 0 plan9
TRACE END
"""


def test_parse_reads_events_in_microseconds():
    events, hz = trace.parse(DUMP)
    assert hz == 10_000_000 and len(events) == 11
    assert events[3]["kind"] == "preempt" and events[3]["t"] == 10_000.0
    assert events[5]["name"] == "<Proc_7_sh>" and events[3]["name"] == ""


def test_timeline_states_wakeups_and_preemptions():
    events, _ = trace.parse(DUMP)
    names, spans, wakeups, preemptions = trace.timeline(events)
    lanes = {names[ln]: ln for ln in names}
    assert sorted(lanes) == ["hog (pid 3)", "sh (pid 7)"]
    hog, sh = lanes["hog (pid 3)"], lanes["sh (pid 7)"]
    assert spans[hog][:3] == [(0.0, 10_000.0, "running"), (10_000.0, 11_000.0, "runnable"),
                              (11_000.0, 21_000.0, "running")]
    assert (11_000.0, 21_000.0, "sleeping") in spans[sh]
    assert (21_000.0, 31_000.0, "running") in spans[sh]
    assert wakeups == [(21_000.0, hog, sh)] and preemptions == [(10_000.0, hog)]


def test_chrome_trace_json(tmp_path):
    events, _ = trace.parse(DUMP)
    doc = trace.chrome_trace(events)
    json.dumps(doc)                              # serialisable
    phases = [e["ph"] for e in doc["traceEvents"]]
    assert phases.count("M") == 5                # two groups, two thread lanes, one hart lane
    assert {"X", "s", "f", "i"} <= set(phases)
    x = [e for e in doc["traceEvents"] if e["ph"] == "X" and e["pid"] == 1]
    assert all(e["dur"] > 0 and e["name"] in trace.COLOURS for e in x)
    on_hart = [(e["name"], e["ts"], e["dur"]) for e in doc["traceEvents"]
               if e["ph"] == "X" and e["pid"] == 2]
    assert on_hart == [("hog [4]", 0, 10000), ("sh [5]", 10000, 1000), ("hog [4]", 11000, 10000),
                       ("sh [5]", 21000, 10000)]


SMP_DUMP = """\
TRACE BEGIN 6 10000000
E 1000 0 switch 0 4 hog
E 1000 1 switch 9 5 spin
E 51000 1 switch 5 9 idle1
E 61000 1 switch 9 6 cat
E 101000 0 switch 4 0 idle
E 121000 1 switch 6 9 idle1
TRACE END
"""


def test_hart_lanes_show_what_each_hart_ran():
    events, _ = trace.parse(SMP_DUMP)
    lanes = trace.hart_timeline(events)
    assert lanes == {0: [(0, 10000, "hog [4]")],
                     1: [(0, 5000, "spin [5]"), (6000, 12000, "cat [6]")]}


def test_draw_writes_a_picture(tmp_path):
    events, _ = trace.parse(DUMP)
    for name in ("t.svg", "t.png"):
        trace.draw(events, tmp_path / name)
        assert (tmp_path / name).stat().st_size > 1000
    assert (tmp_path / "t.svg").read_text().lstrip().startswith("<?xml")


def test_main_from_a_saved_dump(tmp_path):
    dump = tmp_path / "dump.txt"
    dump.write_text(DUMP)
    assert trace.main(["--dump", str(dump), "--json", str(tmp_path / "t.json"),
                       "--svg", str(tmp_path / "t.svg")]) == 0
    assert json.loads((tmp_path / "t.json").read_text())["traceEvents"]
    assert (tmp_path / "t.txt").read_text() == DUMP


def test_kernel_trace_records_only_when_on(kern, kthread, capsys):
    from kernel.thread import trace as ring
    a = kthread.spawn("a", print)
    assert kern.trace == []                      # off: nothing recorded
    assert ring.enable(True, kthread.threads.values()) is False
    kthread.run_next()                           # a switch
    kthread.sleep("chan")                        # a sleep, back to idle
    assert ring.enable(False) is True
    kinds = [e[2] for e in kern.trace]
    assert kinds == [ring.NAME, ring.NAME, ring.SWITCH, ring.SLEEP, ring.SWITCH]
    ring.dump()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "TRACE BEGIN 5 %d" % kern.TIMEBASE_HZ and out[-1] == "TRACE END"
    assert out[3] == "E 0 0 switch 0 %d a" % a.handle
    assert out[4] == "E 0 0 sleep %d 0 'chan'" % a.handle
