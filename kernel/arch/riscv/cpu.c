/*
 * The ISA extensions the kernel relies on: what the device tree claims,
 * confirmed by a trap-safe CSR probe where one exists.
 */
#include <arch/csr.h>
#include <fv/arch.h>
#include <fv/console.h>
#include <fv/format.h>

struct extension {
	const char *name;
	bool required;
	bool (*probe)(void); /* NULL: trust the device tree */
};

static bool probe_h(void)
{
	uint64_t v;
	return csr_try_read_hgatp(&v);
}

static bool probe_sstc(void)
{
	uint64_t v;
	return csr_try_read_stimecmp(&v);
}

static bool probe_ssaia(void)
{
	uint64_t v;
	return csr_try_read_stopi(&v);
}

static bool probe_zicntr(void)
{
	uint64_t v;
	return csr_try_read_time(&v);
}

static const struct extension extensions[] = {
    {"h", true, probe_h},           /* guests at all */
    {"sstc", false, probe_sstc},    /* guest timers without exits */
    {"svadu", false, NULL},         /* hardware A/D bits in both stages */
    {"ssaia", false, probe_ssaia},  /* AIA: IMSIC guest interrupt files */
    {"svinval", false, NULL},       /* finer-grained TLB invalidation */
    {"svpbmt", false, NULL},        /* page-based memory types */
    {"zicbom", false, NULL},        /* cache-block management for DMA */
    {"zicntr", true, probe_zicntr}, /* time, for scheduling */
};

const char *arch_check_cpu(const struct platform_info *info)
{
	char line[256];
	size_t len = (size_t)fv_snprintf(line, sizeof(line), "ferrovisor: extensions:");
	const char *missing = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(extensions); i++) {
		const struct extension *e = &extensions[i];
		bool claimed = platform_has_extension(info, e->name);
		bool present = e->probe ? e->probe() : claimed;
		const char *note = present == claimed ? "" : present ? "(probed)" : "(dt only)";
		if (len < sizeof(line))
			len += (size_t)fv_snprintf(line + len, sizeof(line) - len, " %s=%s%s",
			                           e->name, present ? "yes" : "no", note);
		if (e->required && !present && !missing)
			missing = e->name;
	}
	kprintf("%s\n", line);
	arch_timer_init(info->timebase_hz, probe_sstc());
	return missing;
}
