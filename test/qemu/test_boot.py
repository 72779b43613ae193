#!/usr/bin/env python3
"""QEMU tests of the kernel's boot: banner, harts, refusals, panics.

usage: test_boot.py --platform DIR --image FILE CASE [ARG...]
  banner SMP MEMORY   the one banner line reports SMP harts and MEMORY; every hart reports in
  no-h                without the H extension the kernel refuses to boot
  panic SMP           a kernel fault prints cause, sepc, stval, registers; every hart halts
  bad-dtb KIND        a device tree QEMU's firmware accepts but the kernel must refuse
  linux-native KERNEL INITRD
                      Linux with the guests' initramfs, without the hypervisor: its /init
                      reports in, a command typed on the console runs, poweroff ends QEMU
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import qemu_test

BANNER = (r"^ferrovisor: platform=(\S+) harts=(\d+) memory=(\d+) MiB "
          r"isa=(rv64[a-z0-9_]+)\r?\n")


def mib(size):
    return int(size[:-1]) * 1024 if size.endswith("G") else int(size.rstrip("M"))


def case_banner(args, checks):
    smp, memory = int(args.rest[0]), args.rest[1]
    q = qemu_test.boot(args, smp=smp, memory=memory)
    try:
        done = q.wait_for(r"^ferrovisor: boot complete: (\d+) of (\d+) harts online")
        checks.check(done is not None, "boot completes")
        banners = re.findall(BANNER, q.text(), re.M)
        checks.check(len(banners) == 1, f"exactly one banner line (saw {len(banners)})")
        if banners:
            platform, harts, mem, isa = banners[0]
            checks.check(platform == os.path.basename(args.platform),
                         f"platform is {platform}")
            checks.check(int(harts) == smp, f"harts={harts}, expected {smp}")
            checks.check(int(mem) == mib(memory), f"memory={mem} MiB, expected {mib(memory)}")
            checks.check("h" in isa.split("_")[0][4:], f"hart 0 ISA {isa[:16]}... has h")
        ext = re.search(r"^ferrovisor: extensions: (.*)$", q.text(), re.M)
        checks.check(ext is not None and "h=yes" in ext.group(1).split(),
                     "extensions line reports h=yes")
        online = re.findall(r"^ferrovisor: hart (\d+) online", q.text(), re.M)
        checks.check(len(set(online)) == smp - 1,
                     f"{smp - 1} secondary harts reported in (saw {len(set(online))})")
        if done:
            checks.check(done[0] == (str(smp), str(smp)), f"{smp} of {smp} harts online")
        checks.check("PANIC" not in q.text(), "no panic")
    finally:
        q.stop()
    return q


def case_no_h(args, checks):
    q = qemu_test.boot(args, smp=2, cpu="rv64,h=false")
    try:
        stopped = q.wait_for(r"^ferrovisor: halting all harts")
        checks.check(stopped is not None, "the kernel stops")
        text = q.text()
        checks.check(re.search(r"^ferrovisor: extensions: .*\bh=no\b", text, re.M) is not None,
                     "extensions line reports h=no")
        checks.check(re.search(r"lacks the 'h' extension", text) is not None,
                     "the refusal names the H extension")
        checks.check("boot complete" not in text, "boot does not complete")
        checks.check(re.search(r"hart \d+ online", text) is None, "no other hart is started")
    finally:
        q.stop()
    return q


def case_panic(args, checks):
    smp = int(args.rest[0])
    q = qemu_test.boot(args, smp=smp, append="ferrovisor.selftest=panic")
    try:
        checks.check(q.wait_for(r"^ferrovisor: halting all harts") is not None,
                     "halting announced")
        halted = q.wait_for(r"^ferrovisor: hart (\d+) halted", count=smp - 1)
        checks.check(halted is not None and len(set(halted)) == smp - 1,
                     f"all {smp - 1} other harts halted")
        text = q.text()
        checks.check(re.search(r"^ferrovisor: PANIC on hart \d+: unexpected exception",
                               text, re.M) is not None, "PANIC line")
        checks.check(re.search(r"cause=0x2 \(illegal instruction\) sepc=0x[0-9a-f]{16} "
                               r"stval=0x[0-9a-f]{16}", text) is not None,
                     "cause, sepc and stval printed")
        regs = re.findall(r"^ferrovisor:  (zero|tp|s0|a2|a6|s4|s8|t3) ", text, re.M)
        checks.check(len(regs) == 8, f"8 register lines (saw {len(regs)})")
        checks.check("boot complete" not in text, "boot does not complete")
    finally:
        q.stop()
    return q


def dump_dtb(args, workdir, smp=2, memory="256M"):
    conf = qemu_test.fvqemu.load_platform(args.platform)
    dtb = os.path.join(workdir, "virt.dtb")
    subprocess.run([conf["binary"], "-M", f"{conf['machine']},dumpdtb={dtb}",
                    "-cpu", conf["cpu"], "-smp", str(smp), "-m", memory,
                    "-display", "none"], check=True, capture_output=True)
    return subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", dtb], check=True,
                          capture_output=True, text=True).stdout


def remove_node(dts, name):
    """Removes the node `name {...};` (no nested braces inside) from dts text."""
    return re.sub(r"\n\t" + re.escape(name) + r" \{.*?\n\t\};", "", dts, flags=re.S)


# Each kind breaks the tree in a way OpenSBI tolerates but the kernel must refuse.
BAD_DTBS = {
    "no-memory": (lambda d: remove_node(d, "memory@80000000"), "no memory node"),
    "bad-memory-reg": (lambda d: re.sub(r"(memory@80000000 \{[^}]*reg = <)[^>]*>",
                                        r"\g<1>0x00 0x80000000 0x00>", d, flags=re.S),
                       "no memory node, or a memory reg that does not parse"),
    "rv32-isa": (lambda d: re.sub(r"(cpu@0 \{.*?riscv,isa = \")rv64", r"\1rv32", d, flags=re.S),
                 "hart 0 has no rv64 riscv,isa string"),
}


def case_bad_dtb(args, checks):
    kind = args.rest[0]
    mutate, reason = BAD_DTBS[kind]
    with tempfile.TemporaryDirectory() as workdir:
        dts = mutate(dump_dtb(args, workdir))
        path = os.path.join(workdir, f"{kind}.dtb")
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", path, "-"], input=dts,
                       check=True, text=True)
        q = qemu_test.boot(args, smp=2, memory="256M", dtb=path)
        try:
            stopped = q.wait_for(r"^ferrovisor: stopping: (.*)$")
            checks.check(stopped is not None, "the kernel stops with a message")
            text = q.text()
            checks.check(re.search(r"the device tree at 0x[0-9a-f]+ is unusable: " +
                                   re.escape(reason), text) is not None,
                         f"the reason is given: {reason}")
            checks.check("boot complete" not in text, "boot does not complete")
        finally:
            q.stop()
    return q


def case_kerneltest(args, checks):
    """The root task starts the kernel test suite; every check passes."""
    smp, memory = int(args.rest[0]), args.rest[1]
    q = qemu_test.boot(args, smp=smp, memory=memory)
    try:
        done = q.wait_for(r"^kerneltest: (\d+) passed, (\d+) failed")
        checks.check(done is not None, "the kernel test suite runs to the end")
        if done:
            passed, failed = map(int, done[0])
            checks.check(failed == 0, f"kernel tests: {failed} failed")
            checks.check(passed >= 60, f"kernel tests: {passed} passed")
        text = q.text()
        checks.check(re.search(r"^ferrovisor: root task: \d+ untyped regions", text, re.M)
                     is not None, "the kernel made the root task")
        checks.check(re.search(r"^root: running in user mode: %d harts" % smp, text, re.M)
                     is not None, "the root task sees every hart")
        checks.check(re.search(r"^kerneltest: printf says 42, hello, 2.500$", text, re.M)
                     is not None, "musl's printf reaches the console through the console server")
        # The one thread stopped on purpose is the one whose address space was deleted.
        unexpected = re.findall(r"stopped: (?!its address space is gone).*", text)
        unexpected += re.findall(r".*(?:stopped a thread on a fault|stopped on fault|"
                                 r"is not served).*", text)
        checks.check("PANIC" not in text and not unexpected,
                     f"no panic and no unexpected fault or system call {unexpected[:1]}")
    finally:
        q.stop()
    return q


def case_guest(args, checks):
    """A bare-metal test guest runs in VS-mode; its VMM serves its SBI calls. A fifth
    argument names the QEMU machine (plain `virt`: the guest gets the emulated PLIC)."""
    name, vcpus, smp, memory = args.rest[0], args.rest[1], int(args.rest[2]), args.rest[3]
    machine = args.rest[4] if len(args.rest) > 4 else None
    q = qemu_test.boot(args, smp=smp, memory=memory, machine=machine,
                       append=f"ferrovisor.guest={name}:{vcpus}")
    try:
        checks.check(q.wait_for(r"^vmm: %s: started" % name) is not None,
                     "the root task starts the guest's VMM")
        done = q.wait_for(r"^\[%s\] %s: (\d+) passed, (\d+) failed" % (name, name))
        checks.check(done is not None, "the guest runs its checks to the end")
        if done:
            passed, failed = map(int, done[0])
            checks.check(failed == 0 and passed >= 10, f"guest checks: {passed} passed, {failed} failed")
        checks.check(q.wait_for(r"^vmm: %s: the guest shut down" % name) is not None,
                     "SBI system reset ends the guest")
        if name == "sbitest":
            checks.check(re.search(r"^\[sbitest\] sbitest: hello through the UART$", q.text(), re.M)
                         is not None, "the guest writes through the emulated UART")
            # QEMU's rv64 has Zicbom and Zicboz: the guest must be told, and get them working.
            checks.check(re.search(r"^\[sbitest\] sbitest: ok: ISA0002 ", q.text(), re.M)
                         is not None, "the host's cache-block extensions reach the guest")
        text = q.text()
        checks.check("FAIL" not in text and "PANIC" not in text, "no failed check and no panic")
    finally:
        q.stop()
    return q


def case_isolation(args, checks):
    """One guest writes outside its memory: its VMM stops it, the other guest runs to the end."""
    q = qemu_test.boot(args, smp=2, memory="256M",
                       append="ferrovisor.guest=wild,sbitest:2 ferrovisor.audit")
    try:
        for a, b in (("wild", "sbitest"), ("sbitest", "wild")):
            audit = q.wait_for(r"^root: audit: %s's VMM holds (\d+) capabilities, (\d+) to "
                               r"objects of %s$" % (a, b))
            checks.check(audit is not None and int(audit[0][0]) > 20 and audit[0][1] == "0",
                         f"{a}'s VMM holds no capability to an object of {b} "
                         f"({audit[0] if audit else 'no audit'})")
        stopped = q.wait_for(r"^vmm: wild: no memory or device there: exit 23 .*"
                             r"\(address 0x90000000\): guest stopped")
        checks.check(stopped is not None, "the wild guest's store reaches its VMM, which stops it")
        done = q.wait_for(r"^\[sbitest\] sbitest: (\d+) passed, (\d+) failed")
        checks.check(done is not None and done[0][1] == "0", "the other guest runs to the end")
        text = q.text()
        checks.check("wild: FAIL" not in text and "PANIC" not in text,
                     "the write never went through, and no panic")
    finally:
        q.stop()
    return q


def case_isolation_restart(args, checks):
    """With the restart policy a faulting guest starts again (a few times), then stops."""
    q = qemu_test.boot(args, smp=2, memory="256M",
                       append="ferrovisor.guest=wild:1:restart,sbitest:2")
    try:
        stopped = q.wait_for(r"^vmm: wild: no memory or device there: .*guest stopped$")
        checks.check(stopped is not None, "after its restarts the wild guest is stopped")
        restarts = re.findall(r"^vmm: wild: no memory or device there: .*guest restarted$",
                              q.text(), re.M)
        checks.check(len(restarts) == 3, f"it was restarted 3 times ({len(restarts)})")
        started = re.findall(r"^\[wild\] wild: writing", q.text(), re.M)
        checks.check(len(started) == 4, f"and ran 4 times ({len(started)})")
        done = q.wait_for(r"^\[sbitest\] sbitest: (\d+) passed, (\d+) failed")
        checks.check(done is not None and done[0][1] == "0", "the other guest runs to the end")
    finally:
        q.stop()
    return q


def case_uart_irq(args, checks):
    """A key typed on the console reaches the root task as a UART interrupt; with an
    argument, on that QEMU machine (such as plain `virt`, whose controller is a PLIC)."""
    machine = args.rest[0] if args.rest else None
    q = qemu_test.boot(args, smp=2, memory="256M", machine=machine,
                       append="ferrovisor.test=uart-irq")
    try:
        waiting = q.wait_for(r"^kerneltest: waiting for a key on the console")
        checks.check(waiting is not None, "the kernel test suite waits for a key")
        if waiting:
            q.proc.stdin.write(b"z")
            q.proc.stdin.flush()
        got = q.wait_for(r"^kerneltest: key '(.)' arrived by interrupt (\d+)")
        checks.check(got is not None and got[0][0] == "z", "the key arrived by interrupt")
        done = q.wait_for(r"^kerneltest: (\d+) passed, (\d+) failed")
        checks.check(done is not None and done[0][1] == "0", "every kernel test passed")
    finally:
        q.stop()
    return q


def case_fuzz(args, checks):
    """A seeded run of the system-call fuzzer; the kernel and a bystander must survive."""
    seed, calls = args.rest[0], args.rest[1]
    q = qemu_test.boot(args, smp=2, memory="256M",
                       append=f"ferrovisor.root=fuzz ferrovisor.fuzz.seed={seed} "
                              f"ferrovisor.fuzz.calls={calls}")
    try:
        done = q.wait_for(r"^fuzz: (\d+) passed, (\d+) failed", deadline=3600)
        checks.check(done is not None, f"the fuzzer finished (seed {seed})")
        if done:
            checks.check(done[0] == ("1", "0"), f"kernel and bystander intact (seed {seed})")
        made = re.search(r"^fuzz: (\d+) calls done", q.text(), re.M)
        checks.check(made is not None and made.group(1) == calls, f"{calls} calls made")
        checks.check("PANIC" not in q.text(), "no kernel panic")
    finally:
        q.stop()
    return q


def case_linux_native(args, checks):
    """The Debian kernel boots natively with the initramfs; its shell takes typed commands."""
    kernel, initrd = args.rest[0], args.rest[1]
    start = time.monotonic()
    q = qemu_test.boot(args, image=kernel, smp=2, memory="256M",
                       append="console=ttyS0 no4lvl quiet", extra=["-initrd", initrd])
    try:
        marker = r"^ferrovisor-guest (\S+) up: cpus=(\d+) mem=(\d+)\r?\n"  # whole lines only
        # A panic (no usable initramfs, say) ends the wait early.
        q.wait_for(marker + r"|Kernel panic - not syncing", deadline=240)
        up = re.findall(marker, q.text(), re.M)
        checks.check(bool(up), "/init reports in")
        if not up:
            return q
        print(f"linux-native: {time.monotonic() - start:.1f} s to the /init line", flush=True)
        name, cpus, mem = up[0]
        checks.check(name == "native", f"name={name}, expected native")
        checks.check(int(cpus) == 2, f"cpus={cpus}, expected 2")
        checks.check(150000 <= int(mem) <= 262144, f"mem={mem} kB, between 150000 and 262144")
        checks.check(q.wait_for(r"^native# ") is not None, "the shell prompts")
        q.type("echo answer-$((6*7))")
        checks.check(q.wait_for(r"^answer-42\r?$") is not None, "a typed command runs")
        q.type("poweroff -f")
        status = q.exited(deadline=60)
        checks.check(status == 0, f"poweroff ends QEMU (exit status {status})")
        checks.check(re.search(r"Kernel panic|Oops|BUG:", q.text()) is None,
                     "no kernel panic, oops or bug")
    finally:
        q.stop()
    return q


def case_linux_guests(args, checks):
    """The default system: two Debian Linux guests, each behind its own VMM, boot to a shell."""
    module = args.rest[0]
    start = time.monotonic()
    q = qemu_test.boot(args, smp=2, memory="1G", initrd=module)
    try:
        marker = r"^\[(alpha|beta)\] ferrovisor-guest (\S+) up: cpus=(\d+) mem=(\d+)\r?\n"
        q.wait_for(marker + r"|Kernel panic - not syncing", deadline=300, count=2)
        up = {m[0]: m[1:] for m in re.findall(marker, q.text(), re.M)}
        checks.check(set(up) == {"alpha", "beta"}, f"both guests report in ({sorted(up)})")
        print(f"linux-guests: {time.monotonic() - start:.1f} s to both /init lines", flush=True)
        for guest, cpus in (("alpha", 1), ("beta", 2)):
            if guest not in up:
                continue
            name, seen_cpus, mem = up[guest]
            checks.check(name == guest, f"{guest}: its init knows its name ({name})")
            checks.check(int(seen_cpus) == cpus, f"{guest}: cpus={seen_cpus}, expected {cpus}")
            checks.check(150000 <= int(mem) <= 262144, f"{guest}: mem={mem} kB")
        if set(up) == {"alpha", "beta"}:
            drive_two_guests(q, checks)
        checks.check(re.search(r"Kernel panic|Oops|BUG:|vmm: .*stopped", q.text()) is None,
                     "no guest panic, oops, bug or stop")
    finally:
        q.stop()
    return q


def command(q, guest, line, answer):
    """Types `line` in `guest` and waits for `answer`, then for its next prompt."""
    mark = q.mark()
    q.type(line)
    found = q.wait_after(mark, r"^\[%s\] %s\r?\n" % (guest, answer))
    if found:
        q.wait_after(found.end(), r"%s# " % guest)
    return found is not None


def drive_two_guests(q, checks):
    """Types on the console as a person would: in alpha, then (Ctrl-T 2) in beta, then back."""
    checks.check(q.wait_for(r"^\[alpha\] alpha# ") is not None, "alpha prompts")
    checks.check(q.wait_for(r"^\[beta\] beta# ") is not None, "beta prompts")
    checks.check(command(q, "alpha", "echo alpha-$((6*7))", "alpha-42"),
                 "alpha has the input first and runs a typed command")
    mark = q.mark()
    q.keys(b"\x142")
    checks.check(q.wait_after(mark, r"^console: input goes to beta$") is not None,
                 "Ctrl-T 2 switches to beta")
    checks.check(command(q, "beta", "grep -c ^processor /proc/cpuinfo", "2"),
                 "beta runs the command and sees 2 CPUs")
    mark = q.mark()
    q.type("reboot -f")
    checks.check(q.wait_after(mark, r"^vmm: beta: the guest restarts") is not None,
                 "beta reboots: SBI system reset restarts that guest only")
    again = q.wait_after(mark, r"^\[beta\] ferrovisor-guest beta up: cpus=2", deadline=300)
    checks.check(again is not None, "beta boots again")
    checks.check(again is not None and q.wait_after(again.end(), r"beta# ") is not None,
                 "beta prompts again")
    mark = q.mark()
    q.type("poweroff -f")
    checks.check(q.wait_after(mark, r"^vmm: beta: the guest shut down") is not None,
                 "beta powers off: SBI system reset ends that guest only")
    mark = q.mark()
    q.keys(b"\x141")
    checks.check(q.wait_after(mark, r"^console: input goes to alpha$") is not None,
                 "Ctrl-T 1 switches back")
    checks.check(command(q, "alpha", "echo still-$((40+2))", "still-42"),
                 "alpha keeps running after beta is off")


CASES = {"banner": case_banner, "fuzz": case_fuzz, "kerneltest": case_kerneltest, "guest": case_guest, "isolation": case_isolation, "uart-irq": case_uart_irq, "no-h": case_no_h, "panic": case_panic,
         "bad-dtb": case_bad_dtb, "linux-native": case_linux_native,
         "isolation-restart": case_isolation_restart,
         "linux-guests": case_linux_guests}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--platform", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("rest", nargs="*")
    args = parser.parse_args()
    checks = qemu_test.Checks(f"boot.{args.case}")
    q = CASES[args.case](args, checks)
    return checks.finish(q)


if __name__ == "__main__":
    sys.exit(main())
