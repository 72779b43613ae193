/*
 * The Ferrovisor system-call and invocation ABI shared by the kernel and
 * user programs (libcap). docs/abi.md describes every item.
 */
#ifndef FERROVISOR_ABI_H
#define FERROVISOR_ABI_H

/* Errors returned by every system call and invocation. */
typedef enum {
	FV_OK = 0,
	FV_INVALID_ARGUMENT = 1,     /* an argument is not one of its allowed values */
	FV_INVALID_CAPABILITY = 2,   /* wrong object type for the operation */
	FV_ILLEGAL_OPERATION = 3,    /* not allowed on this capability or object */
	FV_RANGE_ERROR = 4,          /* a number outside its allowed range */
	FV_ALIGNMENT_ERROR = 5,      /* a misaligned address or size */
	FV_FAILED_LOOKUP = 6,        /* a capability address that does not resolve */
	FV_TRUNCATED_MESSAGE = 7,    /* fewer arguments or capabilities than needed */
	FV_DELETE_FIRST = 8,         /* the destination slot is not empty */
	FV_REVOKE_FIRST = 9,         /* the capability still has derived capabilities */
	FV_NOT_ENOUGH_MEMORY = 10,   /* the untyped region has too little space left */
	FV_INSUFFICIENT_RIGHTS = 11, /* the capability lacks a right the operation needs */
	FV_CANCELLED = 12,           /* an object the operation waited on was deleted */
	FV_ERROR_COUNT
} fv_error_t;

/* Capability rights. */
#define FV_RIGHT_READ        0x1u
#define FV_RIGHT_WRITE       0x2u
#define FV_RIGHT_GRANT       0x4u
#define FV_RIGHT_GRANT_REPLY 0x8u
#define FV_RIGHTS_ALL        0xfu

/* Object types that Untyped memory can be retyped into. */
typedef enum {
	FV_OBJ_UNTYPED = 1,
	FV_OBJ_CNODE = 2,
	FV_OBJ_TCB = 3,
	FV_OBJ_ENDPOINT = 4,
	FV_OBJ_NOTIFICATION = 5,
	FV_OBJ_FRAME_4K = 6,
	FV_OBJ_FRAME_2M = 7,
	FV_OBJ_PAGE_TABLE = 8,
	FV_OBJ_VSPACE = 9,
	FV_OBJ_GUEST_SPACE = 10, /* a guest's stage-2 (guest-physical) address space */
	FV_OBJ_VCPU = 11,        /* a virtual hart's privileged state */
	FV_OBJ_TYPE_COUNT
} fv_object_type_t;

/* log2 of object sizes in bytes; CNodes and Untyped take their size as an argument. */
#define FV_SLOT_BITS          6 /* one CNode slot */
#define FV_TCB_BITS           11
#define FV_ENDPOINT_BITS      5
#define FV_NOTIFICATION_BITS  5
#define FV_FRAME_4K_BITS      12
#define FV_FRAME_2M_BITS      21
#define FV_PAGE_TABLE_BITS    12
#define FV_VSPACE_BITS        12
#define FV_GUEST_SPACE_BITS   14 /* the Sv39x4 root table: 16 KiB */
#define FV_GUEST_PHYS_BITS    41 /* guest-physical addresses below 2^41 */
#define FV_VCPU_BITS          10
#define FV_UNTYPED_MIN_BITS   4
#define FV_UNTYPED_MAX_BITS   47
#define FV_CNODE_MIN_RADIX    1
#define FV_CNODE_MAX_RADIX    20
#define FV_RETYPE_MAX_OBJECTS 256

/* A CNode capability's guard, as the badge of CNode mint: size in bits 0-5, value above. */
#define FV_CNODE_GUARD(size, value) (((unsigned long)(value) << 6) | (0x3f & (size)))

/* What FV_CNODE_DESCRIBE says of a capability: its kind, object, size and rights. */
enum fv_cap_kind {
	FV_CAP_NULL = 0,
	FV_CAP_UNTYPED,
	FV_CAP_CNODE,
	FV_CAP_TCB,
	FV_CAP_ENDPOINT,
	FV_CAP_NOTIFICATION,
	FV_CAP_FRAME,
	FV_CAP_PAGE_TABLE,
	FV_CAP_VSPACE,
	FV_CAP_IRQ_CONTROL,
	FV_CAP_IRQ_HANDLER,
	FV_CAP_REPLY,
	FV_CAP_GUEST_SPACE,
	FV_CAP_VCPU,
};

struct fv_cap_info {
	unsigned long kind;      /* enum fv_cap_kind */
	unsigned long object;    /* the object's physical address (an IRQ handler: its number) */
	unsigned long size_bits; /* Untyped and frame size, CNode radix; 0 otherwise */
	unsigned long rights;    /* FV_RIGHT_* */
};

/* Invocation labels, grouped by the object they apply to. */
typedef enum {
	FV_UNTYPED_RETYPE = 1,
	FV_CNODE_COPY = 16,
	FV_CNODE_MINT,
	FV_CNODE_MOVE,
	FV_CNODE_DELETE,
	FV_CNODE_REVOKE,
	FV_CNODE_DESCRIBE, /* args: index, depth: what the slot holds (struct fv_cap_info) */
	FV_TCB_CONFIGURE = 32,
	FV_TCB_WRITE_REGISTERS,
	FV_TCB_READ_REGISTERS,
	FV_TCB_SET_PRIORITY,
	FV_TCB_SET_AFFINITY,
	FV_TCB_RESUME,
	FV_TCB_SUSPEND,
	FV_TCB_SET_FAULT_HANDLER, /* cap: an endpoint (or none, to remove it) */
	FV_TCB_BIND_NOTIFICATION, /* cap: a notification */
	FV_TCB_UNBIND_NOTIFICATION,
	FV_TCB_BIND_VCPU, /* caps: a VCPU and a GuestSpace (none: unbind); the thread runs the guest
	                   */
	FV_FRAME_MAP = 48,
	FV_FRAME_UNMAP,
	FV_FRAME_GET_ADDRESS,
	FV_PAGE_TABLE_MAP = 56,
	FV_PAGE_TABLE_UNMAP,
	FV_IRQ_CONTROL_GET = 64,         /* args: irq, dest_index, dest_depth; cap: dest CNode */
	FV_IRQ_HANDLER_SET_NOTIFICATION, /* cap: a notification with write */
	FV_IRQ_HANDLER_ACK,
	FV_IRQ_HANDLER_CLEAR,
	/* args: hart, guest file (1..), dest_index, dest_depth; cap: dest CNode (a device frame) */
	FV_IRQ_CONTROL_GET_GUEST_FILE,
	FV_VCPU_READ_REGS = 72, /* args: first, count: up to 16 enum fv_vcpu_reg values */
	FV_VCPU_WRITE_REGS,     /* args: first, count, values (its thread must not be running) */
	FV_VCPU_SET_INTERRUPTS, /* args: hvip bits to set, bits to clear (FV_VCPU_IRQ_*) */
	FV_VCPU_SET_IRQ_FILE,   /* cap: a guest interrupt file's frame (none: detach) */
	FV_INVOCATION_LABEL_COUNT
} fv_invocation_label_t;

/*
 * System calls: a7 holds the number. Numbers are negative so that a Linux
 * system call (a7 >= 0, as a C library issues them) is never mistaken for
 * one: those reach the thread's fault handler instead.
 */
typedef enum {
	FV_SYS_CALL = -1,       /* send and wait for the reply; invocations use this */
	FV_SYS_REPLY_RECV = -2, /* reply to the last caller, then receive */
	FV_SYS_SEND = -3,
	FV_SYS_RECV = -4,
	FV_SYS_YIELD = -5,
	FV_SYS_SIGNAL = -6,
	FV_SYS_WAIT = -7,
	FV_SYS_POLL = -8,
	FV_SYS_REPLY = -9,       /* reply to the last call received, without receiving */
	FV_SYS_DEBUG_PUTS = -16, /* a0 = address, a1 = length: the kernel console */
	FV_SYS_DEBUG_HALT = -17, /* stop the machine (tests) */
} fv_syscall_t;

/*
 * Message info word (a1 of call, send and reply): label in bits 12-63, the
 * number of extra capabilities in bits 7-8, message length in words in
 * bits 0-6. For invocation replies the label is the fv_error_t.
 */
#define FV_MSG_MAX_WORDS 120
#define FV_MSG_REG_WORDS 4 /* message words carried in a2-a5; the rest in the IPC buffer */
#define FV_MSG_MAX_CAPS  3
#define FV_MSGINFO(label, caps, len) \
	(((unsigned long)(label) << 12) | ((3 & (unsigned long)(caps)) << 7) | (0x7f & (len)))
#define FV_MSGINFO_LABEL(info)  ((unsigned long)(info) >> 12)
#define FV_MSGINFO_CAPS(info)   (((unsigned long)(info) >> 7) & 3)
#define FV_MSGINFO_LENGTH(info) (0x7f & (unsigned long)(info))

/* The IPC buffer: one page per thread, named by TCB configure. */
struct fv_ipc_buffer {
	unsigned long tag;
	unsigned long msg[FV_MSG_MAX_WORDS];
	unsigned long caps[FV_MSG_MAX_CAPS]; /* capability addresses sent with a message */
	unsigned long user_data;
	/* Where a received capability goes: a CNode (by address) and a slot in it. */
	unsigned long receive_cnode;
	unsigned long receive_index;
	unsigned long receive_depth;
};

/*
 * Every IPC system call returns its status in a7 (FV_OK, or why it failed:
 * FV_INVALID_CAPABILITY, FV_INSUFFICIENT_RIGHTS, FV_CANCELLED...).
 * A receive returns the sender's badge in a0 and the message info in a1.
 */
#define FV_LABEL_NOTIFICATION 0xfffffu /* label of a notification delivered to a receive */

/* Fault messages: the label says what happened, the words describe it. */
typedef enum {
	FV_FAULT_VM = 0xfff00,    /* words: pc, address, cause */
	FV_FAULT_ILLEGAL,         /* words: pc, instruction bits, cause */
	FV_FAULT_UNKNOWN_SYSCALL, /* words: pc, sp, a0, a1, a2, a3, a4, a5, a7 */
	FV_FAULT_OTHER,           /* words: pc, address, cause */
	FV_FAULT_VCPU,            /* a VM exit: enum fv_exit_word */
} fv_fault_label_t;
/*
 * Replying to a fault with label 0 resumes the thread; the reply's words, if
 * any, first replace its registers in fv_register order (pc, sp, a0...).
 * Any other label leaves it stopped.
 */

/* TCB write/read registers: the order of the register words. */
enum fv_register {
	FV_REG_PC = 0,
	FV_REG_SP,
	FV_REG_A0,
	FV_REG_A1,
	FV_REG_A2,
	FV_REG_A3,
	FV_REG_TP,
	FV_REG_GP,
	FV_REG_COUNT
};

/* Frame map rights beyond the capability's: what the mapping allows. */
#define FV_MAP_READ  0x1u
#define FV_MAP_WRITE 0x2u
#define FV_MAP_EXEC  0x4u

/* Virtual interrupts a VMM raises and lowers (hvip bits): software, timer, external. */
#define FV_VCPU_IRQ_SOFT     (1ul << 2)
#define FV_VCPU_IRQ_TIMER    (1ul << 6)
#define FV_VCPU_IRQ_EXTERNAL (1ul << 10)
#define FV_VCPU_IRQ_ALL      (FV_VCPU_IRQ_SOFT | FV_VCPU_IRQ_TIMER | FV_VCPU_IRQ_EXTERNAL)

/* A VCPU's privileged state (FV_VCPU_READ_REGS / WRITE_REGS); GPRs and FP are its thread's. */
enum fv_vcpu_reg {
	FV_VCPU_VSSTATUS,
	FV_VCPU_VSIE,
	FV_VCPU_VSTVEC,
	FV_VCPU_VSSCRATCH,
	FV_VCPU_VSEPC,
	FV_VCPU_VSCAUSE,
	FV_VCPU_VSTVAL,
	FV_VCPU_VSATP,
	FV_VCPU_VSTIMECMP,
	FV_VCPU_HVIP,
	FV_VCPU_HTIMEDELTA,
	FV_VCPU_HENVCFG,
	FV_VCPU_HCOUNTEREN,
	FV_VCPU_SCOUNTEREN, /* the guest's: no VS copy exists, the kernel swaps it */
	FV_VCPU_SENVCFG,
	FV_VCPU_MODE, /* where the guest resumes: 1 supervisor (VS), 0 user (VU); 0 or 1 only */
	FV_VCPU_VSISELECT, /* AIA: the guest's siselect (kept only on harts with Ssaia) */
	FV_VCPU_REG_COUNT
};

/*
 * A VM exit: a fault message with label FV_FAULT_VCPU on the thread's
 * fault endpoint. Words: the cause (scause), the guest pc, stval, the
 * guest-physical address of a guest-page fault (htval << 2 | stval & 3),
 * htinst, then x0..x31. The reply (label 0) resumes the guest: word 0 the
 * bytes to advance the pc by (0, 2 or 4), word 1 a mask of the x registers
 * to write (bit n: xn, n >= 1), then their values in ascending order.
 */
enum fv_exit_word {
	FV_EXIT_CAUSE,
	FV_EXIT_PC,
	FV_EXIT_TVAL,
	FV_EXIT_GPA,
	FV_EXIT_HTINST,
	FV_EXIT_X0, /* xn is word FV_EXIT_X0 + n */
	FV_EXIT_WORDS = FV_EXIT_X0 + 32
};

/*
 * Reply word 0 of a VM exit: the bytes to advance the pc by (0, 2, 4), or
 * FV_EXIT_RAISE | cause: the guest takes that synchronous exception (0-8, 12,
 * 13 or 15) at the exit's pc, with the exit's stval, as a hart delivers it
 * to VS-mode.
 */
#define FV_EXIT_RAISE 0x100ul

#endif
