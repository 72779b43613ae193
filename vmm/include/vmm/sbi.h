/* The SBI a guest sees (SBI specification v2.0), served by its VMM. */
#ifndef VMM_SBI_H
#define VMM_SBI_H

#include <stdbool.h>
#include <stdint.h>

#define SBI_SPEC_VERSION 0x02000000 /* v2.0 */
#define SBI_IMPL_ID      0x4656     /* "FV": not in the specification's list */
#define SBI_IMPL_VERSION 1

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_BASE           0x10
#define SBI_EXT_DBCN           0x4442434e
#define SBI_EXT_SRST           0x53525354
#define SBI_EXT_TIME           0x54494d45
#define SBI_EXT_HSM            0x48534d
#define SBI_EXT_IPI            0x735049
#define SBI_EXT_RFENCE         0x52464e43

#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1

#define SBI_SUCCESS               0
#define SBI_ERR_FAILED            -1
#define SBI_ERR_NOT_SUPPORTED     -2
#define SBI_ERR_INVALID_PARAM     -3
#define SBI_ERR_INVALID_ADDRESS   -5
#define SBI_ERR_ALREADY_AVAILABLE -6

/* What the guest asked: a7 the extension, a6 the function, a0-a5 the arguments. */
struct sbi_request {
	uint64_t ext, fid;
	uint64_t arg[6];
};

enum sbi_action {
	SBI_RESUME,    /* a0/a1 (error, value) go back to the guest */
	SBI_LEGACY,    /* a legacy call: its one result (in `error`) goes to a0 only */
	SBI_SHUTDOWN,  /* the guest asked to be switched off */
	SBI_REBOOT,    /* the guest asked to be restarted (cold or warm reboot) */
	SBI_STOP_HART, /* the calling hart stops (HSM hart_stop): no reply */
};

struct sbi_result {
	long error;
	long value;
	enum sbi_action action;
};

/* The guest's memory, as its VMM sees it. */
struct guest_memory {
	uint64_t base, size; /* guest-physical */
	uint8_t *host;       /* where the VMM has it mapped */
};

/* What the SBI needs of the machine behind it: its harts and its console. */
struct sbi_machine {
	unsigned harts;
	/* Starts a stopped hart: 0, or SBI_ERR_ALREADY_AVAILABLE. */
	long (*hart_start)(unsigned hart, uint64_t start_addr, uint64_t opaque);
	long (*hart_status)(unsigned hart); /* SBI_HSM_* */
	void (*send_ipi)(unsigned hart);
	void (*remote_fence)(unsigned hart);
	/* The calling hart's next timer event (TIME set_timer); its pending timer clears. */
	void (*set_timer)(uint64_t stime_value);
	/* Bytes of console output (labelled and line-buffered by the machine). */
	void (*console)(const char *bytes, uint64_t len);
};

struct sbi_result sbi_handle(const struct sbi_request *req, const struct guest_memory *mem,
                             const struct sbi_machine *machine);

#endif
