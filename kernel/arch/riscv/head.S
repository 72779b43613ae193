/*
 * Kernel entry from the SBI firmware, in S-mode (HS with the H extension),
 * MMU off, at the physical load address: a0 = hart id, a1 = device tree.
 *
 * Builds a one-page boot table (the kernel's gigapage at its link address
 * plus the gigapages around the device tree in the physical window), turns
 * the MMU on and continues at the link address. C code then builds the real
 * tables (arch/riscv/mmu.c).
 */
#include <fv/config.h>
#include <arch/layout.h>

#define PTE_KERNEL_RWX 0xef /* V R W X G A D */
#define GIGA_SHIFT 30

	.section .text.head, "ax"
	.option norvc
	.globl _start
_start:
	/* RISC-V Image header (Linux Documentation/arch/riscv/boot-image-header.rst). */
	j	boot_entry		/* code0 */
	nop				/* code1 */
	.dword	0x200000		/* text_offset from a 2 MiB aligned RAM base */
	.dword	__kernel_image_size	/* image_size, bss included */
	.dword	0			/* flags: little endian */
	.word	2			/* header version 0.2 */
	.word	0
	.dword	0
	.ascii	"RISCV\0\0\0"		/* magic (deprecated) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0
	.option rvc

boot_entry:
	csrw	sie, zero
	csrw	sstatus, zero
	mv	s0, a0
	mv	s1, a1

	/* The offset within a gigapage must match the link address. */
	la	t0, _start
	li	t1, CONFIG_KERNEL_VIRT_BASE
	li	t2, (1 << GIGA_SHIFT) - 1
	and	t3, t0, t2
	and	t4, t1, t2
	bne	t3, t4, bad_load_address

	/* boot_pt[VPN2(link address)] = kernel gigapage. */
	la	t5, boot_pt
	srli	t3, t0, GIGA_SHIFT
	slli	t3, t3, 28		/* PPN field: (pa >> 12) << 10 */
	ori	t3, t3, PTE_KERNEL_RWX
	srli	t4, t1, GIGA_SHIFT
	andi	t4, t4, 511
	slli	t4, t4, 3
	add	t4, t4, t5
	sd	t3, 0(t4)

	/* The device tree and the gigapage after it, in the physical window. */
	srli	t3, s1, GIGA_SHIFT
	li	t6, 2
1:	slli	t4, t3, 28
	ori	t4, t4, PTE_KERNEL_RWX
	li	a2, PPTR_BASE_VPN2
	add	a2, a2, t3
	andi	a2, a2, 511
	slli	a2, a2, 3
	add	a2, a2, t5
	sd	t4, 0(a2)
	addi	t3, t3, 1
	addi	t6, t6, -1
	bnez	t6, 1b

	/* kernel_virt_offset = link address - load address, for C. */
	sub	s2, t1, t0

	srli	t5, t5, 12
	li	t3, 8 << 60		/* Sv39 */
	or	t5, t5, t3
	la	t3, boot_high
	add	t3, t3, s2
	csrw	stvec, t3
	sfence.vma
	/* The next fetch faults and lands on stvec: boot_high at its link address. */
	csrw	satp, t5
	nop

	.balign 4
boot_high:
	la	sp, hart_stacks
	li	t0, KERNEL_STACK_SIZE
	add	sp, sp, t0

	la	t0, __bss_start
	la	t1, __bss_end
2:	bgeu	t0, t1, 3f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	2b
3:
	mv	a0, s0
	mv	a1, s1
	mv	a2, s2
	call	kernel_main
4:	wfi
	j	4b

bad_load_address:
	la	s2, bad_load_message
5:	lbu	a0, 0(s2)
	beqz	a0, 6f
	li	a7, 1			/* legacy console_putchar */
	ecall
	addi	s2, s2, 1
	j	5b
6:	wfi
	j	6b

/*
 * Secondary harts, started through SBI HSM: a0 = hart id, a1 = logical
 * index. They switch straight to the kernel's final table.
 */
	.globl secondary_entry
	.balign 4
secondary_entry:
	csrw	sie, zero
	csrw	sstatus, zero
	la	t0, secondary_satp
	ld	t0, 0(t0)
	la	t1, secondary_high
	la	t2, kernel_virt_offset_boot
	ld	t2, 0(t2)
	add	t1, t1, t2
	csrw	stvec, t1
	sfence.vma
	csrw	satp, t0
	nop

	.balign 4
secondary_high:
	sfence.vma
	la	sp, hart_stacks
	addi	t0, a1, 1
	li	t1, KERNEL_STACK_SIZE
	mul	t0, t0, t1
	add	sp, sp, t0
	call	secondary_main
7:	wfi
	j	7b

	.section .rodata
bad_load_message:
	.asciz	"ferrovisor: error: not loaded at its link address modulo 1 GiB; stopping\n"

	.section .data.boot_pt, "aw"
	.balign 4096
boot_pt:
	.zero	4096
