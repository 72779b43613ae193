/*
 * The one trap vector. sscratch is 0 while the hart runs the kernel and
 * holds the current thread's struct user_context while it runs user mode,
 * which tells the two entry paths apart with one instruction.
 */
#include <arch/context.h>

#define FRAME_SIZE (36 * 8)
#define REG(n) ((n) * 8)
#define SEPC    REG(32)
#define SSTATUS REG(33)
#define SCAUSE  REG(34)
#define STVAL   REG(35)

	.section .text
	.balign 4
	.globl trap_entry
trap_entry:
	csrrw	tp, sscratch, tp
	bnez	tp, trap_from_user
	csrrw	tp, sscratch, tp

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

/* tp = the thread's user_context, sscratch = its user tp. */
trap_from_user:
	.irp	n, 1,2,3,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, REG(\n)(tp)
	.endr
	csrr	t0, sscratch
	sd	t0, REG(4)(tp)
	csrw	sscratch, zero
	csrr	t0, sepc
	sd	t0, CTX_SEPC(tp)
	csrr	t0, sstatus
	sd	t0, CTX_SSTATUS(tp)
	csrr	t0, scause
	sd	t0, CTX_SCAUSE(tp)
	csrr	t0, stval
	sd	t0, CTX_STVAL(tp)
	mv	a0, tp
	ld	sp, CTX_KERNEL_SP(a0)
	ld	tp, CTX_KERNEL_TP(a0)
	call	riscv_trap_from_user
1:	j	1b

/* restore_user_context(ctx): enters user mode with ctx's registers. */
	.globl restore_user_context
restore_user_context:
	csrw	sscratch, a0
	ld	t0, CTX_SEPC(a0)
	csrw	sepc, t0
	ld	t0, CTX_SSTATUS(a0)
	csrw	sstatus, t0
	.irp	n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, REG(\n)(a0)
	.endr
	ld	a0, REG(10)(a0)
	sret

/* idle_on_stack(stack_top): the idle loop, starting from an empty stack. */
	.globl idle_on_stack
idle_on_stack:
	mv	sp, a0
	li	t0, 0x202	/* SSIE and SEIE: IPIs and devices wake an idle hart */
	csrs	sie, t0
	csrsi	sstatus, 0x2	/* SIE */
1:	wfi
	j	1b
