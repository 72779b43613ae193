/* Creating the root task at boot. */
#ifndef FV_ROOT_TASK_H
#define FV_ROOT_TASK_H

#include <fv/platform.h>

/* The program in the boot archive that becomes the root task. */
#define ROOT_TASK_NAME "rootserver"

/* Builds the root task from `usable` RAM and makes it runnable on the boot hart. */
void root_task_create(const struct platform_info *platform, struct region_list *usable);

#endif
