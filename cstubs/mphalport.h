// MicroPython hardware abstraction for Pyrite: only the console is needed.
#pragma once
#define mp_hal_pin_obj_t int   // py/mphal.h wants a pin type; there are no pins
void mp_hal_set_interrupt_char(int c);   // micropython.kbd_intr (mpport.c)
