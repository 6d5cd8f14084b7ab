// The scheduler trace's ring buffer: fixed size, each event stamped in C.
//
// kernel/thread/trace.py decides what to record (and records nothing when
// the trace is off); this file only keeps the last TRACE_EVENTS events,
// each with the `time` CSR, the hart, a kind, two integers and a short
// name, and hands them back one at a time for the monitor to print.
#include <string.h>
#include "py/runtime.h"
#include "cpu.h"
#include "riscv.h"
#include "modkern.h"

#define TRACE_EVENTS 8192
#define TRACE_NAME 12

struct trace_event {
    uint64_t time;
    uint32_t hart;
    int32_t kind;
    int32_t a, b;
    char name[TRACE_NAME];
};

static struct trace_event ring[TRACE_EVENTS];
static uint64_t recorded;         // events ever recorded; the slot is recorded % TRACE_EVENTS

// trace_record(kind, a, b[, name])
static mp_obj_t kern_trace_record(size_t n_args, const mp_obj_t *args) {
    struct trace_event *e = &ring[recorded % TRACE_EVENTS];
    e->time = rdtime();
    e->hart = (uint32_t)cpuid();   // the hart that recorded it: its lane in the picture
    e->kind = (int32_t)mp_obj_get_int_truncated(args[0]);
    e->a = (int32_t)mp_obj_get_int_truncated(args[1]);
    e->b = (int32_t)mp_obj_get_int_truncated(args[2]);
    size_t len = 0;
    const char *s = n_args > 3 ? mp_obj_str_get_data(args[3], &len) : "";
    if (len >= TRACE_NAME)
        len = TRACE_NAME - 1;
    memcpy(e->name, s, len);
    e->name[len] = 0;
    recorded++;
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kern_trace_record_obj, 3, 4, kern_trace_record);

// trace_count() -> events ever recorded (the ring keeps the last TRACE_EVENTS)
static mp_obj_t kern_trace_count(void) {
    return mp_obj_new_int_from_uint(recorded);
}
MP_DEFINE_CONST_FUN_OBJ_0(kern_trace_count_obj, kern_trace_count);

// trace_event(i) -> (time, hart, kind, a, b, name) of event number i, or
// None if it was never recorded or has been overwritten.
static mp_obj_t kern_trace_event(mp_obj_t index) {
    uint64_t i = (uint64_t)mp_obj_get_int_truncated(index);
    if (i >= recorded || recorded - i > TRACE_EVENTS)
        return mp_const_none;
    struct trace_event *e = &ring[i % TRACE_EVENTS];
    mp_obj_t items[6] = {
        mp_obj_new_int_from_uint(e->time), MP_OBJ_NEW_SMALL_INT(e->hart),
        MP_OBJ_NEW_SMALL_INT(e->kind), MP_OBJ_NEW_SMALL_INT(e->a), MP_OBJ_NEW_SMALL_INT(e->b),
        mp_obj_new_str(e->name, strlen(e->name)),
    };
    return mp_obj_new_tuple(6, items);
}
MP_DEFINE_CONST_FUN_OBJ_1(kern_trace_event_obj, kern_trace_event);

static mp_obj_t kern_trace_clear(void) {
    recorded = 0;
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_0(kern_trace_clear_obj, kern_trace_clear);
