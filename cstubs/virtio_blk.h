// The virtio block device: probe, submit requests, collect completions.
#pragma once
#include <stdint.h>

#define VIRTIO_BLK_NUM 32        // descriptors in the queue: 3 per request

int virtio_blk_init(void);       // 1 if a disk is there and ready, else 0
int virtio_blk_present(void);
uint64_t virtio_blk_capacity(void);   // in 512-byte sectors
// Queue a transfer of len bytes (a multiple of 512) at buf: the request's
// id, or -1 if the queue has no room.  The caller has checked the arguments.
int virtio_blk_submit(uint64_t sector, void *buf, uint32_t len, int write);
// One completed request: 1 and its id and status byte, or 0 if none.
int virtio_blk_done(int *id, int *status);
void virtio_blk_intr(void);      // from the interrupt handler: acknowledge
