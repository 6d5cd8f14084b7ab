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

// File types and the layout fstat fills in (24 bytes; docs/abi.md).
#define T_DIR     1
#define T_FILE    2
#define T_DEVICE  3

struct stat {
  int dev;       // file system's disk device
  uint ino;      // inode number
  short type;    // T_DIR, T_FILE or T_DEVICE
  short nlink;   // number of links to the file
  uint64 size;   // size in bytes
};

// open() flags.
#define O_RDONLY  0x000
#define O_WRONLY  0x001
#define O_RDWR    0x002
#define O_CREATE  0x200
#define O_TRUNC   0x400

// A directory is a file of these (16 bytes each; docs/abi.md).
#define DIRSIZ 14
struct dirent {
  ushort inum;         // 0 marks a free slot
  char name[DIRSIZ];   // not NUL-terminated when DIRSIZ long
};

#define MAXARG   32    // most arguments exec accepts
#define MAXPATH  128   // longest path, with its NUL

// The system calls (generated from kernel/sysnum.py).
#include "usys.h"

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
