/*
 * Unit tests of the guest boot layout (vmm/src/layout.c): where the kernel,
 * the initrd and the device tree go in a guest's RAM.
 *
 * Kernel images are held in heap blocks of exactly their size, so
 * AddressSanitizer reports a header read past the end of a short image.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <cmocka.h>

#include <vmm/layout.h>

#define KIB  0x400ull
#define MIB  0x100000ull
#define BASE 0x80000000ull
#define PAGE LAYOUT_PAGE

/* A kernel of `size` bytes (a flat binary of 0x13 bytes, the first a `li`). */
static unsigned char *flat_image(size_t size)
{
	unsigned char *k = malloc(size ? size : 1);
	assert_non_null(k);
	memset(k, 0x13, size);
	return k;
}

/* A Linux Image of `size` bytes (at least 64) whose header says `image_size`. */
static unsigned char *linux_image(size_t size, uint64_t image_size)
{
	assert_true(size >= 64);
	unsigned char *k = flat_image(size);
	memset(k, 0, 64);
	k[0] = 0x4d; /* MZ, as the riscv Image starts */
	k[1] = 0x5a;
	for (int i = 0; i < 8; i++)
		k[16 + i] = (unsigned char)(image_size >> (8 * i));
	memcpy(k + 48, "RISCV\0\0\0", 8);
	memcpy(k + 56, "RSC\x05", 4);
	return k;
}

/* Plans with `out` filled with garbage first, as a caller's stack would be. */
static int plan(uint64_t base, uint64_t size, const void *kernel, uint64_t kernel_size,
                uint64_t initrd_size, struct guest_layout *out)
{
	memset(out, 0xa5, sizeof *out);
	return guest_layout_plan(base, size, kernel, kernel_size, initrd_size, out);
}

static void expect_plan_error(uint64_t base, uint64_t size, const void *kernel,
                              uint64_t kernel_size, uint64_t initrd_size, int want)
{
	static const struct guest_layout zero;
	struct guest_layout at;
	int got = plan(base, size, kernel, kernel_size, initrd_size, &at);
	if (got != want)
		fail_msg("base 0x%llx size 0x%llx kernel %llu initrd %llu: got %d (%s), want %d",
		         (unsigned long long)base, (unsigned long long)size,
		         (unsigned long long)kernel_size, (unsigned long long)initrd_size, got,
		         guest_layout_strerror(got), want);
	/* A failed plan leaves nothing half-done behind. */
	assert_memory_equal(&at, &zero, sizeof zero);
}

/* ---- the kernel's footprint ---- */

static void test_flat_binary_footprint_is_its_size(void **state)
{
	(void)state;
	static const size_t sizes[] = {1, 4, 63, 64, 65, 4096, 1000000};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		unsigned char *k = flat_image(sizes[i]);
		assert_int_equal(guest_kernel_footprint(k, sizes[i]), sizes[i]);
		free(k);
	}
	assert_int_equal(guest_kernel_footprint(NULL, 0), 0);
}

static void test_linux_image_footprint(void **state)
{
	(void)state;
	/* image_size larger than the file: its .bss is part of the footprint. */
	unsigned char *k = linux_image(8192, 0x1400000);
	assert_int_equal(guest_kernel_footprint(k, 8192), 0x1400000);
	free(k);
	/* Every byte of image_size counts, little-endian. */
	k = linux_image(64, 0x0102030405060708ull);
	assert_int_equal(guest_kernel_footprint(k, 64), 0x0102030405060708ull);
	free(k);
	/* Smaller than the file, or 0 (an old header): the file's size. */
	k = linux_image(8192, 4096);
	assert_int_equal(guest_kernel_footprint(k, 8192), 8192);
	free(k);
	k = linux_image(8192, 0);
	assert_int_equal(guest_kernel_footprint(k, 8192), 8192);
	free(k);
	k = linux_image(8192, 8192);
	assert_int_equal(guest_kernel_footprint(k, 8192), 8192);
	free(k);
	/* The largest image_size there is. */
	k = linux_image(64, UINT64_MAX);
	assert_int_equal(guest_kernel_footprint(k, 64), UINT64_MAX);
	free(k);
}

static void test_header_needs_the_exact_magic(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++) {
		unsigned char *k = linux_image(4096, 0x1000000);
		k[56 + i] ^= 0x20;
		assert_int_equal(guest_kernel_footprint(k, 4096), 4096);
		free(k);
	}
	/* The first magic ("RISCV") alone is not enough. */
	unsigned char *k = linux_image(4096, 0x1000000);
	memset(k + 56, 0, 4);
	assert_int_equal(guest_kernel_footprint(k, 4096), 4096);
	free(k);
}

/* Shorter than a header: a flat binary, whatever its bytes, and no read past its end. */
static void test_kernel_shorter_than_a_header(void **state)
{
	(void)state;
	unsigned char *full = linux_image(64, 0x1000000);
	for (size_t n = 1; n < 64; n++) {
		unsigned char *k = flat_image(n);
		memcpy(k, full, n); /* from 60 bytes on, the magic is all there */
		assert_int_equal(guest_kernel_footprint(k, n), n);
		struct guest_layout at;
		assert_int_equal(plan(BASE, 128 * MIB, k, n, 0, &at), LAYOUT_OK);
		assert_int_equal(at.kernel_end - at.kernel_gpa, n);
		free(k);
	}
	free(full);
}

/* ---- placement ---- */

static void test_flat_kernel_without_initrd(void **state)
{
	(void)state;
	unsigned char *k = flat_image(4096);
	struct guest_layout at;
	assert_int_equal(plan(BASE, 128 * MIB, k, 4096, 0, &at), LAYOUT_OK);
	assert_int_equal(at.kernel_gpa, BASE + 2 * MIB);
	assert_int_equal(at.kernel_end, BASE + 2 * MIB + 4096);
	assert_int_equal(at.dtb_gpa, BASE + 128 * MIB - 64 * KIB);
	assert_int_equal(at.initrd_gpa, 0);
	assert_int_equal(at.initrd_end, 0);
	free(k);
}

static void test_linux_kernel_with_initrd(void **state)
{
	(void)state;
	unsigned char *k = linux_image(12 * MIB, 20 * MIB);
	struct guest_layout at;
	assert_int_equal(plan(BASE, 256 * MIB, k, 12 * MIB, 5 * MIB + 123, &at), LAYOUT_OK);
	assert_int_equal(at.kernel_gpa, BASE + 2 * MIB);
	assert_int_equal(at.kernel_end, BASE + 22 * MIB);
	assert_int_equal(at.dtb_gpa, BASE + 256 * MIB - 64 * KIB);
	/* Page-aligned, right below the device tree. */
	assert_int_equal(at.initrd_gpa, (at.dtb_gpa - (5 * MIB + 123)) & ~(PAGE - 1));
	assert_int_equal(at.initrd_gpa, BASE + 256 * MIB - 64 * KIB - 5 * MIB - PAGE);
	assert_int_equal(at.initrd_end, at.initrd_gpa + 5 * MIB + 123);
	assert_true(at.initrd_end <= at.dtb_gpa);
	assert_true(at.dtb_gpa - at.initrd_end < PAGE);
	free(k);
}

/* A page-sized initrd needs no alignment: it ends where the device tree starts. */
static void test_initrd_of_whole_pages_touches_the_dtb(void **state)
{
	(void)state;
	unsigned char *k = flat_image(4096);
	struct guest_layout at;
	assert_int_equal(plan(BASE, 64 * MIB, k, 4096, 16 * PAGE, &at), LAYOUT_OK);
	assert_int_equal(at.initrd_end, at.dtb_gpa);
	assert_int_equal(at.initrd_gpa, at.dtb_gpa - 16 * PAGE);
	assert_int_equal(plan(BASE, 64 * MIB, k, 4096, 1, &at), LAYOUT_OK);
	assert_int_equal(at.initrd_gpa, at.dtb_gpa - PAGE);
	assert_int_equal(at.initrd_end, at.dtb_gpa - PAGE + 1);
	free(k);
}

/* RAM elsewhere than at 0x80000000, and near the top of the address space. */
static void test_other_ram_bases(void **state)
{
	(void)state;
	unsigned char *k = flat_image(100);
	struct guest_layout at;
	assert_int_equal(plan(0, 4 * MIB, k, 100, 0, &at), LAYOUT_OK);
	assert_int_equal(at.kernel_gpa, 2 * MIB);
	assert_int_equal(at.dtb_gpa, 4 * MIB - 64 * KIB);
	const uint64_t top = 0xffffffff00000000ull;
	assert_int_equal(plan(top, 0xfffff000ull, k, 100, 4096, &at), LAYOUT_OK);
	assert_int_equal(at.kernel_gpa, top + 2 * MIB);
	assert_int_equal(at.dtb_gpa, UINT64_MAX - PAGE + 1 - 64 * KIB);
	assert_int_equal(at.initrd_gpa, at.dtb_gpa - PAGE);
	assert_int_equal(at.initrd_end, at.dtb_gpa);
	free(k);
}

/* ---- what fits exactly, and one byte or page more ---- */

static void test_kernel_reaching_the_dtb_exactly(void **state)
{
	(void)state;
	const uint64_t room = 32 * MIB - 2 * MIB - 64 * KIB; /* from kernel start to DTB */
	unsigned char *k = linux_image(4096, room);
	struct guest_layout at;
	assert_int_equal(plan(BASE, 32 * MIB, k, 4096, 0, &at), LAYOUT_OK);
	assert_int_equal(at.kernel_end, at.dtb_gpa);
	/* No room is left for any initrd. */
	expect_plan_error(BASE, 32 * MIB, k, 4096, 1, LAYOUT_EINITRD);
	free(k);
	k = linux_image(4096, room + 1);
	expect_plan_error(BASE, 32 * MIB, k, 4096, 0, LAYOUT_EKERNEL);
	free(k);
	/* The same with a flat binary. */
	k = flat_image(room);
	assert_int_equal(plan(BASE, 32 * MIB, k, room, 0, &at), LAYOUT_OK);
	assert_int_equal(at.kernel_end, at.dtb_gpa);
	free(k);
	k = flat_image(room + 1);
	expect_plan_error(BASE, 32 * MIB, k, room + 1, 0, LAYOUT_EKERNEL);
	free(k);
}

static void test_initrd_filling_the_gap_exactly(void **state)
{
	(void)state;
	const uint64_t ram = 32 * MIB, dtb = BASE + ram - 64 * KIB;
	/* The kernel ends on a page boundary: the initrd may take every byte up to the DTB. */
	unsigned char *k = linux_image(4096, 10 * MIB);
	const uint64_t kernel_end = BASE + 12 * MIB, gap = dtb - kernel_end;
	struct guest_layout at;
	assert_int_equal(plan(BASE, ram, k, 4096, gap, &at), LAYOUT_OK);
	assert_int_equal(at.kernel_end, kernel_end);
	assert_int_equal(at.initrd_gpa, kernel_end);
	assert_int_equal(at.initrd_end, dtb);
	expect_plan_error(BASE, ram, k, 4096, gap + 1, LAYOUT_EINITRD);
	expect_plan_error(BASE, ram, k, 4096, gap + PAGE, LAYOUT_EINITRD);
	free(k);

	/*
	 * The kernel ends one byte into a page: the initrd starts at the next
	 * page, so one byte (or one page) more than what lies from there to the
	 * DTB would have to overlap the kernel.
	 */
	k = linux_image(4096, 10 * MIB + 1);
	const uint64_t aligned = BASE + 12 * MIB + PAGE, fit = dtb - aligned;
	assert_int_equal(plan(BASE, ram, k, 4096, fit, &at), LAYOUT_OK);
	assert_int_equal(at.kernel_end, BASE + 12 * MIB + 1);
	assert_int_equal(at.initrd_gpa, aligned);
	assert_int_equal(at.initrd_end, dtb);
	/* Still fewer bytes than the gap, yet no page-aligned start leaves the kernel whole. */
	assert_true(fit + 1 <= dtb - at.kernel_end);
	expect_plan_error(BASE, ram, k, 4096, fit + 1, LAYOUT_EINITRD);
	expect_plan_error(BASE, ram, k, 4096, fit + PAGE - 1, LAYOUT_EINITRD);
	expect_plan_error(BASE, ram, k, 4096, fit + PAGE, LAYOUT_EINITRD);
	free(k);
}

/* ---- errors ---- */

static void test_empty_kernel(void **state)
{
	(void)state;
	unsigned char *k = flat_image(0);
	expect_plan_error(BASE, 128 * MIB, k, 0, 0, LAYOUT_EKERNEL);
	expect_plan_error(BASE, 128 * MIB, k, 0, 4096, LAYOUT_EKERNEL);
	expect_plan_error(BASE, 128 * MIB, NULL, 0, 0, LAYOUT_EKERNEL);
	free(k);
}

static void test_ram_too_small(void **state)
{
	(void)state;
	unsigned char *k = flat_image(16);
	expect_plan_error(BASE, 0, k, 16, 0, LAYOUT_ERAM);
	expect_plan_error(BASE, 2 * MIB, k, 16, 0, LAYOUT_ERAM);
	expect_plan_error(BASE, 2 * MIB + 64 * KIB - PAGE, k, 16, 0, LAYOUT_ERAM);
	/* Room for the offset and the device tree, none for a kernel. */
	expect_plan_error(BASE, 2 * MIB + 64 * KIB, k, 16, 0, LAYOUT_EKERNEL);
	/* One page: a small kernel fits, an initrd beside it does not. */
	struct guest_layout at;
	assert_int_equal(plan(BASE, 2 * MIB + 64 * KIB + PAGE, k, 16, 0, &at), LAYOUT_OK);
	assert_int_equal(at.dtb_gpa, BASE + 2 * MIB + PAGE);
	expect_plan_error(BASE, 2 * MIB + 64 * KIB + PAGE, k, 16, 1, LAYOUT_EINITRD);
	free(k);
}

static void test_misaligned_ram(void **state)
{
	(void)state;
	unsigned char *k = flat_image(16);
	expect_plan_error(BASE + 1, 128 * MIB, k, 16, 0, LAYOUT_ERAM);
	expect_plan_error(BASE + 0x800, 128 * MIB, k, 16, 0, LAYOUT_ERAM);
	expect_plan_error(BASE, 128 * MIB + 1, k, 16, 0, LAYOUT_ERAM);
	expect_plan_error(BASE, 128 * MIB - 0x800, k, 16, 0, LAYOUT_ERAM);
	/* Page alignment is all that is asked. */
	struct guest_layout at;
	assert_int_equal(plan(BASE + PAGE, 128 * MIB - PAGE, k, 16, 0, &at), LAYOUT_OK);
	assert_int_equal(at.kernel_gpa, BASE + PAGE + 2 * MIB);
	free(k);
}

static void test_ram_wrapping_around(void **state)
{
	(void)state;
	unsigned char *k = flat_image(16);
	expect_plan_error(0xffffffff00000000ull, 0x100000000ull, k, 16, 0, LAYOUT_ERAM);
	expect_plan_error(0xffffffff00000000ull, 0x200000000ull, k, 16, 0, LAYOUT_ERAM);
	expect_plan_error(0xfffffffffff00000ull, 0x10000000ull, k, 16, 0, LAYOUT_ERAM);
	expect_plan_error(PAGE, UINT64_MAX - PAGE + 1, k, 16, 0, LAYOUT_ERAM);
	expect_plan_error(UINT64_MAX - PAGE + 1, 4 * MIB, k, 16, 0, LAYOUT_ERAM);
	free(k);
}

/* Sizes near 2^64 are refused, never wrapped into something that seems to fit. */
static void test_huge_sizes_do_not_overflow(void **state)
{
	(void)state;
	unsigned char *k = linux_image(4096, UINT64_MAX);
	expect_plan_error(BASE, 128 * MIB, k, 4096, 0, LAYOUT_EKERNEL);
	expect_plan_error(0xffffffff00000000ull, 0xfffff000ull, k, 4096, 0, LAYOUT_EKERNEL);
	free(k);
	/* Footprints that would wrap the kernel's end around to just above the RAM base. */
	static const uint64_t wrapping[] = {
	    0ull - (BASE + 2 * MIB),
	    0ull - (BASE + 2 * MIB) + 4096,
	    0ull - 2 * MIB,
	    UINT64_MAX - 2 * MIB,
	};
	for (size_t i = 0; i < sizeof wrapping / sizeof wrapping[0]; i++) {
		k = linux_image(4096, wrapping[i]);
		expect_plan_error(BASE, 128 * MIB, k, 4096, 0, LAYOUT_EKERNEL);
		free(k);
	}
	k = flat_image(4096);
	static const uint64_t initrds[] = {
	    UINT64_MAX,
	    UINT64_MAX - PAGE,
	    0ull - BASE,
	    0ull - (BASE + 128 * MIB - 64 * KIB),
	    BASE + 128 * MIB - 64 * KIB,
	    128 * MIB,
	};
	for (size_t i = 0; i < sizeof initrds / sizeof initrds[0]; i++)
		expect_plan_error(BASE, 128 * MIB, k, 4096, initrds[i], LAYOUT_EINITRD);
	free(k);
}

/*
 * Random layouts near every boundary, against the rules spelled out
 * independently: everything in RAM, nothing overlapping, the initrd as high
 * as a page-aligned start allows, and an error exactly when nothing fits.
 */
static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A value near one of the interesting sizes, or anything at all. */
static uint64_t near(uint64_t around)
{
	switch (next() % 4) {
	case 0:
		return around;
	case 1:
		return around + next() % 8192;
	case 2:
		return around - next() % 8192;
	default:
		return next() >> (next() % 64);
	}
}

static void test_random_layouts_keep_the_rules(void **state)
{
	(void)state;
	unsigned char *image = linux_image(64, 0);
	unsigned counts[4] = {0};
	for (unsigned i = 0; i < 200000; i++) {
		uint64_t base = next() % 3 ? BASE : near(0) & ~(PAGE - 1);
		uint64_t ram = near((next() % 64 + 1) * 2 * MIB);
		if (next() % 4)
			ram &= ~(PAGE - 1);
		uint64_t room = ram - 2 * MIB - 64 * KIB; /* meaningful when RAM is large enough */
		uint64_t image_size = near(next() % 2 ? room / 2 : room);
		uint64_t initrd = next() % 4 ? near(room - image_size) : 0;
		bool header = next() % 2;
		for (int b = 0; b < 8; b++)
			image[16 + b] = (unsigned char)(image_size >> (8 * b));
		image[56] = header ? 'R' : 0;
		uint64_t footprint = header && image_size > 64 ? image_size : 64;

		bool ram_ok = base % PAGE == 0 && ram % PAGE == 0 && base + ram >= base &&
		              ram >= 2 * MIB + 64 * KIB;
		bool kernel_ok = ram_ok && footprint <= room;
		uint64_t dtb = base + ram - 64 * KIB, kernel_end = base + 2 * MIB + footprint;
		bool initrd_ok =
		    kernel_ok && (initrd == 0 || (initrd <= dtb - kernel_end &&
		                                  ((dtb - initrd) & ~(PAGE - 1)) >= kernel_end));
		int want = !ram_ok      ? LAYOUT_ERAM
		           : !kernel_ok ? LAYOUT_EKERNEL
		           : !initrd_ok ? LAYOUT_EINITRD
		                        : LAYOUT_OK;
		struct guest_layout at;
		int got = plan(base, ram, image, 64, initrd, &at);
		if (got != want)
			fail_msg("case %u: base 0x%llx ram 0x%llx footprint 0x%llx initrd 0x%llx: "
			         "got %d, want %d",
			         i, (unsigned long long)base, (unsigned long long)ram,
			         (unsigned long long)footprint, (unsigned long long)initrd, got,
			         want);
		counts[-got]++;
		if (got != LAYOUT_OK)
			continue;
		assert_int_equal(at.kernel_gpa, base + 2 * MIB);
		assert_int_equal(at.kernel_end, kernel_end);
		assert_int_equal(at.dtb_gpa, dtb);
		assert_int_equal(at.dtb_gpa % PAGE, 0);
		assert_true(at.kernel_end <= at.dtb_gpa);
		assert_true(at.dtb_gpa + 64 * KIB == base + ram);
		if (initrd == 0) {
			assert_int_equal(at.initrd_gpa, 0);
			assert_int_equal(at.initrd_end, 0);
			continue;
		}
		assert_int_equal(at.initrd_gpa % PAGE, 0);
		assert_true(at.initrd_gpa >= at.kernel_end);
		assert_int_equal(at.initrd_end, at.initrd_gpa + initrd);
		assert_true(at.initrd_end <= at.dtb_gpa);
		assert_true(at.dtb_gpa - at.initrd_end < PAGE);
	}
	/* Every outcome was met. */
	for (int i = 0; i < 4; i++)
		assert_true(counts[i] > 100);
	free(image);
}

static void test_strerror_names_every_error(void **state)
{
	(void)state;
	static const int errors[] = {LAYOUT_OK, LAYOUT_ERAM, LAYOUT_EKERNEL, LAYOUT_EINITRD};
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
		const char *text = guest_layout_strerror(errors[i]);
		assert_non_null(text);
		assert_true(text[0] != '\0');
		assert_string_not_equal(text, "unknown layout error");
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(text, guest_layout_strerror(errors[j]));
	}
	assert_string_equal(guest_layout_strerror(LAYOUT_OK), "ok");
	static const int unknown[] = {1, -4, 42, INT_MIN, INT_MAX};
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
		assert_string_equal(guest_layout_strerror(unknown[i]), "unknown layout error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_flat_binary_footprint_is_its_size),
	    cmocka_unit_test(test_linux_image_footprint),
	    cmocka_unit_test(test_header_needs_the_exact_magic),
	    cmocka_unit_test(test_kernel_shorter_than_a_header),
	    cmocka_unit_test(test_flat_kernel_without_initrd),
	    cmocka_unit_test(test_linux_kernel_with_initrd),
	    cmocka_unit_test(test_initrd_of_whole_pages_touches_the_dtb),
	    cmocka_unit_test(test_other_ram_bases),
	    cmocka_unit_test(test_kernel_reaching_the_dtb_exactly),
	    cmocka_unit_test(test_initrd_filling_the_gap_exactly),
	    cmocka_unit_test(test_empty_kernel),
	    cmocka_unit_test(test_ram_too_small),
	    cmocka_unit_test(test_misaligned_ram),
	    cmocka_unit_test(test_ram_wrapping_around),
	    cmocka_unit_test(test_huge_sizes_do_not_overflow),
	    cmocka_unit_test(test_random_layouts_keep_the_rules),
	    cmocka_unit_test(test_strerror_names_every_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
