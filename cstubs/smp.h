// Starting the other harts (smp.c).
#pragma once
#include "py/obj.h"

void kmain_secondary(uint64_t hartid);
int smp_start_harts(mp_obj_t entry);
void smp_shootdown(uint64_t satp);    // no other hart runs in this space when it returns
void smp_stop_user(int hart);          // that hart is out of user mode when it returns
