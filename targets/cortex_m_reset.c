/*
 * Verified resets: NRST (the probe's reset line), system reset
 * (AIRCR.SYSRESETREQ, ARMv7-M B3.2.6) and core reset (AIRCR.VECTRESET,
 * v7-M only: reserved on v6-M, removed in v8-M).
 *
 * A reset "worked" only if DHCSR.S_RESET_ST says so (ARMv7-M C1.6.2: sticky,
 * cleared by the read): DHCSR is read once before to clear the bit, then
 * polled after the trigger. A method that did not reset the core falls back
 * to the next one (NRST -> SYSRESETREQ -> VECTRESET) with a warning naming
 * the likely cause. This is the board of the DEV_TARGET_RESET_ERR threads:
 * a push-pull supervisor holds NRST high, so neither NRST nor SYSRESETREQ
 * (which on STM32 is driven out through the NRST pin, RM0090 6.1.2) resets
 * the core, and only a core reset works.
 *
 * Halt at reset: DEMCR.VC_CORERESET catches the core at its reset vector
 * (needs C_DEBUGEN); it is set for the one reset and cleared afterwards.
 */
#include "cortex_m_internal.h"
#include "stm32/family.h"
#include "probe.h"
#include "swdd_err.h"
#include "swdd_log.h"

#include <string.h>

#define CM_RESET_TIMEOUT_MS 300
#define SCB_VTOR_TBLOFF 0xFFFFFF80U /* TBLOFF [31:7] */
#define CM_NRST_POLLS 3

struct cm_reset_way {
	enum swdd_reset_method method;
	const char *name;  /* as named in "used X instead" */
	const char *did;   /* "NRST was asserted" */
	const char *cause; /* why it may not have reset the core */
	const char *left;  /* what it leaves behind when used as a fallback, or NULL */
	int (*trigger)(struct swdd_target *t, uint32_t *sticky);
};

static int cm_trigger_nrst(struct swdd_target *t, uint32_t *sticky)
{
	uint32_t dhcsr;
	int rc = swdd_probe_nrst(t->probe, true);

	if (rc)
		return rc;
	/* Hold it for a few probe round trips (milliseconds on USB, well over
	 * the 20 us NRST pulse the datasheets ask for). The debug port stays
	 * reachable under NRST on STM32; a failed read here is not an error. */
	for (int i = 0; i < CM_NRST_POLLS; i++)
		if (cm_read_dhcsr(t, &dhcsr) == 0)
			*sticky |= dhcsr & DCB_DHCSR_STICKY;
	return swdd_probe_nrst(t->probe, false);
}

/* The AIRCR write can come back with an error: the reset may take the bus
 * away before the probe sees the acknowledge. The verify step decides. */
static int cm_trigger_aircr(struct swdd_target *t, uint32_t bit)
{
	int rc = cm_write32(t, SCB_AIRCR, SCB_AIRCR_VECTKEY | bit);

	if (rc)
		swdd_debug("AIRCR write returned %s (expected while the chip resets)", swdd_strerror(rc));
	return 0;
}

static int cm_trigger_sys(struct swdd_target *t, uint32_t *sticky)
{
	(void)sticky;
	return cm_trigger_aircr(t, SCB_AIRCR_SYSRESETREQ);
}

static int cm_trigger_core(struct swdd_target *t, uint32_t *sticky)
{
	(void)sticky;
	return cm_trigger_aircr(t, SCB_AIRCR_VECTRESET);
}

static const struct cm_reset_way cm_reset_ways[] = {
	{ .method = SWDD_RESET_HW,
	  .name = "NRST",
	  .did = "NRST was asserted",
	  .cause = "NRST may be driven by a push-pull supervisor or not connected",
	  .trigger = cm_trigger_nrst },
	{ .method = SWDD_RESET_SYS,
	  .name = "SYSRESETREQ",
	  .did = "SYSRESETREQ was written to AIRCR",
	  .cause = "on STM32 the system reset goes out through the NRST pin, so whatever holds NRST "
		   "high blocks it too",
	  .trigger = cm_trigger_sys },
	{ .method = SWDD_RESET_CORE,
	  .name = "VECTRESET",
	  .did = "VECTRESET was written to AIRCR",
	  .cause = "the core ignored the core reset request",
	  /* ARMv7-M B1.5.15: VECTRESET resets the core only; the family
	   * descriptor says what of its chip that leaves (core_reset_keeps) */
	  .left = "a core reset resets only the processor: the peripherals, clocks and flash "
		  "interface keep what the old firmware set",
	  .trigger = cm_trigger_core },
};

#define CM_NUM_RESET_WAYS (sizeof(cm_reset_ways) / sizeof(cm_reset_ways[0]))

/* A reset way failed and a later one worked: what failed, its likely
 * cause, and what the one used leaves behind on this chip. */
static void cm_warn_fallback(struct swdd_target *t, const struct cm_reset_way *failed,
			     const struct cm_reset_way *w)
{
	const struct stm32_family *f = swdd_target_family(t);
	const char *keeps = w->left && f && f->core_reset_keeps ? f->core_reset_keeps : NULL;

	swdd_warn("%s but the core did not reset (S_RESET_ST stayed 0): %s; used %s instead%s%s%s%s%s%s",
		  failed->did, failed->cause, w->name, w->left ? ": " : "", w->left ? w->left : "",
		  keeps ? " (" : "", keeps ? keeps : "", keeps ? ")" : "",
		  w->left ? "; power-cycle the board for a clean start" : "");
}

int cm_vc_corereset(struct swdd_target *t, bool on)
{
	uint32_t demcr;
	int rc = cm_read32(t, DCB_DEMCR, &demcr);

	if (rc)
		return rc;
	demcr = on ? (demcr | DCB_DEMCR_VC_CORERESET) : (demcr & ~DCB_DEMCR_VC_CORERESET);
	return cm_write32(t, DCB_DEMCR, demcr);
}

/* A sanity check only: under read protection (STM32 RDP level 1) the
 * vector table in flash faults for the debugger, which must not fail the
 * reset or the connect. The table is where VTOR points after the reset
 * (ARMv7-M B3.2.5, B1.5.3): 0 on most parts (flash aliased there), the
 * boot address on the STM32H7 (RM0433 2.6; address 0 is its ITCM). VTOR
 * reads 0 where it is not implemented (ARMv6-M: optional). */
int cm_check_reset_vector(struct swdd_target *t)
{
	uint32_t vtor = 0, vec, pc;
	int rc = cm_read32(t, SCB_VTOR, &vtor);

	if (rc == SWDD_EFAULT) {
		swdd_err_clear();
		vtor = 0;
	} else if (rc) {
		return rc;
	}
	rc = cm_read32(t, (vtor & SCB_VTOR_TBLOFF) + 4U, &vec);

	if (rc == SWDD_EFAULT) {
		swdd_info("the reset vector is not readable (flash read protection?)");
		swdd_err_clear();
		return 0;
	}
	if (rc == 0)
		rc = cm_reg_pc(t, &pc);
	if (rc)
		return rc;
	if ((vec & ~1U) != pc)
		swdd_warn(
			"halted at 0x%08x after reset, but the reset vector is 0x%08x (is the flash blank?)",
			pc, vec & ~1U);
	return 0;
}

static bool cm_way_usable(const struct swdd_target *t, const struct cm_reset_way *w)
{
	return w->method != SWDD_RESET_CORE || (!t->v6m && !t->v8m);
}

/* Triggers one way and says whether S_RESET_ST came up. */
static int cm_try_way(struct swdd_target *t, const struct cm_reset_way *w, bool *worked)
{
	uint32_t dhcsr, sticky = 0;
	int rc = cm_read_dhcsr(t, &dhcsr); /* clears the sticky S_RESET_ST */

	if (rc == 0)
		rc = w->trigger(t, &sticky);
	if (rc)
		return rc;
	rc = cm_wait_dhcsr(t, 0, 0, 0, NULL, &sticky);
	if (rc == 0 && !(sticky & DCB_DHCSR_S_RESET_ST))
		rc = cm_wait_dhcsr(t, DCB_DHCSR_S_RESET_ST, DCB_DHCSR_S_RESET_ST, CM_RESET_TIMEOUT_MS, NULL,
				   &sticky);
	*worked = (sticky & DCB_DHCSR_S_RESET_ST) != 0;
	return rc == SWDD_ETIMEOUT ? 0 : rc;
}

static size_t cm_first_way(enum swdd_reset_method m)
{
	for (size_t i = 0; i < CM_NUM_RESET_WAYS; i++)
		if (cm_reset_ways[i].method == m)
			return i;
	return 0;
}

/* Walks the ways from the requested one, warning about each that did not
 * reset the core and naming the one used instead. */
static int cm_reset_walk(struct swdd_target *t, enum swdd_reset_method m)
{
	const struct cm_reset_way *failed = NULL;
	bool worked = false;
	int rc;

	for (size_t i = cm_first_way(m); i < CM_NUM_RESET_WAYS; i++) {
		const struct cm_reset_way *w = &cm_reset_ways[i];

		if (!cm_way_usable(t, w))
			continue;
		rc = cm_try_way(t, w, &worked);
		if (rc && rc != SWDD_EUNSUPPORTED)
			return rc;
		if (failed && worked)
			cm_warn_fallback(t, failed, w);
		if (worked) {
			swdd_debug("reset by %s verified (S_RESET_ST)", w->name);
			return 0;
		}
		if (failed)
			swdd_warn("%s but the core did not reset (S_RESET_ST stayed 0): %s", failed->did,
				  failed->cause);
		failed = w;
	}
	return swdd_err_set(SWDD_ERESET,
			    "no reset method reset the core (S_RESET_ST stayed 0%s%s): check NRST wiring and "
			    "any reset supervisor on the board, or power-cycle it",
			    failed ? " after the last try: " : "", failed ? failed->did : "");
}

static int cm_after_reset(struct swdd_target *t, bool halt)
{
	uint32_t dfsr = 0;
	int rc;

	if (!halt) {
		t->maskints = 0;
		return cm_write32(t, DCB_DHCSR, DCB_DHCSR_DBGKEY | DCB_DHCSR_C_DEBUGEN);
	}
	rc = cm_wait_dhcsr(t, DCB_DHCSR_S_HALT, DCB_DHCSR_S_HALT, CM_TIMEOUT_MS, NULL, NULL);
	if (rc == SWDD_ETIMEOUT)
		return swdd_err_set(
			SWDD_ENOTHALTED,
			"the core reset but did not stop at the reset vector (VC_CORERESET) within %d ms",
			CM_TIMEOUT_MS);
	if (rc == 0)
		rc = cm_read32(t, SCB_DFSR, &dfsr);
	if (rc == 0)
		rc = cm_note_halted(t, dfsr | SCB_DFSR_VCATCH);
	return rc ? rc : cm_check_reset_vector(t);
}

/* The family's reset quirk (stm32/family.h, after_reset), if it has one. */
static int cm_family_after_reset(struct swdd_target *t)
{
	const struct stm32_family *f = swdd_target_family(t);

	return f && f->after_reset ? f->after_reset(t) : 0;
}

int swdd_target_reset(struct swdd_target *t, enum swdd_reset_method method, bool halt)
{
	int rc, rc2;

	if (method == SWDD_RESET_AUTO)
		method = t->reset_method;
	t->quiet_stops = false; /* the reset's own stop is decoded */
	cm_invalidate(t);
	swdd_probe_assume_halted(t->probe, false);
	/* C_DEBUGEN must be on for the vector catch (an attach-mode target
	 * may not have it yet); otherwise keep the core's run state for the
	 * reset itself (a halted core stays halted: C_HALT survives a system
	 * reset). */
	rc = t->halted ? 0 : cm_write32(t, DCB_DHCSR, DCB_DHCSR_DBGKEY | DCB_DHCSR_C_DEBUGEN);
	if (rc == 0)
		rc = cm_vc_corereset(t, halt);
	if (rc)
		return rc;
	rc = cm_reset_walk(t, method == SWDD_RESET_AUTO ? SWDD_RESET_HW : method);
	t->halted = false;
	t->maskints = CM_MASKINTS_UNKNOWN;
	t->stop.reason = SWDD_STOP_NONE;
	if (rc == 0)
		rc = cm_family_after_reset(t);
	if (rc == 0)
		rc = cm_after_reset(t, halt);
	rc2 = cm_vc_corereset(t, false);
	return rc ? rc : rc2;
}
