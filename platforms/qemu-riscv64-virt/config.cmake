# Platform description of QEMU's RISC-V `virt` machine: the build-time facts.
# Everything that can be read from the device tree at boot is read there instead.
set(FV_ARCH riscv)
# Where the firmware (OpenSBI fw_dynamic) jumps: RAM base + 2 MiB.
set(FV_KERNEL_PHYS_BASE 0x80200000)
# The kernel image runs in the top 2 GiB of the Sv39 address space.
set(FV_KERNEL_VIRT_BASE 0xffffffff80200000)
# Most harts the kernel brings up (QEMU virt allows more; the rest are reported).
set(FV_MAX_HARTS 16)
# Kernel ISA: no floating point in the kernel, so traps need not save FP state.
set(FV_KERNEL_MARCH rv64imac_zicsr_zifencei)
set(FV_KERNEL_MABI lp64)
