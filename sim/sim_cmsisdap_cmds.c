/*
 * Emulated CMSIS-DAP firmware: information, configuration, pins, clock and
 * sequences (CMSIS-DAP 2.1 "General Commands", "Common SWD/JTAG Commands",
 * "SWD Commands"). See sim_cmsisdap.c for the model as a whole.
 */
#include "sim_cmsisdap_internal.h"

#include <string.h>

/* ---- Configuration and information ---------------------------------- */

static void info_string(struct cmsisdap_rsp *rs, const char *s)
{
	size_t n = s ? strlen(s) + 1 : 0; /* the length counts the NUL */

	if (n > 255 || !rsp_room(rs, 1 + n))
		n = 0;
	rsp_u8(rs, (uint8_t)n);
	for (size_t i = 0; i < n; i++)
		rsp_u8(rs, (uint8_t)s[i]);
}

int sim_cmsisdap_cmd_info(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	const struct cmsisdap_variant *v = cmsisdap_fw(p)->v;
	uint8_t id = req_u8(rq);

	switch (id) {
	case DAP_ID_VENDOR:
		info_string(rs, p->usb.manufacturer);
		break;
	case DAP_ID_PRODUCT:
		info_string(rs, p->usb.product);
		break;
	case DAP_ID_SER_NUM:
		info_string(rs, p->usb.serial);
		break;
	case DAP_ID_PROTOCOL_VER:
		info_string(rs, v->protocol_version);
		break;
	case DAP_ID_PRODUCT_FW_VER:
		info_string(rs, "lab-1.0");
		break;
	case DAP_ID_CAPABILITIES:
		rsp_u8(rs, v->caps_len);
		rsp_u8(rs, DAP_CAP_SWD | DAP_CAP_ATOMIC);
		if (v->caps_len > 1)
			rsp_u8(rs, 0); /* Info1: no USB COM port */
		break;
	case DAP_ID_PACKET_COUNT:
		rsp_u8(rs, 1);
		rsp_u8(rs, v->packet_count);
		break;
	case DAP_ID_PACKET_SIZE:
		rsp_u8(rs, 2);
		rsp_u8(rs, (uint8_t)v->packet_size);
		rsp_u8(rs, (uint8_t)(v->packet_size >> 8));
		break;
	default: /* target/board strings, timer, UART, SWO: not available */
		rsp_u8(rs, 0);
		break;
	}
	return 0;
}

int sim_cmsisdap_cmd_host_status(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	uint8_t type = req_u8(rq);

	(void)p;
	(void)req_u8(rq); /* LED on/off: nothing to light */
	rsp_u8(rs, type <= 1 ? DAP_OK : DAP_ERROR);
	return 0;
}

/* Connect drives SWCLK, SWDIO and nRESET high (PORT_SWD_SETUP): a reset
 * the host asserted through SWJ_Pins beforehand is released. */
int sim_cmsisdap_cmd_connect(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	struct cmsisdap *d = cmsisdap_fw(p);
	uint8_t port = req_u8(rq);

	if (port > DAP_PORT_SWD) { /* JTAG is not modelled */
		rsp_u8(rs, DAP_PORT_DISABLED);
		return 0;
	}
	d->port = DAP_PORT_SWD;
	d->pins_out |= DAP_PIN_SWCLK | DAP_PIN_SWDIO | DAP_PIN_NRESET;
	sim_board_set_nrst(p->chip, false);
	rsp_u8(rs, DAP_PORT_SWD);
	return 0;
}

/* Disconnect floats the pins (PORT_OFF); nRESET goes back to its pull-up. */
int sim_cmsisdap_cmd_disconnect(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	(void)rq;
	cmsisdap_fw(p)->port = DAP_PORT_DISABLED;
	cmsisdap_fw(p)->pins_out |= DAP_PIN_NRESET;
	sim_board_set_nrst(p->chip, false);
	rsp_u8(rs, DAP_OK);
	return 0;
}

int sim_cmsisdap_cmd_transfer_configure(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	p->swd_idle_cycles = req_u8(rq);
	cmsisdap_fw(p)->retry = req_u16(rq);
	cmsisdap_fw(p)->match_retry = req_u16(rq);
	rsp_u8(rs, DAP_OK);
	return 0;
}

/* The turnaround and the data-phase option change the bit count of every
 * packet. The chip's own turnaround (DLCR) is not visible to the probe, so
 * a mismatch is not modelled as a garbled wire. */
int sim_cmsisdap_cmd_swd_configure(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	uint8_t cfg = req_u8(rq);

	p->swd_turnaround = (cfg & 3u) + 1u;
	p->swd_data_phase = cfg & 4u;
	rsp_u8(rs, DAP_OK);
	return 0;
}

int sim_cmsisdap_cmd_delay(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	sim_probe_spend(p, (uint64_t)req_u16(rq) * 1000u);
	rsp_u8(rs, DAP_OK);
	return 0;
}

/* No device-specific reset sequence, as in the reference firmware: the
 * answer says so (execute = 0) and nothing happens on the target. */
int sim_cmsisdap_cmd_reset_target(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	(void)p;
	(void)rq;
	rsp_u8(rs, DAP_OK);
	rsp_u8(rs, 0);
	return 0;
}

/* ---- Pins, clock, sequences ------------------------------------------ */

/* Level the probe reads on each pin: SWCLK, SWDIO, TDI, nTRST read back
 * what the probe drives; TDO is unconnected in SWD (pulled up); nRESET is
 * the board's NRST line, which a supervisor may hold (nrst-push-pull). */
static uint8_t pins_input(struct sim_probe *p)
{
	uint8_t in = cmsisdap_fw(p)->pins_out & (DAP_PIN_SWCLK | DAP_PIN_SWDIO | DAP_PIN_TDI | DAP_PIN_NTRST);

	in |= DAP_PIN_TDO;
	if (!sim_board_nrst_low(p->chip))
		in |= DAP_PIN_NRESET;
	return in;
}

/* Sets the selected outputs, then waits up to `wait` us for the selected
 * pins to read back the requested levels (a supervisor holding NRST makes
 * the probe wait the whole time). */
int sim_cmsisdap_cmd_swj_pins(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	struct cmsisdap *d = cmsisdap_fw(p);
	uint8_t out = req_u8(rq), sel = req_u8(rq);
	uint32_t wait = req_u32(rq);

	d->pins_out = (uint8_t)((d->pins_out & ~sel) | (out & sel));
	if (sel & DAP_PIN_NRESET)
		sim_board_set_nrst(p->chip, !(out & DAP_PIN_NRESET));
	if (wait && ((pins_input(p) ^ out) & sel))
		sim_probe_spend(p, (uint64_t)(wait < DAP_PINS_MAX_WAIT_US ? wait : DAP_PINS_MAX_WAIT_US) *
					   1000u);
	rsp_u8(rs, pins_input(p));
	return 0;
}

int sim_cmsisdap_cmd_swj_clock(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	uint32_t hz = req_u32(rq), khz = hz / 1000u;

	if (!hz) {
		rsp_u8(rs, DAP_ERROR);
		return 0;
	}
	if (khz == 0)
		khz = 1;
	if (khz > CMSISDAP_MAX_SWD_KHZ)
		khz = CMSISDAP_MAX_SWD_KHZ;
	sim_probe_set_swd_khz(p, khz);
	rsp_u8(rs, DAP_OK);
	return 0;
}

/* Bits on SWDIO with SWCLK. While disconnected the pins float, so the
 * target sees nothing, but the firmware still spends the time. */
static void swj_bits(struct sim_probe *p, const uint8_t *bits, unsigned nbits)
{
	if (cmsisdap_fw(p)->port == DAP_PORT_SWD) {
		sim_probe_swj_sequence(p, bits, nbits);
		return;
	}
	sim_probe_spend(p, (uint64_t)nbits * 1000000u / (p->swd_khz ? p->swd_khz : 1000u));
}

int sim_cmsisdap_cmd_swj_sequence(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	unsigned nbits = req_u8(rq);

	if (nbits == 0)
		nbits = 256;
	if (!req_has(rq, (nbits + 7) / 8))
		return -1;
	swj_bits(p, rq->b + rq->pos, nbits);
	rq->pos += (nbits + 7) / 8;
	rsp_u8(rs, DAP_OK);
	return 0;
}

/* Output-only SWD sequences behave as SWJ sequences. An input phase needs a
 * bit-level SWDIO the lab does not have: the command answers 0xFF. */
int sim_cmsisdap_cmd_swd_sequence(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	unsigned n = req_u8(rq);
	size_t pos = rq->pos;

	for (unsigned i = 0; i < n; i++) { /* validate before clocking anything */
		if (pos >= rq->len || (rq->b[pos] & 0x80u))
			return -1;
		unsigned bits = rq->b[pos] & 0x3Fu ? rq->b[pos] & 0x3Fu : 64u;
		pos += 1 + (bits + 7) / 8;
		if (pos > rq->len)
			return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned bits = req_u8(rq) & 0x3Fu;
		bits = bits ? bits : 64u;
		swj_bits(p, rq->b + rq->pos, bits);
		rq->pos += (bits + 7) / 8;
	}
	rsp_u8(rs, DAP_OK);
	return 0;
}
