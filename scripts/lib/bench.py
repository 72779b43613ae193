#!/usr/bin/env python3
"""scripts/ferrovisor bench: boots the image with the root task in benchmark
mode and prints its figures, one a line with its unit; with --guests, also
runs the bench guest natively and under Ferrovisor and prints the ratios.

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

LINE = re.compile(r"^(?:\[bench\] )?bench: (\S+) (\d+) (\S+)\r?$", re.M)


def run(args, append, extra=()):
    q = qemu_test.boot(args, smp=2, memory="256M", append=append, extra=extra)
    try:
        if q.wait_for(r"^(\[bench\] )?bench: done", deadline=600) is None:
            sys.exit("bench: the benchmark did not finish:\n" + q.text()[-2000:])
        return LINE.findall(q.text())
    finally:
        q.stop()


def guest_figures(args, native):
    """The bench guest natively (its binary as QEMU's -kernel) or under Ferrovisor."""
    if native:
        native_args = argparse.Namespace(**vars(args))
        native_args.image = os.path.join(args.guests, "guest-bench.bin")
        ticks = run(native_args, None)
        instructions = run(native_args, None, extra=("-icount", "shift=0"))
    else:
        ticks = run(args, "ferrovisor.guest=bench")
        instructions = run(args, "ferrovisor.guest=bench", extra=("-icount", "shift=0"))
    # Ticks from the normal run, instructions from the -icount run (exact there).
    return {(n, u): int(v) for n, v, u in ticks if u == "ticks"} | \
        {(n, u): int(v) for n, v, u in instructions if u == "instructions"}


def print_ratios(args):
    native, guest = guest_figures(args, True), guest_figures(args, False)
    for key in sorted(native):
        name, unit = key
        if key in guest and native[key]:
            print(f"{name}_ratio: {guest[key] / native[key]:.2f} x native "
                  f"({guest[key]} {unit} in a guest, {native[key]} natively)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--platform", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--guests", help="directory of the test guests: adds guest ratios")
    args = parser.parse_args()
    figures = run(args, "ferrovisor.root=bench")
    figures += run(args, "ferrovisor.root=bench ferrovisor.bench=instructions",
                   extra=("-icount", "shift=0"))
    for name, value, unit in figures:
        print(f"{name}: {value} {unit}")
    if args.guests:
        print_ratios(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
