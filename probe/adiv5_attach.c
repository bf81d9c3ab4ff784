/*
 * ADIv5 bring-up: JTAG-to-SWD and line reset (ADIv5.2 B5.2.2), DPIDR
 * (B2.2.5), sticky-error clear through ABORT (B2.2.1), the debug power-up
 * handshake on CTRL/STAT (B2.2.6), and MEM-AP discovery through IDR
 * (C2.6.7, C1.2.1).
 */
#include "adiv5.h"

#include "swdd_err.h"
#include "swdd_log.h"

/* Power-up ACKs normally follow within microseconds; 200 ms covers a
 * target that is still leaving a low-power mode. */
#define ADIV5_PWRUP_TIMEOUT_MS 200U

/* Adds the target voltage to a "no answer" error, when the probe can
 * measure it: the difference between bad wiring and a dead board. */
static int attach_no_target(struct swdd_probe *p, int rc)
{
	int mv;

	if (rc != SWDD_ENOTARGET || !p->wire->voltage || p->wire->voltage(p, &mv))
		return rc;
	if (mv < 1500)
		return swdd_err_set(SWDD_EUNPOWERED,
				    "the target does not answer and its supply reads %d.%02d V: "
				    "power the board and connect its VDD to the probe's VREF pin",
				    mv / 1000, (mv % 1000) / 10);
	return swdd_err_add(rc, "target supply reads %d.%02d V, so check SWDIO/SWCLK/GND", mv / 1000,
			    (mv % 1000) / 10);
}

static int attach_read_dpidr(struct swdd_probe *p)
{
	struct adiv5 *a = p->adi;
	int rc;

	adiv5_invalidate(a);
	rc = p->wire->swd_reset(p);
	if (rc)
		return rc;
	/* After a line reset the first access must be a DPIDR read. */
	adiv5_q(a, DAP_REQ_RD | DAP_REQ_A(DP_DPIDR), 0, &a->dpidr, ADIV5_NO_ADDR);
	rc = adiv5_flush(p, NULL);
	if (rc)
		return attach_no_target(p, swdd_err_add(rc, "SWD attach: no valid answer to the DPIDR read"));
	if (!(a->dpidr & 1u))
		return swdd_err_set(SWDD_EPROTO,
				    "SWD attach: DPIDR reads 0x%08x, whose bit 0 must be 1: lower "
				    "the SWD clock or check the wiring",
				    a->dpidr);
	return 0;
}

/* CDBGPWRUPREQ and CSYSPWRUPREQ, then wait for both ACKs. */
static int attach_power_up(struct swdd_probe *p)
{
	const uint32_t acks = DP_CTRL_STAT_CDBGPWRUPACK | DP_CTRL_STAT_CSYSPWRUPACK;
	struct adiv5 *a = p->adi;
	uint64_t deadline = swdd_now_ms() + ADIV5_PWRUP_TIMEOUT_MS;
	uint32_t cs = 0;
	int rc;

	adiv5_q(a, DAP_REQ_A(DP_ABORT), DP_ABORT_ALL_CLR, NULL, ADIV5_NO_ADDR);
	adiv5_q_dp(a, false, DP_SELECT, 0, NULL);
	adiv5_q_dp(a, false, DP_CTRL_STAT, DP_CTRL_STAT_CDBGPWRUPREQ | DP_CTRL_STAT_CSYSPWRUPREQ, NULL);
	adiv5_q_dp(a, true, DP_CTRL_STAT, 0, &cs);
	rc = adiv5_flush(p, NULL);
	while (!rc && (cs & acks) != acks) {
		if (swdd_now_ms() > deadline)
			return swdd_err_set(
				SWDD_ETIMEOUT,
				"SWD attach: the debug power-up handshake timed out "
				"(CTRL/STAT = 0x%08x, ACKs missing after %u ms); the target may be held "
				"in a low-power state - try connecting under reset",
				cs, ADIV5_PWRUP_TIMEOUT_MS);
		adiv5_q_dp(a, true, DP_CTRL_STAT, 0, &cs);
		rc = adiv5_flush(p, NULL);
	}
	if (rc)
		return swdd_err_add(rc, "SWD attach: power-up handshake failed");
	return 0;
}

/* Reads the IDR of APs 0.. until one reads 0 (no AP there; ADIv5.2
 * C1.2.1). AP 0 must be a MEM-AP: on STM32 it is the core's AHB-AP. */
static int attach_discover_aps(struct swdd_probe *p)
{
	struct adiv5 *a = p->adi;
	int rc;

	for (unsigned ap = 0; ap < ADIV5_MAX_APS; ap++)
		adiv5_q_ap(a, ap, true, MEM_AP_IDR, 0, &a->idr[ap], ADIV5_NO_ADDR);
	rc = adiv5_flush(p, NULL);
	if (rc)
		return swdd_err_add(rc, "SWD attach: reading the AP identification registers failed");
	for (a->n_aps = 0; a->n_aps < ADIV5_MAX_APS && a->idr[a->n_aps]; a->n_aps++)
		swdd_debug("AP %u: IDR 0x%08x", a->n_aps, a->idr[a->n_aps]);
	/* IDR class 8 = MEM-AP (bits 16:13, ADIv5.2 C2.6.7). */
	if (!a->n_aps || ((a->idr[0] >> 13) & 0xFu) != 8u)
		return swdd_err_set(SWDD_EUNSUPPORTED, "SWD attach: AP 0 is not a MEM-AP (IDR 0x%08x)",
				    a->idr[0]);
	a->tar_wrap = a->idr[0] == MEM_AP_IDR_CM3_CM4_AHB ? 4096u : 1024u;
	return 0;
}

int adiv5_attach(struct swdd_probe *p, uint32_t *dpidr)
{
	int rc = attach_read_dpidr(p);

	if (!rc)
		rc = attach_power_up(p);
	if (!rc)
		rc = attach_discover_aps(p);
	if (!rc)
		*dpidr = p->adi->dpidr;
	return rc;
}
