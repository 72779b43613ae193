/*
 * IPC benchmarks, run by the root task when the boot arguments hold
 * ferrovisor.root=bench. Each figure is the median over many rounds; the
 * host script prints them (scripts/ferrovisor bench).
 */
#include "root.h"

#define ROUNDS 10000

static uint64_t samples[ROUNDS];
static volatile uint64_t wake_time;

/* k-th smallest of a[0..n) by quickselect (reorders a). */
static uint64_t select_kth(uint64_t *a, unsigned n, unsigned k)
{
	unsigned lo = 0, hi = n - 1;
	while (lo < hi) {
		uint64_t pivot = a[(lo + hi) / 2];
		unsigned i = lo, j = hi;
		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				uint64_t t = a[i];
				a[i++] = a[j];
				a[j] = t;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return a[k];
}

static uint64_t median(unsigned n)
{
	return select_kth(samples, n, n / 2);
}

static void null_server(uint64_t ep)
{
	struct fv_msg m = {0};
	fv_recv(ep, &m);
	for (;;) {
		m.info = FV_MSGINFO(0, 0, 0);
		fv_reply_recv(ep, &m);
	}
}

/* Call + reply round trips with an empty message; `instret` picks the counter. */
static uint64_t measure_round_trip(fv_cptr_t ep, bool instret)
{
	struct fv_msg m;
	for (unsigned i = 0; i < ROUNDS; i++) {
		m.info = FV_MSGINFO(0, 0, 0);
		uint64_t t0 = instret ? fv_read_instret() : fv_read_time();
		fv_call(ep, &m);
		uint64_t t1 = instret ? fv_read_instret() : fv_read_time();
		samples[i] = t1 - t0;
	}
	return median(ROUNDS);
}

struct pingpong {
	fv_cptr_t go, done;
};
static struct pingpong pp;

static void notified_thread(uint64_t unused)
{
	(void)unused;
	uint64_t word;
	for (;;) {
		fv_wait(pp.go, &word);
		wake_time = fv_read_time();
		fv_signal(pp.done);
	}
}

static uint64_t measure_signal_to_wake(unsigned rounds)
{
	uint64_t word;
	for (unsigned i = 0; i < rounds; i++) {
		uint64_t t0 = fv_read_time();
		fv_signal(pp.go);
		fv_wait(pp.done, &word);
		samples[i] = wake_time - t0;
	}
	return median(rounds);
}

static void report(const char *name, uint64_t value, const char *unit)
{
	fv_printf("bench: %s %lu %s\n", name, value, unit);
}

void run_benchmarks(void)
{
	bool deterministic = cmdline_has("ferrovisor.bench=instructions");
	fv_cptr_t same = root_make(FV_OBJ_ENDPOINT, 0);
	root_spawn(null_server, same, 0, 255, FV_ROOT_SLOT_CNODE);
	if (deterministic) {
		uint64_t a = fv_read_instret(), b = fv_read_instret(), c = fv_read_time(),
		         d = fv_read_instret();
		report("counter_read_cost", b - a, "instructions");
		report("time_read_cost", d - b - 1, "instructions");
		(void)c;
		for (unsigned i = 0; i < 1000; i++) {
			uint64_t t0 = fv_read_instret();
			fv_yield();
			samples[i] = fv_read_instret() - t0;
		}
		report("null_syscall_yield", median(1000), "instructions");
		/* Under -icount one counter serves every hart: same-hart figures only. */
		report("ipc_call_reply_same_hart", measure_round_trip(same, true), "instructions");
		fv_cptr_t other = root_start_server("ipcserver", 0);
		if (other)
			report("ipc_call_reply_two_address_spaces", measure_round_trip(other, true),
			       "instructions");
		fv_printf("bench: done\n");
		return;
	}
	report("ipc_call_reply_same_hart", measure_round_trip(same, false), "ticks");
	fv_cptr_t other = root_start_server("ipcserver", 0);
	if (other)
		report("ipc_call_reply_two_address_spaces", measure_round_trip(other, false),
		       "ticks");
	pp.go = root_make(FV_OBJ_NOTIFICATION, 0);
	pp.done = root_make(FV_OBJ_NOTIFICATION, 0);
	if (root_hart_count() > 1) {
		fv_cptr_t cross = root_make(FV_OBJ_ENDPOINT, 0);
		root_spawn(null_server, cross, 1, 255, FV_ROOT_SLOT_CNODE);
		report("ipc_call_reply_cross_hart", measure_round_trip(cross, false), "ticks");
		root_spawn(notified_thread, 0, 1, 255, FV_ROOT_SLOT_CNODE);
		report("notification_signal_to_wake_cross_hart", measure_signal_to_wake(2000),
		       "ticks");
	}
	report("timebase", root_timebase_hz(), "Hz");
	fv_printf("bench: done\n");
}
