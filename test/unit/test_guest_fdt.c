/*
 * Unit tests of the guest device-tree writer: every tree is read back with
 * libfdt, and once with the kernel's own reader, the way a guest would see it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <libfdt.h>

#include <fv/platform.h>
#include <vmm/guest_fdt.h>
#include <vmm/guest_isa.h>

#define BUF_SIZE  (64 * 1024)
#define RAM_BASE  0x80000000ull
#define RAM_SIZE  (256ull << 20)
#define UART_BASE 0x10000000ull
#define PLIC_BASE 0x0c000000ull
#define ISA       "rv64imafdc_zicsr_zifencei_sstc"
#define BOOTARGS  "console=ttyS0 earlycon"

static const char isa_extensions[] = "i\0m\0a\0f\0d\0c\0zicsr\0zifencei\0sstc";

static struct guest_fdt_config config(unsigned vcpus)
{
	return (struct guest_fdt_config){
	    .name = "test",
	    .ram_base = RAM_BASE,
	    .ram_size = RAM_SIZE,
	    .vcpus = vcpus,
	    .isa = ISA,
	    .mmu_type = "riscv,sv39",
	    .timebase_hz = 10000000,
	    .bootargs = BOOTARGS,
	    .initrd_start = RAM_BASE + (64ull << 20),
	    .initrd_end = RAM_BASE + (64ull << 20) + 0x123456,
	    .uart_base = UART_BASE,
	    .uart_irq = 10,
	    .uart_clock_hz = 3686400,
	    .plic_base = PLIC_BASE,
	    .plic_ndev = 96,
	};
}

/*
 * What fdt_check_full() does, which the libfdt sources the kernel is built
 * from lack (no fdt_check.c): a sound header, then every tag in bounds, nodes
 * properly nested with names, every property name inside the strings block.
 */
static void check_full(const void *fdt, size_t bufsize)
{
	assert_int_equal(fdt_check_header(fdt), 0);
	assert_true(fdt_totalsize(fdt) <= bufsize);
	int depth = 0, offset = 0, next, tag;
	do {
		tag = fdt_next_tag(fdt, offset, &next);
		assert_true(next > offset);
		if (tag == FDT_BEGIN_NODE) {
			assert_non_null(fdt_get_name(fdt, offset, NULL));
			depth++;
		} else if (tag == FDT_END_NODE) {
			assert_true(--depth >= 0);
		} else if (tag == FDT_PROP) {
			assert_true(depth > 0);
			const char *name;
			assert_non_null(fdt_getprop_by_offset(fdt, offset, &name, NULL));
			assert_non_null(name);
		} else {
			assert_true(tag == FDT_NOP || tag == FDT_END);
		}
		offset = next;
	} while (tag != FDT_END);
	assert_int_equal(depth, 0);
	assert_true((uint32_t)offset <= fdt_size_dt_struct(fdt));
}

/* Builds into a fresh buffer and checks the result is a sound tree. */
static void *build(const struct guest_fdt_config *c)
{
	void *fdt = malloc(BUF_SIZE);
	assert_non_null(fdt);
	assert_int_equal(guest_fdt_build(c, fdt, BUF_SIZE), 0);
	check_full(fdt, BUF_SIZE);
	return fdt;
}

static int node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);
	if (off < 0)
		fail_msg("no node %s", path);
	return off;
}

static const void *prop(const void *fdt, int off, const char *name, int want_len)
{
	int len;
	const void *p = fdt_getprop(fdt, off, name, &len);
	if (!p)
		fail_msg("no property %s", name);
	assert_int_equal(len, want_len);
	return p;
}

static uint32_t prop_u32(const void *fdt, int off, const char *name)
{
	return fdt32_ld(prop(fdt, off, name, 4));
}

static uint64_t prop_u64(const void *fdt, int off, const char *name)
{
	return fdt64_ld(prop(fdt, off, name, 8));
}

static void check_string(const void *fdt, int off, const char *name, const char *want)
{
	const char *s = prop(fdt, off, name, (int)strlen(want) + 1);
	assert_string_equal(s, want);
}

static void check_reg(const void *fdt, int off, uint64_t base, uint64_t size)
{
	const fdt64_t *reg = prop(fdt, off, "reg", 16);
	assert_int_equal(fdt64_ld(&reg[0]), base);
	assert_int_equal(fdt64_ld(&reg[1]), size);
}

static void check_empty(const void *fdt, int off, const char *name)
{
	prop(fdt, off, name, 0);
}

static void check_root_and_memory(const void *fdt)
{
	int root = node(fdt, "/");
	assert_int_equal(prop_u32(fdt, root, "#address-cells"), 2);
	assert_int_equal(prop_u32(fdt, root, "#size-cells"), 2);
	check_string(fdt, root, "compatible", "ferrovisor,virt");
	check_string(fdt, root, "model", "ferrovisor,test");
	int mem = node(fdt, "/memory@80000000");
	check_string(fdt, mem, "device_type", "memory");
	check_reg(fdt, mem, RAM_BASE, RAM_SIZE);
}

static void check_chosen(const void *fdt, const struct guest_fdt_config *c)
{
	int chosen = node(fdt, "/chosen");
	check_string(fdt, chosen, "bootargs", BOOTARGS);
	assert_int_equal(prop_u64(fdt, chosen, "linux,initrd-start"), c->initrd_start);
	assert_int_equal(prop_u64(fdt, chosen, "linux,initrd-end"), c->initrd_end);
	const char *path = fdt_getprop(fdt, chosen, "stdout-path", NULL);
	assert_non_null(path);
	int uart = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
	assert_true(uart >= 0);
	assert_int_equal(fdt_path_offset(fdt, path), uart);
}

static void check_cpu(const void *fdt, unsigned cpu)
{
	char path[32];
	snprintf(path, sizeof(path), "/cpus/cpu@%x", cpu);
	int off = node(fdt, path);
	check_string(fdt, off, "device_type", "cpu");
	assert_int_equal(prop_u32(fdt, off, "reg"), cpu);
	check_string(fdt, off, "status", "okay");
	check_string(fdt, off, "compatible", "riscv");
	check_string(fdt, off, "mmu-type", "riscv,sv39");
	check_string(fdt, off, "riscv,isa", ISA);
	check_string(fdt, off, "riscv,isa-base", "rv64i");
	const void *ext = prop(fdt, off, "riscv,isa-extensions", sizeof(isa_extensions));
	assert_memory_equal(ext, isa_extensions, sizeof(isa_extensions));
	int intc = fdt_subnode_offset(fdt, off, "interrupt-controller");
	assert_true(intc >= 0);
	check_string(fdt, intc, "compatible", "riscv,cpu-intc");
	assert_int_equal(prop_u32(fdt, intc, "#interrupt-cells"), 1);
	check_empty(fdt, intc, "interrupt-controller");
}

static void check_cpus(const void *fdt, unsigned vcpus)
{
	int cpus = node(fdt, "/cpus");
	assert_int_equal(prop_u32(fdt, cpus, "#address-cells"), 1);
	assert_int_equal(prop_u32(fdt, cpus, "#size-cells"), 0);
	assert_int_equal(prop_u32(fdt, cpus, "timebase-frequency"), 10000000);
	unsigned count = 0;
	int sub;
	fdt_for_each_subnode(sub, fdt, cpus)
	{
		count++;
	}
	assert_int_equal(count, vcpus);
	for (unsigned cpu = 0; cpu < vcpus; cpu++)
		check_cpu(fdt, cpu);
}

/* The cpu-intc phandle of cpu@N, checked to be the only node with it. */
static uint32_t cpu_intc_phandle(const void *fdt, unsigned cpu)
{
	char path[64];
	snprintf(path, sizeof(path), "/cpus/cpu@%x/interrupt-controller", cpu);
	int intc = node(fdt, path);
	uint32_t phandle = prop_u32(fdt, intc, "phandle");
	assert_int_equal(fdt_node_offset_by_phandle(fdt, phandle), intc);
	return phandle;
}

static int check_plic(const void *fdt, unsigned vcpus)
{
	int soc = node(fdt, "/soc");
	check_string(fdt, soc, "compatible", "simple-bus");
	check_empty(fdt, soc, "ranges");
	assert_int_equal(prop_u32(fdt, soc, "#address-cells"), 2);
	assert_int_equal(prop_u32(fdt, soc, "#size-cells"), 2);
	int plic = node(fdt, "/soc/interrupt-controller@c000000");
	assert_int_equal(fdt_node_check_compatible(fdt, plic, "sifive,plic-1.0.0"), 0);
	assert_int_equal(fdt_node_check_compatible(fdt, plic, "riscv,plic0"), 0);
	check_reg(fdt, plic, PLIC_BASE, 0x200000 + 0x1000 * vcpus);
	assert_int_equal(prop_u32(fdt, plic, "riscv,ndev"), 96);
	assert_int_equal(prop_u32(fdt, plic, "#interrupt-cells"), 1);
	assert_int_equal(prop_u32(fdt, plic, "#address-cells"), 0);
	check_empty(fdt, plic, "interrupt-controller");
	const fdt32_t *ctx = prop(fdt, plic, "interrupts-extended", (int)(8 * vcpus));
	for (unsigned cpu = 0; cpu < vcpus; cpu++) {
		assert_int_equal(fdt32_ld(&ctx[2 * cpu]), cpu_intc_phandle(fdt, cpu));
		assert_int_equal(fdt32_ld(&ctx[2 * cpu + 1]), 9);
	}
	uint32_t phandle = prop_u32(fdt, plic, "phandle");
	assert_int_equal(fdt_node_offset_by_phandle(fdt, phandle), plic);
	return plic;
}

static void check_uart(const void *fdt, int plic)
{
	int uart = node(fdt, "/soc/serial@10000000");
	check_string(fdt, uart, "compatible", "ns16550a");
	check_reg(fdt, uart, UART_BASE, 0x100);
	assert_int_equal(prop_u32(fdt, uart, "clock-frequency"), 3686400);
	assert_int_equal(prop_u32(fdt, uart, "interrupts"), 10);
	assert_int_equal(prop_u32(fdt, uart, "interrupt-parent"), fdt_get_phandle(fdt, plic));
}

static void check_tree(unsigned vcpus)
{
	struct guest_fdt_config c = config(vcpus);
	void *fdt = build(&c);
	check_root_and_memory(fdt);
	check_chosen(fdt, &c);
	check_cpus(fdt, vcpus);
	check_uart(fdt, check_plic(fdt, vcpus));
	free(fdt);
}

#define IMSIC_BASE 0x28000000ull
#define APLIC_BASE 0x0d000000ull

static struct guest_fdt_config aia_config(unsigned vcpus)
{
	struct guest_fdt_config c = config(vcpus);
	c.plic_base = 0; /* ignored with the AIA */
	c.plic_ndev = 0;
	c.imsic_base = IMSIC_BASE;
	c.imsic_ids = 63;
	c.aplic_base = APLIC_BASE;
	c.aplic_sources = 96;
	return c;
}

static int check_imsic(const void *fdt, unsigned vcpus)
{
	int imsic = node(fdt, "/soc/interrupt-controller@28000000");
	assert_int_equal(fdt_node_check_compatible(fdt, imsic, "riscv,imsics"), 0);
	check_reg(fdt, imsic, IMSIC_BASE, 0x1000 * vcpus);
	assert_int_equal(prop_u32(fdt, imsic, "riscv,num-ids"), 63);
	assert_int_equal(prop_u32(fdt, imsic, "#interrupt-cells"), 0);
	check_empty(fdt, imsic, "interrupt-controller");
	check_empty(fdt, imsic, "msi-controller");
	const fdt32_t *files = prop(fdt, imsic, "interrupts-extended", (int)(8 * vcpus));
	for (unsigned cpu = 0; cpu < vcpus; cpu++) {
		assert_int_equal(fdt32_ld(&files[2 * cpu]), cpu_intc_phandle(fdt, cpu));
		assert_int_equal(fdt32_ld(&files[2 * cpu + 1]), 9);
	}
	assert_int_equal(fdt_node_offset_by_phandle(fdt, prop_u32(fdt, imsic, "phandle")), imsic);
	return imsic;
}

static int check_aplic(const void *fdt, int imsic)
{
	int aplic = node(fdt, "/soc/interrupt-controller@d000000");
	assert_int_equal(fdt_node_check_compatible(fdt, aplic, "riscv,aplic"), 0);
	check_reg(fdt, aplic, APLIC_BASE, 0x4000);
	assert_int_equal(prop_u32(fdt, aplic, "riscv,num-sources"), 96);
	assert_int_equal(prop_u32(fdt, aplic, "msi-parent"), fdt_get_phandle(fdt, imsic));
	assert_int_equal(prop_u32(fdt, aplic, "#interrupt-cells"), 2);
	check_empty(fdt, aplic, "interrupt-controller");
	assert_int_equal(fdt_node_offset_by_phandle(fdt, prop_u32(fdt, aplic, "phandle")), aplic);
	return aplic;
}

/* A two-cell interrupt specifier: source, level high (4). */
static void check_aia_device(const void *fdt, int off, uint32_t irq, int aplic)
{
	const fdt32_t *cells = prop(fdt, off, "interrupts", 8);
	assert_int_equal(fdt32_ld(&cells[0]), irq);
	assert_int_equal(fdt32_ld(&cells[1]), 4);
	assert_int_equal(prop_u32(fdt, off, "interrupt-parent"), fdt_get_phandle(fdt, aplic));
}

static void test_aia_tree(void **state)
{
	(void)state;
	struct guest_fdt_config c = aia_config(3);
	void *fdt = build(&c);
	check_root_and_memory(fdt);
	check_chosen(fdt, &c);
	check_cpus(fdt, 3);
	int aplic = check_aplic(fdt, check_imsic(fdt, 3));
	assert_true(fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0") < 0);
	check_aia_device(fdt, node(fdt, "/soc/serial@10000000"), 10, aplic);
	/* Devices added later hang off the APLIC too. */
	assert_int_equal(guest_fdt_add_virtio_mmio(fdt, BUF_SIZE, 0x10001000, 1), 0);
	check_full(fdt, BUF_SIZE);
	aplic = node(fdt, "/soc/interrupt-controller@d000000"); /* offsets moved */
	check_aia_device(fdt, node(fdt, "/soc/virtio_mmio@10001000"), 1, aplic);
	assert_int_equal(guest_fdt_add_virtio_mmio(fdt, BUF_SIZE, 0x10002000, 97),
	                 GUEST_FDT_EDEVICE);
	free(fdt);
}

/* The kernel's own reader finds the AIA in a guest's tree as it would on QEMU. */
static void test_aia_kernel_reader(void **state)
{
	(void)state;
	struct guest_fdt_config c = aia_config(4);
	void *fdt = build(&c);
	struct platform_info info;
	assert_int_equal(platform_info_parse(fdt, fdt_totalsize(fdt), &info), PLATFORM_OK);
	assert_false(info.plic.present);
	assert_true(info.aia.present);
	assert_int_equal(info.aia.imsic_base, IMSIC_BASE);
	assert_int_equal(info.aia.num_ids, 63);
	assert_int_equal(info.aia.guest_index_bits, 0);
	assert_int_equal(info.aia.nharts, 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(info.aia.imsic_hart[i], i);
	assert_int_equal(info.aia.aplic_base, APLIC_BASE);
	assert_int_equal(info.aia.nsources, 96);
	assert_int_equal(info.console_irq, 10);
	free(fdt);
}

static void test_aia_device_errors(void **state)
{
	(void)state;
	struct guest_fdt_config c[13];
	for (size_t i = 0; i < 13; i++)
		c[i] = aia_config(2);
	c[0].imsic_ids = 62;
	c[1].imsic_ids = 100;
	c[2].imsic_ids = 2111;
	c[3].imsic_base = IMSIC_BASE + 0x800;
	c[4].imsic_base = RAM_BASE - 0x1000; /* vCPU 1's file would be in RAM */
	c[5].imsic_base = APLIC_BASE + 0x3000;
	c[6].imsic_base = UART_BASE - 0x1000;
	c[7].aplic_sources = 0;
	c[8].aplic_sources = 1024;
	c[9].uart_irq = 97;
	c[10].aplic_base = APLIC_BASE + 0x100;
	c[11].aplic_base = 0xfffffffffffff000ull;
	c[12].uart_base = APLIC_BASE + 0x1000;
	for (size_t i = 0; i < 13; i++)
		if (guest_fdt_validate(&c[i]) != GUEST_FDT_EDEVICE)
			fail_msg("config %zu: got %d", i, guest_fdt_validate(&c[i]));
}

static void test_one_vcpu(void **state)
{
	(void)state;
	check_tree(1);
}

static void test_two_vcpus(void **state)
{
	(void)state;
	check_tree(2);
}

static void test_eight_vcpus(void **state)
{
	(void)state;
	check_tree(8);
}

static void test_most_vcpus(void **state)
{
	(void)state;
	check_tree(GUEST_FDT_MAX_VCPUS);
}

static void test_no_bootargs_no_initrd(void **state)
{
	(void)state;
	struct guest_fdt_config c = config(1);
	c.bootargs = NULL;
	c.initrd_start = c.initrd_end = 0;
	void *fdt = build(&c);
	int chosen = node(fdt, "/chosen");
	assert_null(fdt_getprop(fdt, chosen, "bootargs", NULL));
	assert_null(fdt_getprop(fdt, chosen, "linux,initrd-start", NULL));
	assert_null(fdt_getprop(fdt, chosen, "linux,initrd-end", NULL));
	assert_non_null(fdt_getprop(fdt, chosen, "stdout-path", NULL));
	free(fdt);
}

static void test_isa_extensions_with_digits_and_h(void **state)
{
	(void)state;
	static const char want[] = "i\0m\0a\0c\0v\0h\0zve32x\0svnapot";
	struct guest_fdt_config c = config(1);
	c.isa = "rv64imacvh_zve32x_svnapot";
	void *fdt = build(&c);
	int cpu = node(fdt, "/cpus/cpu@0");
	assert_memory_equal(prop(fdt, cpu, "riscv,isa-extensions", sizeof(want)), want,
	                    sizeof(want));
	c.isa = "rv64i";
	assert_int_equal(guest_fdt_build(&c, fdt, BUF_SIZE), 0);
	cpu = node(fdt, "/cpus/cpu@0");
	assert_memory_equal(prop(fdt, cpu, "riscv,isa-extensions", 2), "i", 2);
	free(fdt);
}

/* Validation fails before anything is written: the buffer keeps its pattern. */
static void expect_error(const struct guest_fdt_config *c, int err)
{
	static unsigned char buf[BUF_SIZE];
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(guest_fdt_validate(c), err);
	assert_int_equal(guest_fdt_build(c, buf, sizeof(buf)), err);
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != 0xa5)
			fail_msg("byte %zu written", i);
	assert_string_not_equal(guest_fdt_strerror(err), "unknown error");
}

static void test_null_errors(void **state)
{
	(void)state;
	char buf[64];
	struct guest_fdt_config c = config(1);
	assert_int_equal(guest_fdt_build(NULL, buf, sizeof(buf)), GUEST_FDT_ENULL);
	assert_int_equal(guest_fdt_build(&c, NULL, BUF_SIZE), GUEST_FDT_ENULL);
	c.name = NULL;
	expect_error(&c, GUEST_FDT_ENULL);
	c = config(1);
	c.isa = NULL;
	expect_error(&c, GUEST_FDT_ENULL);
	c = config(1);
	c.mmu_type = NULL;
	expect_error(&c, GUEST_FDT_ENULL);
}

static void test_name_errors(void **state)
{
	(void)state;
	const char *bad[] = {"", "Upper", "with space", "a,b", "123456789012345678901234567890123"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct guest_fdt_config c = config(1);
		c.name = bad[i];
		expect_error(&c, GUEST_FDT_ENAME);
	}
}

static void test_vcpu_errors(void **state)
{
	(void)state;
	struct guest_fdt_config c = config(0);
	expect_error(&c, GUEST_FDT_EVCPUS);
	c = config(GUEST_FDT_MAX_VCPUS + 1);
	expect_error(&c, GUEST_FDT_EVCPUS);
}

static void test_ram_errors(void **state)
{
	(void)state;
	struct guest_fdt_config c = config(1);
	c.ram_size = 0;
	expect_error(&c, GUEST_FDT_ERAM);
	c = config(1);
	c.ram_base = RAM_BASE + 0x1000;
	expect_error(&c, GUEST_FDT_ERAM);
	c = config(1);
	c.ram_size = RAM_SIZE + 1;
	expect_error(&c, GUEST_FDT_ERAM);
	c = config(1);
	c.ram_base = 0xffffffffffe00000ull;
	expect_error(&c, GUEST_FDT_ERAM);
}

static void test_isa_errors(void **state)
{
	(void)state;
	const char *bad[] = {
	    "",
	    "rv32imac",
	    "RV64IMAC",
	    "rv64",
	    "rv64gc",
	    "rv64iam",
	    "rv64imm",
	    "rv64imac_",
	    "rv64imac__zicsr",
	    "rv64imac_zicsr_",
	    "rv64imac_q",
	    "rv64imac_Zicsr",
	    "rv64imac_zi-csr",
	    "rv64imaczicsr",
	    "rv64imac_a",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct guest_fdt_config c = config(1);
		c.isa = bad[i];
		expect_error(&c, GUEST_FDT_EISA);
	}
}

static void test_mmu_errors(void **state)
{
	(void)state;
	const char *bad[] = {"", "riscv,sv32", "riscv,none", "sv39", "riscv,sv39 "};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct guest_fdt_config c = config(1);
		c.mmu_type = bad[i];
		expect_error(&c, GUEST_FDT_EMMU);
	}
}

static void test_timebase_error(void **state)
{
	(void)state;
	struct guest_fdt_config c = config(1);
	c.timebase_hz = 0;
	expect_error(&c, GUEST_FDT_ETIMEBASE);
}

static void test_initrd_errors(void **state)
{
	(void)state;
	const uint64_t bad[][2] = {
	    {RAM_BASE + 0x2000, RAM_BASE + 0x1000},             /* end before start */
	    {RAM_BASE + 0x1000, RAM_BASE + 0x1000},             /* empty */
	    {RAM_BASE - 0x1000, RAM_BASE + 0x1000},             /* starts below RAM */
	    {RAM_BASE + RAM_SIZE - 1, RAM_BASE + RAM_SIZE + 1}, /* ends past RAM */
	    {0, RAM_BASE + 0x1000},                             /* start 0 with an end */
	    {RAM_BASE, 0},                                      /* start with no end */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct guest_fdt_config c = config(1);
		c.initrd_start = bad[i][0];
		c.initrd_end = bad[i][1];
		expect_error(&c, GUEST_FDT_EINITRD);
	}
	/* An initrd filling RAM to its very end is fine. */
	struct guest_fdt_config c = config(1);
	c.initrd_end = RAM_BASE + RAM_SIZE;
	assert_int_equal(guest_fdt_validate(&c), 0);
}

static void test_device_errors(void **state)
{
	(void)state;
	struct guest_fdt_config c[12];
	for (size_t i = 0; i < 12; i++)
		c[i] = config(2);
	c[0].plic_ndev = 0;
	c[1].plic_ndev = 1024;
	c[2].plic_base = PLIC_BASE + 4;
	c[3].plic_base = RAM_BASE - 0x1000; /* runs into RAM */
	c[4].plic_base = 0xfffffffffffff000ull;
	c[5].uart_irq = 0;
	c[6].uart_irq = 97;
	c[7].uart_clock_hz = 0;
	c[8].uart_base = UART_BASE + 8;
	c[9].uart_base = RAM_BASE + 0x1000;
	c[10].uart_base = PLIC_BASE + 0x201000; /* vCPU 1's PLIC context */
	c[11].uart_base = 0xffffffffffffff00ull;
	for (size_t i = 0; i < 12; i++)
		expect_error(&c[i], GUEST_FDT_EDEVICE);
}

/* Every size short of the tree fails and leaves the canary after the buffer alone. */
static void test_buffer_too_small(void **state)
{
	(void)state;
	struct guest_fdt_config c = config(2);
	void *fdt = build(&c);
	size_t need = fdt_totalsize(fdt);
	free(fdt);
	static const unsigned char canary[16] = "0123456789abcdef";
	for (size_t size = 0; size < need; size++) {
		unsigned char *buf = malloc(size + sizeof(canary));
		assert_non_null(buf);
		memcpy(buf + size, canary, sizeof(canary));
		assert_int_equal(guest_fdt_build(&c, buf, size), GUEST_FDT_ENOSPACE);
		assert_memory_equal(buf + size, canary, sizeof(canary));
		free(buf);
	}
	unsigned char *buf = malloc(need + sizeof(canary));
	assert_non_null(buf);
	memcpy(buf + need, canary, sizeof(canary));
	assert_int_equal(guest_fdt_build(&c, buf, need), 0);
	assert_memory_equal(buf + need, canary, sizeof(canary));
	check_full(buf, need);
	free(buf);
}

/* The kernel's reader sees the harts, memory, PLIC contexts and console. */
static void test_kernel_reader_round_trip(void **state)
{
	(void)state;
	struct guest_fdt_config c = config(8);
	void *fdt = build(&c);
	struct platform_info info;
	assert_int_equal(platform_info_parse(fdt, fdt_totalsize(fdt), &info), PLATFORM_OK);
	assert_int_equal(info.hart_count, 8);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(info.hart_ids[i], i);
	assert_int_equal(info.timebase_hz, 10000000);
	assert_int_equal(info.memory.count, 1);
	assert_int_equal(info.memory.r[0].base, RAM_BASE);
	assert_int_equal(info.memory.r[0].size, RAM_SIZE);
	assert_int_equal(info.reserved.count, 0);
	assert_string_equal(info.isa, ISA);
	assert_string_equal(info.mmu_type, "riscv,sv39");
	assert_true(platform_has_extension(&info, "sstc"));
	assert_false(platform_has_extension(&info, "h"));
	assert_string_equal(info.bootargs, BOOTARGS);
	assert_true(info.plic.present);
	assert_int_equal(info.plic.base, PLIC_BASE);
	assert_int_equal(info.plic.ndev, 96);
	assert_int_equal(info.plic.ncontexts, 8);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(info.plic.s_context_hart[i], i);
	assert_int_equal(info.console_pa, UART_BASE);
	assert_int_equal(info.console_irq, 10);
	free(fdt);
}

/* The host of QEMU 10's virt machine, as the kernel reports it. */
static const struct guest_isa_host qemu10_host = {
    .extensions = FV_ISA_BIT(M) | FV_ISA_BIT(A) | FV_ISA_BIT(F) | FV_ISA_BIT(D) | FV_ISA_BIT(C) |
                  FV_ISA_BIT(H) | FV_ISA_BIT(ZIC64B) | FV_ISA_BIT(ZICBOM) | FV_ISA_BIT(ZICBOP) |
                  FV_ISA_BIT(ZICBOZ) | FV_ISA_BIT(ZICNTR) | FV_ISA_BIT(ZICSR) |
                  FV_ISA_BIT(ZIFENCEI) | FV_ISA_BIT(ZIHINTPAUSE) | FV_ISA_BIT(ZIHPM) |
                  FV_ISA_BIT(ZAWRS) | FV_ISA_BIT(ZBA) | FV_ISA_BIT(ZBB) | FV_ISA_BIT(ZBS) |
                  FV_ISA_BIT(SSAIA) | FV_ISA_BIT(SSTC) | FV_ISA_BIT(SVADU) | FV_ISA_BIT(SVVPTC),
    .cbom_block_size = 64,
    .cboz_block_size = 64,
    .cbop_block_size = 64,
};

static void test_guest_isa_from_host(void **state)
{
	(void)state;
	struct guest_isa isa;
	guest_isa_build(&qemu10_host, 1, &isa);
	/* No h, zihpm or svadu; ssaia with interrupt files. */
	assert_string_equal(isa.string, "rv64imafdc_zic64b_zicbom_zicbop_zicboz_zicntr_zicsr_"
	                                "zifencei_zihintpause_zawrs_zba_zbb_zbs_ssaia_sstc_svvptc");
	assert_int_equal(isa.henvcfg, GUEST_HENVCFG_STCE | GUEST_HENVCFG_CBZE |
	                                  GUEST_HENVCFG_CBCFE | GUEST_HENVCFG_CBIE_FLUSH);
	guest_isa_build(&qemu10_host, 0, &isa);
	assert_null(strstr(isa.string, "ssaia"));
}

static void test_guest_isa_needs_block_sizes(void **state)
{
	(void)state;
	struct guest_isa_host host = qemu10_host;
	host.cbom_block_size = host.cboz_block_size = host.cbop_block_size = 0;
	struct guest_isa isa;
	guest_isa_build(&host, 0, &isa);
	assert_null(strstr(isa.string, "zicbo"));
	assert_int_equal(isa.henvcfg, GUEST_HENVCFG_STCE);
}

static void test_guest_isa_drops_orphans(void **state)
{
	(void)state;
	const struct guest_isa_host host = {
	    .extensions = FV_ISA_BIT(M) | FV_ISA_BIT(A) | FV_ISA_BIT(D) | FV_ISA_BIT(C) |
	                  FV_ISA_BIT(ZFA) | FV_ISA_BIT(ZFH) | FV_ISA_BIT(ZCD) | FV_ISA_BIT(ZCA) |
	                  FV_ISA_BIT(SVPBMT) | FV_ISA_BIT(V)};
	struct guest_isa isa;
	guest_isa_build(&host, 1, &isa); /* files, but a host without Ssaia; no Sstc either */
	assert_string_equal(isa.string, "rv64imac_zicntr_zicsr_zifencei_zca_svpbmt");
	assert_int_equal(isa.henvcfg, GUEST_HENVCFG_STCE | GUEST_HENVCFG_PBMTE);
}

static void test_guest_isa_everything_fits(void **state)
{
	(void)state;
	const struct guest_isa_host host = {UINT64_MAX, 64, 64, 64};
	struct guest_isa isa;
	guest_isa_build(&host, 1, &isa);
	assert_true(strlen(isa.string) < sizeof(isa.string) - 1);
	assert_non_null(strstr(isa.string, "_svvptc"));
	struct guest_fdt_config c = config(8);
	c.isa = isa.string;
	c.cbom_block_size = c.cboz_block_size = c.cbop_block_size = 64;
	free(build(&c)); /* a valid isa string, and room for it on every cpu */
}

/*
 * Host tree to guest tree: the kernel's reader finds in the guest's tree
 * exactly the extensions and block sizes the guest was given.
 */
static void test_guest_isa_round_trip(void **state)
{
	(void)state;
	struct guest_isa isa;
	guest_isa_build(&qemu10_host, 1, &isa);
	struct guest_fdt_config c = config(2);
	c.isa = isa.string;
	c.cbom_block_size = 64;
	c.cboz_block_size = 128;
	void *fdt = build(&c);
	struct platform_info info;
	assert_int_equal(platform_info_parse(fdt, fdt_totalsize(fdt), &info), PLATFORM_OK);
	assert_int_equal(platform_isa_extensions(&info), isa.extensions);
	assert_int_equal(info.cbom_block_size, 64);
	assert_int_equal(info.cboz_block_size, 128);
	assert_int_equal(info.cbop_block_size, 0);
	free(fdt);
}

static void test_block_size_errors(void **state)
{
	(void)state;
	const uint32_t bad[] = {3, 48, 65, 0x80000001u};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct guest_fdt_config c = config(1);
		c.cbom_block_size = bad[i];
		expect_error(&c, GUEST_FDT_EISA);
		c = config(1);
		c.cboz_block_size = bad[i];
		expect_error(&c, GUEST_FDT_EISA);
		c = config(1);
		c.cbop_block_size = bad[i];
		expect_error(&c, GUEST_FDT_EISA);
	}
}

/* dtc decompiles the tree without complaint (skipped without dtc). */
static void test_dtc_decompiles(void **state)
{
	(void)state;
	if (system("command -v dtc >/dev/null 2>&1") != 0)
		skip();
	struct guest_fdt_config c = config(2);
	void *fdt = build(&c);
	char path[] = "/tmp/guest_fdt_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	ssize_t len = (ssize_t)fdt_totalsize(fdt);
	assert_int_equal(write(fd, fdt, (size_t)len), len);
	close(fd);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "dtc -q -I dtb -O dts -o /dev/null %s", path);
	int rc = system(cmd);
	unlink(path);
	free(fdt);
	assert_int_equal(rc, 0);
}

static void check_virtio(const void *fdt, const char *path, uint64_t base, uint32_t irq)
{
	int off = node(fdt, path);
	check_string(fdt, off, "compatible", "virtio,mmio");
	check_reg(fdt, off, base, 0x1000);
	assert_int_equal(prop_u32(fdt, off, "interrupts"), irq);
	int plic = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
	assert_int_equal(prop_u32(fdt, off, "interrupt-parent"), fdt_get_phandle(fdt, plic));
}

static void test_virtio_mmio(void **state)
{
	(void)state;
	struct guest_fdt_config c = config(2);
	void *fdt = build(&c);
	assert_int_equal(guest_fdt_add_virtio_mmio(fdt, BUF_SIZE, 0x10002000, 2), 0);
	assert_int_equal(guest_fdt_add_virtio_mmio(fdt, BUF_SIZE, 0x10001000, 1), 0);
	check_full(fdt, BUF_SIZE);
	check_virtio(fdt, "/soc/virtio_mmio@10001000", 0x10001000, 1);
	check_virtio(fdt, "/soc/virtio_mmio@10002000", 0x10002000, 2);
	/* Added in descending order, they appear in ascending order. */
	assert_true(fdt_path_offset(fdt, "/soc/virtio_mmio@10001000") <
	            fdt_path_offset(fdt, "/soc/virtio_mmio@10002000"));
	check_uart(fdt, check_plic(fdt, 2));
	assert_int_equal(guest_fdt_add_virtio_mmio(fdt, BUF_SIZE, 0x10001000, 3),
	                 GUEST_FDT_EDEVICE);
	assert_int_equal(guest_fdt_add_virtio_mmio(fdt, BUF_SIZE, 0x10003000, 0),
	                 GUEST_FDT_EDEVICE);
	assert_int_equal(guest_fdt_add_virtio_mmio(fdt, BUF_SIZE, 0x10003000, 97),
	                 GUEST_FDT_EDEVICE);
	assert_int_equal(guest_fdt_add_virtio_mmio(fdt, BUF_SIZE, 0x10003800, 3),
	                 GUEST_FDT_EDEVICE);
	assert_int_equal(guest_fdt_add_virtio_mmio(NULL, BUF_SIZE, 0x10003000, 3), GUEST_FDT_ENULL);
	free(fdt);
}

/*
 * Without room for the node nothing is added and the tree stays sound (libfdt
 * may repack it: the reservation map moves from offset 48 to 40).
 */
static void test_virtio_mmio_no_room(void **state)
{
	(void)state;
	struct guest_fdt_config c = config(1);
	void *fdt = build(&c);
	size_t size = fdt_totalsize(fdt);
	/* Room for the node's name but not its properties: it goes in, then out again. */
	assert_int_equal(guest_fdt_add_virtio_mmio(fdt, size + 40, 0x10001000, 1),
	                 GUEST_FDT_ENOSPACE);
	assert_true(fdt_totalsize(fdt) <= size);
	check_full(fdt, size);
	assert_true(fdt_path_offset(fdt, "/soc/virtio_mmio@10001000") < 0);
	check_uart(fdt, check_plic(fdt, 1));
	check_cpus(fdt, 1);
	/* A buffer smaller than the tree, or no tree at all. */
	assert_int_equal(guest_fdt_add_virtio_mmio(fdt, fdt_totalsize(fdt) - 1, 0x10001000, 1),
	                 GUEST_FDT_EFDT);
	void *zero = calloc(1, size);
	assert_non_null(zero);
	assert_int_equal(guest_fdt_add_virtio_mmio(zero, size, 0x10001000, 1), GUEST_FDT_EFDT);
	free(zero);
	free(fdt);
}

static void test_strerror(void **state)
{
	(void)state;
	for (int err = GUEST_FDT_EFDT; err <= 0; err++)
		assert_string_not_equal(guest_fdt_strerror(err), "unknown error");
	assert_string_equal(guest_fdt_strerror(GUEST_FDT_EFDT - 1), "unknown error");
	assert_string_equal(guest_fdt_strerror(1), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_vcpu),
	    cmocka_unit_test(test_two_vcpus),
	    cmocka_unit_test(test_eight_vcpus),
	    cmocka_unit_test(test_most_vcpus),
	    cmocka_unit_test(test_no_bootargs_no_initrd),
	    cmocka_unit_test(test_isa_extensions_with_digits_and_h),
	    cmocka_unit_test(test_null_errors),
	    cmocka_unit_test(test_name_errors),
	    cmocka_unit_test(test_vcpu_errors),
	    cmocka_unit_test(test_ram_errors),
	    cmocka_unit_test(test_isa_errors),
	    cmocka_unit_test(test_mmu_errors),
	    cmocka_unit_test(test_timebase_error),
	    cmocka_unit_test(test_initrd_errors),
	    cmocka_unit_test(test_device_errors),
	    cmocka_unit_test(test_buffer_too_small),
	    cmocka_unit_test(test_kernel_reader_round_trip),
	    cmocka_unit_test(test_dtc_decompiles),
	    cmocka_unit_test(test_virtio_mmio),
	    cmocka_unit_test(test_virtio_mmio_no_room),
	    cmocka_unit_test(test_strerror),
	    cmocka_unit_test(test_guest_isa_from_host),
	    cmocka_unit_test(test_guest_isa_needs_block_sizes),
	    cmocka_unit_test(test_guest_isa_drops_orphans),
	    cmocka_unit_test(test_guest_isa_everything_fits),
	    cmocka_unit_test(test_guest_isa_round_trip),
	    cmocka_unit_test(test_block_size_errors),
	    cmocka_unit_test(test_aia_tree),
	    cmocka_unit_test(test_aia_kernel_reader),
	    cmocka_unit_test(test_aia_device_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
