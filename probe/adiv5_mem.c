/*
 * MEM-AP transfers on AP 0 (ADIv5.2 C2.6): CSW sets the access size and
 * auto-increment, TAR the address, DRW moves the data on the byte lanes
 * of the address (C2.2.4). TAR auto-increment is only guaranteed inside
 * the wrap block (1 KiB, or 4 KiB on the Cortex-M3/M4 AHB-AP), so blocks
 * are split there and TAR is rewritten. CSW and TAR are cached so that
 * consecutive accesses do not rewrite them. Core registers go through
 * DCRSR/DCRDR (ARMv7-M C1.6.3-C1.6.4).
 */
#include "adiv5.h"

#include "swdd_err.h"

#define ADIV5_REGRDY_TIMEOUT_MS 100U

static uint32_t csw_for(unsigned width)
{
	unsigned size = width == 4 ? MEM_AP_CSW_SIZE_32 : width == 2 ? MEM_AP_CSW_SIZE_16 : MEM_AP_CSW_SIZE_8;

	return MEM_AP_CSW_PROT_DEFAULT | MEM_AP_CSW_ADDRINC_SINGLE | size;
}

/* Queues CSW and TAR writes as needed so that the next DRW access is at
 * addr with this width. */
static void q_setup(struct adiv5 *a, uint32_t addr, unsigned width)
{
	uint32_t csw = csw_for(width);

	if (!a->csw_valid || a->csw != csw) {
		adiv5_q_ap(a, 0, false, MEM_AP_CSW, csw, NULL, ADIV5_NO_ADDR);
		a->csw = csw;
		a->csw_valid = true;
	}
	if (!a->tar_valid || a->tar != addr) {
		adiv5_q_ap(a, 0, false, MEM_AP_TAR, addr, NULL, ADIV5_NO_ADDR);
		a->tar = addr;
		a->tar_valid = true;
	}
}

/* One DRW access; TAR moves on by width, unless it crosses the wrap
 * boundary, where the AP's TAR wraps instead of carrying. */
static void q_drw(struct adiv5 *a, bool rd, uint32_t addr, unsigned width, uint32_t data, uint32_t *dst)
{
	q_setup(a, addr, width);
	adiv5_q_ap(a, 0, rd, MEM_AP_DRW, data, dst, addr);
	a->tar = addr + width;
	a->tar_valid = (a->tar % a->tar_wrap) != 0;
}

void adiv5_q_mem32(struct adiv5 *a, bool rd, uint32_t addr, uint32_t data, uint32_t *dst)
{
	q_drw(a, rd, addr, 4, data, dst);
}

/* Byte lane of an access (ADIv5.2 C2.2.4: data sits at its address's lane). */
static unsigned lane_shift(uint32_t addr, unsigned width)
{
	return width == 4 ? 0 : 8u * (addr & (width == 2 ? 2u : 3u));
}

static uint32_t get_bytes(const uint8_t *b, unsigned width)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < width; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

static void put_bytes(uint8_t *b, uint32_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

/* Queues up to ADIV5_CHUNK / 4 accesses per flush (the size of the word
 * buffer reads land in), then moves the bytes between lanes and buf. */
static int adiv5_mem(struct swdd_probe *p, uint32_t addr, uint8_t *buf, size_t len, unsigned width, bool wr)
{
	struct adiv5 *a = p->adi;
	const size_t max = ADIV5_CHUNK / 4 * width;

	while (len) {
		size_t n = len < max ? len : max, words = n / width;
		int rc;

		for (size_t k = 0; k < words; k++) {
			uint32_t at = addr + (uint32_t)(k * width);
			uint32_t v = wr ? get_bytes(buf + k * width, width) << lane_shift(at, width) : 0;

			q_drw(a, !wr, at, width, v, wr ? NULL : &a->words[k]);
		}
		rc = adiv5_flush(p, NULL);
		if (rc)
			return rc;
		for (size_t k = 0; k < words && !wr; k++) {
			uint32_t at = addr + (uint32_t)(k * width);
			put_bytes(buf + k * width, a->words[k] >> lane_shift(at, width), width);
		}
		addr += (uint32_t)n;
		buf += n;
		len -= n;
	}
	return 0;
}

int adiv5_read_mem(struct swdd_probe *p, uint32_t addr, uint8_t *buf, size_t len, unsigned width)
{
	return adiv5_mem(p, addr, buf, len, width, false);
}

int adiv5_write_mem(struct swdd_probe *p, uint32_t addr, const uint8_t *buf, size_t len, unsigned width)
{
	return adiv5_mem(p, addr, (uint8_t *)(uintptr_t)buf, len, width, true);
}

/* The public queue: every entry becomes CSW/TAR/DRW transfers in one wire
 * batch; a wire index maps back to its entry for the error. */
int adiv5_run_queue(struct swdd_probe *p, const struct probe_qent *q, size_t n, size_t *failed)
{
	struct adiv5 *a = p->adi;
	size_t bad = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		adiv5_q_mem32(a, q[i].dst != NULL, q[i].addr, q[i].val, q[i].dst);
	rc = adiv5_flush(p, &bad);
	if (rc) {
		/* Each entry made exactly one DRW transfer (the ones with an
		 * address): count them up to the failing transfer. */
		*failed = 0;
		for (size_t j = 0; j < bad && a->qaddr; j++)
			*failed += a->qaddr[j] != ADIV5_NO_ADDR;
	}
	return rc;
}

/* ---- core registers ----------------------------------------------------------- */

/* DHCSR, DCRSR, DCRDR and DEMCR share one 16-byte block, so with TAR at
 * 0xE000EDF0 the banked data registers BD0-BD3 reach all four without
 * rewriting TAR (ADIv5.2 C2.6.2): a register transfer costs three small
 * requests instead of six. */
static void q_dbg(struct adiv5 *a, bool rd, uint32_t addr, uint32_t data, uint32_t *dst)
{
	if (!a->csw_valid || a->csw != csw_for(4) || !a->tar_valid || (a->tar & ~0xFu) != (addr & ~0xFu))
		q_setup(a, addr & ~0xFu, 4);
	adiv5_q_ap(a, 0, rd, MEM_AP_BD0 + (addr & 0xCu), data, dst, addr);
}

static int regs_check(struct swdd_probe *p, uint32_t dhcsr)
{
	(void)p;
	if (!(dhcsr & (1u << 17)))
		return swdd_err_set(SWDD_ENOTHALTED,
				    "core registers can only be accessed while the core is "
				    "halted (DHCSR = 0x%08x); halt it first",
				    dhcsr);
	return 0;
}

/* Polls DHCSR.S_REGRDY after a DCRSR write, with a timeout. */
static int regs_wait_ready(struct swdd_probe *p, unsigned regsel)
{
	uint64_t deadline = swdd_now_ms() + ADIV5_REGRDY_TIMEOUT_MS;
	uint32_t dhcsr = 0;
	int rc;

	for (;;) {
		q_dbg(p->adi, true, CM_DHCSR, 0, &dhcsr);
		rc = adiv5_flush(p, NULL);
		if (rc || (dhcsr & CM_DHCSR_S_REGRDY))
			return rc ? rc : regs_check(p, dhcsr);
		if (swdd_now_ms() > deadline)
			break;
	}
	rc = regs_check(p, dhcsr);
	return rc ? rc
		  : swdd_err_set(SWDD_ETIMEOUT,
				 "core register %u transfer did not complete: "
				 "DHCSR.S_REGRDY stayed 0 for %u ms (DHCSR = 0x%08x)",
				 regsel, ADIV5_REGRDY_TIMEOUT_MS, dhcsr);
}

/* All registers in one batch: DCRSR write, DHCSR read, DCRDR read each.
 * The transfer finishes in a few core cycles, long before the next SWD
 * packet, so S_REGRDY is normally set when DHCSR is read; a register
 * where it was not is redone with polling. */
int adiv5_read_core_regs(struct swdd_probe *p, const uint8_t *regsel, size_t n, uint32_t *vals)
{
	struct adiv5 *a = p->adi;

	for (size_t i = 0; i < n;) {
		size_t m = n - i < 64 ? n - i : 64;
		uint32_t dhcsr[64];
		int rc;

		for (size_t k = 0; k < m; k++) {
			q_dbg(a, false, CM_DCRSR, regsel[i + k], NULL);
			q_dbg(a, true, CM_DHCSR, 0, &dhcsr[k]);
			q_dbg(a, true, CM_DCRDR, 0, &vals[i + k]);
		}
		rc = adiv5_flush(p, NULL);
		for (size_t k = 0; k < m && !rc; k++) {
			rc = regs_check(p, dhcsr[k]);
			if (rc || (dhcsr[k] & CM_DHCSR_S_REGRDY))
				continue;
			q_dbg(a, false, CM_DCRSR, regsel[i + k], NULL);
			rc = adiv5_flush(p, NULL);
			if (!rc)
				rc = regs_wait_ready(p, regsel[i + k]);
			if (!rc) {
				q_dbg(a, true, CM_DCRDR, 0, &vals[i + k]);
				rc = adiv5_flush(p, NULL);
			}
		}
		if (rc)
			return rc;
		i += m;
	}
	return 0;
}

int adiv5_write_core_reg(struct swdd_probe *p, unsigned regsel, uint32_t val)
{
	struct adiv5 *a = p->adi;
	uint32_t dhcsr = 0;
	int rc;

	q_dbg(a, false, CM_DCRDR, val, NULL);
	q_dbg(a, false, CM_DCRSR, CM_DCRSR_REGWNR | regsel, NULL);
	q_dbg(a, true, CM_DHCSR, 0, &dhcsr);
	rc = adiv5_flush(p, NULL);
	if (rc)
		return rc;
	if (!(dhcsr & CM_DHCSR_S_REGRDY))
		return regs_wait_ready(p, regsel);
	return regs_check(p, dhcsr);
}
