// Read the RAM size, boot arguments and hart count from the device tree QEMU hands us.
//
// Only what boot needs: the size in the `reg` property of the /memory
// node, and the /chosen node's `bootargs` (QEMU's -append string).  The blob is big-endian: a header, then a stream of tokens
// (begin node, property, end node) whose property names live in a
// separate strings block.
#include <string.h>
#include "memlayout.h"
#include "machine.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

static uint32_t be32(const void *p) {
    const uint8_t *b = p;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static uint64_t be64(const void *p) {
    return ((uint64_t)be32(p) << 32) | be32((const uint8_t *)p + 4);
}

// Also copies /chosen's `bootargs` (QEMU's -append) into machine.bootargs,
// and counts the /cpus/cpu@N nodes into machine.ncpu.
uint64_t fdt_memory_size(uint64_t fdt_addr) {
    const uint8_t *fdt = (const uint8_t *)fdt_addr;
    uint64_t size = 0;
    if (fdt_addr < KERNBASE || be32(fdt) != FDT_MAGIC)
        return 0;
    const uint8_t *p = fdt + be32(fdt + 8);           // off_dt_struct
    const char *strings = (const char *)fdt + be32(fdt + 12);
    int depth = 0, in_memory = 0, in_chosen = 0, in_cpus = 0;
    machine.ncpu = 0;
    for (;;) {
        uint32_t token = be32(p);
        p += 4;
        switch (token) {
            case FDT_BEGIN_NODE: {
                const char *name = (const char *)p;
                depth++;
                if (depth == 2 && strncmp(name, "memory", 6) == 0)
                    in_memory = 1;
                if (depth == 2 && strcmp(name, "chosen") == 0)
                    in_chosen = 1;
                if (depth == 2 && strcmp(name, "cpus") == 0)
                    in_cpus = 1;
                if (depth == 3 && in_cpus && strncmp(name, "cpu@", 4) == 0)
                    machine.ncpu++;
                p += (strlen(name) + 4) & ~3UL;
                break;
            }
            case FDT_END_NODE:
                if (depth == 2)
                    in_memory = in_chosen = in_cpus = 0;
                depth--;
                break;
            case FDT_PROP: {
                uint32_t len = be32(p), nameoff = be32(p + 4);
                const uint8_t *value = p + 8;
                // virt uses two cells for addresses and two for sizes.
                if (in_memory && size == 0 && strcmp(strings + nameoff, "reg") == 0 && len >= 16)
                    size = be64(value + 8);
                if (in_chosen && strcmp(strings + nameoff, "bootargs") == 0) {
                    size_t n = len < sizeof machine.bootargs ? len : sizeof machine.bootargs - 1;
                    memcpy(machine.bootargs, value, n);
                    machine.bootargs[n] = 0;
                }
                p = value + ((len + 3) & ~3UL);
                break;
            }
            case FDT_NOP:
                break;
            default:   // FDT_END (or garbage)
                return size;
        }
    }
}
