// xv6 programs include "kernel/fcntl.h": in Pyrite the O_* flags are in user.h.
#include "../user.h"
