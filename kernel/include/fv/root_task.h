/* Creating the root task at boot. */
#ifndef FV_ROOT_TASK_H
#define FV_ROOT_TASK_H

#include <fv/platform.h>

/* The program in the boot archive that becomes the root task. */
#define ROOT_TASK_NAME "rootserver"

/*
 * The boot archive is shared in 2 MiB frames. It is the boot module a loader
 * put in RAM (/chosen linux,initrd-*), which must then start 2 MiB-aligned,
 * or else the one the kernel image carries.
 */
#define ROOT_ARCHIVE_BLOCK (2ull << 20)

/* Builds the root task from `usable` RAM and makes it runnable on the boot hart. */
void root_task_create(const struct platform_info *platform, struct region_list *usable);

#endif
