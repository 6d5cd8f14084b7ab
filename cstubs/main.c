// S-mode C entry: bring up the hardware the interpreter needs, then hand
// the machine to Python (kernel/main.py).
#include "py/runtime.h"
#include "py/gc.h"
#include "py/stackctrl.h"
#include "memlayout.h"
#include "riscv.h"
#include "uart.h"
#include "plic.h"
#include "virtio_blk.h"
#include "kalloc.h"
#include "vm.h"
#include "trap.h"
#include "kthread.h"
#include "panic.h"
#include "machine.h"
#include "heapwatch.h"
#include "cpu.h"
#include "pylock.h"

#ifndef KERNEL_HEAP_SIZE
#define KERNEL_HEAP_SIZE (8 * 1024 * 1024)
#endif
#define DEFAULT_RAM_SIZE (128UL * 1024 * 1024)

extern char end[], boot_stack[];
struct machine_info machine;

// Import kernel.main and call its boot(); an exception escaping it (or
// anything it calls on this thread) is a panic with the traceback.
static void run_python(void) {
    mp_stack_set_top(boot_stack + BOOT_STACK_SIZE);
    mp_stack_set_limit(BOOT_STACK_SIZE - 4096);
    gc_init((void *)machine.heap_base, (void *)(machine.heap_base + machine.heap_size));
    mp_init();
    heapwatch_init();

    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t fromlist[1] = { MP_OBJ_NEW_QSTR(MP_QSTR_boot) };
        mp_obj_t mod = mp_import_name(qstr_from_str("kernel.main"),
            mp_obj_new_tuple(1, fromlist), MP_OBJ_NEW_SMALL_INT(0));
        mp_call_function_0(mp_load_attr(mod, MP_QSTR_boot));
        nlr_pop();
        panic("kernel.main.boot() returned");
    }
    panic_python(nlr.ret_val);
}

void kmain(uint64_t hartid, uint64_t dtb) {
    (void)hartid;
    mycpu()->present = 1;
    mycpu()->online = 1;
    uart_init();
    machine.ram_size = fdt_memory_size(dtb);
    if (machine.ram_size == 0)
        machine.ram_size = DEFAULT_RAM_SIZE;
    machine.image_end = PGROUNDUP((uint64_t)end);
    machine.heap_base = machine.image_end;
    machine.heap_size = KERNEL_HEAP_SIZE;

    // The device tree sits near the top of RAM; it has been read, and from
    // here on its pages are free memory like any other.
    kalloc_init(machine.heap_base + machine.heap_size, KERNBASE + machine.ram_size);
    kvm_init(KERNBASE + machine.ram_size);
    kvm_hart_on();
    trap_init();
    plic_init();
    virtio_blk_init();        // no disk attached is fine: kern.disk_present() says so
    csr_set(scounteren, 2);   // user mode may read `time` (rdtime), as on Linux
    kthread_init_boot((uintptr_t)boot_stack, (uintptr_t)boot_stack + BOOT_STACK_SIZE);
    // Hart 0 holds the interpreter lock from here until it first leaves
    // Python; the other harts wait for kern.start_harts() (smp.c).
    pylock_acquire_first();
    run_python();
}
