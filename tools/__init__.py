"""Pyrite host-side tools: image builder, symbolizer, QEMU command line, benchmarks."""
