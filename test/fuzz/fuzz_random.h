/* The fuzz drivers' random numbers: splitmix64, the same sequence for a seed everywhere. */
#ifndef FUZZ_RANDOM_H
#define FUZZ_RANDOM_H

#include <stddef.h>
#include <stdint.h>

static uint64_t rng_state;

static inline uint64_t next_random(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A number below n (0 when n is 0). */
static inline size_t below(size_t n)
{
	return n ? (size_t)(next_random() % n) : 0;
}

#endif
