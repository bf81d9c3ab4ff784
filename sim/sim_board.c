/*
 * The board around the simulated STM32 (any row of the chip table): the
 * NRST line (RM0090 6.1.2 / RM0433 8.4.2 "System reset": an external low
 * level on NRST resets everything but the debug logic and the backup
 * domain), the target supply a probe senses on
 * its VREF pin, the SWD wiring, and the fault knobs of issue "The lab,
 * part 1".
 */
#include "sim_chip_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOARD_DEFAULT_MV 3300
#define BOARD_DEFAULT_MAX_KHZ 50000u
/* The lab board's HSE crystal: 8 MHz, within RM0090 7.2.1's 4-26 MHz and
 * what ST's STM32F4 discovery boards fit. */
#define BOARD_DEFAULT_HSE_HZ 8000000u

/* The level NRST actually has. With the push-pull knob a supervisor
 * drives it high and the probe's open-drain pull-down loses. */
bool sim_board_nrst_low(const sim_chip *c)
{
	if (c->cfg.faults & SIM_FAULT_NRST_PUSH_PULL)
		return false;
	return c->nrst_probe_low || c->nrst_supervisor_low;
}

void sim_board_core_left_reset(sim_chip *c)
{
	c->boot_ns = c->now_ns;
	c->swd_pins_remapped = false;
	c->halted_since_boot = false;
}

/* While NRST is low the core and the peripherals are held in reset; the
 * reset itself (vector fetch, VC_CORERESET) happens at the release. */
void sim_board_set_nrst(sim_chip *c, bool asserted)
{
	bool was_low = sim_board_nrst_low(c), low;

	c->nrst_probe_low = asserted;
	low = sim_board_nrst_low(c);
	if (low == was_low)
		return;
	if (low) {
		sim_core_hold_reset(c, true);
		sim_periph_reset(c);
		c->swd_pins_remapped = false;
		return;
	}
	sim_chip_system_reset(c);
	sim_core_hold_reset(c, false);
}

void sim_board_power_off(sim_chip *c)
{
	c->cfg.faults |= SIM_FAULT_UNPOWERED;
	sim_core_hold_reset(c, true);
	sim_flash_reset(c);
}

int sim_board_watchdog_start(sim_chip *c, unsigned ms)
{
	if (!c->desc->soc->watchdog_start || !ms)
		return -1;
	c->desc->soc->watchdog_start(c, ms);
	return 0;
}

uint32_t sim_board_hse_hz(const sim_chip *c)
{
	return c->cfg.hse_hz ? c->cfg.hse_hz : BOARD_DEFAULT_HSE_HZ;
}

int sim_board_voltage_mv(const sim_chip *c)
{
	if (c->cfg.faults & SIM_FAULT_UNPOWERED)
		return 0;
	return c->cfg.target_mv > 0 ? c->cfg.target_mv : BOARD_DEFAULT_MV;
}

bool sim_board_swd_alive(const sim_chip *c)
{
	if (sim_board_voltage_mv(c) <= 0 || (c->cfg.faults & SIM_FAULT_NO_TARGET))
		return false;
	/* RM0090 3.7.3: RDP level 2 disables the debug port for good. */
	return !c->swd_pins_remapped && !c->flash_ops->debug_disabled(c);
}

bool sim_board_swd_too_fast(const sim_chip *c)
{
	unsigned limit = c->cfg.max_swd_khz ? c->cfg.max_swd_khz : BOARD_DEFAULT_MAX_KHZ;

	if ((c->cfg.faults & SIM_FAULT_SIGNAL_INTEGRITY) && c->cfg.si_max_khz < limit)
		limit = c->cfg.si_max_khz;
	return c->swd_khz > limit;
}

/* swd-disabled-by-firmware: the firmware reconfigures PA13/PA14 as GPIO
 * (RM0090 8.3.2) SIM_SWD_REMAP_NS after it starts; a core halted before
 * that (connect under reset with VC_CORERESET) never gets there. */
void sim_board_tick(sim_chip *c, uint64_t dt_ns)
{
	if (c->desc->soc->tick)
		c->desc->soc->tick(c, dt_ns);
	if (!(c->cfg.faults & SIM_FAULT_SWD_DISABLED) || c->swd_pins_remapped || c->halted_since_boot ||
	    sim_board_nrst_low(c))
		return;
	if (sim_core_halted(c))
		c->halted_since_boot = true;
	else if (c->now_ns - c->boot_ns >= SIM_SWD_REMAP_NS)
		c->swd_pins_remapped = true;
}

/* ---- --sim-fault parsing ---------------------------------------------- */

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!*s)
		return -1;
	v = strtoul(s, &end, 0);
	if (*end || v > 0xFFFFFFFFul)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* "2", "1-3+5": sectors 0..11 of the F407 (RM0090 3.3 Table 5), 0..15 of
 * the H743 (bank 2 sector s = 8 + s, RM0433 4.3.3). */
static int parse_sectors(const char *s, uint32_t *mask)
{
	char buf[64], *save = NULL, *tok;

	if (strlen(s) >= sizeof(buf) || !*s)
		return -1;
	strcpy(buf, s);
	*mask = 0;
	for (tok = strtok_r(buf, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
		char *dash = strchr(tok, '-');
		uint32_t lo, hi;

		if (dash)
			*dash = '\0';
		if (parse_u32(tok, &lo) || (dash ? parse_u32(dash + 1, &hi) : (hi = lo, 0)))
			return -1;
		if (lo > hi || hi > 15)
			return -1;
		for (uint32_t n = lo; n <= hi; n++)
			*mask |= 1u << n;
	}
	return *mask ? 0 : -1;
}

struct board_knob {
	const char *name;
	uint32_t bit;
	bool arg; /* takes ":VALUE" */
};

static const struct board_knob board_knobs[] = {
	{ .name = "nrst-push-pull", .bit = SIM_FAULT_NRST_PUSH_PULL },
	{ .name = "swd-disabled-by-firmware", .bit = SIM_FAULT_SWD_DISABLED },
	{ .name = "signal-integrity", .bit = SIM_FAULT_SIGNAL_INTEGRITY, .arg = true },
	{ .name = "unpowered", .bit = SIM_FAULT_UNPOWERED },
	{ .name = "rdp1", .bit = SIM_FAULT_RDP1 },
	{ .name = "wrp", .bit = SIM_FAULT_WRP, .arg = true },
	{ .name = "weak-cell", .bit = SIM_FAULT_WEAK_CELL, .arg = true },
	{ .name = "sleep", .bit = SIM_FAULT_SLEEP },
	{ .name = "lockup", .bit = SIM_FAULT_LOCKUP },
	{ .name = "no-target", .bit = SIM_FAULT_NO_TARGET },
	{ .name = "wait-storm", .bit = SIM_FAULT_WAIT_STORM, .arg = true },
	{ .name = "vdd", .bit = SIM_FAULT_VDD, .arg = true },
	{ .name = "art-debug-bypass", .bit = SIM_FAULT_ART_DEBUG_BYPASS },
	{ .name = "vcap-fault", .bit = SIM_FAULT_VCAP },
	{ .name = "bank-swap", .bit = SIM_FAULT_BANK_SWAP },
	{ .name = "ecc", .bit = SIM_FAULT_ECC, .arg = true },
	{ .name = "supply-lock", .bit = SIM_FAULT_SUPPLY_LOCK },
	{ .name = "low-power-no-debug", .bit = SIM_FAULT_LOW_POWER },
	{ .name = "iwdg", .bit = SIM_FAULT_IWDG },
	{ .name = "fast-erase", .bit = SIM_FAULT_FAST_ERASE },
	{ .name = "hw-watchdog", .bit = SIM_FAULT_HW_WATCHDOG },
};

static int board_knob_arg(struct sim_config *cfg, uint32_t bit, const char *val)
{
	uint32_t v = 0;

	switch (bit) {
	case SIM_FAULT_WRP:
		return parse_sectors(val, &cfg->wrp_sectors);
	case SIM_FAULT_WEAK_CELL:
		return parse_u32(val, &cfg->weak_cell_addr);
	case SIM_FAULT_VDD: /* DS8626 operating range 1.7 (1.8) - 3.6 V */
		if (parse_u32(val, &v) || v < 1700 || v > 3600)
			return -1;
		cfg->target_mv = (int)v;
		return 0;
	case SIM_FAULT_ECC:
		return parse_u32(val, &cfg->ecc_addr);
	default:
		if (parse_u32(val, &v) || v == 0)
			return -1;
		if (bit == SIM_FAULT_SIGNAL_INTEGRITY)
			cfg->si_max_khz = v;
		else
			cfg->wait_storm = v;
		return 0;
	}
}

static int board_parse_one(struct sim_config *cfg, char *tok, char *err, size_t errlen)
{
	char *colon = strchr(tok, ':');

	if (colon)
		*colon = '\0';
	for (size_t i = 0; i < sizeof(board_knobs) / sizeof(board_knobs[0]); i++) {
		const struct board_knob *k = &board_knobs[i];

		if (strcmp(tok, k->name))
			continue;
		if (k->arg != (colon != NULL) || (colon && board_knob_arg(cfg, k->bit, colon + 1))) {
			snprintf(err, errlen, "fault knob '%s' %s", tok,
				 k->arg ? "needs a valid value, e.g. signal-integrity:4000, wrp:1-3+5, "
					  "weak-cell:0x08000010, wait-storm:3, vdd:1800 (1700-3600 mV), "
					  "ecc:0x08100000"
					: "takes no value");
			return -1;
		}
		cfg->faults |= k->bit;
		return 0;
	}
	snprintf(err, errlen,
		 "unknown fault knob '%s' (known: nrst-push-pull, "
		 "swd-disabled-by-firmware, signal-integrity:KHZ, unpowered, rdp1, wrp:SECTORS, "
		 "weak-cell:ADDR, sleep, lockup, no-target, wait-storm:N, vdd:MV, art-debug-bypass; "
		 "STM32F407: hw-watchdog; "
		 "STM32H7: vcap-fault, bank-swap, ecc:ADDR, supply-lock, low-power-no-debug, iwdg)",
		 tok);
	return -1;
}

int sim_config_parse_faults(struct sim_config *cfg, const char *spec, char *err, size_t errlen)
{
	char *copy, *save = NULL, *tok;
	int rc = 0;

	if (!spec || !*spec) {
		snprintf(err, errlen, "empty fault knob list");
		return -1;
	}
	copy = strdup(spec);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save))
		rc = board_parse_one(cfg, tok, err, errlen);
	free(copy);
	return rc;
}
