/*
 * The STM32's SWJ-DP in its SW-DP role after ARM IHI0031 (ADIv5.2) part B,
 * at the level of whole SWD packets (B4.2). DPIDR and version come from the
 * chip's row: a DPv1 on the STM32F4 (DPIDR 0x2BA01477, RM0090 38.8.3), a
 * DPv2 on the STM32H7 (DPIDR 0x6BA02477, RM0433 60.4.4), which adds
 * TARGETID (DPBANKSEL 2, B2.2.11), DLPIDR (bank 3, B2.2.5), EVENTSTAT
 * (bank 4, B2.2.6) and the TARGETSEL write (B2.2.12, B4.3.4: after a line
 * reset, a TARGETSEL whose value is not this target's deselects the DP
 * until the next line reset; no target drives an ACK for it). The APs
 * behind it are sim_ap.c.
 *
 * The DP model keeps one AP transaction "in flight": AP reads are posted
 * (B4.2: an AP read returns the result of the previous AP read; RDBUFF
 * returns the last one), AP writes are posted, and a transaction that the
 * bus stalls (flash BSY) stays in flight; while it is, every access except
 * a DPIDR read, a CTRL/STAT read and an ABORT write answers WAIT (B4.2).
 */
#include "sim_chip_internal.h"

#include <stdlib.h>

/* ADIv5.2 B2.2 DP registers (A[3:2]). */
#define DP_REG_0 0x0u /* read DPIDR, write ABORT */
#define DP_REG_4 0x4u /* CTRL/STAT (bank 0), DLCR (bank 1) */
#define DP_REG_8 0x8u /* read RESEND, write SELECT */
#define DP_REG_C 0xCu /* read RDBUFF */

/* ADIv5.2 B2.2 ABORT. */
#define DP_ABORT_DAPABORT (1u << 0)
#define DP_ABORT_STKCMPCLR (1u << 1)
#define DP_ABORT_STKERRCLR (1u << 2)
#define DP_ABORT_WDERRCLR (1u << 3)
#define DP_ABORT_ORUNERRCLR (1u << 4)

/* ADIv5.2 B2.2 CTRL/STAT. */
#define DP_CS_ORUNDETECT (1u << 0)
#define DP_CS_STICKYORUN (1u << 1)
#define DP_CS_STICKYCMP (1u << 4)
#define DP_CS_STICKYERR (1u << 5)
#define DP_CS_READOK (1u << 6)
#define DP_CS_WDATAERR (1u << 7)
#define DP_CS_CDBGRSTREQ (1u << 26)
#define DP_CS_CDBGPWRUPREQ (1u << 28)
#define DP_CS_CSYSPWRUPREQ (1u << 30)
/* ORUNDETECT, TRNMODE, MASKLANE, TRNCNT and the three requests. */
#define DP_CS_RW 0x543FFF0Du
#define DP_CS_STICKIES (DP_CS_STICKYORUN | DP_CS_STICKYCMP | DP_CS_STICKYERR | DP_CS_WDATAERR)
#define DP_SELECT_RW 0xFF0000FFu /* APSEL, APBANKSEL, DPBANKSEL (B2.2) */
#define DP_DLCR_RW 0x00000300u   /* TURNROUND (B2.2) */

/* ADIv5.2 B5.2: SWJ-DP select sequences, LSB first after >= 50 ones. */
#define DP_SEQ_JTAG_TO_SWD 0xE79Eu
#define DP_SEQ_SWD_TO_JTAG 0xE73Cu
#define DP_LINE_RESET_ONES 50u

struct sim_dp {
	bool swd;               /* SWD selected (power-on: JTAG, B5.2) */
	bool reset_state;       /* after a line reset: only a DPIDR read answers */
	unsigned __int128 hist; /* last bits clocked by sim_swd_sequence, newest at bit 0 */
	unsigned hist_n;
	unsigned ones; /* consecutive ones clocked so far */
	uint32_t ctrl; /* writable CTRL/STAT bits and stickies */
	uint32_t select, dlcr;
	uint32_t rdbuff; /* last AP read result */
	uint32_t resend; /* last data returned by an AP read or RDBUFF */
	bool pending;    /* an AP transaction stalled on the bus */
	bool pending_write;
	uint8_t pending_apsel, pending_reg;
	uint32_t pending_data;
	unsigned storm;    /* WAITs already given for this AP access */
	unsigned si_count; /* signal-integrity corruption rotation */
	bool deselected;   /* DPv2: TARGETSEL named another target */
	struct sim_ap ap[SIM_MAX_APS];
};

int sim_dp_new(sim_chip *c)
{
	c->dp = calloc(1, sizeof(*c->dp));
	if (!c->dp)
		return -1;
	sim_dp_power_on(c);
	return 0;
}

void sim_dp_free(sim_chip *c)
{
	free(c->dp);
	c->dp = NULL;
}

void sim_dp_power_on(sim_chip *c)
{
	struct sim_dp *dp = c->dp;

	*dp = (struct sim_dp){ .swd = false };
	for (unsigned i = 0; i < SIM_MAX_APS; i++)
		sim_ap_reset(&dp->ap[i], &c->desc->aps[i]);
}

/* ---- sequences --------------------------------------------------------- */

/* The 16 bits before the newest `skip` ones, LSB = first clocked. */
static bool dp_select_seen(const struct sim_dp *dp, uint16_t code)
{
	uint16_t v = 0;

	if (dp->hist_n < 16 + DP_LINE_RESET_ONES)
		return false;
	for (unsigned i = 0; i < 16; i++)
		v |= (uint16_t)(((dp->hist >> (15 - i)) & 1u) << i);
	if (v != code)
		return false;
	for (unsigned i = 16; i < 16 + DP_LINE_RESET_ONES; i++)
		if (!((dp->hist >> i) & 1u))
			return false;
	return true;
}

static void dp_clock_bit(struct sim_dp *dp, unsigned bit)
{
	dp->hist = (dp->hist << 1) | bit;
	if (dp->hist_n < 128)
		dp->hist_n++;
	dp->ones = bit ? dp->ones + 1 : 0;
	if (dp_select_seen(dp, DP_SEQ_JTAG_TO_SWD)) {
		dp->swd = true;
		dp->reset_state = true;
	} else if (dp_select_seen(dp, DP_SEQ_SWD_TO_JTAG)) {
		dp->swd = false;
	}
	/* B4.3: >= 50 ones put an SW-DP into the reset state (and, B4.3.4,
	 * select every DPv2 again). */
	if (dp->swd && dp->ones >= DP_LINE_RESET_ONES) {
		dp->reset_state = true;
		dp->deselected = false;
	}
}

void sim_swd_sequence(sim_chip *c, const uint8_t *bits, unsigned nbits)
{
	if (!c || !bits)
		return;
	for (unsigned i = 0; i < nbits; i++)
		dp_clock_bit(c->dp, (bits[i / 8] >> (i % 8)) & 1u);
}

void sim_swd_line_reset(sim_chip *c)
{
	static const uint8_t seq[8] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00 };

	sim_swd_sequence(c, seq, 64);
}

void sim_swd_jtag_to_swd(sim_chip *c)
{
	static const uint8_t seq[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x9E, 0xE7,
				       0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00 };

	sim_swd_sequence(c, seq, sizeof(seq) * 8);
}

void sim_swd_set_clock_khz(sim_chip *c, unsigned khz)
{
	c->swd_khz = khz;
}

/* ---- AP transactions --------------------------------------------------- */

static uint8_t dp_parity32(uint32_t v)
{
	return (uint8_t)(__builtin_popcount(v) & 1);
}

/* B4.2: the data phase follows an OK ACK; write data with a parity
 * error is discarded and sets WDATAERR, so the next access FAULTs. */
static bool dp_bad_wdata(struct sim_dp *dp, const struct sim_swd_packet *pkt)
{
	if (pkt->parity == dp_parity32(pkt->data))
		return false;
	dp->ctrl |= DP_CS_WDATAERR;
	return true;
}

static uint32_t dp_stickies(const struct sim_dp *dp)
{
	return dp->ctrl & (DP_CS_STICKYERR | DP_CS_WDATAERR | DP_CS_STICKYORUN);
}

static void dp_ap_error(struct sim_dp *dp)
{
	dp->ctrl |= DP_CS_STICKYERR;
}

/* Retries the stalled transaction. Returns WAIT while the bus still
 * stalls, OK once it completed (its error, if any, is now sticky). */
static int dp_settle(sim_chip *c)
{
	struct sim_dp *dp = c->dp;
	enum sim_bus_result r;
	uint32_t v = dp->pending_data;

	if (!dp->pending)
		return SIM_ACK_OK;
	if (dp->pending_write)
		r = sim_ap_write(c, dp->ap, dp->pending_apsel, dp->pending_reg, v);
	else
		r = sim_ap_read(c, dp->ap, dp->pending_apsel, dp->pending_reg, &v);
	if (r == SIM_BUS_WAIT)
		return SIM_ACK_WAIT;
	dp->pending = false;
	if (r == SIM_BUS_FAULT)
		dp_ap_error(dp);
	else if (!dp->pending_write)
		dp->rdbuff = v;
	return SIM_ACK_OK;
}

/* Starts an AP transaction; its outcome lands in RDBUFF or the stickies,
 * or it stays in flight while the bus stalls. */
static void dp_ap_start(sim_chip *c, bool write, uint8_t reg, uint32_t wdata)
{
	struct sim_dp *dp = c->dp;

	dp->pending = true;
	dp->pending_write = write;
	dp->pending_apsel = (uint8_t)(dp->select >> 24);
	dp->pending_reg = reg;
	dp->pending_data = wdata;
	dp_settle(c);
}

/* B2.2: the AP registers need the debug power domain (CDBGPWRUPACK) and
 * its memory accesses (DRW, BD0-BD3) the system domain too (CSYSPWRUPACK);
 * an access to an unpowered domain faults. */
static bool dp_ap_powered(const struct sim_dp *dp, uint8_t reg)
{
	bool memory = reg == 0x0Cu || (reg >= 0x10u && reg <= 0x1Cu);

	if (!(dp->ctrl & DP_CS_CDBGPWRUPREQ))
		return false;
	return !memory || (dp->ctrl & DP_CS_CSYSPWRUPREQ);
}

static int dp_ap_access(sim_chip *c, bool read, uint8_t a32, struct sim_swd_packet *pkt)
{
	struct sim_dp *dp = c->dp;
	uint8_t reg = (uint8_t)((dp->select & 0xF0u) | a32);

	if (!dp_ap_powered(dp, reg)) {
		dp_ap_error(dp);
		return SIM_ACK_FAULT;
	}
	if ((c->cfg.faults & SIM_FAULT_WAIT_STORM) && dp->storm < c->cfg.wait_storm) {
		dp->storm++;
		return SIM_ACK_WAIT;
	}
	dp->storm = 0;
	if (!read && dp_bad_wdata(dp, pkt))
		return SIM_ACK_OK;
	if (read) {
		pkt->data = dp->rdbuff;
		dp->resend = pkt->data;
		dp_ap_start(c, false, reg, 0);
	} else {
		dp_ap_start(c, true, reg, pkt->data);
	}
	return SIM_ACK_OK;
}

/* ---- DP registers ------------------------------------------------------ */

static uint32_t dp_ctrl_read(const struct sim_dp *dp)
{
	uint32_t v = dp->ctrl;

	/* The power controllers acknowledge at once (B2.2). */
	v |= (dp->ctrl & (DP_CS_CDBGRSTREQ | DP_CS_CDBGPWRUPREQ | DP_CS_CSYSPWRUPREQ)) << 1;
	return v;
}

static void dp_abort(struct sim_dp *dp, uint32_t v)
{
	if (v & DP_ABORT_DAPABORT)
		dp->pending = false; /* B2.2: abandons the AP transaction */
	if (v & DP_ABORT_STKCMPCLR)
		dp->ctrl &= ~DP_CS_STICKYCMP;
	if (v & DP_ABORT_STKERRCLR)
		dp->ctrl &= ~DP_CS_STICKYERR;
	if (v & DP_ABORT_WDERRCLR)
		dp->ctrl &= ~DP_CS_WDATAERR;
	if (v & DP_ABORT_ORUNERRCLR)
		dp->ctrl &= ~DP_CS_STICKYORUN;
}

/* B2.2: CTRL/STAT (bank 0), DLCR (1); DPv2 adds TARGETID (2), DLPIDR (3)
 * and EVENTSTAT (4, bit 0 = 0: no event). Other banks read zero. */
static uint32_t dp_banked_read(sim_chip *c, unsigned bank)
{
	const struct sim_dp_desc *d = &c->desc->dp;

	switch (bank) {
	case 0:
		return dp_ctrl_read(c->dp);
	case 1:
		return c->dp->dlcr;
	case 2:
		return d->version >= 2 ? d->targetid : 0;
	case 3:
		return d->version >= 2 ? d->dlpidr : 0;
	default:
		return 0;
	}
}

static int dp_reg_read(sim_chip *c, uint8_t a32, struct sim_swd_packet *pkt)
{
	struct sim_dp *dp = c->dp;

	switch (a32) {
	case DP_REG_0:
		pkt->data = c->desc->dp.dpidr;
		dp->reset_state = false;
		return SIM_ACK_OK;
	case DP_REG_4:
		pkt->data = dp_banked_read(c, dp->select & 0xFu);
		return SIM_ACK_OK;
	case DP_REG_8:
		pkt->data = dp->resend;
		return SIM_ACK_OK;
	default:
		pkt->data = dp->rdbuff;
		dp->resend = pkt->data;
		return SIM_ACK_OK;
	}
}

static int dp_reg_write(sim_chip *c, uint8_t a32, uint32_t v)
{
	struct sim_dp *dp = c->dp;

	switch (a32) {
	case DP_REG_0:
		dp_abort(dp, v);
		break;
	case DP_REG_4:
		if ((dp->select & 0xFu) == 0)
			dp->ctrl = (dp->ctrl & ~DP_CS_RW) | (v & DP_CS_RW);
		else if ((dp->select & 0xFu) == 1)
			dp->dlcr = v & DP_DLCR_RW;
		break;
	case DP_REG_8:
		dp->select = v & DP_SELECT_RW;
		break;
	default:
		break; /* TARGETSEL outside the reset state: ignored (B2.2.12) */
	}
	return SIM_ACK_OK;
}

/* B4.2 / B2.2: these answer OK even with a sticky flag set or an AP
 * transaction in flight, so a host can always recover. */
static bool dp_always_ok(bool ap, bool read, uint8_t a32)
{
	return !ap && ((read && (a32 == DP_REG_0 || a32 == DP_REG_4)) || (!read && a32 == DP_REG_0));
}

static int dp_access(sim_chip *c, bool ap, bool read, uint8_t a32, struct sim_swd_packet *pkt)
{
	struct sim_dp *dp = c->dp;

	if (!dp_always_ok(ap, read, a32)) {
		if (dp_settle(c) == SIM_ACK_WAIT)
			return SIM_ACK_WAIT;
		if (dp_stickies(dp))
			return SIM_ACK_FAULT;
	}
	if (ap)
		return dp_ap_access(c, read, a32, pkt);
	if (read)
		return dp_reg_read(c, a32, pkt);
	if (dp_bad_wdata(dp, pkt))
		return SIM_ACK_OK;
	return dp_reg_write(c, a32, pkt->data);
}

/* ---- packets ----------------------------------------------------------- */

/* B4.2: start 1, APnDP, RnW, A[2:3], parity over those four, stop 0,
 * park 1. Anything else is a protocol error: the target does not drive
 * the line. */
static bool dp_request_ok(uint8_t req)
{
	unsigned par = ((req >> 1) ^ (req >> 2) ^ (req >> 3) ^ (req >> 4)) & 1u;

	return (req & 0x01u) && !(req & 0x40u) && (req & 0x80u) && par == ((req >> 5) & 1u);
}

/* Above the clock the wiring tolerates, the host sees garbled ACKs on one
 * packet in three and read data with a wrong parity bit on the others. */
static int dp_corrupt(sim_chip *c, bool read, int ack, struct sim_swd_packet *pkt)
{
	static const int garbled[3] = { 0x3, 0x5, 0x6 };
	struct sim_dp *dp = c->dp;
	unsigned n = dp->si_count++;

	if (n % 3 == 0)
		return garbled[(n / 3) % 3];
	if (read && ack == SIM_ACK_OK)
		pkt->data ^= 1u << (n % 32);
	return ack;
}

/* B4.3.4: TARGETSEL right after a line reset. The value is TARGETID with
 * TINSTANCE (DLPIDR[31:28]) in [31:28]; a mismatch deselects the DP. The
 * write is never acknowledged. */
static int dp_targetsel(sim_chip *c, uint32_t v)
{
	const struct sim_dp_desc *d = &c->desc->dp;
	uint32_t mine = (d->targetid & 0x0FFFFFFFu) | (d->dlpidr & 0xF0000000u);

	if (v != mine)
		c->dp->deselected = true;
	return SIM_ACK_NONE;
}

int sim_swd_transfer(sim_chip *c, struct sim_swd_packet *pkt)
{
	struct sim_dp *dp;
	bool ap, read;
	uint8_t a32;
	int ack;

	if (!c || !pkt)
		return SIM_ACK_NONE;
	dp = c->dp;
	ap = (pkt->request >> 1) & 1u;
	read = (pkt->request >> 2) & 1u;
	a32 = (uint8_t)(((pkt->request >> 3) & 3u) << 2);
	c->stats.swd_transfers++;
	dp->hist_n = 0;
	dp->ones = 0;
	if (!sim_board_swd_alive(c) || !dp->swd || !dp_request_ok(pkt->request))
		return SIM_ACK_NONE;
	if (dp->deselected)
		return SIM_ACK_NONE;
	if (dp->reset_state && !ap && !read && a32 == DP_REG_C && c->desc->dp.version >= 2)
		return dp_targetsel(c, pkt->data);
	if (dp->reset_state && (ap || !read || a32 != DP_REG_0))
		return SIM_ACK_NONE; /* B4.3: the first access must read DPIDR */
	ack = dp_access(c, ap, read, a32, pkt);
	if ((ack == SIM_ACK_WAIT || ack == SIM_ACK_FAULT) && (dp->ctrl & DP_CS_ORUNDETECT))
		dp->ctrl |= DP_CS_STICKYORUN;
	if (read && (ap || a32 == DP_REG_C))
		dp->ctrl = ack == SIM_ACK_OK ? dp->ctrl | DP_CS_READOK : dp->ctrl & ~DP_CS_READOK;
	if (read && ack == SIM_ACK_OK)
		pkt->parity = dp_parity32(pkt->data);
	if (sim_board_swd_too_fast(c))
		ack = dp_corrupt(c, read, ack, pkt);
	return ack;
}
