// The user library's interface: ABI types, system calls, and the C helpers.
#ifndef PYRITE_USER_H
#define PYRITE_USER_H

typedef unsigned int   uint;
typedef unsigned short ushort;
typedef unsigned char  uchar;
typedef unsigned char  uint8;
typedef unsigned short uint16;
typedef unsigned int   uint32;
typedef unsigned long  uint64;

// The ABI's limits and constants -- T_* file types, O_* open flags, DIRSIZ,
// MAXARG, MAXPATH, NOFILE, PGSIZE, USER_TOP, ... -- generated from
// kernel/abi/ (see docs/abi.md).
#include "abi.h"

// What fstat fills in (STAT_SIZE bytes).
struct stat {
  int dev;       // file system's disk device
  uint ino;      // inode number
  short type;    // T_DIR, T_FILE or T_DEVICE
  short nlink;   // number of links to the file
  uint64 size;   // size in bytes
};
_Static_assert(sizeof(struct stat) == STAT_SIZE, "struct stat disagrees with kernel/abi/limits.py");

// A directory is a file of these (DIRENT_SIZE bytes each).
struct dirent {
  ushort inum;         // 0 marks a free slot
  char name[DIRSIZ];   // not NUL-terminated when DIRSIZ long
};
_Static_assert(sizeof(struct dirent) == DIRENT_SIZE, "struct dirent disagrees with kernel/abi/fslayout.py");

// The system calls (generated from kernel/abi/sysnum.py).
#include "usys.h"

// What a note handler's first argument points at (notify(); docs/abi.md):
// a copy of the interrupted registers x1..x31, and the pc in regs[0].
// noted(NCONT) restores the kernel's own copy, not this one.
struct ureg {
  uint64 regs[32];
};

// ulib.c
int stat(const char*, struct stat*);
char* strcpy(char*, const char*);
int strcmp(const char*, const char*);
int strncmp(const char*, const char*, uint);
uint strlen(const char*);
char* strchr(const char*, char);
void* memset(void*, int, uint);
void* memmove(void*, const void*, int);
void* memcpy(void*, const void*, uint);
int memcmp(const void*, const void*, uint);
char* gets(char*, int);
int atoi(const char*);

// printf.c
void printf(const char*, ...);
void fprintf(int, const char*, ...);

// umalloc.c
void* malloc(uint);
void free(void*);

#endif
