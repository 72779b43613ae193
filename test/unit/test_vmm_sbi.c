/*
 * Unit tests of the SBI a guest sees (vmm/src/sbi.c), against a fake machine
 * that records every call and a small guest memory allocated to its exact
 * size, so that a read past either end is caught by the sanitizers.
 *
 * Expected values come from the SBI specification v2.0, not from sbi.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmm/sbi.h>

#define MEM_BASE 0x80000000ull
#define MEM_SIZE 64
#define HARTS    4
#define MAX_LOG  64

/* ---- The fake machine ---- */

struct call_log {
	unsigned count;
	unsigned hart[MAX_LOG];
};

static struct {
	struct call_log start, status, ipi, fence;
	uint64_t start_addr, start_opaque;
	long start_answer;
	long status_answer[HARTS];
	unsigned console_calls;
	uint64_t console_len;
	char console[MEM_SIZE + 1];
} fake;

static void record(struct call_log *log, unsigned hart)
{
	assert_true(log->count < MAX_LOG);
	log->hart[log->count++] = hart;
}

static long fake_hart_start(unsigned hart, uint64_t start_addr, uint64_t opaque)
{
	record(&fake.start, hart);
	fake.start_addr = start_addr;
	fake.start_opaque = opaque;
	return fake.start_answer;
}

static long fake_hart_status(unsigned hart)
{
	record(&fake.status, hart);
	assert_true(hart < HARTS);
	return fake.status_answer[hart];
}

static void fake_send_ipi(unsigned hart)
{
	record(&fake.ipi, hart);
}

static void fake_remote_fence(unsigned hart)
{
	record(&fake.fence, hart);
}

static void fake_console(const char *bytes, uint64_t len)
{
	fake.console_calls++;
	fake.console_len = len;
	if (len <= MEM_SIZE)
		memcpy(fake.console, bytes, len);
}

static uint64_t timer_value, timer_calls;

static void fake_set_timer(uint64_t stime_value)
{
	timer_value = stime_value;
	timer_calls++;
}

static const struct sbi_machine machine = {
    .harts = HARTS,
    .hart_start = fake_hart_start,
    .hart_status = fake_hart_status,
    .send_ipi = fake_send_ipi,
    .remote_fence = fake_remote_fence,
    .set_timer = fake_set_timer,
    .console = fake_console,
};

static struct guest_memory memory;

static int setup(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof fake);
	memory.base = MEM_BASE;
	memory.size = MEM_SIZE;
	memory.host = malloc(MEM_SIZE);
	assert_non_null(memory.host);
	for (unsigned i = 0; i < MEM_SIZE; i++)
		memory.host[i] = (uint8_t)('A' + i % 26);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(memory.host);
	memory.host = NULL;
	return 0;
}

static struct sbi_result call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct sbi_request req = {.ext = ext, .fid = fid, .arg = {a0, a1, a2, 0, 0, 0}};
	return sbi_handle(&req, &memory, &machine);
}

static void assert_error(struct sbi_result r, long error)
{
	assert_int_equal(r.error, error);
	assert_int_equal(r.action, SBI_RESUME);
}

static void assert_value(struct sbi_result r, long value)
{
	assert_error(r, SBI_SUCCESS);
	assert_int_equal(r.value, value);
}

static void assert_no_callbacks(void)
{
	assert_int_equal(fake.start.count + fake.status.count + fake.ipi.count + fake.fence.count,
	                 0);
	assert_int_equal(fake.console_calls, 0);
}

/* ---- BASE ---- */

static void test_base_versions(void **state)
{
	(void)state;
	assert_value(call(SBI_EXT_BASE, 0, 0, 0, 0), 0x02000000);
	assert_value(call(SBI_EXT_BASE, 1, 0, 0, 0), SBI_IMPL_ID);
	assert_value(call(SBI_EXT_BASE, 2, 0, 0, 0), SBI_IMPL_VERSION);
	for (uint64_t fid = 4; fid <= 6; fid++) /* mvendorid, marchid, mimpid */
		assert_value(call(SBI_EXT_BASE, fid, 0, 0, 0), 0);
	assert_no_callbacks();
}

static void test_base_probe(void **state)
{
	(void)state;
	static const uint64_t present[] = {
	    0x10, 0x4442434e, 0x53525354, 0x54494d45, 0x48534d, 0x735049, 0x52464e43, 0x01, 0x02,
	};
	static const uint64_t absent[] = {
	    0x00,       0x03,     0x04,     0x05,       0x06,
	    0x07,       0x08,     0x504d55, 0x53555350, 0x43505043,
	    0x4e41434c, 0x535441, 0x11,     UINT64_MAX, 0x100000010ull,
	};
	for (size_t i = 0; i < sizeof present / sizeof present[0]; i++) {
		struct sbi_result r = call(SBI_EXT_BASE, 3, present[i], 0, 0);
		assert_error(r, SBI_SUCCESS);
		assert_int_not_equal(r.value, 0);
	}
	for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
		assert_value(call(SBI_EXT_BASE, 3, absent[i], 0, 0), 0);
}

static void test_base_unknown_function(void **state)
{
	(void)state;
	assert_error(call(SBI_EXT_BASE, 7, 0, 0, 0), SBI_ERR_NOT_SUPPORTED);
	assert_error(call(SBI_EXT_BASE, 0x100, 0, 0, 0), SBI_ERR_NOT_SUPPORTED);
	assert_error(call(SBI_EXT_BASE, UINT64_MAX, 0, 0, 0), SBI_ERR_NOT_SUPPORTED);
}

/* ---- DBCN ---- */

static void test_dbcn_write_inside(void **state)
{
	(void)state;
	struct sbi_result r = call(SBI_EXT_DBCN, 0, 5, MEM_BASE + 2, 0);
	assert_value(r, 5);
	assert_int_equal(fake.console_calls, 1);
	assert_int_equal(fake.console_len, 5);
	assert_memory_equal(fake.console, "CDEFG", 5);
}

static void test_dbcn_write_whole_memory(void **state)
{
	(void)state;
	assert_value(call(SBI_EXT_DBCN, 0, MEM_SIZE, MEM_BASE, 0), MEM_SIZE);
	assert_int_equal(fake.console_len, MEM_SIZE);
	assert_memory_equal(fake.console, memory.host, MEM_SIZE);
}

static void test_dbcn_write_last_byte(void **state)
{
	(void)state;
	assert_value(call(SBI_EXT_DBCN, 0, 1, MEM_BASE + MEM_SIZE - 1, 0), 1);
	assert_int_equal(fake.console[0], memory.host[MEM_SIZE - 1]);
	assert_value(call(SBI_EXT_DBCN, 0, 4, MEM_BASE + MEM_SIZE - 4, 0), 4);
	assert_int_equal(fake.console_calls, 2);
}

static void test_dbcn_write_outside(void **state)
{
	(void)state;
	/* One byte past either end, or wholly outside. */
	assert_error(call(SBI_EXT_DBCN, 0, 2, MEM_BASE + MEM_SIZE - 1, 0), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_DBCN, 0, 1, MEM_BASE + MEM_SIZE, 0), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_DBCN, 0, 1, MEM_BASE - 1, 0), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_DBCN, 0, MEM_SIZE + 1, MEM_BASE, 0), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_DBCN, 0, 1, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_DBCN, 0, 1, UINT64_MAX, 0), SBI_ERR_INVALID_PARAM);
	assert_no_callbacks();
}

static void test_dbcn_write_high_address(void **state)
{
	(void)state;
	/* base_hi holds address bits above 64 on RV64: never guest memory. */
	assert_error(call(SBI_EXT_DBCN, 0, 1, MEM_BASE, 1), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_DBCN, 0, 1, MEM_BASE, UINT64_MAX), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_DBCN, 1, 1, MEM_BASE, 1), SBI_ERR_INVALID_PARAM);
	assert_no_callbacks();
}

static void test_dbcn_write_length_overflow(void **state)
{
	(void)state;
	/* lo + num_bytes wraps around to inside the guest's memory. */
	uint64_t huge = UINT64_MAX - MEM_BASE + 2;
	assert_error(call(SBI_EXT_DBCN, 0, huge, MEM_BASE + 8, 0), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_DBCN, 0, UINT64_MAX, MEM_BASE, 0), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_DBCN, 0, UINT64_MAX - 7, MEM_BASE + 8, 0), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_DBCN, 1, UINT64_MAX, MEM_BASE + 1, 0), SBI_ERR_INVALID_PARAM);
	assert_no_callbacks();
}

static void test_dbcn_write_zero_length(void **state)
{
	(void)state;
	assert_value(call(SBI_EXT_DBCN, 0, 0, MEM_BASE, 0), 0);
	assert_value(call(SBI_EXT_DBCN, 0, 0, MEM_BASE + MEM_SIZE, 0), 0);
	assert_int_equal(fake.console_len, 0);
	assert_error(call(SBI_EXT_DBCN, 0, 0, MEM_BASE + MEM_SIZE + 1, 0), SBI_ERR_INVALID_PARAM);
}

static void test_dbcn_read(void **state)
{
	(void)state;
	/* No input reaches a guest: a valid buffer reads nothing, and is left alone. */
	uint8_t before[MEM_SIZE];
	memcpy(before, memory.host, MEM_SIZE);
	assert_value(call(SBI_EXT_DBCN, 1, 8, MEM_BASE, 0), 0);
	assert_value(call(SBI_EXT_DBCN, 1, MEM_SIZE, MEM_BASE, 0), 0);
	assert_value(call(SBI_EXT_DBCN, 1, 1, MEM_BASE + MEM_SIZE - 1, 0), 0);
	assert_error(call(SBI_EXT_DBCN, 1, 2, MEM_BASE + MEM_SIZE - 1, 0), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_DBCN, 1, 1, MEM_BASE - 1, 0), SBI_ERR_INVALID_PARAM);
	assert_memory_equal(before, memory.host, MEM_SIZE);
	assert_no_callbacks();
}

static void test_dbcn_write_byte(void **state)
{
	(void)state;
	assert_value(call(SBI_EXT_DBCN, 2, 'x', 0, 0), 0);
	assert_int_equal(fake.console_len, 1);
	assert_int_equal(fake.console[0], 'x');
	/* Only the low byte counts. */
	assert_value(call(SBI_EXT_DBCN, 2, 0xffffff00 | 'y', 0, 0), 0);
	assert_int_equal(fake.console[0], 'y');
	assert_int_equal(fake.console_calls, 2);
}

static void test_dbcn_unknown_function(void **state)
{
	(void)state;
	assert_error(call(SBI_EXT_DBCN, 3, 1, MEM_BASE, 0), SBI_ERR_NOT_SUPPORTED);
	assert_error(call(SBI_EXT_DBCN, UINT64_MAX, 1, MEM_BASE, 0), SBI_ERR_NOT_SUPPORTED);
	assert_no_callbacks();
}

/* ---- SRST ---- */

static void test_srst_shutdown(void **state)
{
	(void)state;
	struct sbi_result r = call(SBI_EXT_SRST, 0, 0, 0, 0);
	assert_int_equal(r.action, SBI_SHUTDOWN);
	assert_int_equal(r.error, SBI_SUCCESS);
	r = call(SBI_EXT_SRST, 0, 0, 1, 0); /* reason: system failure */
	assert_int_equal(r.action, SBI_SHUTDOWN);
	assert_no_callbacks();
}

static void test_srst_reboot(void **state)
{
	(void)state;
	for (uint64_t type = 1; type <= 2; type++) { /* cold, warm */
		for (uint64_t reason = 0; reason <= 1; reason++) {
			struct sbi_result r = call(SBI_EXT_SRST, 0, type, reason, 0);
			assert_int_equal(r.action, SBI_REBOOT);
			assert_int_equal(r.error, SBI_SUCCESS);
		}
	}
	assert_no_callbacks();
}

static void test_srst_reserved_types(void **state)
{
	(void)state;
	static const uint64_t reserved[] = {3, 4, 0x1000, 0xefffffff};
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		assert_error(call(SBI_EXT_SRST, 0, reserved[i], 0, 0), SBI_ERR_INVALID_PARAM);
}

static void test_srst_vendor_types(void **state)
{
	(void)state;
	/* Platform-specific ones this platform lacks: INVALID_PARAM, as the specification says. */
	static const uint64_t vendor[] = {0xf0000000, 0xf0000001, 0xffffffff};
	for (size_t i = 0; i < sizeof vendor / sizeof vendor[0]; i++)
		assert_error(call(SBI_EXT_SRST, 0, vendor[i], 0, 0), SBI_ERR_INVALID_PARAM);
}

static void test_srst_bad_values(void **state)
{
	(void)state;
	/* Neither a reset type nor a reason is more than 32 bits. */
	assert_error(call(SBI_EXT_SRST, 0, 0x100000000ull, 0, 0), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_SRST, 0, UINT64_MAX, 0, 0), SBI_ERR_INVALID_PARAM);
	/* Reserved reasons (2 to 0xdfffffff) and vendor ones this platform lacks. */
	assert_error(call(SBI_EXT_SRST, 0, 0, 2, 0), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_SRST, 0, 0, 0xdfffffff, 0), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_SRST, 0, 0, 0xf0000000, 0), SBI_ERR_INVALID_PARAM);
	assert_error(call(SBI_EXT_SRST, 0, 0, 0x100000000ull, 0), SBI_ERR_INVALID_PARAM);
}

static void test_srst_unknown_function(void **state)
{
	(void)state;
	assert_error(call(SBI_EXT_SRST, 1, 0, 0, 0), SBI_ERR_NOT_SUPPORTED);
}

/* ---- HSM ---- */

static void test_hsm_start(void **state)
{
	(void)state;
	assert_value(call(SBI_EXT_HSM, 0, 3, MEM_BASE + 8, 0x1234), 0);
	assert_int_equal(fake.start.count, 1);
	assert_int_equal(fake.start.hart[0], 3);
	assert_int_equal(fake.start_addr, MEM_BASE + 8);
	assert_int_equal(fake.start_opaque, 0x1234);
}

static void test_time_set_timer(void **state)
{
	(void)state;
	timer_calls = 0;
	assert_value(call(SBI_EXT_TIME, 0, 123456, 0, 0), 0);
	assert_int_equal(timer_calls, 1);
	assert_int_equal(timer_value, 123456);
	assert_error(call(SBI_EXT_TIME, 1, 0, 0, 0), SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(timer_calls, 1);
	assert_value(call(SBI_EXT_BASE, 3, SBI_EXT_TIME, 0, 0), 1);
}

/* A start address outside guest memory: INVALID_ADDRESS, and no hart starts. */
static void test_hsm_start_invalid_address(void **state)
{
	(void)state;
	assert_error(call(SBI_EXT_HSM, 0, 1, MEM_BASE - 4, 0), SBI_ERR_INVALID_ADDRESS);
	assert_error(call(SBI_EXT_HSM, 0, 1, MEM_BASE + memory.size, 0), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(fake.start.count, 0);
}

static void test_hsm_start_already_available(void **state)
{
	(void)state;
	fake.start_answer = SBI_ERR_ALREADY_AVAILABLE;
	assert_error(call(SBI_EXT_HSM, 0, 0, MEM_BASE, 0), SBI_ERR_ALREADY_AVAILABLE);
	assert_int_equal(fake.start.count, 1);
}

static void test_hsm_start_invalid_hart(void **state)
{
	(void)state;
	static const uint64_t bad[] = {HARTS, HARTS + 1, 0x100000000ull, UINT64_MAX};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_error(call(SBI_EXT_HSM, 0, bad[i], MEM_BASE, 0), SBI_ERR_INVALID_PARAM);
		assert_error(call(SBI_EXT_HSM, 2, bad[i], 0, 0), SBI_ERR_INVALID_PARAM);
	}
	assert_no_callbacks();
}

static void test_hsm_status(void **state)
{
	(void)state;
	fake.status_answer[0] = SBI_HSM_STARTED;
	fake.status_answer[1] = SBI_HSM_STOPPED;
	fake.status_answer[3] = 2; /* START_PENDING passes through */
	assert_value(call(SBI_EXT_HSM, 2, 0, 0, 0), SBI_HSM_STARTED);
	assert_value(call(SBI_EXT_HSM, 2, 1, 0, 0), SBI_HSM_STOPPED);
	assert_value(call(SBI_EXT_HSM, 2, 3, 0, 0), 2);
	assert_int_equal(fake.status.count, 3);
	assert_int_equal(fake.status.hart[2], 3);
}

static void test_hsm_stop(void **state)
{
	(void)state;
	struct sbi_result r = call(SBI_EXT_HSM, 1, 0, 0, 0);
	assert_int_equal(r.action, SBI_STOP_HART);
	assert_no_callbacks();
}

static void test_hsm_unknown_function(void **state)
{
	(void)state;
	assert_error(call(SBI_EXT_HSM, 3, 0, 0, 0), SBI_ERR_NOT_SUPPORTED); /* hart_suspend */
	assert_error(call(SBI_EXT_HSM, 4, 0, 0, 0), SBI_ERR_NOT_SUPPORTED);
	assert_no_callbacks();
}

/* ---- IPI and RFENCE hart masks ---- */

static struct sbi_result send_ipi(uint64_t mask, uint64_t base)
{
	return call(SBI_EXT_IPI, 0, mask, base, 0);
}

static void assert_harts(const struct call_log *log, unsigned count, const unsigned *harts)
{
	assert_int_equal(log->count, count);
	for (unsigned i = 0; i < count; i++)
		assert_int_equal(log->hart[i], harts[i]);
}

static void test_ipi_mask(void **state)
{
	(void)state;
	assert_value(send_ipi(0x5, 0), 0);
	assert_harts(&fake.ipi, 2, (const unsigned[]){0, 2});
	fake.ipi.count = 0;
	assert_value(send_ipi(0x3, 2), 0); /* harts 2 and 3 */
	assert_harts(&fake.ipi, 2, (const unsigned[]){2, 3});
	fake.ipi.count = 0;
	assert_value(send_ipi(0x1, HARTS - 1), 0);
	assert_harts(&fake.ipi, 1, (const unsigned[]){HARTS - 1});
}

static void test_ipi_all_harts(void **state)
{
	(void)state;
	/* A base of -1 means every hart, whatever the mask says. */
	assert_value(send_ipi(0, UINT64_MAX), 0);
	assert_harts(&fake.ipi, HARTS, (const unsigned[]){0, 1, 2, 3});
	fake.ipi.count = 0;
	assert_value(send_ipi(UINT64_MAX, UINT64_MAX), 0);
	assert_int_equal(fake.ipi.count, HARTS);
}

static void test_ipi_empty_mask(void **state)
{
	(void)state;
	assert_value(send_ipi(0, 0), 0);
	assert_no_callbacks();
}

static void test_ipi_invalid_masks(void **state)
{
	(void)state;
	/* Each names a hart that does not exist: nothing is sent, not even to the valid ones. */
	static const struct {
		uint64_t mask, base;
	} bad[] = {
	    {1ull << HARTS, 0},
	    {0x1f, 0}, /* 0-3 valid, 4 not */
	    {1ull << 63, 0},
	    {0x3, HARTS - 1},
	    {0x1, HARTS},
	    {0x1, 0x100000000ull},
	    {0x1, UINT64_MAX - 1},
	    {0x2, UINT64_MAX - 1},         /* base + 1 wraps to -1 */
	    {1ull << 63, UINT64_MAX - 62}, /* base + bit wraps to 0 */
	    {1ull << 63, 1ull << 63},
	    {UINT64_MAX, 0},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_error(send_ipi(bad[i].mask, bad[i].base), SBI_ERR_INVALID_PARAM);
		assert_error(call(SBI_EXT_RFENCE, 0, bad[i].mask, bad[i].base, 0),
		             SBI_ERR_INVALID_PARAM);
	}
	assert_no_callbacks();
}

static void test_ipi_unknown_function(void **state)
{
	(void)state;
	assert_error(call(SBI_EXT_IPI, 1, 1, 0, 0), SBI_ERR_NOT_SUPPORTED);
	assert_no_callbacks();
}

static void test_rfence_functions(void **state)
{
	(void)state;
	/* remote_fence_i, sfence_vma and sfence_vma_asid all reach the named harts. */
	for (uint64_t fid = 0; fid <= 2; fid++) {
		struct sbi_request req = {
		    .ext = SBI_EXT_RFENCE, .fid = fid, .arg = {0x6, 0, 0x1000, 0x2000, 7, 0}};
		fake.fence.count = 0;
		assert_value(sbi_handle(&req, &memory, &machine), 0);
		assert_harts(&fake.fence, 2, (const unsigned[]){1, 2});
	}
	fake.fence.count = 0;
	assert_value(call(SBI_EXT_RFENCE, 1, 0, UINT64_MAX, 0), 0);
	assert_int_equal(fake.fence.count, HARTS);
	assert_int_equal(fake.ipi.count, 0);
}

static void test_rfence_hfence_not_supported(void **state)
{
	(void)state;
	for (uint64_t fid = 3; fid <= 6; fid++)
		assert_error(call(SBI_EXT_RFENCE, fid, 1, 0, 0), SBI_ERR_NOT_SUPPORTED);
	assert_error(call(SBI_EXT_RFENCE, 7, 1, 0, 0), SBI_ERR_NOT_SUPPORTED);
	assert_error(call(SBI_EXT_RFENCE, UINT64_MAX, 1, 0, 0), SBI_ERR_NOT_SUPPORTED);
	assert_no_callbacks();
}

/* ---- Legacy console and unknown extensions ---- */

static void test_legacy_putchar(void **state)
{
	(void)state;
	struct sbi_result r = call(SBI_EXT_LEGACY_PUTCHAR, 0, 'q', 0, 0);
	assert_int_equal(r.action, SBI_LEGACY);
	assert_int_equal(r.error, 0);
	assert_int_equal(fake.console_calls, 1);
	assert_int_equal(fake.console_len, 1);
	assert_int_equal(fake.console[0], 'q');
}

static void test_legacy_getchar(void **state)
{
	(void)state;
	/* A legacy call answers in a0 alone, which the VMM takes from `error`: -1, no input. */
	struct sbi_result r = call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0);
	assert_int_equal(r.action, SBI_LEGACY);
	assert_int_equal(r.error, -1);
	assert_no_callbacks();
}

static void test_unknown_extensions(void **state)
{
	(void)state;
	static const uint64_t unknown[] = {
	    0x00,       0x03,       0x04,       0x08, 0x504d55,   0x53555350,     0x43505043,
	    0x0a000000, 0x0affffff, 0x0b000000, 0x11, UINT64_MAX, 0x100000010ull,
	};
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
		for (uint64_t fid = 0; fid < 3; fid++)
			assert_error(call(unknown[i], fid, 1, MEM_BASE, 0), SBI_ERR_NOT_SUPPORTED);
	assert_no_callbacks();
}

#define TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_base_versions),
	    TEST(test_base_probe),
	    TEST(test_base_unknown_function),
	    TEST(test_dbcn_write_inside),
	    TEST(test_dbcn_write_whole_memory),
	    TEST(test_dbcn_write_last_byte),
	    TEST(test_dbcn_write_outside),
	    TEST(test_dbcn_write_high_address),
	    TEST(test_dbcn_write_length_overflow),
	    TEST(test_dbcn_write_zero_length),
	    TEST(test_dbcn_read),
	    TEST(test_dbcn_write_byte),
	    TEST(test_dbcn_unknown_function),
	    TEST(test_srst_shutdown),
	    TEST(test_srst_reboot),
	    TEST(test_srst_reserved_types),
	    TEST(test_srst_vendor_types),
	    TEST(test_srst_bad_values),
	    TEST(test_srst_unknown_function),
	    TEST(test_hsm_start),
	    TEST(test_hsm_start_invalid_address),
	    TEST(test_time_set_timer),
	    TEST(test_hsm_start_already_available),
	    TEST(test_hsm_start_invalid_hart),
	    TEST(test_hsm_status),
	    TEST(test_hsm_stop),
	    TEST(test_hsm_unknown_function),
	    TEST(test_ipi_mask),
	    TEST(test_ipi_all_harts),
	    TEST(test_ipi_empty_mask),
	    TEST(test_ipi_invalid_masks),
	    TEST(test_ipi_unknown_function),
	    TEST(test_rfence_functions),
	    TEST(test_rfence_hfence_not_supported),
	    TEST(test_legacy_putchar),
	    TEST(test_legacy_getchar),
	    TEST(test_unknown_extensions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
