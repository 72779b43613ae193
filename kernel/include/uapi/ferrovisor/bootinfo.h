/*
 * What the root task receives at start: a0 holds the address of this
 * structure in its address space. The capabilities it describes sit in
 * the root task's CNode (radix FV_ROOT_CNODE_RADIX, guard making CPtrs
 * plain slot numbers).
 */
#ifndef FERROVISOR_BOOTINFO_H
#define FERROVISOR_BOOTINFO_H

#define FV_BOOTINFO_MAGIC       0x4656424f4f54ul /* "FVBOOT" */
#define FV_BOOTINFO_VERSION     3
#define FV_BOOTINFO_MAX_UNTYPED 200
#define FV_ROOT_CNODE_RADIX     12

/* Fixed slots of the root CNode. */
enum fv_root_slot {
	FV_ROOT_SLOT_CNODE = 1,  /* the root CNode itself */
	FV_ROOT_SLOT_VSPACE = 2, /* the root task's address space */
	FV_ROOT_SLOT_TCB = 3,    /* the root task's thread */
	FV_ROOT_SLOT_IPC_BUFFER = 4,
	FV_ROOT_SLOT_BOOTINFO = 5, /* the frame holding this structure */
	FV_ROOT_SLOT_IRQ_CONTROL = 6,
	FV_ROOT_SLOT_FIRST_DYNAMIC = 8
};

/* Fixed addresses in the root task's address space. */
#define FV_ROOT_STACK_TOP  0x3fe00000ul
#define FV_ROOT_STACK_SIZE 0x40000ul
#define FV_ROOT_IPC_BUFFER 0x3ff00000ul
#define FV_ROOT_BOOTINFO   0x3ff01000ul
#define FV_ROOT_ARCHIVE    0x10000000ul

/*
 * The ISA extensions the kernel reports (bit FV_ISA_<ID> of isa_extensions),
 * in the canonical order of a riscv,isa string: single letters, then Z
 * extensions by category, then S extensions. Base I is implied.
 */
/* clang-format off */
#define FV_ISA_EXTENSIONS(X) \
	X(M, "m") X(A, "a") X(F, "f") X(D, "d") X(C, "c") X(V, "v") X(H, "h") \
	X(ZIC64B, "zic64b") X(ZICBOM, "zicbom") X(ZICBOP, "zicbop") X(ZICBOZ, "zicboz") \
	X(ZICCAMOA, "ziccamoa") X(ZICCIF, "ziccif") X(ZICCLSM, "zicclsm") X(ZICCRSE, "ziccrse") \
	X(ZICNTR, "zicntr") X(ZICOND, "zicond") X(ZICSR, "zicsr") X(ZIFENCEI, "zifencei") \
	X(ZIHINTNTL, "zihintntl") X(ZIHINTPAUSE, "zihintpause") X(ZIHPM, "zihpm") X(ZIMOP, "zimop") \
	X(ZMMUL, "zmmul") X(ZA64RS, "za64rs") X(ZAAMO, "zaamo") X(ZABHA, "zabha") \
	X(ZACAS, "zacas") X(ZALRSC, "zalrsc") X(ZAWRS, "zawrs") X(ZFA, "zfa") X(ZFH, "zfh") \
	X(ZFHMIN, "zfhmin") X(ZCA, "zca") X(ZCB, "zcb") X(ZCD, "zcd") X(ZCMOP, "zcmop") \
	X(ZBA, "zba") X(ZBB, "zbb") X(ZBC, "zbc") X(ZBKB, "zbkb") X(ZBKC, "zbkc") \
	X(ZBKX, "zbkx") X(ZBS, "zbs") X(ZKND, "zknd") X(ZKNE, "zkne") X(ZKNH, "zknh") \
	X(ZKT, "zkt") X(ZTSO, "ztso") X(SSAIA, "ssaia") X(SSTC, "sstc") X(SVADU, "svadu") \
	X(SVINVAL, "svinval") X(SVNAPOT, "svnapot") X(SVPBMT, "svpbmt") X(SVVPTC, "svvptc")
/* clang-format on */

enum fv_isa_extension {
#define FV_ISA_ENUM(id, name) FV_ISA_##id,
	FV_ISA_EXTENSIONS(FV_ISA_ENUM) FV_ISA_COUNT /* at most 64 */
#undef FV_ISA_ENUM
};

#define FV_ISA_BIT(id) (1ul << FV_ISA_##id)

struct fv_slot_range {
	unsigned long first; /* first slot */
	unsigned long count;
};

struct fv_untyped_desc {
	unsigned long pa;
	unsigned char size_bits;
	unsigned char is_device;
	unsigned char reserved[6];
};

struct fv_bootinfo {
	unsigned long magic;
	unsigned long version;
	unsigned long hart_count;  /* harts online */
	unsigned long timebase_hz; /* rdtime ticks per second */
	unsigned long cnode_radix;
	struct fv_slot_range empty;          /* free slots of the root CNode */
	struct fv_slot_range untyped;        /* one Untyped capability per untyped[] entry */
	struct fv_slot_range image_frames;   /* the root task's own image and stack */
	struct fv_slot_range archive_frames; /* read-only 2 MiB frames over the archive, in order */
	struct fv_slot_range page_tables;    /* the root task's page tables */
	unsigned long archive_va;            /* the boot archive (cpio newc), read-only */
	unsigned long archive_size;
	unsigned long console_pa;  /* the console UART's registers (device memory), or 0 */
	unsigned long console_irq; /* its interrupt number, or 0 */
	unsigned long irq_count;   /* interrupt numbers 1..irq_count exist */
	/* AIA guest interrupt files of each hart: 1..guest_irq_files (0: none). */
	unsigned long guest_irq_files;
	/*
	 * What the device tree says the first hart implements (FV_ISA_BIT), with
	 * its cache-block sizes in bytes (0: none); harts are taken to be alike.
	 */
	unsigned long isa_extensions;
	unsigned long cbom_block_size, cboz_block_size, cbop_block_size;
	char cmdline[256]; /* the kernel's boot arguments (/chosen/bootargs) */
	struct fv_untyped_desc untyped_list[FV_BOOTINFO_MAX_UNTYPED];
};

#endif
