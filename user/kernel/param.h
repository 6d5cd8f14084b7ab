// xv6 programs include "kernel/param.h" for MAXARG and MAXPATH: they are in user.h.
#include "../user.h"
