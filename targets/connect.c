/*
 * Connecting to the chip: the three connect modes, the clock ladder with the
 * under-reset fallback, and the diagnosis that names the likely cause when
 * nothing works. Detach restores what connect changed.
 *
 *   normal       attach SWD, halt the core where it is
 *   under-reset  NRST low, attach, C_DEBUGEN + C_HALT + DEMCR.VC_CORERESET,
 *                release NRST: the core stops at its reset vector before
 *                the firmware can disable SWD or sleep (ARMv7-M C1.6.3)
 *   attach       hot plug: attach SWD only; no reset, no halt
 *
 * With opts->ladder a failed connect is retried at lower clocks
 * (4000 -> 1800 -> 480 -> 100 kHz) and, for a normal connect, under reset.
 * What worked tells the user what is wrong: a lower clock means the wiring
 * cannot carry the requested one; only under reset means the firmware turns
 * SWD off; nothing at all is no power (the probe's VREF reading) or no ACK.
 */
#include "cortex_m_internal.h"
#include "probe.h"
#include "swdd_err.h"
#include "swdd_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CM_DEFAULT_KHZ 4000U
#define CM_MIN_TARGET_MV 1500 /* below: no usable target supply (STM32 VDD >= 1.7 V) */

static const unsigned cm_ladder_khz[] = { 4000, 1800, 480, 100 };
#define CM_LADDER_STEPS (sizeof(cm_ladder_khz) / sizeof(cm_ladder_khz[0]))

static const char *const cm_mode_names[] = {
	[SWDD_CONNECT_NORMAL] = "normal",
	[SWDD_CONNECT_UNDER_RESET] = "under-reset",
	[SWDD_CONNECT_ATTACH] = "attach",
};

/* ---- debug set-up and restore ------------------------------------------ */

/* Keeps the debug port alive in sleep/stop/standby (and whatever else the
 * chip row asks for), remembering the value found. A part whose DBGMCU_CR
 * we cannot reach is debugged without it. */
static int cm_dbgmcu_setup(struct swdd_target *t)
{
	if (!t->dbgmcu_cr_addr || !t->dbgmcu_cr_set)
		return 0;
	if (cm_read32(t, t->dbgmcu_cr_addr, &t->dbgmcu_cr_found) ||
	    cm_write32(t, t->dbgmcu_cr_addr, t->dbgmcu_cr_found | t->dbgmcu_cr_set)) {
		swdd_debug("DBGMCU_CR at 0x%08x not writable: %s", t->dbgmcu_cr_addr, swdd_err_detail());
		return 0;
	}
	t->dbgmcu_saved = true;
	return 0;
}

int cm_debug_setup(struct swdd_target *t)
{
	uint32_t dhcsr;
	int rc = cm_read32(t, DCB_DEMCR, &t->demcr_found);

	if (rc == 0)
		rc = cm_read_dhcsr(t, &dhcsr);
	if (rc)
		return rc;
	t->dhcsr_debugen_found = dhcsr & DCB_DHCSR_C_DEBUGEN;
	/* TRCENA gates the DWT (ARMv7-M C1.6.5); VC_CORERESET is ours to set
	 * only around a reset. */
	rc = cm_write32(t, DCB_DEMCR, (t->demcr_found | DCB_DEMCR_TRCENA) & ~DCB_DEMCR_VC_CORERESET);
	if (rc == 0)
		rc = cm_bp_init(t);
	return rc ? rc : cm_dbgmcu_setup(t);
}

static int cm_debug_restore(struct swdd_target *t)
{
	int rc = cm_bp_restore_found(t);
	int rc2 = cm_write32(t, DCB_DEMCR, t->demcr_found);

	if (t->dbgmcu_saved) {
		int rc3 = cm_write32(t, t->dbgmcu_cr_addr, t->dbgmcu_cr_found);
		rc2 = rc2 ? rc2 : rc3;
	}
	return rc ? rc : rc2;
}

int cm_rearm(struct swdd_target *t)
{
	if (!t->detached)
		return 0;
	t->detached = false;
	return cm_debug_setup(t);
}

/* The target stays usable after a detach: the next halt, breakpoint or
 * watchpoint arms the debug state again (cm_rearm). */
enum swdd_connect_mode swdd_target_connected_mode(const struct swdd_target *t)
{
	return t->connected_mode;
}

int swdd_target_detach(struct swdd_target *t)
{
	int rc = cm_debug_restore(t), rc2 = 0;

	if (t->halted)
		rc2 = swdd_target_resume(t);
	swdd_probe_assume_halted(t->probe, false);
	if (rc2 == 0 && !t->dhcsr_debugen_found)
		rc2 = cm_write32(t, DCB_DHCSR, DCB_DHCSR_DBGKEY);
	t->detached = true;
	if (rc || rc2)
		swdd_warn("detach could not restore everything: %s", swdd_err_detail());
	return rc ? rc : rc2;
}

/* ---- one attempt ------------------------------------------------------- */

static void cm_reset_state(struct swdd_target *t)
{
	struct swdd_probe *p = t->probe;
	enum swdd_reset_method m = t->reset_method;
	struct cm_swbp *b = t->swbps;

	free(t->xml);
	while (b) {
		struct cm_swbp *next = b->next;
		free(b);
		b = next;
	}
	memset(t, 0, sizeof(*t));
	t->probe = p;
	t->reset_method = m;
	t->chip.rdp_level = -1;
	t->chip.voltage_mv = -1;
	t->maskints = CM_MASKINTS_UNKNOWN; /* a previous debugger may have left it set */
}

static int cm_halt_now(struct swdd_target *t)
{
	int rc = cm_halt_wait(t);

	if (rc == 0)
		t->stop.reason = SWDD_STOP_HALT;
	return rc;
}

/* Under reset: the debug request is latched while NRST is low, so the core
 * stops on its first instruction after release, with DFSR.VCATCH (cleared
 * beforehand) saying the vector catch fired. Without VCATCH, NRST did not
 * reset the core and C_HALT stopped it wherever it was: say so instead of
 * claiming the reset vector. (S_RESET_ST cannot tell: it may still hold
 * the power-on reset, as nothing could read DHCSR before NRST went low.) */
static int cm_release_under_reset(struct swdd_target *t)
{
	uint32_t dfsr = 0;
	int rc = cm_write32(t, DCB_DHCSR, DCB_DHCSR_DBGKEY | DCB_DHCSR_C_DEBUGEN | DCB_DHCSR_C_HALT);

	if (rc == 0)
		rc = cm_vc_corereset(t, true);
	if (rc == 0)
		rc = cm_write32(t, SCB_DFSR, SCB_DFSR_ALL);
	if (rc == 0)
		rc = swdd_probe_nrst(t->probe, false);
	if (rc == 0)
		rc = cm_wait_dhcsr(t, DCB_DHCSR_S_HALT, DCB_DHCSR_S_HALT, CM_TIMEOUT_MS, NULL, NULL);
	if (rc == SWDD_ETIMEOUT)
		return swdd_err_set(SWDD_ENOTHALTED,
				    "NRST was released but the core did not halt at the "
				    "reset vector within %d ms",
				    CM_TIMEOUT_MS);
	if (rc == 0)
		rc = cm_read32(t, SCB_DFSR, &dfsr);
	if (rc == 0)
		rc = cm_vc_corereset(t, false);
	if (rc)
		return rc;
	if (!(dfsr & SCB_DFSR_VCATCH)) {
		swdd_warn("NRST was asserted during the connect but the core did not reset (no vector "
			  "catch): NRST may be driven by a push-pull supervisor or not connected; the core "
			  "is halted where it was, not at the reset vector");
		return cm_note_halted(t, dfsr | SCB_DFSR_HALTED);
	}
	rc = cm_note_halted(t, dfsr);
	return rc ? rc : cm_check_reset_vector(t);
}

static int cm_attach_mode(struct swdd_target *t)
{
	uint32_t dhcsr, dfsr;
	int rc = cm_read_dhcsr(t, &dhcsr);

	if (rc || !(dhcsr & DCB_DHCSR_S_HALT))
		return rc;
	rc = cm_read32(t, SCB_DFSR, &dfsr); /* left halted by someone else */
	return rc ? rc : cm_note_halted(t, dfsr | SCB_DFSR_HALTED);
}

static int cm_attempt_core(struct swdd_target *t, enum swdd_connect_mode mode)
{
	int rc;

	if (mode == SWDD_CONNECT_UNDER_RESET)
		rc = cm_release_under_reset(t);
	else if (mode == SWDD_CONNECT_NORMAL)
		rc = cm_halt_now(t);
	else
		rc = cm_attach_mode(t);
	if (rc == 0)
		rc = stm32_identify(t);
	if (rc == 0)
		rc = cm_debug_setup(t);
	return rc ? rc : cm_xml_build(t);
}

static int cm_attempt(struct swdd_target *t, enum swdd_connect_mode mode, unsigned khz)
{
	unsigned actual = khz;
	uint32_t dpidr;
	int rc;

	cm_reset_state(t);
	rc = swdd_probe_set_speed(t->probe, khz, &actual);
	if (actual != khz)
		swdd_info("connecting at %u kHz (the probe's nearest clock to %u kHz; %s)", actual, khz,
			  cm_mode_names[mode]);
	else
		swdd_info("connecting at %u kHz (%s)", khz, cm_mode_names[mode]);
	if (rc == 0 && mode == SWDD_CONNECT_UNDER_RESET)
		rc = swdd_probe_nrst(t->probe, true);
	if (rc == 0)
		rc = swdd_probe_attach(t->probe, &dpidr);
	if (rc == 0) {
		swdd_debug("SW-DP DPIDR 0x%08x at %u kHz", dpidr, actual);
		rc = cm_attempt_core(t, mode);
		t->chip.dpidr = dpidr;
	}
	if (rc && mode == SWDD_CONNECT_UNDER_RESET)
		(void)swdd_probe_nrst(t->probe, false);
	t->connected_mode = mode;
	return rc;
}

/* ---- ladder and diagnosis --------------------------------------------- */

struct cm_ladder_log {
	unsigned tries, noack, proto;
	int last_rc;
	char last_detail[256];
};

static void cm_ladder_note(struct cm_ladder_log *lg, int rc)
{
	lg->tries++;
	lg->noack += rc == SWDD_ENOTARGET;
	lg->proto += rc == SWDD_EPROTO || rc == SWDD_EFAULT || rc == SWDD_EWAIT;
	lg->last_rc = rc;
	snprintf(lg->last_detail, sizeof(lg->last_detail), "%s", swdd_err_detail());
}

static int cm_voltage(struct swdd_target *t)
{
	int mv = -1;

	if (swdd_probe_voltage(t->probe, &mv))
		mv = -1;
	return mv;
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
			cm_ladder_khz[CM_LADDER_STEPS - 1], lg->last_detail);
	return swdd_err_set(lg->last_rc, "%s", lg->last_detail);
}

static size_t cm_ladder_speeds(unsigned first, unsigned *out)
{
	size_t n = 0;

	out[n++] = first;
	for (size_t i = 0; i < CM_LADDER_STEPS; i++)
		if (cm_ladder_khz[i] < first)
			out[n++] = cm_ladder_khz[i];
	return n;
}

/* Walks the clocks in one mode; returns 0 at the first that works. */
static int cm_walk_clocks(struct swdd_target *t, enum swdd_connect_mode mode, const unsigned *khz, size_t n,
			  struct cm_ladder_log *lg)
{
	int rc = SWDD_ENOTARGET;

	for (size_t i = 0; i < n; i++) {
		rc = cm_attempt(t, mode, khz[i]);
		if (rc == 0) {
			if (i > 0)
				swdd_warn(
					"connected at %u kHz after failing at %u kHz: the clock was too high "
					"for "
					"the wiring (long or unshielded wires, no ground next to SWCLK); use "
					"--speed %u",
					khz[i], khz[0], khz[i]);
			return 0;
		}
		cm_ladder_note(lg, rc);
		if (cm_voltage(t) == 0 || rc == SWDD_EUNPOWERED)
			return rc; /* no supply: lower clocks will not help */
		if (i + 1 < n)
			swdd_warn("%s connect at %u kHz failed (%s: %s); retrying at %u kHz",
				  cm_mode_names[mode], khz[i], swdd_strerror(rc), lg->last_detail,
				  khz[i + 1]);
		else
			swdd_warn("%s connect at %u kHz failed (%s: %s)", cm_mode_names[mode], khz[i],
				  swdd_strerror(rc), lg->last_detail);
	}
	return rc;
}

static int cm_connect_ladder(struct swdd_target *t, const struct swdd_connect_opts *o, unsigned khz)
{
	unsigned speeds[CM_LADDER_STEPS + 1];
	size_t n = cm_ladder_speeds(khz, speeds);
	struct cm_ladder_log lg = { 0 };
	int rc = cm_walk_clocks(t, o->mode, speeds, n, &lg);

	if (rc == 0)
		return 0;
	if (o->mode != SWDD_CONNECT_NORMAL || rc == SWDD_EUNPOWERED || cm_voltage(t) == 0)
		return cm_diagnose(t, &lg, o->mode == SWDD_CONNECT_UNDER_RESET);
	swdd_warn("normal connect failed at every clock; trying under reset (NRST held low while attaching)");
	speeds[1] = speeds[n - 1];
	rc = cm_walk_clocks(t, SWDD_CONNECT_UNDER_RESET, speeds, n > 1 ? 2 : 1, &lg);
	if (rc == 0) {
		swdd_warn("connected only under reset: the firmware disables or remaps the SWD pins (or "
			  "sleeps with debug off) soon after it starts; use --connect under-reset");
		return 0;
	}
	return cm_diagnose(t, &lg, true);
}

static int cm_check_opts(const struct swdd_connect_opts *o)
{
	if ((unsigned)o->mode > SWDD_CONNECT_ATTACH)
		return swdd_err_set(SWDD_EINVAL, "unknown connect mode %d", (int)o->mode);
	if ((unsigned)o->reset > SWDD_RESET_CORE)
		return swdd_err_set(SWDD_EINVAL, "unknown reset method %d", (int)o->reset);
	return 0;
}

int swdd_target_connect(struct swdd_probe *probe, const struct swdd_connect_opts *opts,
			struct swdd_target **out)
{
	struct swdd_connect_opts def = { .mode = SWDD_CONNECT_NORMAL, .ladder = true };
	struct swdd_target *t;
	unsigned khz;
	int rc;

	if (!probe || !out)
		return swdd_err_set(SWDD_EINVAL, "swdd_target_connect needs a probe and a result pointer");
	*out = NULL;
	swdd_probe_assume_halted(probe, false); /* nothing is known of the core yet */
	if (!opts)
		opts = &def;
	rc = cm_check_opts(opts);
	if (rc)
		return rc;
	t = calloc(1, sizeof(*t));
	if (!t)
		return swdd_err_set(SWDD_ENOMEM, "out of memory for the target");
	t->probe = probe;
	t->reset_method = opts->reset;
	khz = opts->speed_khz ? opts->speed_khz : CM_DEFAULT_KHZ;
	if (opts->ladder) {
		rc = cm_connect_ladder(t, opts, khz);
	} else {
		struct cm_ladder_log lg = { 0 };

		rc = cm_attempt(t, opts->mode, khz);
		if (rc) {
			cm_ladder_note(&lg, rc);
			rc = cm_diagnose(t, &lg, opts->mode == SWDD_CONNECT_UNDER_RESET);
		}
	}
	if (rc) {
		swdd_target_free(t);
		return rc;
	}
	t->chip.vdd_stated_mv = opts->vdd_mv;
	*out = t;
	return 0;
}
