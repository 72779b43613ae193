/* The kernel's virtual memory layout (Sv39), shared by C and assembly. */
#ifndef ARCH_LAYOUT_H
#define ARCH_LAYOUT_H

/* Physical memory window: pa is reachable at PPTR_BASE + pa. */
#define PPTR_BASE      0xffffffc000000000
#define PPTR_BASE_VPN2 256
/* The window ends where the kernel image's 2 GiB begin. */
#define PPTR_LIMIT 0xffffffff80000000

#define KERNEL_STACK_SIZE 16384

#endif
