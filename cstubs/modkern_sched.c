// The scheduler's mechanism in C: run queues, the one-shot timer's slots,
// and what a switch charges.  (modkern.c lists the `kern` names.)
//
// kern.RunQueue(npri, capacity) is a set of FIFO queues, one per priority
// (0..npri-1, higher runs first), with a bitmask of the non-empty ones:
// put and get are a few dozen instructions, where the same in Python (a
// deque per priority, the mask, the count) costs thousands.  Which queue a
// thread goes to, and when, is the policy's business (kernel/sched/); the
// queues hold the Thread objects themselves, in nodes linked by index
// from one pool of `capacity` nodes: every thread is queued at most once,
// so the pool (the most threads there can be) never runs out, and its
// size does not depend on the number of priorities.
// kernel/sched/runq.py describes each method (and is the same in Python).
//
// The queue also keeps the bookkeeping that goes with queueing and running
// in each thread's scheduling state (t.sched, kernel/sched/base.py State):
// `queued` while queued, and for the thread it hands out (take, requeue)
// the start of its run and the end of its slice; `running` is the thread
// it handed out last.  So a policy whose switch is just "back of the queue,
// head of the highest runs" (round robin, Plan 9) has it done by one C
// call, with no Python in between.
//
// The timer slots: stimecmp holds one deadline, shared by a few fixed
// slots (kernel/thread/timer.py names them: the scheduler's, the clock's).
// Arming a slot programs the earliest; kern.timer_due() hands back the
// slots whose time has come.  Kept here so that a switch can set the
// scheduler's deadline in the same call (kern.thread_switch).
#include "py/runtime.h"
#include "py/objtype.h"
#include "riscv.h"
#include "kthread.h"
#include "modkern.h"
#include "cpu.h"

// ---- run queues ----

#define NIL 0xffff                 // no node

typedef struct {
    mp_obj_t t, st;            // a queued thread and its t.sched
    uint16_t next;             // the next node in its queue, or in the free list
} node_t;

typedef struct {
    mp_obj_base_t base;
    mp_obj_t running;          // the thread take/requeue handed out last, or None
    mp_int_t quantum;          // a slice, in `time` cycles
    bool accounting;           // keep sched.running_since and sched.ran
    uint32_t vec;              // bit p: queue p is not empty
    uint16_t npri, capacity;
    uint16_t count;            // threads queued, all priorities
    uint16_t free;             // the first unused node
    uint16_t head[32], tail[32];   // each queue's first and last node
    node_t node[];             // `capacity` of them
} runq_t;

static int highest(uint32_t v) {
    return 31 - __builtin_clz(v);
}

static int arg_pri(runq_t *q, mp_obj_t pri_obj) {
    mp_int_t pri = mp_obj_get_int(pri_obj);
    if (pri < 0 || pri >= q->npri)
        mp_raise_ValueError(MP_ERROR_TEXT("no such priority"));
    return (int)pri;
}

// The slot of attribute `name` in obj's own dictionary, when obj is an
// instance of a Python class that has it set, else NULL.  Reading and
// writing the slot in place is one map lookup (the interpreter's lookup
// cache makes that a few dozen instructions), where the generic attribute
// path costs a few hundred: this is what makes the queue's bookkeeping
// cheap.  (An attribute in the instance's dictionary is a plain one: a
// property would live in its class.)
static mp_map_elem_t *member(mp_obj_t obj, qstr name) {
    if (!mp_obj_is_obj(obj) || !mp_obj_is_instance_type(mp_obj_get_type(obj)))
        return NULL;
    mp_obj_instance_t *o = MP_OBJ_TO_PTR(obj);
    return mp_map_lookup(&o->members, MP_OBJ_NEW_QSTR(name), MP_MAP_LOOKUP);
}

static mp_obj_t load(mp_obj_t obj, qstr name) {
    mp_map_elem_t *e = member(obj, name);
    return e != NULL ? e->value : mp_load_attr(obj, name);
}

static void store(mp_obj_t obj, qstr name, mp_obj_t value) {
    mp_map_elem_t *e = member(obj, name);
    if (e != NULL)
        e->value = value;
    else
        mp_store_attr(obj, name, value);
}

// t.sched's fields, read and written by name (small ints: times fit).
static mp_int_t field(mp_obj_t st, qstr name) {
    return mp_obj_get_int(load(st, name));
}

static void set_field(mp_obj_t st, qstr name, mp_int_t v) {
    store(st, name, MP_OBJ_NEW_SMALL_INT(v));
}

// t (whose t.sched is st) to the back of queue pri.
static void put(runq_t *q, mp_obj_t t, mp_obj_t st, int pri) {
    int n = q->free;
    if (n == NIL)
        mp_raise_msg(&mp_type_OverflowError, MP_ERROR_TEXT("run queue full"));
    store(st, MP_QSTR_queued, mp_const_true);
    q->free = q->node[n].next;
    q->node[n].t = t;
    q->node[n].st = st;
    q->node[n].next = NIL;
    if (q->head[pri] == NIL)
        q->head[pri] = n;
    else
        q->node[q->tail[pri]].next = n;
    q->tail[pri] = n;
    q->count++;
    q->vec |= 1u << pri;
}

// Node n, which follows node prev (NIL: n is the head) in queue pri, out
// of the queue and back to the pool; its thread, with *st its t.sched.
static mp_obj_t unqueue(runq_t *q, int pri, int prev, int n, mp_obj_t *st) {
    node_t *x = &q->node[n];
    if (prev == NIL)
        q->head[pri] = x->next;
    else
        q->node[prev].next = x->next;
    if (q->tail[pri] == n)
        q->tail[pri] = prev;
    if (q->head[pri] == NIL)
        q->vec &= ~(1u << pri);
    mp_obj_t t = x->t;
    *st = x->st;
    x->t = x->st = MP_OBJ_NULL;
    x->next = q->free;
    q->free = n;
    q->count--;
    store(*st, MP_QSTR_queued, mp_const_false);
    return t;
}

// The head of the highest non-empty queue, removed (None if none); *st its t.sched.
static mp_obj_t get(runq_t *q, mp_obj_t *st) {
    if (q->vec == 0)
        return mp_const_none;
    int pri = highest(q->vec);
    return unqueue(q, pri, NIL, q->head[pri], st);
}

// t (t.sched is st) is handed out to run from now: its run starts, a slice ends later.
// The thread hand_out gave last and the end of its slice, for thread_run
// (which uses them once): the switch that follows needs no lookup.
MP_REGISTER_ROOT_POINTER(mp_obj_t runq_handed_out);
static mp_int_t handed_out_slice_end;

static mp_obj_t hand_out(runq_t *q, mp_obj_t t, mp_obj_t st, mp_int_t now) {
    if (q->accounting)
        set_field(st, MP_QSTR_running_since, now);
    set_field(st, MP_QSTR_slice_end, now + q->quantum);
    q->running = t;
    MP_STATE_VM(runq_handed_out) = t;
    handed_out_slice_end = now + q->quantum;
    return t;
}

// The running thread t's run until now is added to its sched.ran.
static void charge(mp_obj_t st, mp_int_t now) {
    set_field(st, MP_QSTR_ran, field(st, MP_QSTR_ran) + now - field(st, MP_QSTR_running_since));
}

static mp_obj_t runq_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw,
    const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 2, 2, false);
    mp_int_t npri = mp_obj_get_int(args[0]), capacity = mp_obj_get_int(args[1]);
    if (npri < 1 || npri > 32 || capacity < 1 || capacity >= NIL)
        mp_raise_ValueError(MP_ERROR_TEXT("1..32 priorities, 1..65534 threads"));
    runq_t *q = mp_obj_malloc_var(runq_t, node, node_t, capacity, type);
    q->running = mp_const_none;
    q->quantum = 0;
    q->accounting = true;
    q->vec = 0;
    q->npri = (uint16_t)npri;
    q->capacity = (uint16_t)capacity;
    q->count = 0;
    for (int p = 0; p < 32; p++)
        q->head[p] = q->tail[p] = NIL;
    for (mp_int_t i = 0; i < capacity; i++) {
        q->node[i].t = q->node[i].st = MP_OBJ_NULL;
        q->node[i].next = i + 1 < capacity ? i + 1 : NIL;
    }
    q->free = 0;
    return MP_OBJ_FROM_PTR(q);
}

// put(t, pri): t to the back of queue pri.
static mp_obj_t runq_put(mp_obj_t self, mp_obj_t t, mp_obj_t pri) {
    runq_t *q = MP_OBJ_TO_PTR(self);
    put(q, t, load(t, MP_QSTR_sched), arg_pri(q, pri));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(runq_put_obj, runq_put);

// get() -> the head of the highest non-empty queue, removed; None if all are empty.
static mp_obj_t runq_get(mp_obj_t self) {
    mp_obj_t st;
    return get(MP_OBJ_TO_PTR(self), &st);
}
static MP_DEFINE_CONST_FUN_OBJ_1(runq_get_obj, runq_get);

// enqueue(t, why, now) -> False: t to the back of queue t.sched.pri (0
// with one queue).  Round robin's enqueue hook (never preempting).
static mp_obj_t runq_enqueue(size_t n_args, const mp_obj_t *args) {
    runq_t *q = MP_OBJ_TO_PTR(args[0]);
    mp_obj_t st = load(args[1], MP_QSTR_sched);
    put(q, args[1], st, q->npri > 1 ? arg_pri(q, load(st, MP_QSTR_pri)) : 0);
    return mp_const_false;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(runq_enqueue_obj, 4, 4, runq_enqueue);

// take(now) -> get(), handed out to run from now (its slice starts), or None.
static mp_obj_t runq_take(mp_obj_t self, mp_obj_t now) {
    runq_t *q = MP_OBJ_TO_PTR(self);
    mp_obj_t st;
    mp_obj_t t = get(q, &st);
    if (t == mp_const_none) {
        q->running = mp_const_none;
        return t;
    }
    return hand_out(q, t, st, mp_obj_get_int(now));
}
static MP_DEFINE_CONST_FUN_OBJ_2(runq_take_obj, runq_take);

// requeue(t, why, now) -> the running thread t's run is charged to it and
// it goes to the back of its queue (t.sched.pri; 0 with one queue); the
// next thread is taken.  t itself runs on, with a new slice and never
// queued, if no queue at its priority or above holds anyone.  (A policy's
// requeue hook: kernel/sched/__init__.py.)
static mp_obj_t runq_requeue(size_t n_args, const mp_obj_t *args) {
    runq_t *q = MP_OBJ_TO_PTR(args[0]);
    mp_obj_t t = args[1];
    mp_int_t now = mp_obj_get_int(args[3]);
    mp_obj_t st = load(t, MP_QSTR_sched);
    if (q->accounting)
        charge(st, now);
    int pri = 0;
    if (q->npri > 1)
        pri = arg_pri(q, load(st, MP_QSTR_pri));
    if (q->vec >> pri == 0)
        return hand_out(q, t, st, now);
    put(q, t, st, pri);
    t = get(q, &st);
    return hand_out(q, t, st, now);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(runq_requeue_obj, 4, 4, runq_requeue);

// stop(t, now): the running thread t leaves the CPU (blocks): its run is
// charged to it and nobody is running.  (A policy's blocked hook.)
static mp_obj_t runq_stop(mp_obj_t self, mp_obj_t t, mp_obj_t now) {
    runq_t *q = MP_OBJ_TO_PTR(self);
    if (q->accounting)
        charge(load(t, MP_QSTR_sched), mp_obj_get_int(now));
    q->running = mp_const_none;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(runq_stop_obj, runq_stop);

// remove(t, pri) -> True if t was in queue pri (it is taken out, the rest
// keep their order).
static mp_obj_t runq_remove(mp_obj_t self, mp_obj_t t, mp_obj_t pri_obj) {
    runq_t *q = MP_OBJ_TO_PTR(self);
    int pri = arg_pri(q, pri_obj);
    for (int prev = NIL, n = q->head[pri]; n != NIL; prev = n, n = q->node[n].next) {
        if (q->node[n].t == t) {
            mp_obj_t st;
            unqueue(q, pri, prev, n, &st);
            return mp_const_true;
        }
    }
    return mp_const_false;
}
static MP_DEFINE_CONST_FUN_OBJ_3(runq_remove_obj, runq_remove);

// highest() -> the highest priority with a thread queued, or -1.
static mp_obj_t runq_highest(mp_obj_t self) {
    runq_t *q = MP_OBJ_TO_PTR(self);
    return MP_OBJ_NEW_SMALL_INT(q->vec ? highest(q->vec) : -1);
}
static MP_DEFINE_CONST_FUN_OBJ_1(runq_highest_obj, runq_highest);

// items(pri) -> a new list of queue pri's threads, first to run first.
static mp_obj_t runq_items(mp_obj_t self, mp_obj_t pri_obj) {
    runq_t *q = MP_OBJ_TO_PTR(self);
    int pri = arg_pri(q, pri_obj);
    mp_obj_t list = mp_obj_new_list(0, NULL);
    for (int n = q->head[pri]; n != NIL; n = q->node[n].next)
        mp_obj_list_append(list, q->node[n].t);
    return list;
}
static MP_DEFINE_CONST_FUN_OBJ_2(runq_items_obj, runq_items);

static mp_obj_t runq_unary_op(mp_unary_op_t op, mp_obj_t self) {
    runq_t *q = MP_OBJ_TO_PTR(self);
    switch (op) {
    case MP_UNARY_OP_LEN: return MP_OBJ_NEW_SMALL_INT(q->count);
    case MP_UNARY_OP_BOOL: return mp_obj_new_bool(q->count != 0);
    default: return MP_OBJ_NULL;
    }
}

// The attributes `running`, `quantum` and `accounting`, read and written.
static void runq_attr(mp_obj_t self, qstr attr, mp_obj_t *dest) {
    runq_t *q = MP_OBJ_TO_PTR(self);
    if (attr != MP_QSTR_running && attr != MP_QSTR_quantum && attr != MP_QSTR_accounting) {
        dest[1] = MP_OBJ_SENTINEL;        // a method: look in the locals
        return;
    }
    if (dest[0] == MP_OBJ_NULL) {         // load
        if (attr == MP_QSTR_running)
            dest[0] = q->running;
        else if (attr == MP_QSTR_quantum)
            dest[0] = MP_OBJ_NEW_SMALL_INT(q->quantum);
        else
            dest[0] = mp_obj_new_bool(q->accounting);
    } else if (dest[1] != MP_OBJ_NULL) {  // store
        if (attr == MP_QSTR_running)
            q->running = dest[1];
        else if (attr == MP_QSTR_quantum)
            q->quantum = mp_obj_get_int(dest[1]);
        else
            q->accounting = mp_obj_is_true(dest[1]);
        dest[0] = MP_OBJ_NULL;
    }
}

static const mp_rom_map_elem_t runq_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_enqueue), MP_ROM_PTR(&runq_enqueue_obj) },
    { MP_ROM_QSTR(MP_QSTR_take), MP_ROM_PTR(&runq_take_obj) },
    { MP_ROM_QSTR(MP_QSTR_requeue), MP_ROM_PTR(&runq_requeue_obj) },
    { MP_ROM_QSTR(MP_QSTR_stop), MP_ROM_PTR(&runq_stop_obj) },
    { MP_ROM_QSTR(MP_QSTR_put), MP_ROM_PTR(&runq_put_obj) },
    { MP_ROM_QSTR(MP_QSTR_get), MP_ROM_PTR(&runq_get_obj) },
    { MP_ROM_QSTR(MP_QSTR_remove), MP_ROM_PTR(&runq_remove_obj) },
    { MP_ROM_QSTR(MP_QSTR_highest), MP_ROM_PTR(&runq_highest_obj) },
    { MP_ROM_QSTR(MP_QSTR_items), MP_ROM_PTR(&runq_items_obj) },
};
static MP_DEFINE_CONST_DICT(runq_locals, runq_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(kern_runqueue_type, MP_QSTR_RunQueue, MP_TYPE_FLAG_NONE,
    make_new, runq_make_new, unary_op, runq_unary_op, attr, runq_attr, locals_dict, &runq_locals);

// ---- the timer's slots ----

// Each hart has its own comparator, so its own slots (struct cpu).
#define NSLOTS TIMER_SLOTS
#define NEVER (1ULL << 60)
#define deadline (mycpu()->deadline)

// The earliest deadline into stimecmp (all ones: none).  Compared with
// the register itself, not a copy: the interrupt silences it behind our back.
static void program(void) {
    uint64_t d = deadline[0] < deadline[1] ? deadline[0] : deadline[1];
    if (d == NEVER)
        d = ~0ULL;
    if (d != stimecmp_read())
        stimecmp_write(d);
}

static int arg_slot(mp_obj_t slot) {
    mp_int_t s = mp_obj_get_int(slot);
    if (s < 0 || s >= NSLOTS)
        mp_raise_ValueError(MP_ERROR_TEXT("no such timer slot"));
    return (int)s;
}

// timer_arm(slot, when): the slot's deadline (NEVER: none); the earliest is programmed.
static mp_obj_t kern_timer_arm(mp_obj_t slot, mp_obj_t when) {
    deadline[arg_slot(slot)] = (uint64_t)mp_obj_get_int_truncated(when);
    program();
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(kern_timer_arm_obj, kern_timer_arm);

// timer_deadline(slot) -> its deadline (NEVER: none)
static mp_obj_t kern_timer_deadline(mp_obj_t slot) {
    return mp_obj_new_int_from_uint(deadline[arg_slot(slot)]);
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_timer_deadline_obj, kern_timer_deadline);

// timer_due(now) -> a bitmask of the slots whose deadline is <= now; they
// are cleared (the comparator has fired and was silenced: nothing is
// programmed until the rest are).
static mp_obj_t kern_timer_due(mp_obj_t now_obj) {
    uint64_t now = (uint64_t)mp_obj_get_int_truncated(now_obj);
    int due = 0;
    for (int s = 0; s < NSLOTS; s++) {
        if (deadline[s] <= now) {
            deadline[s] = NEVER;
            due |= 1 << s;
        }
    }
    program();
    return MP_OBJ_NEW_SMALL_INT(due);
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_timer_due_obj, kern_timer_due);

// ---- switching ----

// thread_switch(handle[, deadline]): run that thread; a deadline is the
// scheduler's next moment for it (the timer's SCHED slot), set first.
// Returns when this thread is switched back to.
static mp_obj_t kern_thread_switch(size_t n_args, const mp_obj_t *args) {
    if (n_args > 1) {
        deadline[0] = (uint64_t)mp_obj_get_int_truncated(args[1]);
        program();
    }
    if (kthread_switch((int)mp_obj_get_int(args[0])) < 0)
        mp_raise_ValueError(MP_ERROR_TEXT("no such kernel thread"));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kern_thread_switch_obj, 1, 2, kern_thread_switch);

// thread_run(t): thread_switch(t.handle, t.sched.slice_end), reading
// both here: the switch of a policy whose next moment is the end of the
// slice it gave (kernel/sched/__init__.py: slice_timer).
static mp_obj_t kern_thread_run(mp_obj_t t) {
    mp_int_t handle = mp_obj_get_int(load(t, MP_QSTR_handle));
    if (t == MP_STATE_VM(runq_handed_out))   // just handed out by a run queue
        deadline[0] = (uint64_t)handed_out_slice_end;
    else
        deadline[0] = (uint64_t)mp_obj_get_int(load(load(t, MP_QSTR_sched), MP_QSTR_slice_end));
    MP_STATE_VM(runq_handed_out) = MP_OBJ_NULL;
    program();
    if (kthread_switch((int)handle) < 0)
        mp_raise_ValueError(MP_ERROR_TEXT("no such kernel thread"));
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_thread_run_obj, kern_thread_run);

// thread_cpu(handle) -> `time` cycles it has run (the running one's turn so far too)
static mp_obj_t kern_thread_cpu(mp_obj_t handle) {
    return mp_obj_new_int_from_uint(kthread_cpu((int)mp_obj_get_int(handle)));
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_thread_cpu_obj, kern_thread_cpu);

// thread_switches(handle) -> times it was switched to
static mp_obj_t kern_thread_switches(mp_obj_t handle) {
    struct kthread *t = kthread_lookup((int)mp_obj_get_int(handle));
    return MP_OBJ_NEW_SMALL_INT(t ? t->switches : 0);
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_thread_switches_obj, kern_thread_switches);
