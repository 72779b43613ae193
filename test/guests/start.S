/* Entry of a test guest: a0 = hart id, a1 = device tree, as a kernel gets them. */
	.section .text.start, "ax"
	.globl _start
_start:
	la	sp, stack_top
	call	guest_main
1:	wfi
	j	1b
