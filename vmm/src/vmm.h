/*
 * Inside the VMM server: what its parts share. One VMM serves one guest;
 * the guest's state is these globals. After start-up, exit handlers (one
 * thread per vCPU) and the input thread touch it only under vmm_lock().
 */
#ifndef VMM_INTERNAL_H
#define VMM_INTERNAL_H

#include <fv/libcap.h>
#include <fv/thread.h>
#include <vmm/aplic.h>
#include <vmm/boot.h>
#include <vmm/guest_isa.h>
#include <vmm/layout.h>
#include <vmm/plic.h>
#include <vmm/sbi.h>
#include <vmm/uart.h>

#define GUEST_RAM_BASE 0x80000000ul
#define VMM_RAM_VA     0x2000000000ul /* the guest's RAM, as this process sees it */
#define BLOCK          0x200000ul     /* guest RAM comes in 2 MiB frames */
#define UART_BASE      0x10000000ul
#define UART_IRQ       10
#define PLIC_BASE      0x0c000000ul
/* With the AIA (as QEMU's virt machine places its supervisor-level ones): */
#define APLIC_BASE 0x0d000000ul
#define IMSIC_BASE 0x28000000ul /* vCPU n's interrupt file at + n * 4 KiB */
#define IMSIC_IDS  63           /* interrupt identities the guest is told it has */
#define MAX_VCPUS  VMM_MAX_VCPUS

struct vcpu_state {
	fv_cptr_t vcpu, tcb;
	fv_cptr_t exits;    /* the endpoint its exits arrive on */
	bool started;       /* HSM: STARTED, else STOPPED */
	bool external_line; /* what its VSEIP says now */
	unsigned hart;      /* where it and its exit handler run */
	struct fv_thread handler;
	/* AIA: its guest interrupt file; a store of an identity to the page raises it. */
	fv_cptr_t irq_file;
	volatile uint32_t *irq_file_page;
};

extern const struct vmm_boot *const boot;
extern struct fv_slot_allocator slots;
extern struct fv_alloc guest_alloc; /* the guest's objects */
extern struct guest_memory memory;
extern struct vcpu_state vcpus[MAX_VCPUS];
extern unsigned vcpu_count;
extern struct vcpu_state *current; /* the vCPU whose exit is being served */
extern struct uart uart0;
extern struct plic plic;
extern struct aplic aplic;
extern bool guest_has_aia;         /* an IMSIC file per vCPU and the APLIC, instead of the PLIC */
extern struct guest_isa guest_isa; /* what the guest is told it has, and its henvcfg */
extern struct sbi_machine machine;

/* guest.c: the guest machine */
bool ram_blocks_valid(void);
fv_error_t build_guest(void);
long start_vcpu(unsigned n, uint64_t pc, uint64_t a1);
long vcpu_status(unsigned n);
void send_ipi(unsigned n);
void remote_fence(unsigned n);
void stop_all_vcpus(void);
void restart_guest(void);

/* exits.c: VM exits and the threads that serve them */
fv_error_t make_exit_lock(void);
fv_error_t start_exit_handler(unsigned n);
void vmm_lock(void);
void vmm_unlock(void);
void update_interrupts(void);

/* console_io.c: the guest's console */
void guest_console(const char *bytes, uint64_t len);
void flush_output(void);
void pull_input(void);
bool console_input_waiting(void);
void serve_input(void);

#endif
