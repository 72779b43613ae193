/*
 * Start of a freestanding Ferrovisor program: the kernel (or the parent)
 * enters here with sp set and a0 = the start argument (boot info for the
 * root task).
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
1:	j	1b
