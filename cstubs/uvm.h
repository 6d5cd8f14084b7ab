// User address spaces: the primitives kernel/mm/uvm.py and kernel/proc/exec.py use.
#pragma once
#include <stddef.h>
#include "vm.h"

pagetable_t uvm_create(uint64_t trapframe_pa);
void uvm_destroy(pagetable_t pt, uint64_t size);
int uvm_alloc(pagetable_t pt, uint64_t lo, uint64_t hi, int perm);
void uvm_dealloc(pagetable_t pt, uint64_t lo, uint64_t hi);
int uvm_copy(pagetable_t from, pagetable_t to, uint64_t size);
int uvm_clear_user(pagetable_t pt, uint64_t va);
int copyout(pagetable_t pt, uint64_t dstva, const void *src, size_t n);
int uvm_load(pagetable_t pt, uint64_t dstva, const void *src, size_t n);
int copyin(pagetable_t pt, void *dst, uint64_t srcva, size_t n);
long copyinstr(pagetable_t pt, char *dst, uint64_t srcva, size_t max);
