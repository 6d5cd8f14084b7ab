// The `kern` module: the whole interface through which kernel Python
// reaches the C mechanism.  Each function is a thin wrapper; the checks
// here keep a mistyped monitor command from corrupting the kernel.
#include <string.h>
#include "py/runtime.h"
#include "py/objstr.h"
#include "memlayout.h"
#include "riscv.h"
#include "kalloc.h"
#include "kthread.h"
#include "trap.h"
#include "panic.h"
#include "trapframe.h"
#include "machine.h"
#include "modkern.h"
#include "vm.h"
#include "uart.h"
#include "heapwatch.h"
#include "cpu.h"

static mp_int_t arg_int(mp_obj_t o) { return mp_obj_get_int_truncated(o); }

// ---- power and console ----

static mp_obj_t kern_poweroff(size_t n_args, const mp_obj_t *args) {
    poweroff(n_args ? (int)arg_int(args[0]) : 0);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kern_poweroff_obj, 0, 1, kern_poweroff);

static mp_obj_t kern_uart_getc(void) {
    return MP_OBJ_NEW_SMALL_INT(uart_getc());
}
static MP_DEFINE_CONST_FUN_OBJ_0(kern_uart_getc_obj, kern_uart_getc);

// ---- interrupts, time ----

static mp_obj_t kern_idle(void) {
    return MP_OBJ_NEW_SMALL_INT(trap_idle());
}
static MP_DEFINE_CONST_FUN_OBJ_0(kern_idle_obj, kern_idle);

static mp_obj_t kern_events(void) {
    return MP_OBJ_NEW_SMALL_INT(trap_take_events());
}
static MP_DEFINE_CONST_FUN_OBJ_0(kern_events_obj, kern_events);

// Integers from C go through mp_obj_new_int_from_uint: a small int when
// the value fits (the mpz build's _from_ull always makes a heap object, and
// time is read at every switch).
static mp_obj_t kern_time(void) {
    return mp_obj_new_int_from_uint(rdtime());
}
static MP_DEFINE_CONST_FUN_OBJ_0(kern_time_obj, kern_time);

static mp_obj_t kern_idle_time(void) {
    return mp_obj_new_int_from_uint(mycpu()->idle_ticks);
}
static MP_DEFINE_CONST_FUN_OBJ_0(kern_idle_time_obj, kern_idle_time);

static mp_obj_t kern_set_timer(mp_obj_t deadline) {
    stimecmp_write((uint64_t)mp_obj_get_int_truncated(deadline));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(kern_set_timer_obj, kern_set_timer);

// set_idle_backstop(cycles): see trap_idle (0: none, the default).
static mp_obj_t kern_set_idle_backstop(mp_obj_t cycles) {
    idle_backstop = (uint64_t)mp_obj_get_int_truncated(cycles);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(kern_set_idle_backstop_obj, kern_set_idle_backstop);

// ---- physical memory ----

static mp_obj_t kern_free_pages(void) {
    return MP_OBJ_NEW_SMALL_INT(kalloc_free_pages());
}
static MP_DEFINE_CONST_FUN_OBJ_0(kern_free_pages_obj, kern_free_pages);

static mp_obj_t kern_total_pages(void) {
    return MP_OBJ_NEW_SMALL_INT(kalloc_total_pages());
}
static MP_DEFINE_CONST_FUN_OBJ_0(kern_total_pages_obj, kern_total_pages);

// kalloc() -> physical address of a zeroed page, or 0 when memory is gone.
static mp_obj_t kern_kalloc(void) {
    return mp_obj_new_int_from_uint((uintptr_t)kalloc());
}
static MP_DEFINE_CONST_FUN_OBJ_0(kern_kalloc_obj, kern_kalloc);

static mp_obj_t kern_kfree(mp_obj_t pa_obj) {
    uintptr_t pa = (uintptr_t)mp_obj_get_int_truncated(pa_obj);
    if (!kalloc_owned(pa))
        mp_raise_ValueError(MP_ERROR_TEXT("not an allocated page"));
    kfree((void *)pa);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(kern_kfree_obj, kern_kfree);

// machine() -> (ram_base, ram_size, heap_base, heap_size, image_end)
static mp_obj_t kern_machine(void) {
    mp_obj_t items[5] = {
        mp_obj_new_int_from_uint(KERNBASE),
        mp_obj_new_int_from_uint(machine.ram_size),
        mp_obj_new_int_from_uint(machine.heap_base),
        mp_obj_new_int_from_uint(machine.heap_size),
        mp_obj_new_int_from_uint(machine.image_end),
    };
    return mp_obj_new_tuple(5, items);
}
static MP_DEFINE_CONST_FUN_OBJ_0(kern_machine_obj, kern_machine);

static mp_obj_t kern_bootargs(void) {
    return mp_obj_new_str(machine.bootargs, strlen(machine.bootargs));
}
static MP_DEFINE_CONST_FUN_OBJ_0(kern_bootargs_obj, kern_bootargs);

// cause_name(scause) -> the RISC-V name of a trap cause.
static mp_obj_t kern_cause_name(mp_obj_t scause) {
    const char *s = trap_cause_name((uint64_t)mp_obj_get_int_truncated(scause));
    return mp_obj_new_str(s, strlen(s));
}
static MP_DEFINE_CONST_FUN_OBJ_1(kern_cause_name_obj, kern_cause_name);

// peek(addr) / poke(addr, value): 64-bit reads and writes of kernel
// memory, for the monitor.  A bad address is a kernel fault, by design.
static mp_obj_t kern_peek(mp_obj_t addr) {
    return mp_obj_new_int_from_uint(*(volatile uint64_t *)(uintptr_t)mp_obj_get_int_truncated(addr));
}
static MP_DEFINE_CONST_FUN_OBJ_1(kern_peek_obj, kern_peek);

static mp_obj_t kern_poke(mp_obj_t addr, mp_obj_t value) {
    *(volatile uint64_t *)(uintptr_t)mp_obj_get_int_truncated(addr) =
        (uint64_t)mp_obj_get_int_truncated(value);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(kern_poke_obj, kern_poke);

// ---- kernel threads ----

static mp_obj_t kern_thread_new(mp_obj_t entry, mp_obj_t arg) {
    return MP_OBJ_NEW_SMALL_INT(kthread_create(entry, arg));
}
static MP_DEFINE_CONST_FUN_OBJ_2(kern_thread_new_obj, kern_thread_new);

static mp_obj_t kern_thread_free(mp_obj_t handle) {
    if (kthread_free((int)arg_int(handle)) < 0)
        mp_raise_ValueError(MP_ERROR_TEXT("cannot free that kernel thread"));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(kern_thread_free_obj, kern_thread_free);

static mp_obj_t kern_thread_current(void) {
    return MP_OBJ_NEW_SMALL_INT(kthread_current());
}
static MP_DEFINE_CONST_FUN_OBJ_0(kern_thread_current_obj, kern_thread_current);

static mp_obj_t kern_thread_set_name(mp_obj_t handle, mp_obj_t name) {
    size_t len;
    const char *s = mp_obj_str_get_data(name, &len);
    kthread_set_name((int)arg_int(handle), s, len);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(kern_thread_set_name_obj, kern_thread_set_name);

// thread_set_process(handle, pid, trapframe): which process the thread
// runs, so that a panic on it can name the pid and show the trapframe.
static mp_obj_t kern_thread_set_process(mp_obj_t handle, mp_obj_t pid, mp_obj_t tf_obj) {
    uintptr_t tf = (uintptr_t)mp_obj_get_int_truncated(tf_obj);
    if (tf != 0 && !kalloc_owned(tf))
        mp_raise_ValueError(MP_ERROR_TEXT("not an allocated page"));
    kthread_set_process((int)arg_int(handle), (int)arg_int(pid), (struct trapframe *)tf);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(kern_thread_set_process_obj, kern_thread_set_process);

static mp_obj_t kern_thread_stack_used(mp_obj_t handle) {
    return MP_OBJ_NEW_SMALL_INT(kthread_stack_used((int)arg_int(handle)));
}
static MP_DEFINE_CONST_FUN_OBJ_1(kern_thread_stack_used_obj, kern_thread_stack_used);

// thread_stack(handle) -> (lowest, highest) address of its mapped stack
static mp_obj_t kern_thread_stack(mp_obj_t handle) {
    struct kthread *t = kthread_lookup((int)arg_int(handle));
    if (t == NULL)
        mp_raise_ValueError(MP_ERROR_TEXT("no such kernel thread"));
    mp_obj_t items[2] = { mp_obj_new_int_from_uint(t->stack_lo), mp_obj_new_int_from_uint(t->stack_hi) };
    return mp_obj_new_tuple(2, items);
}
static MP_DEFINE_CONST_FUN_OBJ_1(kern_thread_stack_obj, kern_thread_stack);

// gc_scan_suspended(False) makes the GC skip suspended threads' stacks:
// only for the test that proves the thread test would catch that bug.
static mp_obj_t kern_gc_scan_suspended(mp_obj_t flag) {
    kthread_gc_scan_enabled = mp_obj_is_true(flag);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(kern_gc_scan_suspended_obj, kern_gc_scan_suspended);

static const mp_rom_map_elem_t kern_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_kern) },
    { MP_ROM_QSTR(MP_QSTR_poweroff), MP_ROM_PTR(&kern_poweroff_obj) },
    { MP_ROM_QSTR(MP_QSTR_uart_getc), MP_ROM_PTR(&kern_uart_getc_obj) },
    { MP_ROM_QSTR(MP_QSTR_idle), MP_ROM_PTR(&kern_idle_obj) },
    { MP_ROM_QSTR(MP_QSTR_events), MP_ROM_PTR(&kern_events_obj) },
    { MP_ROM_QSTR(MP_QSTR_time), MP_ROM_PTR(&kern_time_obj) },
    { MP_ROM_QSTR(MP_QSTR_hart), MP_ROM_PTR(&kern_hart_obj) },
    { MP_ROM_QSTR(MP_QSTR_nharts), MP_ROM_PTR(&kern_nharts_obj) },
    { MP_ROM_QSTR(MP_QSTR_harts_present), MP_ROM_PTR(&kern_harts_present_obj) },
    { MP_ROM_QSTR(MP_QSTR_start_harts), MP_ROM_PTR(&kern_start_harts_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_hart_hook), MP_ROM_PTR(&kern_set_hart_hook_obj) },
    { MP_ROM_QSTR(MP_QSTR_ipi), MP_ROM_PTR(&kern_ipi_obj) },
    { MP_ROM_QSTR(MP_QSTR_kick), MP_ROM_PTR(&kern_kick_obj) },
    { MP_ROM_QSTR(MP_QSTR_stop_user), MP_ROM_PTR(&kern_stop_user_obj) },
    { MP_ROM_QSTR(MP_QSTR_hart_stats), MP_ROM_PTR(&kern_hart_stats_obj) },
    { MP_ROM_QSTR(MP_QSTR_idle_time), MP_ROM_PTR(&kern_idle_time_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_timer), MP_ROM_PTR(&kern_set_timer_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_idle_backstop), MP_ROM_PTR(&kern_set_idle_backstop_obj) },
    { MP_ROM_QSTR(MP_QSTR_free_pages), MP_ROM_PTR(&kern_free_pages_obj) },
    { MP_ROM_QSTR(MP_QSTR_total_pages), MP_ROM_PTR(&kern_total_pages_obj) },
    { MP_ROM_QSTR(MP_QSTR_kalloc), MP_ROM_PTR(&kern_kalloc_obj) },
    { MP_ROM_QSTR(MP_QSTR_kfree), MP_ROM_PTR(&kern_kfree_obj) },
    { MP_ROM_QSTR(MP_QSTR_machine), MP_ROM_PTR(&kern_machine_obj) },
    { MP_ROM_QSTR(MP_QSTR_bootargs), MP_ROM_PTR(&kern_bootargs_obj) },
    { MP_ROM_QSTR(MP_QSTR_cause_name), MP_ROM_PTR(&kern_cause_name_obj) },
    { MP_ROM_QSTR(MP_QSTR_peek), MP_ROM_PTR(&kern_peek_obj) },
    { MP_ROM_QSTR(MP_QSTR_poke), MP_ROM_PTR(&kern_poke_obj) },
    { MP_ROM_QSTR(MP_QSTR_thread_new), MP_ROM_PTR(&kern_thread_new_obj) },
    { MP_ROM_QSTR(MP_QSTR_thread_switch), MP_ROM_PTR(&kern_thread_switch_obj) },
    { MP_ROM_QSTR(MP_QSTR_thread_run), MP_ROM_PTR(&kern_thread_run_obj) },
    { MP_ROM_QSTR(MP_QSTR_thread_cpu), MP_ROM_PTR(&kern_thread_cpu_obj) },
    { MP_ROM_QSTR(MP_QSTR_thread_switches), MP_ROM_PTR(&kern_thread_switches_obj) },
    { MP_ROM_QSTR(MP_QSTR_RunQueue), MP_ROM_PTR(&kern_runqueue_type) },
    { MP_ROM_QSTR(MP_QSTR_timer_arm), MP_ROM_PTR(&kern_timer_arm_obj) },
    { MP_ROM_QSTR(MP_QSTR_timer_deadline), MP_ROM_PTR(&kern_timer_deadline_obj) },
    { MP_ROM_QSTR(MP_QSTR_timer_due), MP_ROM_PTR(&kern_timer_due_obj) },
    { MP_ROM_QSTR(MP_QSTR_thread_free), MP_ROM_PTR(&kern_thread_free_obj) },
    { MP_ROM_QSTR(MP_QSTR_thread_current), MP_ROM_PTR(&kern_thread_current_obj) },
    { MP_ROM_QSTR(MP_QSTR_thread_set_name), MP_ROM_PTR(&kern_thread_set_name_obj) },
    { MP_ROM_QSTR(MP_QSTR_thread_set_process), MP_ROM_PTR(&kern_thread_set_process_obj) },
    { MP_ROM_QSTR(MP_QSTR_thread_stack_used), MP_ROM_PTR(&kern_thread_stack_used_obj) },
    { MP_ROM_QSTR(MP_QSTR_thread_stack), MP_ROM_PTR(&kern_thread_stack_obj) },
    { MP_ROM_QSTR(MP_QSTR_gc_scan_suspended), MP_ROM_PTR(&kern_gc_scan_suspended_obj) },
    { MP_ROM_QSTR(MP_QSTR_trace_record), MP_ROM_PTR(&kern_trace_record_obj) },
    { MP_ROM_QSTR(MP_QSTR_trace_count), MP_ROM_PTR(&kern_trace_count_obj) },
    { MP_ROM_QSTR(MP_QSTR_trace_event), MP_ROM_PTR(&kern_trace_event_obj) },
    { MP_ROM_QSTR(MP_QSTR_trace_clear), MP_ROM_PTR(&kern_trace_clear_obj) },
    { MP_ROM_QSTR(MP_QSTR_run_user), MP_ROM_PTR(&kern_run_user_obj) },
    { MP_ROM_QSTR(MP_QSTR_tf_get), MP_ROM_PTR(&kern_tf_get_obj) },
    { MP_ROM_QSTR(MP_QSTR_tf_set), MP_ROM_PTR(&kern_tf_set_obj) },
    { MP_ROM_QSTR(MP_QSTR_tf_copy), MP_ROM_PTR(&kern_tf_copy_obj) },
    { MP_ROM_QSTR(MP_QSTR_arg_int), MP_ROM_PTR(&kern_arg_int_obj) },
    { MP_ROM_QSTR(MP_QSTR_arg_addr), MP_ROM_PTR(&kern_arg_addr_obj) },
    { MP_ROM_QSTR(MP_QSTR_uvm_create), MP_ROM_PTR(&kern_uvm_create_obj) },
    { MP_ROM_QSTR(MP_QSTR_uvm_destroy), MP_ROM_PTR(&kern_uvm_destroy_obj) },
    { MP_ROM_QSTR(MP_QSTR_uvm_alloc), MP_ROM_PTR(&kern_uvm_alloc_obj) },
    { MP_ROM_QSTR(MP_QSTR_uvm_dealloc), MP_ROM_PTR(&kern_uvm_dealloc_obj) },
    { MP_ROM_QSTR(MP_QSTR_uvm_copy), MP_ROM_PTR(&kern_uvm_copy_obj) },
    { MP_ROM_QSTR(MP_QSTR_uvm_clear_user), MP_ROM_PTR(&kern_uvm_clear_user_obj) },
    { MP_ROM_QSTR(MP_QSTR_copyin), MP_ROM_PTR(&kern_copyin_obj) },
    { MP_ROM_QSTR(MP_QSTR_copyout), MP_ROM_PTR(&kern_copyout_obj) },
    { MP_ROM_QSTR(MP_QSTR_uvm_load), MP_ROM_PTR(&kern_uvm_load_obj) },
    { MP_ROM_QSTR(MP_QSTR_copyin_buf), MP_ROM_PTR(&kern_copyin_buf_obj) },
    { MP_ROM_QSTR(MP_QSTR_copyout_buf), MP_ROM_PTR(&kern_copyout_buf_obj) },
    { MP_ROM_QSTR(MP_QSTR_copyinstr), MP_ROM_PTR(&kern_copyinstr_obj) },
    { MP_ROM_QSTR(MP_QSTR_console_write), MP_ROM_PTR(&kern_console_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_note_enter), MP_ROM_PTR(&kern_note_enter_obj) },
    { MP_ROM_QSTR(MP_QSTR_note_return), MP_ROM_PTR(&kern_note_return_obj) },
    { MP_ROM_QSTR(MP_QSTR_disk_present), MP_ROM_PTR(&kern_disk_present_obj) },
    { MP_ROM_QSTR(MP_QSTR_disk_capacity), MP_ROM_PTR(&kern_disk_capacity_obj) },
    { MP_ROM_QSTR(MP_QSTR_disk_submit), MP_ROM_PTR(&kern_disk_submit_obj) },
    { MP_ROM_QSTR(MP_QSTR_disk_done), MP_ROM_PTR(&kern_disk_done_obj) },
    { MP_ROM_QSTR(MP_QSTR_disk_next), MP_ROM_PTR(&kern_disk_next_obj) },
    { MP_ROM_QSTR(MP_QSTR_heap_info), MP_ROM_PTR(&kern_heap_info_obj) },
    { MP_ROM_QSTR(MP_QSTR_heap_reset_peak), MP_ROM_PTR(&kern_heap_reset_peak_obj) },
    { MP_ROM_QSTR(MP_QSTR_heap_allocs), MP_ROM_PTR(&kern_heap_allocs_obj) },
    { MP_ROM_QSTR(MP_QSTR_dirent_find), MP_ROM_PTR(&kern_dirent_find_obj) },
    { MP_ROM_QSTR(MP_QSTR_args_gather), MP_ROM_PTR(&kern_args_gather_obj) },
    { MP_ROM_QSTR(MP_QSTR_args_build), MP_ROM_PTR(&kern_args_build_obj) },
    { MP_ROM_QSTR(MP_QSTR_args_place), MP_ROM_PTR(&kern_args_place_obj) },
    { MP_ROM_QSTR(MP_QSTR_heap_sites), MP_ROM_PTR(&kern_heap_sites_obj) },
    { MP_ROM_QSTR(MP_QSTR_fail_arm), MP_ROM_PTR(&kern_fail_arm_obj) },
    { MP_ROM_QSTR(MP_QSTR_fail_fired), MP_ROM_PTR(&kern_fail_fired_obj) },
    { MP_ROM_QSTR(MP_QSTR_fail_hold), MP_ROM_PTR(&kern_fail_hold_obj) },
    { MP_ROM_QSTR(MP_QSTR_page_view), MP_ROM_PTR(&kern_page_view_obj) },
    { MP_ROM_QSTR(MP_QSTR_FAULT_HEAP), MP_ROM_INT(FAULT_HEAP) },
    { MP_ROM_QSTR(MP_QSTR_FAULT_PAGE), MP_ROM_INT(FAULT_PAGE) },
    { MP_ROM_QSTR(MP_QSTR_TRAP_INTERRUPT), MP_ROM_INT(TRAP_INTERRUPT) },
    { MP_ROM_QSTR(MP_QSTR_TRAP_FAULT), MP_ROM_INT(TRAP_FAULT) },
    { MP_ROM_QSTR(MP_QSTR_TRAP_HOLD), MP_ROM_INT(TRAP_HOLD) },
    { MP_ROM_QSTR(MP_QSTR_SYSCALL_MAX), MP_ROM_INT(SYSCALL_MAX) },
    { MP_ROM_QSTR(MP_QSTR_FIELD_EPC), MP_ROM_INT(FIELD_EPC) },
    { MP_ROM_QSTR(MP_QSTR_FIELD_SCAUSE), MP_ROM_INT(FIELD_SCAUSE) },
    { MP_ROM_QSTR(MP_QSTR_FIELD_STVAL), MP_ROM_INT(FIELD_STVAL) },
    { MP_ROM_QSTR(MP_QSTR_FIELD_UTIME), MP_ROM_INT(FIELD_UTIME) },
    { MP_ROM_QSTR(MP_QSTR_FIELD_HOLD), MP_ROM_INT(FIELD_HOLD) },
    { MP_ROM_QSTR(MP_QSTR_REG_SP), MP_ROM_INT(REG_SP) },
    { MP_ROM_QSTR(MP_QSTR_REG_A0), MP_ROM_INT(REG_A0) },
    { MP_ROM_QSTR(MP_QSTR_REG_A1), MP_ROM_INT(REG_A0 + 1) },
    { MP_ROM_QSTR(MP_QSTR_REG_A7), MP_ROM_INT(REG_A7) },
    { MP_ROM_QSTR(MP_QSTR_REG_TP), MP_ROM_INT(REG_TP) },
    { MP_ROM_QSTR(MP_QSTR_PTE_R), MP_ROM_INT(PTE_R) },
    { MP_ROM_QSTR(MP_QSTR_PTE_W), MP_ROM_INT(PTE_W) },
    { MP_ROM_QSTR(MP_QSTR_PTE_X), MP_ROM_INT(PTE_X) },
    { MP_ROM_QSTR(MP_QSTR_EV_TIMER), MP_ROM_INT(EV_TIMER) },
    { MP_ROM_QSTR(MP_QSTR_EV_UART), MP_ROM_INT(EV_UART) },
    { MP_ROM_QSTR(MP_QSTR_EV_DEVICE), MP_ROM_INT(EV_DEVICE) },
    { MP_ROM_QSTR(MP_QSTR_EV_DISK), MP_ROM_INT(EV_DISK) },
    { MP_ROM_QSTR(MP_QSTR_EV_IPI), MP_ROM_INT(EV_IPI) },
    { MP_ROM_QSTR(MP_QSTR_PGSIZE), MP_ROM_INT(PGSIZE) },
    { MP_ROM_QSTR(MP_QSTR_KSTACK_SIZE), MP_ROM_INT(KSTACK_PAGES * PGSIZE) },
    { MP_ROM_QSTR(MP_QSTR_TIMEBASE_HZ), MP_ROM_INT(TIMEBASE_HZ) },
};
static MP_DEFINE_CONST_DICT(kern_globals, kern_globals_table);

const mp_obj_module_t mp_module_kern = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&kern_globals,
};
MP_REGISTER_MODULE(MP_QSTR_kern, mp_module_kern);
