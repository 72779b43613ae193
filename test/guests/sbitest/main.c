/*
 * sbitest: a bare-metal guest that calls the SBI its VMM implements, the
 * error cases included, prints one line per check and ends with
 * `sbitest: N passed, N failed`, then shuts its machine down.
 */
#include <stdbool.h>
#include <stdint.h>

#include "../sbi.h"

#define RAM_BASE 0x80000000ul

static unsigned passed, failed;

static void put_char(char c)
{
	sbi_call(SBI_LEGACY_PUTCHAR, 0, c, 0, 0);
}

static void put_string(const char *s)
{
	unsigned long len = 0;
	while (s[len])
		len++;
	/* The debug console takes the guest-physical address of the bytes. */
	sbi_call(SBI_EXT_DBCN, 0, (long)len, (long)(uintptr_t)s, 0);
}

static void put_number(unsigned n)
{
	char buf[12];
	int i = 0;
	do {
		buf[i++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (i > 0)
		put_char(buf[--i]);
}

static void check(int ok, const char *what)
{
	put_string(ok ? "sbitest: ok: " : "sbitest: FAIL: ");
	put_string(what);
	put_string("\n");
	if (ok)
		passed++;
	else
		failed++;
}

static void test_base(void)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0);
	check(r.error == 0 && r.value == 0x02000000, "SBI0001 BASE: the specification is v2.0");
	r = sbi_call(SBI_EXT_BASE, 1, 0, 0, 0);
	check(r.error == 0 && r.value != 0, "SBI0002 BASE: an implementation id");
	r = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_DBCN, 0, 0);
	check(r.error == 0 && r.value != 0, "SBI0003 BASE: the debug console is there");
	r = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_SRST, 0, 0);
	check(r.error == 0 && r.value != 0, "SBI0004 BASE: system reset is there");
	r = sbi_call(SBI_EXT_BASE, 3, 0x12345678, 0, 0);
	check(r.error == 0 && r.value == 0, "SBI0005 BASE: an unknown extension is absent");
	r = sbi_call(SBI_EXT_BASE, 99, 0, 0, 0);
	check(r.error == SBI_ERR_NOT_SUPPORTED, "SBI0006 BASE: an unknown function");
	r = sbi_call(0x12345678, 0, 0, 0, 0);
	check(r.error == SBI_ERR_NOT_SUPPORTED, "SBI0007 an unknown extension: NOT_SUPPORTED");
}

static void test_console(void)
{
	static const char line[] = "sbitest: written through DBCN\n";
	struct sbiret r = sbi_call(SBI_EXT_DBCN, 0, sizeof(line) - 1, (long)(uintptr_t)line, 0);
	check(r.error == 0 && r.value == (long)sizeof(line) - 1,
	      "SBI0008 DBCN: console_write returns the bytes written");
	r = sbi_call(SBI_EXT_DBCN, 0, 16, (long)(RAM_BASE - 0x1000), 0);
	check(r.error == SBI_ERR_INVALID_PARAM, "SBI0009 DBCN: a buffer outside guest RAM");
	r = sbi_call(SBI_EXT_DBCN, 0, 16, 0, 1);
	check(r.error == SBI_ERR_INVALID_PARAM, "SBI0010 DBCN: a buffer above 4 GiB (base_hi)");
	r = sbi_call(SBI_EXT_DBCN, 2, 'x', 0, 0);
	put_char('\n');
	check(r.error == 0, "SBI0011 DBCN: console_write_byte");
	r = sbi_call(SBI_LEGACY_PUTCHAR, 0, '\n', 0, 0);
	check(r.error == 0, "SBI0012 legacy console_putchar");
}

/* ---- the emulated ns16550a at 0x10000000 (MMIO exits decoded by the VMM) ---- */

#define UART     ((volatile uint8_t *)0x10000000ul)
#define UART_THR 0
#define UART_LSR 5
#define UART_SCR 7

static void uart_puts(const char *s)
{
	for (; *s; s++) {
		while (!(UART[UART_LSR] & 0x20))
			;
		UART[UART_THR] = (uint8_t)*s;
	}
}

static void test_uart(void)
{
	check((UART[UART_LSR] & 0x60) == 0x60,
	      "UART0001 the line status says the transmitter is empty");
	UART[UART_SCR] = 0x5a;
	check(UART[UART_SCR] == 0x5a, "UART0002 the scratch register keeps a byte");
	UART[4] = 0x0b;                                              /* MCR: DTR, RTS, OUT2 */
	volatile uint32_t *word = (volatile uint32_t *)0x10000004ul; /* a 32-bit load of MCR */
	check(*word == 0x0b, "UART0003 a 32-bit load of a byte register reads it, zero-extended");
	uart_puts("sbitest: hello through the UART\n");
}

/*
 * ---- interrupts: the guest's own timer (Sstc) and the UART through the
 * emulated PLIC, or with the AIA through the emulated APLIC to the vCPU's
 * IMSIC interrupt file, which the guest claims itself (stopei) ----
 */

#define PLIC_PRIORITY(s) ((volatile uint32_t *)(0x0c000000ul + 4 * (s)))
#define PLIC_ENABLE0     ((volatile uint32_t *)0x0c002000ul)
#define PLIC_THRESHOLD0  ((volatile uint32_t *)0x0c200000ul)
#define PLIC_CLAIM0      ((volatile uint32_t *)0x0c200004ul)
#define UART_IRQ         10
#define UART_IER         1
#define CAUSE_S_SOFT     ((1ul << 63) | 1)
#define CAUSE_S_TIMER    ((1ul << 63) | 5)
#define CAUSE_S_EXTERNAL ((1ul << 63) | 9)
#define HANG_TICKS       50000000ul /* 5 s at 10 MHz: only a bound for a hang, not a timing */
#define SIE_STIE         (1ul << 5)
#define SIE_SEIE         (1ul << 9)
#define SSTATUS_SIE      (1ul << 1)

/* The AIA as QEMU's virt machine and the VMM place them: an APLIC, an IMSIC file per hart. */
#define APLIC_REG(off)     ((volatile uint32_t *)(0x0d000000ul + (off)))
#define APLIC_DOMAINCFG    APLIC_REG(0)
#define APLIC_SOURCECFG(s) APLIC_REG(4 * (s))
#define APLIC_SETIENUM     APLIC_REG(0x1edc)
#define APLIC_SETIPNUM_LE  APLIC_REG(0x2000)
#define APLIC_TARGET(s)    APLIC_REG(0x3000 + 4 * (s))
#define IMSIC_FILE(hart)   ((volatile uint32_t *)(0x28000000ul + 0x1000ul * (hart)))
#define IMSIC_IPI_ID       1

static bool has_aia; /* the device tree describes an APLIC, not a PLIC */
static volatile unsigned timer_interrupts, external_interrupts, soft_interrupts, other_traps;
static volatile unsigned file_ipis;
static volatile uint32_t claimed;

/* An IMSIC register of this hart's interrupt file, through siselect and sireg. */
static void imsic_write(unsigned long reg, unsigned long value)
{
	__asm__ volatile("csrw 0x150, %0\n csrw 0x151, %1" ::"r"(reg), "r"(value));
}

/* Delivery on, threshold 0, identity `id` enabled (eie0: identities 0-63). */
static void imsic_enable(unsigned id)
{
	imsic_write(0x70, 1);
	imsic_write(0x72, 0);
	imsic_write(0xc0, 1ul << id);
}

/* The top pending identity of this hart's file, claimed (0: none). */
static uint32_t imsic_claim(void)
{
	unsigned long topei;
	__asm__ volatile("csrrw %0, 0x15c, zero" : "=r"(topei));
	return (uint32_t)(topei >> 16);
}

/* True if the tree at `dtb` holds `word` (a compatible string, for one). */
static bool dtb_mentions(const char *dtb, const char *word)
{
	const uint8_t *be = (const uint8_t *)dtb + 4; /* totalsize, big-endian */
	uint32_t size =
	    (uint32_t)be[0] << 24 | (uint32_t)be[1] << 16 | (uint32_t)be[2] << 8 | be[3];
	unsigned len = 0;
	while (word[len])
		len++;
	for (uint32_t i = 0; size > len && i < size - len; i++) {
		unsigned j = 0;
		while (j < len && dtb[i + j] == word[j])
			j++;
		if (j == len)
			return true;
	}
	return false;
}

static uint64_t read_time(void)
{
	uint64_t v;
	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}

static void write_stimecmp(uint64_t v)
{
	__asm__ volatile("csrw 0x14d, %0" ::"r"(v)); /* stimecmp: the guest's own (Sstc) */
}

__attribute__((interrupt("supervisor"), aligned(4))) static void trap_handler(void)
{
	uint64_t cause;
	__asm__ volatile("csrr %0, scause" : "=r"(cause));
	if (cause == CAUSE_S_SOFT) {
		__asm__ volatile("csrc sip, %0" ::"r"(2ul)); /* SSIP: the IPI is taken */
		soft_interrupts++;
	} else if (cause == CAUSE_S_TIMER) {
		write_stimecmp(UINT64_MAX);
		timer_interrupts++;
	} else if (cause == CAUSE_S_EXTERNAL && has_aia) {
		uint32_t id = imsic_claim();
		if (id == IMSIC_IPI_ID) {
			file_ipis++;
			return;
		}
		if (id == UART_IRQ)
			UART[UART_IER] = 0; /* nothing more to send */
		claimed = id;
		*APLIC_SETIPNUM_LE = id; /* pending again if the line were still high */
		external_interrupts++;
	} else if (cause == CAUSE_S_EXTERNAL) {
		uint32_t source = *PLIC_CLAIM0;
		if (source == UART_IRQ)
			UART[UART_IER] = 0; /* nothing more to send */
		claimed = source;
		*PLIC_CLAIM0 = source; /* complete */
		external_interrupts++;
	} else {
		other_traps++;
		__asm__ volatile("csrw sie, zero"); /* stop whatever this is */
	}
}

static void test_timer(void)
{
	write_stimecmp(read_time() + 10000); /* 1 ms at 10 MHz */
	__asm__ volatile("csrs sie, %0" ::"r"(SIE_STIE));
	for (uint64_t start = read_time(); !timer_interrupts && read_time() - start < HANG_TICKS;)
		__asm__ volatile("wfi");
	check(timer_interrupts == 1, "IRQ0001 the guest's own timer interrupts it");
	/* The same through SBI TIME, as a guest without Sstc would program it. */
	struct sbiret r = sbi_call(0x54494d45, 0, (long)(read_time() + 10000), 0, 0);
	for (uint64_t start = read_time();
	     timer_interrupts < 2 && read_time() - start < HANG_TICKS;)
		__asm__ volatile("wfi");
	check(r.error == 0 && timer_interrupts == 2,
	      "IRQ0006 SBI TIME set_timer interrupts the guest");
}

/* Source UART_IRQ, level high, to hart 0 as identity UART_IRQ of its interrupt file. */
static void route_uart_through_aplic(void)
{
	imsic_enable(UART_IRQ);
	*APLIC_SOURCECFG(UART_IRQ) = 6;
	*APLIC_TARGET(UART_IRQ) = UART_IRQ;
	*APLIC_SETIENUM = UART_IRQ;
	*APLIC_DOMAINCFG = 1u << 8; /* IE */
	check((*APLIC_DOMAINCFG & 0x104) == 0x104,
	      "AIA0001 the APLIC is on and in MSI delivery mode");
}

static void test_external_interrupt(void)
{
	if (has_aia) {
		route_uart_through_aplic();
	} else {
		*PLIC_PRIORITY(UART_IRQ) = 1;
		*PLIC_ENABLE0 = 1u << UART_IRQ;
		*PLIC_THRESHOLD0 = 0;
	}
	__asm__ volatile("csrs sie, %0" ::"r"(SIE_SEIE));
	UART[UART_IER] = 0x02; /* transmitter empty: raises the UART's line at once */
	for (uint64_t start = read_time();
	     !external_interrupts && read_time() - start < HANG_TICKS;)
		__asm__ volatile("wfi");
	check(external_interrupts == 1 && claimed == UART_IRQ,
	      has_aia ? "IRQ0002 the UART's interrupt arrives through the APLIC and IMSIC, claimed"
	              : "IRQ0002 the UART's interrupt arrives through the PLIC and is claimed");
	for (volatile unsigned i = 0; i < 100000; i++)
		;
	check(external_interrupts == 1, "IRQ0003 after complete, a quiet source stays quiet");
	check(has_aia ? imsic_claim() == 0 : *PLIC_CLAIM0 == 0, "IRQ0004 nothing left to claim");
	check(other_traps == 0, "IRQ0005 no unexpected trap");
}

static void test_interrupts(void)
{
	__asm__ volatile("csrw stvec, %0" ::"r"(trap_handler));
	__asm__ volatile("csrs sstatus, %0" ::"r"(SSTATUS_SIE));
	test_timer();
	test_external_interrupt();
	__asm__ volatile("csrc sstatus, %0" ::"r"(SSTATUS_SIE));
}

/* ---- user mode (VU): the guest's own user code, preempted by the hypervisor ---- */

#define CAUSE_ILLEGAL_INSN 2
#define CAUSE_USER_ECALL   8
#define SSTATUS_SPP        (1ul << 8)
/* 50 ms at QEMU virt's 10 MHz timebase: five of the hypervisor's 10 ms time slices. */
#define USER_SPIN_TICKS 500000ul

char user_stack[4096] __attribute__((aligned(16)));
uint64_t user_saved_sp;
static volatile uint64_t user_time_start, user_time_end;
static volatile uint64_t user_trap_cause = ~0ul, user_trap_status;
static volatile unsigned user_stage, user_illegal_traps, user_illegal_stages, user_other_traps;

/*
 * run_user(fn, sp) enters fn in user mode on the stack sp (sret with
 * sstatus.SPP = 0) and returns once the user trap handler has brought the
 * hart back to supervisor mode at user_return. The callee-saved registers
 * wait on the supervisor stack, whose pointer waits in user_saved_sp.
 */
void run_user(void (*fn)(void), char *sp);
void user_return(void);
__asm__(".balign 4\n"
        ".globl run_user\n"
        "run_user:\n"
        "	addi sp, sp, -112\n"
        "	sd ra, 0(sp)\n"
        "	sd s0, 8(sp)\n"
        "	sd s1, 16(sp)\n"
        "	sd s2, 24(sp)\n"
        "	sd s3, 32(sp)\n"
        "	sd s4, 40(sp)\n"
        "	sd s5, 48(sp)\n"
        "	sd s6, 56(sp)\n"
        "	sd s7, 64(sp)\n"
        "	sd s8, 72(sp)\n"
        "	sd s9, 80(sp)\n"
        "	sd s10, 88(sp)\n"
        "	sd s11, 96(sp)\n"
        "	la t0, user_saved_sp\n"
        "	sd sp, 0(t0)\n"
        "	csrw sepc, a0\n"
        "	li t0, 0x100\n" /* sstatus.SPP = 0: sret goes to user mode */
        "	csrc sstatus, t0\n"
        "	mv sp, a1\n"
        "	sret\n"
        ".balign 4\n"
        ".globl user_return\n"
        "user_return:\n"
        "	la t0, user_saved_sp\n"
        "	ld sp, 0(t0)\n"
        "	ld ra, 0(sp)\n"
        "	ld s0, 8(sp)\n"
        "	ld s1, 16(sp)\n"
        "	ld s2, 24(sp)\n"
        "	ld s3, 32(sp)\n"
        "	ld s4, 40(sp)\n"
        "	ld s5, 48(sp)\n"
        "	ld s6, 56(sp)\n"
        "	ld s7, 64(sp)\n"
        "	ld s8, 72(sp)\n"
        "	ld s9, 80(sp)\n"
        "	ld s10, 88(sp)\n"
        "	ld s11, 96(sp)\n"
        "	addi sp, sp, 112\n"
        "	ret\n");

/*
 * The guest's trap handler while its user code runs. A privileged CSR read
 * from user mode is skipped; any other trap ends the user code: it records
 * the trap and returns to supervisor mode at user_return.
 */
__attribute__((interrupt("supervisor"), aligned(4))) static void user_trap_handler(void)
{
	uint64_t cause, status, pc;
	__asm__ volatile("csrr %0, scause" : "=r"(cause));
	__asm__ volatile("csrr %0, sstatus" : "=r"(status));
	__asm__ volatile("csrr %0, sepc" : "=r"(pc));
	if (cause == CAUSE_ILLEGAL_INSN && !(status & SSTATUS_SPP)) {
		user_illegal_traps++;
		user_illegal_stages |= 1u << user_stage;
		__asm__ volatile("csrw sepc, %0" ::"r"(pc + 4)); /* csrr: never compressed */
		return;
	}
	if (cause != CAUSE_USER_ECALL)
		user_other_traps++;
	user_trap_cause = cause;
	user_trap_status = status;
	__asm__ volatile("csrw sepc, %0" ::"r"(user_return));
	__asm__ volatile("csrs sstatus, %0" ::"r"(SSTATUS_SPP));
}

/*
 * Runs in user mode: reads the time, tries a supervisor CSR, spins long
 * enough to be preempted several times, tries the CSR again, reads a counter
 * the guest was not given, then makes an environment call. Should it run on in supervisor mode, the
 * ecall would reach the VMM as an SBI call (BASE get_spec_version, harmless) and the ebreak after
 * it would end the run.
 */
__attribute__((noreturn)) static void user_main(void)
{
	uint64_t status, start = read_time(), now;
	user_time_start = start;
	__asm__ volatile("csrr %0, sstatus" : "=r"(status));
	user_stage = 1;
	do
		now = read_time();
	while (now - start < USER_SPIN_TICKS);
	user_time_end = now;
	__asm__ volatile("csrr %0, sstatus" : "=r"(status));
	user_stage = 2;
	__asm__ volatile("csrr %0, hpmcounter3" : "=r"(status)); /* not given: a VM exit */
	register long a0 __asm__("a0") = 0;
	register long a6 __asm__("a6") = 0;
	register long a7 __asm__("a7") = SBI_EXT_BASE;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a6), "r"(a7) : "a1", "memory");
	__asm__ volatile("ebreak");
	for (;;)
		;
}

static void test_user_mode(void)
{
	uint64_t sie;
	__asm__ volatile("csrrw %0, sie, zero" : "=r"(sie)); /* no interrupt in user mode */
	__asm__ volatile("csrw stvec, %0" ::"r"(user_trap_handler));
	run_user(user_main, user_stack + sizeof(user_stack));
	__asm__ volatile("csrc sstatus, %0" ::"r"(SSTATUS_SIE));
	__asm__ volatile("csrw stvec, %0" ::"r"(trap_handler));
	__asm__ volatile("csrw sie, %0" ::"r"(sie));
	check(user_time_start != 0 && user_time_end - user_time_start >= USER_SPIN_TICKS,
	      "USR0001 user mode reads the time CSR");
	check((user_illegal_stages & 1) != 0,
	      "USR0002 a supervisor CSR read in user mode is an illegal instruction to the guest");
	check(user_illegal_traps == 3 && (user_illegal_stages & 2) != 0,
	      "USR0003 preempted for 50 ms, the user code resumes in user mode: the read traps "
	      "again");
	check((user_illegal_stages & 4) != 0,
	      "USR0006 a counter the guest was not given (hpmcounter3), read in user mode, is an "
	      "illegal instruction to the guest, not the end of it");
	check(user_trap_cause == CAUSE_USER_ECALL && !(user_trap_status & SSTATUS_SPP) &&
	          user_stage == 2,
	      "USR0004 an ecall from user mode reaches the guest: scause 8, sstatus.SPP 0");
	check(user_other_traps == 0, "USR0005 no other trap in user mode");
}

/* ---- a second hart: HSM, IPIs and remote fences ---- */

/* ---- misaligned accesses: the guest's own business, as on hardware ---- */

#define CAUSE_LOAD_MISALIGNED  4
#define CAUSE_STORE_MISALIGNED 6

/* What the last trap taken by skipping_trap_handler was (~0: none). */
static volatile uint64_t skipped_cause = ~0ul, skipped_tval;
static uint64_t misaligned_words[2] __attribute__((aligned(8)));

/* Records the trap and skips the (4-byte) instruction. */
__attribute__((interrupt("supervisor"), aligned(4))) static void skipping_trap_handler(void)
{
	uint64_t pc;
	__asm__ volatile("csrr %0, scause" : "=r"(skipped_cause));
	__asm__ volatile("csrr %0, stval" : "=r"(skipped_tval));
	__asm__ volatile("csrr %0, sepc" : "=r"(pc));
	__asm__ volatile("csrw sepc, %0" ::"r"(pc + 4));
}

static void test_misaligned(void)
{
	__asm__ volatile("csrw stvec, %0" ::"r"(skipping_trap_handler));
	uint8_t *bytes = (uint8_t *)misaligned_words;
	for (unsigned i = 0; i < 16; i++)
		bytes[i] = (uint8_t)i;
	uint64_t value;
	__asm__ volatile("ld %0, 0(%1)" : "=r"(value) : "r"(bytes + 3) : "memory");
	check(value == 0x0a09080706050403ul && skipped_cause == ~0ul,
	      "MIS0001 a misaligned load from RAM reads the right bytes");
	uint32_t old = 0;
	__asm__ volatile(".option push\n.option norvc\n"
	                 "amoadd.w %0, %2, (%1)\n"
	                 ".option pop"
	                 : "+r"(old)
	                 : "r"(bytes + 1), "r"(1)
	                 : "memory");
	/* QEMU raises a load-misaligned (4) for it on one hart, store/AMO (6) on several. */
	int misaligned =
	    skipped_cause == CAUSE_STORE_MISALIGNED || skipped_cause == CAUSE_LOAD_MISALIGNED;
	check(misaligned && skipped_tval == (uint64_t)(bytes + 1),
	      "MIS0002 a misaligned atomic traps to the guest itself (scause 4 or 6, stval the "
	      "address)");
	__asm__ volatile("csrw stvec, %0" ::"r"(trap_handler));
}

/* ---- extensions the device tree promises work in the guest ---- */

#define CBO_CLEAN 1
#define CBO_FLUSH 2
#define CBO_INVAL 0
#define CBO_ZERO  4

static uint8_t cache_blocks[2 * 64] __attribute__((aligned(64)));

/* A cache-block operation (funct12 `op`) on the block at `addr`. */
#define cbo(op, addr) \
	__asm__ volatile(".insn i 0x0f, 2, x0, %0, %1" ::"r"(addr), "i"(op) : "memory")

static void test_cache_block_ops(const char *dtb)
{
	if (!dtb_mentions(dtb, "zicboz") || !dtb_mentions(dtb, "zicbom")) {
		put_string("sbitest: no Zicbom and Zicboz in the device tree: cache-block checks "
		           "skipped\n");
		return;
	}
	check(dtb_mentions(dtb, "riscv,cboz-block-size") &&
	          dtb_mentions(dtb, "riscv,cbom-block-size"),
	      "ISA0001 the cpus give the cache-block sizes of Zicbom and Zicboz");
	__asm__ volatile("csrw stvec, %0" ::"r"(skipping_trap_handler));
	skipped_cause = ~0ul;
	for (unsigned i = 0; i < sizeof(cache_blocks); i++)
		cache_blocks[i] = 0xa5;
	cbo(CBO_ZERO, cache_blocks); /* the first block only */
	bool zeroed = true, kept = true;
	for (unsigned i = 0; i < sizeof(cache_blocks); i++) {
		zeroed &= i >= 64 || cache_blocks[i] == 0;
		kept &= i < 64 || cache_blocks[i] == 0xa5;
	}
	check(skipped_cause == ~0ul && zeroed && kept,
	      "ISA0002 cbo.zero zeroes one 64-byte block in the guest (henvcfg.CBZE)");
	cbo(CBO_CLEAN, cache_blocks + 64);
	cbo(CBO_FLUSH, cache_blocks + 64);
	cbo(CBO_INVAL, cache_blocks + 64);
	check(skipped_cause == ~0ul && cache_blocks[64] == 0xa5 && cache_blocks[127] == 0xa5,
	      "ISA0003 cbo.clean, cbo.flush and cbo.inval run in the guest and keep its data");
	__asm__ volatile("csrw stvec, %0" ::"r"(trap_handler));
}

#define INSN_CSRR_A0_HPMCOUNTER3 0xc0302573u

/* The VMM raises what the guest was not given as an illegal instruction. */
static void test_instruction_not_given(void)
{
	__asm__ volatile("csrw stvec, %0" ::"r"(skipping_trap_handler));
	skipped_cause = ~0ul;
	__asm__ volatile(".option push\n.option norvc\n"
	                 "csrr a0, hpmcounter3\n"
	                 ".option pop" ::
	                     : "a0");
	check(skipped_cause == CAUSE_ILLEGAL_INSN && skipped_tval == INSN_CSRR_A0_HPMCOUNTER3,
	      "VIN0001 reading a counter the guest was not given is an illegal instruction to it, "
	      "stval the instruction");
	__asm__ volatile("csrw stvec, %0" ::"r"(trap_handler));
}

#define SBI_EXT_IPI               0x735049
#define SBI_EXT_RFENCE            0x52464e43
#define HSM_STARTED               0
#define HSM_STOPPED               1
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SECONDARY_STACK           8192

char secondary_stack[SECONDARY_STACK] __attribute__((aligned(16)));
static volatile uint64_t secondary_hartid = 99, secondary_opaque, secondary_running;

void secondary_start(void);
void secondary_main(unsigned long hartid, unsigned long opaque);
__asm__(".globl secondary_start\n"
        "secondary_start:\n"
        "	la sp, secondary_stack + 8192\n"
        "	call secondary_main\n"
        "1:	wfi\n"
        "	j 1b\n");

/* Hart 1: says hello through memory, waits for an IPI, then stops itself. */
void secondary_main(unsigned long hartid, unsigned long opaque)
{
	__asm__ volatile("csrw stvec, %0" ::"r"(trap_handler));
	__asm__ volatile("csrs sie, %0" ::"r"(2ul)); /* SSIE */
	__asm__ volatile("csrs sstatus, %0" ::"r"(SSTATUS_SIE));
	if (has_aia) {
		imsic_enable(IMSIC_IPI_ID);
		__asm__ volatile("csrs sie, %0" ::"r"(SIE_SEIE));
	}
	secondary_opaque = opaque;
	secondary_hartid = hartid;
	secondary_running = 1;
	while (!soft_interrupts)
		__asm__ volatile("wfi");
	/* With the AIA, an IPI through its interrupt file: no SBI call, no exit. */
	while (has_aia && !file_ipis)
		__asm__ volatile("wfi");
	sbi_call(SBI_EXT_HSM, 1, 0, 0, 0); /* hart_stop: does not return */
}

static void wait_for(volatile uint64_t *flag)
{
	for (uint64_t start = read_time(); !*flag && read_time() - start < HANG_TICKS;)
		;
}

static void test_smp(void)
{
	struct sbiret r = sbi_call(SBI_EXT_HSM, 2, 0, 0, 0);
	check(r.error == 0 && r.value == HSM_STARTED, "HSM0001 hart 0 is started");
	r = sbi_call(SBI_EXT_HSM, 2, 1, 0, 0);
	check(r.error == 0 && r.value == HSM_STOPPED, "HSM0002 hart 1 waits, stopped");
	r = sbi_call(SBI_EXT_HSM, 2, 64, 0, 0);
	check(r.error == SBI_ERR_INVALID_PARAM, "HSM0003 no hart 64");
	r = sbi_call(SBI_EXT_HSM, 0, 1, (long)(uintptr_t)secondary_start, 0xfeed);
	check(r.error == 0, "HSM0004 start hart 1");
	wait_for(&secondary_running);
	check(secondary_hartid == 1 && secondary_opaque == 0xfeed,
	      "HSM0005 hart 1 runs at the address given, a0 = its id, a1 = the opaque word");
	r = sbi_call(SBI_EXT_HSM, 0, 1, (long)(uintptr_t)secondary_start, 0);
	check(r.error == SBI_ERR_ALREADY_AVAILABLE, "HSM0006 a running hart does not start again");
	r = sbi_call(SBI_EXT_RFENCE, 0, 3, 0, 0);
	check(r.error == 0, "RFN0001 remote fence.i on both harts");
	r = sbi_call(SBI_EXT_IPI, 0, 1, 2, 0);
	check(r.error == SBI_ERR_INVALID_PARAM, "IPI0001 an IPI to a hart that does not exist");
	r = sbi_call(SBI_EXT_IPI, 0, 2, 0, 0);
	for (uint64_t start = read_time(); !soft_interrupts && read_time() - start < HANG_TICKS;)
		;
	check(r.error == 0 && soft_interrupts == 1, "IPI0002 an IPI reaches hart 1");
	if (has_aia) {
		*IMSIC_FILE(1) = IMSIC_IPI_ID; /* seteipnum_le of hart 1's file */
		for (uint64_t start = read_time(); !file_ipis && read_time() - start < HANG_TICKS;)
			;
		check(file_ipis == 1, "AIA0002 a store to hart 1's interrupt file interrupts it");
	}
	for (uint64_t start = read_time(); sbi_call(SBI_EXT_HSM, 2, 1, 0, 0).value != HSM_STOPPED &&
	                                   read_time() - start < HANG_TICKS;)
		;
	check(sbi_call(SBI_EXT_HSM, 2, 1, 0, 0).value == HSM_STOPPED,
	      "HSM0007 hart 1 stopped itself");
}

void guest_main(unsigned long hartid, unsigned long dtb);

void guest_main(unsigned long hartid, unsigned long dtb)
{
	check(hartid == 0, "SBI0000 the boot hart is hart 0");
	check(dtb >= RAM_BASE && (dtb & 7) == 0, "SBI0013 a1 holds the device tree's address");
	has_aia = dtb_mentions((const char *)dtb, "riscv,aplic");
	test_base();
	test_console();
	test_uart();
	test_interrupts();
	test_user_mode();
	test_misaligned();
	test_cache_block_ops((const char *)dtb);
	test_instruction_not_given();
	test_smp();
	put_string("sbitest: ");
	put_number(passed);
	put_string(" passed, ");
	put_number(failed);
	put_string(" failed\n");
	sbi_call(SBI_EXT_SRST, 0, 0, 0, 0); /* shutdown */
	put_string("sbitest: FAIL: still running after shutdown\n");
}
