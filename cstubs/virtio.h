// Virtio 1.x over MMIO (the "modern", version 2 transport): registers,
// status and feature bits, and the split virtqueue's structures.
// From the virtio 1.1 specification, sections 2 and 4.2.
#pragma once
#include <stdint.h>

// MMIO registers, as byte offsets from the device's base address.
#define VIRTIO_MMIO_MAGIC_VALUE         0x000   // 0x74726976, "virt"
#define VIRTIO_MMIO_VERSION             0x004   // 2 for the modern transport
#define VIRTIO_MMIO_DEVICE_ID           0x008   // 0 = nothing here, 2 = block
#define VIRTIO_MMIO_VENDOR_ID           0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014   // which 32 bits DEVICE_FEATURES shows
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL           0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034
#define VIRTIO_MMIO_QUEUE_NUM           0x038
#define VIRTIO_MMIO_QUEUE_READY         0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064
#define VIRTIO_MMIO_STATUS              0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090   // the available ring
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0   // the used ring
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc
#define VIRTIO_MMIO_CONFIG              0x100   // device-specific configuration

#define VIRTIO_MAGIC 0x74726976
#define VIRTIO_DEVICE_BLOCK 2

// Device status bits, set by the driver in this order during start-up.
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED      128

// The one feature Pyrite accepts: "I speak virtio 1.x" (bit 32, i.e. bit 0
// of the second feature word).  A modern device refuses a driver without it.
#define VIRTIO_F_VERSION_1_HIGH (1u << 0)

// InterruptStatus bits.
#define VIRTIO_INT_USED_RING 1
#define VIRTIO_INT_CONFIG    2

// The split virtqueue: a descriptor table, the available ring (driver to
// device) and the used ring (device to driver).
struct virtq_desc {
    uint64_t addr;     // physical address of the buffer
    uint32_t len;
    uint16_t flags;
    uint16_t next;     // the next descriptor of the chain, if VIRTQ_DESC_F_NEXT
};
#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2   // the device writes this buffer (else reads it)

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;      // where the driver puts the next entry (mod queue size)
    uint16_t ring[];   // heads of descriptor chains; then a used_event field
};

struct virtq_used_elem {
    uint32_t id;       // head of the completed chain
    uint32_t len;      // bytes the device wrote
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;      // where the device puts the next entry (mod queue size)
    struct virtq_used_elem ring[];   // then an avail_event field
};

// Virtio-blk (specification section 5.2).
#define VIRTIO_BLK_CONFIG_CAPACITY 0x00   // uint64: size in 512-byte sectors
#define VIRTIO_BLK_SECTOR_SIZE 512

struct virtio_blk_req {    // the header, first descriptor of every request
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};
#define VIRTIO_BLK_T_IN  0   // read from the disk
#define VIRTIO_BLK_T_OUT 1   // write to the disk

// The status byte the device writes last.
#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2
