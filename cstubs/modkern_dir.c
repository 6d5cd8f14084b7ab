// Directory blocks searched in C: kern.dirent_find().
//
// A directory is a file of 16-byte entries (a 2-byte inode number, then a
// name of DIRSIZ bytes, NUL-padded).  Looking a name up means scanning every
// entry of every block; done here, that costs no Python heap and a few
// instructions an entry, whatever the directory's size.
#include <string.h>
#include "py/runtime.h"
#include "py/objarray.h"
#include "abi.h"
#include "modkern.h"


// dirent_find(block, name, start=0) -> the offset in block (a buffer) of the
// first used entry at or after start whose name is name (DIRSIZ bytes,
// padded), or -1.  With name None: the first free entry (inode 0), or -1.
static mp_obj_t kern_dirent_find(size_t n_args, const mp_obj_t *args) {
    mp_buffer_info_t block, name = { 0 };
    mp_get_buffer_raise(args[0], &block, MP_BUFFER_READ);
    int want_free = args[1] == mp_const_none;
    if (!want_free) {
        mp_get_buffer_raise(args[1], &name, MP_BUFFER_READ);
        if (name.len != DIRSIZ)
            mp_raise_ValueError(MP_ERROR_TEXT("name must be DIRSIZ bytes"));
    }
    mp_int_t start = n_args > 2 ? mp_obj_get_int(args[2]) : 0;
    const uint8_t *p = block.buf;
    for (mp_int_t off = start < 0 ? 0 : start; off + DIRENT_SIZE <= (mp_int_t)block.len;
         off += DIRENT_SIZE) {
        int inum = p[off] | p[off + 1] << 8;
        if (want_free ? inum == 0 : inum != 0 && memcmp(p + off + 2, name.buf, DIRSIZ) == 0)
            return MP_OBJ_NEW_SMALL_INT(off);
    }
    return MP_OBJ_NEW_SMALL_INT(-1);
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kern_dirent_find_obj, 2, 3, kern_dirent_find);
