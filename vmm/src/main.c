/*
 * The VMM server: one process per guest, holding only that guest's
 * capabilities. It builds the guest's memory (a GuestSpace with 2 MiB
 * frames, also mapped here), loads the image at RAM base + 2 MiB and a
 * device tree at the end of RAM, as firmware would, then runs the vCPU
 * thread and serves its VM exits: SBI calls now; device emulation next.
 */
#include <stdatomic.h>
#include <string.h>

#include <fv/console_protocol.h>
#include <fv/libcap.h>
#include <fv/loader.h>
#include <fv/posix.h>
#include <fv/thread.h>
#include <vmm/boot.h>
#include <vmm/decode.h>
#include <vmm/guest_fdt.h>
#include <vmm/layout.h>
#include <vmm/plic.h>
#include <vmm/sbi.h>
#include <vmm/uart.h>

#define GUEST_RAM_BASE  0x80000000ul
#define VMM_RAM_VA      0x2000000000ul /* the guest's RAM, as this process sees it */
#define BLOCK           0x200000ul     /* guest RAM comes in 2 MiB frames */
#define CAUSE_ECALL_VS  10
#define CAUSE_LOAD_GPF  21 /* guest-page faults: MMIO, or memory the guest does not have */
#define CAUSE_STORE_GPF 23
#define UART_BASE       0x10000000ul
#define UART_IRQ        10
#define PLIC_BASE       0x0c000000ul
#define REG_A0          10
#define REG_A1          11

static const struct vmm_boot *boot = (const struct vmm_boot *)VMM_BOOT_VA;
static struct fv_slot_allocator slots;
static struct fv_alloc guest_alloc; /* the guest's objects */
static struct guest_memory memory;
#define MAX_VCPUS 8

struct vcpu_state {
	fv_cptr_t vcpu, tcb;
	fv_cptr_t exits;    /* the endpoint its exits arrive on */
	bool started;       /* HSM: STARTED, else STOPPED */
	bool external_line; /* what its VSEIP says now */
	unsigned hart;      /* where it and its exit handler run */
	struct fv_thread handler;
};

static fv_cptr_t guest_space;
static struct vcpu_state vcpus[MAX_VCPUS];
static unsigned vcpu_count;
static struct vcpu_state *current; /* the vCPU whose exit is being served (under the lock) */
static struct uart uart0;
static struct plic plic;

/* Maps `frame` at `addr` of a VSpace or GuestSpace, making page tables as needed. */
static fv_error_t map_with_tables(fv_cptr_t frame, fv_cptr_t space, uint64_t addr, unsigned rights)
{
	for (;;) {
		fv_error_t err = fv_frame_map(frame, space, addr, rights);
		if (err != FV_FAILED_LOOKUP)
			return err;
		fv_cptr_t pt = fv_make(&guest_alloc, FV_OBJ_PAGE_TABLE, 0);
		if (!pt)
			return FV_NOT_ENOUGH_MEMORY;
		err = fv_page_table_map(pt, space, addr);
		if (err)
			return err;
	}
}

/* Where this VMM sees guest-physical address `gpa` of RAM (which the caller checked). */
static void *guest_ram(uint64_t gpa)
{
	return memory.host + (gpa - memory.base);
}

/* One 2 MiB frame of guest RAM at `off`: in the guest space and, through a copy, here. */
static fv_error_t map_ram_block(fv_cptr_t frame, uint64_t off)
{
	fv_cptr_t mine = fv_slot_alloc(&slots);
	if (!mine)
		return FV_NOT_ENOUGH_MEMORY;
	fv_error_t err = fv_cnode_copy(FV_PROCESS_SLOT_CNODE, mine, 64, FV_PROCESS_SLOT_CNODE,
	                               frame, 64, FV_RIGHTS_ALL);
	if (!err)
		err = map_with_tables(frame, guest_space, memory.base + off,
		                      FV_MAP_READ | FV_MAP_WRITE | FV_MAP_EXEC);
	if (!err)
		err = map_with_tables(mine, FV_PROCESS_SLOT_VSPACE, VMM_RAM_VA + off,
		                      FV_MAP_READ | FV_MAP_WRITE);
	return err;
}

static bool ram_blocks_valid(void)
{
	for (unsigned i = 0; i < boot->ram_blocks; i++)
		if (boot->ram_block_bits[i] < VMM_RAM_BLOCK_BITS || boot->ram_block_bits[i] > 40)
			return false;
	return boot->ram_blocks <= VMM_MAX_RAM_BLOCKS;
}

/* Guest RAM: the frames of every RAM Untyped the root task gave, in order. */
static fv_error_t make_ram(void)
{
	uint64_t off = 0;
	for (unsigned i = 0; i < boot->ram_blocks && i < VMM_MAX_RAM_BLOCKS; i++) {
		struct fv_alloc ram = {VMM_SLOT_GUEST_RAM + i, FV_PROCESS_SLOT_CNODE, &slots};
		uint64_t frames = 1ull << (boot->ram_block_bits[i] - VMM_RAM_BLOCK_BITS);
		for (uint64_t f = 0; f < frames && off < memory.size; f++, off += BLOCK) {
			fv_cptr_t frame = fv_make(&ram, FV_OBJ_FRAME_2M, 0);
			fv_error_t err = frame ? map_ram_block(frame, off) : FV_NOT_ENOUGH_MEMORY;
			if (err)
				return err;
		}
	}
	return off == memory.size ? FV_OK : FV_NOT_ENOUGH_MEMORY;
}

static int write_device_tree(const struct guest_layout *at)
{
	const struct guest_fdt_config c = {
	    .name = boot->name,
	    .ram_base = memory.base,
	    .ram_size = memory.size,
	    .vcpus = vcpu_count,
	    .isa = "rv64imafdc_zicntr_zicsr_zifencei_sstc",
	    .mmu_type = "riscv,sv39",
	    .timebase_hz = (uint32_t)fv_timebase_hz(),
	    .bootargs = boot->command_line[0] ? boot->command_line : NULL,
	    .initrd_start = at->initrd_gpa,
	    .initrd_end = at->initrd_end,
	    .uart_base = UART_BASE,
	    .uart_irq = UART_IRQ,
	    .uart_clock_hz = 3686400,
	    .plic_base = PLIC_BASE,
	    .plic_ndev = 95,
	};
	return guest_fdt_build(&c, guest_ram(at->dtb_gpa), LAYOUT_DTB_SPACE);
}

/*
 * vCPU `n`'s thread: bound to a VCPU and the guest space, its faults are VM
 * exits here (badge n + 1), spread over the physical harts. Stopped until
 * started: vCPU 0 by this VMM, the others by the guest (SBI HSM).
 */
static fv_error_t make_vcpu(unsigned n)
{
	struct vcpu_state *v = &vcpus[n];
	v->vcpu = fv_make(&guest_alloc, FV_OBJ_VCPU, 0);
	v->tcb = fv_make(&guest_alloc, FV_OBJ_TCB, 0);
	v->exits = fv_make(&guest_alloc, FV_OBJ_ENDPOINT, 0);
	fv_cptr_t ipc = fv_make(&guest_alloc, FV_OBJ_FRAME_4K, 0);
	fv_cptr_t fault = fv_slot_alloc(&slots);
	v->hart = n % (unsigned)fv_hart_count();
	if (!v->vcpu || !v->tcb || !v->exits || !ipc || !fault)
		return FV_NOT_ENOUGH_MEMORY;
	void *ipc_va = fv_posix_map_frame(ipc, FV_MAP_READ | FV_MAP_WRITE);
	fv_error_t err = ipc_va ? FV_OK : FV_NOT_ENOUGH_MEMORY;
	if (!err)
		err = fv_tcb_configure(v->tcb, FV_PROCESS_SLOT_CNODE, FV_PROCESS_SLOT_VSPACE, ipc,
		                       (uint64_t)ipc_va);
	if (!err)
		err = fv_tcb_bind_vcpu(v->tcb, v->vcpu, guest_space);
	if (!err)
		err = fv_cnode_mint(FV_PROCESS_SLOT_CNODE, fault, 64, FV_PROCESS_SLOT_CNODE,
		                    v->exits, 64, FV_RIGHT_WRITE, n + 1);
	if (!err)
		err = fv_tcb_set_fault_handler(v->tcb, fault);
	if (!err)
		err = fv_tcb_set_priority(v->tcb, 255, 255);
	if (!err && fv_hart_count() > 1)
		err = fv_tcb_set_affinity(v->tcb, v->hart);
	return err;
}

/* Every VS register as at power-on: no timer, no interrupts, supervisor mode. */
static fv_error_t reset_vcpu(const struct vcpu_state *v)
{
	const uint64_t zeros[FV_VCPU_VSATP - FV_VCPU_VSSTATUS + 1] = {0};
	const uint64_t no_timer = UINT64_MAX, no_interrupts = 0, supervisor = 1;
	fv_error_t err =
	    fv_vcpu_write_regs(v->vcpu, FV_VCPU_VSSTATUS, sizeof(zeros) / sizeof(zeros[0]), zeros);
	if (!err)
		err = fv_vcpu_write_regs(v->vcpu, FV_VCPU_VSTIMECMP, 1, &no_timer);
	if (!err)
		err = fv_vcpu_write_regs(v->vcpu, FV_VCPU_HVIP, 1, &no_interrupts);
	if (!err)
		err = fv_vcpu_write_regs(v->vcpu, FV_VCPU_MODE, 1, &supervisor);
	return err;
}

/* Starts vCPU `n` at `pc` with a0 = n, a1 = `a1`, reset, as SBI HSM hart_start says. */
static long start_vcpu(unsigned n, uint64_t pc, uint64_t a1)
{
	struct vcpu_state *v = &vcpus[n];
	if (v->started)
		return SBI_ERR_ALREADY_AVAILABLE;
	const uint64_t regs[] = {
	    [FV_REG_PC] = pc, [FV_REG_SP] = 0, [FV_REG_A0] = n, [FV_REG_A1] = a1};
	if (fv_tcb_write_registers(v->tcb, regs, 4) != FV_OK || reset_vcpu(v) != FV_OK ||
	    fv_tcb_resume(v->tcb) != FV_OK)
		return SBI_ERR_FAILED;
	v->started = true;
	return SBI_SUCCESS;
}

static long vcpu_status(unsigned n)
{
	return vcpus[n].started ? SBI_HSM_STARTED : SBI_HSM_STOPPED;
}

static void send_ipi(unsigned n)
{
	fv_vcpu_set_interrupts(vcpus[n].vcpu, FV_VCPU_IRQ_SOFT, 0);
}

static void remote_fence(unsigned n)
{
	fv_vcpu_fence(vcpus[n].vcpu);
}

/*
 * ---- the guest's console output ----
 * Sent to the console server, which labels it with the guest's name at each
 * line start. Sent at each line end, when the buffer fills, and when the
 * guest's driver pauses (a prompt without a line end must show too).
 */

static char out[512];
static size_t out_len;

static void flush_output(void)
{
	if (!out_len)
		return;
	struct fv_msg m = {.info = FV_MSGINFO(FV_CONSOLE_GUEST_WRITE, 0, 1 + (out_len + 7) / 8),
	                   .words = {out_len}};
	memcpy(&m.words[1], out, out_len);
	fv_call(FV_PROCESS_SLOT_CONSOLE, &m);
	out_len = 0;
}

static void guest_console(const char *bytes, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++) {
		out[out_len++] = bytes[i];
		if (bytes[i] == '\n' || out_len == sizeof(out))
			flush_output();
	}
}

/* ---- VM exits ---- */

/* With Sstc the guest's timer is its vstimecmp: the pending bit follows it by itself. */
static void set_timer(uint64_t stime_value)
{
	fv_vcpu_write_regs(current->vcpu, FV_VCPU_VSTIMECMP, 1, &stime_value);
}

static struct sbi_machine machine = {
    /* .harts: set once the vCPUs are counted */
    .hart_start = start_vcpu,     .hart_status = vcpu_status, .send_ipi = send_ipi,
    .remote_fence = remote_fence, .set_timer = set_timer,     .console = guest_console,
};

/* Every vCPU stops: the guest is off. */
static void stop_all_vcpus(void)
{
	for (unsigned n = 0; n < vcpu_count; n++) {
		fv_tcb_suspend(vcpus[n].tcb);
		vcpus[n].started = false;
	}
}

static fv_error_t load_boot_files(struct guest_layout *at);

/*
 * SBI system reset, reboot: this guest alone starts again as it first
 * booted (fresh kernel, initrd and device tree, devices and vCPUs reset).
 */
static void restart_guest(void)
{
	flush_output();
	fv_printf("vmm: %s: the guest restarts\n", boot->name);
	stop_all_vcpus();
	uart_reset(&uart0);
	plic_reset(&plic, vcpu_count);
	struct guest_layout at;
	fv_error_t err = load_boot_files(&at);
	for (unsigned n = 0; n < vcpu_count; n++)
		vcpus[n].external_line = false; /* each vCPU is reset as it starts */
	if (!err && start_vcpu(0, at.kernel_gpa, at.dtb_gpa) != SBI_SUCCESS)
		err = FV_ILLEGAL_OPERATION;
	if (err)
		fv_printf("vmm: %s: cannot restart the guest: %s\n", boot->name, fv_strerror(err));
}

static bool serve_sbi(struct fv_msg *m)
{
	const uint64_t *x = &m->words[FV_EXIT_X0];
	struct sbi_request req = {.ext = x[17], .fid = x[16]};
	memcpy(req.arg, &x[REG_A0], sizeof(req.arg));
	struct sbi_result r = sbi_handle(&req, &memory, &machine);
	if (r.action == SBI_REBOOT) {
		restart_guest();
		return false;
	}
	if (r.action == SBI_SHUTDOWN) {
		flush_output();
		fv_printf("vmm: %s: the guest shut down\n", boot->name);
		stop_all_vcpus();
		return false;
	}
	if (r.action == SBI_STOP_HART) {
		fv_tcb_suspend(current->tcb);
		current->started = false;
		return false;
	}
	bool legacy = r.action == SBI_LEGACY;
	m->words[0] = 4; /* past the ecall */
	m->words[1] = legacy ? 1ull << REG_A0 : (1ull << REG_A0) | (1ull << REG_A1);
	m->words[2] = (uint64_t)r.error;
	m->words[3] = (uint64_t)r.value;
	m->info = FV_MSGINFO(0, 0, legacy ? 3 : 4);
	return true;
}

/*
 * A guest fault this VMM cannot serve: the guest stops, or with the restart
 * policy starts again, at most MAX_FAULT_RESTARTS times (a guest that
 * faults at every boot would otherwise restart for ever).
 */
#define MAX_FAULT_RESTARTS 3
static unsigned fault_restarts;

static bool stop_guest(const struct fv_msg *m, const char *why)
{
	bool restart = boot->restart_on_fault && fault_restarts < MAX_FAULT_RESTARTS;
	flush_output();
	fv_printf("vmm: %s: %s: exit %lu at pc 0x%lx (address 0x%lx): guest %s\n", boot->name, why,
	          (unsigned long)m->words[FV_EXIT_CAUSE], (unsigned long)m->words[FV_EXIT_PC],
	          (unsigned long)m->words[FV_EXIT_GPA], restart ? "restarted" : "stopped");
	if (restart) {
		fault_restarts++;
		restart_guest();
	} else {
		stop_all_vcpus();
	}
	return false;
}

/*
 * The instruction at the guest's pc, when the hart gave no htinst: only
 * while the guest runs without paging is its pc a guest-physical address
 * this VMM can read.
 */
static bool fetch_instruction(const struct fv_msg *m, uint32_t *raw)
{
	uint64_t pc = m->words[FV_EXIT_PC], vsatp = 0;
	if (fv_vcpu_read_regs(current->vcpu, FV_VCPU_VSATP, 1, &vsatp) != FV_OK || vsatp != 0)
		return false;
	if (pc < memory.base || pc - memory.base > memory.size - 4 || (pc & 1))
		return false;
	memcpy(raw, memory.host + (pc - memory.base), 4);
	return true;
}

/* Device interrupt lines through the PLIC to the guest's external interrupt. */
static void update_interrupts(void)
{
	plic_set_level(&plic, UART_IRQ, uart_irq_pending(&uart0));
	for (unsigned n = 0; n < vcpu_count; n++) {
		bool line_now = plic_line(&plic, n);
		if (line_now == vcpus[n].external_line)
			continue;
		vcpus[n].external_line = line_now;
		fv_vcpu_set_interrupts(vcpus[n].vcpu, line_now ? FV_VCPU_IRQ_EXTERNAL : 0,
		                       line_now ? 0 : FV_VCPU_IRQ_EXTERNAL);
	}
}

static void pull_input(void);
static bool input_waiting; /* the console may hold more input than the UART took */

/* One device access: true if a device is there (`*value` holds what a load reads). */
static bool device_access(uint64_t gpa, bool store, uint64_t *value)
{
	if (gpa - UART_BASE < UART_SIZE) {
		if (store)
			uart_write(&uart0, gpa - UART_BASE, *value);
		else
			*value = uart_read(&uart0, gpa - UART_BASE);
		if (input_waiting && uart_rx_space(&uart0) == UART_RX_FIFO)
			pull_input(); /* the guest took all it had: the console may hold more */
		return true;
	}
	if (gpa - PLIC_BASE < GUEST_FDT_PLIC_SIZE(vcpu_count)) {
		uint32_t v = (uint32_t)*value;
		bool ok = store ? plic_write(&plic, gpa - PLIC_BASE, v)
		                : plic_read(&plic, gpa - PLIC_BASE, &v);
		*value = v;
		return ok;
	}
	return false;
}

/* A load or store the guest made to an emulated device. */
static bool serve_mmio(struct fv_msg *m)
{
	uint64_t gpa = m->words[FV_EXIT_GPA];
	if (gpa - UART_BASE >= UART_SIZE && gpa - PLIC_BASE >= GUEST_FDT_PLIC_SIZE(vcpu_count))
		return stop_guest(m, "no memory or device there");
	uint32_t raw = 0;
	bool have_raw = m->words[FV_EXIT_HTINST] == 0 && fetch_instruction(m, &raw);
	struct mmio_access a;
	if (decode_trapped((uint32_t)m->words[FV_EXIT_HTINST], raw, have_raw, &a) != DECODE_OK ||
	    a.is_fp || a.is_store != (m->words[FV_EXIT_CAUSE] == CAUSE_STORE_GPF))
		return stop_guest(m, "an access to a device that cannot be emulated");
	const uint64_t *x = &m->words[FV_EXIT_X0];
	uint64_t value = a.is_store ? mmio_store_value(&a, x[a.reg]) : 0;
	if (!device_access(gpa, a.is_store, &value))
		return stop_guest(m, "an access the device does not have");
	update_interrupts();
	m->words[0] = a.insn_len;
	m->words[1] = 0;
	m->info = FV_MSGINFO(0, 0, 2);
	if (!a.is_store && a.reg != 0) {
		m->words[1] = 1ull << a.reg;
		m->words[2] = mmio_load_value(&a, value);
		m->info = FV_MSGINFO(0, 0, 3);
	}
	return true;
}

/* Handles one exit; true if `m` holds the reply that resumes the guest. */
static bool serve_exit(struct fv_msg *m, uint64_t badge)
{
	if (FV_MSGINFO_LABEL(m->info) != FV_FAULT_VCPU || badge == 0 || badge > vcpu_count)
		return false;
	current = &vcpus[badge - 1];
	uint64_t cause = m->words[FV_EXIT_CAUSE];
	if (cause == CAUSE_ECALL_VS)
		return serve_sbi(m);
	if (cause == CAUSE_LOAD_GPF || cause == CAUSE_STORE_GPF)
		return serve_mmio(m);
	return stop_guest(m, "an exit this VMM does not serve");
}

/* ---- console input ---- */

/* Input the console holds for this guest, as much as the UART's receive FIFO takes. */
static void pull_input(void)
{
	unsigned space = uart_rx_space(&uart0);
	input_waiting = space == 0;
	if (!space)
		return;
	struct fv_msg m = {.info = FV_MSGINFO(FV_CONSOLE_READ, 0, 1), .words = {space}};
	struct fv_ipc_result r = fv_call(FV_PROCESS_SLOT_CONSOLE, &m);
	uint64_t n = m.words[0];
	if (r.status != FV_OK || FV_MSGINFO_LABEL(m.info) != 0 || n > space ||
	    FV_MSGINFO_LENGTH(m.info) < 1 + (n + 7) / 8)
		return;
	uart_receive(&uart0, (const uint8_t *)&m.words[1], (unsigned)n);
	input_waiting = n == space;
	update_interrupts();
}

/* The console's notification, if the root task gave one: input arrives as a signal. */
/*
 * ---- exit handlers ----
 * Each vCPU's exits go to a thread of its own on the vCPU's hart: an exit is
 * then a switch between two threads of one hart, not a wake-up of another
 * hart (which costs about fifty times as much). The handlers share the
 * devices and the vCPUs' states, so one lock serialises their work: a
 * counter, with a notification for those who have to wait.
 */

static atomic_uint lock_count;
static fv_cptr_t lock_waiters;

static void vmm_lock(void)
{
	uint64_t word;
	if (atomic_fetch_add(&lock_count, 1) > 0)
		fv_wait(lock_waiters, &word);
}

static void vmm_unlock(void)
{
	if (atomic_fetch_sub(&lock_count, 1) > 1)
		fv_signal(lock_waiters); /* one waiter goes on; the others wait for the next */
}

#define HANDLER_STACK 16384
static _Alignas(16) char handler_stacks[MAX_VCPUS][HANDLER_STACK];

static void serve_vcpu_exits(uint64_t n)
{
	struct vcpu_state *v = &vcpus[n];
	struct fv_msg m;
	struct fv_ipc_result r = fv_recv(v->exits, &m);
	for (;;) {
		vmm_lock();
		bool reply = r.status == FV_OK && serve_exit(&m, r.badge);
		vmm_unlock();
		r = reply ? fv_reply_recv(v->exits, &m) : fv_recv(v->exits, &m);
	}
}

static fv_error_t start_exit_handler(unsigned n)
{
	const struct fv_thread_params p = {
	    .entry = serve_vcpu_exits,
	    .arg = n,
	    .stack_top = handler_stacks[n] + HANDLER_STACK,
	    .cspace = FV_PROCESS_SLOT_CNODE,
	    .priority = 255,
	    .hart = fv_hart_count() > 1 ? (int)vcpus[n].hart : -1,
	};
	return fv_thread_start(&vcpus[n].handler, &guest_alloc, &p);
}

/* The main thread's work once the guest runs: the console's signals that input arrived. */
static void serve_input(void)
{
	for (;;) {
		uint64_t word;
		if (fv_wait(VMM_SLOT_INPUT, &word) != FV_OK)
			fv_tcb_suspend(FV_PROCESS_SLOT_TCB); /* no console input for this guest */
		vmm_lock();
		pull_input();
		vmm_unlock();
	}
}

static const void *archive_file(const struct vmm_file *f)
{
	return (const void *)(VMM_ARCHIVE_VA + f->offset);
}

/* Kernel, initrd and device tree in guest RAM, where firmware would put them. */
static fv_error_t load_boot_files(struct guest_layout *at)
{
	const void *kernel = archive_file(&boot->kernel);
	int err = guest_layout_plan(memory.base, memory.size, kernel, boot->kernel.size,
	                            boot->initrd.size, at);
	if (err) {
		fv_printf("vmm: %s: %s\n", boot->name, guest_layout_strerror(err));
		return FV_RANGE_ERROR;
	}
	memcpy(guest_ram(at->kernel_gpa), kernel, boot->kernel.size);
	if (boot->initrd.size)
		memcpy(guest_ram(at->initrd_gpa), archive_file(&boot->initrd), boot->initrd.size);
	err = write_device_tree(at);
	if (err) {
		fv_printf("vmm: %s: device tree: %s\n", boot->name, guest_fdt_strerror(err));
		return FV_INVALID_ARGUMENT;
	}
	return FV_OK;
}

static fv_error_t build_guest(void)
{
	guest_space = fv_make(&guest_alloc, FV_OBJ_GUEST_SPACE, 0);
	lock_waiters = fv_make(&guest_alloc, FV_OBJ_NOTIFICATION, 0);
	if (!guest_space || !lock_waiters)
		return FV_NOT_ENOUGH_MEMORY;
	struct guest_layout at;
	fv_error_t err = make_ram();
	if (!err)
		err = load_boot_files(&at);
	for (unsigned n = 0; !err && n < vcpu_count; n++)
		err = make_vcpu(n);
	for (unsigned n = 0; !err && n < vcpu_count; n++)
		err = start_exit_handler(n);
	if (!err && start_vcpu(0, at.kernel_gpa, at.dtb_gpa) != SBI_SUCCESS)
		err = FV_ILLEGAL_OPERATION;
	return err;
}

int main(void)
{
	fv_slots_init(&slots, fv_program_slots.first, fv_program_slots.count);
	guest_alloc = (struct fv_alloc){VMM_SLOT_GUEST_OBJECTS, FV_PROCESS_SLOT_CNODE, &slots};
	memory = (struct guest_memory){GUEST_RAM_BASE, boot->ram_size, (uint8_t *)VMM_RAM_VA};
	vcpu_count = boot->vcpus >= 1 && boot->vcpus <= MAX_VCPUS ? boot->vcpus : 1;
	machine.harts = vcpu_count;
	uart_reset(&uart0);
	plic_reset(&plic, vcpu_count);
	uart0.output = guest_console;
	uart0.idle = flush_output;
	if (memory.size == 0 || memory.size % BLOCK || !ram_blocks_valid()) {
		fv_printf("vmm: %s: guest RAM must be whole 2 MiB blocks\n", boot->name);
		return 1;
	}
	fv_error_t err = build_guest();
	if (err) {
		fv_printf("vmm: %s: cannot build the guest: %s\n", boot->name, fv_strerror(err));
		return 1;
	}
	fv_printf("vmm: %s: started, %lu MiB at 0x%lx\n", boot->name,
	          (unsigned long)(memory.size >> 20), (unsigned long)memory.base);
	struct fv_msg ready = {.info = FV_MSGINFO(VMM_READY_LABEL, 0, 0)};
	fv_send(FV_PROCESS_SLOT_SUPERVISOR, &ready);
	serve_input();
	return 0;
}
