/*
 * GDB server benchmark: per emulated probe kind, the USB round trips
 * (swdd_probe_get_stats) and modelled milliseconds (the lab's virtual
 * clock, sim_probe_get_stats) of
 *   - a `stepi`: the 's' packet and the 'g' GDB sends after the stop;
 *   - a `continue` to a breakpoint in flash: Z0, 'c', the polls until the
 *     stop reply, z0 (GDB inserts and removes breakpoints around a resume).
 * Packets go through the real dispatcher (server/gdb_*.c), as from GDB.
 *
 * `bench_gdb [--sim-chip NAME] [--caches]`: the lab's chip (stm32f407 by
 * default; stm32h743/stm32h725 for the Cortex-M7) and, on an M7, CCR.IC
 * and CCR.DC set first, as firmware that enabled its caches leaves them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb_server.h"
#include "probe.h"
#include "rsp.h"
#include "sim.h"
#include "sim_probe.h"
#include "swdd_err.h"
#include "target.h"

#define PROG_ADDR 0x08000100u
#define BREAK_ADDR 0x08000108u
#define STEPS 50
#define CONTINUES 20

/* Thumb at PROG_ADDR: movs r0,#0; 1: adds r0,#1; cmp r0,#100; bne 1b;
 * nop (the breakpoint); b . */
static const uint8_t prog[] = { 0x00, 0x20, 0x01, 0x30, 0x64, 0x28, 0xfc, 0xd1, 0x00, 0xbf, 0xfe, 0xe7 };

struct bench {
	sim_chip *chip;
	sim_probe *sp;
	struct swdd_probe *probe;
	struct swdd_target *t;
	struct gdb_server s;
	char last[64];
};

struct cost {
	uint64_t round_trips, ns;
};

/* Keeps the start of the last packet sent (enough for the checks). */
static int bench_write(void *ctx, const void *buf, size_t len)
{
	struct bench *b = ctx;
	size_t n = len < sizeof(b->last) - 1 ? len : sizeof(b->last) - 1;

	memcpy(b->last, buf, n);
	b->last[n] = '\0';
	return 0;
}

static void bench_send(struct bench *b, const char *payload)
{
	char framed[256];
	long n = rsp_frame(payload, strlen(payload), framed, sizeof(framed));

	b->last[0] = '\0';
	gdb_server_input(&b->s, (const uint8_t *)framed, (size_t)n);
}

static void cost_mark(struct bench *b, struct cost *c)
{
	struct swdd_probe_stats ps;
	struct sim_probe_stats ss;

	swdd_probe_get_stats(b->probe, &ps);
	sim_probe_get_stats(b->sp, &ss);
	c->round_trips = ps.usb_round_trips;
	c->ns = ss.modelled_ns;
}

static const char *bench_chip = "stm32f407";
static bool bench_caches;

/* CCR.IC | CCR.DC (ARMv7-M B3.2.8), written as the firmware would. */
static int bench_enable_caches(struct bench *b)
{
	uint8_t ccr[4];
	int rc = swdd_target_mem_read(b->t, 0xE000ED14u, ccr, 4);

	ccr[2] |= 0x03u;
	return rc ? rc : swdd_target_mem_write(b->t, 0xE000ED14u, ccr, 4);
}

static int bench_open(struct bench *b, enum sim_probe_kind kind)
{
	struct sim_config cfg = { .chip = bench_chip };
	struct sim_probe_config pc = { .kind = kind };
	struct swdd_connect_opts co = { .mode = SWDD_CONNECT_NORMAL, .speed_khz = 4000, .ladder = true };
	char err[256];
	int rc;

	memset(b, 0, sizeof(*b));
	if (sim_chip_new(&cfg, &b->chip, err, sizeof(err)) || sim_probe_new(&pc, b->chip, &b->sp) ||
	    sim_chip_backdoor_load_flash(b->chip, PROG_ADDR, prog, sizeof(prog)))
		return SWDD_EINVAL;
	rc = swdd_probe_open_sim(b->sp, &b->probe);
	if (!rc)
		rc = swdd_target_connect(b->probe, &co, &b->t);
	if (!rc && bench_caches)
		rc = bench_enable_caches(b);
	if (!rc)
		rc = gdb_server_init(&b->s, b->t, bench_write, b);
	if (!rc)
		rc = gdb_server_client_begin(&b->s);
	if (!rc) {
		bench_send(b, "qSupported:swbreak+;hwbreak+");
		bench_send(b, "QStartNoAckMode");
	}
	return rc;
}

static void bench_close(struct bench *b)
{
	if (b->s.reply) {
		gdb_server_client_end(&b->s);
		gdb_server_free(&b->s);
	}
	if (b->t)
		swdd_target_free(b->t);
	if (b->probe)
		swdd_probe_close(b->probe);
	if (b->sp)
		sim_probe_free(b->sp);
	if (b->chip)
		sim_chip_free(b->chip);
}

static int bench_steps(struct bench *b, struct cost *per)
{
	struct cost a, z;

	bench_send(b, "Pf=00010008"); /* pc = PROG_ADDR */
	bench_send(b, "P10=00000001"); /* xpsr: Thumb */
	cost_mark(b, &a);
	for (int i = 0; i < STEPS; i++) {
		bench_send(b, "s");
		if (strncmp(b->last, "$T05", 4))
			return SWDD_EPROTO;
		bench_send(b, "g");
	}
	cost_mark(b, &z);
	per->round_trips = (z.round_trips - a.round_trips) / STEPS;
	per->ns = (z.ns - a.ns) / STEPS;
	return 0;
}

/* Continues from `prog` to the breakpoint 8 bytes into it, `n` times. */
static int bench_continues(struct bench *b, uint32_t prog, struct cost *per)
{
	char pc[32], z0[32], z0r[32];
	struct cost a, z;

	snprintf(pc, sizeof(pc), "Pf=%02x%02x%02x%02x", prog & 0xFFu, (prog >> 8) & 0xFFu,
		 (prog >> 16) & 0xFFu, prog >> 24);
	snprintf(z0, sizeof(z0), "Z0,%x,2", prog + 8u);
	snprintf(z0r, sizeof(z0r), "z0,%x,2", prog + 8u);
	cost_mark(b, &a);
	for (int i = 0; i < CONTINUES; i++) {
		bench_send(b, pc);
		bench_send(b, z0);
		bench_send(b, "c");
		for (int n = 0; n < 10000 && gdb_server_running(&b->s); n++)
			gdb_server_poll(&b->s);
		if (strncmp(b->last, "$T05", 4))
			return SWDD_EPROTO;
		bench_send(b, z0r);
	}
	cost_mark(b, &z);
	per->round_trips = (z.round_trips - a.round_trips) / CONTINUES;
	per->ns = (z.ns - a.ns) / CONTINUES;
	return 0;
}

/* The program copied to RAM the core caches on an M7 (AXI SRAM), or to
 * SRAM on other chips, for a continue to a software breakpoint. */
static int bench_ram_prog(struct bench *b, uint32_t *ram)
{
	*ram = strncmp(bench_chip, "stm32h7", 7) ? 0x20000100u : 0x24000100u;
	return swdd_target_mem_write(b->t, *ram, prog, sizeof(prog));
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--sim-chip") && i + 1 < argc) {
			bench_chip = argv[++i];
		} else if (!strcmp(argv[i], "--caches")) {
			bench_caches = true;
		} else {
			fprintf(stderr, "usage: bench_gdb [--sim-chip NAME] [--caches]\n");
			return 2;
		}
	}
	printf("bench_gdb: per GDB operation through the server, USB round trips and modelled time "
	       "(%s%s)\n", bench_chip, bench_caches ? ", caches on" : "");
	printf("  %-14s %28s %34s %28s\n", "probe", "stepi (s + g)", "continue to breakpoint (Z0 c z0)",
	       "the same in RAM");
	for (int k = 0; k < SIM_PROBE_KIND_COUNT; k++) {
		struct bench b;
		struct cost st, ct, rt;
		uint32_t ram = 0;
		int rc = bench_open(&b, (enum sim_probe_kind)k);

		if (!rc)
			rc = bench_steps(&b, &st);
		if (!rc)
			rc = bench_continues(&b, PROG_ADDR, &ct);
		if (!rc)
			rc = bench_ram_prog(&b, &ram);
		if (!rc)
			rc = bench_continues(&b, ram, &rt);
		if (rc)
			printf("  %-14s failed: %s: %s\n", sim_probe_kind_name((enum sim_probe_kind)k),
			       swdd_strerror(rc), swdd_err_detail());
		else
			printf("  %-14s %10llu trips %8.2f ms %14llu trips %8.2f ms %10llu trips %8.2f ms\n",
			       sim_probe_kind_name((enum sim_probe_kind)k), (unsigned long long)st.round_trips,
			       (double)st.ns / 1e6, (unsigned long long)ct.round_trips, (double)ct.ns / 1e6,
			       (unsigned long long)rt.round_trips, (double)rt.ns / 1e6);
		bench_close(&b);
		if (rc)
			return 1;
	}
	return 0;
}
