/*
 * The boot archive (cpio newc), in whole 2 MiB blocks: the root task gets it
 * as 2 MiB frames, few enough capabilities even for guest kernels of tens of
 * MiB, and can share any block of it read-only with another program.
 */
	.section .archive, "a"
	.balign 0x200000
	.globl __archive_start
__archive_start:
	.incbin ARCHIVE_PATH
	.globl __archive_end
__archive_end:
	.balign 0x200000
