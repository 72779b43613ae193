#!/usr/bin/env python3
"""Builds the QEMU command line of a platform and boots an image on it.

Used by `scripts/ferrovisor run` (console on the terminal) and, as a module,
by the QEMU tests (console on a pipe).
"""
import argparse
import os
import re
import signal
import subprocess
import sys

SIZE_RE = re.compile(r"^[1-9][0-9]*[MG]?$")


def load_platform(platform_dir):
    """Reads platforms/<name>/qemu.conf: key=value lines, # comments."""
    conf = {}
    path = os.path.join(platform_dir, "qemu.conf")
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise ValueError(f"{path}:{number}: expected key=value")
            conf[key.strip()] = value.strip()
    for key in ("binary", "machine", "cpu", "bios", "smp", "memory"):
        if key not in conf:
            raise ValueError(f"{path}: missing '{key}'")
    return conf


def command_line(conf, image, smp=None, memory=None, cpu=None, machine=None,
                 append=None, dtb=None, initrd=None, console="terminal", extra=()):
    """The QEMU command that boots `image` on the platform `conf`."""
    cmd = [conf["binary"],
           "-M", machine or conf["machine"],
           "-cpu", cpu or conf["cpu"],
           "-smp", str(smp or conf["smp"]),
           "-m", str(memory or conf["memory"]),
           "-bios", conf["bios"],
           "-kernel", image]
    if append:
        cmd += ["-append", append]
    if dtb:
        cmd += ["-dtb", dtb]
    if initrd:
        cmd += ["-initrd", initrd]
    if console == "terminal":
        cmd += ["-nographic"]
    else:
        cmd += ["-display", "none", "-monitor", "none", "-serial", "stdio"]
    return cmd + list(extra)


def check_options(args):
    if args.smp is not None and (not args.smp.isdigit() or int(args.smp) < 1):
        sys.exit(f"ferrovisor: error: --smp wants a positive number, not '{args.smp}'")
    if args.memory is not None and not SIZE_RE.match(args.memory):
        sys.exit(f"ferrovisor: error: --memory wants a size such as 704M or 2G, "
                 f"not '{args.memory}'")
    if args.timeout is not None and args.timeout <= 0:
        sys.exit("ferrovisor: error: --timeout wants a positive number of seconds")


def main():
    parser = argparse.ArgumentParser(description="boot a Ferrovisor image in QEMU")
    parser.add_argument("--platform", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--smp")
    parser.add_argument("--memory")
    parser.add_argument("--timeout", type=float)
    parser.add_argument("--initrd", help="a boot module: the system's archive")
    parser.add_argument("qemu_args", nargs="*")
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    args = parser.parse_args(argv)
    check_options(args)
    conf = load_platform(args.platform)
    cmd = command_line(conf, args.image, smp=args.smp, memory=args.memory, initrd=args.initrd,
                       extra=extra + args.qemu_args)
    print("ferrovisor: run: " + " ".join(cmd), file=sys.stderr, flush=True)
    if args.timeout is None:
        os.execvp(cmd[0], cmd)
    proc = subprocess.Popen(cmd)
    try:
        proc.wait(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        # -nographic may leave the terminal in raw mode when QEMU is killed.
        if sys.stdin.isatty():
            subprocess.run(["stty", "sane"], check=False)
        print(f"\nferrovisor: run: stopped QEMU after {args.timeout:g} s", file=sys.stderr)
        return 0
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
