/*
 * wild: a guest that reaches for memory it does not own (guest-physical
 * 0x90000000, past its RAM; on the host that is somebody else's RAM). The
 * access must end at its own VMM, which stops it, while other guests run on.
 */
#include <stdint.h>

#include "../sbi.h"

static void put_string(const char *s)
{
	unsigned long len = 0;
	while (s[len])
		len++;
	sbi_call(SBI_EXT_DBCN, 0, (long)len, (long)(uintptr_t)s, 0);
}

void guest_main(unsigned long hartid, unsigned long dtb);

void guest_main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	put_string("wild: writing to memory this guest does not own\n");
	*(volatile uint64_t *)0x90000000ul = 0xbadbadbadull;
	put_string("wild: FAIL: the write went through\n");
	sbi_call(SBI_EXT_SRST, 0, 0, 0, 0);
}
