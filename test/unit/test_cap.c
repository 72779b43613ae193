/*
 * Unit tests of the capability core: Untyped retype, CSpace lookup, the CNode
 * invocations and the derivation tree with its deletion of dead CNodes.
 *
 * Kernel objects live in a host arena that stands for physical memory from
 * ARENA_PA on. The boot CSpace is a root CNode at ARENA_PA whose capability
 * sits in a standalone slot (`boot`), guarded so that a 64-bit CPtr names one
 * of its slots directly, and an Untyped capability in root slot UT_SLOT.
 * Everything else is made and changed through invoke_capability().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fv/cap.h>
#include <fv/cspace.h>
#include <fv/invocation.h>
#include <fv/object.h>
#include <fv/util.h>

#define KIB 0x400ull
#define MIB 0x100000ull

#define ARENA_PA    0x80000000ull
#define ARENA_SIZE  (64 * MIB)
#define ARENA_ALIGN (2 * MIB)
#define PATTERN     0xa5

#define ROOT_PA    ARENA_PA
#define ROOT_RADIX 8
#define ROOT_SLOTS (1u << ROOT_RADIX)

#define UT_PA    (ARENA_PA + 16 * MIB)
#define UT_BITS  24
#define UT_SLOT  1
#define DEV_PA   (ARENA_PA + 32 * MIB)
#define DEV_BITS 24
#define DEV_SLOT 2

/*
 * What a failed operation must leave alone: the root CNode and the start of
 * both untyped regions, where every test puts its objects (anything made by
 * mistake would also show in a CNode's slots).
 */
static const struct {
	uint64_t pa, size;
} snapshot_regions[] = {
    {ROOT_PA, (uint64_t)ROOT_SLOTS << FV_SLOT_BITS},
    {UT_PA, 4 * MIB},
    {DEV_PA, 4 * MIB},
};
#define SNAPSHOT_SIZE (8 * MIB + ((uint64_t)ROOT_SLOTS << FV_SLOT_BITS))

#define FULL CPTR_BITS /* the depth that names a root slot */

static uint8_t *arena;
static uint8_t *saved_arena;
static struct cte boot;       /* the boot slot: the root CNode's capability */
static struct cte saved_boot; /* its contents when save_state() ran */
static struct cte *roots[3];  /* capabilities with no parent: boot, untyped, device untyped */
static unsigned nroots;

void *kobj_ptr(uint64_t pa)
{
	if (pa < ARENA_PA || pa >= ARENA_PA + ARENA_SIZE)
		fail_msg("kobj_ptr(%#llx) is outside the arena", (unsigned long long)pa);
	return arena + (pa - ARENA_PA);
}

static bool in_arena(const void *ptr)
{
	const uint8_t *p = ptr;
	return p >= arena && p < arena + ARENA_SIZE;
}

uint64_t kobj_pa(const void *ptr)
{
	if (!in_arena(ptr))
		fail_msg("kobj_pa(%p) is outside the arena", ptr);
	return ARENA_PA + (uint64_t)((const uint8_t *)ptr - arena);
}

/* ---- What the rest of the kernel provides, recorded ---- */

#define HOOK_LOG 4096

struct hook_log {
	struct cap caps[HOOK_LOG]; /* the first HOOK_LOG calls */
	unsigned n;
};

static struct hook_log inits, cleanups, finalizes;
static fv_object_type_t refused_type; /* object_can_create() refuses it; 0: none */
static const char *decoder_called;

static void log_cap(struct hook_log *l, const struct cap *c)
{
	if (l->n < HOOK_LOG)
		l->caps[l->n] = *c;
	l->n++;
}

static void reset_hooks(void)
{
	inits.n = cleanups.n = finalizes.n = 0;
	refused_type = 0;
	decoder_called = NULL;
}

bool object_can_create(fv_object_type_t type, unsigned count)
{
	(void)count;
	return type != refused_type;
}

void object_init_hook(struct cap *cap)
{
	log_cap(&inits, cap);
}

void cap_cleanup(struct cap *cap)
{
	log_cap(&cleanups, cap);
}

void object_finalize_hook(struct cap *cap)
{
	log_cap(&finalizes, cap);
}

fv_error_t decode_tcb_invocation(struct invocation *inv)
{
	(void)inv;
	decoder_called = "tcb";
	return FV_ILLEGAL_OPERATION;
}

fv_error_t decode_frame_invocation(struct invocation *inv)
{
	(void)inv;
	decoder_called = "frame";
	return FV_ILLEGAL_OPERATION;
}

fv_error_t decode_page_table_invocation(struct invocation *inv)
{
	(void)inv;
	decoder_called = "page table";
	return FV_ILLEGAL_OPERATION;
}

fv_error_t decode_irq_control_invocation(struct invocation *inv)
{
	(void)inv;
	decoder_called = "irq control";
	return FV_ILLEGAL_OPERATION;
}

fv_error_t decode_irq_handler_invocation(struct invocation *inv)
{
	(void)inv;
	decoder_called = "irq handler";
	return FV_ILLEGAL_OPERATION;
}

fv_error_t decode_vcpu_invocation(struct invocation *inv)
{
	(void)inv;
	decoder_called = "vcpu";
	return FV_ILLEGAL_OPERATION;
}

/* ---- The boot CSpace ---- */

static struct cte *slot(unsigned index)
{
	return cnode_slots(&boot.cap) + index;
}

static struct cte *ut(void)
{
	return slot(UT_SLOT);
}

/* Slot `index` of the CNode whose capability is in `holder`. */
static struct cte *cnode_slot(const struct cte *holder, unsigned index)
{
	return cnode_slots(&holder->cap) + index;
}

static struct cap untyped_cap(uint64_t pa, unsigned bits, uint8_t flags)
{
	return (struct cap){.type = CAP_UNTYPED,
	                    .rights = FV_RIGHTS_ALL,
	                    .size_bits = (uint8_t)bits,
	                    .flags = flags,
	                    .pa = pa};
}

static void boot_cspace(void)
{
	memset(arena, PATTERN, ARENA_SIZE);
	memset(&boot, 0, sizeof(boot));
	boot.cap = object_create(FV_OBJ_CNODE, ROOT_PA, ROOT_RADIX, false);
	boot.cap.extra = CPTR_BITS - ROOT_RADIX;
	boot.cap.word = 0;
	struct cap u = untyped_cap(UT_PA, UT_BITS, 0);
	cte_insert(NULL, ut(), &u);
	roots[0] = &boot;
	roots[1] = ut();
	nroots = 2;
	reset_hooks();
}

static struct cte *add_device_untyped(void)
{
	struct cap d = untyped_cap(DEV_PA, DEV_BITS, CAP_FLAG_DEVICE);
	cte_insert(NULL, slot(DEV_SLOT), &d);
	roots[nroots++] = slot(DEV_SLOT);
	return slot(DEV_SLOT);
}

/* A copy of the root CNode capability in root slot `index`, as the boot code could give out. */
static void give_root_copy(unsigned index)
{
	struct cap c;
	assert_int_equal(cap_derive(&boot.cap, FV_RIGHTS_ALL, &c), FV_OK);
	cte_insert(&boot, slot(index), &c);
}

static int setup(void **state)
{
	(void)state;
	boot_cspace();
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	arena = aligned_alloc(ARENA_ALIGN, ARENA_SIZE);
	saved_arena = malloc(SNAPSHOT_SIZE);
	return arena && saved_arena ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	free(arena);
	free(saved_arena);
	return 0;
}

/* ---- Invocations, filled the way the system-call layer fills them ---- */

static fv_error_t call(struct cte *target, uint64_t label, struct cte *cap0, unsigned nargs,
                       const uint64_t *args)
{
	struct invocation inv = {.label = label, .nargs = nargs, .target = target};
	memcpy(inv.args, args, nargs * sizeof(args[0]));
	if (cap0) {
		inv.caps[0] = cap0;
		inv.ncaps = 1;
	}
	return invoke_capability(&inv);
}

#define NARGS(...) ((unsigned)(sizeof((uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t)))
#define CALL(target, label, cap0, ...) \
	call((target), (label), (cap0), NARGS(__VA_ARGS__), (const uint64_t[]){__VA_ARGS__})

/* Retypes into root slots [offset, offset + count). */
static fv_error_t retype_at(struct cte *untyped, uint64_t type, uint64_t size_bits, uint64_t offset,
                            uint64_t count)
{
	return CALL(untyped, FV_UNTYPED_RETYPE, &boot, type, size_bits, 0, 0, offset, count);
}

static fv_error_t retype(uint64_t type, uint64_t size_bits, uint64_t offset, uint64_t count)
{
	return retype_at(ut(), type, size_bits, offset, count);
}

static fv_error_t root_copy(unsigned dest, unsigned src, unsigned rights)
{
	return CALL(&boot, FV_CNODE_COPY, &boot, dest, FULL, src, FULL, rights);
}

static fv_error_t root_mint(unsigned dest, unsigned src, unsigned rights, uint64_t word)
{
	return CALL(&boot, FV_CNODE_MINT, &boot, dest, FULL, src, FULL, rights, word);
}

static fv_error_t root_move(unsigned dest, unsigned src)
{
	return CALL(&boot, FV_CNODE_MOVE, &boot, dest, FULL, src, FULL);
}

static fv_error_t root_delete(unsigned index)
{
	return CALL(&boot, FV_CNODE_DELETE, NULL, index, FULL);
}

static fv_error_t root_revoke(unsigned index)
{
	return CALL(&boot, FV_CNODE_REVOKE, NULL, index, FULL);
}

/* ---- State checks ---- */

static bool bytes_are(const void *p, size_t n, uint8_t value)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != value)
			return false;
	return true;
}

static bool region_is(uint64_t pa, uint64_t size, uint8_t value)
{
	return bytes_are(kobj_ptr(pa), size, value);
}

static bool slot_is_empty(const struct cte *s)
{
	return bytes_are(s, sizeof(*s), 0);
}

static unsigned count_children(const struct cte *s)
{
	unsigned n = 0;
	for (const struct cte *c = s->first_child; c; c = c->next_sibling)
		n++;
	return n;
}

static bool is_child_of(const struct cte *child, const struct cte *parent)
{
	for (const struct cte *c = parent->first_child; c; c = c->next_sibling)
		if (c == child)
			return child->parent == parent;
	return false;
}

static uint64_t watermark(const struct cte *untyped)
{
	return untyped->cap.word;
}

static void save_state(void)
{
	uint8_t *p = saved_arena;
	for (size_t i = 0; i < ARRAY_SIZE(snapshot_regions); i++) {
		memcpy(p, kobj_ptr(snapshot_regions[i].pa), snapshot_regions[i].size);
		p += snapshot_regions[i].size;
	}
	saved_boot = boot;
}

static void assert_state_unchanged(const char *what, size_t row)
{
	if (memcmp(&saved_boot, &boot, sizeof(boot)) != 0)
		fail_msg("%s row %zu: the boot slot changed", what, row);
	const uint8_t *p = saved_arena;
	for (size_t i = 0; i < ARRAY_SIZE(snapshot_regions); i++) {
		uint64_t pa = snapshot_regions[i].pa, size = snapshot_regions[i].size;
		for (uint64_t off = 0; off < size; off += KIB)
			if (memcmp(p + off, kobj_ptr(pa + off), KIB) != 0)
				fail_msg("%s row %zu: memory at pa %#llx changed", what, row,
				         (unsigned long long)(pa + off));
		p += size;
	}
}

/* ---- Derivation-tree invariants over every slot of every live CNode ---- */

struct slot_list {
	struct cte **v;
	size_t n, cap;
};

struct live {
	struct slot_list tree;  /* slots reached from the roots through child links */
	struct slot_list slots; /* the boot slot and slots 1.. of every live CNode */
	struct cap *cnodes;     /* one capability per live CNode, by address */
	size_t ncnodes;
};

#define TREE_LIMIT (1u << 22) /* more child links than this means a cycle */

static char tree_msg[256];

static void list_add(struct slot_list *l, struct cte *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			fail_msg("out of host memory");
	}
	l->v[l->n++] = s;
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(struct cte *const *)a, y = (uintptr_t)*(struct cte *const *)b;
	return (x > y) - (x < y);
}

static bool list_has(const struct slot_list *l, const struct cte *s)
{
	return bsearch(&s, l->v, l->n, sizeof(*l->v), ptr_cmp) != NULL;
}

/* Sorts `l`; false if a slot is in it twice. */
static bool list_sort_unique(struct slot_list *l)
{
	qsort(l->v, l->n, sizeof(*l->v), ptr_cmp);
	for (size_t i = 1; i < l->n; i++)
		if (l->v[i] == l->v[i - 1])
			return false;
	return true;
}

static void live_free(struct live *lv)
{
	free(lv->tree.v);
	free(lv->slots.v);
	free(lv->cnodes);
	memset(lv, 0, sizeof(*lv));
}

static const char *slot_error(const char *what, const struct cte *s)
{
	if (s == &boot)
		snprintf(tree_msg, sizeof(tree_msg), "%s: the boot slot", what);
	else if (in_arena(s))
		snprintf(tree_msg, sizeof(tree_msg), "%s: slot at pa %#llx (type %u)", what,
		         (unsigned long long)kobj_pa(s), s->cap.type);
	else
		snprintf(tree_msg, sizeof(tree_msg), "%s: slot %p", what, (const void *)s);
	return tree_msg;
}

static const char *walk_tree(struct live *lv)
{
	struct slot_list stack = {0};
	size_t links = 0;
	for (unsigned i = 0; i < nroots; i++)
		list_add(&stack, roots[i]);
	while (stack.n > 0) {
		struct cte *s = stack.v[--stack.n];
		list_add(&lv->tree, s);
		for (struct cte *c = s->first_child; c; c = c->next_sibling) {
			if (++links > TREE_LIMIT) {
				free(stack.v);
				return slot_error("the derivation tree has a cycle", s);
			}
			list_add(&stack, c);
		}
	}
	free(stack.v);
	return list_sort_unique(&lv->tree) ? NULL : "a slot is reached twice from the roots";
}

static int cap_pa_cmp(const void *a, const void *b)
{
	const struct cap *x = a, *y = b;
	return (x->pa > y->pa) - (x->pa < y->pa);
}

/* The root CNode and every CNode a capability in the tree names, once each. */
static const char *find_cnodes(struct live *lv)
{
	lv->cnodes = malloc((lv->tree.n + 1) * sizeof(*lv->cnodes));
	if (!lv->cnodes)
		fail_msg("out of host memory");
	lv->cnodes[lv->ncnodes++] = boot.cap;
	for (size_t i = 0; i < lv->tree.n; i++)
		if (lv->tree.v[i]->cap.type == CAP_CNODE)
			lv->cnodes[lv->ncnodes++] = lv->tree.v[i]->cap;
	qsort(lv->cnodes, lv->ncnodes, sizeof(*lv->cnodes), cap_pa_cmp);
	size_t n = 1;
	for (size_t i = 1; i < lv->ncnodes; i++) {
		if (lv->cnodes[i].pa != lv->cnodes[n - 1].pa)
			lv->cnodes[n++] = lv->cnodes[i];
		else if (lv->cnodes[i].size_bits != lv->cnodes[n - 1].size_bits)
			return "two CNodes of different sizes at one address";
	}
	lv->ncnodes = n;
	return NULL;
}

/* A live CNode's header: not pending, and its slot count. */
static const char *check_headers(const struct live *lv)
{
	for (size_t i = 0; i < lv->ncnodes; i++) {
		const struct cnode_header *h = kobj_ptr(lv->cnodes[i].pa);
		struct cnode_header want = {.slots = 1ull << lv->cnodes[i].size_bits};
		if (memcmp(h, &want, sizeof(want)) != 0) {
			snprintf(tree_msg, sizeof(tree_msg),
			         "live CNode at pa %#llx has header "
			         "{next %#llx, cursor %llu, slots %llu}",
			         (unsigned long long)lv->cnodes[i].pa,
			         (unsigned long long)h->pending_next, (unsigned long long)h->cursor,
			         (unsigned long long)h->slots);
			return tree_msg;
		}
	}
	return NULL;
}

static const char *collect(struct live *lv)
{
	const char *err = walk_tree(lv);
	if (!err)
		err = find_cnodes(lv);
	if (err)
		return err;
	list_add(&lv->slots, &boot);
	for (size_t i = 0; i < lv->ncnodes; i++) {
		struct cte *s = cnode_slots(&lv->cnodes[i]);
		for (uint64_t j = 1; j < 1ull << lv->cnodes[i].size_bits; j++)
			list_add(&lv->slots, s + j);
	}
	if (!list_sort_unique(&lv->slots))
		return "two live CNodes overlap";
	for (size_t i = 0; i < lv->tree.n; i++)
		if (!list_has(&lv->slots, lv->tree.v[i]))
			return slot_error("a tree slot is not in a live CNode", lv->tree.v[i]);
	return NULL;
}

static bool is_root(const struct cte *s)
{
	for (unsigned i = 0; i < nroots; i++)
		if (roots[i] == s)
			return true;
	return false;
}

static const char *check_links(const struct live *lv, const struct cte *s)
{
	const struct cte *links[] = {s->parent, s->first_child, s->next_sibling, s->prev_sibling};
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (links[i] && (!list_has(&lv->slots, links[i]) || cap_is_null(&links[i]->cap)))
			return slot_error("a tree link points at an empty or dead slot", s);
	if (s->first_child && (s->first_child->parent != s || s->first_child->prev_sibling))
		return slot_error("the first child does not point back", s);
	if (s->next_sibling &&
	    (s->next_sibling->prev_sibling != s || s->next_sibling->parent != s->parent))
		return slot_error("the next sibling does not point back", s);
	if (s->prev_sibling && s->prev_sibling->next_sibling != s)
		return slot_error("the previous sibling does not point back", s);
	if (!s->prev_sibling && s->parent && s->parent->first_child != s)
		return slot_error("a first sibling is not its parent's first child", s);
	if (!s->parent && (!is_root(s) || s->next_sibling))
		return slot_error("a capability other than the boot ones has no parent", s);
	return NULL;
}

static const char *check_slot(const struct live *lv, const struct cte *s)
{
	if (cap_is_null(&s->cap)) {
		if (s->parent || s->first_child || s->next_sibling || s->prev_sibling)
			return slot_error("an empty slot has tree links", s);
		return NULL;
	}
	if (!list_has(&lv->tree, s))
		return slot_error("a capability is not in the tree under the boot ones", s);
	const char *err = check_links(lv, s);
	if (err)
		return err;
	const struct cte *p = s;
	for (size_t steps = 0; p->parent; p = p->parent)
		if (++steps > lv->slots.n)
			return slot_error("the parent chain has a cycle", s);
	return is_root(p) ? NULL : slot_error("the parent chain ends at a non-root", s);
}

static const struct cte *object_root(const struct cte *s)
{
	while (s->parent && cap_same_object(&s->parent->cap, &s->cap))
		s = s->parent;
	return s;
}

static int object_cmp(const void *a, const void *b)
{
	const struct cap *x = &(*(struct cte *const *)a)->cap, *y = &(*(struct cte *const *)b)->cap;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->pa != y->pa)
		return x->pa < y->pa ? -1 : 1;
	return (x->size_bits > y->size_bits) - (x->size_bits < y->size_bits);
}

/* All capabilities to one object hang from one capability to it. */
static const char *check_objects(const struct live *lv)
{
	struct slot_list caps = {0};
	const char *err = NULL;
	for (size_t i = 0; i < lv->slots.n; i++)
		if (!cap_is_null(&lv->slots.v[i]->cap))
			list_add(&caps, lv->slots.v[i]);
	if (caps.n > 1)
		qsort(caps.v, caps.n, sizeof(*caps.v), object_cmp);
	for (size_t i = 1; i < caps.n && !err; i++)
		if (cap_same_object(&caps.v[i]->cap, &caps.v[i - 1]->cap) &&
		    object_root(caps.v[i]) != object_root(caps.v[i - 1]))
			err = slot_error("an object's capabilities form two subtrees", caps.v[i]);
	free(caps.v);
	return err;
}

/* Checks every invariant; leaves what it found in `lv` (freed by the caller). */
static const char *check_tree(struct live *lv)
{
	const char *err = collect(lv);
	if (!err)
		err = check_headers(lv);
	for (size_t i = 0; i < lv->slots.n && !err; i++)
		err = check_slot(lv, lv->slots.v[i]);
	if (!err)
		err = check_objects(lv);
	return err;
}

static void assert_tree_ok(void)
{
	struct live lv = {0};
	const char *err = check_tree(&lv);
	live_free(&lv);
	if (err)
		fail_msg("%s", err);
}

/* How many capabilities the live CNodes and the boot slot hold. */
static size_t live_caps(void)
{
	struct live lv = {0};
	const char *err = check_tree(&lv);
	size_t n = 0;
	for (size_t i = 0; i < lv.slots.n; i++)
		n += !cap_is_null(&lv.slots.v[i]->cap);
	live_free(&lv);
	if (err)
		fail_msg("%s", err);
	return n;
}

/* ---- Retype ---- */

struct retype_row {
	fv_object_type_t type;
	unsigned size_bits, count, dest;
	enum cap_type cap_type;
	unsigned cap_size, obj_bits;
	uint64_t first_offset;
	bool zeroed;
};

static void check_object_memory(const struct retype_row *r, const struct cap *c)
{
	uint64_t size = 1ull << r->obj_bits;
	if (!r->zeroed) {
		assert_true(region_is(c->pa, size, PATTERN));
	} else if (r->type == FV_OBJ_CNODE) {
		const struct cnode_header *h = kobj_ptr(c->pa);
		struct cnode_header want = {.slots = 1ull << r->size_bits};
		assert_memory_equal(h, &want, sizeof(want));
		assert_true(region_is(c->pa + sizeof(want), size - sizeof(want), 0));
	} else {
		assert_true(region_is(c->pa, size, 0));
	}
}

static void check_retyped(const struct retype_row *r)
{
	for (unsigned i = 0; i < r->count; i++) {
		const struct cte *s = slot(r->dest + i);
		assert_int_equal(s->cap.type, r->cap_type);
		assert_int_equal(s->cap.size_bits, r->cap_size);
		assert_int_equal(s->cap.rights, FV_RIGHTS_ALL);
		assert_int_equal(s->cap.flags, 0);
		assert_int_equal(s->cap.extra, 0);
		assert_int_equal(s->cap.word, 0);
		assert_int_equal(s->cap.pa, UT_PA + r->first_offset + ((uint64_t)i << r->obj_bits));
		assert_true(IS_ALIGNED(s->cap.pa, 1ull << r->obj_bits));
		assert_true(is_child_of(s, ut()));
		check_object_memory(r, &s->cap);
	}
	uint64_t end = r->first_offset + ((uint64_t)r->count << r->obj_bits);
	assert_int_equal(watermark(ut()), end);
	/* Nothing past the last object was touched. */
	assert_int_equal(*(uint8_t *)kobj_ptr(UT_PA + end), PATTERN);
}

/*
 * One Untyped region carved in turn into every supported type: objects
 * follow each other in address order, each aligned to its own size.
 */
static void test_retype_makes_each_type_in_address_order(void **state)
{
	(void)state;
	static const struct retype_row rows[] = {
	    {FV_OBJ_UNTYPED, 12, 3, 10, CAP_UNTYPED, 12, 12, 0x0, false},
	    {FV_OBJ_CNODE, 4, 3, 20, CAP_CNODE, 4, 10, 0x3000, true},
	    {FV_OBJ_FRAME_4K, 0, 3, 30, CAP_FRAME, 12, 12, 0x4000, true},
	    {FV_OBJ_FRAME_2M, 9, 2, 40, CAP_FRAME, 21, 21, 0x200000, true},
	    {FV_OBJ_CNODE, 1, 2, 50, CAP_CNODE, 1, 7, 0x600000, true},
	    {FV_OBJ_UNTYPED, 4, 1, 60, CAP_UNTYPED, 4, 4, 0x600100, false},
	    {FV_OBJ_FRAME_4K, 64, 1, 61, CAP_FRAME, 12, 12, 0x601000, true},
	    {FV_OBJ_TCB, 0, 2, 70, CAP_TCB, 11, 11, 0x602000, true},
	    {FV_OBJ_PAGE_TABLE, 0, 1, 72, CAP_PAGE_TABLE, 12, 12, 0x603000, true},
	    {FV_OBJ_VSPACE, 30, 1, 73, CAP_VSPACE, 12, 12, 0x604000, true},
	};
	unsigned children = 0;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct retype_row *r = &rows[i];
		assert_int_equal(retype(r->type, r->size_bits, r->dest, r->count), FV_OK);
		check_retyped(r);
		/* Each new object went through its init hook once, in order. */
		for (unsigned j = 0; j < r->count; j++)
			assert_memory_equal(&inits.caps[children + j], &slot(r->dest + j)->cap,
			                    sizeof(struct cap));
		children += r->count;
		assert_int_equal(inits.n, children);
		assert_int_equal(count_children(ut()), children);
	}
	assert_int_equal(finalizes.n + cleanups.n, 0);
	/* An untyped made at the start of its parent is another object all the same. */
	assert_int_equal(slot(10)->cap.pa, ut()->cap.pa);
	assert_true(cte_is_final(slot(10)));
	assert_true(cte_is_final(ut()));
	assert_tree_ok();
}

/* A type the kernel has run out of (address-space identifiers) is FV_NOT_ENOUGH_MEMORY. */
static void test_retype_refused_by_object_limit_changes_nothing(void **state)
{
	(void)state;
	refused_type = FV_OBJ_VSPACE;
	save_state();
	assert_int_equal(retype(FV_OBJ_VSPACE, 0, 10, 1), FV_NOT_ENOUGH_MEMORY);
	assert_state_unchanged("object limit", 0);
	assert_int_equal(inits.n, 0);
	assert_int_equal(retype(FV_OBJ_PAGE_TABLE, 0, 10, 1), FV_OK);
	refused_type = 0;
	assert_int_equal(retype(FV_OBJ_VSPACE, 0, 11, 1), FV_OK);
	assert_int_equal(slot(11)->cap.type, CAP_VSPACE);
}

/* The largest retype fills a CNode big enough to take FV_RETYPE_MAX_OBJECTS objects. */
static void test_retype_makes_max_objects(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_CNODE, 9, 7, 1), FV_OK);
	assert_int_equal(CALL(ut(), FV_UNTYPED_RETYPE, &boot, FV_OBJ_FRAME_4K, 0, 7, FULL, 1,
	                      FV_RETYPE_MAX_OBJECTS),
	                 FV_OK);
	const struct cte *c = cnode_slots(&slot(7)->cap);
	uint64_t first = c[1].cap.pa;
	for (unsigned i = 1; i <= FV_RETYPE_MAX_OBJECTS; i++) {
		assert_int_equal(c[i].cap.type, CAP_FRAME);
		assert_int_equal(c[i].cap.pa, first + (i - 1) * 4 * KIB);
	}
	assert_true(slot_is_empty(&c[FV_RETYPE_MAX_OBJECTS + 1]));
	assert_int_equal(count_children(ut()), FV_RETYPE_MAX_OBJECTS + 1);
	assert_tree_ok();
}

/* Objects fill the region up to its last byte, and not one object more. */
static void test_retype_fills_the_untyped_exactly(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_FRAME_2M, 0, 10, 7), FV_OK);
	assert_int_equal(retype(FV_OBJ_CNODE, 14, 20, 1), FV_OK); /* 1 MiB */
	assert_int_equal(retype(FV_OBJ_FRAME_4K, 0, 21, 255 - 21 + 1), FV_OK);
	assert_int_equal(watermark(ut()), 15 * MIB + 235 * 4 * KIB);
	assert_int_equal(CALL(ut(), FV_UNTYPED_RETYPE, &boot, FV_OBJ_FRAME_4K, 0, 20, FULL, 1, 21),
	                 FV_OK);
	assert_int_equal(watermark(ut()), 16 * MIB);
	assert_int_equal(CALL(ut(), FV_UNTYPED_RETYPE, &boot, FV_OBJ_UNTYPED, 4, 20, FULL, 100, 1),
	                 FV_NOT_ENOUGH_MEMORY);
	assert_tree_ok();
}

/* Kernel objects never live in device memory. */
static void test_device_untyped_refuses_kernel_objects(void **state)
{
	(void)state;
	static const fv_object_type_t types[] = {FV_OBJ_CNODE, FV_OBJ_TCB, FV_OBJ_PAGE_TABLE,
	                                         FV_OBJ_VSPACE};
	struct cte *dev = add_device_untyped();
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		save_state();
		assert_int_equal(retype_at(dev, types[i], 4, 10, 1), FV_INVALID_ARGUMENT);
		assert_state_unchanged("device memory", i);
	}
	/* An untyped made from device memory is device memory too. */
	assert_int_equal(retype_at(dev, FV_OBJ_UNTYPED, 16, 10, 1), FV_OK);
	assert_int_equal(slot(10)->cap.flags, CAP_FLAG_DEVICE);
	save_state();
	assert_int_equal(retype_at(slot(10), FV_OBJ_CNODE, 1, 11, 1), FV_INVALID_ARGUMENT);
	assert_state_unchanged("device CNode", 1);
}

static void test_device_untyped_makes_frames_without_zeroing(void **state)
{
	(void)state;
	static const struct {
		fv_object_type_t type;
		unsigned size_bits, obj_bits;
		uint64_t offset;
	} rows[] = {
	    {FV_OBJ_FRAME_4K, 0, 12, 0},
	    {FV_OBJ_FRAME_2M, 0, 21, 2 * MIB},
	    {FV_OBJ_UNTYPED, 12, 12, 4 * MIB},
	};
	struct cte *dev = add_device_untyped();
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct cte *s = slot(10 + (unsigned)i);
		assert_int_equal(retype_at(dev, rows[i].type, rows[i].size_bits, 10 + i, 1), FV_OK);
		assert_int_equal(s->cap.pa, DEV_PA + rows[i].offset);
		assert_int_equal(s->cap.size_bits, rows[i].obj_bits);
		assert_int_equal(s->cap.flags, CAP_FLAG_DEVICE);
		assert_true(is_child_of(s, dev));
		assert_true(region_is(s->cap.pa, 1ull << rows[i].obj_bits, PATTERN));
	}
	assert_tree_ok();
}

struct bad_retype {
	unsigned nargs;
	bool no_cap;
	uint64_t args[6]; /* type, size_bits, node cptr, node depth, offset, count */
	fv_error_t want;
};

/*
 * Every way a retype can be refused, with some state in place: a 4 KiB
 * frame in root slot 5, a 4-slot CNode in root slot 6 and a 512-slot one
 * in root slot 7.
 */
static const struct bad_retype bad_retypes[] = {
    {5, false, {FV_OBJ_FRAME_4K, 0, 0, 0, 10, 1}, FV_TRUNCATED_MESSAGE},
    {0, false, {0}, FV_TRUNCATED_MESSAGE},
    {6, true, {FV_OBJ_FRAME_4K, 0, 0, 0, 10, 1}, FV_TRUNCATED_MESSAGE},
    {6, false, {0, 0, 0, 0, 10, 1}, FV_INVALID_ARGUMENT},
    {6, false, {FV_OBJ_TYPE_COUNT + 1, 0, 0, 0, 10, 1}, FV_INVALID_ARGUMENT},
    {6, false, {0x7fffffff, 0, 0, 0, 10, 1}, FV_INVALID_ARGUMENT},
    {6, false, {FV_OBJ_TYPE_COUNT, 0, 0, 0, 10, 1}, FV_INVALID_ARGUMENT},
    {6, false, {(1ull << 32) | FV_OBJ_FRAME_4K, 0, 0, 0, 10, 1}, FV_INVALID_ARGUMENT},
    {6, false, {UINT64_MAX, 0, 0, 0, 10, 1}, FV_INVALID_ARGUMENT},
    {6, false, {FV_OBJ_UNTYPED, FV_UNTYPED_MIN_BITS - 1, 0, 0, 10, 1}, FV_INVALID_ARGUMENT},
    {6, false, {FV_OBJ_UNTYPED, FV_UNTYPED_MAX_BITS + 1, 0, 0, 10, 1}, FV_INVALID_ARGUMENT},
    {6, false, {FV_OBJ_UNTYPED, 65, 0, 0, 10, 1}, FV_INVALID_ARGUMENT},
    {6, false, {FV_OBJ_UNTYPED, (1ull << 32) | 12, 0, 0, 10, 1}, FV_INVALID_ARGUMENT},
    {6, false, {FV_OBJ_CNODE, FV_CNODE_MIN_RADIX - 1, 0, 0, 10, 1}, FV_INVALID_ARGUMENT},
    {6, false, {FV_OBJ_CNODE, FV_CNODE_MAX_RADIX + 1, 0, 0, 10, 1}, FV_INVALID_ARGUMENT},
    {6, false, {FV_OBJ_CNODE, (1ull << 32) | 4, 0, 0, 10, 1}, FV_INVALID_ARGUMENT},
    {6, false, {FV_OBJ_FRAME_4K, 65, 0, 0, 10, 1}, FV_INVALID_ARGUMENT},
    {6, false, {FV_OBJ_FRAME_4K, 0, 0, 0, 10, 0}, FV_RANGE_ERROR},
    {6, false, {FV_OBJ_FRAME_4K, 0, 0, 0, 10, FV_RETYPE_MAX_OBJECTS + 1}, FV_RANGE_ERROR},
    {6, false, {FV_OBJ_FRAME_4K, 0, 0, 0, 10, (1ull << 32) | 1}, FV_RANGE_ERROR},
    {6, false, {FV_OBJ_FRAME_4K, 0, 7, FULL, 1, FV_RETYPE_MAX_OBJECTS + 1}, FV_RANGE_ERROR},
    {6, false, {FV_OBJ_FRAME_4K, 0, 0, 0, 0, 1}, FV_RANGE_ERROR},
    {6, false, {FV_OBJ_FRAME_4K, 0, 0, 0, ROOT_SLOTS, 1}, FV_RANGE_ERROR},
    {6, false, {FV_OBJ_FRAME_4K, 0, 0, 0, (1ull << 32) | 10, 1}, FV_RANGE_ERROR},
    {6, false, {FV_OBJ_FRAME_4K, 0, 0, 0, UINT64_MAX, 1}, FV_RANGE_ERROR},
    {6, false, {FV_OBJ_FRAME_4K, 0, 0, 0, ROOT_SLOTS - 1, 2}, FV_RANGE_ERROR},
    {6, false, {FV_OBJ_FRAME_4K, 0, 0, 0, 5, 1}, FV_DELETE_FIRST},
    {6, false, {FV_OBJ_FRAME_4K, 0, 0, 0, 3, 3}, FV_DELETE_FIRST},
    {6, false, {FV_OBJ_FRAME_4K, 0, 0, 0, 1, 1}, FV_DELETE_FIRST},
    {6, false, {FV_OBJ_FRAME_4K, 0, 5, FULL, 1, 1}, FV_FAILED_LOOKUP},
    {6, false, {FV_OBJ_FRAME_4K, 0, 9, FULL, 1, 1}, FV_FAILED_LOOKUP},
    {6, false, {FV_OBJ_FRAME_4K, 0, 0, FULL, 1, 1}, FV_FAILED_LOOKUP},
    {6, false, {FV_OBJ_FRAME_4K, 0, 6, 32, 1, 1}, FV_FAILED_LOOKUP},
    {6, false, {FV_OBJ_FRAME_4K, 0, 6, FULL + 1, 1, 1}, FV_FAILED_LOOKUP},
    {6, false, {FV_OBJ_FRAME_4K, 0, (1ull << 63) | 6, FULL, 1, 1}, FV_FAILED_LOOKUP},
    {6, false, {FV_OBJ_FRAME_4K, 0, 6, FULL, 0, 1}, FV_RANGE_ERROR},
    {6, false, {FV_OBJ_FRAME_4K, 0, 6, FULL, 4, 1}, FV_RANGE_ERROR},
    {6, false, {FV_OBJ_FRAME_4K, 0, 6, FULL, 2, 3}, FV_RANGE_ERROR},
    {6, false, {FV_OBJ_UNTYPED, UT_BITS + 1, 0, 0, 10, 1}, FV_NOT_ENOUGH_MEMORY},
    {6, false, {FV_OBJ_UNTYPED, UT_BITS, 0, 0, 10, 1}, FV_NOT_ENOUGH_MEMORY},
    {6, false, {FV_OBJ_CNODE, UT_BITS - FV_SLOT_BITS + 1, 0, 0, 10, 1}, FV_NOT_ENOUGH_MEMORY},
    {6, false, {FV_OBJ_FRAME_2M, 0, 0, 0, 10, 8}, FV_NOT_ENOUGH_MEMORY},
    {6, false, {FV_OBJ_UNTYPED, 23, 0, 0, 10, 2}, FV_NOT_ENOUGH_MEMORY},
};

static void test_retype_errors_change_nothing(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_FRAME_4K, 0, 5, 1), FV_OK);
	assert_int_equal(retype(FV_OBJ_CNODE, 2, 6, 1), FV_OK);
	assert_int_equal(retype(FV_OBJ_CNODE, 9, 7, 1), FV_OK);
	for (size_t i = 0; i < ARRAY_SIZE(bad_retypes); i++) {
		const struct bad_retype *r = &bad_retypes[i];
		save_state();
		fv_error_t err =
		    call(ut(), FV_UNTYPED_RETYPE, r->no_cap ? NULL : &boot, r->nargs, r->args);
		if (err != r->want)
			fail_msg("row %zu: got error %d, want %d", i, err, r->want);
		assert_state_unchanged("bad retype", i);
	}
	assert_int_equal(inits.n, 3);
	/* What is left still fits: the 2 MiB frames after alignment padding. */
	assert_int_equal(retype(FV_OBJ_FRAME_2M, 0, 10, 7), FV_OK);
	assert_int_equal(slot(10)->cap.pa, UT_PA + 2 * MIB);
	assert_tree_ok();
}

/*
 * A destination CNode named by (index, depth) from the CNode capability
 * given: one level down from the boot capability, and two levels down
 * through guarded copies.
 */
static void test_retype_into_cnode_named_by_address(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_CNODE, 4, 10, 1), FV_OK);
	assert_int_equal(CALL(ut(), FV_UNTYPED_RETYPE, &boot, FV_OBJ_CNODE, 2, 10, FULL, 3, 1),
	                 FV_OK);
	struct cte *c3 = cnode_slot(slot(10), 3);
	assert_int_equal(c3->cap.type, CAP_CNODE);
	assert_true(is_child_of(c3, ut()));
	give_root_copy(11);
	assert_int_equal(root_mint(12, 11, FV_RIGHTS_ALL, FV_CNODE_GUARD(24, 0)), FV_OK);
	assert_int_equal(root_mint(13, 10, FV_RIGHTS_ALL, FV_CNODE_GUARD(28, 5)), FV_OK);
	/* slot 12 resolves 32 bits (guard 24, radix 8), slot 13 the other 32 (guard 28, radix 4) */
	uint64_t node = (13ull << 32) | (5 << 4) | 3;
	save_state();
	assert_int_equal(
	    CALL(ut(), FV_UNTYPED_RETYPE, slot(12), FV_OBJ_FRAME_4K, 0, node, 60, 1, 1),
	    FV_FAILED_LOOKUP);
	assert_int_equal(
	    CALL(ut(), FV_UNTYPED_RETYPE, slot(12), FV_OBJ_FRAME_4K, 0, node + 16, 64, 1, 1),
	    FV_FAILED_LOOKUP);
	assert_state_unchanged("two-level retype", 0);
	assert_int_equal(
	    CALL(ut(), FV_UNTYPED_RETYPE, slot(12), FV_OBJ_FRAME_4K, 0, node, 64, 1, 3), FV_OK);
	for (unsigned i = 1; i < 4; i++) {
		assert_int_equal(cnode_slot(c3, i)->cap.type, CAP_FRAME);
		assert_true(is_child_of(cnode_slot(c3, i), ut()));
	}
	assert_tree_ok();
}

/* ---- CSpace lookup ---- */

struct lookup_row {
	uint64_t cptr;
	unsigned depth;
	fv_error_t want;
	struct cte *slot; /* the slot found, on success */
};

static void check_lookups(const struct cap *root, const struct lookup_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct cte *found = NULL;
		fv_error_t err = cspace_lookup_slot(root, rows[i].cptr, rows[i].depth, &found);
		if (err != rows[i].want)
			fail_msg("row %zu: got error %d, want %d", i, err, rows[i].want);
		if (!err && found != rows[i].slot)
			fail_msg("row %zu: found the wrong slot", i);
	}
}

static void test_lookup_resolves_root_slots_in_one_level(void **state)
{
	(void)state;
	const struct lookup_row rows[] = {
	    {1, FULL, FV_OK, slot(1)},
	    {42, FULL, FV_OK, slot(42)},
	    {ROOT_SLOTS - 1, FULL, FV_OK, slot(ROOT_SLOTS - 1)},
	    {0, FULL, FV_FAILED_LOOKUP, NULL},
	    {(1ull << 63) | 1, FULL, FV_FAILED_LOOKUP, NULL},
	    {(1ull << ROOT_RADIX) | 1, FULL, FV_FAILED_LOOKUP, NULL},
	    {1, FULL - 1, FV_FAILED_LOOKUP, NULL},
	    {1, ROOT_RADIX, FV_FAILED_LOOKUP, NULL},
	    {1, 0, FV_FAILED_LOOKUP, NULL},
	    {1, FULL + 1, FV_FAILED_LOOKUP, NULL},
	    {1, 1000, FV_FAILED_LOOKUP, NULL},
	};
	check_lookups(&boot.cap, rows, ARRAY_SIZE(rows));
}

/*
 * A root that resolves 48 bits (guard 40, radix 8) and a CNode in its slot 9
 * that resolves 16 (guard 12 = 0xabc, radix 4); the same CNode unguarded in
 * slot 7.
 */
static struct cap two_level_root(void)
{
	assert_int_equal(retype(FV_OBJ_CNODE, 4, 7, 1), FV_OK);
	assert_int_equal(root_mint(9, 7, FV_RIGHTS_ALL, FV_CNODE_GUARD(12, 0xabc)), FV_OK);
	struct cap root = boot.cap;
	root.extra = 40;
	return root;
}

#define VIA9(index) ((9ull << 16) | (0xabcull << 4) | (index))

static void test_lookup_resolves_two_levels(void **state)
{
	(void)state;
	struct cap root = two_level_root();
	struct cte *c = cnode_slots(&slot(7)->cap);
	const struct lookup_row rows[] = {
	    {VIA9(3), 64, FV_OK, c + 3},
	    {VIA9(15), 64, FV_OK, c + 15},
	    {9, 48, FV_OK, slot(9)},          /* a CNode slot named by itself */
	    {(7 << 4) | 3, 52, FV_OK, c + 3}, /* through the unguarded copy */
	    {VIA9(0), 64, FV_FAILED_LOOKUP, NULL},
	    {(9ull << 16) | (0xabdull << 4) | 3, 64, FV_FAILED_LOOKUP, NULL},
	    {VIA9(3) >> 4, 60, FV_FAILED_LOOKUP, NULL}, /* ends inside the second level */
	    {VIA9(3) >> 16, 47, FV_FAILED_LOOKUP, NULL},
	    {(7ull << 16) | (3 << 12), 64, FV_FAILED_LOOKUP,
	     NULL},                                         /* 12 bits left at an empty slot */
	    {(1ull << 16) | 1, 64, FV_FAILED_LOOKUP, NULL}, /* 16 bits left at the untyped */
	    {(1ull << 40) | 9, 48, FV_FAILED_LOOKUP, NULL}, /* root guard mismatch */
	};
	check_lookups(&root, rows, ARRAY_SIZE(rows));
}

/* cspace_lookup_cap uses all 64 bits but stops at the first slot that holds no CNode. */
static void test_lookup_cap_stops_at_first_non_cnode(void **state)
{
	(void)state;
	struct cap root = two_level_root();
	struct cte *c = cnode_slots(&slot(7)->cap);
	const struct lookup_row rows[] = {
	    {VIA9(5), 64, FV_OK, c + 5},
	    {(1ull << 16) | 0x1234, 64, FV_OK, slot(1)},
	    {(20ull << 16) | 0xffff, 64, FV_OK, slot(20)},
	    {(7ull << 16) | (3 << 12), 64, FV_OK, c + 3},
	    {(9ull << 16) | (0xabdull << 4) | 3, 64, FV_FAILED_LOOKUP, NULL},
	    {VIA9(0), 64, FV_FAILED_LOOKUP, NULL},
	    {0, 64, FV_FAILED_LOOKUP, NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct cte *found = NULL;
		fv_error_t err = cspace_lookup_cap(&root, rows[i].cptr, &found);
		if (err != rows[i].want)
			fail_msg("row %zu: got error %d, want %d", i, err, rows[i].want);
		if (!err && found != rows[i].slot)
			fail_msg("row %zu: found the wrong slot", i);
	}
	/* The boot capability consumes all 64 bits itself. */
	struct cte *found = NULL;
	assert_int_equal(cspace_lookup_cap(&boot.cap, 7, &found), FV_OK);
	assert_ptr_equal(found, slot(7));
}

/* Untyped, frame and null capabilities resolve nothing. */
static void test_lookup_rejects_roots_that_are_not_cnodes(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_FRAME_4K, 0, 10, 1), FV_OK);
	const struct cap roots_to_try[] = {ut()->cap, slot(10)->cap, slot(11)->cap};
	for (size_t i = 0; i < ARRAY_SIZE(roots_to_try); i++) {
		struct cte *found = NULL;
		assert_int_equal(cspace_lookup_slot(&roots_to_try[i], 1, 8, &found),
		                 FV_FAILED_LOOKUP);
		assert_int_equal(cspace_lookup_slot(&roots_to_try[i], 1, 64, &found),
		                 FV_FAILED_LOOKUP);
		assert_int_equal(cspace_lookup_cap(&roots_to_try[i], 1, &found), FV_FAILED_LOOKUP);
		assert_null(found);
	}
}

/* ---- Copy, mint, move ---- */

static void test_copy_makes_an_unmapped_child(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_FRAME_4K, 0, 10, 1), FV_OK);
	slot(10)->cap.word = 0x40001000; /* as if mapped */
	slot(10)->cap.word2 = 0x12345;
	assert_int_equal(root_copy(11, 10, FV_RIGHTS_ALL), FV_OK);
	struct cap want = slot(10)->cap;
	want.word = want.word2 = 0;
	assert_memory_equal(&slot(11)->cap, &want, sizeof(want));
	assert_true(is_child_of(slot(11), slot(10)));
	assert_int_equal(slot(10)->cap.word, 0x40001000);
	assert_tree_ok();
}

static void test_copy_of_a_cnode_keeps_its_guard(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_CNODE, 3, 10, 1), FV_OK);
	assert_int_equal(root_mint(11, 10, FV_RIGHTS_ALL, FV_CNODE_GUARD(5, 0x13)), FV_OK);
	assert_int_equal(root_copy(12, 11, FV_RIGHTS_ALL), FV_OK);
	assert_memory_equal(&slot(12)->cap, &slot(11)->cap, sizeof(struct cap));
	assert_int_equal(slot(12)->cap.extra, 5);
	assert_int_equal(slot(12)->cap.word, 0x13);
	assert_true(is_child_of(slot(12), slot(11)));
	assert_tree_ok();
}

/* Copies and mints can only drop rights, never gain them back. */
static void test_copy_and_mint_mask_rights(void **state)
{
	(void)state;
	static const struct {
		uint64_t label;
		unsigned dest, src, rights, want;
	} rows[] = {
	    {FV_CNODE_MINT, 11, 10, FV_RIGHT_READ | FV_RIGHT_WRITE, FV_RIGHT_READ | FV_RIGHT_WRITE},
	    {FV_CNODE_MINT, 12, 11, FV_RIGHT_READ | FV_RIGHT_GRANT, FV_RIGHT_READ},
	    {FV_CNODE_COPY, 13, 12, FV_RIGHTS_ALL, FV_RIGHT_READ},
	    {FV_CNODE_COPY, 14, 11, FV_RIGHT_WRITE | FV_RIGHT_GRANT_REPLY, FV_RIGHT_WRITE},
	    {FV_CNODE_COPY, 15, 10, 0, 0},
	    {FV_CNODE_MINT, 16, 10, 0xffffff00u | FV_RIGHT_GRANT, FV_RIGHT_GRANT},
	    {FV_CNODE_COPY, 17, 15, FV_RIGHTS_ALL, 0},
	};
	assert_int_equal(retype(FV_OBJ_FRAME_4K, 0, 10, 1), FV_OK);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		assert_int_equal(CALL(&boot, rows[i].label, &boot, rows[i].dest, FULL, rows[i].src,
		                      FULL, rows[i].rights, 0),
		                 FV_OK);
		assert_int_equal(slot(rows[i].dest)->cap.rights, rows[i].want);
		assert_true(is_child_of(slot(rows[i].dest), slot(rows[i].src)));
	}
	assert_tree_ok();
}

static void test_mint_sets_valid_cnode_guards_only(void **state)
{
	(void)state;
	static const struct {
		uint64_t word;
		fv_error_t want;
	} rows[] = {
	    {FV_CNODE_GUARD(0, 0), FV_OK},
	    {FV_CNODE_GUARD(4, 0xa), FV_OK},
	    {FV_CNODE_GUARD(57, (1ull << 57) - 1), FV_OK},
	    {FV_CNODE_GUARD(60, 0), FV_OK},
	    {FV_CNODE_GUARD(60, (1ull << 58) - 1), FV_OK},
	    {FV_CNODE_GUARD(0, 1), FV_INVALID_ARGUMENT},
	    {FV_CNODE_GUARD(3, 8), FV_INVALID_ARGUMENT},
	    {FV_CNODE_GUARD(57, 1ull << 57), FV_INVALID_ARGUMENT},
	    {FV_CNODE_GUARD(61, 0), FV_INVALID_ARGUMENT},
	    {FV_CNODE_GUARD(63, 0), FV_INVALID_ARGUMENT},
	};
	assert_int_equal(retype(FV_OBJ_CNODE, 4, 10, 1), FV_OK);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		save_state();
		fv_error_t err = root_mint(11, 10, FV_RIGHTS_ALL, rows[i].word);
		if (err != rows[i].want)
			fail_msg("row %zu: got error %d, want %d", i, err, rows[i].want);
		if (err) {
			assert_state_unchanged("bad guard", i);
			continue;
		}
		assert_int_equal(slot(11)->cap.extra, rows[i].word & 0x3f);
		assert_int_equal(slot(11)->cap.word, rows[i].word >> 6);
		assert_int_equal(slot(11)->cap.pa, slot(10)->cap.pa);
		assert_int_equal(root_delete(11), FV_OK);
	}
	assert_tree_ok();
}

/* A frame takes no badge; the only word a mint of one accepts is 0. */
static void test_mint_of_a_frame_takes_no_word(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_FRAME_4K, 0, 10, 1), FV_OK);
	save_state();
	assert_int_equal(root_mint(11, 10, FV_RIGHTS_ALL, 1), FV_INVALID_ARGUMENT);
	assert_state_unchanged("frame mint", 0);
	assert_int_equal(root_mint(11, 10, FV_RIGHT_READ, 0), FV_OK);
	assert_int_equal(slot(11)->cap.word, 0);
	assert_int_equal(slot(11)->cap.rights, FV_RIGHT_READ);
}

/* A frame in slot 10 with copies: 10 -> {12, 11}, 11 -> {14, 13}. */
static void make_copy_tree(void)
{
	assert_int_equal(retype(FV_OBJ_FRAME_4K, 0, 10, 1), FV_OK);
	assert_int_equal(root_copy(11, 10, FV_RIGHTS_ALL), FV_OK);
	assert_int_equal(root_copy(12, 10, FV_RIGHTS_ALL), FV_OK);
	assert_int_equal(root_copy(13, 11, FV_RIGHTS_ALL), FV_OK);
	assert_int_equal(root_copy(14, 11, FV_RIGHTS_ALL), FV_OK);
}

static void test_move_keeps_the_place_in_the_tree(void **state)
{
	(void)state;
	make_copy_tree();
	struct cap moved = slot(11)->cap;
	assert_ptr_equal(slot(10)->first_child, slot(12));
	assert_int_equal(root_move(20, 11), FV_OK);
	assert_true(slot_is_empty(slot(11)));
	assert_memory_equal(&slot(20)->cap, &moved, sizeof(moved));
	assert_ptr_equal(slot(12)->next_sibling, slot(20));
	assert_true(is_child_of(slot(20), slot(10)));
	assert_true(is_child_of(slot(13), slot(20)));
	assert_true(is_child_of(slot(14), slot(20)));
	assert_int_equal(count_children(slot(20)), 2);
	assert_tree_ok();
	/* The root of the object's subtree moves too, children and all. */
	assert_int_equal(root_move(21, 10), FV_OK);
	assert_true(is_child_of(slot(21), ut()));
	assert_true(is_child_of(slot(12), slot(21)));
	assert_true(is_child_of(slot(20), slot(21)));
	assert_tree_ok();
}

/* A capability moved into another CNode and back is still the same node of the tree. */
static void test_move_between_cnodes(void **state)
{
	(void)state;
	make_copy_tree();
	assert_int_equal(retype(FV_OBJ_CNODE, 2, 30, 1), FV_OK);
	struct cte *inner = cnode_slot(slot(30), 2);
	assert_int_equal(CALL(slot(30), FV_CNODE_MOVE, &boot, 2, 2, 11, FULL), FV_OK);
	assert_true(is_child_of(inner, slot(10)));
	assert_true(is_child_of(slot(13), inner));
	assert_tree_ok();
	assert_int_equal(CALL(&boot, FV_CNODE_MOVE, slot(30), 11, FULL, 2, 2), FV_OK);
	assert_true(slot_is_empty(inner));
	assert_true(is_child_of(slot(11), slot(10)));
	assert_true(is_child_of(slot(14), slot(11)));
	assert_tree_ok();
}

/* ---- Errors of the CNode invocations ---- */

struct bad_cnode_op {
	unsigned target; /* root slot invoked; 0: the boot slot */
	uint64_t label;
	unsigned nargs;
	bool no_cap;
	uint64_t args[6];
	fv_error_t want;
};

/* With make_copy_tree() and a 4-slot CNode in slot 15. */
static const struct bad_cnode_op bad_cnode_ops[] = {
    {0, FV_CNODE_COPY, 5, false, {20, FULL, 21, FULL, FV_RIGHTS_ALL}, FV_FAILED_LOOKUP},
    {0, FV_CNODE_COPY, 5, false, {11, FULL, 10, FULL, FV_RIGHTS_ALL}, FV_DELETE_FIRST},
    {0, FV_CNODE_COPY, 5, false, {20, FULL, UT_SLOT, FULL, FV_RIGHTS_ALL}, FV_ILLEGAL_OPERATION},
    {0, FV_CNODE_MINT, 6, false, {20, FULL, UT_SLOT, FULL, FV_RIGHTS_ALL, 0}, FV_ILLEGAL_OPERATION},
    {0, FV_CNODE_MINT, 6, false, {20, FULL, 10, FULL, FV_RIGHTS_ALL, 7}, FV_INVALID_ARGUMENT},
    {0, FV_CNODE_MOVE, 4, false, {20, FULL, 21, FULL}, FV_FAILED_LOOKUP},
    {0, FV_CNODE_MOVE, 4, false, {12, FULL, 11, FULL}, FV_DELETE_FIRST},
    {0, FV_CNODE_MOVE, 4, false, {UT_SLOT, FULL, 11, FULL}, FV_DELETE_FIRST},
    {0, FV_CNODE_DELETE, 2, false, {UT_SLOT, FULL}, FV_REVOKE_FIRST},
    {0, FV_CNODE_COPY, 4, false, {20, FULL, 10, FULL}, FV_TRUNCATED_MESSAGE},
    {0, FV_CNODE_COPY, 5, true, {20, FULL, 10, FULL, FV_RIGHTS_ALL}, FV_TRUNCATED_MESSAGE},
    {0, FV_CNODE_MINT, 5, false, {20, FULL, 10, FULL, FV_RIGHTS_ALL}, FV_TRUNCATED_MESSAGE},
    {0, FV_CNODE_MOVE, 3, false, {20, FULL, 10}, FV_TRUNCATED_MESSAGE},
    {0, FV_CNODE_MOVE, 4, true, {20, FULL, 10, FULL}, FV_TRUNCATED_MESSAGE},
    {0, FV_CNODE_DELETE, 1, false, {10}, FV_TRUNCATED_MESSAGE},
    {0, FV_CNODE_REVOKE, 0, false, {0}, FV_TRUNCATED_MESSAGE},
    {0, FV_CNODE_COPY, 5, false, {0, FULL, 10, FULL, FV_RIGHTS_ALL}, FV_FAILED_LOOKUP},
    {0, FV_CNODE_COPY, 5, false, {20, FULL - 1, 10, FULL, FV_RIGHTS_ALL}, FV_FAILED_LOOKUP},
    {0, FV_CNODE_COPY, 5, false, {20, FULL, 10, 0, FV_RIGHTS_ALL}, FV_FAILED_LOOKUP},
    {0, FV_CNODE_COPY, 5, false, {20, FULL, 10, FULL + 1, FV_RIGHTS_ALL}, FV_FAILED_LOOKUP},
    {0, FV_CNODE_DELETE, 2, false, {10, FULL + 1}, FV_FAILED_LOOKUP},
    {0, FV_CNODE_REVOKE, 2, false, {10 | (1ull << 40), FULL}, FV_FAILED_LOOKUP},
    {0, FV_CNODE_DELETE, 2, false, {0, FULL}, FV_FAILED_LOOKUP},
    {15, FV_CNODE_COPY, 5, false, {1, 1, 10, FULL, FV_RIGHTS_ALL}, FV_FAILED_LOOKUP},
    {15, FV_CNODE_COPY, 5, false, {2, 3, 10, FULL, FV_RIGHTS_ALL}, FV_FAILED_LOOKUP},
    {15, FV_CNODE_DELETE, 2, false, {0, 2}, FV_FAILED_LOOKUP},
    {0, 0, 2, false, {10, FULL}, FV_ILLEGAL_OPERATION},
    {0, FV_UNTYPED_RETYPE, 6, false, {FV_OBJ_FRAME_4K, 0, 0, 0, 20, 1}, FV_ILLEGAL_OPERATION},
    {0, FV_CNODE_COPY - 1, 2, false, {10, FULL}, FV_ILLEGAL_OPERATION},
    {0, FV_INVOCATION_LABEL_COUNT, 2, false, {10, FULL}, FV_ILLEGAL_OPERATION},
    {0, (1ull << 32) | FV_CNODE_DELETE, 2, false, {10, FULL}, FV_ILLEGAL_OPERATION},
    {0, UINT64_MAX, 2, false, {10, FULL}, FV_ILLEGAL_OPERATION},
    {UT_SLOT, FV_CNODE_DELETE, 2, false, {10, FULL}, FV_ILLEGAL_OPERATION},
    {UT_SLOT, 0, 6, false, {FV_OBJ_FRAME_4K, 0, 0, 0, 20, 1}, FV_ILLEGAL_OPERATION},
    {20, FV_CNODE_DELETE, 2, false, {11, FULL}, FV_FAILED_LOOKUP},
    {20, FV_UNTYPED_RETYPE, 6, false, {FV_OBJ_FRAME_4K, 0, 0, 0, 21, 1}, FV_FAILED_LOOKUP},
};

static void test_cnode_op_errors_change_nothing(void **state)
{
	(void)state;
	make_copy_tree();
	assert_int_equal(retype(FV_OBJ_CNODE, 2, 15, 1), FV_OK);
	for (size_t i = 0; i < ARRAY_SIZE(bad_cnode_ops); i++) {
		const struct bad_cnode_op *op = &bad_cnode_ops[i];
		struct cte *target = op->target ? slot(op->target) : &boot;
		save_state();
		fv_error_t err =
		    call(target, op->label, op->no_cap ? NULL : &boot, op->nargs, op->args);
		if (err != op->want)
			fail_msg("row %zu: got error %d, want %d", i, err, op->want);
		assert_state_unchanged("bad CNode operation", i);
	}
	assert_tree_ok();
}

/* The source CNode of a copy is an extra capability; one that is no CNode names nothing. */
static void test_copy_source_must_be_named_through_a_cnode(void **state)
{
	(void)state;
	make_copy_tree();
	save_state();
	assert_int_equal(CALL(&boot, FV_CNODE_COPY, slot(10), 20, FULL, 1, 1, FV_RIGHTS_ALL),
	                 FV_FAILED_LOOKUP);
	assert_int_equal(CALL(&boot, FV_CNODE_COPY, slot(20), 20, FULL, 1, 1, FV_RIGHTS_ALL),
	                 FV_FAILED_LOOKUP);
	assert_state_unchanged("copy source", 0);
}

/* Each capability type goes to its own decoder; types with no methods are refused. */
static void test_invocations_reach_the_decoder_of_their_type(void **state)
{
	(void)state;
	static const struct {
		fv_object_type_t type; /* 0: an empty slot */
		const char *decoder;
		fv_error_t want;
	} rows[] = {
	    {FV_OBJ_TCB, "tcb", FV_ILLEGAL_OPERATION},
	    {FV_OBJ_FRAME_4K, "frame", FV_ILLEGAL_OPERATION},
	    {FV_OBJ_FRAME_2M, "frame", FV_ILLEGAL_OPERATION},
	    {FV_OBJ_PAGE_TABLE, "page table", FV_ILLEGAL_OPERATION},
	    {FV_OBJ_VSPACE, NULL, FV_INVALID_CAPABILITY},
	    {FV_OBJ_ENDPOINT, NULL, FV_INVALID_CAPABILITY},
	    {FV_OBJ_NOTIFICATION, NULL, FV_INVALID_CAPABILITY},
	    {0, NULL, FV_FAILED_LOOKUP},
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		unsigned index = 10 + (unsigned)i;
		if (rows[i].type)
			assert_int_equal(retype(rows[i].type, 0, index, 1), FV_OK);
		decoder_called = NULL;
		save_state();
		assert_int_equal(CALL(slot(index), FV_CNODE_DELETE, &boot, index, FULL),
		                 rows[i].want);
		assert_state_unchanged("dispatch", i);
		if (rows[i].decoder)
			assert_string_equal(decoder_called, rows[i].decoder);
		else
			assert_null(decoder_called);
	}
}

/* ---- Delete, revoke and the derivation tree ---- */

static void test_delete_and_revoke_of_empty_slots_succeed(void **state)
{
	(void)state;
	save_state();
	assert_int_equal(root_delete(20), FV_OK);
	assert_int_equal(root_revoke(20), FV_OK);
	assert_state_unchanged("empty slot", 0);
}

static void test_untyped_without_children_can_be_deleted(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_FRAME_4K, 0, 10, 1), FV_OK);
	assert_int_equal(root_delete(UT_SLOT), FV_REVOKE_FIRST);
	assert_int_equal(root_delete(10), FV_OK);
	assert_int_equal(root_delete(UT_SLOT), FV_OK);
	assert_true(slot_is_empty(ut()));
}

static void test_is_final_along_a_copy_chain(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_CNODE, 2, 10, 1), FV_OK);
	assert_true(cte_is_final(slot(10)));
	assert_true(cte_is_final(ut()));
	assert_int_equal(root_copy(11, 10, FV_RIGHTS_ALL), FV_OK);
	assert_int_equal(root_copy(12, 11, FV_RIGHTS_ALL), FV_OK);
	for (unsigned i = 10; i <= 12; i++)
		assert_false(cte_is_final(slot(i)));
	assert_int_equal(root_delete(10), FV_OK);
	assert_true(is_child_of(slot(11), ut()));
	assert_false(cte_is_final(slot(11)));
	assert_false(cte_is_final(slot(12)));
	assert_int_equal(root_delete(11), FV_OK);
	assert_true(is_child_of(slot(12), ut()));
	assert_true(cte_is_final(slot(12)));
	/* Its memory is still the CNode's: the last capability was not deleted. */
	assert_int_equal(((struct cnode_header *)kobj_ptr(slot(12)->cap.pa))->slots, 4);
	assert_tree_ok();
}

static void test_deleting_a_middle_copy_splices_its_children(void **state)
{
	(void)state;
	make_copy_tree();
	assert_int_equal(root_delete(11), FV_OK);
	assert_true(slot_is_empty(slot(11)));
	assert_true(is_child_of(slot(13), slot(10)));
	assert_true(is_child_of(slot(14), slot(10)));
	assert_true(is_child_of(slot(12), slot(10)));
	assert_int_equal(count_children(slot(10)), 3);
	assert_tree_ok();
}

static void test_deleting_the_root_copy_promotes_its_first_child(void **state)
{
	(void)state;
	make_copy_tree();
	struct cte *first = slot(10)->first_child;
	assert_int_equal(root_delete(10), FV_OK);
	assert_true(is_child_of(first, ut()));
	assert_int_equal(count_children(ut()), 1);
	for (unsigned i = 11; i <= 14; i++) {
		assert_ptr_equal(object_root(slot(i)), first);
		assert_false(cte_is_final(slot(i)));
	}
	assert_int_equal(count_children(first), 1 + (first == slot(11) ? 2 : 0));
	assert_tree_ok();
}

static void test_revoke_of_a_copy_removes_exactly_its_descendants(void **state)
{
	(void)state;
	make_copy_tree();
	assert_int_equal(root_copy(15, 13, FV_RIGHTS_ALL), FV_OK);
	assert_int_equal(root_revoke(11), FV_OK);
	for (unsigned i = 13; i <= 15; i++)
		assert_true(slot_is_empty(slot(i)));
	assert_false(cte_has_children(slot(11)));
	assert_true(is_child_of(slot(11), slot(10)));
	assert_true(is_child_of(slot(12), slot(10)));
	assert_int_equal(live_caps(), 5);
}

/*
 * Object capabilities all over: in the root, inside a CNode retyped from
 * the untyped, inside a CNode within that one, made from a sub-untyped that
 * itself sits inside a retyped CNode; and a root CNode copy inside it.
 */
static void populate_untyped(void)
{
	assert_int_equal(retype(FV_OBJ_CNODE, 3, 10, 1), FV_OK);
	assert_int_equal(retype(FV_OBJ_FRAME_4K, 0, 11, 2), FV_OK);
	assert_int_equal(retype(FV_OBJ_UNTYPED, 16, 13, 1), FV_OK);
	assert_int_equal(CALL(slot(10), FV_CNODE_COPY, &boot, 1, 3, 11, FULL, FV_RIGHTS_ALL),
	                 FV_OK);
	assert_int_equal(CALL(ut(), FV_UNTYPED_RETYPE, &boot, FV_OBJ_CNODE, 2, 10, FULL, 2, 1),
	                 FV_OK);
	assert_int_equal(
	    CALL(slot(13), FV_UNTYPED_RETYPE, slot(10), FV_OBJ_FRAME_4K, 0, 2, 3, 1, 1), FV_OK);
	give_root_copy(14);
	assert_int_equal(CALL(slot(10), FV_CNODE_COPY, &boot, 3, 3, 14, FULL, FV_RIGHTS_ALL),
	                 FV_OK);
	assert_int_equal(CALL(slot(10), FV_CNODE_MOVE, &boot, 4, 3, 13, FULL), FV_OK);
	assert_int_equal(CALL(slot(10), FV_CNODE_COPY, &boot, 5, 3, 12, FULL, FV_RIGHTS_ALL),
	                 FV_OK);
	assert_int_equal(root_copy(15, 10, FV_RIGHTS_ALL), FV_OK);
	assert_tree_ok();
}

static void test_revoke_of_the_untyped_removes_every_object_cap(void **state)
{
	(void)state;
	populate_untyped();
	uint64_t c_pa = slot(10)->cap.pa, d_pa = cnode_slot(slot(10), 2)->cap.pa;
	assert_int_equal(root_revoke(UT_SLOT), FV_OK);
	for (unsigned i = 2; i < ROOT_SLOTS; i++)
		if (i != 14 && !slot_is_empty(slot(i)))
			fail_msg("root slot %u survived", i);
	assert_true(region_is(c_pa, 8 * sizeof(struct cte), 0));
	assert_true(region_is(d_pa, 4 * sizeof(struct cte), 0));
	assert_false(cte_has_children(ut()));
	assert_false(cte_has_children(slot(14)));
	assert_ptr_equal(boot.first_child, slot(14));
	assert_int_equal(live_caps(), 3);
}

/* Depths are 64-bit arguments: values above 64 never wrap into valid ones. */
static void test_depths_above_64_fail_lookup(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_FRAME_4K, 0, 10, 1), FV_OK);
	uint64_t big = (1ull << 32) | 64;
	assert_int_equal(CALL(&boot, FV_CNODE_COPY, &boot, 11, big, 10, FULL, FV_RIGHTS_ALL),
	                 FV_FAILED_LOOKUP);
	assert_int_equal(CALL(&boot, FV_CNODE_COPY, &boot, 11, FULL, 10, big, FV_RIGHTS_ALL),
	                 FV_FAILED_LOOKUP);
	assert_int_equal(CALL(&boot, FV_CNODE_DELETE, NULL, 10, big), FV_FAILED_LOOKUP);
	assert_int_equal(CALL(ut(), FV_UNTYPED_RETYPE, &boot, FV_OBJ_FRAME_4K, 0, 1, big, 12, 1),
	                 FV_FAILED_LOOKUP);
	assert_false(slot_is_empty(slot(10)));
	assert_true(slot_is_empty(slot(11)));
}

/* An Untyped whose own slot lies in a CNode made from it still takes everything with it. */
static void test_revoke_of_an_untyped_stored_in_its_own_cnode(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_UNTYPED, 16, 10, 1), FV_OK);
	assert_int_equal(retype_at(slot(10), FV_OBJ_FRAME_4K, 0, 11, 1), FV_OK);
	assert_int_equal(retype_at(slot(10), FV_OBJ_CNODE, 2, 12, 1), FV_OK);
	assert_int_equal(CALL(slot(12), FV_CNODE_MOVE, &boot, 1, 2, 10, FULL), FV_OK);
	assert_int_equal(CALL(slot(12), FV_CNODE_REVOKE, NULL, 1, 2), FV_OK);
	assert_true(slot_is_empty(slot(11)));
	assert_true(slot_is_empty(slot(12)));
	assert_false(cte_has_children(ut()));
}

/* Each Untyped capability is its own object, even one as large as its parent. */
static void test_full_size_child_untyped_is_not_its_parent(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_UNTYPED, ut()->cap.size_bits, 10, 1), FV_OK);
	assert_false(cap_same_object(&ut()->cap, &slot(10)->cap));
	assert_true(cte_is_final(slot(10)));
	assert_true(cte_is_final(ut()));
}

/* With nothing left in it, a retype starts again at the bottom of the region. */
static void test_revoke_of_the_untyped_resets_the_watermark(void **state)
{
	(void)state;
	populate_untyped();
	assert_int_not_equal(watermark(ut()), 0);
	assert_int_equal(root_revoke(UT_SLOT), FV_OK);
	memset(kobj_ptr(UT_PA), PATTERN, 64 * KIB);
	assert_int_equal(retype(FV_OBJ_CNODE, 2, 10, 1), FV_OK);
	assert_int_equal(slot(10)->cap.pa, UT_PA);
	assert_true(region_is(UT_PA + sizeof(struct cte), 3 * sizeof(struct cte), 0));
	assert_int_equal(watermark(ut()), 4 * sizeof(struct cte));
	assert_tree_ok();
}

/* Every deleted capability is cleaned up; only the last one to an object destroys it. */
static void test_only_the_last_cap_finalizes_its_object(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_TCB, 0, 10, 1), FV_OK);
	assert_int_equal(root_copy(11, 10, FV_RIGHTS_ALL), FV_OK);
	assert_int_equal(root_mint(12, 11, FV_RIGHT_READ, 0), FV_OK);
	static const unsigned order[] = {11, 10, 12};
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		struct cap deleted = slot(order[i])->cap;
		assert_int_equal(root_delete(order[i]), FV_OK);
		assert_int_equal(cleanups.n, i + 1);
		assert_memory_equal(&cleanups.caps[i], &deleted, sizeof(deleted));
		assert_int_equal(finalizes.n, i == 2);
	}
	assert_int_equal(finalizes.caps[0].type, CAP_TCB);
	assert_int_equal(finalizes.caps[0].pa, UT_PA);
	/* A CNode's last capability empties the CNode instead. */
	assert_int_equal(retype(FV_OBJ_CNODE, 1, 10, 1), FV_OK);
	assert_int_equal(root_delete(10), FV_OK);
	assert_int_equal(finalizes.n, 1);
	assert_int_equal(cleanups.n, 4);
}

static bool finalized_once(uint64_t pa, enum cap_type type)
{
	unsigned n = 0;
	for (unsigned i = 0; i < finalizes.n; i++)
		n += finalizes.caps[i].pa == pa && finalizes.caps[i].type == type;
	return n == 1;
}

static void test_revoking_the_untyped_finalizes_each_object_once(void **state)
{
	(void)state;
	populate_untyped();
	assert_int_equal(retype(FV_OBJ_TCB, 0, 16, 1), FV_OK);
	assert_int_equal(CALL(slot(10), FV_CNODE_COPY, &boot, 6, 3, 16, FULL, FV_RIGHTS_ALL),
	                 FV_OK);
	const struct cap objects[] = {slot(11)->cap, slot(12)->cap, cnode_slot(slot(10), 4)->cap,
	                              cnode_slot(cnode_slot(slot(10), 2), 1)->cap, slot(16)->cap};
	reset_hooks();
	assert_int_equal(root_revoke(UT_SLOT), FV_OK);
	assert_int_equal(finalizes.n, ARRAY_SIZE(objects));
	for (size_t i = 0; i < ARRAY_SIZE(objects); i++)
		assert_true(finalized_once(objects[i].pa, objects[i].type));
	/* 5 in the root, 6 in the first CNode, 1 in the CNode inside it */
	assert_int_equal(cleanups.n, 12);
}

/* ---- Dead CNodes: deleting what they hold ---- */

#define CHAIN_LENGTH 5000
#define SCRATCH      200

/*
 * A chain of radix-1 CNodes, each holding in its slot 1 the only capability
 * to the next; the head's capability goes to root slot `head`.
 */
static void build_chain(unsigned head, uint64_t *pa)
{
	struct cte *holder = NULL;
	unsigned children = count_children(ut());
	for (unsigned i = 0; i < CHAIN_LENGTH; i++) {
		assert_int_equal(retype(FV_OBJ_CNODE, 1, SCRATCH, 1), FV_OK);
		pa[i] = slot(SCRATCH)->cap.pa;
		if (!holder) {
			assert_int_equal(root_move(head, SCRATCH), FV_OK);
			holder = slot(head);
		} else {
			assert_int_equal(CALL(holder, FV_CNODE_MOVE, &boot, 1, 1, SCRATCH, FULL),
			                 FV_OK);
			holder = cnode_slot(holder, 1);
		}
	}
	assert_int_equal(count_children(ut()), children + CHAIN_LENGTH);
}

static void assert_chain_gone(const uint64_t *pa)
{
	for (unsigned i = 0; i < CHAIN_LENGTH; i++)
		if (!region_is(pa[i], 2 * sizeof(struct cte), 0))
			fail_msg("CNode %u of the chain was not emptied", i);
	assert_false(cte_has_children(ut()));
	assert_int_equal(live_caps(), 2);
}

static void test_deleting_a_chain_head_deletes_every_cnode(void **state)
{
	(void)state;
	static uint64_t pa[CHAIN_LENGTH];
	build_chain(10, pa);
	assert_tree_ok();
	assert_int_equal(root_delete(10), FV_OK);
	assert_true(slot_is_empty(slot(10)));
	assert_chain_gone(pa);
}

static void test_revoking_the_untyped_deletes_a_chain(void **state)
{
	(void)state;
	static uint64_t pa[CHAIN_LENGTH];
	build_chain(10, pa);
	assert_int_equal(root_revoke(UT_SLOT), FV_OK);
	assert_true(slot_is_empty(slot(10)));
	assert_chain_gone(pa);
}

/* Two chains side by side: deleting one leaves the other whole. */
static void test_deleting_a_chain_leaves_another_alone(void **state)
{
	(void)state;
	static uint64_t a[CHAIN_LENGTH], b[CHAIN_LENGTH];
	build_chain(10, a);
	build_chain(11, b);
	assert_int_equal(root_delete(10), FV_OK);
	for (unsigned i = 0; i < CHAIN_LENGTH; i++) {
		assert_true(region_is(a[i], 2 * sizeof(struct cte), 0));
		assert_int_equal(((struct cnode_header *)kobj_ptr(b[i]))->slots, 2);
	}
	assert_int_equal(count_children(ut()), CHAIN_LENGTH);
	assert_tree_ok();
	assert_int_equal(root_revoke(UT_SLOT), FV_OK);
	assert_chain_gone(b);
}

/* A CNode whose slot 1 holds a copy of its own capability outlives its other capability. */
static void test_cnode_holding_a_cap_to_itself(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_CNODE, 2, 10, 1), FV_OK);
	uint64_t pa = slot(10)->cap.pa;
	struct cte *inner = cnode_slot(slot(10), 1);
	assert_int_equal(CALL(slot(10), FV_CNODE_COPY, &boot, 1, 2, 10, FULL, FV_RIGHTS_ALL),
	                 FV_OK);
	assert_int_equal(root_delete(10), FV_OK);
	assert_true(is_child_of(inner, ut()));
	assert_true(cte_is_final(inner));
	assert_int_equal(((struct cnode_header *)kobj_ptr(pa))->slots, 4);
	assert_tree_ok();
	assert_int_equal(root_revoke(UT_SLOT), FV_OK);
	assert_true(region_is(pa, 4 * sizeof(struct cte), 0));
	assert_int_equal(live_caps(), 2);
}

/* A CNode's only capability, moved into the CNode, deleted through itself. */
static void test_cnode_deleting_its_only_cap_through_itself(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_CNODE, 2, 10, 1), FV_OK);
	assert_int_equal(retype(FV_OBJ_FRAME_4K, 0, 11, 1), FV_OK);
	uint64_t pa = slot(10)->cap.pa;
	struct cte *inner = cnode_slot(slot(10), 1);
	assert_int_equal(CALL(slot(10), FV_CNODE_MOVE, &boot, 3, 2, 11, FULL), FV_OK);
	assert_int_equal(CALL(slot(10), FV_CNODE_MOVE, &boot, 1, 2, 10, FULL), FV_OK);
	assert_true(slot_is_empty(slot(10)));
	assert_true(cte_is_final(inner));
	assert_tree_ok();
	assert_int_equal(CALL(inner, FV_CNODE_DELETE, NULL, 1, 2), FV_OK);
	assert_true(region_is(pa, 4 * sizeof(struct cte), 0));
	assert_false(cte_has_children(ut()));
	assert_int_equal(live_caps(), 2);
}

/* Two CNodes holding the only capabilities to each other. */
static void test_cycle_of_two_cnodes(void **state)
{
	(void)state;
	assert_int_equal(retype(FV_OBJ_CNODE, 2, 10, 2), FV_OK);
	uint64_t a = slot(10)->cap.pa, b = slot(11)->cap.pa;
	assert_int_equal(CALL(slot(10), FV_CNODE_COPY, &boot, 1, 2, 11, FULL, FV_RIGHTS_ALL),
	                 FV_OK);
	assert_int_equal(CALL(slot(11), FV_CNODE_COPY, &boot, 1, 2, 10, FULL, FV_RIGHTS_ALL),
	                 FV_OK);
	assert_int_equal(root_delete(10), FV_OK);
	assert_int_equal(root_delete(11), FV_OK);
	assert_int_equal(count_children(ut()), 2);
	assert_int_equal(((struct cnode_header *)kobj_ptr(a))->slots, 4);
	assert_int_equal(((struct cnode_header *)kobj_ptr(b))->slots, 4);
	assert_tree_ok();
	assert_int_equal(root_revoke(UT_SLOT), FV_OK);
	assert_true(region_is(a, 4 * sizeof(struct cte), 0));
	assert_true(region_is(b, 4 * sizeof(struct cte), 0));
	assert_int_equal(live_caps(), 2);
}

/* ---- Random operations ---- */

#define RANDOM_SEEDS 20
#define RANDOM_STEPS 2000
#define RANDOM_SLOTS 24 /* root slots the operations mostly name */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return rnd(r) % n;
}

static bool chance(struct rng *r, unsigned percent)
{
	return below(r, 100) < percent;
}

struct op {
	struct cte *target;
	uint64_t label;
	unsigned nargs;
	uint64_t args[6];
	struct cte *cap0;
};

/* Which slots random addresses should favour. */
enum want { WANT_ANY, WANT_FULL, WANT_EMPTY };

/* The slots of `node` the operations use: the first RANDOM_SLOTS of the root, or all. */
static uint64_t usable_slots(const struct cap *node)
{
	return node->pa == ROOT_PA ? RANDOM_SLOTS : (1ull << node->size_bits) - 1;
}

/* A slot index in the CNode `node`, holding a capability or not as wanted if one does. */
static uint64_t random_index(struct rng *r, const struct cap *node, enum want want)
{
	uint64_t n = usable_slots(node), start = below(r, n);
	for (uint64_t k = 0; want != WANT_ANY && k < n; k++) {
		uint64_t i = 1 + (start + k) % n;
		if (cap_is_null(&cnode_slots(node)[i].cap) == (want == WANT_EMPTY))
			return i;
	}
	return 1 + start;
}

static struct cte *random_root_slot(struct rng *r)
{
	return slot(1 + (unsigned)below(r, RANDOM_SLOTS));
}

/* A root slot holding a capability of `type`, or NULL if none does. */
static struct cte *random_root_slot_of(struct rng *r, enum cap_type type)
{
	uint64_t start = below(r, RANDOM_SLOTS);
	for (unsigned k = 0; k < RANDOM_SLOTS; k++) {
		struct cte *s = slot(1 + (unsigned)((start + k) % RANDOM_SLOTS));
		if (s->cap.type == type)
			return s;
	}
	return NULL;
}

static struct cte *random_cnode_slot(struct rng *r)
{
	struct cte *c = chance(r, 45) ? random_root_slot_of(r, CAP_CNODE) : NULL;
	if (c)
		return c;
	return chance(r, 80) ? &boot : random_root_slot(r);
}

/* Usually the address of a slot in the CNode `node` names, sometimes anything. */
static void random_address(struct rng *r, const struct cap *node, enum want want, uint64_t *cptr,
                           uint64_t *depth)
{
	if (node->type != CAP_CNODE || chance(r, 5)) {
		*cptr = chance(r, 50) ? below(r, 64) : rnd(r);
		*depth = below(r, 70);
		return;
	}
	unsigned radix = node->size_bits;
	uint64_t index = chance(r, 3) ? 0 : random_index(r, node, chance(r, 85) ? want : WANT_ANY);
	*cptr = (node->word << radix) | index;
	*depth = node->extra + radix;
}

static uint64_t random_type(struct rng *r)
{
	static const uint64_t types[] = {FV_OBJ_UNTYPED,    FV_OBJ_CNODE,    FV_OBJ_CNODE,
	                                 FV_OBJ_FRAME_4K,   FV_OBJ_FRAME_4K, FV_OBJ_TCB,
	                                 FV_OBJ_PAGE_TABLE, FV_OBJ_VSPACE};
	if (chance(r, 4))
		return FV_OBJ_FRAME_2M;
	return chance(r, 85) ? types[below(r, ARRAY_SIZE(types))] : below(r, FV_OBJ_TYPE_COUNT + 2);
}

static uint64_t random_size(struct rng *r, uint64_t type)
{
	if (type == FV_OBJ_CNODE && chance(r, 10))
		return chance(r, 70) ? below(r, 10) : FV_CNODE_MAX_RADIX + below(r, 50);
	if (chance(r, 10))
		return below(r, 70);
	return type == FV_OBJ_UNTYPED ? 4 + below(r, 17) : 1 + below(r, 3);
}

static struct cte *random_untyped(struct rng *r)
{
	struct cte *u = chance(r, 40) ? random_root_slot_of(r, CAP_UNTYPED) : NULL;
	if (u)
		return u;
	return chance(r, 85) ? ut() : random_root_slot(r);
}

static void random_retype(struct rng *r, struct op *op)
{
	op->target = random_untyped(r);
	op->cap0 = chance(r, 85) ? &boot : random_cnode_slot(r);
	op->label = FV_UNTYPED_RETYPE;
	op->nargs = 6;
	op->args[0] = random_type(r);
	op->args[1] = random_size(r, op->args[0]);
	const struct cap *node = &op->cap0->cap;
	if (chance(r, 30)) {
		random_address(r, node, WANT_FULL, &op->args[2], &op->args[3]);
		struct cte *s;
		bool found =
		    cspace_lookup_slot(node, op->args[2], (unsigned)op->args[3], &s) == FV_OK;
		node = found ? &s->cap : NULL;
	}
	if (node && node->type == CAP_CNODE && chance(r, 90))
		op->args[4] = random_index(r, node, WANT_EMPTY);
	else
		op->args[4] = chance(r, 95) ? below(r, 30) : rnd(r);
	op->args[5] = chance(r, 95) ? 1 + below(r, 3) : below(r, 300);
}

static uint64_t random_mint_word(struct rng *r)
{
	if (chance(r, 30))
		return 0;
	if (chance(r, 10))
		return rnd(r);
	uint64_t bits = below(r, 8);
	return FV_CNODE_GUARD(bits, below(r, 1ull << bits) + (chance(r, 5) << bits));
}

static void random_cnode_op(struct rng *r, struct op *op)
{
	static const uint64_t labels[] = {FV_CNODE_COPY,   FV_CNODE_MINT,   FV_CNODE_MOVE,
	                                  FV_CNODE_DELETE, FV_CNODE_REVOKE, FV_CNODE_DESCRIBE};
	op->label = chance(r, 5) ? 0 : labels[below(r, ARRAY_SIZE(labels))];
	bool on_one_slot = op->label == FV_CNODE_DELETE || op->label == FV_CNODE_REVOKE ||
	                   op->label == FV_CNODE_DESCRIBE;
	op->target = random_cnode_slot(r);
	op->cap0 = random_cnode_slot(r);
	random_address(r, &op->target->cap, on_one_slot ? WANT_FULL : WANT_EMPTY, &op->args[0],
	               &op->args[1]);
	random_address(r, &op->cap0->cap, WANT_FULL, &op->args[2], &op->args[3]);
	op->args[4] = chance(r, 50) ? FV_RIGHTS_ALL : below(r, 16);
	op->args[5] = random_mint_word(r);
	op->nargs = 6;
	if (op->label == 0)
		op->label = chance(r, 50) ? below(r, FV_INVOCATION_LABEL_COUNT + 2) : rnd(r);
	if (op->label == FV_CNODE_REVOKE && chance(r, 15)) {
		op->target = &boot;
		op->args[0] = UT_SLOT;
		op->args[1] = FULL;
	}
}

static void random_op(struct rng *r, struct op *op)
{
	memset(op, 0, sizeof(*op));
	if (chance(r, 35))
		random_retype(r, op);
	else
		random_cnode_op(r, op);
	if (chance(r, 3))
		op->nargs = (unsigned)below(r, op->nargs);
	if (chance(r, 3))
		op->cap0 = NULL;
}

static struct cte *resolve(const struct cte *node, uint64_t cptr, uint64_t depth)
{
	struct cte *s;
	if (!node || node->cap.type != CAP_CNODE ||
	    cspace_lookup_slot(&node->cap, cptr, (unsigned)depth, &s) != FV_OK)
		return NULL;
	return s;
}

/* The boot untyped stays put, so that revoking it at the end frees everything. */
static bool touches_boot_untyped(const struct op *op)
{
	if (op->label == FV_CNODE_DELETE && op->nargs >= 2)
		return resolve(op->target, op->args[0], op->args[1]) == ut();
	if (op->label == FV_CNODE_MOVE && op->nargs >= 4)
		return resolve(op->cap0, op->args[2], op->args[3]) == ut();
	return false;
}

/* Memory of every live CNode and the boot slot, to compare after a failed operation. */
struct cnode_snapshot {
	uint8_t *mem;
	size_t size;
	struct cte boot;
};

static void snapshot_take(struct cnode_snapshot *s, const struct live *lv)
{
	s->size = 0;
	for (size_t i = 0; i < lv->ncnodes; i++)
		s->size += sizeof(struct cte) << lv->cnodes[i].size_bits;
	s->mem = realloc(s->mem, s->size);
	if (!s->mem)
		fail_msg("out of host memory");
	uint8_t *p = s->mem;
	for (size_t i = 0; i < lv->ncnodes; i++) {
		size_t n = sizeof(struct cte) << lv->cnodes[i].size_bits;
		memcpy(p, kobj_ptr(lv->cnodes[i].pa), n);
		p += n;
	}
	s->boot = boot;
}

static bool snapshot_matches(const struct cnode_snapshot *s, const struct live *lv)
{
	const uint8_t *p = s->mem;
	for (size_t i = 0; i < lv->ncnodes; i++) {
		size_t n = sizeof(struct cte) << lv->cnodes[i].size_bits;
		if (memcmp(p, kobj_ptr(lv->cnodes[i].pa), n) != 0)
			return false;
		p += n;
	}
	return memcmp(&s->boot, &boot, sizeof(boot)) == 0;
}

/* What a successful operation must have done, checked against the slots it named. */
static const char *check_success(const struct op *op, struct cte *a, struct cte *b,
                                 const struct cap *b_before)
{
	switch (op->label) {
	case FV_CNODE_COPY:
	case FV_CNODE_MINT:
		if (!is_child_of(a, b) || !cap_same_object(&a->cap, &b->cap) ||
		    (a->cap.rights & ~b->cap.rights))
			return "a copy is not a child of its source with fewer rights";
		return NULL;
	case FV_CNODE_MOVE:
		if (!slot_is_empty(b) || memcmp(&a->cap, b_before, sizeof(*b_before)) != 0)
			return "a move did not move the capability";
		return NULL;
	case FV_CNODE_DELETE:
		return slot_is_empty(a) ? NULL : "a deleted slot is not empty";
	case FV_CNODE_REVOKE:
		return cte_has_children(a) ? "a revoked capability has children" : NULL;
	case FV_CNODE_DESCRIBE:
		return NULL; /* it changes nothing: the tree checks after each step say so */
	default:
		for (uint64_t i = 0; i < op->args[5]; i++)
			if (!is_child_of(a + i, op->target))
				return "a retyped capability is not a child of the untyped";
		return NULL;
	}
}

/* The slots an operation names: (destination or slot, source) or (first new slot, -). */
static void named_slots(const struct op *op, struct cte **a, struct cte **b)
{
	*a = *b = NULL;
	if (op->label != FV_UNTYPED_RETYPE) {
		*a = resolve(op->target, op->args[0], op->args[1]);
		*b = resolve(op->cap0, op->args[2], op->args[3]);
		return;
	}
	const struct cte *node =
	    op->args[3] ? resolve(op->cap0, op->args[2], op->args[3]) : op->cap0;
	if (node && node->cap.type == CAP_CNODE && op->args[4] < 1ull << node->cap.size_bits)
		*a = cnode_slot(node, (unsigned)op->args[4]);
}

static void fail_step(unsigned seed, unsigned step, const struct op *op, fv_error_t err,
                      const char *why)
{
	fail_msg("seed %u step %u: label %llu nargs %u args %#llx %#llx %#llx %#llx %#llx %#llx "
	         "returned %d: %s",
	         seed, step, (unsigned long long)op->label, op->nargs,
	         (unsigned long long)op->args[0], (unsigned long long)op->args[1],
	         (unsigned long long)op->args[2], (unsigned long long)op->args[3],
	         (unsigned long long)op->args[4], (unsigned long long)op->args[5], err, why);
}

/* What the random operations work on: the live state after the last step, checked. */
struct random_run {
	struct rng rng;
	unsigned seed;
	struct live live;
	struct cnode_snapshot snap;
};

static const char *run_op(struct random_run *run, const struct op *op, fv_error_t *err)
{
	struct cte *a, *b;
	named_slots(op, &a, &b);
	struct cap b_before = b ? b->cap : (struct cap){0};
	snapshot_take(&run->snap, &run->live);
	*err = call(op->target, op->label, op->cap0, op->nargs, op->args);
	if (*err >= FV_ERROR_COUNT)
		return "an unknown error";
	if (*err)
		return snapshot_matches(&run->snap, &run->live)
		           ? NULL
		           : "a failed operation changed a live CNode";
	return check_success(op, a, b, &b_before);
}

static void random_step(struct random_run *run, unsigned step)
{
	struct op op;
	do
		random_op(&run->rng, &op);
	while (touches_boot_untyped(&op));
	fv_error_t err;
	const char *why = run_op(run, &op, &err);
	live_free(&run->live);
	if (!why)
		why = check_tree(&run->live);
	if (why)
		fail_step(run->seed, step, &op, err, why);
}

/* Revoking the untyped and then the boot capability leaves only the two of them. */
static void check_random_teardown(unsigned seed)
{
	struct op op = {.label = FV_CNODE_REVOKE, .nargs = 2, .args = {UT_SLOT, FULL}};
	fv_error_t err = root_revoke(UT_SLOT);
	if (err || cte_has_children(ut()))
		fail_step(seed, RANDOM_STEPS, &op, err, "revoking the untyped left children");
	cte_revoke(&boot);
	if (live_caps() != 2)
		fail_step(seed, RANDOM_STEPS, &op, err, "capabilities outlived the revokes");
	if (retype(FV_OBJ_FRAME_4K, 0, 2, 1) != FV_OK || slot(2)->cap.pa != UT_PA)
		fail_step(seed, RANDOM_STEPS, &op, err, "the region did not become free");
}

static void test_random_operations_keep_the_tree_consistent(void **state)
{
	(void)state;
	static struct random_run run;
	for (run.seed = 1; run.seed <= RANDOM_SEEDS; run.seed++) {
		boot_cspace();
		give_root_copy(RANDOM_SLOTS);
		run.rng.s = 0x9e3779b97f4a7c15ull * run.seed;
		const char *why = check_tree(&run.live);
		if (why)
			fail_msg("seed %u: %s", run.seed, why);
		for (unsigned step = 0; step < RANDOM_STEPS; step++)
			random_step(&run, step);
		live_free(&run.live);
		check_random_teardown(run.seed);
	}
	free(run.snap.mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_retype_makes_each_type_in_address_order, setup),
	    cmocka_unit_test_setup(test_retype_refused_by_object_limit_changes_nothing, setup),
	    cmocka_unit_test_setup(test_retype_makes_max_objects, setup),
	    cmocka_unit_test_setup(test_retype_fills_the_untyped_exactly, setup),
	    cmocka_unit_test_setup(test_device_untyped_refuses_kernel_objects, setup),
	    cmocka_unit_test_setup(test_device_untyped_makes_frames_without_zeroing, setup),
	    cmocka_unit_test_setup(test_retype_errors_change_nothing, setup),
	    cmocka_unit_test_setup(test_retype_into_cnode_named_by_address, setup),
	    cmocka_unit_test_setup(test_lookup_resolves_root_slots_in_one_level, setup),
	    cmocka_unit_test_setup(test_lookup_resolves_two_levels, setup),
	    cmocka_unit_test_setup(test_lookup_cap_stops_at_first_non_cnode, setup),
	    cmocka_unit_test_setup(test_lookup_rejects_roots_that_are_not_cnodes, setup),
	    cmocka_unit_test_setup(test_copy_makes_an_unmapped_child, setup),
	    cmocka_unit_test_setup(test_copy_of_a_cnode_keeps_its_guard, setup),
	    cmocka_unit_test_setup(test_copy_and_mint_mask_rights, setup),
	    cmocka_unit_test_setup(test_mint_sets_valid_cnode_guards_only, setup),
	    cmocka_unit_test_setup(test_mint_of_a_frame_takes_no_word, setup),
	    cmocka_unit_test_setup(test_move_keeps_the_place_in_the_tree, setup),
	    cmocka_unit_test_setup(test_move_between_cnodes, setup),
	    cmocka_unit_test_setup(test_cnode_op_errors_change_nothing, setup),
	    cmocka_unit_test_setup(test_copy_source_must_be_named_through_a_cnode, setup),
	    cmocka_unit_test_setup(test_invocations_reach_the_decoder_of_their_type, setup),
	    cmocka_unit_test_setup(test_delete_and_revoke_of_empty_slots_succeed, setup),
	    cmocka_unit_test_setup(test_untyped_without_children_can_be_deleted, setup),
	    cmocka_unit_test_setup(test_is_final_along_a_copy_chain, setup),
	    cmocka_unit_test_setup(test_deleting_a_middle_copy_splices_its_children, setup),
	    cmocka_unit_test_setup(test_deleting_the_root_copy_promotes_its_first_child, setup),
	    cmocka_unit_test_setup(test_revoke_of_a_copy_removes_exactly_its_descendants, setup),
	    cmocka_unit_test_setup(test_revoke_of_the_untyped_removes_every_object_cap, setup),
	    cmocka_unit_test_setup(test_revoke_of_the_untyped_resets_the_watermark, setup),
	    cmocka_unit_test_setup(test_depths_above_64_fail_lookup, setup),
	    cmocka_unit_test_setup(test_revoke_of_an_untyped_stored_in_its_own_cnode, setup),
	    cmocka_unit_test_setup(test_full_size_child_untyped_is_not_its_parent, setup),
	    cmocka_unit_test_setup(test_only_the_last_cap_finalizes_its_object, setup),
	    cmocka_unit_test_setup(test_revoking_the_untyped_finalizes_each_object_once, setup),
	    cmocka_unit_test_setup(test_deleting_a_chain_head_deletes_every_cnode, setup),
	    cmocka_unit_test_setup(test_revoking_the_untyped_deletes_a_chain, setup),
	    cmocka_unit_test_setup(test_deleting_a_chain_leaves_another_alone, setup),
	    cmocka_unit_test_setup(test_cnode_holding_a_cap_to_itself, setup),
	    cmocka_unit_test_setup(test_cnode_deleting_its_only_cap_through_itself, setup),
	    cmocka_unit_test_setup(test_cycle_of_two_cnodes, setup),
	    cmocka_unit_test(test_random_operations_keep_the_tree_consistent),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
