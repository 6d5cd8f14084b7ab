// What the sysinfo system call fills in (lab syscall): 16 bytes.
struct sysinfo {
  uint64 freemem;   // free physical memory, in bytes
  uint64 nproc;     // processes that exist, zombies included
};
