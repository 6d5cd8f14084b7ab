# QEMU tests: each boots the real kernel and drives its console (pexpect)
# and the machine (QMP).  `pytest -m qemu`; fixtures in conftest.py.
