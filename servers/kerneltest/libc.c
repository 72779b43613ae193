/*
 * The C library in a Ferrovisor program: musl's stdio, malloc and system
 * call wrappers, served by the program's Linux personality (fv/posix.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kerneltest.h"

#define BIG        (1u << 20) /* beyond what malloc takes from brk: mmap */
#define CYCLES     64
#define CYCLE_SIZE (256u << 10) /* CYCLES * CYCLE_SIZE is 4x this program's memory */

static void test_stdio(void)
{
	int n = printf("kerneltest: printf says %d, %s, %.3f\n", 42, "hello", 2.5);
	check(n == (int)strlen("kerneltest: printf says 42, hello, 2.500\n"),
	      "LIB0001 printf formats and writes through the console server");
	char buf[32];
	snprintf(buf, sizeof(buf), "%08.2f|%-4s|%x", 3.14159, "ab", 255);
	check(strcmp(buf, "00003.14|ab  |ff") == 0, "LIB0002 snprintf with floating point");
	fflush(stdout);
}

static bool filled_with(const unsigned char *p, size_t len, unsigned char v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void test_malloc(void)
{
	char *small = malloc(100);
	unsigned char *big = malloc(BIG);
	check(small && big, "LIB0003 malloc of 100 bytes and of 1 MiB");
	if (!small || !big)
		return;
	memset(big, 0xa5, BIG);
	strcpy(small, "still here");
	check(filled_with(big, BIG, 0xa5) && strcmp(small, "still here") == 0,
	      "LIB0004 the memory holds what was written");
	free(big);
	unsigned char *zero = calloc(1000, 100);
	check(zero && filled_with(zero, 100000, 0), "LIB0005 calloc gives zeroed memory");
	free(zero);
	small = realloc(small, 200000);
	check(small && strcmp(small, "still here") == 0, "LIB0006 realloc keeps the contents");
	free(small);
	bool all = true;
	for (unsigned i = 0; i < CYCLES && all; i++) {
		unsigned char *p = malloc(CYCLE_SIZE);
		if (p) {
			memset(p, (int)i, CYCLE_SIZE);
			all = p[0] == (unsigned char)i && p[CYCLE_SIZE - 1] == (unsigned char)i;
		}
		all = all && p;
		free(p);
	}
	check(all, "LIB0007 freed memory is reused: 16 MiB of cycles in 4 MiB");
}

static void test_errors(void)
{
	errno = 0;
	check(write(7, "x", 1) == -1 && errno == EBADF, "LIB0008 write to a closed file: EBADF");
	errno = 0;
	check(write(1, (const void *)0x7000, 4) == -1 && errno == EFAULT,
	      "LIB0009 write from an unmapped buffer: EFAULT, and the program goes on");
	void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, 3, 0);
	check(p == MAP_FAILED && errno == EBADF, "LIB0010 mmap of a file: EBADF (there are none)");
}

static void test_mmap(void)
{
	unsigned char *p = mmap(NULL, 3 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(p != MAP_FAILED, "LIB0011 mmap reserves addresses without access");
	if (p == MAP_FAILED)
		return;
	check(mprotect(p + 4096, 4096, PROT_READ | PROT_WRITE) == 0,
	      "LIB0012 mprotect makes one page writable");
	p[4096] = 7;
	check(p[4096] == 7 && munmap(p, 3 * 4096) == 0, "LIB0013 write it, then unmap all");
	check(mprotect(p, 4096, PROT_READ) == -1 && errno == ENOMEM,
	      "LIB0016 mprotect of unmapped addresses: ENOMEM");
	check(munmap((void *)0x1001, 4096) == -1 && errno == EINVAL,
	      "LIB0014 munmap of a misaligned address: EINVAL");
}

static void test_time(void)
{
	struct timespec a, b;
	int ra = clock_gettime(CLOCK_MONOTONIC, &a);
	for (volatile int i = 0; i < 100000; i++)
		;
	int rb = clock_gettime(CLOCK_MONOTONIC, &b);
	bool later = b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec > a.tv_nsec);
	check(ra == 0 && rb == 0 && later && b.tv_nsec < 1000000000,
	      "LIB0015 the monotonic clock advances");
}

void test_libc(void)
{
	test_stdio();
	test_malloc();
	test_errors();
	test_mmap();
	test_time();
}
