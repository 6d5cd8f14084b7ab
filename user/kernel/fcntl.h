// xv6 programs include "kernel/fcntl.h": in Pyrite the O_* flags come with user.h.
#include "../user.h"
