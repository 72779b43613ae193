/*
 * Writes a guest's flattened device tree with libfdt's sequential-write API,
 * which checks every write against the buffer size. The tree follows what
 * QEMU's virt machine gives Linux, minus everything the guest does not get:
 * only supervisor-mode PLIC contexts or IMSIC files, one per vCPU, and no
 * M-mode anything.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include <vmm/guest_fdt.h>

/* Supervisor external interrupt: the cause a PLIC context raises on a cpu-intc. */
#define IRQ_S_EXT 9
/* The interrupt type cell of a two-cell specifier (dt-bindings/interrupt-controller/irq.h). */
#define IRQ_TYPE_LEVEL_HIGH 4

/* Fixed phandles: cpu N's interrupt controller is N + 1, the PLIC (or IMSIC, APLIC) follow. */
static uint32_t intc_phandle(unsigned cpu)
{
	return cpu + 1;
}

static uint32_t plic_phandle(const struct guest_fdt_config *c)
{
	return c->vcpus + 1;
}

static uint32_t imsic_phandle(const struct guest_fdt_config *c)
{
	return c->vcpus + 1;
}

static uint32_t aplic_phandle(const struct guest_fdt_config *c)
{
	return c->vcpus + 2;
}

static bool has_aia(const struct guest_fdt_config *c)
{
	return c->imsic_base != 0;
}

static const char *const error_text[] = {
    [0] = "no error",
    [-GUEST_FDT_ENULL] = "no configuration or buffer, or a required string is missing",
    [-GUEST_FDT_ENAME] = "the guest name is empty, too long or not [a-z0-9-]",
    [-GUEST_FDT_EVCPUS] = "the vCPU count is 0 or above the maximum",
    [-GUEST_FDT_ERAM] = "RAM is empty, misaligned or wraps around",
    [-GUEST_FDT_EISA] = "the isa string is not a lowercase rv64i... string, or a cache-block "
                        "size is not a power of two",
    [-GUEST_FDT_EMMU] = "the mmu type is not riscv,sv39, riscv,sv48 or riscv,sv57",
    [-GUEST_FDT_ETIMEBASE] = "the timebase frequency is 0",
    [-GUEST_FDT_EINITRD] = "the initrd is empty, reversed or not inside RAM",
    [-GUEST_FDT_EDEVICE] = "the interrupt controller or UART is misconfigured or overlaps",
    [-GUEST_FDT_ENOSPACE] = "the buffer is too small for the device tree",
    [-GUEST_FDT_EFDT] = "libfdt failed, or the buffer holds no tree of ours",
};

const char *guest_fdt_strerror(int err)
{
	if (err > 0 || -err >= (int)(sizeof(error_text) / sizeof(error_text[0])))
		return "unknown error";
	return error_text[-err];
}

/* --- Validation --- */

static bool is_aligned(uint64_t x, uint64_t a)
{
	return (x & (a - 1)) == 0;
}

/* [base, base + size) is non-empty and does not wrap past the top of memory. */
static bool range_is_sane(uint64_t base, uint64_t size)
{
	return size != 0 && base + size > base;
}

static bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a < b + b_size && b < a + a_size;
}

static int check_name(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > GUEST_FDT_MAX_NAME)
		return GUEST_FDT_ENAME;
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789-", name[i]))
			return GUEST_FDT_ENAME;
	return GUEST_FDT_OK;
}

static size_t token_len(const char *p)
{
	size_t len = 0;
	while (p[len] && p[len] != '_')
		len++;
	return len;
}

/* A multi-letter extension: [hsxz] then one or more of [0-9a-z]. */
static bool multi_letter_is_valid(const char *tok, size_t len)
{
	if (len < 2 || !strchr("hsxz", tok[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!((tok[i] >= 'a' && tok[i] <= 'z') || (tok[i] >= '0' && tok[i] <= '9')))
			return false;
	return true;
}

/*
 * The riscv,isa pattern of the device-tree bindings (lowercase, base "rv64i",
 * single letters once each in canonical order), except that every multi-letter
 * extension must follow an underscore: the bindings also allow the first one
 * directly after the letters, which cannot be told apart from the letter h.
 */
static bool isa_is_valid(const char *isa)
{
	if (strncmp(isa, "rv64i", 5) != 0)
		return false;
	const char *order = "mafdqcbkjpvh";
	const char *p = isa + 5;
	for (; *p && *p != '_'; p++) {
		const char *at = strchr(order, *p);
		if (!at)
			return false;
		order = at + 1;
	}
	while (*p == '_') {
		size_t len = token_len(++p);
		if (!multi_letter_is_valid(p, len))
			return false;
		p += len;
	}
	return *p == '\0';
}

static bool block_size_is_valid(uint32_t size)
{
	return (size & (size - 1)) == 0; /* 0 (none) or a power of two */
}

static int check_mmu(const char *mmu_type)
{
	static const char *const modes[] = {"riscv,sv39", "riscv,sv48", "riscv,sv57"};
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(mmu_type, modes[i]) == 0)
			return GUEST_FDT_OK;
	return GUEST_FDT_EMMU;
}

static int check_ram(const struct guest_fdt_config *c)
{
	if (!range_is_sane(c->ram_base, c->ram_size) ||
	    !is_aligned(c->ram_base, GUEST_FDT_RAM_ALIGN) ||
	    !is_aligned(c->ram_size, GUEST_FDT_PAGE_SIZE))
		return GUEST_FDT_ERAM;
	return GUEST_FDT_OK;
}

static int check_initrd(const struct guest_fdt_config *c)
{
	if (c->initrd_start == 0 && c->initrd_end == 0)
		return GUEST_FDT_OK;
	if (c->initrd_end <= c->initrd_start || c->initrd_start < c->ram_base ||
	    c->initrd_end - c->ram_base > c->ram_size)
		return GUEST_FDT_EINITRD;
	return GUEST_FDT_OK;
}

/* A device's registers: aligned, not wrapping, apart from RAM. */
static bool region_is_usable(const struct guest_fdt_config *c, uint64_t base, uint64_t size,
                             uint64_t align)
{
	return is_aligned(base, align) && range_is_sane(base, size) &&
	       !ranges_overlap(base, size, c->ram_base, c->ram_size);
}

/* The interrupt controller(s): where they are, and how many sources (the UART's among them). */
static int check_interrupt_controller(const struct guest_fdt_config *c, uint64_t *base,
                                      uint64_t *size, uint32_t *sources)
{
	if (!has_aia(c)) {
		*base = c->plic_base;
		*size = GUEST_FDT_PLIC_SIZE(c->vcpus);
		*sources = c->plic_ndev;
		return *sources && *sources <= GUEST_FDT_PLIC_MAX_NDEV &&
		               region_is_usable(c, *base, *size, GUEST_FDT_PAGE_SIZE)
		           ? GUEST_FDT_OK
		           : GUEST_FDT_EDEVICE;
	}
	uint64_t imsic_size = GUEST_FDT_IMSIC_SIZE(c->vcpus);
	*base = c->aplic_base;
	*size = GUEST_FDT_APLIC_SIZE;
	*sources = c->aplic_sources;
	bool ok = c->imsic_ids >= 63 && c->imsic_ids <= 2047 && (c->imsic_ids + 1) % 64 == 0 &&
	          region_is_usable(c, c->imsic_base, imsic_size, GUEST_FDT_PAGE_SIZE) && *sources &&
	          *sources <= GUEST_FDT_APLIC_MAX_SOURCES &&
	          region_is_usable(c, *base, *size, GUEST_FDT_PAGE_SIZE) &&
	          !ranges_overlap(c->imsic_base, imsic_size, *base, *size) &&
	          !ranges_overlap(c->imsic_base, imsic_size, c->uart_base, GUEST_FDT_UART_SIZE);
	return ok ? GUEST_FDT_OK : GUEST_FDT_EDEVICE;
}

/* The devices lie apart from RAM and from each other, with the UART's interrupt wired. */
static int check_devices(const struct guest_fdt_config *c)
{
	uint64_t intc_base, intc_size;
	uint32_t sources;
	if (check_interrupt_controller(c, &intc_base, &intc_size, &sources))
		return GUEST_FDT_EDEVICE;
	if (c->uart_irq == 0 || c->uart_irq > sources || c->uart_clock_hz == 0 ||
	    !region_is_usable(c, c->uart_base, GUEST_FDT_UART_SIZE, GUEST_FDT_UART_SIZE) ||
	    ranges_overlap(c->uart_base, GUEST_FDT_UART_SIZE, intc_base, intc_size))
		return GUEST_FDT_EDEVICE;
	return GUEST_FDT_OK;
}

int guest_fdt_validate(const struct guest_fdt_config *c)
{
	if (!c || !c->name || !c->isa || !c->mmu_type)
		return GUEST_FDT_ENULL;
	int err = check_name(c->name);
	if (err)
		return err;
	if (c->vcpus == 0 || c->vcpus > GUEST_FDT_MAX_VCPUS)
		return GUEST_FDT_EVCPUS;
	if ((err = check_ram(c)))
		return err;
	if (!isa_is_valid(c->isa) || !block_size_is_valid(c->cbom_block_size) ||
	    !block_size_is_valid(c->cboz_block_size) || !block_size_is_valid(c->cbop_block_size))
		return GUEST_FDT_EISA;
	if ((err = check_mmu(c->mmu_type)))
		return err;
	if (c->timebase_hz == 0)
		return GUEST_FDT_ETIMEBASE;
	if ((err = check_initrd(c)))
		return err;
	return check_devices(c);
}

/* --- Writing the tree --- */

static int from_libfdt(int err)
{
	if (err >= 0)
		return GUEST_FDT_OK;
	return err == -FDT_ERR_NOSPACE ? GUEST_FDT_ENOSPACE : GUEST_FDT_EFDT;
}

/* libfdt sizes buffers with an int; a larger buffer is simply not used past INT_MAX. */
static int fdt_bufsize(size_t size)
{
	return size > INT_MAX ? INT_MAX : (int)size;
}

/* reg of one region with two address and two size cells. */
static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = {cpu_to_fdt64(base), cpu_to_fdt64(size)};
	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

static int begin_unit_node(void *fdt, const char *name, uint64_t addr)
{
	char node[48];
	snprintf(node, sizeof(node), "%s@%" PRIx64, name, addr);
	return fdt_begin_node(fdt, node);
}

static int add_root_props(void *fdt, const struct guest_fdt_config *c)
{
	char model[sizeof("ferrovisor,") + GUEST_FDT_MAX_NAME];
	snprintf(model, sizeof(model), "ferrovisor,%s", c->name);
	int err = fdt_property_u32(fdt, "#address-cells", 2);
	if (!err)
		err = fdt_property_u32(fdt, "#size-cells", 2);
	if (!err)
		err = fdt_property_string(fdt, "compatible", "ferrovisor,virt");
	if (!err)
		err = fdt_property_string(fdt, "model", model);
	return err;
}

static int add_chosen(void *fdt, const struct guest_fdt_config *c)
{
	char stdout_path[48];
	snprintf(stdout_path, sizeof(stdout_path), "/soc/serial@%" PRIx64, c->uart_base);
	int err = fdt_begin_node(fdt, "chosen");
	if (!err && c->bootargs)
		err = fdt_property_string(fdt, "bootargs", c->bootargs);
	if (!err)
		err = fdt_property_string(fdt, "stdout-path", stdout_path);
	if (!err) /* the guest's own name, for its init to print */
		err = fdt_property_string(fdt, "ferrovisor,name", c->name);
	/* 64-bit values, as QEMU writes them for rv64; Linux reads either width. */
	if (!err && c->initrd_end)
		err = fdt_property_u64(fdt, "linux,initrd-start", c->initrd_start);
	if (!err && c->initrd_end)
		err = fdt_property_u64(fdt, "linux,initrd-end", c->initrd_end);
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

static int add_memory(void *fdt, const struct guest_fdt_config *c)
{
	int err = begin_unit_node(fdt, "memory", c->ram_base);
	if (!err)
		err = fdt_property_string(fdt, "device_type", "memory");
	if (!err)
		err = prop_reg(fdt, c->ram_base, c->ram_size);
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

/*
 * Writes riscv,isa-extensions for a valid `isa` into `out` (if not NULL) and
 * returns its length: each single letter after "rv64", then each extension
 * between underscores, every one a NUL-terminated string.
 */
static size_t isa_extensions(const char *isa, char *out)
{
	size_t n = 0;
	const char *p = isa + 4;
	for (; *p && *p != '_'; p++, n += 2)
		if (out) {
			out[n] = *p;
			out[n + 1] = '\0';
		}
	while (*p == '_') {
		size_t len = token_len(++p);
		if (out) {
			memcpy(out + n, p, len);
			out[n + len] = '\0';
		}
		n += len + 1;
		p += len;
	}
	return n;
}

static int prop_isa_extensions(void *fdt, const char *isa)
{
	size_t len = isa_extensions(isa, NULL);
	void *val;
	if (len > INT_MAX)
		return -FDT_ERR_NOSPACE;
	int err = fdt_property_placeholder(fdt, "riscv,isa-extensions", (int)len, &val);
	if (!err)
		isa_extensions(isa, val);
	return err;
}

/* Zicbom, Zicboz and Zicbop are unusable without their block sizes. */
static int prop_block_sizes(void *fdt, const struct guest_fdt_config *c)
{
	const struct {
		const char *name;
		uint32_t size;
	} sizes[] = {{"riscv,cbom-block-size", c->cbom_block_size},
	             {"riscv,cboz-block-size", c->cboz_block_size},
	             {"riscv,cbop-block-size", c->cbop_block_size}};
	int err = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && !err; i++)
		if (sizes[i].size)
			err = fdt_property_u32(fdt, sizes[i].name, sizes[i].size);
	return err;
}

static int add_cpu_intc(void *fdt, unsigned cpu)
{
	int err = fdt_begin_node(fdt, "interrupt-controller");
	if (!err)
		err = fdt_property_string(fdt, "compatible", "riscv,cpu-intc");
	if (!err)
		err = fdt_property_u32(fdt, "#interrupt-cells", 1);
	if (!err)
		err = fdt_property(fdt, "interrupt-controller", NULL, 0);
	if (!err)
		err = fdt_property_u32(fdt, "phandle", intc_phandle(cpu));
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

static int add_cpu(void *fdt, const struct guest_fdt_config *c, unsigned cpu)
{
	int err = begin_unit_node(fdt, "cpu", cpu);
	if (!err)
		err = fdt_property_string(fdt, "device_type", "cpu");
	if (!err)
		err = fdt_property_u32(fdt, "reg", cpu);
	if (!err)
		err = fdt_property_string(fdt, "status", "okay");
	if (!err)
		err = fdt_property_string(fdt, "compatible", "riscv");
	if (!err)
		err = fdt_property_string(fdt, "mmu-type", c->mmu_type);
	if (!err)
		err = fdt_property_string(fdt, "riscv,isa", c->isa);
	if (!err)
		err = fdt_property_string(fdt, "riscv,isa-base", "rv64i");
	if (!err)
		err = prop_isa_extensions(fdt, c->isa);
	if (!err)
		err = prop_block_sizes(fdt, c);
	if (!err)
		err = add_cpu_intc(fdt, cpu);
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

static int add_cpus(void *fdt, const struct guest_fdt_config *c)
{
	int err = fdt_begin_node(fdt, "cpus");
	if (!err)
		err = fdt_property_u32(fdt, "#address-cells", 1);
	if (!err)
		err = fdt_property_u32(fdt, "#size-cells", 0);
	if (!err)
		err = fdt_property_u32(fdt, "timebase-frequency", c->timebase_hz);
	for (unsigned cpu = 0; !err && cpu < c->vcpus; cpu++)
		err = add_cpu(fdt, c, cpu);
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

/* Entry N is vCPU N's supervisor external interrupt: a PLIC context, an IMSIC file. */
static int prop_external_interrupts(void *fdt, const struct guest_fdt_config *c)
{
	void *val;
	int err = fdt_property_placeholder(fdt, "interrupts-extended", (int)(8 * c->vcpus), &val);
	for (unsigned cpu = 0; !err && cpu < c->vcpus; cpu++) {
		fdt32_st((char *)val + 8 * cpu, intc_phandle(cpu));
		fdt32_st((char *)val + 8 * cpu + 4, IRQ_S_EXT);
	}
	return err;
}

static int add_plic(void *fdt, const struct guest_fdt_config *c)
{
	static const char compatible[] = "sifive,plic-1.0.0\0riscv,plic0";
	int err = begin_unit_node(fdt, "interrupt-controller", c->plic_base);
	if (!err)
		err = fdt_property(fdt, "compatible", compatible, sizeof(compatible));
	if (!err)
		err = prop_reg(fdt, c->plic_base, GUEST_FDT_PLIC_SIZE(c->vcpus));
	if (!err)
		err = fdt_property_u32(fdt, "riscv,ndev", c->plic_ndev);
	if (!err)
		err = fdt_property_u32(fdt, "#interrupt-cells", 1);
	if (!err)
		err = fdt_property_u32(fdt, "#address-cells", 0);
	if (!err)
		err = fdt_property(fdt, "interrupt-controller", NULL, 0);
	if (!err)
		err = fdt_property_u32(fdt, "phandle", plic_phandle(c));
	if (!err)
		err = prop_external_interrupts(fdt, c);
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

/* An IMSIC: one supervisor interrupt file per vCPU, in vCPU order. */
static int add_imsic(void *fdt, const struct guest_fdt_config *c)
{
	int err = begin_unit_node(fdt, "interrupt-controller", c->imsic_base);
	if (!err)
		err = fdt_property_string(fdt, "compatible", "riscv,imsics");
	if (!err)
		err = prop_reg(fdt, c->imsic_base, GUEST_FDT_IMSIC_SIZE(c->vcpus));
	if (!err)
		err = fdt_property_u32(fdt, "riscv,num-ids", c->imsic_ids);
	if (!err)
		err = fdt_property_u32(fdt, "#interrupt-cells", 0);
	if (!err)
		err = fdt_property(fdt, "interrupt-controller", NULL, 0);
	if (!err)
		err = fdt_property(fdt, "msi-controller", NULL, 0);
	if (!err)
		err = fdt_property_u32(fdt, "phandle", imsic_phandle(c));
	if (!err)
		err = prop_external_interrupts(fdt, c);
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

/* An APLIC domain that sends its interrupts as messages to the IMSIC. */
static int add_aplic(void *fdt, const struct guest_fdt_config *c)
{
	int err = begin_unit_node(fdt, "interrupt-controller", c->aplic_base);
	if (!err)
		err = fdt_property_string(fdt, "compatible", "riscv,aplic");
	if (!err)
		err = prop_reg(fdt, c->aplic_base, GUEST_FDT_APLIC_SIZE);
	if (!err)
		err = fdt_property_u32(fdt, "riscv,num-sources", c->aplic_sources);
	if (!err)
		err = fdt_property_u32(fdt, "msi-parent", imsic_phandle(c));
	if (!err)
		err = fdt_property_u32(fdt, "#interrupt-cells", 2);
	if (!err)
		err = fdt_property_u32(fdt, "#address-cells", 0);
	if (!err)
		err = fdt_property(fdt, "interrupt-controller", NULL, 0);
	if (!err)
		err = fdt_property_u32(fdt, "phandle", aplic_phandle(c));
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

static int add_interrupt_controllers(void *fdt, const struct guest_fdt_config *c)
{
	if (!has_aia(c))
		return add_plic(fdt, c);
	int err = add_imsic(fdt, c);
	return err ? err : add_aplic(fdt, c);
}

/* `irq` as the PLIC (one cell) or the APLIC (source, level high) takes it. */
static int prop_device_interrupt(void *fdt, const struct guest_fdt_config *c, uint32_t irq)
{
	if (!has_aia(c))
		return fdt_property_u32(fdt, "interrupts", irq);
	fdt32_t cells[2] = {cpu_to_fdt32(irq), cpu_to_fdt32(IRQ_TYPE_LEVEL_HIGH)};
	return fdt_property(fdt, "interrupts", cells, sizeof(cells));
}

static int add_uart(void *fdt, const struct guest_fdt_config *c)
{
	int err = begin_unit_node(fdt, "serial", c->uart_base);
	if (!err)
		err = fdt_property_string(fdt, "compatible", "ns16550a");
	if (!err)
		err = prop_reg(fdt, c->uart_base, GUEST_FDT_UART_SIZE);
	if (!err)
		err = fdt_property_u32(fdt, "clock-frequency", c->uart_clock_hz);
	if (!err)
		err = prop_device_interrupt(fdt, c, c->uart_irq);
	if (!err)
		err = fdt_property_u32(fdt, "interrupt-parent",
		                       has_aia(c) ? aplic_phandle(c) : plic_phandle(c));
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

/* Devices sit on a bus with the root's address space: empty ranges, two cells each. */
static int add_soc(void *fdt, const struct guest_fdt_config *c)
{
	int err = fdt_begin_node(fdt, "soc");
	if (!err)
		err = fdt_property_u32(fdt, "#address-cells", 2);
	if (!err)
		err = fdt_property_u32(fdt, "#size-cells", 2);
	if (!err)
		err = fdt_property_string(fdt, "compatible", "simple-bus");
	if (!err)
		err = fdt_property(fdt, "ranges", NULL, 0);
	if (!err)
		err = add_interrupt_controllers(fdt, c);
	if (!err)
		err = add_uart(fdt, c);
	if (!err)
		err = fdt_end_node(fdt);
	return err;
}

int guest_fdt_build(const struct guest_fdt_config *c, void *buf, size_t size)
{
	int err = guest_fdt_validate(c);
	if (err)
		return err;
	if (!buf)
		return GUEST_FDT_ENULL;
	err = fdt_create(buf, fdt_bufsize(size));
	if (!err)
		err = fdt_finish_reservemap(buf);
	if (!err)
		err = fdt_begin_node(buf, "");
	if (!err)
		err = add_root_props(buf, c);
	if (!err)
		err = add_chosen(buf, c);
	if (!err)
		err = add_memory(buf, c);
	if (!err)
		err = add_cpus(buf, c);
	if (!err)
		err = add_soc(buf, c);
	if (!err)
		err = fdt_end_node(buf);
	if (!err)
		err = fdt_finish(buf);
	return from_libfdt(err);
}

/* --- Devices added later --- */

/* The wired interrupt controller of a tree guest_fdt_build() wrote: a PLIC or an APLIC. */
struct wired_intc {
	uint32_t phandle;
	uint32_t sources;
	bool two_cells; /* the APLIC's specifier: source, trigger type */
};

static int find_wired_intc(const void *fdt, struct wired_intc *out)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
	const char *count = "riscv,ndev";
	out->two_cells = false;
	if (node < 0) {
		node = fdt_node_offset_by_compatible(fdt, -1, "riscv,aplic");
		count = "riscv,num-sources";
		out->two_cells = true;
	}
	int len;
	const fdt32_t *p = node >= 0 ? fdt_getprop(fdt, node, count, &len) : NULL;
	if (!p || len != 4)
		return GUEST_FDT_EFDT;
	out->sources = fdt32_to_cpu(*p);
	out->phandle = fdt_get_phandle(fdt, node);
	return out->phandle ? GUEST_FDT_OK : GUEST_FDT_EFDT;
}

/* fdt_setprop() puts each new property first: set in reverse for the usual order. */
static int virtio_props(void *fdt, int node, uint64_t base, uint32_t irq,
                        const struct wired_intc *intc)
{
	fdt64_t reg[2] = {cpu_to_fdt64(base), cpu_to_fdt64(GUEST_FDT_VIRTIO_SIZE)};
	fdt32_t cells[2] = {cpu_to_fdt32(irq), cpu_to_fdt32(IRQ_TYPE_LEVEL_HIGH)};
	int err = fdt_setprop_u32(fdt, node, "interrupt-parent", intc->phandle);
	if (!err)
		err = fdt_setprop(fdt, node, "interrupts", cells, intc->two_cells ? 8 : 4);
	if (!err)
		err = fdt_setprop(fdt, node, "reg", reg, sizeof(reg));
	if (!err)
		err = fdt_setprop_string(fdt, node, "compatible", "virtio,mmio");
	return err;
}

/* With the tree opened up to the whole buffer: adds the node, or nothing at all. */
static int insert_virtio(void *fdt, uint64_t base, uint32_t irq, const struct wired_intc *intc)
{
	char name[48];
	snprintf(name, sizeof(name), "virtio_mmio@%" PRIx64, base);
	int soc = fdt_path_offset(fdt, "/soc");
	if (soc < 0)
		return GUEST_FDT_EFDT;
	int node = fdt_add_subnode(fdt, soc, name);
	if (node == -FDT_ERR_EXISTS)
		return GUEST_FDT_EDEVICE;
	if (node < 0)
		return from_libfdt(node);
	int err = virtio_props(fdt, node, base, irq, intc);
	if (err)
		fdt_del_node(fdt, node);
	return from_libfdt(err);
}

int guest_fdt_add_virtio_mmio(void *buf, size_t size, uint64_t base, uint32_t irq)
{
	if (!buf)
		return GUEST_FDT_ENULL;
	if (size < sizeof(struct fdt_header) || fdt_check_header(buf) != 0 ||
	    fdt_totalsize(buf) > size)
		return GUEST_FDT_EFDT;
	struct wired_intc intc;
	int err = find_wired_intc(buf, &intc);
	if (err)
		return err;
	if (irq == 0 || irq > intc.sources || !is_aligned(base, GUEST_FDT_VIRTIO_SIZE) ||
	    !range_is_sane(base, GUEST_FDT_VIRTIO_SIZE))
		return GUEST_FDT_EDEVICE;
	err = from_libfdt(fdt_open_into(buf, buf, fdt_bufsize(size)));
	if (!err)
		err = insert_virtio(buf, base, irq, &intc);
	/* Shrinks the tree back to what it uses, whether or not the node went in. */
	int packed = from_libfdt(fdt_pack(buf));
	return err ? err : packed;
}
