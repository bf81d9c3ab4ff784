/*
 * The Cortex-M7 L1 caches of the lab's STM32H7 as a debugger meets them
 * (issue 12; sim/sim_cache.c): CCR.IC keeps old instructions after a
 * debugger rewrote them until ICIALLU; a line the core wrote with CCR.DC
 * set is invisible to a non-cacheable AP0 read (HPROT[3] = 0) until it is
 * cleaned, and visible at once to a cacheable one.
 */
#include "harness.h"
#include "h7_test_util.h"

#define CSW_CACHEABLE (TU_CSW_32_INC | (1u << 27))

/* movw r1,#0; movt r1,#0x2400; movs r0,#0x55; str r0,[r1]; bkpt */
static const uint16_t store_code[] = { 0xF240, 0x0100, 0xF2C2, 0x4100, 0x2055, 0x6008, 0xBE00 };

static sim_chip *booted(const uint16_t *code, size_t n)
{
	sim_chip *c = h7_chip("stm32h743", 0);

	if (c && (h7_connect(c, 0) || h7_boot_dtcm(c, code, n))) {
		sim_chip_free(c);
		return NULL;
	}
	return c;
}

/* A chip whose core stored 0x55 at 0x24000000 with CCR.DC set, over
 * `before` in memory: the line is dirty in the D-cache. */
static sim_chip *dirty_line(uint32_t before)
{
	sim_chip *c = booted(store_code, 7);

	if (c && (tu_mem_write32(c, 0x24000000u, before) != SIM_ACK_OK ||
		  tu_mem_write32(c, H7_CCR, 0x00010200u) != SIM_ACK_OK || h7_run(c, 0x20000000u))) {
		sim_chip_free(c);
		return NULL;
	}
	return c;
}

static int t_dcache_dirty_line(void)
{
	sim_chip *c = dirty_line(0x11111111u);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x11111111u); /* memory: the line is still in the D-cache */
	CHECK_EQ(h7_ap(c, 0, CSW_CACHEABLE), 0);
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x55u); /* a cacheable access looks the D-cache up */
	CHECK_EQ(h7_ap(c, 0, TU_CSW_32_INC), 0);
	CHECK_EQ(tu_mem_write32(c, 0xE000EF68u, 0x24000000u), SIM_ACK_OK); /* DCCMVAC */
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x55u);
	sim_chip_free(c);
	return 0;
}

/* Clean by set/way: the first line allocated in set 0 is way 0. */
static int t_dcache_setway(void)
{
	sim_chip *c = dirty_line(0x33333333u);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(tu_mem_write32(c, 0xE000EF6Cu, 1u << 30), SIM_ACK_OK); /* DCCSW way 1: nothing */
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x33333333u);
	CHECK_EQ(tu_mem_write32(c, 0xE000EF6Cu, 0), SIM_ACK_OK); /* DCCSW set 0 way 0 */
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x55u);
	sim_chip_free(c);
	return 0;
}

/* DCIMVAC discards the dirty line: the core sees memory again. */
static int t_dcache_invalidate(void)
{
	sim_chip *c = dirty_line(0x22222222u);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(tu_mem_write32(c, 0xE000EF5Cu, 0x24000000u), SIM_ACK_OK); /* DCIMVAC */
	CHECK_EQ(h7_ap(c, 0, CSW_CACHEABLE), 0);
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x22222222u);
	sim_chip_free(c);
	return 0;
}

/* With the D-cache off the store reaches memory at once. */
static int t_dcache_off(void)
{
	sim_chip *c = booted(store_code, 7);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(h7_run(c, 0x20000000u), 0);
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x55u);
	sim_chip_free(c);
	return 0;
}

/* Code in AXI SRAM: movs r0,#1; bkpt. The debugger rewrites it to
 * movs r0,#2; with CCR.IC the core runs the old code until ICIALLU. */
static int t_icache_stale_code(void)
{
	static const uint16_t nop[] = { 0xBE00 };
	sim_chip *c = booted(nop, 1);
	uint32_t r0 = 0;

	CHECK(c);
	CHECK_EQ(tu_mem_write32(c, 0x24000100u, 0xBE002001u), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, H7_CCR, 0x00020200u), SIM_ACK_OK); /* IC */
	CHECK_EQ(h7_run(c, 0x24000100u), 0);
	CHECK_EQ(h7_reg(c, 0, &r0), 0);
	CHECK_EQ(r0, 1u);
	CHECK_EQ(tu_mem_write32(c, 0x24000100u, 0xBE002002u), SIM_ACK_OK);
	CHECK_EQ(h7_run(c, 0x24000100u), 0);
	CHECK_EQ(h7_reg(c, 0, &r0), 0);
	CHECK_EQ(r0, 1u);                                        /* stale: still in the I-cache */
	CHECK_EQ(tu_mem_write32(c, 0xE000EF50u, 0), SIM_ACK_OK); /* ICIALLU */
	CHECK_EQ(h7_run(c, 0x24000100u), 0);
	CHECK_EQ(h7_reg(c, 0, &r0), 0);
	CHECK_EQ(r0, 2u);
	sim_chip_free(c);
	return 0;
}

/* ICIMVAU of another line leaves the stale code; of its line, drops it. */
static int t_icache_by_address(void)
{
	static const uint16_t nop[] = { 0xBE00 };
	sim_chip *c = booted(nop, 1);
	uint32_t r0 = 0;

	CHECK(c);
	CHECK_EQ(tu_mem_write32(c, 0x24000100u, 0xBE002001u), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, H7_CCR, 0x00020200u), SIM_ACK_OK);
	CHECK_EQ(h7_run(c, 0x24000100u), 0);
	CHECK_EQ(tu_mem_write32(c, 0x24000100u, 0xBE002003u), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, 0xE000EF58u, 0x24000200u), SIM_ACK_OK); /* another line */
	CHECK_EQ(h7_run(c, 0x24000100u), 0);
	CHECK_EQ(h7_reg(c, 0, &r0), 0);
	CHECK_EQ(r0, 1u);
	CHECK_EQ(tu_mem_write32(c, 0xE000EF58u, 0x24000104u), SIM_ACK_OK); /* its line */
	CHECK_EQ(h7_run(c, 0x24000100u), 0);
	CHECK_EQ(h7_reg(c, 0, &r0), 0);
	CHECK_EQ(r0, 3u);
	sim_chip_free(c);
	return 0;
}

/* CLIDR/CCSIDR describe 16 KiB 4-way D-cache (H743) and 32 KiB (H725). */
static int t_cache_ids(void)
{
	static const struct {
		const char *chip;
		uint32_t dsets;
	} t[] = {
		{ "stm32h743", 128 },
		{ "stm32h725", 256 },
	};

	for (size_t i = 0; i < 2; i++) {
		sim_chip *c = h7_chip(t[i].chip, 0);
		uint32_t v = 0;

		CHECK(c && h7_connect(c, 0) == 0);
		CHECK_EQ(tu_mem_write32(c, 0xE000ED84u, 0), SIM_ACK_OK); /* CSSELR: L1 D */
		CHECK_EQ(tu_mem_read32(c, 0xE000ED80u, &v), SIM_ACK_OK);
		CHECK_EQ(((v >> 13) & 0x7FFFu) + 1u, t[i].dsets);
		CHECK_EQ(((v >> 3) & 0x3FFu) + 1u, 4u);
		sim_chip_free(c);
	}
	return 0;
}

static const struct test_case tests[] = {
	{ "dcache_dirty_line", "Cortex-M7 TRM 5.x; ARMv7-M B2.2.7", t_dcache_dirty_line },
	{ "dcache_invalidate", "ARMv7-M B2.2.7 DCIMVAC", t_dcache_invalidate },
	{ "dcache_setway", "ARMv7-M B2.2.7 DCCSW", t_dcache_setway },
	{ "icache_by_address", "ARMv7-M B2.2.7 ICIMVAU", t_icache_by_address },
	{ "dcache_off", "ARMv7-M B3.2.8 CCR.DC", t_dcache_off },
	{ "icache_stale_code", "ARMv7-M B2.2.7 ICIALLU", t_icache_stale_code },
	{ "cache_ids", "ARMv7-M B4.8.3 CCSIDR", t_cache_ids },
};

int main(int argc, char **argv)
{
	return test_main("test_sim_h7_cache", tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
