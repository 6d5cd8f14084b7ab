// malloc and free: first fit over an address-ordered free list, grown with sbrk.
#include "user.h"

// Every block, free or in use, starts with this header; the caller's bytes
// follow it.  Sizes count whole headers (16 bytes), so every block and every
// pointer malloc returns is 16-byte aligned, as RISC-V's C ABI expects.
struct block {
  struct block *next;   // next free block (only meaningful while free)
  uint64 size;          // length of the block in headers, its own included
};

// Free blocks sorted by address, so free() finds a block's neighbours and
// merges with them, and the heap does not crumble into small pieces.
static struct block *freelist;

// Ask the kernel for at least this many headers' worth at once: one sbrk
// per 16 KiB rather than per malloc.
#define MINGROW 1024

static int
grow(uint64 size)
{
  struct block *b;
  char *p;

  if (size < MINGROW)
    size = MINGROW;
  if (size > 0x7fffffff / sizeof(struct block))
    return -1;                      // more than sbrk's int can ask for
  p = sbrk(size * sizeof(struct block));
  if (p == (char*)-1)
    return -1;
  b = (struct block*)p;
  b->size = size;
  free(b + 1);                      // file the new memory on the free list
  return 0;
}

void*
malloc(uint nbytes)
{
  struct block **link, *b;
  uint64 size;

  // Round up to whole headers, plus one for the block's own header.
  size = ((uint64)nbytes + sizeof(struct block) - 1) / sizeof(struct block) + 1;
  for (;;) {
    for (link = &freelist; (b = *link) != 0; link = &b->next) {
      if (b->size < size)
        continue;
      if (b->size == size) {
        *link = b->next;            // exact fit: take the whole block
      } else {
        // Cut the piece from the end, so the free part keeps its place
        // (and its link) in the list.
        b->size -= size;
        b += b->size;
        b->size = size;
      }
      b->next = 0;
      return b + 1;
    }
    if (grow(size) < 0)
      return 0;
  }
}

void
free(void *ptr)
{
  struct block *b, *prev, *next;

  if (ptr == 0)
    return;
  b = (struct block*)ptr - 1;

  // Find the free blocks on either side: prev < b < next.
  prev = 0;
  next = freelist;
  while (next != 0 && next < b) {
    prev = next;
    next = next->next;
  }

  // Merge with the following block if they touch, else link to it.
  if (next != 0 && b + b->size == next) {
    b->size += next->size;
    b->next = next->next;
  } else {
    b->next = next;
  }

  // Merge into the preceding block if they touch, else link from it.
  if (prev != 0 && prev + prev->size == b) {
    prev->size += b->size;
    prev->next = b->next;
  } else if (prev != 0) {
    prev->next = b;
  } else {
    freelist = b;
  }
}
