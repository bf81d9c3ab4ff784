/*
 * The clock ladder, the under-reset fallback and the connect diagnosis.
 *
 * With opts->ladder a failed connect is retried at lower clocks: from the
 * requested one (STLINK-V3 sets 8000 kHz and above where asked) down the
 * probe's own steps, each try asking for half the clock the probe set last
 * and taking the probe's nearest step at or below it (STLINK-V3 24000 ->
 * 8000 -> 3300 -> 1000 -> 200 -> 50 kHz; ST-LINK/V2 4000 -> 1800 -> 480 ->
 * 240 -> 100), until a step at or below CM_LADDER_FLOOR_KHZ or the probe's
 * lowest. A FAULT after the debug port answered is not a wiring problem:
 * lower clocks are skipped then. A normal connect that fails is retried
 * under reset, down the same ladder. A failed probe (its USB link: a
 * time-out, unplugged) ends the connect at once: no clock or reset helps.
 *
 * What worked, and what answered when nothing did, names the cause:
 * - a lower clock: the wiring cannot carry the requested one;
 * - only under reset, after no ACK: the firmware turns SWD off or remaps
 *   its pins; after a FAULT on the core's AP with the DP answering: the
 *   firmware enters a low-power mode with the debug bits clear (both are
 *   warnings after the connect succeeded);
 * - the DP (and the family's debug AP) answer but AP0 never does, even
 *   under reset: the core domain has no supply (STM32H7: the PWR_CR3
 *   supply lock of AN4938 section 2; the family descriptor says how to
 *   recover);
 * - no ACK at all: wiring or power (the probe's VREF reading).
 */
#include "cortex_m_internal.h"
#include "stm32/family.h"
#include "probe.h"
#include "swdd_err.h"
#include "swdd_log.h"

#include <stdio.h>
#include <string.h>

#define CM_MIN_TARGET_MV 1500 /* below: no usable target supply (STM32 VDD >= 1.7 V) */
#define CM_LADDER_FLOOR_KHZ 100U

struct cm_ladder_log {
	unsigned tries, noack, proto;
	unsigned dp_fault;     /* the DP answered, then an AP access FAULTed */
	unsigned normal_noack; /* normal mode: no ACK */
	unsigned normal_fault; /* normal mode: DP answered, AP FAULT */
	unsigned reset_tries;  /* under reset */
	unsigned reset_fault;  /* under reset: DP answered, AP0 FAULT */
	unsigned lowest_khz;   /* the last clock tried */
	int last_rc;
	char last_detail[256];
	/* identified through its family's debug AP when AP0 did not answer */
	const struct stm32_part *dbg_part;
	uint32_t dbg_idcode;
};

static int cm_voltage(struct swdd_target *t)
{
	int mv = -1;

	if (swdd_probe_voltage(t->probe, &mv))
		mv = -1;
	return mv;
}

static void cm_ladder_note(struct swdd_target *t, struct cm_ladder_log *lg, enum swdd_connect_mode mode,
			   int rc, const struct cm_attempt_seen *seen)
{
	bool fault = seen->dp_ok && rc == SWDD_EFAULT;
	bool noack = !seen->dp_ok && rc == SWDD_ENOTARGET;

	snprintf(lg->last_detail, sizeof(lg->last_detail), "%s", swdd_err_detail());
	lg->tries++;
	lg->noack += rc == SWDD_ENOTARGET;
	lg->proto += rc == SWDD_EPROTO || rc == SWDD_EWAIT || (rc == SWDD_EFAULT && !seen->dp_ok);
	lg->dp_fault += fault;
	lg->normal_noack += mode == SWDD_CONNECT_NORMAL && noack;
	lg->normal_fault += mode == SWDD_CONNECT_NORMAL && fault;
	lg->reset_tries += mode == SWDD_CONNECT_UNDER_RESET;
	lg->reset_fault += mode == SWDD_CONNECT_UNDER_RESET && fault;
	lg->last_rc = rc;
	lg->lowest_khz = seen->actual_khz;
	if (fault && !lg->dbg_part)
		lg->dbg_part = cm_dbgmcu_identify_early(t, &lg->dbg_idcode);
}

/* The DP answered at every try but AP0 faulted at every try, under reset
 * too: the core's side is dead, not the wire. */
static int cm_diagnose_core_bus(struct swdd_target *t, const struct cm_ladder_log *lg)
{
	const struct stm32_part *p = lg->dbg_part;
	const char *hint = p && p->family->core_bus_dead_hint ? p->family->core_bus_dead_hint : NULL;
	char who[160];

	if (p)
		snprintf(who, sizeof(who), "%s (DBGMCU_IDCODE 0x%08x through AP%u)", p->name, lg->dbg_idcode,
			 p->family->dbgmcu_ap);
	else
		snprintf(who, sizeof(who), "the chip (DPIDR 0x%08x)", t->chip.dpidr);
	return swdd_err_set(SWDD_EFAULT,
			    "%s answers on its debug port%s, but the core's bus (AP0) faulted at every try, "
			    "even with NRST held: %s; last error: %s",
			    who, p ? " and its debug APB" : "",
			    hint ? hint
				 : "the core is not powered or not clocked (check VCAP and the core supply) "
				   "or the chip is locked at RDP level 2",
			    lg->last_detail);
}

static int cm_diagnose(struct swdd_target *t, const struct cm_ladder_log *lg, bool tried_reset)
{
	int mv = cm_voltage(t);

	if (mv >= 0 && mv < CM_MIN_TARGET_MV)
		return swdd_err_set(
			SWDD_EUNPOWERED,
			"no target voltage: the probe measures %d.%02d V on its VREF/VAPP pin; power "
			"the board and connect the probe's VREF pin to the target's VDD",
			mv / 1000, (mv % 1000) / 10);
	if (tried_reset && lg->reset_tries && lg->reset_fault == lg->reset_tries)
		return cm_diagnose_core_bus(t, lg);
	if (lg->noack == lg->tries)
		return swdd_err_set(
			SWDD_ENOTARGET,
			"no ACK from the target (wiring or power)%s%s; the target supply reads %s: "
			"check SWDIO, SWCLK and GND wiring, and that the chip is powered and not "
			"locked at RDP level 2",
			lg->tries > 1 ? " at any clock" : "", tried_reset ? ", also under reset" : "",
			mv < 0 ? "unknown" : "present");
	if (lg->proto && lg->tries == 1)
		return swdd_err_set(lg->last_rc,
				    "SWD errors (%s): the clock may be too high for the wiring; try a lower "
				    "--speed (1800, 480, 100) or shorter wires",
				    lg->last_detail);
	if (lg->proto)
		return swdd_err_set(
			lg->last_rc,
			"SWD errors at every clock down to %u kHz (clock too high for the wiring, or "
			"the wiring is bad): use shorter wires with a ground next to SWCLK; last error: "
			"%s",
			lg->lowest_khz, lg->last_detail);
	return swdd_err_set(lg->last_rc, "%s", lg->last_detail);
}

/* The next clock after a failed try (true, in *next): the probe's nearest
 * step at or below half the one it set; false to stop, with what to add
 * to the last warning in *why. */
static bool cm_ladder_next(struct swdd_target *t, int rc, const struct cm_attempt_seen *seen, unsigned *next,
			   const char **why)
{
	unsigned actual = 0;

	*why = "";
	if (seen->dp_ok && rc == SWDD_EFAULT) {
		*why = "; the debug port answered, so a lower clock would not help";
		return false;
	}
	if (seen->actual_khz <= CM_LADDER_FLOOR_KHZ || seen->actual_khz < 2)
		return false;
	if (swdd_probe_set_speed(t->probe, seen->actual_khz / 2, &actual) || actual >= seen->actual_khz)
		return false; /* the probe has no lower clock */
	*next = actual;
	return true;
}

/* Walks the clocks in one mode; returns 0 at the first that works. */
static int cm_walk_clocks(struct swdd_target *t, enum swdd_connect_mode mode, unsigned first, bool ladder,
			  struct cm_ladder_log *lg)
{
	unsigned khz = first, first_actual = 0;

	for (unsigned step = 0;; step++) {
		struct cm_attempt_seen seen;
		const char *why = "";
		unsigned next = 0;
		int rc = cm_connect_attempt(t, mode, khz, &seen);

		if (step == 0)
			first_actual = seen.actual_khz;
		if (rc == 0 && step > 0)
			swdd_warn(
				"connected at %u kHz after failing at %u kHz: the clock was too high for the "
				"wiring (long or unshielded wires, no ground next to SWCLK); use --speed %u",
				seen.actual_khz, first_actual, seen.actual_khz);
		if (rc == 0)
			return 0;
		cm_ladder_note(t, lg, mode, rc, &seen);
		if (swdd_err_probe_lost(rc))
			return rc; /* the probe's USB link: no clock or reset helps */
		if (cm_voltage(t) == 0 || rc == SWDD_EUNPOWERED)
			return rc; /* no supply: lower clocks will not help */
		if (!ladder || !cm_ladder_next(t, rc, &seen, &next, &why)) {
			swdd_warn("%s connect at %u kHz failed (%s: %s)%s", cm_mode_names[mode],
				  seen.actual_khz, swdd_strerror(rc), lg->last_detail, why);
			return rc;
		}
		swdd_warn("%s connect at %u kHz failed (%s: %s); retrying at %u kHz", cm_mode_names[mode],
			  seen.actual_khz, swdd_strerror(rc), lg->last_detail, next);
		khz = next;
	}
}

/* Connected only under reset: what the normal tries saw says why. */
static void cm_warn_only_under_reset(struct swdd_target *t, const struct cm_ladder_log *lg)
{
	uint32_t cr = 0;

	if (lg->normal_fault && !lg->normal_noack) {
		bool set = cm_dbgmcu_changed(t, &cr);
		char how[96] = "";

		if (set)
			snprintf(how, sizeof(how), " (swdd set DBGMCU_CR to 0x%08x under reset)", cr);
		swdd_warn(
			"connected only under reset: the debug port answered but the core's bus did not, "
			"as when the firmware enters a low-power mode (Stop/Standby) with the debug bits of "
			"DBGMCU_CR clear, which stops the clocks the debugger needs; under reset the core "
			"stops before that%s; use --connect under-reset, or have the firmware set the "
			"DBGMCU_CR debug bits",
			how);
		return;
	}
	swdd_warn("connected only under reset: no ACK until NRST was held, as when the firmware disables "
		  "or remaps the SWD pins (SWDIO/SWCLK) soon after it starts; under reset the core stops "
		  "before that; use --connect under-reset");
}

int cm_connect_ladder(struct swdd_target *t, const struct swdd_connect_opts *o, unsigned khz)
{
	struct cm_ladder_log lg = { 0 };
	int rc = cm_walk_clocks(t, o->mode, khz, o->ladder, &lg);

	if (rc == 0)
		return 0;
	if (swdd_err_probe_lost(rc))
		return swdd_err_set(rc, "%s", lg.last_detail);
	if (!o->ladder || o->mode != SWDD_CONNECT_NORMAL || rc == SWDD_EUNPOWERED || cm_voltage(t) == 0)
		return cm_diagnose(t, &lg, o->mode == SWDD_CONNECT_UNDER_RESET);
	swdd_warn("normal connect failed; trying under reset (NRST held low while attaching)");
	rc = cm_walk_clocks(t, SWDD_CONNECT_UNDER_RESET, khz, true, &lg);
	if (rc == 0) {
		cm_warn_only_under_reset(t, &lg);
		return 0;
	}
	return cm_diagnose(t, &lg, true);
}
