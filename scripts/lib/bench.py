#!/usr/bin/env python3
"""scripts/ferrovisor bench: boots the image with the root task in benchmark
mode and prints its figures, one a line with its unit.

Timings (rdtime ticks) come from a normal run; instruction counts from a run
under -icount shift=0, where QEMU counts every retired instruction exactly and
the figure is the same on every machine.
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "qemu"))
import qemu_test  # noqa: E402

LINE = re.compile(r"^bench: (\S+) (\d+) (\S+)\r?$", re.M)


def run(args, append, extra=()):
    q = qemu_test.boot(args, smp=2, memory="256M", append=append, extra=extra)
    try:
        if q.wait_for(r"^bench: done", deadline=600) is None:
            sys.exit("bench: the benchmark did not finish:\n" + q.text()[-2000:])
        return LINE.findall(q.text())
    finally:
        q.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--platform", required=True)
    parser.add_argument("--image", required=True)
    args = parser.parse_args()
    figures = run(args, "ferrovisor.root=bench")
    figures += run(args, "ferrovisor.root=bench ferrovisor.bench=instructions",
                   extra=("-icount", "shift=0"))
    for name, value, unit in figures:
        print(f"{name}: {value} {unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
