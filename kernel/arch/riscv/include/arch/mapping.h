/*
 * What mapping into a VSpace (Sv39) and into a GuestSpace (Sv39x4) share:
 * walking the radix tables (they differ only in how many bits the root
 * level indexes) and the checks and leaf entry of a frame mapping.
 */
#ifndef ARCH_MAPPING_H
#define ARCH_MAPPING_H

#include <stdint.h>

#include <fv/cap.h>

#define SV39_ROOT_INDEX_BITS   9
#define SV39X4_ROOT_INDEX_BITS 11

/* The entry for `addr` at `level`, walking down from the root; NULL if a table is missing. */
uint64_t *mapping_entry_at(uint64_t root_pa, unsigned root_bits, uint64_t addr, int level);
/* The highest level whose table is missing on the way to `addr`; -1 if none (or a leaf). */
int mapping_missing_level(uint64_t root_pa, unsigned root_bits, uint64_t addr);
/* 1 for a 2 MiB frame, 0 for a 4 KiB one. */
int mapping_frame_level(const struct cap *frame);
/*
 * The checks of mapping `frame` at `addr` with FV_MAP_* `rights` that do not
 * depend on the address space: not mapped already, aligned, below `limit`,
 * rights that make sense and that the capability grants.
 */
fv_error_t mapping_check_frame(const struct cap *frame, uint64_t addr, uint64_t limit,
                               unsigned rights);
/* The leaf entry of such a mapping (user-accessible: stage-2 leaves must be, too). */
uint64_t mapping_frame_pte(const struct cap *frame, unsigned rights);

#endif
