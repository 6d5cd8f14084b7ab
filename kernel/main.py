# Boot sequence in Python: banner, then the kernel monitor.
import kern


def boot():
    print("Pyrite booting; free pages", kern.free_pages())
    kern.poweroff(0)
