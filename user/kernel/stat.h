// xv6 programs include "kernel/stat.h": in Pyrite struct stat is in user.h.
#include "../user.h"
