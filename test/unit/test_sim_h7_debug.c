/*
 * The STM32H743/H725 debug topology in the lab (issue 12): DPv2 with
 * TARGETID/DLPIDR, the three APs and the buses they reach, the ROM tables,
 * DBGMCU in both views, the Cortex-M7's ID registers, FPBv2, DWT and FPU,
 * the SCS registers that answer while NRST holds the core, the memory map
 * and AP1's D3-only view. Driven through SWD packets only.
 */
#include "harness.h"
#include "h7_test_util.h"

#include <stdlib.h>

#define AP2_CSW 0x80000052u /* word, single increment */

static int t_dp_ids(void)
{
	sim_chip *c = h7_chip("stm32h743", 0);
	uint32_t v = 0;

	CHECK(c && h7_connect(c, 0) == 0);
	CHECK_EQ(tu_dp_write(c, TU_DP_SELECT, 2), SIM_ACK_OK);
	CHECK_EQ(tu_dp_read(c, TU_DP_CTRL, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x04500041u);
	CHECK_EQ(tu_dp_write(c, TU_DP_SELECT, 3), SIM_ACK_OK);
	CHECK_EQ(tu_dp_read(c, TU_DP_CTRL, &v), SIM_ACK_OK);
	CHECK_EQ(v & 0xFu, 1u); /* PROTVSN 1: SWD protocol version 2 */
	sim_chip_free(c);
	return 0;
}

/* After a line reset a TARGETSEL naming another target deselects the DP
 * (no ACK, not even for DPIDR) until the next line reset. */
static int t_targetsel(void)
{
	sim_chip *c = h7_chip("stm32h743", 0);
	uint32_t v = 0x01230041u;

	CHECK(c && h7_connect(c, 0) == 0);
	sim_swd_line_reset(c);
	CHECK_EQ(tu_xfer(c, false, false, TU_DP_RDBUFF, &v), SIM_ACK_NONE);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_NONE);
	sim_swd_line_reset(c);
	v = 0x04500041u;
	CHECK_EQ(tu_xfer(c, false, false, TU_DP_RDBUFF, &v), SIM_ACK_NONE);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_OK);
	CHECK_EQ(v, H7_DPIDR);
	sim_chip_free(c);
	return 0;
}

static int t_ap_idrs(void)
{
	static const uint32_t idr[4] = { 0x84770001u, 0x84770001u, 0x54770002u, 0 };
	static const uint32_t base[3] = { 0xE00FE003u, 0x00000002u, 0xE00E0003u };
	sim_chip *c = h7_chip("stm32h743", 0);
	uint32_t v = 0;

	CHECK(c && h7_connect(c, 0) == 0);
	for (uint8_t ap = 0; ap < 4; ap++) {
		CHECK_EQ(tu_ap_reg_read(c, ap, 0xFC, &v), SIM_ACK_OK);
		CHECK_EQ(v, idr[ap]);
		if (ap < 3) {
			CHECK_EQ(tu_ap_reg_read(c, ap, 0xF8, &v), SIM_ACK_OK);
			CHECK_EQ(v, base[ap]);
		}
	}
	sim_chip_free(c);
	return 0;
}

static int t_dbgmcu_views(void)
{
	sim_chip *c = h7_chip("stm32h743", 0);
	uint32_t v = 0;

	CHECK(c && h7_connect(c, 0) == 0);
	CHECK_EQ(tu_mem_read32(c, 0x5C001000u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x20036450u);
	CHECK_EQ(h7_ap(c, 2, AP2_CSW), 0);
	CHECK_EQ(tu_mem_read32(c, 0xE00E1000u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x20036450u);
	CHECK_EQ(tu_mem_write32(c, 0xE00E1004u, 0x0070003Fu), SIM_ACK_OK);
	CHECK_EQ(h7_ap(c, 0, TU_CSW_32_INC), 0);
	CHECK_EQ(tu_mem_read32(c, 0x5C001004u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x0070003Fu);
	sim_chip_free(c);
	return 0;
}

/* AP0: ST's table at 0xE00FE000 (part = DEV_ID) -> PPB table; AP2: the
 * system ROM table (part = DEV_ID) -> DBGMCU. */
static int t_rom_tables(void)
{
	sim_chip *c = h7_chip("stm32h725", 0);
	uint32_t v = 0, p1 = 0;

	CHECK(c && h7_connect(c, 0) == 0);
	CHECK_EQ(tu_mem_read32(c, 0xE00FEFE0u, &v), SIM_ACK_OK);
	CHECK_EQ(tu_mem_read32(c, 0xE00FEFE4u, &p1), SIM_ACK_OK);
	CHECK_EQ(((p1 & 0xFu) << 8) | v, 0x483u);
	CHECK_EQ(tu_mem_read32(c, 0xE00FE000u, &v), SIM_ACK_OK);
	CHECK_EQ(0xE00FE000u + (v & ~0xFFFu), 0xE00FF000u);
	CHECK_EQ(tu_mem_read32(c, 0xE00FF000u, &v), SIM_ACK_OK);
	CHECK_EQ(0xE00FF000u + (v & ~0xFFFu), 0xE000E000u); /* SCS first */
	CHECK_EQ(h7_ap(c, 2, AP2_CSW), 0);
	CHECK_EQ(tu_mem_read32(c, 0xE00E0FE0u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x83u);
	CHECK_EQ(tu_mem_read32(c, 0xE00E0000u, &v), SIM_ACK_OK);
	CHECK_EQ(0xE00E0000u + (v & ~0xFFFu), 0xE00E1000u);
	sim_chip_free(c);
	return 0;
}

static int t_core_ids(void)
{
	static const struct {
		const char *chip;
		uint32_t cpuid, idc;
		uint16_t kib;
	} t[] = {
		{ "stm32h743", 0x411FC271u, 0x20036450u, 2048 },
		{ "stm32h725", 0x411FC272u, 0x10016483u, 1024 },
	};

	for (size_t i = 0; i < 2; i++) {
		sim_chip *c = h7_chip(t[i].chip, 0);
		uint32_t v = 0;

		CHECK(c && h7_connect(c, 0) == 0);
		CHECK_EQ(tu_mem_read32(c, 0xE000ED00u, &v), SIM_ACK_OK);
		CHECK_EQ(v, t[i].cpuid);
		CHECK_EQ(tu_mem_read32(c, 0x5C001000u, &v), SIM_ACK_OK);
		CHECK_EQ(v, t[i].idc);
		CHECK_EQ(tu_mem_read32(c, 0x1FF1E880u, &v), SIM_ACK_OK);
		CHECK_EQ(v & 0xFFFFu, t[i].kib);
		CHECK_EQ(tu_mem_read32(c, 0xE0002000u, &v), SIM_ACK_OK); /* FP_CTRL */
		CHECK_EQ(v >> 28, 1u);                                   /* FPBv2 */
		CHECK_EQ((v >> 4) & 0xFu, 8u);                           /* 8 instruction comparators */
		CHECK_EQ(tu_mem_read32(c, 0xE0001000u, &v), SIM_ACK_OK); /* DWT_CTRL */
		CHECK_EQ(v >> 28, 4u);
		CHECK_EQ(tu_mem_read32(c, 0xE000EF40u, &v), SIM_ACK_OK); /* MVFR0 */
		CHECK_EQ((v >> 8) & 0xFu, 2u);                           /* double precision */
		sim_chip_free(c);
	}
	return 0;
}

/* NRST held: AP0's system bus faults, the M7's reset-domain SCS registers
 * still answer and the rest of the SCS faults; AP2 works. */
static int t_nrst_held(void)
{
	sim_chip *c = h7_chip("stm32h743", 0);
	uint32_t v = 0;

	CHECK(c && h7_connect(c, 0) == 0);
	sim_board_set_nrst(c, true);
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_FAULT);
	CHECK_EQ(tu_clear_fault(c), SIM_ACK_OK);
	CHECK_EQ(tu_mem_read32(c, 0xE000ED00u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x411FC271u);
	CHECK_EQ(tu_mem_read32(c, H7_DHCSR, &v), SIM_ACK_OK);
	CHECK(v & (1u << 25));                                      /* S_RESET_ST */
	CHECK_EQ(tu_mem_read32(c, 0xE000ED04u, &v), SIM_ACK_FAULT); /* ICSR */
	CHECK_EQ(tu_clear_fault(c), SIM_ACK_OK);
	CHECK_EQ(h7_ap(c, 2, AP2_CSW), 0);
	CHECK_EQ(tu_mem_read32(c, 0xE00E1000u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x20036450u);
	sim_board_set_nrst(c, false);
	CHECK_EQ(h7_ap(c, 0, TU_CSW_32_INC), 0);
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_OK);
	sim_chip_free(c);
	return 0;
}

/* Each RAM's first and last word through AP0; AP1 reaches D3 only. */
static int t_memory_map(void)
{
	static const struct {
		uint32_t addr;
		bool d3;
	} h743[] = {
		{ 0x00000000u, false }, { 0x0000FFFCu, false }, { 0x20000000u, false },
		{ 0x2001FFFCu, false }, { 0x24000000u, false }, { 0x2407FFFCu, false },
		{ 0x30000000u, false }, { 0x30047FFCu, false }, { 0x38000000u, true },
		{ 0x3800FFFCu, true },
	};
	sim_chip *c = h7_chip("stm32h743", 0);
	uint32_t v = 0;

	CHECK(c && h7_connect(c, 0) == 0);
	for (size_t i = 0; i < sizeof(h743) / sizeof(h743[0]); i++) {
		CHECK_EQ(h7_ap(c, 0, TU_CSW_32_INC), 0);
		CHECK_EQ(tu_mem_write32(c, h743[i].addr, 0xA5000000u | (uint32_t)i), SIM_ACK_OK);
		CHECK_EQ(tu_mem_read32(c, h743[i].addr, &v), SIM_ACK_OK);
		CHECK_EQ(v, 0xA5000000u | (uint32_t)i);
		CHECK_EQ(h7_ap(c, 1, TU_CSW_32_INC), 0);
		CHECK_EQ(tu_mem_read32(c, h743[i].addr, &v), h743[i].d3 ? SIM_ACK_OK : SIM_ACK_FAULT);
		CHECK_EQ(tu_clear_fault(c), SIM_ACK_OK);
	}
	CHECK_EQ(h7_ap(c, 0, TU_CSW_32_INC), 0);
	CHECK_EQ(tu_mem_read32(c, 0x24080000u, &v), SIM_ACK_FAULT); /* past the AXI SRAM */
	sim_chip_free(c);
	return 0;
}

/* The M7 model runs double-precision code: 1.0 + 1.0 = 2.0 in r3:r2. */
static int t_fpu_double(void)
{
	static const uint16_t code[] = { 0xEEB7, 0x0B00, 0xEE30, 0x1B00, 0xEC53, 0x2B11, 0xBE00 };
	sim_chip *c = h7_chip("stm32h743", 0);
	uint32_t lo = 1, hi = 0;

	CHECK(c && h7_connect(c, 0) == 0);
	CHECK_EQ(h7_boot_dtcm(c, code, 7), 0);
	CHECK_EQ(h7_run(c, 0x20000000u), 0);
	CHECK_EQ(h7_reg(c, 2, &lo), 0);
	CHECK_EQ(h7_reg(c, 3, &hi), 0);
	CHECK_EQ(lo, 0u);
	CHECK_EQ(hi, 0x40000000u);
	sim_chip_free(c);
	return 0;
}

/* The H7 demo firmware (built for the M7, FPv5-D16) boots from flash at
 * BOOT_ADD0 and keeps running there. */
static int t_demo_boots(void)
{
	static const char *const chips[2] = { "stm32h743", "stm32h725" };

	for (int i = 0; i < 2; i++) {
		char path[256];
		uint8_t img[65536];
		size_t n;
		FILE *f;
		sim_chip *c = h7_chip(chips[i], 0);
		uint32_t v = 0;

		snprintf(path, sizeof(path), "%s/fw/%s_demo.bin",
			 getenv("SWDD_BUILD") ? getenv("SWDD_BUILD") : "build", chips[i] + 5);
		f = fopen(path, "rb");
		if (!f) {
			sim_chip_free(c);
			return test_skip_reason("build/fw/h7*_demo.bin not built (make)");
		}
		n = fread(img, 1, sizeof(img), f);
		fclose(f);
		CHECK(c && n > 0);
		CHECK_EQ(sim_chip_backdoor_load_flash(c, 0x08000000u, img, n), 0);
		sim_board_power_cycle(c);
		CHECK(h7_connect(c, 0) == 0);
		sim_chip_advance(c, 5000000);
		CHECK_EQ(tu_mem_write32(c, H7_DHCSR, 0xA05F0003u), SIM_ACK_OK);
		CHECK_EQ(tu_mem_read32(c, H7_DHCSR, &v), SIM_ACK_OK);
		CHECK_EQ(v & ((1u << 17) | (1u << 19)), 1u << 17); /* halted, no lockup */
		CHECK_EQ(h7_reg(c, 15, &v), 0);
		CHECK(v >= 0x08000000u && v < 0x08000000u + n);
		sim_chip_free(c);
	}
	return 0;
}

static const struct test_case tests[] = {
	{ "dp_ids", "ADIv5.2 B2.2.5, B2.2.11; RM0433 60.4.4", t_dp_ids },
	{ "targetsel", "ADIv5.2 B4.3.4", t_targetsel },
	{ "ap_idrs", "RM0433 60.2; ADIv5.2 C2.6", t_ap_idrs },
	{ "dbgmcu_views", "RM0433 60.5.8", t_dbgmcu_views },
	{ "rom_tables", "RM0468 63.5; ARM IHI0029", t_rom_tables },
	{ "core_ids", "Cortex-M7 TRM; ARMv7-M C1.11, C1.8, B4.1.3", t_core_ids },
	{ "nrst_held", "RM0433 60.3; Cortex-M7 TRM", t_nrst_held },
	{ "memory_map", "RM0433 2.3.2", t_memory_map },
	{ "fpu_double", "ARMv7-M B4.1.3 (FPv5-D16)", t_fpu_double },
	{ "demo_boots", "RM0433 2.6 boot address", t_demo_boots },
};

int main(int argc, char **argv)
{
	return test_main("test_sim_h7_debug", tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
