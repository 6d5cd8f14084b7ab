// xv6 programs include "kernel/types.h": in Pyrite the types are in user.h.
#include "../user.h"
