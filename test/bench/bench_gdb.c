/*
 * GDB server benchmark: per emulated probe kind, the USB round trips
 * (swdd_probe_get_stats) and modelled milliseconds (the lab's virtual
 * clock, sim_probe_get_stats) of
 *   - a `stepi`: the 's' packet and the 'g' GDB sends after the stop (also
 *     in USB transfers, OUT and IN: an ST-LINK RW_MISC exchange is three
 *     OUTs and one IN for one round trip);
 *   - a `stepi` as GDB 13.1 really drives it (captured with `set debug remote
 *     1` against swdd on a Thumb function in flash, docs/SERVER.md): the
 *     vCont step, 17 small code reads around the new pc (its prologue and
 *     instruction analysis), 'g', 64 bytes of stack, the thread list, and
 *     the same 17 code reads again: 34 code reads per stepi;
 *   - 64 KiB of SRAM read with 'm' packets of 8 KiB (GDB's `dump memory`,
 *     `x`), in KiB per modelled second;
 *   - a `continue` to a breakpoint in flash: Z0, 'c', the polls until the
 *     stop reply, z0 (GDB inserts and removes breakpoints around a resume).
 * Packets go through the real dispatcher (server/gdb_*.c), as from GDB.
 * On the STM32F407 and the STM32H743 (Cortex-M7, issue 13): with its L1
 * caches off (after reset; stack and the read in DTCM, never cached), and
 * on (CCR.IC/DC set as firmware leaves them; stack and the 64 KiB read in
 * AXI SRAM, so each read costs the D-cache cleaning of its lines,
 * targets/cortex_m_cache.c).
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

/* A chip set-up to measure. */
struct bench_case {
	const char *chip, *what;
	bool caches;
	uint32_t ram; /* the stack (sp = ram + 0x1000) and the 64 KiB read */
};

#define SCB_CCR 0xE000ED14u /* ARMv7-M B3.2.8 */
#define SCB_CCR_IC_DC 0x00030000u

static const struct bench_case cases[] = {
	{ .chip = "stm32f407", .what = "F407", .ram = 0x20000000u },
	{ .chip = "stm32h743", .what = "H743", .ram = 0x20000000u },
	{ .chip = "stm32h743", .what = "H743 caches", .caches = true, .ram = 0x24000000u },
};

struct bench {
	const struct bench_case *c;
	sim_chip *chip;
	sim_probe *sp;
	struct swdd_probe *probe;
	struct swdd_target *t;
	struct gdb_server s;
	char last[64];
};

struct cost {
	uint64_t round_trips, transfers, ns;
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
	c->transfers = ps.usb_transfers;
	c->ns = ss.modelled_ns;
}

/* The firmware's cache enables (CCR.IC/DC), written through the target
 * layer so that it knows. */
static int bench_caches_on(struct bench *b)
{
	uint8_t ccr[4];
	int rc = swdd_target_mem_read(b->t, SCB_CCR, ccr, 4);

	ccr[2] |= (uint8_t)(SCB_CCR_IC_DC >> 16);
	return rc ? rc : swdd_target_mem_write(b->t, SCB_CCR, ccr, 4);
}

static int bench_open(struct bench *b, enum sim_probe_kind kind, const struct bench_case *bc)
{
	struct sim_config cfg = { .chip = bc->chip };
	struct sim_probe_config pc = { .kind = kind };
	struct swdd_connect_opts co = { .mode = SWDD_CONNECT_NORMAL, .speed_khz = 4000, .ladder = true };
	char err[256];
	int rc;

	memset(b, 0, sizeof(*b));
	b->c = bc;
	if (sim_chip_new(&cfg, &b->chip, err, sizeof(err)) || sim_probe_new(&pc, b->chip, &b->sp) ||
	    sim_chip_backdoor_load_flash(b->chip, PROG_ADDR, prog, sizeof(prog)))
		return SWDD_EINVAL;
	rc = swdd_probe_open_sim(b->sp, &b->probe);
	if (!rc)
		rc = swdd_target_connect(b->probe, &co, &b->t);
	if (!rc && bc->caches)
		rc = bench_caches_on(b);
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

	bench_send(b, "Pf=00010008");  /* pc = PROG_ADDR */
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
	per->transfers = (z.transfers - a.transfers) / STEPS;
	per->ns = (z.ns - a.ns) / STEPS;
	return 0;
}

/* GDB 13.1's code reads after a step stop, relative to the new pc, in the
 * order it sends them (twice per stepi). */
static const struct {
	int off;
	unsigned len;
} gdb13_code_reads[] = { { 0, 4 },  { -4, 4 }, { 0, 4 },  { -4, 4 }, { 0, 2 }, { -2, 2 },
			 { -4, 2 }, { 0, 2 },  { -2, 2 }, { -4, 2 }, { 0, 4 }, { -4, 4 },
			 { 0, 4 },  { -4, 4 }, { 0, 4 },  { 0, 4 },  { 0, 4 } };

static void bench_code_reads(struct bench *b, uint32_t pc)
{
	char pkt[32];

	for (size_t i = 0; i < sizeof(gdb13_code_reads) / sizeof(gdb13_code_reads[0]); i++) {
		snprintf(pkt, sizeof(pkt), "m%x,%x", pc + (uint32_t)gdb13_code_reads[i].off,
			 gdb13_code_reads[i].len);
		bench_send(b, pkt);
	}
}

/* The pc from a T05 stop reply's "f:" field (little-endian hex). */
static int stop_pc(const char *reply, uint32_t *pc)
{
	const char *f = strstr(reply, ";f:");
	unsigned v[4];

	if (!f || sscanf(f + 3, "%2x%2x%2x%2x", &v[0], &v[1], &v[2], &v[3]) != 4)
		return SWDD_EPROTO;
	*pc = v[0] | v[1] << 8 | v[2] << 16 | (uint32_t)v[3] << 24;
	return 0;
}

static int bench_gdb13_steps(struct bench *b, struct cost *per)
{
	struct cost a, z;
	uint32_t pc = PROG_ADDR, sp = b->c->ram + 0x1000u;
	char pkt[32], stack[32];

	bench_send(b, "Pf=00010008");
	bench_send(b, "P10=00000001");
	snprintf(pkt, sizeof(pkt), "Pd=%02x%02x%02x%02x", sp & 0xFFu, sp >> 8 & 0xFFu, sp >> 16 & 0xFFu,
		 sp >> 24);
	bench_send(b, pkt);
	snprintf(stack, sizeof(stack), "m%x,40", sp - 0x28u);
	cost_mark(b, &a);
	for (int i = 0; i < STEPS; i++) {
		bench_send(b, "vCont;s:1;c");
		if (strncmp(b->last, "$T05", 4) || stop_pc(b->last, &pc))
			return SWDD_EPROTO;
		bench_code_reads(b, pc);
		bench_send(b, "g");
		bench_send(b, stack);
		bench_send(b, "qfThreadInfo");
		bench_send(b, "qsThreadInfo");
		bench_code_reads(b, pc);
	}
	cost_mark(b, &z);
	per->round_trips = (z.round_trips - a.round_trips) / STEPS;
	per->ns = (z.ns - a.ns) / STEPS;
	return 0;
}

#define READ_LEN (64u * 1024u)
#define READ_CHUNK 0x2000u

static int bench_reads(struct bench *b, struct cost *total)
{
	struct cost a, z;
	char pkt[32];

	cost_mark(b, &a);
	for (uint32_t off = 0; off < READ_LEN; off += READ_CHUNK) {
		snprintf(pkt, sizeof(pkt), "m%x,%x", b->c->ram + off, READ_CHUNK);
		bench_send(b, pkt);
		if (b->last[0] != '$' || b->last[1] == 'E')
			return SWDD_EPROTO;
	}
	cost_mark(b, &z);
	total->round_trips = z.round_trips - a.round_trips;
	total->ns = z.ns - a.ns;
	return 0;
}

static int bench_continues(struct bench *b, struct cost *per)
{
	struct cost a, z;

	cost_mark(b, &a);
	for (int i = 0; i < CONTINUES; i++) {
		bench_send(b, "Pf=00010008");
		bench_send(b, "Z0,8000108,2");
		bench_send(b, "c");
		for (int n = 0; n < 10000 && gdb_server_running(&b->s); n++)
			gdb_server_poll(&b->s);
		if (strncmp(b->last, "$T05", 4))
			return SWDD_EPROTO;
		bench_send(b, "z0,8000108,2");
	}
	cost_mark(b, &z);
	per->round_trips = (z.round_trips - a.round_trips) / CONTINUES;
	per->ns = (z.ns - a.ns) / CONTINUES;
	return 0;
}

static void bench_row(const struct bench_case *bc, enum sim_probe_kind kind)
{
	struct bench b;
	struct cost st, gt, ct, rt;
	int rc = bench_open(&b, kind, bc);

	if (!rc)
		rc = bench_steps(&b, &st);
	if (!rc)
		rc = bench_gdb13_steps(&b, &gt);
	if (!rc)
		rc = bench_continues(&b, &ct);
	if (!rc)
		rc = bench_reads(&b, &rt);
	if (rc)
		printf("  %-12s %-14s failed: %s: %s\n", bc->what, sim_probe_kind_name(kind),
		       swdd_strerror(rc), swdd_err_detail());
	else
		printf("  %-12s %-14s %3llu trips %3llu xfers %6.2f ms %6llu trips %8.2f ms %6llu trips "
		       "%8.2f ms "
		       "%8.1f KiB/s %5llu trips\n",
		       bc->what, sim_probe_kind_name(kind), (unsigned long long)st.round_trips,
		       (unsigned long long)st.transfers, (double)st.ns / 1e6,
		       (unsigned long long)gt.round_trips, (double)gt.ns / 1e6,
		       (unsigned long long)ct.round_trips, (double)ct.ns / 1e6, 64.0 / ((double)rt.ns / 1e9),
		       (unsigned long long)rt.round_trips);
	bench_close(&b);
	if (rc)
		exit(1);
}

int main(void)
{
	printf("bench_gdb: per GDB operation through the server, USB round trips and modelled time\n");
	printf("  %-12s %-14s %29s %24s %24s %23s\n", "chip", "probe", "stepi (s + g; USB transfers)",
	       "stepi (GDB 13 sequence)", "continue to flash bkpt", "64 KiB read (m 8 KiB)");
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		for (int k = 0; k < SIM_PROBE_KIND_COUNT; k++)
			bench_row(&cases[c], (enum sim_probe_kind)k);
	return 0;
}
