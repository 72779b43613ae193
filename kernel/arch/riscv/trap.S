/*
 * Trap entry while running in the kernel: save every register in a
 * struct trap_frame on the current stack, call the C handler, restore.
 */
#define FRAME_SIZE (36 * 8)
#define REG(n) ((n) * 8)
#define SEPC    REG(32)
#define SSTATUS REG(33)
#define SCAUSE  REG(34)
#define STVAL   REG(35)

	.section .text
	.balign 4
	.globl trap_entry_kernel
trap_entry_kernel:
	addi	sp, sp, -FRAME_SIZE
	sd	x1, REG(1)(sp)
	.irp	n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, REG(\n)(sp)
	.endr
	addi	t0, sp, FRAME_SIZE
	sd	t0, REG(2)(sp)
	sd	zero, REG(0)(sp)
	csrr	t0, sepc
	sd	t0, SEPC(sp)
	csrr	t0, sstatus
	sd	t0, SSTATUS(sp)
	csrr	t0, scause
	sd	t0, SCAUSE(sp)
	csrr	t0, stval
	sd	t0, STVAL(sp)

	mv	a0, sp
	call	riscv_trap_from_kernel

	ld	t0, SEPC(sp)
	csrw	sepc, t0
	ld	t0, SSTATUS(sp)
	csrw	sstatus, t0
	ld	x1, REG(1)(sp)
	.irp	n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, REG(\n)(sp)
	.endr
	addi	sp, sp, FRAME_SIZE
	sret
