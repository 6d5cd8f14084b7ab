// The function objects of the `kern` module defined outside modkern.c.
#pragma once
#include "py/obj.h"

extern const mp_obj_fun_builtin_fixed_t kern_run_user_obj, kern_tf_get_obj, kern_tf_set_obj,
    kern_tf_copy_obj, kern_arg_int_obj, kern_arg_addr_obj, kern_uvm_create_obj,
    kern_uvm_destroy_obj, kern_uvm_dealloc_obj, kern_uvm_copy_obj, kern_uvm_clear_user_obj,
    kern_copyin_obj, kern_copyout_obj, kern_copyinstr_obj, kern_console_write_obj;
extern const mp_obj_fun_builtin_var_t kern_uvm_alloc_obj, kern_uvm_load_obj, kern_copyin_buf_obj,
    kern_copyout_buf_obj;
extern const mp_obj_fun_builtin_fixed_t kern_disk_present_obj, kern_disk_capacity_obj,
    kern_disk_submit_obj, kern_disk_done_obj, kern_disk_next_obj;   // modkern_disk.c
extern const mp_obj_fun_builtin_var_t kern_trace_record_obj;            // modkern_trace.c
extern const mp_obj_fun_builtin_fixed_t kern_trace_count_obj, kern_trace_event_obj,
    kern_trace_clear_obj;
extern const mp_obj_fun_builtin_var_t kern_heap_allocs_obj;
extern const mp_obj_fun_builtin_var_t kern_dirent_find_obj;            // modkern_dir.c
extern const mp_obj_fun_builtin_fixed_t kern_args_gather_obj, kern_args_build_obj,
    kern_args_place_obj;                                                 // modkern_args.c
extern const mp_obj_fun_builtin_fixed_t kern_heap_info_obj, kern_heap_reset_peak_obj,
    kern_fail_arm_obj, kern_fail_fired_obj, kern_fail_hold_obj, kern_page_view_obj,
    kern_heap_sites_obj;   // modkern_heap.c
extern const mp_obj_fun_builtin_var_t kern_note_enter_obj;              // modkern_notes.c
extern const mp_obj_fun_builtin_fixed_t kern_note_return_obj;
extern const mp_obj_fun_builtin_var_t kern_thread_switch_obj;            // modkern_sched.c
extern const mp_obj_fun_builtin_fixed_t kern_thread_cpu_obj, kern_thread_switches_obj, kern_thread_run_obj,
    kern_timer_arm_obj, kern_timer_deadline_obj, kern_timer_due_obj;
extern const mp_obj_type_t kern_runqueue_type;
extern const mp_obj_fun_builtin_fixed_t kern_hart_obj, kern_nharts_obj, kern_harts_present_obj,
    kern_start_harts_obj, kern_set_hart_hook_obj, kern_ipi_obj, kern_kick_obj, kern_stop_user_obj, kern_hart_stats_obj;   // modkern_hart.c

// Arguments that name kernel pages (modkern_user.c): a page from kalloc,
// or a ValueError; tf_arg takes 0 for the running thread's own trapframe.
struct trapframe;
void *page_arg(mp_obj_t o);
struct trapframe *tf_arg(mp_obj_t o);
