/*
 * Helpers for the STM32H7 lab tests (test_sim_h7_*.c) on top of
 * sim_test_util.h: connect to the DPv2, pick an AP, word accesses through
 * it, and running code the test places in DTCM.
 */
#ifndef SWDD_H7_TEST_UTIL_H
#define SWDD_H7_TEST_UTIL_H

#include "sim_test_util.h"

#define H7_DPIDR 0x6BA02477u
#define H7_DHCSR 0xE000EDF0u
#define H7_DCRSR 0xE000EDF4u
#define H7_DCRDR 0xE000EDF8u
#define H7_CCR 0xE000ED14u

static inline sim_chip *h7_chip(const char *name, uint32_t faults)
{
	struct sim_config cfg = { .chip = name, .faults = faults };

	return tu_chip(&cfg);
}

/* JTAG-to-SWD, DPIDR, power-up; AP `ap` selected with a word CSW. */
static inline int h7_connect(sim_chip *c, uint8_t ap)
{
	uint32_t v = 0;

	sim_swd_jtag_to_swd(c);
	if (tu_dp_read(c, TU_DP_DPIDR, &v) != SIM_ACK_OK || v != H7_DPIDR)
		return -1;
	if (tu_dp_write(c, TU_DP_ABORT, 0x1Eu) != SIM_ACK_OK ||
	    tu_dp_write(c, TU_DP_CTRL, 0x50000000u) != SIM_ACK_OK)
		return -1;
	if (tu_select(c, ap, 0) != SIM_ACK_OK)
		return -1;
	return tu_ap_write(c, TU_AP_CSW, TU_CSW_32_INC) == SIM_ACK_OK ? 0 : -1;
}

static inline int h7_ap(sim_chip *c, uint8_t ap, uint32_t csw)
{
	if (tu_select(c, ap, 0) != SIM_ACK_OK)
		return -1;
	return tu_ap_write(c, TU_AP_CSW, csw) == SIM_ACK_OK ? 0 : -1;
}

/* Boots code placed in DTCM at 0x20000000 (vector table in flash at the
 * default boot address 0x08000000, RM0433 2.6), halted at its first
 * instruction (VC_CORERESET). AP0 must be selected. */
static inline int h7_boot_dtcm(sim_chip *c, const uint16_t *code, size_t halfwords)
{
	const uint32_t vec[2] = { 0x20010000u, 0x20000001u };

	if (sim_chip_backdoor_load_flash(c, 0x08000000u, vec, sizeof(vec)))
		return -1;
	for (size_t i = 0; i < halfwords; i += 2) {
		uint32_t hi = i + 1 < halfwords ? code[i + 1] : 0xBE00u; /* pad with BKPT */
		uint32_t w = code[i] | hi << 16;

		if (tu_mem_write32(c, 0x20000000u + 2 * (uint32_t)i, w) != SIM_ACK_OK)
			return -1;
	}
	if (tu_mem_write32(c, H7_DHCSR, 0xA05F0003u) != SIM_ACK_OK ||
	    tu_mem_write32(c, 0xE000EDFCu, 0x01000001u) != SIM_ACK_OK)
		return -1;
	sim_board_set_nrst(c, true);
	sim_board_set_nrst(c, false);
	return 0;
}

/* Resumes from `pc` and runs until the core halts (BKPT), at most 10 ms. */
static inline int h7_run(sim_chip *c, uint32_t pc)
{
	uint32_t v = 0;

	if (tu_mem_write32(c, H7_DCRDR, pc | 1u) != SIM_ACK_OK ||
	    tu_mem_write32(c, H7_DCRSR, 0x1000Fu) != SIM_ACK_OK ||
	    tu_mem_write32(c, H7_DHCSR, 0xA05F0001u) != SIM_ACK_OK)
		return -1;
	for (int i = 0; i < 100; i++) {
		sim_chip_advance(c, 100000);
		if (tu_mem_read32(c, H7_DHCSR, &v) == SIM_ACK_OK && (v & (1u << 17)))
			return 0;
	}
	return -1;
}

static inline int h7_reg(sim_chip *c, unsigned regsel, uint32_t *v)
{
	if (tu_mem_write32(c, H7_DCRSR, regsel) != SIM_ACK_OK)
		return -1;
	return tu_mem_read32(c, H7_DCRDR, v) == SIM_ACK_OK ? 0 : -1;
}

#endif
