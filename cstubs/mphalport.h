// MicroPython hardware abstraction for Pyrite: only the console is needed.
#pragma once
#define mp_hal_pin_obj_t int   // py/mphal.h wants a pin type; there are no pins
