/*
 * Guests: each one gets a VMM server of its own, holding only that guest's
 * capabilities: its memory, read-only blocks of the archive with its kernel
 * and initrd, the console and the root task as supervisor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fv/cpio.h>
#include <fv/loader.h>

#include <vmm/boot.h>

#include "root.h"
#include "system.h"

#define TEST_GUEST_RAM (8ull << 20)
#define MAX_GUESTS     SYSTEM_MAX_GUESTS

/* The VMMs started, for the isolation audit. */
struct started_guest {
	char name[32];
	struct fv_process vmm;
	unsigned ram_blocks;
};
static struct started_guest started[MAX_GUESTS];
static unsigned started_count;
#define BLOCK_BITS FV_FRAME_2M_BITS

/*
 * Guest interrupt files (AIA): the root task takes every one from IRQControl
 * once, keeps them and lends copies to VMMs, one per vCPU on the hart the VMM
 * runs that vCPU on (vCPU n on hart n % harts).
 */
#define MAX_FILE_HARTS 16
#define MAX_HART_FILES 15
static fv_cptr_t irq_files[MAX_FILE_HARTS][MAX_HART_FILES + 1]; /* [hart][file], 0: none */
static bool irq_file_lent[MAX_FILE_HARTS][MAX_HART_FILES + 1];

static void take_irq_files(void)
{
	static bool taken;
	const struct fv_bootinfo *bi = root_bootinfo();
	if (taken)
		return;
	taken = true;
	for (unsigned h = 0; h < bi->hart_count && h < MAX_FILE_HARTS; h++) {
		for (unsigned g = 1; g <= bi->guest_irq_files && g <= MAX_HART_FILES; g++) {
			fv_cptr_t slot = root_slot();
			if (slot &&
			    fv_irq_control_get_guest_file(FV_ROOT_SLOT_IRQ_CONTROL, h, g,
			                                  FV_ROOT_SLOT_CNODE, slot, 64) == FV_OK)
				irq_files[h][g] = slot;
		}
	}
}

/* A file of `hart` no VMM has, marked lent; 0 if none is left. */
static unsigned free_irq_file(unsigned hart)
{
	for (unsigned g = 1; hart < MAX_FILE_HARTS && g <= MAX_HART_FILES; g++) {
		if (irq_files[hart][g] && !irq_file_lent[hart][g]) {
			irq_file_lent[hart][g] = true;
			return g;
		}
	}
	return 0;
}

/*
 * One file per vCPU, all or none (the guest's interrupt controller is the
 * AIA for all its vCPUs or for none): with too few left, the guest gets the
 * emulated PLIC instead.
 */
static fv_error_t lend_irq_files(const struct fv_process *p, struct vmm_boot *b)
{
	const struct fv_bootinfo *bi = root_bootinfo();
	unsigned hart[VMM_MAX_VCPUS], file[VMM_MAX_VCPUS], n = 0;
	take_irq_files();
	for (; n < b->vcpus && n < VMM_MAX_VCPUS; n++) {
		hart[n] = n % (unsigned)bi->hart_count;
		file[n] = free_irq_file(hart[n]);
		if (!file[n])
			break;
	}
	bool all = n == b->vcpus;
	fv_error_t err = FV_OK;
	for (unsigned i = 0; i < n; i++) {
		if (all && !err)
			err =
			    fv_cnode_copy(p->cnode, VMM_SLOT_IRQ_FILES + i, 64, FV_ROOT_SLOT_CNODE,
			                  irq_files[hart[i]][file[i]], 64, FV_RIGHTS_ALL);
		else
			irq_file_lent[hart[i]][file[i]] = false;
	}
	b->irq_files = all && !err ? b->vcpus : 0;
	return err;
}

/* Finds `name` in the archive; its offset from the archive's start goes in *file. */
static bool find_file(const char *name, struct vmm_file *file)
{
	const struct fv_bootinfo *bi = root_bootinfo();
	struct cpio_file f;
	if (cpio_find((const void *)bi->archive_va, bi->archive_size, name, &f) != CPIO_OK)
		return false;
	file->offset = (uint64_t)((const char *)f.data - (const char *)bi->archive_va);
	file->size = f.size;
	return true;
}

struct block_range {
	uint64_t first, last; /* archive blocks, inclusive */
};

static struct block_range blocks_of(const struct vmm_file *f)
{
	return (struct block_range){f->offset >> BLOCK_BITS,
	                            (f->offset + f->size - 1) >> BLOCK_BITS};
}

static fv_error_t share_blocks(const struct fv_process *p, struct block_range r)
{
	const struct fv_bootinfo *bi = root_bootinfo();
	struct fv_loader l = root_loader();
	return fv_share_frames(&l, p->vspace, VMM_ARCHIVE_VA + (r.first << BLOCK_BITS),
	                       bi->archive_frames.first + r.first, (unsigned)(r.last - r.first + 1),
	                       BLOCK_BITS);
}

/* The blocks that hold the kernel and initrd, each block once. */
static fv_error_t share_files(const struct fv_process *p, const struct vmm_boot *b)
{
	struct block_range k = blocks_of(&b->kernel);
	if (!b->initrd.size)
		return share_blocks(p, k);
	struct block_range i = blocks_of(&b->initrd);
	if (i.first <= k.last + 1 && k.first <= i.last + 1) /* overlapping or adjacent: one range */
		return share_blocks(p, (struct block_range){k.first < i.first ? k.first : i.first,
		                                            k.last > i.last ? k.last : i.last});
	fv_error_t err = share_blocks(p, k);
	return err ? err : share_blocks(p, i);
}

/* The largest n with 2^n <= v (v > 0). */
static unsigned log2_floor(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

/*
 * The guest's RAM as Untypeds from VMM_SLOT_GUEST_RAM on, each as large as
 * free memory allows: a guest needs no single block as large as its RAM.
 */
static fv_error_t give_ram(const struct fv_process *p, struct vmm_boot *b)
{
	uint64_t left = b->ram_size;
	while (left) {
		if (b->ram_blocks == VMM_MAX_RAM_BLOCKS)
			return FV_NOT_ENOUGH_MEMORY; /* memory too fragmented for this guest */
		unsigned bits = log2_floor(left);
		fv_error_t err;
		while ((err = root_retype_anywhere(bits, p->cnode,
		                                   VMM_SLOT_GUEST_RAM + b->ram_blocks)) ==
		           FV_NOT_ENOUGH_MEMORY &&
		       bits > BLOCK_BITS)
			bits--;
		if (err)
			return err;
		b->ram_block_bits[b->ram_blocks++] = (uint8_t)bits;
		left -= 1ull << bits;
	}
	return FV_OK;
}

/* What the guest's ISA is made from (vmm/guest_isa.h). */
static void describe_host_cpu(struct vmm_boot *b)
{
	const struct fv_bootinfo *bi = root_bootinfo();
	b->host_isa_extensions = bi->isa_extensions;
	b->host_cbom_block_size = (uint32_t)bi->cbom_block_size;
	b->host_cboz_block_size = (uint32_t)bi->cboz_block_size;
	b->host_cbop_block_size = (uint32_t)bi->cbop_block_size;
}

/*
 * The archive's blocks, the guest's objects and RAM, then the boot page,
 * which says where the RAM came from and what the host's harts implement.
 */
static fv_error_t equip_vmm(const struct fv_process *p, struct vmm_boot *b)
{
	struct fv_loader l = root_loader();
	describe_host_cpu(b);
	fv_error_t err = share_files(p, b);
	if (!err)
		err = root_retype_anywhere(VMM_OBJECT_BITS, p->cnode, VMM_SLOT_GUEST_OBJECTS);
	if (!err)
		err = give_ram(p, b);
	if (!err)
		err = lend_irq_files(p, b);
	if (!err)
		err = fv_load_data(&l, p->vspace, VMM_BOOT_VA, b, sizeof(*b), FV_MAP_READ);
	if (!err) /* its console badge is its TCB's slot (root_load) */
		err = root_console_attach(p->tcb, b->name, p->cnode, VMM_SLOT_INPUT);
	return err;
}

static void remember(const struct fv_process *p, const struct vmm_boot *b)
{
	struct started_guest *g = &started[started_count++];
	*g = (struct started_guest){.vmm = *p, .ram_blocks = b->ram_blocks};
	strcpy(g->name, b->name);
}

/* Starts the VMM of one guest, described by `b` with its files still to find. */
static bool start_guest(struct vmm_boot *b, const char *kernel, const char *initrd)
{
	if (!find_file(kernel, &b->kernel) || b->kernel.size == 0) {
		printf("root: %s: no kernel %s in the boot archive\n", b->name, kernel);
		return false;
	}
	if (initrd && (!find_file(initrd, &b->initrd) || b->initrd.size == 0)) {
		printf("root: %s: no initrd %s in the boot archive\n", b->name, initrd);
		return false;
	}
	struct fv_process p;
	fv_error_t err = root_load("vmm", 0, &p);
	if (!err)
		err = equip_vmm(&p, b);
	if (!err)
		err = root_start(&p, 0);
	if (err)
		printf("root: cannot start the VMM of %s: %s\n", b->name, fv_strerror(err));
	else if (started_count < MAX_GUESTS)
		remember(&p, b);
	fflush(stdout);
	return !err;
}

/*
 * `spec` is NAME, NAME:VCPUS or NAME:VCPUS:restart: the test guest
 * guest-NAME.bin with 8 MiB of RAM, restarted on a fault with the last.
 */
static void start_test_guest(char *spec)
{
	char *colon = strchr(spec, ':');
	struct vmm_boot b = {.ram_size = TEST_GUEST_RAM, .vcpus = 1};
	if (colon) {
		*colon = '\0';
		char *policy;
		b.vcpus = (uint32_t)strtoul(colon + 1, &policy, 10);
		if (strcmp(policy, ":restart") == 0)
			b.restart_on_fault = 1;
		else if (*policy)
			b.vcpus = 0; /* refused below */
	}
	if (!system_name_valid(spec) || b.vcpus < 1 || b.vcpus > SYSTEM_MAX_VCPUS) {
		printf("root: bad test guest '%s'\n", spec);
		return;
	}
	strcpy(b.name, spec);
	char file[64];
	snprintf(file, sizeof(file), "guest-%s.bin", spec);
	start_guest(&b, file, NULL);
}

void start_test_guests(char *list)
{
	for (char *name = list, *end; *name; name = end) {
		end = strchr(name, ',');
		if (end)
			*end++ = '\0';
		else
			end = name + strlen(name);
		if (*name)
			start_test_guest(name);
	}
}

bool root_has_system(void)
{
	const struct fv_bootinfo *bi = root_bootinfo();
	struct cpio_file f;
	return cpio_find((const void *)bi->archive_va, bi->archive_size, SYSTEM_FILE, &f) ==
	       CPIO_OK;
}

bool start_configured_guests(void)
{
	static struct system_desc system; /* large: not on the stack */
	const struct fv_bootinfo *bi = root_bootinfo();
	struct cpio_file f;
	if (cpio_find((const void *)bi->archive_va, bi->archive_size, SYSTEM_FILE, &f) != CPIO_OK)
		return false;
	char err[160];
	if (system_parse(f.data, f.size, &system, err, sizeof(err)) != 0) {
		printf("root: %s\n", err);
		fflush(stdout);
		return true; /* nothing started: a broken description is not a test run */
	}
	for (unsigned i = 0; i < system.count; i++) {
		const struct system_guest *g = &system.guests[i];
		static struct vmm_boot b;
		memset(&b, 0, sizeof(b));
		strcpy(b.name, g->name);
		b.ram_size = g->memory;
		b.vcpus = g->vcpus;
		b.restart_on_fault = g->restart_on_fault != 0;
		strcpy(b.command_line, g->cmdline);
		start_guest(&b, g->kernel, g->initrd[0] ? g->initrd : NULL);
	}
	return true;
}

/* ---- the isolation audit (ferrovisor.audit) ---- */

struct region {
	uint64_t base, size;
};

/* What belongs to guest `g`: its VMM's memory and its CNode, VSpace and TCB. */
static unsigned owned_by(const struct started_guest *g, struct region *r, unsigned max)
{
	unsigned n = 0;
	const fv_cptr_t untyped[] = {FV_PROCESS_SLOT_UNTYPED, VMM_SLOT_GUEST_OBJECTS};
	struct fv_cap_info info;
	for (unsigned i = 0; i < 2 + g->ram_blocks && n < max; i++) {
		fv_cptr_t slot = i < 2 ? untyped[i] : VMM_SLOT_GUEST_RAM + (i - 2);
		if (fv_cnode_describe(g->vmm.cnode, slot, 64, &info) == FV_OK &&
		    info.kind == FV_CAP_UNTYPED)
			r[n++] = (struct region){info.object, 1ull << info.size_bits};
	}
	const fv_cptr_t own[] = {g->vmm.cnode, g->vmm.vspace, g->vmm.tcb};
	for (unsigned i = 0; i < 3 && n < max; i++)
		if (fv_cnode_describe(FV_ROOT_SLOT_CNODE, own[i], 64, &info) == FV_OK)
			r[n++] = (struct region){info.object, 1};
	/* Its vCPUs' interrupt files: another guest's writes there would be its interrupts. */
	for (unsigned i = 0; i < VMM_MAX_VCPUS && n < max; i++)
		if (fv_cnode_describe(g->vmm.cnode, VMM_SLOT_IRQ_FILES + i, 64, &info) == FV_OK &&
		    info.kind == FV_CAP_FRAME)
			r[n++] = (struct region){info.object, 4096};
	return n;
}

static bool inside(const struct region *r, unsigned n, uint64_t pa)
{
	for (unsigned i = 0; i < n; i++)
		if (pa - r[i].base < r[i].size)
			return true;
	return false;
}

/* Every capability in a's CSpace is checked against what b owns. */
static void audit_pair(const struct started_guest *a, const struct started_guest *b)
{
	struct region theirs[VMM_MAX_RAM_BLOCKS + 5 + VMM_MAX_VCPUS];
	unsigned n = owned_by(b, theirs, sizeof(theirs) / sizeof(theirs[0]));
	unsigned held = 0, foreign = 0;
	for (uint64_t slot = 0; slot < (1u << FV_PROCESS_CNODE_RADIX); slot++) {
		struct fv_cap_info info;
		if (fv_cnode_describe(a->vmm.cnode, slot, 64, &info) != FV_OK ||
		    info.kind == FV_CAP_NULL)
			continue;
		held++;
		if (info.kind != FV_CAP_IRQ_HANDLER && inside(theirs, n, info.object)) {
			foreign++;
			printf("root: audit: %s's slot %lu (kind %lu) is an object of %s\n",
			       a->name, (unsigned long)slot, info.kind, b->name);
		}
	}
	printf("root: audit: %s's VMM holds %u capabilities, %u to objects of %s\n", a->name, held,
	       foreign, b->name);
}

unsigned guests_started(void)
{
	return started_count;
}

void audit_guests(void)
{
	for (unsigned a = 0; a < started_count; a++)
		for (unsigned b = 0; b < started_count; b++)
			if (a != b)
				audit_pair(&started[a], &started[b]);
	fflush(stdout);
}
