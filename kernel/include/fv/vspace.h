/*
 * User address spaces: VSpace (root table + ASID), PageTable and Frame
 * capabilities, and what the rest of the kernel needs of them.
 */
#ifndef FV_VSPACE_H
#define FV_VSPACE_H

#include <stdbool.h>
#include <stdint.h>

#include <fv/cap.h>

#define PAGE_SIZE 4096ull

/* Lowest address above user space: user mappings lie in [PAGE_SIZE, USER_TOP). */
extern const uint64_t USER_TOP;

/* Translates a user address of the VSpace `vspace`; `write` asks for a writable page. */
bool vspace_user_translate(const struct cap *vspace, uint64_t va, bool write, uint64_t *pa);

/* Object life cycle hooks (object.c). */
bool vspace_asids_available(unsigned count);
void vspace_init(struct cap *cap);     /* new VSpace: kernel half, ASID */
void vspace_finalize(struct cap *cap); /* last capability gone: ASID free, TLBs clean */
void frame_unmap_cap(struct cap *cap); /* a frame capability being deleted */
void page_table_unmap_cap(struct cap *cap);

/* Boot-time mapping for the root task: a PageTable or Frame cap into a VSpace. */
fv_error_t vspace_map_page_table(struct cap *vspace, struct cap *pt, uint64_t va);
fv_error_t vspace_map_frame(struct cap *vspace, struct cap *frame, uint64_t va, unsigned rights);
/* The level (2 = root) at which va lacks a table, or -1 if the walk reaches leaves. */
int vspace_missing_level(const struct cap *vspace, uint64_t va);

/* Switches this hart to the VSpace (its ASID tags the TLB). */
void vspace_activate(const struct cap *vspace);

/*
 * Guest spaces (stage-2, Sv39x4): a 16 KiB root table with an id of its own
 * (the VMID while it fits VMIDLEN). Frames and PageTables map into one by
 * the same invocations as into a VSpace; their mapping record is marked
 * GUEST_MAPPING so that unmapping finds the right tables.
 */
#define GUEST_MAPPING (1ull << 63)
bool guest_space_ids_available(unsigned count);
void guest_space_init(struct cap *cap);
void guest_space_finalize(struct cap *cap);
fv_error_t guest_space_map_frame(struct cap *gs, struct cap *frame, uint64_t gpa, unsigned rights);
fv_error_t guest_space_map_page_table(struct cap *gs, struct cap *pt, uint64_t gpa);
void guest_frame_unmap(struct cap *frame);
bool guest_space_live(const struct cap *gs);
/* hgatp for entering a guest of `gs` (flushing first if its VMID is shared). */
uint64_t guest_space_hgatp(const struct cap *gs);
void guest_page_table_unmap(struct cap *pt);

#endif
