/*
 * Start of every Ferrovisor program: the kernel (or the loader) enters here
 * with sp set and a0 = boot info (root task) or start info (fv/loader.h).
 */
	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	andi	sp, sp, -16
	call	fv_runtime_start
	/* No runtime: stop this thread for good. */
1:	li	a7, -5		/* FV_SYS_YIELD */
	ecall
	j	1b
