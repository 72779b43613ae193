/* The boot archive (cpio newc), page-aligned so the root task can map it. */
	.section .archive, "a"
	.balign 4096
	.globl __archive_start
__archive_start:
	.incbin ARCHIVE_PATH
	.globl __archive_end
__archive_end:
	.balign 4096
