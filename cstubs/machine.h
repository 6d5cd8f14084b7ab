// What the boot code learned about the machine, for the rest of the kernel.
#pragma once
#include <stdint.h>

#define TIMEBASE_HZ 10000000   // QEMU virt's `time` counts at 10 MHz

struct machine_info {
    uint64_t ram_size;
    uint64_t heap_base, heap_size;
    uint64_t image_end;
    char bootargs[128];     // QEMU -append, from the device tree
    int ncpu;               // harts the device tree lists (QEMU -smp)
};
extern struct machine_info machine;

uint64_t fdt_memory_size(uint64_t fdt_addr);   // 0 if the blob is unusable
