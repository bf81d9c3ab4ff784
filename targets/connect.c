/*
 * Connecting to the chip: the three connect modes, one attempt at one
 * clock, the debug set-up made at connect and restored at detach. The
 * clock ladder, the under-reset fallback and the diagnosis are in
 * connect_ladder.c.
 *
 *   normal       attach SWD, halt the core where it is
 *   under-reset  NRST low, attach; the family's DBGMCU set up through its
 *                debug AP (STM32H7: AP2, which answers under NRST, RM0433
 *                60.2); C_DEBUGEN + C_HALT + DEMCR.VC_CORERESET in the
 *                core's reset-domain debug registers (which answer under
 *                NRST, ARMv7-M C1.6); release NRST: the core stops at its
 *                reset vector before the firmware can disable SWD or sleep
 *                (ARMv7-M C1.6.3)
 *   attach       hot plug: attach SWD only; never a reset, never a halt
 */
#include "cortex_m_internal.h"
#include "stm32/family.h"
#include "probe.h"
#include "swdd_err.h"
#include "swdd_log.h"

#include <stdlib.h>
#include <string.h>

#define CM_DEFAULT_KHZ 4000U

const char *const cm_mode_names[] = {
	[SWDD_CONNECT_NORMAL] = "normal",
	[SWDD_CONNECT_UNDER_RESET] = "under-reset",
	[SWDD_CONNECT_ATTACH] = "attach",
};

/* ---- debug set-up and restore ------------------------------------------ */

/* DEMCR.TRCENA, the FPB/DWT discovery, and the family's DBGMCU set-up
 * (debug in low-power modes, watchdogs frozen in halt; stm32/dbgmcu.c). */
int cm_debug_setup(struct swdd_target *t)
{
	const struct stm32_family *f = swdd_target_family(t);
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
	if (rc == 0 && f)
		cm_dbgmcu_setup(t, f);
	return rc;
}

static int cm_debug_restore(struct swdd_target *t)
{
	int rc = cm_bp_restore_found(t);
	int rc2 = cm_write32(t, DCB_DEMCR, t->demcr_found);
	int rc3 = cm_dbgmcu_restore(t);

	return rc ? rc : rc2 ? rc2 : rc3;
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
	const struct stm32_part *early = cm_dbgmcu_identify_early(t, NULL);
	uint32_t dfsr = 0;
	int rc;

	if (early)
		cm_dbgmcu_setup(t, early->family); /* before the firmware's first instruction */
	rc = cm_write32(t, DCB_DHCSR, DCB_DHCSR_DBGKEY | DCB_DHCSR_C_DEBUGEN | DCB_DHCSR_C_HALT);

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

int cm_connect_attempt(struct swdd_target *t, enum swdd_connect_mode mode, unsigned khz,
		       struct cm_attempt_seen *seen)
{
	unsigned actual = khz;
	uint32_t dpidr;
	int rc;

	cm_reset_state(t);
	memset(seen, 0, sizeof(*seen));
	rc = swdd_probe_set_speed(t->probe, khz, &actual);
	seen->actual_khz = actual;
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
		seen->dp_ok = true;
		rc = cm_attempt_core(t, mode);
		t->chip.dpidr = dpidr;
	}
	if (rc)
		(void)cm_dbgmcu_restore(t); /* best effort: the attempt failed, its set-up is undone */
	if (rc && mode == SWDD_CONNECT_UNDER_RESET)
		(void)swdd_probe_nrst(t->probe, false);
	t->connected_mode = mode;
	return rc;
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
	rc = cm_connect_ladder(t, opts, khz);
	if (rc) {
		swdd_target_free(t);
		return rc;
	}
	t->chip.vdd_stated_mv = opts->vdd_mv;
	*out = t;
	return 0;
}
