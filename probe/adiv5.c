/*
 * ADIv5 layer: the memory/core level (probe_internal.h) built on a wire
 * level driver (dap.h), for probes that only move DP/AP registers
 * (CMSIS-DAP). Follows Arm IHI 0031 (ADIv5.2): DP power-up (B2.2.6),
 * SELECT (B2.2.9), MEM-AP CSW/TAR/DRW (C2.6) with the TAR auto-increment
 * limit (C2.2.2: at least 1 KiB, 4 KiB on the Cortex-M3/M4 AHB-AP); and
 * ARMv7-M C1.6 for core registers through DCRSR/DCRDR.
 *
 * Accesses are queued here and run by one wire transfer at flush; an error
 * is sticky in the queue and surfaces only from the flush.
 */
#include "probe_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adiv5.h"
#include "swdd_err.h"

int adiv5_new(struct swdd_probe *p)
{
	struct adiv5 *a = calloc(1, sizeof(*a));

	if (!a)
		return swdd_err_set(SWDD_ENOMEM, "out of memory for the ADIv5 state");
	a->tar_wrap = 1024;
	p->adi = a;
	return 0;
}

static void adiv5_close(struct swdd_probe *p)
{
	if (p->adi) {
		free(p->adi->q);
		free(p->adi->qaddr);
		free(p->adi);
	}
	free(p->drv);
	p->adi = NULL;
	p->drv = NULL;
}

/* Forget what we believe the DP and AP hold (after an error, a reset, or
 * a raw access that may have changed them). */
void adiv5_invalidate(struct adiv5 *a)
{
	a->select_valid = a->csw_valid = a->tar_valid = false;
}

/* ---- the wire queue ------------------------------------------------------- */

static int q_grow(struct adiv5 *a)
{
	size_t cap = a->qcap ? a->qcap * 2 : 256;
	struct dap_xfer *q = realloc(a->q, cap * sizeof(*q));
	uint32_t *qa;

	if (!q)
		return SWDD_ENOMEM;
	a->q = q;
	qa = realloc(a->qaddr, cap * sizeof(*qa));
	if (!qa)
		return SWDD_ENOMEM;
	a->qaddr = qa;
	a->qcap = cap;
	return 0;
}

/* Appends one transfer; addr is the memory address a DRW access touches
 * (ADIV5_NO_ADDR otherwise), for the fault message. An allocation failure
 * becomes the queue's sticky error. */
void adiv5_q(struct adiv5 *a, uint8_t req, uint32_t data, uint32_t *dst, uint32_t addr)
{
	if (a->sticky)
		return;
	if (a->qn == a->qcap && q_grow(a)) {
		a->sticky = swdd_err_set(SWDD_ENOMEM, "out of memory queueing DAP transfers");
		return;
	}
	a->q[a->qn] = (struct dap_xfer){ .req = req, .data = data, .dst = dst ? dst : &a->scratch };
	a->qaddr[a->qn++] = addr;
}

/* DP register; bits 7:4 of reg are the DPBANKSEL (ADIv5.2 B2.2.9). */
void adiv5_q_dp(struct adiv5 *a, bool rd, unsigned reg, uint32_t data, uint32_t *dst)
{
	if ((reg & 0xFu) == DP_CTRL_STAT) {
		uint32_t sel = (a->select & ~0xFu) | ((reg >> 4) & 0xFu);

		if (!a->select_valid || a->select != sel)
			adiv5_q_dp(a, false, DP_SELECT, sel, NULL);
	}
	if (!rd && (reg & 0xFu) == DP_SELECT) {
		a->select = data;
		a->select_valid = true;
	}
	adiv5_q(a, (uint8_t)((rd ? DAP_REQ_RD : 0) | DAP_REQ_A(reg)), data, dst, ADIV5_NO_ADDR);
}

/* AP register: SELECT.APSEL/APBANKSEL first when they differ. */
void adiv5_q_ap(struct adiv5 *a, unsigned ap, bool rd, unsigned reg, uint32_t data, uint32_t *dst,
		uint32_t addr)
{
	uint32_t sel = (uint32_t)ap << 24 | (reg & 0xF0u);

	if (!a->select_valid || (a->select & 0xFF0000F0u) != sel)
		adiv5_q_dp(a, false, DP_SELECT, sel, NULL);
	adiv5_q(a, (uint8_t)(DAP_REQ_AP | (rd ? DAP_REQ_RD : 0) | DAP_REQ_A(reg)), data, dst, addr);
}

/* Words the failure of a memory access: the wire driver told us which
 * transfer failed; the queue knows its address. */
static int flush_error(struct adiv5 *a, int rc, size_t bad)
{
	char why[512];

	if (bad >= a->qn || a->qaddr[bad] == ADIV5_NO_ADDR)
		return rc;
	snprintf(why, sizeof(why), "%s", swdd_err_detail());
	if (rc == SWDD_EFAULT)
		return swdd_err_set(rc,
				    "memory access at 0x%08x faulted (unmapped or protected address; "
				    "check the address against the memory map); %s",
				    a->qaddr[bad], why);
	return swdd_err_set(rc, "memory access at 0x%08x failed; %s", a->qaddr[bad], why);
}

int adiv5_flush(struct swdd_probe *p, size_t *failed)
{
	struct adiv5 *a = p->adi;
	size_t done = 0, n = a->qn;
	int rc = a->sticky;

	a->sticky = 0;
	if (!rc && n)
		rc = p->wire->transfer(p, a->q, n, &done);
	if (failed)
		*failed = done;
	if (rc) {
		adiv5_invalidate(a);
		rc = flush_error(a, rc, done);
	}
	a->qn = 0;
	return rc;
}

/* ---- raw DAP access ----------------------------------------------------------- */

static int adiv5_dap_read(struct swdd_probe *p, unsigned port, unsigned reg, uint32_t *val)
{
	if (port == SWDD_PROBE_DP)
		adiv5_q_dp(p->adi, true, reg, 0, val);
	else
		adiv5_q_ap(p->adi, port, true, reg, 0, val, ADIV5_NO_ADDR);
	return adiv5_flush(p, NULL);
}

static int adiv5_dap_write(struct swdd_probe *p, unsigned port, unsigned reg, uint32_t val)
{
	struct adiv5 *a = p->adi;

	if (port == SWDD_PROBE_DP)
		adiv5_q_dp(a, false, reg, val, NULL);
	else
		adiv5_q_ap(a, port, false, reg, val, NULL, ADIV5_NO_ADDR);
	/* The caller may have moved CSW or TAR under us. */
	if (port == 0 && ((reg & 0xFFu) == MEM_AP_CSW || (reg & 0xFFu) == MEM_AP_TAR))
		a->csw_valid = a->tar_valid = false;
	return adiv5_flush(p, NULL);
}

/* ---- memory on another MEM-AP ------------------------------------------------ */

/* One word on AP ap: CSW (from the IDR read at attach), TAR and DRW in one
 * batch. Only AP 0's CSW and TAR are cached (adiv5_mem.c), so they stay
 * valid. An AP beyond those discovered goes through the raw path. */
static int adiv5_ap_word(struct swdd_probe *p, unsigned ap, uint32_t addr, uint32_t *val, bool wr)
{
	struct adiv5 *a = p->adi;
	int rc;

	if (ap >= ADIV5_MAX_APS)
		return probe_ap_word_raw(p, ap, addr, val, wr);
	if (!a->idr[ap])
		return swdd_err_set(SWDD_EFAULT, "there is no AP %u on this debug port (IDR reads 0)", ap);
	adiv5_q_ap(a, ap, false, MEM_AP_CSW, probe_ap_csw_word(a->idr[ap]), NULL, ADIV5_NO_ADDR);
	adiv5_q_ap(a, ap, false, MEM_AP_TAR, addr, NULL, ADIV5_NO_ADDR);
	adiv5_q_ap(a, ap, !wr, MEM_AP_DRW, wr ? *val : 0, wr ? NULL : val, addr);
	rc = adiv5_flush(p, NULL);
	return rc ? swdd_err_add(rc, "on AP %u", ap) : 0;
}

/* ---- connection -------------------------------------------------------------- */

static int adiv5_voltage(struct swdd_probe *p, int *mv)
{
	if (!p->wire->voltage)
		return swdd_err_set(SWDD_EUNSUPPORTED, "%s probes cannot measure the target voltage",
				    p->info.kind);
	return p->wire->voltage(p, mv);
}

static int adiv5_set_speed(struct swdd_probe *p, unsigned khz, unsigned *actual)
{
	return p->wire->set_clock(p, khz, actual);
}

static int adiv5_nrst(struct swdd_probe *p, bool asserted)
{
	/* A system reset resets the AHB-AP's view of CSW/TAR on some parts. */
	if (p->adi)
		p->adi->csw_valid = p->adi->tar_valid = false;
	return p->wire->nrst(p, asserted);
}

static int adiv5_detach(struct swdd_probe *p)
{
	adiv5_invalidate(p->adi);
	return p->wire->disconnect ? p->wire->disconnect(p) : 0;
}

const struct probe_mem_ops adiv5_mem_ops = {
	.attach = adiv5_attach,
	.detach = adiv5_detach,
	.set_speed = adiv5_set_speed,
	.voltage = adiv5_voltage,
	.nrst = adiv5_nrst,
	.read_mem = adiv5_read_mem,
	.write_mem = adiv5_write_mem,
	.run_queue = adiv5_run_queue,
	.read_core_regs = adiv5_read_core_regs,
	.write_core_reg = adiv5_write_core_reg,
	.dap_read = adiv5_dap_read,
	.dap_write = adiv5_dap_write,
	.ap_word = adiv5_ap_word,
	.close = adiv5_close,
};
