// The virtio block device (virtio-mmio version 2): queue requests, collect completions.
//
// Mechanism only.  Python (kernel/fs/disk.py) decides what to read and write,
// who waits, and what an error means; this file turns a request into a
// three-descriptor chain -- header, data, status byte -- and hands
// completed ones back.  The interrupt handler only acknowledges the
// device: completions are collected from the used ring when Python asks
// (virtio_blk_done), at a safe point, with interrupts off, so the ring
// never has two users at once.
//
// The whole queue lives in one page from kalloc: the descriptor table, the
// available ring, the used ring, and each request's header and status
// byte (indexed by the request's first descriptor, which is its id).  The
// kernel maps RAM at its physical addresses, so a pointer is what the
// device wants.
#include <stdint.h>
#include <stddef.h>
#include "memlayout.h"
#include "kalloc.h"
#include "panic.h"
#include "virtio.h"
#include "virtio_blk.h"
#include "spinlock.h"

#define NUM VIRTIO_BLK_NUM
#define R(r) (*(volatile uint32_t *)(VIRTIO0 + (r)))

// Offsets of the queue's parts in its page (each suitably aligned).
#define DESC_OFF 0        // NUM * 16 bytes, 16-byte aligned
#define AVAIL_OFF 1024    // 6 + 2 * NUM bytes, 2-byte aligned
#define USED_OFF 2048     // 6 + 8 * NUM bytes, 4-byte aligned
#define HDR_OFF 3072      // NUM * 16 bytes
#define STATUS_OFF 3584   // NUM bytes
_Static_assert(NUM * sizeof(struct virtq_desc) <= AVAIL_OFF - DESC_OFF, "descriptors");
_Static_assert(6 + 2 * NUM <= USED_OFF - AVAIL_OFF, "available ring");
_Static_assert(6 + 8 * NUM <= HDR_OFF - USED_OFF, "used ring");
_Static_assert(NUM * sizeof(struct virtio_blk_req) <= STATUS_OFF - HDR_OFF, "headers");
_Static_assert(STATUS_OFF + NUM <= PGSIZE, "one page");

// The rings are under a spinlock: submissions and completions come from
// Python on whichever hart holds the interpreter lock, the interrupt's
// acknowledgement from hart 0 at any time.
static struct spinlock disk_lock = SPINLOCK_INIT("disk");
static int present;
static uint64_t capacity;
static struct virtq_desc *desc;
static struct virtq_avail *avail;
static struct virtq_used *used;
static struct virtio_blk_req *hdr;
static volatile uint8_t *status;
static uint8_t is_free[NUM];
static uint8_t in_flight[NUM];   // a chain starting here belongs to the device
static int nfree;
static uint16_t used_seen;       // used ring entries already collected

static int fail(const char *why) {
    kprintf("virtio disk: %s; continuing without a disk\n", why);
    R(VIRTIO_MMIO_STATUS) = VIRTIO_STATUS_FAILED;
    return 0;
}

int virtio_blk_init(void) {
    // No -drive at all still leaves QEMU's empty virtio-mmio slot, device 0:
    // no disk is a normal configuration, not an error.
    if (R(VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MAGIC || R(VIRTIO_MMIO_DEVICE_ID) != VIRTIO_DEVICE_BLOCK)
        return 0;
    if (R(VIRTIO_MMIO_VERSION) != 2)
        return fail("legacy (version 1) virtio-mmio; boot QEMU with -global virtio-mmio.force-legacy=false");

    // The start-up sequence of the specification (3.1.1).
    R(VIRTIO_MMIO_STATUS) = 0;   // reset
    uint32_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
    R(VIRTIO_MMIO_STATUS) = s;

    // Accept no optional feature: no multiqueue, no event index, no indirect
    // descriptors, no flush (so QEMU writes through: a completed write is on
    // the host's file).  Only VERSION_1, which a modern device requires.
    R(VIRTIO_MMIO_DEVICE_FEATURES_SEL) = 1;
    if (!(R(VIRTIO_MMIO_DEVICE_FEATURES) & VIRTIO_F_VERSION_1_HIGH))
        return fail("device does not offer VIRTIO_F_VERSION_1");
    R(VIRTIO_MMIO_DRIVER_FEATURES_SEL) = 0;
    R(VIRTIO_MMIO_DRIVER_FEATURES) = 0;
    R(VIRTIO_MMIO_DRIVER_FEATURES_SEL) = 1;
    R(VIRTIO_MMIO_DRIVER_FEATURES) = VIRTIO_F_VERSION_1_HIGH;
    s |= VIRTIO_STATUS_FEATURES_OK;
    R(VIRTIO_MMIO_STATUS) = s;
    if (!(R(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
        return fail("device refused our features");

    // Queue 0, the only one a block device without multiqueue has.
    R(VIRTIO_MMIO_QUEUE_SEL) = 0;
    if (R(VIRTIO_MMIO_QUEUE_READY))
        return fail("queue 0 already in use");
    if (R(VIRTIO_MMIO_QUEUE_NUM_MAX) < NUM)
        return fail("queue too small");
    char *page = kalloc();       // zeroed: empty rings
    if (page == NULL)
        return fail("no memory for the queue");
    desc = (struct virtq_desc *)(page + DESC_OFF);
    avail = (struct virtq_avail *)(page + AVAIL_OFF);
    used = (struct virtq_used *)(page + USED_OFF);
    hdr = (struct virtio_blk_req *)(page + HDR_OFF);
    status = (volatile uint8_t *)(page + STATUS_OFF);
    R(VIRTIO_MMIO_QUEUE_NUM) = NUM;
    R(VIRTIO_MMIO_QUEUE_DESC_LOW) = (uint32_t)(uintptr_t)desc;
    R(VIRTIO_MMIO_QUEUE_DESC_HIGH) = (uint32_t)((uintptr_t)desc >> 32);
    R(VIRTIO_MMIO_QUEUE_DRIVER_LOW) = (uint32_t)(uintptr_t)avail;
    R(VIRTIO_MMIO_QUEUE_DRIVER_HIGH) = (uint32_t)((uintptr_t)avail >> 32);
    R(VIRTIO_MMIO_QUEUE_DEVICE_LOW) = (uint32_t)(uintptr_t)used;
    R(VIRTIO_MMIO_QUEUE_DEVICE_HIGH) = (uint32_t)((uintptr_t)used >> 32);
    R(VIRTIO_MMIO_QUEUE_READY) = 1;
    for (int i = 0; i < NUM; i++)
        is_free[i] = 1;
    nfree = NUM;

    // The capacity is 64 bits read 32 at a time: retry if the device
    // changed its configuration in between (the generation counter moved).
    uint32_t gen, lo, hi;
    do {
        gen = R(VIRTIO_MMIO_CONFIG_GENERATION);
        lo = R(VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CONFIG_CAPACITY);
        hi = R(VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CONFIG_CAPACITY + 4);
    } while (gen != R(VIRTIO_MMIO_CONFIG_GENERATION));
    capacity = (uint64_t)hi << 32 | lo;

    R(VIRTIO_MMIO_STATUS) = s | VIRTIO_STATUS_DRIVER_OK;
    present = 1;
    return 1;
}

int virtio_blk_present(void) { return present; }
uint64_t virtio_blk_capacity(void) { return capacity; }

static int submit(uint64_t sector, void *buf, uint32_t len, int write);
static int collect(int *id, int *st);

static int alloc_desc(void) {
    for (int i = 0; i < NUM; i++) {
        if (is_free[i]) {
            is_free[i] = 0;
            nfree--;
            return i;
        }
    }
    panic("virtio disk: descriptor count is wrong");
}

int virtio_blk_submit(uint64_t sector, void *buf, uint32_t len, int write) {
    spin_lock(&disk_lock);
    int head = submit(sector, buf, len, write);
    spin_unlock(&disk_lock);
    return head;
}

static int submit(uint64_t sector, void *buf, uint32_t len, int write) {
    if (!present || nfree < 3)
        return -1;
    int head = alloc_desc(), data = alloc_desc(), st = alloc_desc();
    hdr[head] = (struct virtio_blk_req){ write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, 0, sector };
    status[head] = 0xff;         // the device overwrites it when it is done
    desc[head] = (struct virtq_desc){ (uintptr_t)&hdr[head], sizeof hdr[head], VIRTQ_DESC_F_NEXT, data };
    desc[data] = (struct virtq_desc){ (uintptr_t)buf, len,
        VIRTQ_DESC_F_NEXT | (write ? 0 : VIRTQ_DESC_F_WRITE), st };
    desc[st] = (struct virtq_desc){ (uintptr_t)&status[head], 1, VIRTQ_DESC_F_WRITE, 0 };
    in_flight[head] = 1;

    // Publish: the ring entry must be visible before the index that
    // covers it, and the index before the doorbell.
    avail->ring[avail->idx % NUM] = head;
    __sync_synchronize();
    avail->idx++;
    __sync_synchronize();
    R(VIRTIO_MMIO_QUEUE_NOTIFY) = 0;
    return head;
}

int virtio_blk_done(int *id, int *st) {
    spin_lock(&disk_lock);
    int got = collect(id, st);
    spin_unlock(&disk_lock);
    return got;
}

static int collect(int *id, int *st) {
    if (!present || used_seen == *(volatile uint16_t *)&used->idx)
        return 0;
    __sync_synchronize();        // read the entry only after seeing its index
    uint32_t head = used->ring[used_seen % NUM].id;
    used_seen++;
    if (head >= NUM || !in_flight[head])
        panic("virtio disk: completion of a request never made (id %u)", (unsigned)head);
    in_flight[head] = 0;
    *id = (int)head;
    *st = status[head];
    for (int i = (int)head;; i = desc[i].next) {   // free the chain
        is_free[i] = 1;
        nfree++;
        if (!(desc[i].flags & VIRTQ_DESC_F_NEXT))
            break;
    }
    return 1;
}

void virtio_blk_intr(void) {
    // Acknowledge, so the device can interrupt again; what completed is
    // read from the used ring later, by Python.
    spin_lock(&disk_lock);
    R(VIRTIO_MMIO_INTERRUPT_ACK) = R(VIRTIO_MMIO_INTERRUPT_STATUS) & (VIRTIO_INT_USED_RING | VIRTIO_INT_CONFIG);
    spin_unlock(&disk_lock);
}
