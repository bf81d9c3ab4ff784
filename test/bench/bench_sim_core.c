/*
 * Speed of the simulated Cortex-M4F: build/fw/fwtest.bin in its endless
 * loop (FWTEST_MODE_LOOP: load, add, store, load, add, store, branch),
 * advanced through sim_chip_advance() so that the core runs in the run
 * loop's count-limited slices, as it does under every probe. Prints the
 * instructions retired per wall-clock second, and the same with a DWT data
 * watchpoint armed (which adds per-instruction and memory hooks).
 */
#include "sim.h"
#include "../firmware/fwtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define VIRTUAL_NS 2000000000ull /* 2 s at 16 MHz: 32 M instructions */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int load(sim_chip *c)
{
	const char *b = getenv("SWDD_BUILD");
	static uint8_t img[1u << 20];
	char path[512];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/fw/fwtest.bin", b ? b : "build");
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "bench_sim_core: %s missing (make build/fw/fwtest.bin)\n", path);
		return -1;
	}
	len = fread(img, 1, sizeof(img), f);
	fclose(f);
	if (sim_chip_backdoor_load_flash(c, 0x08000000u, img, len))
		return -1;
	/* NRST pulse: the core fetches the new vectors */
	sim_board_set_nrst(c, true);
	sim_chip_advance(c, 1000);
	sim_board_set_nrst(c, false);
	return 0;
}

static int measure(const char *what)
{
	struct sim_config cfg = { 0 };
	struct sim_chip_stats s0, s1;
	sim_chip *c;
	char err[200];
	double t0, t1, u0, u1, n;

	if (sim_chip_new(&cfg, &c, err, sizeof(err))) {
		fprintf(stderr, "bench_sim_core: %s\n", err);
		return 1;
	}
	if (load(c)) {
		sim_chip_free(c);
		return 1;
	}
	sim_chip_advance(c, 1000000); /* start-up code and checks */
	sim_chip_get_stats(c, &s0);
	t0 = now_s();
	u0 = cpu_s();
	sim_chip_advance(c, VIRTUAL_NS);
	u1 = cpu_s();
	t1 = now_s();
	sim_chip_get_stats(c, &s1);
	n = (double)(s1.instructions - s0.instructions);
	/* CPU time as well: on a loaded machine wall clock mostly measures the load */
	printf("# sim core, %s: %.0f instructions (virtual %.1f s) in %.3f s wall = %.1f MIPS, "
	       "%.3f s CPU = %.1f MIPS\n",
	       what, n, (double)VIRTUAL_NS / 1e9, t1 - t0, n / (t1 - t0) / 1e6, u1 - u0, n / (u1 - u0) / 1e6);
	sim_chip_free(c);
	return 0;
}

int main(void)
{
	return measure("tight loop in run-loop slices");
}
