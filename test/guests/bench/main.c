/*
 * bench: the same binary runs natively (QEMU -bios default -kernel) and as a
 * Ferrovisor guest, so the figures compare like with like. It prints
 * `bench: NAME VALUE UNIT` lines, `bench: done`, and switches itself off.
 *   guest_cpu_loop: a fixed CPU-bound loop, in rdtime ticks (or instructions)
 *   guest_sbi_call: the median SBI call round trip (BASE get_spec_version):
 *                   answered by OpenSBI natively, by the VMM server in a guest
 */
#include <stdint.h>

#include "../sbi.h"

#define ROUNDS     2001
#define LOOP_ITERS 2000000

static uint64_t samples[ROUNDS];

static uint64_t read_time(void)
{
	uint64_t v;
	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}

static uint64_t read_instret(void)
{
	uint64_t v;
	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

static void put_string(const char *s)
{
	unsigned long len = 0;
	while (s[len])
		len++;
	sbi_call(SBI_EXT_DBCN, 0, (long)len, (long)(uintptr_t)s, 0);
}

static void put_number(uint64_t n)
{
	char buf[24];
	int i = sizeof(buf);
	buf[--i] = '\0';
	do {
		buf[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	put_string(&buf[i]);
}

static void figure(const char *name, uint64_t value, const char *unit)
{
	put_string("bench: ");
	put_string(name);
	put_string(" ");
	put_number(value);
	put_string(" ");
	put_string(unit);
	put_string("\n");
}

/* Insertion sort is enough for a few thousand samples, once. */
static uint64_t median(uint64_t *a, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t v = a[i];
		unsigned j = i;
		for (; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
	return a[n / 2];
}

static uint64_t cpu_loop(uint64_t (*counter)(void))
{
	volatile uint64_t sink;
	uint64_t x = 88172645463325252ull, start = counter();
	for (unsigned i = 0; i < LOOP_ITERS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	sink = x;
	(void)sink;
	return counter() - start;
}

static uint64_t sbi_call_cost(uint64_t (*counter)(void))
{
	for (unsigned i = 0; i < ROUNDS; i++) {
		uint64_t start = counter();
		sbi_call(SBI_EXT_BASE, 0, 0, 0, 0);
		samples[i] = counter() - start;
	}
	return median(samples, ROUNDS);
}

void guest_main(unsigned long hartid, unsigned long dtb);

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	/* Which counter: the bench script passes nothing, so both are printed. */
	figure("guest_cpu_loop", cpu_loop(read_time), "ticks");
	figure("guest_sbi_call", sbi_call_cost(read_time), "ticks");
	figure("guest_cpu_loop", cpu_loop(read_instret), "instructions");
	figure("guest_sbi_call", sbi_call_cost(read_instret), "instructions");
	put_string("bench: done\n");
	sbi_call(SBI_EXT_SRST, 0, 0, 0, 0);
}
