// MicroPython configuration for the Pyrite kernel (bare-metal rv64, S-mode).
#include <stdint.h>

// The EXTRA level brings the attribute-load fast path and the map lookup
// cache (about half the cost of an attribute load); the features below it
// turns off either need sources the pinned sdist does not carry or do
// not belong in a kernel.
#define MICROPY_CONFIG_ROM_LEVEL (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)

// No RISC-V NLR or register helper in v1.23: setjmp does both.
#define MICROPY_NLR_SETJMP (1)
#define MICROPY_GCREGS_SETJMP (1)

// The monitor compiles what it is typed; the kernel itself is frozen bytecode.
#define MICROPY_ENABLE_COMPILER (1)
#define MICROPY_ENABLE_GC (1)
// The VM dispatches through a table of labels (GCC), not a switch.
#define MICROPY_OPT_COMPUTED_GOTO (1)
#define MICROPY_STACK_CHECK (1)
#define MICROPY_ENABLE_SOURCE_LINE (1)
#define MICROPY_ERROR_REPORTING (MICROPY_ERROR_REPORTING_DETAILED)
#define MICROPY_ALLOC_PATH_MAX (128)

// Integer-only kernel: no float, arbitrary-precision ints for addresses
// and masks that do not fit a small int.
#define MICROPY_FLOAT_IMPL (MICROPY_FLOAT_IMPL_NONE)
#define MICROPY_LONGINT_IMPL (MICROPY_LONGINT_IMPL_MPZ)

// Kernel threads, interrupts and the console are Pyrite's own business.
#define MICROPY_ENABLE_SCHEDULER (0)

// Kernel Python runs with interrupts off, so only the VM itself can stop a
// loop: every VM_POLL_BRANCHES backward branches it calls vm_poll()
// (mpport.c), which raises KeyboardInterrupt for Ctrl-C while the monitor
// runs an expression (micropython.kbd_intr arms it) and SoftLockup in
// kernel Python that has run a second without going to user mode or idle.
#define MICROPY_KBD_EXCEPTION (1)
#define VM_POLL_BRANCHES (256)
#define MICROPY_VM_HOOK_LOOP if (--vm_poll_countdown == 0) { vm_poll(); }
extern int vm_poll_countdown;
void vm_poll(void);
void vm_poll_rest(void);       // kernel Python gave the CPU to user mode or idle
#define MICROPY_ENABLE_FINALISER (0)
#define MICROPY_PY_BUILTINS_INPUT (0)
#define MICROPY_PY_SYS_STDFILES (0)
#define MICROPY_PY_SYS_STDIO_BUFFER (0)
#define MICROPY_PY_UCTYPES (0)
#define MICROPY_PY_IO (0)
#define MICROPY_PY_CMATH (0)
#define MICROPY_PY_MATH (0)
#define MICROPY_PY_BUILTINS_EXECFILE (0)
#define MICROPY_HELPER_REPL (1)
#define MICROPY_PY_SYS_EXIT (0)
#define MICROPY_PY_SYS_PLATFORM "pyrite"
#define MICROPY_PY_MICROPYTHON_MEM_INFO (1)
#define MICROPY_PY_GC (1)

#define MICROPY_HW_BOARD_NAME "qemu-virt"
#define MICROPY_HW_MCU_NAME "rv64imac"

typedef intptr_t mp_int_t;
typedef uintptr_t mp_uint_t;
typedef long mp_off_t;

#define MICROPY_MAKE_POINTER_CALLABLE(p) ((void *)((mp_uint_t)(p)))
#define MP_STATE_PORT MP_STATE_VM
#define MP_SSIZE_MAX INTPTR_MAX

#include <alloca.h>
