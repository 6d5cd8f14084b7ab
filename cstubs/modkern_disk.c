// The `kern` functions for the disk: kernel/fs/disk.py's way to the virtio
// block device.  (modkern.c lists them in the module's table.)
//
// Every argument is checked here, so that a slip in kernel Python or at the
// monitor prompt is an exception, never a device writing where it should
// not.  The device reads or writes the caller's buffer in place (no copy),
// so the buffer object is kept alive here, where the garbage collector sees
// it, until its request completes.  (It must not be resized meanwhile:
// nobody does that to a block buffer.)
#include "py/runtime.h"
#include "py/mperrno.h"
#include "memlayout.h"
#include "machine.h"
#include "virtio.h"
#include "virtio_blk.h"
#include "modkern.h"

MP_REGISTER_ROOT_POINTER(mp_obj_t disk_buffers[VIRTIO_BLK_NUM]);

static mp_obj_t kern_disk_present(void) {
    return mp_obj_new_bool(virtio_blk_present());
}
MP_DEFINE_CONST_FUN_OBJ_0(kern_disk_present_obj, kern_disk_present);

// disk_capacity() -> the disk's size in 512-byte sectors (0: no disk).
static mp_obj_t kern_disk_capacity(void) {
    return mp_obj_new_int_from_uint(virtio_blk_capacity());
}
MP_DEFINE_CONST_FUN_OBJ_0(kern_disk_capacity_obj, kern_disk_capacity);

// disk_submit(sector, buffer, write) -> the request's id, or -1 when the
// queue is full.  Reads fill the buffer (which must be writable), writes
// send it; its length is a whole number of 512-byte sectors.
static mp_obj_t kern_disk_submit(mp_obj_t sector_obj, mp_obj_t buf, mp_obj_t write_obj) {
    if (!virtio_blk_present())
        mp_raise_OSError(MP_ENODEV);
    int write = mp_obj_is_true(write_obj);
    mp_int_t sector = mp_obj_get_int(sector_obj);
    mp_buffer_info_t info;
    mp_get_buffer_raise(buf, &info, write ? MP_BUFFER_READ : MP_BUFFER_WRITE);
    if (info.len == 0 || info.len % VIRTIO_BLK_SECTOR_SIZE || info.len > 0x10000)
        mp_raise_ValueError(MP_ERROR_TEXT("buffer length must be 512..65536, a multiple of 512"));
    uint64_t nsect = info.len / VIRTIO_BLK_SECTOR_SIZE, cap = virtio_blk_capacity();
    if (sector < 0 || (uint64_t)sector > cap || nsect > cap - (uint64_t)sector)
        mp_raise_ValueError(MP_ERROR_TEXT("sector out of range"));
    // The device sees physical addresses; only RAM (mapped 1:1) has them.
    // Python objects live there; a kernel stack or device memory does not.
    uintptr_t a = (uintptr_t)info.buf;
    if (a < KERNBASE || a + info.len > KERNBASE + machine.ram_size || a + info.len < a)
        mp_raise_ValueError(MP_ERROR_TEXT("buffer is not in RAM"));
    int id = virtio_blk_submit((uint64_t)sector, info.buf, info.len, write);
    if (id >= 0)
        MP_STATE_VM(disk_buffers)[id] = buf;
    return MP_OBJ_NEW_SMALL_INT(id);
}
MP_DEFINE_CONST_FUN_OBJ_3(kern_disk_submit_obj, kern_disk_submit);

// disk_done() -> [(id, status), ...]: the requests completed since the
// last call, in completion order; status 0 is success (virtio.h).
static mp_obj_t kern_disk_done(void) {
    mp_obj_t list = mp_obj_new_list(0, NULL);
    int id, status;
    while (virtio_blk_done(&id, &status)) {
        mp_obj_t pair[2] = { MP_OBJ_NEW_SMALL_INT(id), MP_OBJ_NEW_SMALL_INT(status) };
        mp_obj_list_append(list, mp_obj_new_tuple(2, pair));
        MP_STATE_VM(disk_buffers)[id] = MP_OBJ_NULL;
    }
    return list;
}
MP_DEFINE_CONST_FUN_OBJ_0(kern_disk_done_obj, kern_disk_done);

// disk_next() -> the next completed request as id * 256 + status, or -1
// when none is left: the same as disk_done(), one at a time and without
// building a list (the driver's interrupt path allocates nothing).
static mp_obj_t kern_disk_next(void) {
    int id, status;
    if (!virtio_blk_done(&id, &status))
        return MP_OBJ_NEW_SMALL_INT(-1);
    MP_STATE_VM(disk_buffers)[id] = MP_OBJ_NULL;
    return MP_OBJ_NEW_SMALL_INT(id * 256 + (status & 0xff));
}
MP_DEFINE_CONST_FUN_OBJ_0(kern_disk_next_obj, kern_disk_next);
