/* What the parts of the root task share. */
#ifndef ROOT_H
#define ROOT_H

#include <stdbool.h>

#include <fv/libcap.h>
#include <fv/loader.h>

/* Makes one object from the root task's memory pool into a fresh slot; 0 on failure. */
fv_cptr_t root_make(fv_object_type_t type, unsigned size_bits);
/* Starts fn(arg) in a new thread of the root task's address space; returns its TCB. */
fv_cptr_t root_spawn(void (*fn)(uint64_t), uint64_t arg, unsigned hart, unsigned priority,
                     fv_cptr_t cspace);
/* A free slot of the root CNode. */
fv_cptr_t root_slot(void);
/* The number after `key=` in the boot arguments, or `fallback`. */
uint64_t cmdline_number(const char *key, uint64_t fallback);
/* True if the kernel's boot arguments contain `word`. */
bool cmdline_has(const char *word);
unsigned long root_hart_count(void);
unsigned long root_timebase_hz(void);

const struct fv_bootinfo *root_bootinfo(void);
/* A loader that makes objects from the root task's pool. */
struct fv_loader root_loader(void);
/* Loads `program`; it gets the console and the root task as supervisor. */
fv_error_t root_load(const char *program, uint64_t arg, struct fv_process *p);
/* Starts a loaded process's thread on `hart` (any hart if there is no such hart). */
fv_error_t root_start(const struct fv_process *p, unsigned hart);
/* An Untyped of 2^bits from whichever RAM Untyped has room, into `slot` of `cnode`. */
fv_error_t root_retype_anywhere(unsigned bits, fv_cptr_t cnode, uint64_t slot);

/*
 * Makes the client with console badge `badge` an input client of the console
 * server named `name`; the notification the console signals for it goes in
 * `slot` of `cnode`. Without a console server, nothing to do.
 */
fv_error_t root_console_attach(uint64_t badge, const char *name, fv_cptr_t cnode, uint64_t slot);

/* Guests (guests.c): the test guests named on the boot arguments (NAME[:VCPUS],...). */
void start_test_guests(char *list);
/* The guests of the archive's system description; false if it has none. */
bool start_configured_guests(void);
/*
 * Checks that no guest's VMM holds a capability to an object another guest
 * owns (its VMM's memory, CNode, VSpace, TCB, interrupt files) and prints
 * what it found.
 */
void audit_guests(void);
/* How many guests' VMMs started. */
unsigned guests_started(void);
/* True if the boot archive holds a system description. */
bool root_has_system(void);

/* Loads `program` from the boot archive and starts it on `hart` with an endpoint to serve. */
fv_cptr_t root_start_server(const char *program, unsigned hart);
void run_benchmarks(void);
int run_fuzzer(void);

#endif
