/*
 * Single steps through the GDB server (the real packet dispatcher, as from
 * GDB) against the lab, on every probe kind and on ST-LINK firmware too
 * old for RW_MISC: the USB round trips of `s` + `g` (issue 15: at most 2),
 * and the stop reasons the step path decodes from DFSR (ARMv7-M C1.6.1):
 * a watchpoint hit by the stepped instruction, with its address; a step
 * into an exception handler, with and without a vector catch; DFSR
 * cleared before a `c`, so the next stop's reason is exact; a step on a
 * core that cannot halt ends with an error. Also a fault inside an
 * RW_MISC queue (docs/STLINK-PROTOCOL.md §8) named with its address.
 *
 * Program in flash (the one of test_cortex_m_lab.c):
 *   0x08000040  ldr r1, =0x20001000 ; ldr r3, =0x20001004 ; movs r0, #0
 *   0x08000046  loop: adds r0, #1
 *   0x08000048        str r0, [r1]        (COUNTER)
 *   0x0800004a        ldr r2, [r3]        (INPUT)
 *   0x0800004c        b loop
 *   0x0800004e  fault: b fault            (every exception vector)
 */
#include "gdb_server.h"
#include "harness.h"
#include "probe.h"
#include "rsp.h"
#include "sim.h"
#include "sim_probe.h"
#include "swdd_err.h"
#include "swdd_le.h"
#include "target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLASH 0x08000000U
#define RESET_PC 0x08000040U
#define LOOP 0x08000046U
#define STR_INSN 0x08000048U
#define LDR_INSN 0x0800004AU
#define FAULT_PC 0x0800004EU
#define COUNTER 0x20001000U
#define INPUT 0x20001004U
#define UNMAPPED 0xD0000000U  /* reserved in the F407 memory map (RM0090 2.3): a bus fault */
#define SCB_DFSR 0xE000ED30U  /* ARMv7-M C1.6.1 */
#define DCB_DEMCR 0xE000EDFCU /* ARMv7-M C1.6.5 */
#define DEMCR_VC_HARDERR (1U << 10)
#define STEPS 10

static const uint16_t prog_code[] = { 0x4903, 0x4b04, 0x2000, 0x3001, 0x6008, 0x681a,
				      0xe7fb, 0xe7fe, 0x1000, 0x2000, 0x1004, 0x2000 };

/* A probe kind and firmware J version (0: the lab's default), and the
 * most USB round trips `s` + `g` may take on it. */
struct step_kind {
	enum sim_probe_kind kind;
	unsigned fw_jtag;
	unsigned max_trips;
};

static const struct step_kind step_kinds[] = {
	{ SIM_PROBE_STLINK_V2, 0, 2 },    { SIM_PROBE_STLINK_V21, 0, 2 },   { SIM_PROBE_STLINK_V3, 0, 2 },
	{ SIM_PROBE_STLINK_V2, 31, 4 }, /* before RW_MISC (V2J32): docs/SERVER.md */
	{ SIM_PROBE_STLINK_V3, 1, 4 },  /* before RW_MISC (V3J2) */
	{ SIM_PROBE_CMSIS_DAP_V1, 0, 2 }, { SIM_PROBE_CMSIS_DAP_V2, 0, 2 },
};
#define NSTEP_KINDS (sizeof(step_kinds) / sizeof(step_kinds[0]))

struct glab {
	sim_chip *chip;
	sim_probe *sp;
	struct swdd_probe *probe;
	struct swdd_target *t;
	struct gdb_server s;
	bool server;
	char last[512];
};

static int glab_write(void *ctx, const void *buf, size_t len)
{
	struct glab *g = ctx;
	size_t n = len < sizeof(g->last) - 1 ? len : sizeof(g->last) - 1;

	memcpy(g->last, buf, n);
	g->last[n] = '\0';
	return 0;
}

/* Sends one packet; g->last holds the reply. */
static const char *gsend(struct glab *g, const char *payload)
{
	char framed[256];
	long n = rsp_frame(payload, strlen(payload), framed, sizeof(framed));

	g->last[0] = '\0';
	gdb_server_input(&g->s, (const uint8_t *)framed, (size_t)n);
	return g->last;
}

static void glab_close(struct glab *g)
{
	if (g->server) {
		gdb_server_client_end(&g->s);
		gdb_server_free(&g->s);
	}
	swdd_target_free(g->t);
	swdd_probe_close(g->probe);
	sim_probe_free(g->sp);
	sim_chip_free(g->chip);
	memset(g, 0, sizeof(*g));
}

static void image_build(uint8_t *image)
{
	for (int i = 0; i < 16; i++)
		swdd_put_le32(image + 4 * i, i == 0 ? 0x20020000U : i == 1 ? RESET_PC | 1U : FAULT_PC | 1U);
	for (size_t i = 0; i < sizeof(prog_code) / 2; i++)
		swdd_put_le16(image + 0x40 + 2 * i, prog_code[i]);
}

static int glab_open_faults(struct glab *g, const struct step_kind *k, const char *faults)
{
	struct sim_config cfg = { 0 };
	struct sim_probe_config pc = { .kind = k->kind, .fw_jtag = k->fw_jtag };
	struct swdd_connect_opts co = { .mode = SWDD_CONNECT_NORMAL, .speed_khz = 4000, .ladder = true };
	uint8_t image[0x58];
	char err[256];

	memset(g, 0, sizeof(*g));
	image_build(image);
	if (faults && sim_config_parse_faults(&cfg, faults, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "fault spec: %s", err);
	if (sim_chip_new(&cfg, &g->chip, err, sizeof(err)) ||
	    sim_chip_backdoor_load_flash(g->chip, FLASH, image, sizeof(image)))
		return test_fail_at(__FILE__, __LINE__, "lab chip: %s", err);
	sim_board_power_cycle(g->chip);
	if (sim_probe_new(&pc, g->chip, &g->sp) || swdd_probe_open_sim(g->sp, &g->probe) ||
	    swdd_target_connect(g->probe, &co, &g->t))
		return test_fail_at(__FILE__, __LINE__, "connect: %s", swdd_err_detail());
	CHECK_OK(gdb_server_init(&g->s, g->t, glab_write, g));
	g->server = true;
	CHECK_OK(gdb_server_client_begin(&g->s));
	gsend(g, "qSupported:swbreak+;hwbreak+");
	gsend(g, "QStartNoAckMode");
	return 0;
}

static int glab_open(struct glab *g, const struct step_kind *k)
{
	return glab_open_faults(g, k, NULL);
}

/* 'P' of a register (GDB number) with a 32-bit value. */
static void gset(struct glab *g, unsigned regno, uint32_t v)
{
	char pkt[32];

	snprintf(pkt, sizeof(pkt), "P%x=%02x%02x%02x%02x", regno, v & 0xFFu, v >> 8 & 0xFFu, v >> 16 & 0xFFu,
		 v >> 24);
	gsend(g, pkt);
}

/* pc at `pc` in Thumb state, r1/r3 pointing at COUNTER/INPUT. */
static void gat(struct glab *g, uint32_t pc)
{
	gset(g, 1, COUNTER);
	gset(g, 3, INPUT);
	gset(g, 0x10, 0x01000000U); /* xPSR.T */
	gset(g, 15, pc);
}

/* The pc a T stop reply carries ("f:" field, little-endian hex). */
static uint32_t reply_pc(const char *r)
{
	const char *f = strstr(r, ";f:");
	unsigned v[4] = { 0 };

	if (!f || sscanf(f + 3, "%2x%2x%2x%2x", &v[0], &v[1], &v[2], &v[3]) != 4)
		return 0xFFFFFFFFU;
	return v[0] | v[1] << 8 | v[2] << 16 | (uint32_t)v[3] << 24;
}

static uint64_t trips(struct glab *g)
{
	struct swdd_probe_stats st;

	swdd_probe_get_stats(g->probe, &st);
	return st.usb_round_trips;
}

#define FOR_STEP_KINDS(body)                                                                                 \
	for (size_t k = 0; k < NSTEP_KINDS; k++) {                                                           \
		struct glab g;                                                                               \
		int _r = (body)(&g, &step_kinds[k]);                                                         \
		glab_close(&g);                                                                              \
		if (_r) {                                                                                    \
			size_t _n = strlen(test_fail_msg);                                                   \
			snprintf(test_fail_msg + _n, sizeof(test_fail_msg) - _n, " [%s J%u]",                \
				 sim_probe_kind_name(step_kinds[k].kind), step_kinds[k].fw_jtag);            \
			return _r;                                                                           \
		}                                                                                            \
	}                                                                                                    \
	return 0

/* ---- round trips ----------------------------------------------------------- */

static int do_round_trips(struct glab *g, const struct step_kind *k)
{
	uint64_t a, z;

	CHECK_OK(glab_open(g, k));
	gat(g, LOOP);
	gsend(g, "s"); /* the first step may change C_MASKINTS: one more write */
	a = trips(g);
	for (int i = 0; i < STEPS; i++) {
		CHECK(strncmp(gsend(g, "s"), "$T05", 4) == 0);
		CHECK(gsend(g, "g")[0] == '$' && g->last[1] != 'E');
	}
	z = trips(g);
	printf("round trips: %-13s J%-3u s + g = %.1f\n", sim_probe_kind_name(k->kind), k->fw_jtag,
	       (double)(z - a) / STEPS);
	if (z - a > (uint64_t)k->max_trips * STEPS)
		return test_fail_at(__FILE__, __LINE__,
				    "s + g took %llu round trips per step, at most %u allowed",
				    (unsigned long long)((z - a) / STEPS), k->max_trips);
	return 0;
}

static int test_round_trips(void)
{
	FOR_STEP_KINDS(do_round_trips);
}

/* ---- stop reasons of a step --------------------------------------------------- */

/* The stepped instruction hits a watchpoint: the reply names the kind and
 * the address (DFSR.DWTTRAP, then the comparator's MATCHED bit, ARMv7-M
 * C1.8.17); a plain step after it is a plain step again. */
static int do_step_watch(struct glab *g, const struct step_kind *k)
{
	static const struct {
		const char *z, *unz;
		uint32_t pc;
		const char *want;
	} rows[] = {
		{ "Z2,20001000,4", "z2,20001000,4", STR_INSN, "watch:20001000;" },
		{ "Z3,20001004,4", "z3,20001004,4", LDR_INSN, "rwatch:20001004;" },
		{ "Z4,20001000,4", "z4,20001000,4", STR_INSN, "awatch:20001000;" },
	};

	CHECK_OK(glab_open(g, k));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CHECK_STR_CONTAINS(gsend(g, rows[i].z), "$OK");
		gat(g, rows[i].pc);
		CHECK_STR_CONTAINS(gsend(g, "s"), rows[i].want);
		CHECK_EQ(reply_pc(g->last), rows[i].pc + 2);
		CHECK_STR_CONTAINS(gsend(g, rows[i].unz), "$OK");
		CHECK(strncmp(gsend(g, "s"), "$T05thread", 10) == 0); /* no reason: a step */
	}
	return 0;
}

static int test_step_watch(void)
{
	FOR_STEP_KINDS(do_step_watch);
}

/* A load from nowhere: the step enters the HardFault handler (BusFault
 * escalated, ARMv7-M B1.5.14) and stops on its first instruction as a
 * step; with DEMCR.VC_HARDERR the same step stops as a vector catch
 * (C1.6.5), also at the handler, with no reason pair. */
static int do_step_exception(struct glab *g, const struct step_kind *k)
{
	uint8_t b[4];

	CHECK_OK(glab_open(g, k));
	for (int vc = 0; vc < 2; vc++) {
		if (vc) {
			CHECK_OK(swdd_target_mem_read(g->t, DCB_DEMCR, b, 4));
			swdd_put_le32(b, swdd_le32(b) | DEMCR_VC_HARDERR);
			CHECK_OK(swdd_target_mem_write(g->t, DCB_DEMCR, b, 4));
		}
		gat(g, LDR_INSN);
		gset(g, 3, UNMAPPED);
		CHECK(strncmp(gsend(g, "s"), "$T05thread", 10) == 0);
		CHECK_EQ(reply_pc(g->last), FAULT_PC);
		CHECK_EQ(swdd_target_last_stop(g->t)->reason, vc ? SWDD_STOP_VCATCH : SWDD_STOP_STEP);
		CHECK(strncmp(gsend(g, "s"), "$T05thread", 10) == 0); /* b . in the handler */
		CHECK_EQ(reply_pc(g->last), FAULT_PC);
		CHECK_EQ(swdd_target_last_stop(g->t)->reason, SWDD_STOP_STEP);
	}
	return 0;
}

static int test_step_exception(void)
{
	FOR_STEP_KINDS(do_step_exception);
}

/* Whatever the steps left in DFSR (HALTED; DWTTRAP after a watchpoint
 * step) is cleared by the batch that starts a `c` (DFSR is write-one-to-
 * clear, C1.6.1): read on the running core it is 0, and the stop that
 * ends the `c` reports its own reason. */
static int do_dfsr_before_c(struct glab *g, const struct step_kind *k)
{
	uint32_t dfsr = 0xFFFFFFFFU;

	CHECK_OK(glab_open(g, k));
	CHECK_STR_CONTAINS(gsend(g, "Z2,20001000,4"), "$OK");
	gat(g, STR_INSN);
	CHECK_STR_CONTAINS(gsend(g, "s"), "watch:20001000;");
	CHECK_STR_CONTAINS(gsend(g, "z2,20001000,4"), "$OK");
	gsend(g, "s");
	CHECK_STR_CONTAINS(gsend(g, "Z1,8000046,2"), "$OK");
	gsend(g, "c");
	CHECK(gdb_server_running(&g->s));
	for (int n = 0; n < 1000 && gdb_server_running(&g->s); n++)
		gdb_server_poll(&g->s);
	CHECK_STR_CONTAINS(g->last, "hwbreak:;");
	CHECK(strstr(g->last, "watch") == NULL);
	CHECK_EQ(reply_pc(g->last), LOOP);
	CHECK_STR_CONTAINS(gsend(g, "z1,8000046,2"), "$OK");
	gsend(g, "c");
	CHECK(gdb_server_running(&g->s));
	CHECK_OK(swdd_probe_read32(g->probe, SCB_DFSR, &dfsr));
	CHECK_EQ(dfsr, 0);
	return 0;
}

static int test_dfsr_before_c(void)
{
	FOR_STEP_KINDS(do_dfsr_before_c);
}

/* NRST held low: the core is in reset and never halts after the step.
 * The step ends within its bound with an error that says so. */
static int do_step_no_halt(struct glab *g, const struct step_kind *k)
{
	int rc;

	CHECK_OK(glab_open(g, k));
	CHECK_OK(swdd_probe_nrst(g->probe, true));
	rc = swdd_target_step(g->t);
	(void)swdd_probe_nrst(g->probe, false);
	CHECK(rc != 0);
	CHECK_STR_CONTAINS(swdd_err_detail(), "halt");
	return 0;
}

static int test_step_no_halt(void)
{
	FOR_STEP_KINDS(do_step_no_halt);
}

/* ---- a fault inside a queue --------------------------------------------------- */

/* A write, a read that faults, a read: the flush names the faulting
 * access and its address, the write before it was made (RW_MISC items
 * run in order, each with its own status). */
static int do_queue_fault(struct glab *g, const struct step_kind *k)
{
	uint32_t a = 0, b = 0, v = 0;
	int rc;

	CHECK_OK(glab_open(g, k));
	CHECK_OK(swdd_probe_queue_write32(g->probe, COUNTER, 0x1234ABCDU));
	CHECK_OK(swdd_probe_queue_read32(g->probe, UNMAPPED, &a));
	CHECK_OK(swdd_probe_queue_read32(g->probe, INPUT, &b));
	rc = swdd_probe_flush(g->probe);
	CHECK_EQ(rc, SWDD_EFAULT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "0xd0000000");
	CHECK_STR_CONTAINS(swdd_err_detail(), "queued access 2 of 3");
	CHECK_OK(swdd_probe_read32(g->probe, COUNTER, &v));
	CHECK_EQ(v, 0x1234ABCDU);
	return 0;
}

static int test_queue_fault(void)
{
	FOR_STEP_KINDS(do_queue_fault);
}

/* A read of flash while a sector erases stalls the bus (RM0090 3.5.1):
 * the ST-LINK firmware answers SWD_AP_WAIT after its own retries
 * (docs/LAB-stlink.md). Inside RW_MISC that item fails and nothing after
 * it runs; the driver makes that access again on its own, with the
 * back-off of a single command, and reports the WAIT it kept getting. */
#define FLASH_KEYR 0x40023C04U /* RM0090 3.9.2 */
#define FLASH_SR 0x40023C0CU   /* RM0090 3.9.4 */
#define FLASH_CR 0x40023C10U   /* RM0090 3.9.5 */
#define SECTOR1 0x08004000U

static int do_queue_wait(struct glab *g, const struct step_kind *k)
{
	uint32_t sr = 0, v = 0, sr2 = 0;
	int rc;

	if (k->kind > SIM_PROBE_STLINK_V3)
		return 0; /* CMSIS-DAP's WAIT retries are the host's own setting */
	CHECK_OK(glab_open(g, k));
	CHECK_OK(swdd_probe_write32(g->probe, FLASH_KEYR, 0x45670123U));
	CHECK_OK(swdd_probe_write32(g->probe, FLASH_KEYR, 0xCDEF89ABU));
	CHECK_OK(swdd_probe_write32(g->probe, FLASH_CR, 0x20AU));   /* PSIZE x32, SNB 1, SER */
	CHECK_OK(swdd_probe_write32(g->probe, FLASH_CR, 0x1020AU)); /* + STRT */
	CHECK_OK(swdd_probe_queue_read32(g->probe, FLASH_SR, &sr));
	CHECK_OK(swdd_probe_queue_read32(g->probe, SECTOR1, &v));
	CHECK_OK(swdd_probe_queue_read32(g->probe, FLASH_SR, &sr2));
	rc = swdd_probe_flush(g->probe);
	CHECK_EQ(rc, SWDD_EWAIT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "retries");
	CHECK_STR_CONTAINS(swdd_err_detail(), "queued access 2 of 3");
	CHECK(sr & (1U << 16)); /* BSY: read before the stall */
	for (int i = 0; i < 10000 && (sr & (1U << 16)); i++)
		CHECK_OK(swdd_probe_read32(g->probe, FLASH_SR, &sr));
	CHECK(!(sr & (1U << 16)));
	return 0;
}

static int test_queue_wait(void)
{
	FOR_STEP_KINDS(do_queue_wait);
}

static const struct test_case tests[] = {
	{ "round_trips", "issue 15: s + g in <= 2 USB round trips; docs/STLINK-PROTOCOL.md 8",
	  test_round_trips },
	{ "step_watch", "ARMv7-M C1.6.1 DFSR.DWTTRAP, C1.8.17 DWT_FUNCTION.MATCHED", test_step_watch },
	{ "step_exception", "ARMv7-M B1.5.14 fault escalation, C1.6.5 DEMCR.VC_HARDERR",
	  test_step_exception },
	{ "dfsr_before_c", "ARMv7-M C1.6.1 DFSR write-one-to-clear", test_dfsr_before_c },
	{ "step_no_halt", "ARMv7-M C1.6.2 C_STEP; every wait has a bound", test_step_no_halt },
	{ "queue_fault", "ADIv5.2 C2.6 MEM-AP fault; docs/STLINK-PROTOCOL.md 8", test_queue_fault },
	{ "queue_wait", "ADIv5.2 B4.2 WAIT; docs/STLINK-PROTOCOL.md 4, 8", test_queue_wait },
};

TEST_MAIN("test_step_lab", tests)
