"""The schedulers on the booted kernel: the boot argument and sched.use()
choose the policy; under Plan 9 a hog sinks below an interactive process
and a low-priority hog still runs; EDF admits and refuses task sets and an
admitted set beside hogs misses no deadline; switching policy while 20
processes run loses none; the accounting programs (ps, time) and nice/rt."""

import re

import pytest

from tests.qemu.shell import ESCAPE, sh, to_monitor


# Under -icount the guest's clock follows the instructions it runs, not
# the host's: what a test measures in time does not depend on how busy
# the host is.  (idlewake: see tools/bench.py.)
ICOUNT = ("-icount", "shift=0,align=off,sleep=off")


def _boot(boot, policy, icount=False):
    if icount:
        m = boot(*ICOUNT, bootargs="sched=%s idlewake=1000" % policy, wait_prompt=False)
    else:
        m = boot(bootargs="sched=" + policy, wait_prompt=False)
    m.expect_exact("init: starting sh\n", 20)
    m.expect_exact("$ ", 20)
    return m


def back_to_shell(m):
    m.send_raw(ESCAPE)
    m.expect_exact("[back to the programs]", 10)
    m.send_line("")
    m.expect_exact("$ ", 10)


def monitor_eval(m, expr, timeout=20):
    to_monitor(m)
    out = m.run(expr, timeout)
    back_to_shell(m)
    return out


def work_done(out):
    """{label: units} from hog's `LABEL PID: N units of work` lines."""
    out = out.replace("\r", "")
    return {label: int(n) for label, n in re.findall(r"^(\w+) \d+: (\d+) units of work$", out, re.M)}


def transcript(m):
    return m.transcript.replace("\r", "")


@pytest.mark.parametrize("policy,shown", [("rr", "round robin, quantum 10000 us"),
                                          ("rr quantum=5000", "round robin, quantum 5000 us"),
                                          ("plan9", "plan9"), ("edf+plan9", "edf over plan9")])
def test_boot_argument_chooses_the_policy(boot, policy, shown):
    m = _boot(boot, policy)
    assert monitor_eval(m, "sched.show()").startswith(shown)
    assert sh(m, "hello") == "hello, world"


def test_plan9_hog_sinks_below_an_interactive_process(boot):
    m = _boot(boot, "plan9")
    sh(m, "hog 40 hog &")
    sh(m, "interactive 40 &")
    sh(m, "sleep 15")
    pri = monitor_eval(m, "sorted((t.name, t.sched.pri) for t in kthread.threads.values() "
                          "if t.name in ('hog', 'interactive'))")
    pairs = dict(re.findall(r"\('(\w+)', (\d+)\)", pri))
    # interactive's two processes (the reader and its pinging child) share the name.
    inter = [int(p) for n, p in re.findall(r"\('(\w+)', (\d+)\)", pri) if n == "interactive"]
    assert int(pairs["hog"]) < min(inter) == 10, pri
    sh(m, "sleep 40", 60)
    assert re.search(r"interactive \d+: 40 wakeups", transcript(m))
    assert "hog" in work_done(transcript(m))


def test_plan9_low_priority_hog_still_runs_and_nice_sets_priorities(boot):
    m = _boot(boot, "plan9")
    assert sh(m, "nice") == "base priority 10"
    assert sh(m, "nice 4 nice") == "base priority 4"
    assert sh(m, "nice -f 12 nice") == "base priority 12"
    assert sh(m, "nice 20 nice") == "nice: 20 is not a priority (0-19)"
    out = sh(m, "nice 2 hog 20 low & hog 20 high; sleep 15", 60)
    sh(m, "sleep 5")
    done = work_done(transcript(m))
    assert done["low"] > 0 and done["high"] > 0, done      # nobody starves


def test_edf_admits_refuses_and_meets_every_deadline_beside_hogs(boot):
    # Deadlines are real-time promises: measured on the guest's own clock
    # (icount), a loaded host cannot make a job late.
    m = _boot(boot, "edf+plan9", icount=True)
    for label in "abcd":
        sh(m, "hog 60 %s &" % label)
    # 40% + 30% admitted; 30% more would pass the 95% bound: refused.
    sh(m, "periodic 20 10 50 50 20 &")
    sh(m, "rt 100 100 30 periodic 10 10 &")
    out = sh(m, "rt 20 20 6 periodic 5 1")
    assert out == "rt: refused: 20/20/6 ms does not fit"
    out = sh(m, "periodic 5 1 20 20 6")
    assert re.fullmatch(r"periodic \d+: refused \(20/20/6 ms would not fit\)", out)
    sh(m, "sleep 30", 60)
    results = re.findall(r"^periodic \d+: (\d+) jobs, (\d+) deadline misses$", transcript(m), re.M)
    assert sorted(results) == [("10", "0"), ("20", "0")], results
    # Their share is free again: a task that fits now is admitted.  (Under
    # rt the first job includes exec's loading the program: a roomy cost.)
    assert re.fullmatch(r"periodic \d+: 3 jobs, 0 deadline misses", sh(m, "rt 200 200 80 periodic 3 2"))
    sh(m, "sleep 40", 60)
    assert len(work_done(transcript(m))) == 4


def test_rt_is_refused_without_edf(boot):
    m = _boot(boot, "rr")
    assert sh(m, "rt 100 100 10 hello") == "rt: refused: 100/100/10 ms does not fit"
    assert sh(m, "rt 10 20 5 hello") == "rt: refused: 10/20/5 ms does not fit"


def test_switching_policy_while_20_processes_run_loses_none(boot):
    m = _boot(boot, "rr", icount=True)      # (the hogs' pace, whatever the host's load)
    for i in range(20):
        sh(m, "hog 100 h%d &" % i)
    to_monitor(m)
    for policy in ("plan9", "edf", "rr", "edf+rr", "plan9"):
        # (A hog that finishes meanwhile prints its line before the answer.)
        out = m.run('sched.use("%s")' % policy, 20)
        assert out.splitlines()[-1] == "sched: now %s" % policy.split("+")[0]
        assert m.run("sched.check()", 20).splitlines()[-1] == "[]"
        alive = m.run("len([t for t in kthread.threads.values() if t.name == 'hog' "
                      "and t.state in (kthread.RUNNABLE, kthread.RUNNING)])", 20)
        finished = len(work_done(transcript(m)))
        assert int(alive.splitlines()[-1]) + finished == 20, policy
    back_to_shell(m)
    sh(m, "sleep 110", 150)
    assert sorted(work_done(transcript(m))) == sorted("h%d" % i for i in range(20))


def test_ps_and_time_show_the_accounting(boot):
    m = _boot(boot, "plan9")
    out = sh(m, "time hog 10")
    match = re.search(r"^hog: real (\d+)\.(\d+) user (\d+)\.(\d+) sys (\d+)\.(\d+)$", out, re.M)
    assert match, out
    real, user, system = (int(match.group(i)) * 1000 + int(match.group(i + 1)) for i in (1, 3, 5))
    assert 0 < user <= real and system < real and real >= 1000
    lines = sh(m, "ps").splitlines()
    assert lines[0].split() == ["PID", "PPID", "STATE", "USER_MS", "SYS_MS", "HART", "SCHED", "NAME"]
    rows = [l.split() for l in lines[1:]]
    assert [(r[0], r[2], r[-1]) for r in rows] == [("1", "sleeping", "init"), ("2", "sleeping", "sh"),
                                                  (rows[2][0], "running", "ps")]
    assert [r[5] for r in rows] == ["0", "0", "0"]       # one hart
    assert rows[0][6] == "p10/10"
    table = monitor_eval(m, "ps()")
    header = table.splitlines()[0].split()
    assert header == ["PID", "PPID", "STATE", "SIZE", "TICKS", "USER_MS", "SYS_MS", "HART", "SCHED",
                      "NAME"]


@pytest.mark.parametrize("policy", ["plan9", "edf+plan9"])
def test_usertests_pass_under_policy(boot, policy):
    m = _boot(boot, policy)
    out = sh(m, "usertests", 600)
    assert out.splitlines()[-1].endswith(" failed") and out.splitlines()[-1].endswith(", 0 failed"), out[-2000:]


def test_trace_records_the_scheduling_and_draws_it(boot, tmp_path):
    from tools import trace
    m = _boot(boot, "plan9")
    dump = trace.collect(m, "hog 3 a & interactive 2; sleep 3")
    events, hz = trace.parse(dump)
    kinds = {e["kind"] for e in events}
    assert {"name", "switch", "wakeup", "sleep", "fork", "exit", "preempt"} <= kinds, kinds
    assert hz == 10_000_000 and all(e["hart"] == 0 for e in events)
    times = [e["time"] for e in events]
    assert times == sorted(times)
    names, spans, wakeups, preemptions = trace.timeline(events)
    labels = sorted(names.values())
    assert any(l.startswith("hog (pid ") for l in labels), labels
    assert sum(1 for l in labels if l.startswith("interactive (pid ")) == 2, labels
    assert wakeups and preemptions
    trace.draw(events, tmp_path / "trace.svg")
    assert (tmp_path / "trace.svg").stat().st_size > 1000
    # Off again: nothing more is recorded.
    assert m.run("kern.trace_count()") == m.run("kern.trace_count()")
    assert m.run("sched.show()").startswith("plan9")


def test_the_schedtrace_call_records_a_command(boot):
    from tools import trace
    m = _boot(boot, "rr")
    out = sh(m, "time -t hog 2 x")
    assert re.search(r"^x \d+: \d+ units of work$", out, re.M), out
    assert re.search(r"^hog: real \d+\.\d+ user", out, re.M), out
    to_monitor(m)
    events, _ = trace.parse(m.run("trace.dump()", 60))
    kinds = [e["kind"] for e in events]
    assert kinds.count("fork") == 1 and kinds.count("exit") == 1
    assert "switch" in kinds and "sleep" in kinds and "wakeup" in kinds
    assert any(e["kind"] == "name" and e["name"] == "hog" for e in events)
    assert m.run("kern.trace_count()") == str(len(events))   # off: nothing since


@pytest.mark.parametrize("policy", ["rr", "plan9", "edf+plan9"])
def test_switches_and_wakeups_allocate_nothing(boot, policy):
    # Two kernel threads yield to each other and sleep and wake each other
    # 20 and then 2000 times: the heap's peak rises by the same few bytes
    # (the frames of the calls in progress), not by anything per switch.
    m = boot(bootargs="monitor sched=" + policy)
    few = int(m.run("sched.heap_growth(20)"))
    many = int(m.run("sched.heap_growth(2000)", 60))
    assert many - few < 512, (few, many)


def test_the_c_run_queue_keeps_fifo_order_priorities_and_bookkeeping(machine):
    # kern.RunQueue itself, at the monitor (kernel/sched/runq.py describes
    # it; the host tests drive its Python twin the same way).
    run = machine.run
    run("from kernel.sched.runq import RunQueue")
    run("from kernel.sched.base import State")
    run('exec("class T:\\n def __init__(self, n):\\n  self.name = n\\n  self.sched = State(False)")')
    run("q = RunQueue(20, 4); q.quantum = 7; a, b, c, d = T('a'), T('b'), T('c'), T('d')")
    assert machine.value("q.get() is None and q.highest() == -1 and not q and q.running is None")
    run("q.put(a, 3); q.put(b, 10); q.put(c, 10)")
    assert machine.value("(a.sched.queued, len(q), q.highest(), [t.name for t in q.items(10)])") == \
        (True, 3, 10, ["b", "c"])
    assert machine.value("q.take(100).name, q.running.name, b.sched.queued") == ("b", "b", False)
    assert machine.value("b.sched.running_since, b.sched.slice_end") == (100, 107)
    run("d.sched.pri = 2; d.sched.running_since = 90")
    assert machine.value("q.requeue(d, 3, 100).name") == "c"       # d behind; the head runs
    assert machine.value("d.sched.ran, d.sched.queued, q.running.name") == (10, True, "c")
    run("c.sched.pri = 19")
    assert machine.value("q.requeue(c, 3, 105).name") == "c"       # nobody higher: c runs on
    assert machine.value("c.sched.slice_end, c.sched.queued, c.sched.ran") == (112, False, 5)
    run("q.stop(c, 110)")
    assert machine.value("q.running is None and c.sched.ran == 10")
    assert machine.value("q.remove(a, 3), q.remove(a, 3), a.sched.queued") == (True, False, False)
    assert machine.value("[t and t.name for t in (q.get(), q.get())]") == ["d", None]
    run("for t in (a, b, c, d): q.put(t, 0)")
    assert "OverflowError" in run("q.put(T('e'), 0)")
    assert "ValueError" in run("q.put(a, 20)")
    run("q.accounting = False; r = RunQueue(1, 2); r.quantum = 5; r.accounting = False")
    assert machine.value("r.enqueue(a, 1, 0), r.take(50) is a, a.sched.slice_end") == (False, True, 55)


def test_edf_admits_against_each_harts_own_reservations(boot):
    # Two harts, each with its own EDF instance: a 60% task wired to hart 1
    # leaves no room for another there, but hart 0's reservations are its
    # own, so the same task fits on hart 0.
    m = boot("-smp", "2", bootargs="sched=edf+rr", wait_prompt=False)
    m.expect_exact("init: starting sh\n", 20)
    m.expect_exact("$ ", 20)
    sh(m, "rt -h 1 100 100 60 periodic 8 5 &")
    sh(m, "sleep 2")                      # it is admitted before the next asks
    assert sh(m, "rt -h 1 100 100 60 periodic 2 5") == "rt: refused: 100/100/60 ms does not fit"
    assert re.fullmatch(r"periodic \d+: 2 jobs, \d+ deadline misses",
                        sh(m, "rt -h 0 100 100 60 periodic 2 5", 30))
    assert sh(m, "rt -h 2 100 100 60 periodic 2 5") == "rt: no hart 2"
    sh(m, "sleep 10", 30)
    assert re.search(r"^periodic \d+: 8 jobs, \d+ deadline misses$", transcript(m), re.M)
