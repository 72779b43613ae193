/*
 * Unit tests of the device-tree reader. Trees come from test/unit/dts/ (built
 * into TEST_DTB_DIR); corrupt ones are derived in the tests from a valid blob
 * held in a buffer of exactly its size, so the sanitizers catch any read past it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libfdt.h>

#include <fv/platform.h>
#include <ferrovisor/bootinfo.h>

/* Reads TEST_DTB_DIR/<name>.dtb into a malloc'd buffer of exactly its size. */
static void *load_dtb(const char *name, size_t *size)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s.dtb", TEST_DTB_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	void *blob = malloc((size_t)len);
	assert_non_null(blob);
	assert_int_equal(fread(blob, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*size = (size_t)len;
	return blob;
}

static enum platform_error parse_file(const char *name, struct platform_info *info, void **blob)
{
	size_t size;
	*blob = load_dtb(name, &size);
	return platform_info_parse(*blob, size, info);
}

/* Parses a copy of `blob` in a buffer of exactly `size` bytes. */
static enum platform_error parse_copy(const void *blob, size_t size, struct platform_info *info)
{
	void *copy = malloc(size);
	assert_non_null(copy);
	memcpy(copy, blob, size);
	enum platform_error err = platform_info_parse(copy, size, info);
	free(copy);
	return err;
}

static void check_region(const struct mem_region *r, uint64_t base, uint64_t size)
{
	assert_int_equal(r->base, base);
	assert_int_equal(r->size, size);
}

static void test_qemu_virt_tree(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("qemu_virt", &info, &blob), PLATFORM_OK);
	assert_int_equal(info.hart_count, 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(info.hart_ids[i], i);
	assert_int_equal(info.timebase_hz, 10000000);
	assert_int_equal(info.memory.count, 1);
	check_region(&info.memory.r[0], 0x80000000, 0x2c000000);
	assert_int_equal(info.memory_bytes, 704ull << 20);
	assert_int_equal(info.reserved.count, 2);
	check_region(&info.reserved.r[0], 0x80000000, 0x40000);
	check_region(&info.reserved.r[1], 0x80040000, 0x20000);
	assert_true(strncmp(info.isa, "rv64imafdch_zic64b_", 19) == 0);
	assert_non_null(info.isa_ext);
	assert_int_equal(info.isa_ext_len, 305);
	assert_memory_equal(info.isa_ext, "i\0m\0a\0", 6);
	assert_string_equal(info.mmu_type, "riscv,sv57");
	assert_string_equal(info.bootargs, "console=ttyS0 earlycon=sbi");
	assert_int_equal(info.fdt_size, fdt_totalsize(blob));
	/* Strings point into the tree itself. */
	assert_true(info.isa > (const char *)blob && info.isa < (const char *)blob + info.fdt_size);
	free(blob);
}

static void test_multiple_memory_nodes_and_entries(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("multi_memory", &info, &blob), PLATFORM_OK);
	assert_int_equal(info.memory.count, 3);
	check_region(&info.memory.r[0], 0x80000000, 0x10000000);
	check_region(&info.memory.r[1], 0xa0000000, 0x08000000);
	check_region(&info.memory.r[2], 0x100000000, 0x40000000);
	assert_int_equal(info.memory_bytes, 0x58000000);
	assert_int_equal(info.reserved.count, 0);
	assert_null(info.isa_ext);
	assert_null(info.mmu_type);
	assert_string_equal(info.bootargs, "");
	free(blob);
}

static void test_one_cell_addresses_and_sizes(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("cells_one", &info, &blob), PLATFORM_OK);
	assert_int_equal(info.memory.count, 1);
	check_region(&info.memory.r[0], 0x80000000, 0x20000000);
	assert_int_equal(info.reserved.count, 1);
	check_region(&info.reserved.r[0], 0x80000000, 0x80000);
	assert_int_equal(info.timebase_hz, 1000000);
	free(blob);
}

/* Without #address-cells / #size-cells: 2 and 1 (cpus: 2 address cells). */
static void test_default_cells_when_absent(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("cells_default", &info, &blob), PLATFORM_OK);
	assert_int_equal(info.hart_count, 2);
	assert_int_equal(info.hart_ids[0], 0);
	assert_int_equal(info.hart_ids[1], 1);
	assert_int_equal(info.memory.count, 1);
	check_region(&info.memory.r[0], 0x80000000, 0x10000000);
	assert_int_equal(info.reserved.count, 1);
	check_region(&info.reserved.r[0], 0x80000000, 0x100000);
	free(blob);
}

static void test_disabled_cpus_are_not_counted(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("disabled_cpu", &info, &blob), PLATFORM_OK);
	assert_int_equal(info.hart_count, 3);
	assert_int_equal(info.hart_ids[0], 0);
	assert_int_equal(info.hart_ids[1], 2);
	assert_int_equal(info.hart_ids[2], 3);
	free(blob);
}

static void test_harts_beyond_max_are_counted_not_stored(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("many_cpus", &info, &blob), PLATFORM_OK);
	assert_int_equal(info.hart_count, 20);
	for (unsigned i = 0; i < CONFIG_MAX_HARTS; i++)
		assert_int_equal(info.hart_ids[i], i);
	free(blob);
}

static void test_hart_zero_supplies_isa_when_not_first(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("boot_hart_not_first", &info, &blob), PLATFORM_OK);
	assert_int_equal(info.hart_count, 3);
	assert_int_equal(info.hart_ids[0], 3);
	assert_int_equal(info.hart_ids[1], 0);
	assert_int_equal(info.hart_ids[2], 1);
	assert_string_equal(info.isa, "rv64imafdch_zicsr_sstc");
	assert_null(info.isa_ext);
	assert_string_equal(info.mmu_type, "riscv,sv48");
	assert_string_equal(info.bootargs, "");
	assert_true(platform_has_extension(&info, "h"));
	free(blob);
}

static void test_isa_extensions_come_from_the_extension_list(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("isa_extensions_list", &info, &blob), PLATFORM_OK);
	uint64_t set = platform_isa_extensions(&info);
	const uint64_t expected =
	    FV_ISA_BIT(M) | FV_ISA_BIT(A) | FV_ISA_BIT(F) | FV_ISA_BIT(D) | FV_ISA_BIT(C) |
	    FV_ISA_BIT(H) | FV_ISA_BIT(ZIC64B) | FV_ISA_BIT(ZICBOM) | FV_ISA_BIT(ZICBOP) |
	    FV_ISA_BIT(ZICBOZ) | FV_ISA_BIT(ZICCAMOA) | FV_ISA_BIT(ZICCIF) | FV_ISA_BIT(ZICCLSM) |
	    FV_ISA_BIT(ZICCRSE) | FV_ISA_BIT(ZICNTR) | FV_ISA_BIT(ZICSR) | FV_ISA_BIT(ZIFENCEI) |
	    FV_ISA_BIT(ZIHINTNTL) | FV_ISA_BIT(ZIHINTPAUSE) | FV_ISA_BIT(ZIHPM) |
	    FV_ISA_BIT(ZMMUL) | FV_ISA_BIT(ZA64RS) | FV_ISA_BIT(ZAAMO) | FV_ISA_BIT(ZALRSC) |
	    FV_ISA_BIT(ZAWRS) | FV_ISA_BIT(ZFA) | FV_ISA_BIT(ZCA) | FV_ISA_BIT(ZCD) |
	    FV_ISA_BIT(ZBA) | FV_ISA_BIT(ZBB) | FV_ISA_BIT(ZBC) | FV_ISA_BIT(ZBS) |
	    FV_ISA_BIT(SSAIA) | FV_ISA_BIT(SSTC) | FV_ISA_BIT(SVADU) | FV_ISA_BIT(SVVPTC);
	assert_int_equal(set, expected); /* not zbkb or svnapot: the list wins over riscv,isa */
	assert_int_equal(info.cbom_block_size, 0); /* 0x30 is not a power of two */
	assert_int_equal(info.cboz_block_size, 64);
	assert_int_equal(info.cbop_block_size, 64);
	free(blob);
}

static void test_isa_extensions_come_from_the_isa_string(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("qemu_virt_aia", &info, &blob), PLATFORM_OK);
	assert_int_equal(platform_isa_extensions(&info),
	                 FV_ISA_BIT(M) | FV_ISA_BIT(A) | FV_ISA_BIT(F) | FV_ISA_BIT(D) |
	                     FV_ISA_BIT(C) | FV_ISA_BIT(H) | FV_ISA_BIT(SSAIA) | FV_ISA_BIT(SSTC));
	assert_int_equal(info.cbom_block_size, 0);
	assert_int_equal(info.cboz_block_size, 0);
	assert_int_equal(info.cbop_block_size, 0);
	free(blob);
}

static void test_first_usable_cpu_stands_in_for_missing_hart_zero(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("no_hart_zero", &info, &blob), PLATFORM_OK);
	assert_int_equal(info.hart_count, 2);
	assert_int_equal(info.hart_ids[0], 2);
	assert_int_equal(info.hart_ids[1], 1);
	assert_string_equal(info.isa, "rv64gc");
	assert_int_equal(info.timebase_hz, 1000000000);
	free(blob);
}

static void test_sixteen_regions_fit(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("sixteen_regions", &info, &blob), PLATFORM_OK);
	assert_int_equal(info.memory.count, PLATFORM_MAX_REGIONS);
	for (unsigned i = 0; i < PLATFORM_MAX_REGIONS; i++)
		check_region(&info.memory.r[i], 0x80000000 + i * 0x1000000ull, 0x100000);
	assert_int_equal(info.memory_bytes, 16 * 0x100000);
	free(blob);
}

static void test_memreserve_and_reserved_memory_nodes(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("memreserve", &info, &blob), PLATFORM_OK);
	/* Header entries first, then static nodes; disabled and dynamic nodes skipped. */
	assert_int_equal(info.reserved.count, 4);
	check_region(&info.reserved.r[0], 0x8f000000, 0x100000);
	check_region(&info.reserved.r[1], 0x84000000, 0x2000);
	check_region(&info.reserved.r[2], 0x80000000, 0x40000);
	check_region(&info.reserved.r[3], 0x80100000, 0x1000);

	struct region_list usable;
	assert_int_equal(platform_usable_memory(&info, &usable), PLATFORM_OK);
	assert_int_equal(usable.count, 4);
	check_region(&usable.r[0], 0x80040000, 0xc0000);
	check_region(&usable.r[1], 0x80101000, 0x3eff000);
	check_region(&usable.r[2], 0x84002000, 0xaffe000);
	check_region(&usable.r[3], 0x8f100000, 0xf00000);
	free(blob);
}

static void test_plic_and_console_are_found(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("qemu_virt", &info, &blob), PLATFORM_OK);
	assert_true(info.plic.present);
	assert_int_equal(info.plic.base, 0xc000000);
	assert_int_equal(info.plic.size, 0x600000);
	assert_int_equal(info.plic.ndev, 0x5f);
	assert_int_equal(info.plic.ncontexts, 4);
	/* Contexts alternate M (11) and S (9) per hart: only S contexts name a hart. */
	assert_int_equal(info.plic.s_context_hart[0], UINT64_MAX);
	assert_int_equal(info.plic.s_context_hart[1], 0);
	assert_int_equal(info.plic.s_context_hart[2], UINT64_MAX);
	assert_int_equal(info.plic.s_context_hart[3], 1);
	assert_int_equal(info.console_pa, 0x10000000);
	assert_int_equal(info.console_irq, 10);
	free(blob);
}

static void test_unterminated_reservation_map_is_refused(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_dtb("memreserve", &size);
	/* The map now starts at the end of the blob: it has no terminating entry. */
	fdt_set_off_mem_rsvmap(blob, fdt_totalsize(blob));
	struct platform_info info;
	assert_int_equal(platform_info_parse(blob, size, &info), PLATFORM_EHEADER);
	free(blob);
}

static void test_broken_trees_give_specific_errors(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum platform_error want;
	} cases[] = {
	    {"no_cpus", PLATFORM_ENOCPUS},
	    {"cpus_none_usable", PLATFORM_ENOCPUS},
	    {"cpu_no_reg", PLATFORM_ECPU},
	    {"no_timebase", PLATFORM_ETIMEBASE},
	    {"isa_rv32", PLATFORM_EISA},
	    {"no_memory", PLATFORM_EMEMORY},
	    {"memory_bad_reg", PLATFORM_EMEMORY},
	    {"too_many_regions", PLATFORM_ETOOMANY},
	    {"too_many_reserved", PLATFORM_ETOOMANY},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct platform_info info;
		void *blob;
		enum platform_error err = parse_file(cases[i].name, &info, &blob);
		if (err != cases[i].want)
			fail_msg("%s: got %d (%s), want %d", cases[i].name, err,
			         platform_strerror(err), cases[i].want);
		free(blob);
	}
}

/* A copy of TEST_DTB_DIR/<name>.dtb opened with room for edits. */
static void *open_tree(const char *name, size_t extra, size_t *bufsize)
{
	size_t size;
	void *blob = load_dtb(name, &size);
	*bufsize = size + extra;
	void *buf = malloc(*bufsize);
	assert_non_null(buf);
	assert_int_equal(fdt_open_into(blob, buf, (int)*bufsize), 0);
	free(blob);
	return buf;
}

static void *open_qemu_virt(size_t extra, size_t *bufsize)
{
	return open_tree("qemu_virt", extra, bufsize);
}

enum edit_kind { SET_CELLS, SET_BYTES, DELETE };

struct prop_edit {
	const char *path, *prop;
	enum edit_kind kind;
	uint32_t cells[4];
	int ncells;
	const char *bytes;
	int nbytes;
	enum platform_error want;
};

static void apply_edit(void *fdt, const struct prop_edit *e)
{
	int node = fdt_path_offset(fdt, e->path);
	assert_true(node >= 0);
	if (e->kind == DELETE) {
		assert_int_equal(fdt_delprop(fdt, node, e->prop), 0);
	} else if (e->kind == SET_BYTES) {
		assert_int_equal(fdt_setprop(fdt, node, e->prop, e->bytes, e->nbytes), 0);
	} else {
		fdt32_t v[4];
		for (int i = 0; i < e->ncells; i++)
			v[i] = cpu_to_fdt32(e->cells[i]);
		assert_int_equal(fdt_setprop(fdt, node, e->prop, v, e->ncells * 4), 0);
	}
	assert_int_equal(fdt_pack(fdt), 0);
}

#define CELLS(...)                                 \
	.kind = SET_CELLS, .cells = {__VA_ARGS__}, \
	.ncells = sizeof((uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t)
#define BYTES(s, n) .kind = SET_BYTES, .bytes = (s), .nbytes = (n)

static void test_bad_properties_give_specific_errors(void **state)
{
	(void)state;
	static const struct prop_edit edits[] = {
	    {"/cpus", "#address-cells", CELLS(3), .want = PLATFORM_ECPU},
	    {"/cpus", "#address-cells", CELLS(2), .want = PLATFORM_ECPU},
	    {"/cpus", "#address-cells", CELLS(0), .want = PLATFORM_ECPU},
	    {"/cpus/cpu@2", "reg", CELLS(0, 2), .want = PLATFORM_ECPU},
	    {"/cpus/cpu@0", "reg", BYTES("\0\0\0", 3), .want = PLATFORM_ECPU},
	    {"/cpus/cpu@3", "reg", .kind = DELETE, .want = PLATFORM_ECPU},
	    {"/cpus", "timebase-frequency", CELLS(0), .want = PLATFORM_ETIMEBASE},
	    {"/cpus", "timebase-frequency", CELLS(1, 0), .want = PLATFORM_ETIMEBASE},
	    {"/cpus", "timebase-frequency", CELLS(0, 0, 1), .want = PLATFORM_ETIMEBASE},
	    {"/cpus", "timebase-frequency", BYTES("\0\x98\x96", 3), .want = PLATFORM_ETIMEBASE},
	    {"/cpus", "timebase-frequency", .kind = DELETE, .want = PLATFORM_ETIMEBASE},
	    {"/cpus/cpu@0", "riscv,isa", BYTES("rv64imac", 8), .want = PLATFORM_EISA},
	    {"/cpus/cpu@0", "riscv,isa", BYTES("", 0), .want = PLATFORM_EISA},
	    {"/cpus/cpu@0", "riscv,isa", BYTES("rv6", 4), .want = PLATFORM_EISA},
	    {"/cpus/cpu@0", "riscv,isa", BYTES("rv128i", 7), .want = PLATFORM_EISA},
	    {"/cpus/cpu@0", "riscv,isa", .kind = DELETE, .want = PLATFORM_EISA},
	    {"/memory@80000000", "reg", BYTES("", 0), .want = PLATFORM_EMEMORY},
	    {"/memory@80000000", "reg", CELLS(0, 0x80000000, 0), .want = PLATFORM_EMEMORY},
	    {"/memory@80000000", "reg", CELLS(0xffffffff, 0xfffff000, 0, 0x2000),
	     .want = PLATFORM_EMEMORY},
	    {"/memory@80000000", "reg", .kind = DELETE, .want = PLATFORM_EMEMORY},
	    {"/memory@80000000", "device_type", .kind = DELETE, .want = PLATFORM_EMEMORY},
	    {"/memory@80000000", "status", BYTES("disabled", 9), .want = PLATFORM_EMEMORY},
	    {"/", "#address-cells", CELLS(3), .want = PLATFORM_EMEMORY},
	    {"/", "#size-cells", CELLS(0), .want = PLATFORM_EMEMORY},
	    {"/reserved-memory", "#size-cells", CELLS(5), .want = PLATFORM_EMEMORY},
	    {"/reserved-memory/mmode_resv0@80040000", "reg", CELLS(0, 0x80040000, 0),
	     .want = PLATFORM_EMEMORY},
	    {"/reserved-memory/mmode_resv0@80040000", "reg", BYTES("", 0),
	     .want = PLATFORM_EMEMORY},
	    {"/reserved-memory/mmode_resv0@80040000", "reg", CELLS(0xffffffff, 0xffffffff, 0, 1),
	     .want = PLATFORM_EMEMORY},
	};
	for (size_t i = 0; i < ARRAY_SIZE(edits); i++) {
		size_t bufsize;
		void *fdt = open_qemu_virt(256, &bufsize);
		apply_edit(fdt, &edits[i]);
		struct platform_info info;
		enum platform_error err = parse_copy(fdt, fdt_totalsize(fdt), &info);
		if (err != edits[i].want)
			fail_msg("edit %zu (%s %s): got %d, want %d", i, edits[i].path,
			         edits[i].prop, err, edits[i].want);
		free(fdt);
	}
}

static void test_aia_is_found(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("qemu_virt_aia", &info, &blob), PLATFORM_OK);
	assert_false(info.plic.present);
	const struct aia_info *aia = &info.aia;
	assert_true(aia->present);
	/* The supervisor-level pair, not the machine-level one listed after it. */
	assert_int_equal(aia->aplic_base, 0xd000000);
	assert_int_equal(aia->aplic_size, 0x8000);
	assert_int_equal(aia->nsources, 0x60);
	assert_int_equal(aia->imsic_base, 0x28000000);
	assert_int_equal(aia->imsic_size, 0x8000);
	assert_int_equal(aia->num_ids, 255);
	assert_int_equal(aia->guest_index_bits, 2);
	assert_int_equal(aia->nharts, 2);
	assert_int_equal(aia->imsic_hart[0], 0);
	assert_int_equal(aia->imsic_hart[1], 1);
	assert_int_equal(info.console_irq, 10);
	free(blob);

	assert_int_equal(parse_file("qemu_virt", &info, &blob), PLATFORM_OK);
	assert_false(info.aia.present);
	free(blob);
}

/* A malformed AIA description leaves the AIA absent; the tree still parses. */
static void test_bad_aia_properties_leave_it_absent(void **state)
{
	(void)state;
	static const char aplic[] = "/soc/interrupt-controller@d000000";
	static const char imsic[] = "/soc/interrupt-controller@28000000";
	static const struct prop_edit edits[] = {
	    {imsic, "riscv,num-ids", CELLS(100)},
	    {imsic, "riscv,num-ids", CELLS(62)},
	    {imsic, "riscv,num-ids", CELLS(4095)},
	    {imsic, "riscv,num-ids", .kind = DELETE},
	    {imsic, "riscv,num-ids", CELLS(0, 255)},
	    {imsic, "riscv,guest-index-bits", CELLS(7)},
	    /* Four pages a hart for two harts: 32 KiB; 16 KiB is too small. */
	    {imsic, "reg", CELLS(0, 0x28000000, 0, 0x4000)},
	    {imsic, "reg", CELLS(0, 0x28000800, 0, 0x8000)},
	    {imsic, "reg", .kind = DELETE},
	    {imsic, "interrupts-extended", CELLS(1, 9, 2)},
	    {imsic, "interrupts-extended", CELLS(0xdead, 9)},
	    {imsic, "interrupts-extended", .kind = DELETE},
	    {imsic, "compatible", BYTES("riscv,plic0", 12)},
	    {aplic, "msi-parent", CELLS(0xdead)},
	    {aplic, "msi-parent", .kind = DELETE},
	    {aplic, "riscv,num-sources", CELLS(0)},
	    {aplic, "riscv,num-sources", CELLS(1024)},
	    {aplic, "riscv,num-sources", .kind = DELETE},
	    {aplic, "reg", CELLS(0, 0xd000000, 0, 0x1000)},
	    {aplic, "status", BYTES("disabled", 9)},
	};
	for (size_t i = 0; i < ARRAY_SIZE(edits); i++) {
		size_t bufsize;
		void *fdt = open_tree("qemu_virt_aia", 256, &bufsize);
		apply_edit(fdt, &edits[i]);
		struct platform_info info;
		assert_int_equal(parse_copy(fdt, fdt_totalsize(fdt), &info), PLATFORM_OK);
		if (info.aia.present)
			fail_msg("edit %zu (%s %s): the AIA is still present", i, edits[i].path,
			         edits[i].prop);
		free(fdt);
	}
}

/* Strings without their terminating NUL are treated as absent, not read past. */
static void test_unterminated_strings_are_ignored(void **state)
{
	(void)state;
	static const struct prop_edit edits[] = {
	    {"/chosen", "bootargs", BYTES("console", 7)},
	    {"/cpus/cpu@0", "device_type", BYTES("cpu", 3)},
	    {"/cpus/cpu@1", "mmu-type", BYTES("riscv,sv39", 10)},
	    {"/cpus/cpu@1", "riscv,isa-extensions", BYTES("i\0m\0h", 5)},
	};
	size_t bufsize;
	void *fdt = open_qemu_virt(256, &bufsize);
	for (size_t i = 0; i < ARRAY_SIZE(edits); i++)
		apply_edit(fdt, &edits[i]);
	size_t size = fdt_totalsize(fdt);
	void *copy = malloc(size);
	assert_non_null(copy);
	memcpy(copy, fdt, size);
	struct platform_info info;
	assert_int_equal(platform_info_parse(copy, size, &info), PLATFORM_OK);
	assert_string_equal(info.bootargs, "");
	assert_null(info.mmu_type);
	assert_null(info.isa_ext);
	/* Without a valid device_type cpu@0 is no cpu: cpu@1 stands in as hart 0. */
	assert_int_equal(info.hart_count, 3);
	assert_int_equal(info.hart_ids[0], 1);
	free(copy);
	free(fdt);
}

/* ---- the boot module: /chosen linux,initrd-start and linux,initrd-end ---- */

#define QEMU_RAM_END 0xac000000ull /* qemu_virt.dts: 704 MiB from 0x80000000 */

/* Sets `prop` of /chosen (made if need be) to `value` in `cells` 32-bit cells (0: none). */
static void set_chosen(void *fdt, const char *prop, int cells, uint64_t value)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen == -FDT_ERR_NOTFOUND)
		chosen = fdt_add_subnode(fdt, 0, "chosen");
	assert_true(chosen >= 0);
	if (cells == 1)
		assert_int_equal(fdt_setprop_u32(fdt, chosen, prop, (uint32_t)value), 0);
	else if (cells == 2)
		assert_int_equal(fdt_setprop_u64(fdt, chosen, prop, value), 0);
}

/* Parses `tree` with the two properties set, from a buffer of exactly its size. */
static enum platform_error parse_with_initrd(const char *tree, int start_cells, uint64_t start,
                                             int end_cells, uint64_t end,
                                             struct platform_info *info)
{
	size_t bufsize;
	void *fdt = open_tree(tree, 256, &bufsize);
	set_chosen(fdt, "linux,initrd-start", start_cells, start);
	set_chosen(fdt, "linux,initrd-end", end_cells, end);
	assert_int_equal(fdt_pack(fdt), 0);
	enum platform_error err = parse_copy(fdt, fdt_totalsize(fdt), info);
	free(fdt);
	return err;
}

static void test_initrd_absent(void **state)
{
	(void)state;
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("qemu_virt", &info, &blob), PLATFORM_OK);
	check_region(&info.initrd, 0, 0);
	free(blob);
	/* Without /chosen at all. */
	size_t bufsize;
	void *fdt = open_qemu_virt(0, &bufsize);
	assert_int_equal(fdt_del_node(fdt, fdt_path_offset(fdt, "/chosen")), 0);
	assert_int_equal(parse_copy(fdt, fdt_totalsize(fdt), &info), PLATFORM_OK);
	check_region(&info.initrd, 0, 0);
	assert_string_equal(info.bootargs, "");
	free(fdt);
}

static void test_initrd_start_and_end(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		int start_cells;
		uint64_t start;
		int end_cells;
		uint64_t end;
		enum platform_error want;
		uint64_t base, size; /* when PLATFORM_OK */
	} cases[] = {
	    {"32-bit cells", 1, 0x88000000, 1, 0x88100000, PLATFORM_OK, 0x88000000, 0x100000},
	    {"64-bit cells", 2, 0x8a000000, 2, 0x8a345678, PLATFORM_OK, 0x8a000000, 0x345678},
	    {"32-bit start, 64-bit end", 1, 0x90000000, 2, 0x90001000, PLATFORM_OK, 0x90000000,
	     0x1000},
	    {"64-bit start, 32-bit end", 2, 0x90000000, 1, 0x90001000, PLATFORM_OK, 0x90000000,
	     0x1000},
	    {"all of RAM", 2, 0x80000000, 2, QEMU_RAM_END, PLATFORM_OK, 0x80000000, 0x2c000000},
	    {"the last byte of RAM", 1, QEMU_RAM_END - 1, 1, QEMU_RAM_END, PLATFORM_OK,
	     QEMU_RAM_END - 1, 1},
	    {"the first byte of RAM", 1, 0x80000000, 1, 0x80000001, PLATFORM_OK, 0x80000000, 1},
	    {"start only", 1, 0x88000000, 0, 0, PLATFORM_EINITRD, 0, 0},
	    {"start only, 64-bit", 2, 0x88000000, 0, 0, PLATFORM_EINITRD, 0, 0},
	    {"end only", 0, 0, 1, 0x88100000, PLATFORM_EINITRD, 0, 0},
	    {"end only, 64-bit", 0, 0, 2, 0x88100000, PLATFORM_EINITRD, 0, 0},
	    {"end == start", 1, 0x88000000, 1, 0x88000000, PLATFORM_EINITRD, 0, 0},
	    {"end == start, 64-bit", 2, 0x88000000, 2, 0x88000000, PLATFORM_EINITRD, 0, 0},
	    {"end < start", 1, 0x88100000, 1, 0x88000000, PLATFORM_EINITRD, 0, 0},
	    {"end < start by one", 2, 0x88000001, 2, 0x88000000, PLATFORM_EINITRD, 0, 0},
	    {"below RAM", 1, 0x10000000, 1, 0x10001000, PLATFORM_EINITRD, 0, 0},
	    {"above RAM", 1, 0xb0000000, 1, 0xb0001000, PLATFORM_EINITRD, 0, 0},
	    {"right after RAM", 1, QEMU_RAM_END, 1, QEMU_RAM_END + 1, PLATFORM_EINITRD, 0, 0},
	    {"straddling the end of RAM", 1, QEMU_RAM_END - 0x1000, 1, QEMU_RAM_END + 0x1000,
	     PLATFORM_EINITRD, 0, 0},
	    {"one byte past the end of RAM", 1, 0x88000000, 1, QEMU_RAM_END + 1, PLATFORM_EINITRD,
	     0, 0},
	    {"straddling the start of RAM", 1, 0x7ffff000, 1, 0x80001000, PLATFORM_EINITRD, 0, 0},
	    /* Only the low cells would be inside RAM. */
	    {"above 4 GiB", 2, 0x188000000, 2, 0x188100000, PLATFORM_EINITRD, 0, 0},
	    {"an end above 4 GiB", 2, 0x88000000, 2, 0x188100000, PLATFORM_EINITRD, 0, 0},
	    {"an end at 2^64 - 1", 1, 0x88000000, 2, UINT64_MAX, PLATFORM_EINITRD, 0, 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct platform_info info;
		enum platform_error err =
		    parse_with_initrd("qemu_virt", cases[i].start_cells, cases[i].start,
		                      cases[i].end_cells, cases[i].end, &info);
		if (err != cases[i].want)
			fail_msg("%s: got %d (%s), want %d", cases[i].what, err,
			         platform_strerror(err), cases[i].want);
		if (err != PLATFORM_OK)
			continue;
		if (info.initrd.base != cases[i].base || info.initrd.size != cases[i].size)
			fail_msg("%s: initrd 0x%llx+0x%llx", cases[i].what,
			         (unsigned long long)info.initrd.base,
			         (unsigned long long)info.initrd.size);
		/* The rest of the tree is read as before. */
		assert_int_equal(info.hart_count, 4);
		assert_int_equal(info.memory.count, 1);
		assert_int_equal(info.console_pa, 0x10000000);
	}
}

/* Properties of neither 4 nor 8 bytes are malformed, whichever one it is. */
static void test_initrd_malformed_cells(void **state)
{
	(void)state;
	static const struct prop_edit edits[] = {
	    {"/chosen", "linux,initrd-start", BYTES("\x88\0\0", 3)},
	    {"/chosen", "linux,initrd-start", BYTES("", 0)},
	    {"/chosen", "linux,initrd-start", BYTES("\0\0\0\0\x88\0\0", 7)},
	    {"/chosen", "linux,initrd-start", CELLS(0, 0, 0x88000000)},
	    {"/chosen", "linux,initrd-start", CELLS(0, 0, 0, 0x88000000)},
	    {"/chosen", "linux,initrd-end", BYTES("\x88\x10\0", 3)},
	    {"/chosen", "linux,initrd-end", BYTES("", 0)},
	    {"/chosen", "linux,initrd-end", CELLS(0, 0, 0x88100000)},
	};
	for (size_t i = 0; i < ARRAY_SIZE(edits); i++) {
		size_t bufsize;
		void *fdt = open_qemu_virt(256, &bufsize);
		set_chosen(fdt, "linux,initrd-start", 1, 0x88000000);
		set_chosen(fdt, "linux,initrd-end", 1, 0x88100000);
		apply_edit(fdt, &edits[i]);
		struct platform_info info;
		enum platform_error err = parse_copy(fdt, fdt_totalsize(fdt), &info);
		if (err != PLATFORM_EINITRD)
			fail_msg("edit %zu (%s, %d bytes): got %d, want EINITRD", i, edits[i].prop,
			         edits[i].kind == SET_BYTES ? edits[i].nbytes : edits[i].ncells * 4,
			         err);
		free(fdt);
	}
}

/* With RAM in several regions, the initrd lies inside one of them. */
static void test_initrd_in_one_memory_region(void **state)
{
	(void)state;
	struct platform_info info;
	/* multi_memory.dts: 0x80000000+256M, 0xa0000000+128M, 0x100000000+1G. */
	assert_int_equal(parse_with_initrd("multi_memory", 2, 0xa0000000, 2, 0xa8000000, &info),
	                 PLATFORM_OK);
	check_region(&info.initrd, 0xa0000000, 0x8000000);
	assert_int_equal(parse_with_initrd("multi_memory", 2, 0x100000000, 2, 0x100200000, &info),
	                 PLATFORM_OK);
	check_region(&info.initrd, 0x100000000, 0x200000);
	/* In the gap between two regions, or across it. */
	assert_int_equal(parse_with_initrd("multi_memory", 2, 0x90000000, 2, 0x90001000, &info),
	                 PLATFORM_EINITRD);
	assert_int_equal(parse_with_initrd("multi_memory", 2, 0x8ffff000, 2, 0xa0001000, &info),
	                 PLATFORM_EINITRD);
	assert_int_equal(parse_with_initrd("multi_memory", 2, 0xa7fff000, 2, 0x100001000, &info),
	                 PLATFORM_EINITRD);
}

static void test_initrd_error_has_a_message(void **state)
{
	(void)state;
	const char *text = platform_strerror(PLATFORM_EINITRD);
	assert_non_null(text);
	assert_string_not_equal(text, "unknown error");
	assert_non_null(strstr(text, "linux,initrd-start"));
	assert_int_equal(PLATFORM_EINITRD + 1, PLATFORM_ERROR_COUNT);
}

static void test_header_corruption_is_rejected(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_dtb("qemu_virt", &size);
	uint32_t total = (uint32_t)size;
	static const struct {
		unsigned field; /* byte offset in struct fdt_header */
		uint32_t value;
		enum platform_error want;
	} cases[] = {
	    {0, 0xd00dfeee, PLATFORM_EHEADER},           /* magic */
	    {0, ~(uint32_t)FDT_MAGIC, PLATFORM_EHEADER}, /* an unfinished sequential-write blob */
	    {0, 0, PLATFORM_EHEADER},
	    {20, 1, PLATFORM_EHEADER},          /* version below the first supported */
	    {24, 18, PLATFORM_EHEADER},         /* last_comp_version too new */
	    {20, 15, PLATFORM_EHEADER},         /* version older than last_comp_version */
	    {4, 39, PLATFORM_EHEADER},          /* totalsize smaller than the header */
	    {8, 0xfffffff0, PLATFORM_EHEADER},  /* off_dt_struct past the end */
	    {12, 0xfffffff0, PLATFORM_EHEADER}, /* off_dt_strings past the end */
	    {16, 0xfffffff0, PLATFORM_EHEADER}, /* off_mem_rsvmap past the end */
	    {32, 0x7ffffff0, PLATFORM_EHEADER}, /* size_dt_strings past the end */
	    {36, 0x7ffffff0, PLATFORM_EHEADER}, /* size_dt_struct past the end */
	    {4, 0, PLATFORM_ETOOBIG},           /* totalsize beyond max_size (set below) */
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		void *copy = malloc(size);
		assert_non_null(copy);
		memcpy(copy, blob, size);
		uint32_t value = cases[i].want == PLATFORM_ETOOBIG ? total + 8 : cases[i].value;
		fdt32_t be = cpu_to_fdt32(value);
		memcpy((char *)copy + cases[i].field, &be, sizeof(be));
		struct platform_info info;
		enum platform_error err = platform_info_parse(copy, size, &info);
		if (err != cases[i].want)
			fail_msg("case %zu: got %d, want %d", i, err, cases[i].want);
		free(copy);
	}
	free(blob);
}

static void test_max_size_bounds_the_tree(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_dtb("qemu_virt", &size);
	struct platform_info info;
	assert_int_equal(platform_info_parse(blob, size - 1, &info), PLATFORM_ETOOBIG);
	assert_int_equal(platform_info_parse(blob, sizeof(struct fdt_header) - 1, &info),
	                 PLATFORM_EHEADER);
	assert_int_equal(platform_info_parse(blob, 0, &info), PLATFORM_EHEADER);
	assert_int_equal(platform_info_parse(blob, size, &info), PLATFORM_OK);
	assert_int_equal(platform_info_parse(blob, SIZE_MAX, &info), PLATFORM_OK);
	free(blob);
}

/* A blob not aligned to 8 bytes is refused rather than read unaligned. */
static void test_unaligned_tree_is_rejected(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_dtb("qemu_virt", &size);
	char *buf = malloc(size + 4);
	assert_non_null(buf);
	memcpy(buf + 4, blob, size);
	struct platform_info info;
	assert_int_equal(platform_info_parse(buf + 4, size, &info), PLATFORM_EHEADER);
	free(buf);
	free(blob);
}

/* totalsize up to PLATFORM_MAX_FDT_SIZE is accepted, one more byte is not. */
static void test_totalsize_limit(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_dtb("qemu_virt", &size);
	size_t big = PLATFORM_MAX_FDT_SIZE + 8;
	char *buf = calloc(1, big);
	assert_non_null(buf);
	memcpy(buf, blob, size);
	struct platform_info info;
	fdt_set_totalsize(buf, PLATFORM_MAX_FDT_SIZE);
	assert_int_equal(platform_info_parse(buf, big, &info), PLATFORM_OK);
	assert_int_equal(info.fdt_size, PLATFORM_MAX_FDT_SIZE);
	fdt_set_totalsize(buf, PLATFORM_MAX_FDT_SIZE + 1);
	assert_int_equal(platform_info_parse(buf, big, &info), PLATFORM_ETOOBIG);
	free(buf);
	free(blob);
}

/* Offset (within the structure block) of the last FDT_END_NODE tag. */
static int last_end_node(const void *fdt)
{
	int offset = 0, next = 0, last = -1;
	for (;;) {
		uint32_t tag = fdt_next_tag(fdt, offset, &next);
		if (tag == FDT_END)
			return last;
		if (tag == FDT_END_NODE)
			last = offset;
		offset = next;
	}
}

static void put_be32(void *fdt, int struct_offset, uint32_t value)
{
	fdt32_t be = cpu_to_fdt32(value);
	memcpy((char *)fdt + fdt_off_dt_struct(fdt) + struct_offset, &be, sizeof(be));
}

static int node_tag(const void *fdt, const char *path)
{
	int node = fdt_path_offset(fdt, path);
	assert_true(node >= 0);
	return node;
}

static int prop_tag(const void *fdt, const char *path)
{
	int prop = fdt_first_property_offset(fdt, node_tag(fdt, path));
	assert_true(prop >= 0);
	return prop;
}

static void test_structure_corruption_is_estruct(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_dtb("qemu_virt", &size);
	uint32_t end_tag = fdt_size_dt_struct(blob) - 4;
	uint32_t strings = fdt_size_dt_strings(blob);
	const struct {
		int offset; /* of the word to overwrite, in the structure block */
		uint32_t value;
	} cases[] = {
	    {node_tag(blob, "/cpus"), 0xdeadbeef},
	    {node_tag(blob, "/"), FDT_NOP},
	    {node_tag(blob, "/chosen"), FDT_END_NODE},
	    {node_tag(blob, "/chosen"), FDT_END},
	    {prop_tag(blob, "/cpus/cpu@0"), 0x00000009},
	    {(int)end_tag, 0x00000007},
	    {(int)end_tag, FDT_BEGIN_NODE},
	    {(int)end_tag, FDT_END_NODE},
	    {last_end_node(blob), FDT_NOP},
	    {prop_tag(blob, "/memory@80000000") + 8, strings},    /* nameoff */
	    {prop_tag(blob, "/memory@80000000") + 8, 0xfffffffc}, /* nameoff */
	    {prop_tag(blob, "/chosen") + 4, 0x7fffffff},          /* len */
	    {prop_tag(blob, "/chosen") + 4, 0xfffffff0},          /* len */
	    {prop_tag(blob, "/chosen") + 4, end_tag},             /* len */
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		void *copy = malloc(size);
		assert_non_null(copy);
		memcpy(copy, blob, size);
		put_be32(copy, cases[i].offset, cases[i].value);
		struct platform_info info;
		enum platform_error err = platform_info_parse(copy, size, &info);
		if (err != PLATFORM_ESTRUCT)
			fail_msg("case %zu: got %d, want ESTRUCT", i, err);
		free(copy);
	}
	free(blob);
}

/* Cutting size_dt_struct anywhere before its end breaks the structure. */
static void test_truncated_structure_block_is_estruct(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_dtb("qemu_virt", &size);
	uint32_t full = fdt_size_dt_struct(blob);
	for (uint32_t cut = 0; cut < full; cut++) {
		void *copy = malloc(size);
		assert_non_null(copy);
		memcpy(copy, blob, size);
		fdt_set_size_dt_struct(copy, cut);
		struct platform_info info;
		enum platform_error err = platform_info_parse(copy, size, &info);
		if (err != PLATFORM_ESTRUCT)
			fail_msg("size_dt_struct %u of %u: got %d", cut, full, err);
		free(copy);
	}
	free(blob);
}

/* Nodes nest up to 32 deep, the root included. */
static void test_nesting_depth_limit(void **state)
{
	(void)state;
	size_t bufsize;
	void *fdt = open_qemu_virt(4096, &bufsize);
	int node = 0;
	for (int depth = 1; depth < 32; depth++) {
		node = fdt_add_subnode(fdt, node, "n");
		assert_true(node >= 0);
	}
	struct platform_info info;
	assert_int_equal(platform_info_parse(fdt, bufsize, &info), PLATFORM_OK);
	assert_true(fdt_add_subnode(fdt, node, "n") >= 0);
	assert_int_equal(platform_info_parse(fdt, bufsize, &info), PLATFORM_ESTRUCT);
	free(fdt);
}

/* A successful parse only hands out pointers to NUL-terminated data in the tree. */
static void check_info_is_sane(const struct platform_info *info, const char *blob, size_t size)
{
	const char *end = blob + size;
	assert_true(info->hart_count > 0);
	assert_true(info->timebase_hz > 0);
	assert_in_range(info->memory.count, 1, PLATFORM_MAX_REGIONS);
	assert_in_range(info->reserved.count, 0, PLATFORM_MAX_REGIONS);
	assert_true(info->isa >= blob && info->isa < end);
	assert_non_null(memchr(info->isa, '\0', (size_t)(end - info->isa)));
	if (info->mmu_type) {
		assert_true(info->mmu_type >= blob && info->mmu_type < end);
		assert_non_null(memchr(info->mmu_type, '\0', (size_t)(end - info->mmu_type)));
	}
	if (info->isa_ext) {
		assert_true(info->isa_ext >= blob && info->isa_ext_len > 0);
		assert_true(info->isa_ext + info->isa_ext_len <= end);
	}
	if (info->bootargs[0])
		assert_true(info->bootargs >= blob && info->bootargs < end);
}

/* Every single-byte corruption gives a known result and never reads out of bounds. */
static void test_byte_corruption_never_crashes(void **state)
{
	(void)state;
	static const uint8_t masks[] = {0xff, 0x01, 0x80};
	size_t size;
	uint8_t *blob = load_dtb("qemu_virt", &size);
	uint8_t *copy = malloc(size);
	assert_non_null(copy);
	unsigned counts[PLATFORM_ERROR_COUNT] = {0};
	for (size_t m = 0; m < ARRAY_SIZE(masks); m++)
		for (size_t i = 0; i < size; i++) {
			memcpy(copy, blob, size);
			copy[i] ^= masks[m];
			struct platform_info info;
			enum platform_error err = platform_info_parse(copy, size, &info);
			assert_in_range(err, PLATFORM_OK, PLATFORM_ERROR_COUNT - 1);
			if (err == PLATFORM_OK)
				check_info_is_sane(&info, (const char *)copy, size);
			if (err == PLATFORM_OK && info.isa_ext)
				(void)platform_has_extension(&info, "zicbom");
			counts[err]++;
		}
	/* The corruptions reach both the header and the structure checks. */
	assert_true(counts[PLATFORM_OK] > 0);
	assert_true(counts[PLATFORM_EHEADER] > 0);
	assert_true(counts[PLATFORM_ESTRUCT] > 0);
	free(copy);
	free(blob);
}

static void test_isa_string_extensions(void **state)
{
	(void)state;
	static const struct {
		const char *isa, *name;
		bool want;
	} cases[] = {
	    {"rv64imafdch_zicsr_sstc", "h", true},
	    {"rv64imafdch_zicsr_sstc", "sstc", true},
	    {"rv64imafdch_zicsr_sstc", "zicsr", true},
	    {"rv64imafdch_zicsr_sstc", "i", true},
	    {"rv64imafdch_zicsr_sstc", "c", true},
	    {"rv64imafdch_zicsr_sstc", "s", false},
	    {"rv64imafdch_zicsr_sstc", "z", false},
	    {"rv64imafdch_zicsr_sstc", "v", false},
	    {"rv64imafdch_zicsr_sstc", "sst", false},
	    {"rv64imafdch_zicsr_sstcx", "sstc", false},
	    {"rv64imafdch_zicsr_sstc", "imafdch", false},
	    {"rv64imafdch_zicsr_sstc", "", false},
	    {"rv64gc", "i", true},
	    {"rv64gc", "m", true},
	    {"rv64gc", "a", true},
	    {"rv64gc", "f", true},
	    {"rv64gc", "d", true},
	    {"rv64gc", "g", true},
	    {"rv64gc", "c", true},
	    {"rv64gc", "h", false},
	    {"rv64gc", "v", false},
	    {"rv64imac", "d", false},
	    {"rv64imafdc_zicbom", "zicbo", false},
	    {"rv64imafdc_zicbom", "zicbom", true},
	    {"rv64imafdc_zicbom_zicboz", "zicboz", true},
	    {"rv64i_zba_zbb_zbs", "zbb", true},
	    {"rv64i_zba_zbb_zbs", "zb", false},
	    {"rv64i_zba_zbb_zbs", "b", false},
	    {"rv64i_zba_zbb_zbs", "a", false},
	    {"rv64IMAFDCH_Zicsr_SSTC", "h", true},
	    {"rv64imafdch_zicsr_sstc", "H", true},
	    {"rv64imafdch_Zicsr_Sstc", "SSTC", true},
	    {"rv64imafdch_zicsr_sstc", "ZiCsR", true},
	    {"rv32imac", "a", true},
	    {"rv64", "i", false},
	    {"", "i", false},
	    {"x64imafdc", "i", false},
	    {NULL, "i", false},
	    {"RV64GC", "i", true},
	    {"rv64gc", "zicsr", true},
	    {"rv64gc", "zifencei", true},
	    {"rv64imac", "zicsr", false},
	    {"rv64i2p1_m2p0_zicsr2p0", "p", false},
	    {"rv64i2p1m2p0a", "a", true},
	    {"rv64i2p1_m2p0_zicsr2p0", "zicsr", true},
	    {"rv64i_zicsr2p0x", "zicsr", false},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (isa_string_has_extension(cases[i].isa, cases[i].name) != cases[i].want)
			fail_msg("\"%s\" has \"%s\": want %d", cases[i].isa ? cases[i].isa : "NULL",
			         cases[i].name, cases[i].want);
	assert_false(isa_string_has_extension("rv64imac", NULL));
}

static void test_platform_extensions_from_list(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		bool want;
	} cases[] = {
	    {"i", true},      {"h", true},       {"sstc", true},   {"SSTC", true},
	    {"zicbom", true}, {"svvptc", true},  {"zicbo", false}, {"zicbomx", false},
	    {"v", false},     {"imafdc", false}, {"", false},
	};
	struct platform_info info;
	void *blob;
	assert_int_equal(parse_file("qemu_virt", &info, &blob), PLATFORM_OK);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (platform_has_extension(&info, cases[i].name) != cases[i].want)
			fail_msg("\"%s\": want %d", cases[i].name, cases[i].want);
	free(blob);
}

/* The isa-extensions list, when present, is the authority over riscv,isa. */
static void test_extension_list_takes_precedence(void **state)
{
	(void)state;
	static const char list[] = "i\0m\0a\0zicsr";
	struct platform_info info = {
	    .isa = "rv64imafdch_sstc",
	    .isa_ext = list,
	    .isa_ext_len = sizeof(list),
	};
	assert_true(platform_has_extension(&info, "m"));
	assert_true(platform_has_extension(&info, "zicsr"));
	assert_false(platform_has_extension(&info, "h"));
	assert_false(platform_has_extension(&info, "sstc"));
	info.isa_ext = NULL;
	info.isa_ext_len = 0;
	assert_true(platform_has_extension(&info, "h"));
	assert_true(platform_has_extension(&info, "sstc"));
	assert_false(platform_has_extension(&info, "zicsr"));
}

static void check_list(const struct region_list *got, const struct mem_region *want, unsigned count)
{
	assert_int_equal(got->count, count);
	for (unsigned i = 0; i < count; i++)
		check_region(&got->r[i], want[i].base, want[i].size);
}

static void test_region_subtract(void **state)
{
	(void)state;
	static const struct {
		unsigned n;
		struct mem_region in[3];
		uint64_t base, size;
		unsigned want_n;
		struct mem_region want[3];
	} cases[] = {
	    /* split in the middle */
	    {1, {{0x1000, 0xf000}}, 0x4000, 0x2000, 2, {{0x1000, 0x3000}, {0x6000, 0xa000}}},
	    /* trim the start, the end */
	    {1, {{0x1000, 0xf000}}, 0x0, 0x2000, 1, {{0x2000, 0xe000}}},
	    {1, {{0x1000, 0xf000}}, 0xe000, 0x8000, 1, {{0x1000, 0xd000}}},
	    /* remove exactly, remove by covering */
	    {1, {{0x1000, 0xf000}}, 0x1000, 0xf000, 0, {{0, 0}}},
	    {1, {{0x1000, 0xf000}}, 0x0, 0x100000, 0, {{0, 0}}},
	    /* nothing to remove: no change */
	    {1, {{0x1000, 0xf000}}, 0x4000, 0x0, 1, {{0x1000, 0xf000}}},
	    /* touching on either side: no change */
	    {1, {{0x1000, 0xf000}}, 0x10000, 0x1000, 1, {{0x1000, 0xf000}}},
	    {1, {{0x1000, 0xf000}}, 0x0, 0x1000, 1, {{0x1000, 0xf000}}},
	    /* across several regions, order kept */
	    {3,
	     {{0x5000, 0x1000}, {0x1000, 0x1000}, {0x3000, 0x1000}},
	     0x1800,
	     0x4000,
	     2,
	     {{0x5800, 0x800}, {0x1000, 0x800}}},
	    /* a range running off the top of the address space */
	    {2,
	     {{0x1000, 0x1000}, {0xffffffffffff0000, 0xf000}},
	     0xffffffffffff8000,
	     UINT64_MAX,
	     2,
	     {{0x1000, 0x1000}, {0xffffffffffff0000, 0x8000}}},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct region_list list = {.count = cases[i].n};
		memcpy(list.r, cases[i].in, sizeof(cases[i].in));
		assert_int_equal(region_list_subtract(&list, cases[i].base, cases[i].size),
		                 PLATFORM_OK);
		if (list.count != cases[i].want_n)
			fail_msg("case %zu: %u regions, want %u", i, list.count, cases[i].want_n);
		check_list(&list, cases[i].want, cases[i].want_n);
	}
}

static void fill_list(struct region_list *list, unsigned n)
{
	memset(list, 0, sizeof(*list));
	list->count = n;
	for (unsigned i = 0; i < n; i++)
		list->r[i] = (struct mem_region){0x100000ull * i, 0x10000};
}

static void test_region_subtract_overflow_is_etoomany(void **state)
{
	(void)state;
	struct region_list list, before;
	fill_list(&list, PLATFORM_MAX_REGIONS);
	before = list;
	assert_int_equal(region_list_subtract(&list, 0x308000, 0x1000), PLATFORM_ETOOMANY);
	assert_memory_equal(&list, &before, sizeof(list));
	/* One short of full, the split fits. */
	fill_list(&list, PLATFORM_MAX_REGIONS - 1);
	assert_int_equal(region_list_subtract(&list, 0x308000, 0x1000), PLATFORM_OK);
	assert_int_equal(list.count, PLATFORM_MAX_REGIONS);
	check_region(&list.r[3], 0x300000, 0x8000);
	check_region(&list.r[4], 0x309000, 0x7000);
	check_region(&list.r[5], 0x400000, 0x10000);
}

static void test_usable_memory_is_sorted_and_excludes_reserved(void **state)
{
	(void)state;
	struct platform_info info = {
	    .memory = {3,
	               {{0x100000000, 0x40000000},
	                {0x90000000, 0x10000000},
	                {0x80000000, 0x10000000}}},
	    .reserved = {3, {{0x9ff00000, 0x100000}, {0x80000000, 0x200000}, {0x88000000, 0x1000}}},
	};
	static const struct mem_region want[] = {
	    {0x80200000, 0x7e00000},
	    {0x88001000, 0x7fff000},
	    {0x90000000, 0xff00000},
	    {0x100000000, 0x40000000},
	};
	struct region_list usable;
	assert_int_equal(platform_usable_memory(&info, &usable), PLATFORM_OK);
	check_list(&usable, want, ARRAY_SIZE(want));
	/* The input is left as it was. */
	assert_int_equal(info.memory.count, 3);
	check_region(&info.memory.r[0], 0x100000000, 0x40000000);
}

static void test_usable_memory_overflow_is_etoomany(void **state)
{
	(void)state;
	struct platform_info info = {.reserved = {1, {{0x8000, 0x1000}}}};
	fill_list(&info.memory, PLATFORM_MAX_REGIONS);
	struct region_list usable;
	assert_int_equal(platform_usable_memory(&info, &usable), PLATFORM_ETOOMANY);
}

static void test_strerror_names_every_error(void **state)
{
	(void)state;
	for (int i = 0; i < PLATFORM_ERROR_COUNT; i++) {
		const char *text = platform_strerror((enum platform_error)i);
		assert_non_null(text);
		assert_true(text[0] != '\0');
		assert_string_not_equal(text, "unknown error");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(text, platform_strerror((enum platform_error)j));
	}
	assert_string_equal(platform_strerror(PLATFORM_ERROR_COUNT), "unknown error");
	assert_string_equal(platform_strerror((enum platform_error) - 1), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_qemu_virt_tree),
	    cmocka_unit_test(test_multiple_memory_nodes_and_entries),
	    cmocka_unit_test(test_one_cell_addresses_and_sizes),
	    cmocka_unit_test(test_default_cells_when_absent),
	    cmocka_unit_test(test_disabled_cpus_are_not_counted),
	    cmocka_unit_test(test_harts_beyond_max_are_counted_not_stored),
	    cmocka_unit_test(test_hart_zero_supplies_isa_when_not_first),
	    cmocka_unit_test(test_isa_extensions_come_from_the_extension_list),
	    cmocka_unit_test(test_isa_extensions_come_from_the_isa_string),
	    cmocka_unit_test(test_first_usable_cpu_stands_in_for_missing_hart_zero),
	    cmocka_unit_test(test_sixteen_regions_fit),
	    cmocka_unit_test(test_memreserve_and_reserved_memory_nodes),
	    cmocka_unit_test(test_unterminated_reservation_map_is_refused),
	    cmocka_unit_test(test_plic_and_console_are_found),
	    cmocka_unit_test(test_broken_trees_give_specific_errors),
	    cmocka_unit_test(test_bad_properties_give_specific_errors),
	    cmocka_unit_test(test_unterminated_strings_are_ignored),
	    cmocka_unit_test(test_initrd_absent),
	    cmocka_unit_test(test_initrd_start_and_end),
	    cmocka_unit_test(test_initrd_malformed_cells),
	    cmocka_unit_test(test_initrd_in_one_memory_region),
	    cmocka_unit_test(test_initrd_error_has_a_message),
	    cmocka_unit_test(test_header_corruption_is_rejected),
	    cmocka_unit_test(test_max_size_bounds_the_tree),
	    cmocka_unit_test(test_unaligned_tree_is_rejected),
	    cmocka_unit_test(test_totalsize_limit),
	    cmocka_unit_test(test_structure_corruption_is_estruct),
	    cmocka_unit_test(test_truncated_structure_block_is_estruct),
	    cmocka_unit_test(test_nesting_depth_limit),
	    cmocka_unit_test(test_byte_corruption_never_crashes),
	    cmocka_unit_test(test_isa_string_extensions),
	    cmocka_unit_test(test_platform_extensions_from_list),
	    cmocka_unit_test(test_extension_list_takes_precedence),
	    cmocka_unit_test(test_region_subtract),
	    cmocka_unit_test(test_region_subtract_overflow_is_etoomany),
	    cmocka_unit_test(test_usable_memory_is_sorted_and_excludes_reserved),
	    cmocka_unit_test(test_usable_memory_overflow_is_etoomany),
	    cmocka_unit_test(test_strerror_names_every_error),
	    cmocka_unit_test(test_aia_is_found),
	    cmocka_unit_test(test_bad_aia_properties_leave_it_absent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
