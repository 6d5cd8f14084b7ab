# The Pyrite kernel: Python policy on top of the C mechanism in cstubs/.
