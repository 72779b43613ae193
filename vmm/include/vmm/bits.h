/* Bit arrays of 32-bit words, as the emulated interrupt controllers keep their sources. */
#ifndef VMM_BITS_H
#define VMM_BITS_H

#include <stdbool.h>
#include <stdint.h>

static inline bool bit(const uint32_t *words, unsigned n)
{
	return (words[n / 32] >> (n % 32)) & 1;
}

static inline void set_bit(uint32_t *words, unsigned n, bool on)
{
	if (on)
		words[n / 32] |= 1u << (n % 32);
	else
		words[n / 32] &= ~(1u << (n % 32));
}

#endif
