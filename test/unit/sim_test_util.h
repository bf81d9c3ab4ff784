/*
 * Helpers for the lab's chip-side unit tests: drive a sim_chip through
 * sim_swd_transfer() exactly as a probe would (ADIv5.2 B4.2 packets), with
 * virtual time moving 1 us per WAIT retry.
 */
#ifndef SWDD_SIM_TEST_UTIL_H
#define SWDD_SIM_TEST_UTIL_H

#include "sim.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TU_DP_DPIDR 0x0u
#define TU_DP_ABORT 0x0u
#define TU_DP_CTRL 0x4u
#define TU_DP_SELECT 0x8u
#define TU_DP_RESEND 0x8u
#define TU_DP_RDBUFF 0xCu
#define TU_AP_CSW 0x00u
#define TU_AP_TAR 0x04u
#define TU_AP_DRW 0x0Cu
#define TU_CSW_32_INC 0x23000052u /* word, single increment */
#define TU_WAIT_RETRIES 100000u

static inline uint8_t tu_parity(uint32_t v)
{
	return (uint8_t)(__builtin_popcount(v) & 1);
}

/* ADIv5.2 B4.2.1 request header. */
static inline uint8_t tu_req(bool ap, bool read, uint8_t a)
{
	unsigned a2 = (a >> 2) & 1u, a3 = (a >> 3) & 1u;
	unsigned par = (ap ? 1u : 0u) ^ (read ? 1u : 0u) ^ a2 ^ a3;

	return (uint8_t)(0x81u | (ap ? 2u : 0u) | (read ? 4u : 0u) | (a2 << 3) | (a3 << 4) | (par << 5));
}

/* One packet, no retry. */
static inline int tu_xfer(sim_chip *c, bool ap, bool read, uint8_t a, uint32_t *data)
{
	struct sim_swd_packet p = { .request = tu_req(ap, read, a) };
	int ack;

	if (!read) {
		p.data = *data;
		p.parity = tu_parity(*data);
	}
	ack = sim_swd_transfer(c, &p);
	if (read && ack == SIM_ACK_OK) {
		if (p.parity != tu_parity(p.data))
			return -1; /* read parity error */
		*data = p.data;
	}
	return ack;
}

/* Retries WAIT like a probe, letting 1 us of virtual time pass each time. */
static inline int tu_xfer_retry(sim_chip *c, bool ap, bool read, uint8_t a, uint32_t *data)
{
	for (unsigned i = 0; i < TU_WAIT_RETRIES; i++) {
		int ack = tu_xfer(c, ap, read, a, data);

		if (ack != SIM_ACK_WAIT)
			return ack;
		sim_chip_advance(c, 1000);
	}
	return SIM_ACK_WAIT;
}

static inline int tu_dp_read(sim_chip *c, uint8_t a, uint32_t *v)
{
	return tu_xfer_retry(c, false, true, a, v);
}

static inline int tu_dp_write(sim_chip *c, uint8_t a, uint32_t v)
{
	return tu_xfer_retry(c, false, false, a, &v);
}

/* A non-posted AP read: the AP read, then RDBUFF for its value. */
static inline int tu_ap_read(sim_chip *c, uint8_t a, uint32_t *v)
{
	uint32_t stale;
	int ack = tu_xfer_retry(c, true, true, a, &stale);

	if (ack != SIM_ACK_OK)
		return ack;
	return tu_xfer_retry(c, false, true, TU_DP_RDBUFF, v);
}

/* An AP write, then RDBUFF so its outcome (WAIT/FAULT) is seen. */
static inline int tu_ap_write(sim_chip *c, uint8_t a, uint32_t v)
{
	uint32_t dummy;
	int ack = tu_xfer_retry(c, true, false, a, &v);

	if (ack != SIM_ACK_OK)
		return ack;
	return tu_xfer_retry(c, false, true, TU_DP_RDBUFF, &dummy);
}

static inline int tu_select(sim_chip *c, uint8_t apsel, uint8_t bank)
{
	return tu_dp_write(c, TU_DP_SELECT, ((uint32_t)apsel << 24) | ((uint32_t)bank << 4));
}

/* Any AP register by its full offset: SELECT.APBANKSEL first. */
static inline int tu_ap_reg_read(sim_chip *c, uint8_t apsel, uint8_t reg, uint32_t *v)
{
	int ack = tu_select(c, apsel, reg >> 4);

	if (ack == SIM_ACK_OK)
		ack = tu_ap_read(c, reg & 0xCu, v);
	if (ack == SIM_ACK_OK)
		ack = tu_select(c, 0, 0);
	return ack;
}

static inline int tu_ap_reg_write(sim_chip *c, uint8_t apsel, uint8_t reg, uint32_t v)
{
	int ack = tu_select(c, apsel, reg >> 4);

	if (ack == SIM_ACK_OK)
		ack = tu_ap_write(c, reg & 0xCu, v);
	if (ack == SIM_ACK_OK)
		ack = tu_select(c, 0, 0);
	return ack;
}

/* JTAG-to-SWD, DPIDR, clear stickies, debug + system power-up. */
static inline int tu_connect(sim_chip *c)
{
	uint32_t v = 0;

	sim_swd_jtag_to_swd(c);
	if (tu_dp_read(c, TU_DP_DPIDR, &v) != SIM_ACK_OK || v != 0x2BA01477u)
		return -1;
	if (tu_dp_write(c, TU_DP_ABORT, 0x1Eu) != SIM_ACK_OK ||
	    tu_dp_write(c, TU_DP_CTRL, 0x50000000u) != SIM_ACK_OK ||
	    tu_dp_read(c, TU_DP_CTRL, &v) != SIM_ACK_OK || (v & 0xF0000000u) != 0xF0000000u)
		return -1;
	if (tu_select(c, 0, 0) != SIM_ACK_OK)
		return -1;
	return tu_ap_write(c, TU_AP_CSW, TU_CSW_32_INC) == SIM_ACK_OK ? 0 : -1;
}

static inline sim_chip *tu_chip(const struct sim_config *cfg)
{
	struct sim_config def = { 0 };
	sim_chip *c = NULL;
	char err[200];

	if (sim_chip_new(cfg ? cfg : &def, &c, err, sizeof(err))) {
		fprintf(stderr, "sim_chip_new: %s\n", err);
		return NULL;
	}
	return c;
}

static inline sim_chip *tu_connected_chip(const struct sim_config *cfg)
{
	sim_chip *c = tu_chip(cfg);

	if (c && tu_connect(c)) {
		sim_chip_free(c);
		return NULL;
	}
	return c;
}

/* 32-bit memory access through the AHB-AP (CSW must be word size). */
static inline int tu_mem_write32(sim_chip *c, uint32_t addr, uint32_t v)
{
	int ack = tu_ap_write(c, TU_AP_TAR, addr);

	return ack == SIM_ACK_OK ? tu_ap_write(c, TU_AP_DRW, v) : ack;
}

static inline int tu_mem_read32(sim_chip *c, uint32_t addr, uint32_t *v)
{
	int ack = tu_ap_write(c, TU_AP_TAR, addr);

	return ack == SIM_ACK_OK ? tu_ap_read(c, TU_AP_DRW, v) : ack;
}

/* A word through the AHB-AP; 0xDEADBEEF when the access fails. */
static inline uint32_t tu_rd(sim_chip *c, uint32_t addr)
{
	uint32_t v = 0xDEADBEEFu;

	tu_mem_read32(c, addr, &v);
	return v;
}

/* Boots the core into `code` placed at the start of SRAM: a vector table
 * in flash (SP at the top of SRAM, reset handler 0x20000000), then an NRST
 * pulse. */
static inline int tu_boot_sram(sim_chip *c, const uint32_t *code, size_t words)
{
	const uint32_t vec[2] = { 0x20020000u, 0x20000001u };

	if (sim_chip_backdoor_load_flash(c, 0x08000000u, vec, sizeof(vec)))
		return -1;
	for (size_t i = 0; i < words; i++)
		if (tu_mem_write32(c, 0x20000000u + 4 * (uint32_t)i, code[i]) != SIM_ACK_OK)
			return -1;
	sim_board_set_nrst(c, true);
	sim_board_set_nrst(c, false);
	return 0;
}

/* Clears the stickies after an expected FAULT. */
static inline int tu_clear_fault(sim_chip *c)
{
	return tu_dp_write(c, TU_DP_ABORT, 0x1Eu);
}

#endif
