# System calls: the table a trap's call number is looked up in, and
# fetching a call's arguments from the trapframe and user memory.
#
#   table   number -> handler, a registry: the packages that implement
#           calls (kernel/fs/sysfile.py, kernel/proc/sysproc.py) register
#           their sys_* functions, and a lab adds a call the same way
#   args    paths and argument vectors from user memory, checked
#
# Handlers live with what they serve, not here, so that this package sits
# below the file system and processes and the user loop (kernel/proc/) can
# dispatch through it without an import cycle.
# Offers: table.register_handlers, table.handlers, table.unknown,
# args.fetch_path.  Uses: kernel.abi, kern.
