/*
 * VM exits: SBI calls and device accesses, served by one thread per vCPU
 * on that vCPU's hart, and what a guest fault does (stop or restart).
 */
#include <stdatomic.h>
#include <string.h>

#include <fv/loader.h>
#include <vmm/decode.h>
#include <vmm/guest_fdt.h>

#include "vmm.h"

#define CAUSE_ECALL_VS  10
#define CAUSE_LOAD_GPF  21 /* guest-page faults: MMIO, or memory the guest does not have */
#define CAUSE_STORE_GPF 23
#define CAUSE_VIRT_INSN 22 /* an instruction the guest may not run as it stands */
#define CAUSE_ILLEGAL   2
#define REG_A0          10
#define REG_A1          11

/* With Sstc the guest's timer is its vstimecmp: the pending bit follows it by itself. */
static void set_timer(uint64_t stime_value)
{
	fv_vcpu_write_regs(current->vcpu, FV_VCPU_VSTIMECMP, 1, &stime_value);
}

struct sbi_machine machine = {
    /* .harts: set once the vCPUs are counted */
    .hart_start = start_vcpu,     .hart_status = vcpu_status, .send_ipi = send_ipi,
    .remote_fence = remote_fence, .set_timer = set_timer,     .console = guest_console,
};

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

/* The APLIC's messages, each an identity stored to the target vCPU's interrupt file. */
static void deliver_messages(void)
{
	struct aplic_msi msg[8];
	unsigned n;
	aplic_set_level(&aplic, UART_IRQ, uart_irq_pending(&uart0));
	while ((n = aplic_take_messages(&aplic, msg, 8)) > 0)
		for (unsigned i = 0; i < n; i++)
			if (msg[i].hart < vcpu_count)
				*vcpus[msg[i].hart].irq_file_page = msg[i].eiid; /* seteipnum_le */
}

/*
 * Device interrupt lines to the guest: through the APLIC as messages to its
 * vCPUs' interrupt files, or through the PLIC to their external interrupt.
 */
void update_interrupts(void)
{
	if (guest_has_aia) {
		deliver_messages();
		return;
	}
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

/* One device access: true if a device is there (`*value` holds what a load reads). */
static bool device_access(uint64_t gpa, bool store, uint64_t *value)
{
	if (gpa - UART_BASE < UART_SIZE) {
		if (store)
			uart_write(&uart0, gpa - UART_BASE, *value);
		else
			*value = uart_read(&uart0, gpa - UART_BASE);
		if (console_input_waiting() && uart_rx_space(&uart0) == UART_RX_FIFO)
			pull_input(); /* the guest took all it had: the console may hold more */
		return true;
	}
	uint32_t v = (uint32_t)*value;
	bool ok = false;
	if (guest_has_aia && gpa - APLIC_BASE < APLIC_SIZE)
		ok = store ? aplic_write(&aplic, gpa - APLIC_BASE, v)
		           : aplic_read(&aplic, gpa - APLIC_BASE, &v);
	else if (!guest_has_aia && gpa - PLIC_BASE < GUEST_FDT_PLIC_SIZE(vcpu_count))
		ok = store ? plic_write(&plic, gpa - PLIC_BASE, v)
		           : plic_read(&plic, gpa - PLIC_BASE, &v);
	*value = v;
	return ok;
}

/* True if an emulated device's registers are at `gpa`. */
static bool is_device(uint64_t gpa)
{
	if (gpa - UART_BASE < UART_SIZE)
		return true;
	if (guest_has_aia)
		return gpa - APLIC_BASE < APLIC_SIZE;
	return gpa - PLIC_BASE < GUEST_FDT_PLIC_SIZE(vcpu_count);
}

/* A load or store the guest made to an emulated device. */
static bool serve_mmio(struct fv_msg *m)
{
	uint64_t gpa = m->words[FV_EXIT_GPA];
	if (!is_device(gpa))
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

/*
 * An instruction of an extension the guest was not given (its device tree
 * lists what it has), such as a read of hpmcounter3 or a hypervisor
 * instruction: to the guest it is illegal, as on a hart without it. From
 * its user mode too: a guest's process must not be able to stop the guest.
 */
static bool raise_illegal_instruction(struct fv_msg *m)
{
	m->words[0] = FV_EXIT_RAISE | CAUSE_ILLEGAL;
	m->info = FV_MSGINFO(0, 0, 1);
	return true;
}

/*
 * Handles one exit of `v`; true if `m` holds the reply that resumes the guest.
 * Only the kernel sends on a vCPU's exit endpoint, through the one capability
 * minted with the badge n + 1: anything else is dropped.
 */
static bool serve_exit(struct vcpu_state *v, struct fv_msg *m, uint64_t badge)
{
	if (FV_MSGINFO_LABEL(m->info) != FV_FAULT_VCPU || badge != (uint64_t)(v - vcpus) + 1 ||
	    FV_MSGINFO_LENGTH(m->info) < FV_EXIT_WORDS)
		return false;
	current = v;
	uint64_t cause = m->words[FV_EXIT_CAUSE];
	if (cause == CAUSE_ECALL_VS)
		return serve_sbi(m);
	if (cause == CAUSE_LOAD_GPF || cause == CAUSE_STORE_GPF)
		return serve_mmio(m);
	if (cause == CAUSE_VIRT_INSN)
		return raise_illegal_instruction(m);
	return stop_guest(m, "an exit this VMM does not serve");
}

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

fv_error_t make_exit_lock(void)
{
	lock_waiters = fv_make(&guest_alloc, FV_OBJ_NOTIFICATION, 0);
	return lock_waiters ? FV_OK : FV_NOT_ENOUGH_MEMORY;
}

void vmm_lock(void)
{
	uint64_t word;
	if (atomic_fetch_add(&lock_count, 1) > 0)
		fv_wait(lock_waiters, &word);
}

void vmm_unlock(void)
{
	if (atomic_fetch_sub(&lock_count, 1) > 1)
		fv_signal(lock_waiters); /* one waiter goes on; the others wait for the next */
}

#define HANDLER_STACK 16384
static _Alignas(16) char handler_stacks[MAX_VCPUS][HANDLER_STACK];

/*
 * vCPU n's handler. An exit that waited for the lock while another handler
 * stopped the guest (shutdown, reboot, a fault) is dropped: it belongs to a
 * run that is over, and serving it (an HSM start, say) would act on the next.
 */
static void serve_vcpu_exits(uint64_t n)
{
	struct vcpu_state *v = &vcpus[n];
	struct fv_msg m;
	struct fv_ipc_result r = fv_recv(v->exits, &m);
	for (;;) {
		vmm_lock();
		bool reply = r.status == FV_OK && v->started && serve_exit(v, &m, r.badge);
		vmm_unlock();
		r = reply ? fv_reply_recv(v->exits, &m) : fv_recv(v->exits, &m);
	}
}

fv_error_t start_exit_handler(unsigned n)
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
