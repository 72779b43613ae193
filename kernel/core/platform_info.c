/*
 * Reads the machine description from the flattened device tree (libfdt).
 * Every property is length-checked before use: the tree comes from firmware
 * and is treated as untrusted input.
 */
#include <libfdt.h>
#include <string.h>

#include <fv/platform.h>
#include <ferrovisor/bootinfo.h>

#define FDT_MAX_DEPTH 32

static const char *const error_text[PLATFORM_ERROR_COUNT] = {
    [PLATFORM_OK] = "no error",
    [PLATFORM_EHEADER] = "bad header (not a flattened device tree, or an unsupported version)",
    [PLATFORM_ETOOBIG] = "totalsize is larger than any device tree a firmware passes",
    [PLATFORM_ESTRUCT] = "the structure block is corrupt",
    [PLATFORM_ENOCPUS] = "no usable cpu under /cpus",
    [PLATFORM_ECPU] = "a cpu node has no valid reg property",
    [PLATFORM_ETIMEBASE] = "no valid timebase-frequency",
    [PLATFORM_EISA] = "hart 0 has no rv64 riscv,isa string",
    [PLATFORM_EMEMORY] = "no memory node, or a memory reg that does not parse",
    [PLATFORM_ETOOMANY] = "more memory or reserved regions than the kernel tracks",
    [PLATFORM_EINITRD] = "/chosen linux,initrd-start/end is malformed or outside RAM",
};

const char *platform_strerror(enum platform_error err)
{
	if ((unsigned)err >= PLATFORM_ERROR_COUNT)
		return "unknown error";
	return error_text[err];
}

/* Walks every tag once so later lookups only meet well-formed structure. */
static bool fdt_structure_is_sound(const void *fdt)
{
	int offset = 0, next = 0, depth = 0;
	for (;;) {
		uint32_t tag = fdt_next_tag(fdt, offset, &next);
		if (next < 0)
			return false;
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (++depth > FDT_MAX_DEPTH || !fdt_get_name(fdt, offset, NULL))
				return false;
			break;
		case FDT_END_NODE:
			if (--depth < 0)
				return false;
			break;
		case FDT_PROP: {
			int len;
			const struct fdt_property *p =
			    fdt_get_property_by_offset(fdt, offset, &len);
			if (!p || !fdt_get_string(fdt, (int)fdt32_to_cpu(p->nameoff), NULL))
				return false;
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			return depth == 0;
		default:
			return false;
		}
		if (depth == 0 && tag == FDT_END_NODE) {
			/* The root closed: only NOPs and END may follow. */
			offset = next;
			tag = fdt_next_tag(fdt, offset, &next);
			while (tag == FDT_NOP && next >= 0)
				tag = fdt_next_tag(fdt, offset = next, &next);
			return tag == FDT_END && next >= 0;
		}
		offset = next;
	}
}

/* A property that is a NUL-terminated string, or NULL. */
static const char *prop_string(const void *fdt, int node, const char *name)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);
	if (!s || len <= 0 || s[len - 1] != '\0')
		return NULL;
	return s;
}

static bool prop_string_is(const void *fdt, int node, const char *name, const char *want)
{
	const char *s = prop_string(fdt, node, name);
	return s && strcmp(s, want) == 0;
}

static bool node_is_enabled(const void *fdt, int node)
{
	const char *status = prop_string(fdt, node, "status");
	return !status || strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

/* #address-cells / #size-cells of a node, with the spec's defaults. */
static int cells(const void *fdt, int node, const char *name, int fallback)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
	if (!p || len != 4)
		return fallback;
	uint32_t v = fdt32_to_cpu(*p);
	return v <= 2 ? (int)v : -1;
}

/* Reads an integer of 1 or 2 cells; returns false if `ncells` is neither. */
static bool read_cells(const fdt32_t *p, int ncells, uint64_t *out)
{
	if (ncells == 1)
		*out = fdt32_to_cpu(p[0]);
	else if (ncells == 2)
		*out = ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1]);
	else
		return false;
	return true;
}

static enum platform_error region_add(struct region_list *list, uint64_t base, uint64_t size)
{
	if (size == 0)
		return PLATFORM_OK;
	if (list->count == PLATFORM_MAX_REGIONS)
		return PLATFORM_ETOOMANY;
	list->r[list->count++] = (struct mem_region){base, size};
	return PLATFORM_OK;
}

/* Appends every (address, size) pair of a reg property to `list`. */
static enum platform_error read_reg_regions(const void *fdt, int node, int ac, int sc,
                                            struct region_list *list)
{
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || ac < 1 || sc < 1)
		return PLATFORM_EMEMORY;
	int entry = (ac + sc) * 4;
	if (len <= 0 || len % entry != 0)
		return PLATFORM_EMEMORY;
	for (int i = 0; i < len / entry; i++) {
		uint64_t base, size;
		const fdt32_t *e = reg + i * (ac + sc);
		if (!read_cells(e, ac, &base) || !read_cells(e + ac, sc, &size))
			return PLATFORM_EMEMORY;
		if (base + size < base)
			return PLATFORM_EMEMORY;
		enum platform_error err = region_add(list, base, size);
		if (err)
			return err;
	}
	return PLATFORM_OK;
}

static bool cpu_hart_id(const void *fdt, int node, int ac, uint64_t *id)
{
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
	return reg && len == ac * 4 && read_cells(reg, ac, id);
}

static enum platform_error read_timebase(const void *fdt, int cpus, int cpu0,
                                         struct platform_info *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, cpus, "timebase-frequency", &len);
	if (!p)
		p = fdt_getprop(fdt, cpu0, "timebase-frequency", &len);
	uint64_t hz;
	if (!p || (len != 4 && len != 8) || !read_cells(p, len / 4, &hz) || hz == 0 ||
	    hz > UINT32_MAX)
		return PLATFORM_ETIMEBASE;
	out->timebase_hz = (uint32_t)hz;
	return PLATFORM_OK;
}

/* A cache-block size property: one cell, a power of two; anything else is absent (0). */
static uint32_t block_size(const void *fdt, int cpu, const char *name)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, cpu, name, &len);
	uint32_t size = p && len == 4 ? fdt32_to_cpu(*p) : 0;
	return size && (size & (size - 1)) == 0 ? size : 0;
}

static enum platform_error read_hart0(const void *fdt, int cpu0, struct platform_info *out)
{
	out->isa = prop_string(fdt, cpu0, "riscv,isa");
	if (!out->isa || strncmp(out->isa, "rv64", 4) != 0)
		return PLATFORM_EISA;
	int len;
	const char *ext = fdt_getprop(fdt, cpu0, "riscv,isa-extensions", &len);
	if (ext && len > 0 && ext[len - 1] == '\0') {
		out->isa_ext = ext;
		out->isa_ext_len = len;
	}
	out->mmu_type = prop_string(fdt, cpu0, "mmu-type");
	out->cbom_block_size = block_size(fdt, cpu0, "riscv,cbom-block-size");
	out->cboz_block_size = block_size(fdt, cpu0, "riscv,cboz-block-size");
	out->cbop_block_size = block_size(fdt, cpu0, "riscv,cbop-block-size");
	return PLATFORM_OK;
}

static enum platform_error read_cpus(const void *fdt, struct platform_info *out)
{
	int cpus = fdt_path_offset(fdt, "/cpus");
	if (cpus < 0)
		return PLATFORM_ENOCPUS;
	int ac = cells(fdt, cpus, "#address-cells", 2);
	int node, cpu0 = -1;
	fdt_for_each_subnode(node, fdt, cpus)
	{
		if (!prop_string_is(fdt, node, "device_type", "cpu") || !node_is_enabled(fdt, node))
			continue;
		uint64_t id;
		if (!cpu_hart_id(fdt, node, ac, &id))
			return PLATFORM_ECPU;
		if (out->hart_count < CONFIG_MAX_HARTS)
			out->hart_ids[out->hart_count] = id;
		out->hart_count++;
		if (cpu0 < 0 || id == 0)
			cpu0 = node;
	}
	if (cpu0 < 0)
		return PLATFORM_ENOCPUS;
	enum platform_error err = read_timebase(fdt, cpus, cpu0, out);
	return err ? err : read_hart0(fdt, cpu0, out);
}

static enum platform_error read_memory(const void *fdt, struct platform_info *out)
{
	int ac = cells(fdt, 0, "#address-cells", 2);
	int sc = cells(fdt, 0, "#size-cells", 1);
	int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);
	for (; node >= 0;
	     node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory", 7)) {
		if (!node_is_enabled(fdt, node))
			continue;
		enum platform_error err = read_reg_regions(fdt, node, ac, sc, &out->memory);
		if (err)
			return err;
	}
	if (out->memory.count == 0)
		return PLATFORM_EMEMORY;
	for (unsigned i = 0; i < out->memory.count; i++) {
		if (out->memory_bytes + out->memory.r[i].size < out->memory_bytes)
			return PLATFORM_EMEMORY;
		out->memory_bytes += out->memory.r[i].size;
	}
	return PLATFORM_OK;
}

static enum platform_error read_reserved(const void *fdt, struct platform_info *out)
{
	int n = fdt_num_mem_rsv(fdt);
	if (n < 0)
		return PLATFORM_EHEADER;
	for (int i = 0; i < n; i++) {
		uint64_t base, size;
		if (fdt_get_mem_rsv(fdt, i, &base, &size) < 0 || base + size < base)
			return PLATFORM_EMEMORY;
		enum platform_error err = region_add(&out->reserved, base, size);
		if (err)
			return err;
	}
	int parent = fdt_path_offset(fdt, "/reserved-memory");
	if (parent < 0)
		return PLATFORM_OK;
	int ac = cells(fdt, parent, "#address-cells", 2);
	int sc = cells(fdt, parent, "#size-cells", 1);
	int node;
	fdt_for_each_subnode(node, fdt, parent)
	{
		/* Dynamic reservations (size only) have no address yet: nothing to avoid. */
		if (!fdt_getprop(fdt, node, "reg", NULL) || !node_is_enabled(fdt, node))
			continue;
		enum platform_error err = read_reg_regions(fdt, node, ac, sc, &out->reserved);
		if (err)
			return err;
	}
	return PLATFORM_OK;
}

/* The hart id of the cpu owning the interrupt-controller node `intc`, or UINT64_MAX. */
static uint64_t intc_hart(const void *fdt, int intc)
{
	int cpu = fdt_parent_offset(fdt, intc);
	int cpus = cpu >= 0 ? fdt_parent_offset(fdt, cpu) : -1;
	uint64_t id;
	if (cpus < 0 || !prop_string_is(fdt, cpu, "device_type", "cpu") ||
	    !cpu_hart_id(fdt, cpu, cells(fdt, cpus, "#address-cells", 2), &id))
		return UINT64_MAX;
	return id;
}

/* Supervisor external interrupt (9) contexts of the PLIC, from interrupts-extended. */
static void read_plic_contexts(const void *fdt, int node, struct plic_info *plic)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "interrupts-extended", &len);
	if (!p || len <= 0 || len % 8)
		return;
	unsigned n = MIN((unsigned)len / 8, (unsigned)PLATFORM_MAX_IRQ_CONTEXTS);
	plic->ncontexts = n;
	for (unsigned i = 0; i < n; i++) {
		int intc = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(p[2 * i]));
		bool supervisor = fdt32_to_cpu(p[2 * i + 1]) == 9;
		plic->s_context_hart[i] =
		    intc >= 0 && supervisor ? intc_hart(fdt, intc) : UINT64_MAX;
	}
}

/* A missing or malformed PLIC is not an error: the kernel then routes no interrupts. */
static void read_plic(const void *fdt, struct platform_info *out)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "sifive,plic-1.0.0");
	if (node < 0)
		return;
	struct region_list reg = {0};
	int parent = fdt_parent_offset(fdt, node);
	int len;
	const fdt32_t *ndev = fdt_getprop(fdt, node, "riscv,ndev", &len);
	if (parent < 0 || !ndev || len != 4 ||
	    read_reg_regions(fdt, node, cells(fdt, parent, "#address-cells", 2),
	                     cells(fdt, parent, "#size-cells", 1), &reg) != PLATFORM_OK)
		return;
	out->plic.base = reg.r[0].base;
	out->plic.size = reg.r[0].size;
	out->plic.ndev = MIN(fdt32_to_cpu(*ndev), 1023u);
	read_plic_contexts(fdt, node, &out->plic);
	out->plic.present = out->plic.ncontexts > 0;
}

/* A one-cell property, or `fallback` if it is absent; false if malformed. */
static bool prop_u32(const void *fdt, int node, const char *name, uint32_t fallback, uint32_t *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
	if (!p) {
		*out = fallback;
		return true;
	}
	if (len != 4)
		return false;
	*out = fdt32_to_cpu(*p);
	return true;
}

/* The first region of a node's reg, in its parent's cells. */
static bool first_reg(const void *fdt, int node, struct mem_region *out)
{
	struct region_list reg = {0};
	int parent = fdt_parent_offset(fdt, node);
	if (parent < 0 ||
	    read_reg_regions(fdt, node, cells(fdt, parent, "#address-cells", 2),
	                     cells(fdt, parent, "#size-cells", 1), &reg) ||
	    reg.count == 0)
		return false;
	*out = reg.r[0];
	return true;
}

/*
 * A supervisor-level IMSIC: its interrupts-extended entries name the
 * supervisor external interrupt (9) of each hart, in hart index order.
 */
static bool read_imsic_harts(const void *fdt, int node, struct aia_info *aia)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "interrupts-extended", &len);
	if (!p || len <= 0 || len % 8 || (unsigned)len / 8 > PLATFORM_MAX_IRQ_CONTEXTS)
		return false;
	aia->nharts = (unsigned)len / 8;
	for (unsigned i = 0; i < aia->nharts; i++) {
		int intc = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(p[2 * i]));
		if (intc < 0 || fdt32_to_cpu(p[2 * i + 1]) != 9)
			return false;
		aia->imsic_hart[i] = intc_hart(fdt, intc);
	}
	return true;
}

/* Identities are 1..num_ids with num_ids + 1 a multiple of 64 (AIA spec, 3.1). */
static bool read_imsic(const void *fdt, int node, struct aia_info *aia)
{
	struct mem_region reg;
	if (!first_reg(fdt, node, &reg) || !read_imsic_harts(fdt, node, aia) ||
	    !prop_u32(fdt, node, "riscv,num-ids", 0, &aia->num_ids) ||
	    !prop_u32(fdt, node, "riscv,guest-index-bits", 0, &aia->guest_index_bits))
		return false;
	if (aia->num_ids < 63 || aia->num_ids > 2047 || (aia->num_ids + 1) % 64 ||
	    aia->guest_index_bits > 6 || reg.base % 4096)
		return false;
	uint64_t per_hart = 4096ull << aia->guest_index_bits;
	if (reg.size / per_hart < aia->nharts)
		return false;
	aia->imsic_base = reg.base;
	aia->imsic_size = reg.size;
	return true;
}

/*
 * The supervisor-level APLIC domain that sends its interrupts as messages to
 * a supervisor-level IMSIC. A tree without one, or with a malformed one,
 * leaves the AIA absent: the kernel then uses a PLIC if there is one.
 */
static void read_aia(const void *fdt, struct platform_info *out)
{
	struct aia_info aia = {0};
	int node = -1;
	while ((node = fdt_node_offset_by_compatible(fdt, node, "riscv,aplic")) >= 0) {
		int len;
		const fdt32_t *parent = fdt_getprop(fdt, node, "msi-parent", &len);
		int imsic = parent && len == 4
		                ? fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*parent))
		                : -1;
		struct mem_region reg;
		if (imsic < 0 || !node_is_enabled(fdt, node) ||
		    fdt_node_check_compatible(fdt, imsic, "riscv,imsics") != 0 ||
		    !read_imsic(fdt, imsic, &aia) || !first_reg(fdt, node, &reg) ||
		    !prop_u32(fdt, node, "riscv,num-sources", 0, &aia.nsources) ||
		    aia.nsources == 0 || aia.nsources > 1023 || reg.size < 0x4000)
			continue; /* a machine-level domain, or one we cannot use */
		aia.aplic_base = reg.base;
		aia.aplic_size = reg.size;
		aia.present = true;
		out->aia = aia;
		return;
	}
}

/* The device /chosen/stdout-path names: where a console server finds its UART. */
static void read_console(const void *fdt, int chosen, struct platform_info *out)
{
	const char *path = chosen >= 0 ? prop_string(fdt, chosen, "stdout-path") : NULL;
	if (!path)
		return;
	const char *colon = strchr(path, ':');
	int node =
	    fdt_path_offset_namelen(fdt, path, colon ? (int)(colon - path) : (int)strlen(path));
	int parent = node >= 0 ? fdt_parent_offset(fdt, node) : -1;
	struct region_list reg = {0};
	if (parent < 0 || read_reg_regions(fdt, node, cells(fdt, parent, "#address-cells", 2),
	                                   cells(fdt, parent, "#size-cells", 1), &reg))
		return;
	out->console_pa = reg.r[0].base;
	int len;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);
	if (irq && len >= 4)
		out->console_irq = fdt32_to_cpu(irq[0]);
}

/* A 32- or 64-bit cell property (firmware writes either for linux,initrd-*). */
static bool prop_cells(const void *fdt, int node, const char *name, uint64_t *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
	if (p && len == 4)
		*out = fdt32_to_cpu(p[0]);
	else if (p && len == 8)
		*out = (uint64_t)fdt32_to_cpu(p[0]) << 32 | fdt32_to_cpu(p[1]);
	else
		return false;
	return true;
}

static bool inside_memory(const struct region_list *memory, uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < memory->count; i++)
		if (base >= memory->r[i].base && size <= memory->r[i].size &&
		    base - memory->r[i].base <= memory->r[i].size - size)
			return true;
	return false;
}

/* The boot module a loader put in RAM and named in /chosen, if any. */
static enum platform_error read_initrd(const void *fdt, int chosen, struct platform_info *out)
{
	if (chosen < 0 || (!fdt_getprop(fdt, chosen, "linux,initrd-start", NULL) &&
	                   !fdt_getprop(fdt, chosen, "linux,initrd-end", NULL)))
		return PLATFORM_OK;
	uint64_t start, end;
	if (!prop_cells(fdt, chosen, "linux,initrd-start", &start) ||
	    !prop_cells(fdt, chosen, "linux,initrd-end", &end) || end <= start ||
	    !inside_memory(&out->memory, start, end - start))
		return PLATFORM_EINITRD;
	out->initrd = (struct mem_region){start, end - start};
	return PLATFORM_OK;
}

enum platform_error platform_info_parse(const void *fdt, size_t max_size, struct platform_info *out)
{
	memset(out, 0, sizeof(*out));
	if (max_size < sizeof(struct fdt_header) || fdt_check_header(fdt) != 0)
		return PLATFORM_EHEADER;
	if (fdt_totalsize(fdt) > max_size || fdt_totalsize(fdt) > PLATFORM_MAX_FDT_SIZE)
		return PLATFORM_ETOOBIG;
	if (!fdt_structure_is_sound(fdt))
		return PLATFORM_ESTRUCT;
	out->fdt_size = fdt_totalsize(fdt);
	enum platform_error err = read_cpus(fdt, out);
	if (!err)
		err = read_memory(fdt, out);
	if (!err)
		err = read_reserved(fdt, out);
	if (err)
		return err;
	read_plic(fdt, out);
	read_aia(fdt, out);
	int chosen = fdt_path_offset(fdt, "/chosen");
	read_console(fdt, chosen, out);
	out->bootargs = chosen >= 0 ? prop_string(fdt, chosen, "bootargs") : NULL;
	if (!out->bootargs)
		out->bootargs = "";
	return read_initrd(fdt, chosen, out);
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Compares a token of `len` characters with `name`, ignoring case. */
static bool token_is(const char *tok, size_t len, const char *name)
{
	size_t i = 0;
	for (; i < len && name[i]; i++)
		if (lower(tok[i]) != lower(name[i]))
			return false;
	return i == len && name[i] == '\0';
}

/* Skips an extension version suffix such as "2", "2p1" (ISA manual, naming chapter). */
static const char *skip_version(const char *p, const char *end)
{
	if (p >= end || *p < '0' || *p > '9')
		return p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p + 1 < end && lower(*p) == 'p' && p[1] >= '0' && p[1] <= '9')
		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
			;
	return p;
}

/* A multi-letter token with an optional version suffix names `name`. */
static bool versioned_token_is(const char *tok, size_t len, const char *name)
{
	size_t n = strlen(name);
	if (len < n || !token_is(tok, n, name))
		return false;
	return skip_version(tok + n, tok + len) == tok + len;
}

static bool single_letter_has(const char *p, const char *end, char want)
{
	while (p < end) {
		char c = lower(*p++);
		/* G is IMAFD_Zicsr_Zifencei. */
		if (c == want || (c == 'g' && strchr("imafd", want)))
			return true;
		p = skip_version(p, end);
	}
	return false;
}

bool isa_string_has_extension(const char *isa, const char *name)
{
	if (!isa || !name || !name[0] || lower(isa[0]) != 'r' || lower(isa[1]) != 'v')
		return false;
	const char *p = isa + 2;
	while (*p >= '0' && *p <= '9')
		p++;
	/* Single-letter extensions run until the first underscore. */
	const char *single_end = p;
	while (*single_end && *single_end != '_')
		single_end++;
	if (name[1] == '\0')
		return single_letter_has(p, single_end, lower(name[0]));
	if ((token_is(name, strlen(name), "zicsr") || token_is(name, strlen(name), "zifencei")) &&
	    single_letter_has(p, single_end, 'g'))
		return true;
	for (const char *tok = single_end; *tok;) {
		tok++; /* skip '_' */
		size_t len = 0;
		while (tok[len] && tok[len] != '_')
			len++;
		if (versioned_token_is(tok, len, name))
			return true;
		tok += len;
	}
	return false;
}

bool platform_has_extension(const struct platform_info *info, const char *name)
{
	if (!info->isa_ext)
		return isa_string_has_extension(info->isa, name);
	for (int off = 0; off < info->isa_ext_len;) {
		const char *s = info->isa_ext + off;
		size_t len = strnlen(s, (size_t)(info->isa_ext_len - off));
		if (token_is(s, len, name))
			return true;
		off += (int)len + 1;
	}
	return false;
}

uint64_t platform_isa_extensions(const struct platform_info *info)
{
	static const char *const names[] = {
#define FV_ISA_NAME(id, name) [FV_ISA_##id] = name,
	    FV_ISA_EXTENSIONS(FV_ISA_NAME)
#undef FV_ISA_NAME
	};
	_Static_assert(FV_ISA_COUNT <= 64, "isa_extensions is one 64-bit word");
	uint64_t set = 0;
	for (unsigned i = 0; i < FV_ISA_COUNT; i++)
		if (platform_has_extension(info, names[i]))
			set |= 1ull << i;
	return set;
}

enum platform_error region_list_subtract(struct region_list *list, uint64_t base, uint64_t size)
{
	if (size == 0)
		return PLATFORM_OK;
	uint64_t end = base + size < base ? UINT64_MAX : base + size;
	struct region_list out = {0};
	for (unsigned i = 0; i < list->count; i++) {
		const struct mem_region *r = &list->r[i];
		uint64_t r_end = r->base + r->size;
		if (r_end <= base || r->base >= end) {
			if (region_add(&out, r->base, r->size))
				return PLATFORM_ETOOMANY;
			continue;
		}
		if (r->base < base && region_add(&out, r->base, base - r->base))
			return PLATFORM_ETOOMANY;
		if (r_end > end && region_add(&out, end, r_end - end))
			return PLATFORM_ETOOMANY;
	}
	*list = out;
	return PLATFORM_OK;
}

static void region_list_sort(struct region_list *list)
{
	for (unsigned i = 1; i < list->count; i++) {
		struct mem_region key = list->r[i];
		unsigned j = i;
		for (; j > 0 && list->r[j - 1].base > key.base; j--)
			list->r[j] = list->r[j - 1];
		list->r[j] = key;
	}
}

enum platform_error platform_usable_memory(const struct platform_info *info,
                                           struct region_list *out)
{
	*out = info->memory;
	for (unsigned i = 0; i < info->reserved.count; i++) {
		enum platform_error err =
		    region_list_subtract(out, info->reserved.r[i].base, info->reserved.r[i].size);
		if (err)
			return err;
	}
	region_list_sort(out);
	return PLATFORM_OK;
}
