#!/usr/bin/env python3
"""scripts/ferrovisor bench: boots the image with the root task in benchmark
mode and prints its figures, one a line with its unit; with --guests, also
runs the bench guest natively and under Ferrovisor and prints the ratios; with
--linux, boots the Debian kernel and initramfs natively and as a guest (same
kernel, initramfs, command line, Sv39, 2 CPUs and 256 MiB as the kernel sees
them) and prints boot-to-marker and shell-loop ratios.

Timings (rdtime ticks) come from a normal run; instruction counts from a run
under -icount shift=0, where QEMU counts every retired instruction exactly and
the figure is the same on every machine.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

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


LINUX_CMDLINE = "console=ttyS0 no4lvl quiet ferrovisor.bench=1"
LINUX_LINE = re.compile(r"ferrovisor-bench: (\S+) ([0-9.]+) s\r?$", re.M)
MARKER = re.compile(r"ferrovisor-guest \S+ up: ", re.M)


def compose_bench_system(args, workdir):
    """A boot module with one guest: the kernel and initramfs of the native run."""
    config = os.path.join(workdir, "bench.yaml")
    with open(config, "w", encoding="utf-8") as f:
        f.write("guests:\n  - name: bench\n    vcpus: 2\n    memory: 256M\n"
                f"    kernel: {os.path.abspath(args.linux[0])}\n"
                f"    initrd: {os.path.abspath(args.linux[1])}\n"
                f"    command_line: {LINUX_CMDLINE}\n")
    module = os.path.join(workdir, "bench.cpio")
    subprocess.run([os.path.join(HERE, "..", "compose-system"), args.fvconfig, config,
                    args.programs, module, "1G", "2"], check=True)
    return module


def linux_run(args, native, module, icount=False):
    """One boot: seconds (wall) to the marker line, and the guest's own figures."""
    start = time.monotonic()
    extra = ["-icount", "shift=0,sleep=off"] if icount else []
    if native:
        q = qemu_test.boot(args, image=args.linux[0], smp=2, memory="256M",
                           append=LINUX_CMDLINE, extra=["-initrd", args.linux[1]] + extra)
    else:
        q = qemu_test.boot(args, smp=2, memory="1G", initrd=module, extra=extra)
    try:
        if q.wait_for(MARKER.pattern, deadline=600) is None:
            sys.exit("bench: Linux did not reach its marker:\n" + q.text()[-2000:])
        wall = time.monotonic() - start
        # The whole line: a partial one may be in the output already.
        if q.wait_for(r"ferrovisor-bench: linux_shell_loop [0-9.]+ s\r?$", deadline=600) is None:
            sys.exit("bench: the shell loop did not finish:\n" + q.text()[-2000:])
        figures = {name: float(value) for name, value in LINUX_LINE.findall(q.text())}
        figures["linux_boot_wall"] = wall
        return figures
    finally:
        q.stop()


def print_linux_ratios(args):
    with tempfile.TemporaryDirectory() as workdir:
        module = compose_bench_system(args, workdir)
        runs = {(native, icount): [] for native in (True, False) for icount in (False, True)}
        for _ in range(args.repeat):  # alternating, so that machine noise hits both
            for icount in (False, True):
                for native in (True, False):
                    runs[native, icount].append(linux_run(args, native, module, icount))
    # Wall-clock figures are bimodal on QEMU for native runs and guests alike (host
    # noise, and whether QEMU's TLB was last resized small: docs/architecture.md,
    # Measuring), and noise only ever adds time: the best runs are printed too.
    for name in ("linux_boot_to_marker", "linux_boot_wall", "linux_shell_loop"):
        native = [r[name] for r in runs[True, False]]
        guest = [r[name] for r in runs[False, False]]
        med_n, med_g = statistics.median(native), statistics.median(guest)
        print(f"{name}_ratio: {med_g / med_n:.2f} x native ({med_g:.2f} s in a guest, "
              f"{med_n:.2f} s natively, median of {args.repeat}; best runs: "
              f"{min(guest) / min(native):.2f} x, {min(guest):.2f} s and {min(native):.2f} s)")
    # Under -icount the guest's clock counts retired instructions (of every hart, and
    # the hypervisor's): far less noisy than wall time, though not the same on every run.
    for name in ("linux_boot_to_marker", "linux_shell_loop"):
        native = statistics.median(r[name] for r in runs[True, True])
        guest = statistics.median(r[name] for r in runs[False, True])
        print(f"{name}_icount_ratio: {guest / native:.2f} x native ({guest:.2f} s in a guest, "
              f"{native:.2f} s natively, virtual seconds of 10^9 instructions under -icount, "
              f"median of {args.repeat})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--platform", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--guests", help="directory of the test guests: adds guest ratios")
    parser.add_argument("--linux", nargs=2, metavar=("KERNEL", "INITRD"),
                        help="adds Linux ratios (needs --fvconfig and --programs)")
    parser.add_argument("--fvconfig", help="the fvconfig tool")
    parser.add_argument("--programs", help="the image's archive directory")
    parser.add_argument("--repeat", type=int, default=7, help="Linux boots of each kind")
    args = parser.parse_args()
    figures = run(args, "ferrovisor.root=bench")
    figures += run(args, "ferrovisor.root=bench ferrovisor.bench=instructions",
                   extra=("-icount", "shift=0"))
    for name, value, unit in figures:
        print(f"{name}: {value} {unit}")
    if args.guests:
        print_ratios(args)
    if args.linux:
        print_linux_ratios(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
