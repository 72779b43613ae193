"""Small harness for QEMU tests: boot, watch the console, check, tally.

Every QEMU started here is stopped by the harness: when the test has seen
what it waits for, or when a generous deadline passes (a hung guest).
"""
import os
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "lib"))
import fvqemu  # noqa: E402

# A failure detector, not a performance limit: a healthy boot takes well under a second.
DEFAULT_DEADLINE = 120.0


class Qemu:
    """One QEMU process with its serial console on a pipe."""

    def __init__(self, cmd):
        self.cmd = cmd
        self.output = ""
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        while True:
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                return
            with self._lock:
                self.output += chunk.decode("utf-8", "replace")

    def text(self):
        with self._lock:
            return self.output

    def wait_for(self, pattern, deadline=DEFAULT_DEADLINE, count=1):
        """Waits until `pattern` matched `count` times; returns the matches or None."""
        regex = re.compile(pattern, re.M)
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            found = regex.findall(self.text())
            if len(found) >= count:
                return found
            if self.proc.poll() is not None:
                self._reader.join(timeout=2)
                found = regex.findall(self.text())
                return found if len(found) >= count else None
            time.sleep(0.02)
        return None

    def type(self, line, delay=0.02):
        """Types `line` and Enter on the console, one key at a time."""
        for key in line.encode() + b"\r":
            self.proc.stdin.write(bytes([key]))
            self.proc.stdin.flush()
            time.sleep(delay)

    def mark(self):
        """A place in the output: wait_after() looks only at what comes after it."""
        return len(self.text())

    def wait_after(self, mark, pattern, deadline=DEFAULT_DEADLINE):
        """Waits until `pattern` appears after `mark`; returns the match or None."""
        regex = re.compile(pattern, re.M)
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            found = regex.search(self.text(), mark)
            if found or self.proc.poll() is not None:
                return found or regex.search(self.text(), mark)
            time.sleep(0.02)
        return None

    def keys(self, raw):
        """Sends raw bytes (control keys) to the console."""
        self.proc.stdin.write(raw)
        self.proc.stdin.flush()
        time.sleep(0.1)

    def exited(self, deadline=DEFAULT_DEADLINE):
        """Waits for QEMU to exit by itself; returns its exit status or None."""
        try:
            return self.proc.wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=2)


class Checks:
    """Counts named checks and prints the closing `N passed, N failed` line."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        print(f"{'ok' if ok else 'FAIL'}: {what}", flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok

    def finish(self, qemu=None):
        if self.failed and qemu is not None:
            print("---- console output ----")
            print(qemu.text())
            print("---- end of console output ----")
        print(f"{self.name}: {self.passed} passed, {self.failed} failed", flush=True)
        return 1 if self.failed or not self.passed else 0


def boot(args, extra=(), image=None, **kwargs):
    """Boots args.image (or `image`, such as a Linux kernel) on the platform of args."""
    conf = fvqemu.load_platform(args.platform)
    cmd = fvqemu.command_line(conf, image or args.image, console="pipe", extra=extra, **kwargs)
    print("qemu: " + " ".join(cmd), flush=True)
    return Qemu(cmd)
