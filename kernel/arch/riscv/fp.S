/*
 * Saving and restoring a user thread's floating-point registers. The
 * kernel itself is built without F/D and never touches them otherwise.
 */
	.option arch, +d
	.section .text

/* fp_save(uint64_t regs[33]): f0-f31, then fcsr. */
	.globl fp_save
fp_save:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, (\n * 8)(a0)
	.endr
	frcsr	t0
	sd	t0, 256(a0)
	ret

/* fp_restore(const uint64_t regs[33]) */
	.globl fp_restore
fp_restore:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, (\n * 8)(a0)
	.endr
	ld	t0, 256(a0)
	fscsr	t0
	ret
