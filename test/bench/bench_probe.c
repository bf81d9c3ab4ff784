/*
 * Probe layer benchmark: per emulated probe kind, the modelled time (the
 * lab's virtual clock, docs/LAB.md) and the USB transactions to write and
 * to read 64 KiB of SRAM through swdd's drivers, plus the host CPU time
 * it took. Numbers come from sim_probe_get_stats (the lab's side) and
 * swdd_probe_get_stats (the driver's side).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe.h"
#include "sim_probe.h"
#include "swdd_err.h"

#define BENCH_ADDR 0x20000000u
#define BENCH_LEN (64u * 1024u)

struct bench_row {
	uint64_t ns, usb, round_trips, swd;
	double cpu_s;
};

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Measures one transfer: lab stats and driver stats before and after. */
static int bench_one(struct swdd_probe *p, sim_probe *sp, bool wr, uint8_t *buf, struct bench_row *r)
{
	struct sim_probe_stats a, b;
	struct swdd_probe_stats pa, pb;
	double c0;
	int rc;

	sim_probe_get_stats(sp, &a);
	swdd_probe_get_stats(p, &pa);
	c0 = cpu_now();
	rc = wr ? swdd_probe_write_mem(p, BENCH_ADDR, buf, BENCH_LEN)
		: swdd_probe_read_mem(p, BENCH_ADDR, buf, BENCH_LEN);
	r->cpu_s = cpu_now() - c0;
	sim_probe_get_stats(sp, &b);
	swdd_probe_get_stats(p, &pb);
	r->ns = b.modelled_ns - a.modelled_ns;
	r->usb = b.usb_transactions - a.usb_transactions;
	r->swd = b.swd_transfers - a.swd_transfers;
	r->round_trips = pb.usb_round_trips - pa.usb_round_trips;
	return rc;
}

static int bench_kind(enum sim_probe_kind kind, struct bench_row *w, struct bench_row *rd)
{
	struct sim_config cfg = { 0 };
	struct sim_probe_config pc = { .kind = kind };
	sim_chip *chip = NULL;
	sim_probe *sp = NULL;
	struct swdd_probe *p = NULL;
	uint8_t *buf = malloc(BENCH_LEN), *back = malloc(BENCH_LEN);
	char err[256];
	uint32_t dpidr;
	unsigned khz;
	int rc = -1;

	if (!buf || !back || sim_chip_new(&cfg, &chip, err, sizeof(err)) || sim_probe_new(&pc, chip, &sp))
		goto out;
	for (size_t i = 0; i < BENCH_LEN; i++)
		buf[i] = (uint8_t)(i * 13u + (i >> 9));
	rc = swdd_probe_open_sim(sp, &p);
	if (!rc)
		rc = swdd_probe_set_speed(p, 4000, &khz);
	if (!rc)
		rc = swdd_probe_attach(p, &dpidr);
	/* Halt the core so it does not run while the probe works. */
	if (!rc)
		rc = swdd_probe_write32(p, 0xE000EDF0u, 0xA05F0003u);
	if (!rc)
		rc = bench_one(p, sp, true, buf, w);
	if (!rc)
		rc = bench_one(p, sp, false, back, rd);
	if (!rc && memcmp(buf, back, BENCH_LEN))
		rc = swdd_err_set(SWDD_EVERIFY, "64 KiB read back differently");
	if (rc)
		fprintf(stderr, "bench_probe: %s: %s: %s\n", sim_probe_kind_name(kind), swdd_strerror(rc),
			swdd_err_detail());
out:
	swdd_probe_close(p);
	sim_probe_free(sp);
	sim_chip_free(chip);
	free(buf);
	free(back);
	return rc;
}

int main(void)
{
	int failed = 0;

	printf("bench_probe: 64 KiB of SRAM at 0x%08x, SWD clock 4000 kHz requested, through swdd's "
	       "drivers\n",
	       BENCH_ADDR);
	printf("%-13s %-5s %12s %9s %8s %10s %9s %10s\n", "probe", "op", "modelled_ms", "KiB/s", "usb_tx",
	       "round_trips", "swd_xfers", "host_cpu_s");
	for (int k = 0; k < SIM_PROBE_KIND_COUNT; k++) {
		struct bench_row row[2];

		if (bench_kind((enum sim_probe_kind)k, &row[0], &row[1])) {
			failed++;
			continue;
		}
		for (int op = 0; op < 2; op++) {
			const struct bench_row *r = &row[op];
			printf("%-13s %-5s %12.2f %9.0f %8llu %10llu %9llu %10.3f\n",
			       sim_probe_kind_name((enum sim_probe_kind)k), op ? "read" : "write",
			       (double)r->ns / 1e6, r->ns ? 64.0 / ((double)r->ns / 1e9) : 0.0,
			       (unsigned long long)r->usb, (unsigned long long)r->round_trips,
			       (unsigned long long)r->swd, r->cpu_s);
		}
	}
	return failed ? 1 : 0;
}
