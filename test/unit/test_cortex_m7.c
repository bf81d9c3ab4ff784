/*
 * Cortex-M7 in the target layer against the lab's STM32H743 (--sim-chip
 * stm32h743: M7 r1p1 with L1 caches, FPv5 double precision), through the
 * real probe layer, on an STLINK-V3 and a CMSIS-DAP v2.
 *
 * The cache tests run code the test writes into AXI SRAM (0x24000000, in
 * the lab's cached window) with CCR.IC and CCR.DC set, and first show with
 * a raw probe access (no maintenance) that the lab really keeps the stale
 * line, so each test fails without swdd's maintenance.
 */
#include "cortex_m_internal.h"
#include "flash.h"
#include "harness.h"
#include "target_lab_util.h"
#include "probe.h"
#include "sim_probe.h"
#include "swdd_err.h"
#include "swdd_log.h"

#include <stdlib.h>
#include <string.h>

#define AXI_CODE 0x24000000U
#define AXI_DATA 0x24001000U
#define ITCM_CODE 0x00001000U
#define SCB_CCR 0xE000ED14U
#define CCR_IC_DC 0x00030000U
#define THUMB_BKPT 0xBE00U

static const enum sim_probe_kind kinds[] = { SIM_PROBE_STLINK_V3, SIM_PROBE_CMSIS_DAP_V2 };
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* An H743 whose flash holds a vector table and a branch-to-self, connected
 * and halted, with both caches on (as firmware that called
 * SCB_EnableICache/DCache leaves them). */
static int lab_open(struct lab *l, enum sim_probe_kind kind, bool caches)
{
	struct sim_config cfg = { .chip = "stm32h743" };
	struct sim_probe_config pc = { .kind = kind };
	struct swdd_connect_opts co = { .mode = SWDD_CONNECT_NORMAL, .ladder = true };
	const uint32_t flash[3] = { 0x20010000U, 0x08000009U, 0xE7FEE7FEU };
	char err[256];
	uint32_t ccr;

	memset(l, 0, sizeof(*l));
	if (sim_chip_new(&cfg, &l->chip, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "sim_chip_new: %s", err);
	if (sim_chip_backdoor_load_flash(l->chip, 0x08000000U, flash, sizeof(flash)))
		return test_fail_at(__FILE__, __LINE__, "loading flash failed");
	sim_board_power_cycle(l->chip);
	sim_chip_advance(l->chip, 1000000U);
	if (sim_probe_new(&pc, l->chip, &l->sp) || swdd_probe_open_sim(l->sp, &l->probe))
		return test_fail_at(__FILE__, __LINE__, "probe: %s", swdd_err_detail());
	if (swdd_target_connect(l->probe, &co, &l->t))
		return test_fail_at(__FILE__, __LINE__, "connect: %s", swdd_err_detail());
	if (!caches)
		return 0;
	CHECK_OK(swdd_probe_read32(l->probe, SCB_CCR, &ccr));
	CHECK_OK(swdd_probe_write32(l->probe, SCB_CCR, ccr | CCR_IC_DC));
	return 0;
}

/* Runs from pc until the core stops (bounded); returns its stop. */
static int run_from(struct lab *l, uint32_t pc, struct swdd_stop *st)
{
	CHECK_OK(set_reg(l, 15, pc));
	CHECK_OK(set_reg(l, 16, 0x01000000U)); /* xPSR.T */
	CHECK_OK(swdd_target_resume(l->t));
	for (int i = 0; i < 200; i++) {
		CHECK_OK(swdd_target_poll(l->t, st));
		if (st->reason != SWDD_STOP_NONE && st->reason != SWDD_STOP_SLEEP)
			return 0;
	}
	return test_fail_at(__FILE__, __LINE__, "the core did not stop");
}

static int put_code(struct lab *l, uint32_t addr, const uint16_t *code, size_t n, bool raw)
{
	uint8_t b[32];

	for (size_t i = 0; i < n; i++)
		swdd_put_le16(b + 2 * i, code[i]);
	if (raw)
		return swdd_probe_write_mem(l->probe, addr, b, 2 * n);
	return swdd_target_mem_write(l->t, addr, b, 2 * n);
}

/* ---- I-cache: the core executes what the debugger wrote ------------------ */

static int do_icache_rewrite(struct lab *l, enum sim_probe_kind kind)
{
	const uint16_t one[] = { 0x2001, THUMB_BKPT }, two[] = { 0x2002, THUMB_BKPT },
		       three[] = { 0x2003, THUMB_BKPT }, four[] = { 0x2004, THUMB_BKPT };
	struct swdd_stop st;

	CHECK_OK(lab_open(l, kind, true));
	CHECK_OK(put_code(l, AXI_CODE, one, 2, false));
	CHECK_OK(run_from(l, AXI_CODE, &st));
	CHECK_EQ(reg(l, 0), 1U);
	/* Without maintenance the lab's I-cache keeps `movs r0, #1`. */
	CHECK_OK(put_code(l, AXI_CODE, two, 2, true));
	CHECK_OK(run_from(l, AXI_CODE, &st));
	CHECK_EQ(reg(l, 0), 1U);
	/* swdd's write (M/X packets) invalidates it. */
	CHECK_OK(put_code(l, AXI_CODE, three, 2, false));
	CHECK_OK(run_from(l, AXI_CODE, &st));
	CHECK_EQ(reg(l, 0), 3U);
	/* Memory changed by another master, then the flash layer's hook. */
	CHECK_OK(put_code(l, AXI_CODE, four, 2, true));
	CHECK_OK(swdd_target_mem_changed(l->t, AXI_CODE, AXI_CODE + 4));
	CHECK_OK(run_from(l, AXI_CODE, &st));
	CHECK_EQ(reg(l, 0), 4U);
	CHECK(swdd_target_mem_changed(l->t, AXI_CODE + 4, AXI_CODE) == SWDD_EINVAL);
	return 0;
}

static int test_icache_rewrite(void)
{
	FOR_KINDS(do_icache_rewrite);
}

/* ---- D-cache: reads see the core's dirty lines, writes reach the core ---- */

/* The core stores v at addr (str r0, [r1]; bkpt at AXI_CODE, followed by
 * ldr r2, [r1, #4]; bkpt): with the D-cache on, a dirty line. */
static int core_store(struct lab *l, uint32_t addr, uint32_t v)
{
	const uint16_t store_load[] = { 0x6008, THUMB_BKPT, 0x684A, THUMB_BKPT };
	struct swdd_stop st;

	CHECK_OK(put_code(l, AXI_CODE, store_load, 4, false));
	CHECK_OK(set_reg(l, 0, v));
	CHECK_OK(set_reg(l, 1, addr));
	return run_from(l, AXI_CODE, &st);
}

static int do_dcache_coherent(struct lab *l, enum sim_probe_kind kind)
{
	uint32_t raw = 0, seen = 0, word = 0xA5A5A5A5U;
	struct swdd_stop st;

	CHECK_OK(lab_open(l, kind, true));
	CHECK_OK(swdd_target_mem_write(l->t, AXI_DATA, "\0\0\0\0\0\0\0\0", 8));
	CHECK_OK(core_store(l, AXI_DATA, 0x12345678U));
	/* The core's store sits in a dirty line: memory still holds 0. */
	CHECK_OK(swdd_probe_read32(l->probe, AXI_DATA, &raw));
	CHECK_EQ(raw, 0U);
	CHECK_OK(swdd_target_mem_read(l->t, AXI_DATA, &seen, 4));
	CHECK_EQ(seen, 0x12345678U);
	/* Dirty again, then a debugger write into the same line: the core
	 * must load the new word and keep its own. */
	CHECK_OK(core_store(l, AXI_DATA, 0x55AA55AAU));
	CHECK_OK(swdd_target_mem_write(l->t, AXI_DATA + 4, &word, 4));
	CHECK_OK(run_from(l, AXI_CODE + 4, &st));
	CHECK_EQ(reg(l, 2), 0xA5A5A5A5U);
	CHECK_OK(swdd_target_mem_read(l->t, AXI_DATA, &seen, 4));
	CHECK_EQ(seen, 0x55AA55AAU);
	return 0;
}

static int test_dcache_coherent(void)
{
	FOR_KINDS(do_dcache_coherent);
}

/* A read larger than the D-cache goes by set/way and still sees the line. */
static int do_dcache_big_read(struct lab *l, enum sim_probe_kind kind)
{
	const uint16_t store[] = { 0x6008, THUMB_BKPT };
	size_t len = 64 * 1024;
	uint8_t *buf = calloc(1, len);
	struct swdd_stop st;
	int rc = -1;

	if (!buf)
		return test_fail_at(__FILE__, __LINE__, "out of memory");
	if (lab_open(l, kind, true) == 0 && put_code(l, AXI_CODE, store, 2, false) == 0 &&
	    set_reg(l, 0, 0xCAFEF00DU) == 0 && set_reg(l, 1, AXI_DATA + 0x40) == 0 &&
	    run_from(l, AXI_CODE, &st) == 0 && swdd_target_mem_read(l->t, AXI_CODE, buf, len) == 0)
		rc = swdd_le32(buf + 0x1040) == 0xCAFEF00DU
			     ? 0
			     : test_fail_at(__FILE__, __LINE__,
					    "a 64 KiB read saw 0x%08x, not the core's 0xcafef00d",
					    swdd_le32(buf + 0x1040));
	else if (!test_fail_msg[0])
		rc = test_fail_at(__FILE__, __LINE__, "%s", swdd_err_detail());
	free(buf);
	return rc;
}

static int test_dcache_big_read(void)
{
	FOR_KINDS(do_dcache_big_read);
}

/* ---- software breakpoints in cached RAM ----------------------------------- */

static int do_ram_breakpoint(struct lab *l, enum sim_probe_kind kind)
{
	const uint16_t code[] = { 0x2001, 0x2002, 0x2003, THUMB_BKPT };
	struct swdd_stop st;

	CHECK_OK(lab_open(l, kind, true));
	CHECK_OK(put_code(l, AXI_CODE, code, 4, false));
	CHECK_OK(run_from(l, AXI_CODE, &st)); /* the I-cache now holds the code */
	CHECK_EQ(reg(l, 0), 3U);
	CHECK_OK(swdd_target_bp_add(l->t, SWDD_BP_SW, AXI_CODE + 2, 2));
	CHECK_OK(run_from(l, AXI_CODE, &st));
	CHECK_EQ(st.reason, SWDD_STOP_SWBREAK);
	CHECK_EQ(st.pc, AXI_CODE + 2);
	CHECK_EQ(reg(l, 0), 1U);
	/* Resume steps over it (the BKPT lifted and put back around the step). */
	CHECK_OK(swdd_target_resume(l->t));
	for (int i = 0; i < 200 && st.reason != SWDD_STOP_BKPT_INSN; i++)
		CHECK_OK(swdd_target_poll(l->t, &st));
	CHECK_EQ(st.reason, SWDD_STOP_BKPT_INSN);
	CHECK_EQ(reg(l, 0), 3U);
	CHECK_OK(swdd_target_bp_remove(l->t, SWDD_BP_SW, AXI_CODE + 2, 2));
	CHECK_OK(run_from(l, AXI_CODE, &st));
	CHECK_EQ(st.reason, SWDD_STOP_BKPT_INSN);
	CHECK_EQ(reg(l, 0), 3U);
	return 0;
}

static int test_ram_breakpoint(void)
{
	FOR_KINDS(do_ram_breakpoint);
}

/* ---- flash programmed under the I-cache ------------------------------------ */

#define FLASH_CODE 0x08020000U /* sector 1 */

/* Programs `movs r0, #imm; bkpt` at FLASH_CODE through the flash engine
 * (what `load` does: erase, program, verify). */
static int flash_code(struct lab *l, uint8_t imm)
{
	const uint8_t code[4] = { imm, 0x20, 0x00, 0xBE };
	struct swdd_flash_result r;
	struct swdd_flash *f = NULL;
	int rc = swdd_flash_open(l->t, NULL, &f);

	if (!rc)
		rc = swdd_flash_gdb_erase(f, FLASH_CODE, 128 * 1024);
	if (!rc)
		rc = swdd_flash_gdb_write(f, FLASH_CODE, code, sizeof(code));
	if (!rc)
		rc = swdd_flash_gdb_done(f, &r);
	swdd_flash_close(f);
	return rc ? test_fail_at(__FILE__, __LINE__, "flash: %s", swdd_err_detail()) : 0;
}

/* The flash engine maintains the caches after the array changed (before
 * its checksums, flash/flash.c flash_flush_caches): the whole flash range,
 * so the D-cache by set/way (clean + invalidate: stale flash data goes,
 * dirty SRAM lines reach memory first) and ICIALLU. The lab cannot keep
 * flash contents stale in its caches (no clean lines; reprogrammed flash
 * code runs new without an invalidation: docs/LAB-h7.md "Caches"), so
 * the maintenance is observed
 * through what the lab does keep: a dirty AXI SRAM line, which nothing
 * else the engine does cleans (its buffers are in DTCM). */
static int do_flash_maintenance(struct lab *l, enum sim_probe_kind kind)
{
	uint32_t raw = 1;
	struct swdd_stop st;

	CHECK_OK(lab_open(l, kind, true));
	CHECK_OK(swdd_target_mem_write(l->t, AXI_DATA, "\0\0\0\0", 4));
	CHECK_OK(core_store(l, AXI_DATA, 0x600DF1A5U));
	CHECK_OK(swdd_probe_read32(l->probe, AXI_DATA, &raw));
	CHECK_EQ(raw, 0U); /* dirty in the D-cache */
	CHECK_OK(flash_code(l, 1));
	CHECK_OK(run_from(l, FLASH_CODE, &st));
	CHECK_EQ(reg(l, 0), 1U);
	CHECK_OK(swdd_probe_read32(l->probe, AXI_DATA, &raw));
	CHECK_EQ(raw, 0x600DF1A5U); /* cleaned by the engine's DCCISW pass */
	return 0;
}

static int test_flash_maintenance(void)
{
	FOR_KINDS(do_flash_maintenance);
}

/* USB round trips of a target-layer read of len bytes at addr. */
static uint64_t read_trips(struct lab *l, uint32_t addr, uint8_t *buf, size_t len)
{
	struct swdd_probe_stats a, z;

	swdd_probe_get_stats(l->probe, &a);
	if (swdd_target_mem_read(l->t, addr, buf, len))
		return UINT64_MAX;
	swdd_probe_get_stats(l->probe, &z);
	return z.usb_round_trips - a.usb_round_trips;
}

/* The TCMs are never cached (Cortex-M7 TRM 5.1): a DTCM read with the
 * D-cache on costs what the bare probe read costs, an AXI SRAM read of the
 * same length one cleaning write per line more (ST-LINK: a round trip
 * each; CMSIS-DAP: queued into the same transfer). */
static int do_tcm_no_maintenance(struct lab *l, enum sim_probe_kind kind)
{
	uint8_t buf[1024];
	struct swdd_probe_stats a, z;
	uint64_t dtcm, axi;

	CHECK_OK(lab_open(l, kind, true));
	CHECK(read_trips(l, 0x20000400U, buf, 4) != UINT64_MAX); /* CCR read once */
	swdd_probe_get_stats(l->probe, &a);
	CHECK_OK(swdd_probe_read_mem(l->probe, 0x20000000U, buf, sizeof(buf)));
	swdd_probe_get_stats(l->probe, &z);
	dtcm = read_trips(l, 0x20000000U, buf, sizeof(buf));
	axi = read_trips(l, AXI_DATA, buf, sizeof(buf));
	CHECK_EQ(dtcm, z.usb_round_trips - a.usb_round_trips);
	CHECK(axi > dtcm);
	return 0;
}

static int test_tcm_no_maintenance(void)
{
	FOR_KINDS(do_tcm_no_maintenance);
}

/* A Z0 in ITCM (0x00000000, RM0433 2.3.2: RAM, never cached) is a BKPT
 * in memory, not an FPB comparator: the part's RAM list says so. */
static int do_itcm_breakpoint(struct lab *l, enum sim_probe_kind kind)
{
	const uint16_t code[] = { 0x2001, 0x2002, 0x2003, THUMB_BKPT };
	uint8_t raw[2];
	struct swdd_stop st;

	CHECK_OK(lab_open(l, kind, true));
	CHECK_OK(put_code(l, ITCM_CODE, code, 4, false));
	CHECK_OK(swdd_target_bp_add(l->t, SWDD_BP_SW, ITCM_CODE + 2, 2));
	CHECK_OK(swdd_probe_read_mem(l->probe, ITCM_CODE + 2, raw, 2));
	CHECK_EQ(swdd_le16(raw), THUMB_BKPT);
	CHECK_OK(run_from(l, ITCM_CODE, &st));
	CHECK_EQ(st.reason, SWDD_STOP_SWBREAK);
	CHECK_EQ(reg(l, 0), 1U);
	CHECK_OK(swdd_target_bp_remove(l->t, SWDD_BP_SW, ITCM_CODE + 2, 2));
	CHECK_OK(swdd_probe_read_mem(l->probe, ITCM_CODE + 2, raw, 2));
	CHECK_EQ(swdd_le16(raw), 0x2002U);
	return 0;
}

static int test_itcm_breakpoint(void)
{
	FOR_KINDS(do_itcm_breakpoint);
}

/* ---- FPv5 double precision: d0-d15 in the description and registers ---- */

static int do_fpu_double(struct lab *l, enum sim_probe_kind kind)
{
	/* vadd.f64 d1, d0, d0; vmov r2, r3, d1; bkpt */
	const uint16_t code[] = { 0xEE30, 0x1B00, 0xEC53, 0x2B11, THUMB_BKPT };
	uint8_t one[8] = { 0, 0, 0, 0, 0, 0, 0xF0, 0x3F }, d[8];
	uint32_t cpacr, s0 = 0, s1 = 0;
	struct swdd_stop st;
	int d0, d1;

	CHECK_OK(lab_open(l, kind, false));
	CHECK(strstr(swdd_target_xml(l->t), "<reg name=\"d15\" bitsize=\"64\"") != NULL);
	CHECK(strstr(swdd_target_xml(l->t), "<reg name=\"fpscr\"") != NULL);
	d0 = swdd_target_regnum(l->t, "d0");
	d1 = swdd_target_regnum(l->t, "d1");
	CHECK(d0 > 0 && d1 == d0 + 1);
	CHECK_EQ(swdd_target_reg_size(l->t, (unsigned)d0), 8U);
	/* d0 = s1:s0 (ARMv7-M A2.5.1): a 'P' of d0 writes both. */
	CHECK_OK(swdd_target_reg_write(l->t, (unsigned)d0, one));
	CHECK_OK(swdd_probe_read_core_reg(l->probe, CM_REGSEL_S0, &s0));
	CHECK_OK(swdd_probe_read_core_reg(l->probe, CM_REGSEL_S0 + 1, &s1));
	CHECK_EQ(s0, 0U);
	CHECK_EQ(s1, 0x3FF00000U);
	CHECK_OK(swdd_target_mem_read(l->t, SCB_CPACR, &cpacr, 4));
	cpacr |= SCB_CPACR_CP10_CP11;
	CHECK_OK(swdd_target_mem_write(l->t, SCB_CPACR, &cpacr, 4));
	CHECK_OK(put_code(l, 0x20000100U, code, 5, false));
	CHECK_OK(run_from(l, 0x20000100U, &st));
	CHECK_EQ(st.reason, SWDD_STOP_BKPT_INSN);
	CHECK_EQ(reg(l, 2), 0U); /* 2.0 = 0x4000000000000000 */
	CHECK_EQ(reg(l, 3), 0x40000000U);
	CHECK_OK(swdd_target_reg_read(l->t, (unsigned)d1, d));
	CHECK_EQ(swdd_le32(d), 0U);
	CHECK_EQ(swdd_le32(d + 4), 0x40000000U);
	return 0;
}

static int test_fpu_double(void)
{
	FOR_KINDS(do_fpu_double);
}

static const struct test_case tests[] = {
	{ "icache_rewrite", "ARMv7-M B2.2.7, B4.8 ICIALLU/ICIMVAU; Cortex-M7 TRM 5", test_icache_rewrite },
	{ "dcache_coherent", "ARMv7-M B2.2.7 DCCMVAC/DCCIMVAC; Cortex-M7 TRM 5", test_dcache_coherent },
	{ "dcache_big_read", "ARMv7-M B2.2.7 DCCSW by set/way, B4.8 CCSIDR", test_dcache_big_read },
	{ "ram_breakpoint", "ARMv7-M A7.7.17 BKPT with caches on", test_ram_breakpoint },
	{ "flash_maintenance", "ARMv7-M B2.2.7 DCCISW/ICIALLU after programming", test_flash_maintenance },
	{ "tcm_no_maintenance", "Cortex-M7 TRM 5.1: TCMs are not cached", test_tcm_no_maintenance },
	{ "itcm_breakpoint", "RM0433 2.3.2 ITCM is RAM: BKPT, not FPB", test_itcm_breakpoint },
	{ "fpu_double", "ARMv7-M B4.6 MVFR0, A2.5.1 d<n> = s<2n+1>:s<2n>", test_fpu_double },
};

TEST_MAIN("test_cortex_m7", tests)
