/*
 * Emulated CMSIS-DAP firmware: v1 (HID, 64-byte reports) and v2 (vendor
 * class bulk, 512-byte packets), modelled on Arm's CMSIS-DAP specification
 * (protocol 2.1) and the behaviour of its reference firmware (DAP.c,
 * SW_DP.c, the USB request queue of the DAP thread). See docs/LAB.md.
 *
 * The model reaches the chip only the way real firmware does: SWD packets
 * (sim_probe_swd), SWJ bit sequences and the board's NRST pin.
 *
 * What the lab chooses where the reference firmware has no defined
 * behaviour (it trusts the host):
 *  - a request longer than the DAP packet size, a truncated request, or one
 *    whose response would not fit in a packet answers a single 0xFF
 *    (ID_DAP_Invalid) and touches nothing;
 *  - a QueueCommands packet beyond DAP_PACKET_COUNT is dropped (a real
 *    probe NAKs it and then waits forever for the packet that ends the
 *    queue);
 *  - SWD_Sequence with an input phase answers 0xFF: the lab has no
 *    bit-level SWDIO model, only whole packets.
 */
#include "sim_cmsisdap_internal.h"

#include <stdlib.h>
#include <string.h>

static const struct cmsisdap_variant cmsisdap_variants[] = {
	{
		.vid = 0x0D28,
		.pid = 0x0204,
		.bcd_device = 0x0100,
		.product = "swdd lab CMSIS-DAP",
		.interface_name = "CMSIS-DAP",
		.protocol_version = "1.3.0",
		.default_serial = "0D280204000000000000DA01",
		.hid = true,
		.packet_size = 64,
		.packet_count = 4,
		.caps_len = 1,
		.bytes_per_frame = 64,
	},
	{
		.vid = 0x0D28,
		.pid = 0x0204,
		.bcd_device = 0x0100,
		.product = "swdd lab CMSIS-DAP",
		.interface_name = "CMSIS-DAP v2",
		.protocol_version = "2.1.0",
		.default_serial = "0D280204000000000000DA02",
		.hid = false,
		.packet_size = 512,
		.packet_count = 8,
		.caps_len = 2,
		.bytes_per_frame = USB_FS_BULK_BYTES_PER_FRAME,
	},
};

/* ---- SWD packets -------------------------------------------------------- */

/* One SWD packet as SW_DP.c clocks it. A read whose data parity is wrong
 * answers DAP_XFER_ERROR instead of its ACK; other ACK values are passed
 * through (7 = nobody drives the line). */
static unsigned cmsisdap_swd_once(struct sim_probe *p, uint8_t r, uint32_t *data)
{
	bool read = r & DAP_XFER_RNW;
	struct sim_swd_packet pkt = {
		.request = sim_swd_request(r & DAP_XFER_APNDP, read, r & DAP_XFER_A32),
	};
	unsigned ack;

	if (!read && data) {
		pkt.data = *data;
		pkt.parity = sim_parity32(pkt.data);
	}
	ack = (unsigned)sim_probe_swd(p, &pkt) & 7u;
	sim_probe_spend(p, CMSISDAP_FW_SWD_GAP_NS);
	if (ack == DAP_XFER_OK && read) {
		if (pkt.parity != sim_parity32(pkt.data))
			ack = DAP_XFER_ERROR;
		if (data)
			*data = pkt.data;
	}
	return ack;
}

/* A packet retried while it answers WAIT: 1 + retry attempts in all. */
static unsigned cmsisdap_swd(struct sim_probe *p, uint8_t r, uint32_t *data)
{
	unsigned retry = cmsisdap_fw(p)->retry, ack;

	for (;;) {
		ack = cmsisdap_swd_once(p, r, data);
		if (ack != DAP_XFER_WAIT || retry == 0)
			return ack;
		retry--;
	}
}

/* ---- DAP_Transfer --------------------------------------------------------
 * AP reads are posted on SWD: an AP read returns the result of the previous
 * one. Like the reference firmware, the model issues the first AP read,
 * returns each value when the next AP read (or a DP RDBUFF read) is
 * clocked, and reads RDBUFF at the end; after writes it reads RDBUFF once
 * to collect the ACK of the last posted write. The host sees values in
 * request order. */
struct cmsisdap_run {
	struct sim_probe *p;
	struct cmsisdap_req *rq;
	struct cmsisdap_rsp *rs;
	bool posted, check_write;
	uint32_t data;
};

/* Collects the value of an outstanding AP read before request r. */
static unsigned run_collect_posted(struct cmsisdap_run *x, uint8_t r)
{
	unsigned ack;

	if ((r & (DAP_XFER_APNDP | DAP_XFER_MATCH_VALUE)) == DAP_XFER_APNDP && (r & DAP_XFER_RNW)) {
		ack = cmsisdap_swd(x->p, r, &x->data); /* returns previous, posts next */
	} else {
		ack = cmsisdap_swd(x->p, DP_RDBUFF | DAP_XFER_RNW, &x->data);
		x->posted = false;
	}
	if (ack == DAP_XFER_OK)
		rsp_u32(x->rs, x->data);
	return ack;
}

/* Read with value match: reread until (value & mask) == match or the match
 * retries run out. No data goes back to the host. */
static unsigned run_match_read(struct cmsisdap_run *x, uint8_t r)
{
	struct cmsisdap *d = cmsisdap_fw(x->p);
	uint32_t match = req_u32(x->rq);
	unsigned left = d->match_retry, ack = DAP_XFER_OK;

	if (r & DAP_XFER_APNDP) {
		ack = cmsisdap_swd(x->p, r, NULL);
		if (ack != DAP_XFER_OK)
			return ack;
	}
	for (;;) {
		ack = cmsisdap_swd(x->p, r, &x->data);
		if (ack != DAP_XFER_OK || (x->data & d->match_mask) == match || left == 0)
			break;
		left--;
	}
	if ((x->data & d->match_mask) != match)
		ack |= DAP_XFER_MISMATCH;
	return ack;
}

static unsigned run_read(struct cmsisdap_run *x, uint8_t r)
{
	unsigned ack = DAP_XFER_OK;

	x->check_write = false;
	if (x->posted) {
		ack = run_collect_posted(x, r);
		if (ack != DAP_XFER_OK)
			return ack;
	}
	if (r & DAP_XFER_MATCH_VALUE)
		return run_match_read(x, r);
	if (!(r & DAP_XFER_APNDP)) {
		ack = cmsisdap_swd(x->p, r, &x->data);
		if (ack == DAP_XFER_OK)
			rsp_u32(x->rs, x->data);
		return ack;
	}
	if (!x->posted) {
		ack = cmsisdap_swd(x->p, r, NULL);
		x->posted = ack == DAP_XFER_OK;
	}
	return ack;
}

static unsigned run_write(struct cmsisdap_run *x, uint8_t r)
{
	unsigned ack;
	uint32_t v;

	if (x->posted) {
		ack = cmsisdap_swd(x->p, DP_RDBUFF | DAP_XFER_RNW, &x->data);
		if (ack != DAP_XFER_OK)
			return ack;
		rsp_u32(x->rs, x->data);
		x->posted = false;
	}
	v = req_u32(x->rq);
	if (r & DAP_XFER_MATCH_MASK) {
		cmsisdap_fw(x->p)->match_mask = v;
		return DAP_XFER_OK;
	}
	ack = cmsisdap_swd(x->p, r, &v);
	if (ack == DAP_XFER_OK)
		x->check_write = true;
	return ack;
}

/* Checks the request holds `count` transfers, counts the data words the
 * response will carry (non-match reads) and finds where the request ends. */
static int transfer_scan(const struct cmsisdap_req *rq, unsigned count, size_t *reads, size_t *end)
{
	size_t pos = rq->pos;

	*reads = 0;
	for (unsigned i = 0; i < count; i++) {
		if (pos >= rq->len)
			return -1;
		uint8_t r = rq->b[pos++];
		if (!(r & DAP_XFER_RNW) || (r & DAP_XFER_MATCH_VALUE))
			pos += 4;
		else
			(*reads)++;
		if (pos > rq->len)
			return -1;
	}
	*end = pos;
	return 0;
}

static unsigned transfer_finish(struct cmsisdap_run *x)
{
	unsigned ack = DAP_XFER_OK;

	if (x->posted) {
		ack = cmsisdap_swd(x->p, DP_RDBUFF | DAP_XFER_RNW, &x->data);
		if (ack == DAP_XFER_OK)
			rsp_u32(x->rs, x->data);
	} else if (x->check_write) {
		ack = cmsisdap_swd(x->p, DP_RDBUFF | DAP_XFER_RNW, NULL);
	}
	return ack;
}

static int sim_cmsisdap_cmd_transfer(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	struct cmsisdap_run x = { .p = p, .rq = rq, .rs = rs };
	unsigned count, done = 0, ack = 0;
	size_t head, reads, end;

	(void)req_u8(rq); /* DAP index: SWD has one DAP */
	count = req_u8(rq);
	if (transfer_scan(rq, count, &reads, &end) || !rsp_room(rs, 2 + 4 * reads))
		return -1;
	head = rs->len;
	rs->len += 2;
	if (cmsisdap_fw(p)->port == DAP_PORT_SWD) {
		for (; done < count; done++) {
			uint8_t r = req_u8(rq);
			ack = (r & DAP_XFER_RNW) ? run_read(&x, r) : run_write(&x, r);
			if (ack != DAP_XFER_OK)
				break;
		}
		if (ack == DAP_XFER_OK)
			ack = transfer_finish(&x);
	}
	rq->pos = end; /* cancelled requests are skipped, as DAP.c does */
	rs->b[head] = (uint8_t)done;
	rs->b[head + 1] = (uint8_t)ack;
	return 0;
}

/* ---- DAP_TransferBlock ------------------------------------------------ */

static unsigned block_read(struct sim_probe *p, uint8_t r, unsigned count, unsigned *done,
			   struct cmsisdap_rsp *rs)
{
	unsigned ack = DAP_XFER_OK;
	uint32_t v;

	if (r & DAP_XFER_APNDP) {
		ack = cmsisdap_swd(p, r, NULL);
		if (ack != DAP_XFER_OK)
			return ack;
	}
	for (; *done < count; (*done)++) {
		bool last_ap = *done + 1 == count && (r & DAP_XFER_APNDP);
		ack = cmsisdap_swd(p, last_ap ? DP_RDBUFF | DAP_XFER_RNW : r, &v);
		if (ack != DAP_XFER_OK)
			return ack;
		rsp_u32(rs, v);
	}
	return ack;
}

static unsigned block_write(struct sim_probe *p, uint8_t r, unsigned count, unsigned *done,
			    struct cmsisdap_req *rq)
{
	unsigned ack;

	for (; *done < count; (*done)++) {
		uint32_t v = req_u32(rq);
		ack = cmsisdap_swd(p, r, &v);
		if (ack != DAP_XFER_OK)
			return ack;
	}
	return cmsisdap_swd(p, DP_RDBUFF | DAP_XFER_RNW, NULL);
}

static int sim_cmsisdap_cmd_transfer_block(struct sim_probe *p, struct cmsisdap_req *rq,
					   struct cmsisdap_rsp *rs)
{
	unsigned count, done = 0, ack = 0;
	size_t head, data_start;
	uint8_t r;

	(void)req_u8(rq);
	count = req_u16(rq);
	r = req_u8(rq);
	data_start = rq->pos;
	if ((r & DAP_XFER_RNW) ? !rsp_room(rs, 3 + 4 * (size_t)count) : !req_has(rq, 4 * (size_t)count))
		return -1;
	head = rs->len;
	rs->len += 3;
	if (count && cmsisdap_fw(p)->port == DAP_PORT_SWD)
		ack = (r & DAP_XFER_RNW) ? block_read(p, r, count, &done, rs)
					 : block_write(p, r, count, &done, rq);
	if (!(r & DAP_XFER_RNW))
		rq->pos = data_start + 4 * (size_t)count;
	rs->b[head] = (uint8_t)done;
	rs->b[head + 1] = (uint8_t)(done >> 8);
	rs->b[head + 2] = (uint8_t)ack;
	return 0;
}

static int sim_cmsisdap_cmd_write_abort(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	uint32_t v;

	(void)req_u8(rq);
	v = req_u32(rq);
	if (cmsisdap_fw(p)->port != DAP_PORT_SWD) {
		rsp_u8(rs, DAP_ERROR);
		return 0;
	}
	(void)cmsisdap_swd_once(p, DP_ABORT, &v); /* one try, ACK ignored */
	rsp_u8(rs, DAP_OK);
	return 0;
}

/* ---- Dispatch --------------------------------------------------------- */

struct cmsisdap_cmd {
	sim_cmsisdap_cmd_fn fn;
	uint8_t req_len; /* fixed request bytes after the ID (minimum if variable) */
	uint8_t rsp_len; /* fixed response bytes after the ID (minimum) */
};

static const struct cmsisdap_cmd cmsisdap_cmds[256] = {
	[DAP_INFO] = { sim_cmsisdap_cmd_info, 1, 1 },
	[DAP_HOST_STATUS] = { sim_cmsisdap_cmd_host_status, 2, 1 },
	[DAP_CONNECT] = { sim_cmsisdap_cmd_connect, 1, 1 },
	[DAP_DISCONNECT] = { sim_cmsisdap_cmd_disconnect, 0, 1 },
	[DAP_TRANSFER_CONFIGURE] = { sim_cmsisdap_cmd_transfer_configure, 5, 1 },
	[DAP_TRANSFER] = { sim_cmsisdap_cmd_transfer, 2, 2 },
	[DAP_TRANSFER_BLOCK] = { sim_cmsisdap_cmd_transfer_block, 4, 3 },
	[DAP_WRITE_ABORT] = { sim_cmsisdap_cmd_write_abort, 5, 1 },
	[DAP_DELAY] = { sim_cmsisdap_cmd_delay, 2, 1 },
	[DAP_RESET_TARGET] = { sim_cmsisdap_cmd_reset_target, 0, 2 },
	[DAP_SWJ_PINS] = { sim_cmsisdap_cmd_swj_pins, 6, 1 },
	[DAP_SWJ_CLOCK] = { sim_cmsisdap_cmd_swj_clock, 4, 1 },
	[DAP_SWJ_SEQUENCE] = { sim_cmsisdap_cmd_swj_sequence, 1, 1 },
	[DAP_SWD_CONFIGURE] = { sim_cmsisdap_cmd_swd_configure, 1, 1 },
	[DAP_SWD_SEQUENCE] = { sim_cmsisdap_cmd_swd_sequence, 1, 1 },
};

/* Runs one command at rq->pos. An unknown ID answers 0xFF and consumes one
 * byte, as DAP_ProcessCommand does. A malformed command (truncated, or a
 * response that would not fit) answers 0xFF without side effects and
 * returns -1: the caller cannot find where the next command starts. */
static int cmsisdap_command(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	size_t start = rs->len;
	uint8_t id = req_u8(rq);
	const struct cmsisdap_cmd *c = &cmsisdap_cmds[id];

	if (!c->fn) {
		rsp_u8(rs, DAP_INVALID);
		return 0;
	}
	if (req_has(rq, c->req_len) && rsp_room(rs, 1u + c->rsp_len)) {
		rsp_u8(rs, id);
		if (c->fn(p, rq, rs) == 0)
			return 0;
	}
	rs->len = start;
	rsp_u8(rs, DAP_INVALID);
	return -1;
}

/* DAP_ExecuteCommands: `7F n cmd...` answers `7F n rsp...`. Nested
 * Execute/QueueCommands are unknown commands inside it. */
static void cmsisdap_execute(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs)
{
	unsigned n;

	if (!req_has(rq, 2)) {
		rsp_u8(rs, DAP_INVALID);
		return;
	}
	rsp_u8(rs, req_u8(rq));
	n = req_u8(rq);
	rsp_u8(rs, (uint8_t)n);
	for (unsigned i = 0; i < n; i++)
		if (cmsisdap_command(p, rq, rs))
			break;
}

/* Sends one response message. HID reports are always whole: the response
 * is padded with zeros to the report size. */
static void cmsisdap_emit(struct sim_probe *p, struct cmsisdap_rsp *rs)
{
	const struct cmsisdap_variant *v = cmsisdap_fw(p)->v;

	if (v->hid) {
		memset(rs->b + rs->len, 0, v->packet_size - rs->len);
		rs->len = v->packet_size;
	}
	sim_probe_reply(p, rs->b, rs->len);
	sim_probe_reply_end(p);
}

/* One packet, one response message. A packet longer than the DAP packet
 * size cannot be held by the firmware: it answers 0xFF. */
static void cmsisdap_packet(struct sim_probe *p, const uint8_t *buf, size_t len)
{
	struct cmsisdap_req rq = { .b = buf, .len = len };
	struct cmsisdap_rsp rs = { .cap = cmsisdap_fw(p)->v->packet_size };

	if (len > rs.cap)
		rsp_u8(&rs, DAP_INVALID);
	else if (buf[0] == DAP_EXECUTE_COMMANDS)
		cmsisdap_execute(p, &rq, &rs);
	else
		(void)cmsisdap_command(p, &rq, &rs);
	cmsisdap_emit(p, &rs);
}

/* The USB side of the firmware. TransferAbort is acted on when it arrives
 * and never answered; as every command here runs to completion before the
 * next packet is taken, it finds nothing to abort. A QueueCommands packet
 * waits, turned into ExecuteCommands, until a packet of another kind
 * arrives; then the queue runs in order, one response per packet. */
static void cmsisdap_out(struct sim_probe *p, const uint8_t *buf, size_t len)
{
	struct cmsisdap *d = cmsisdap_fw(p);

	if (len == 0 || buf[0] == DAP_TRANSFER_ABORT)
		return;
	if (buf[0] == DAP_QUEUE_COMMANDS && len <= d->v->packet_size) {
		if (d->queued == d->v->packet_count)
			return;
		memcpy(d->queue[d->queued], buf, len);
		d->queue[d->queued][0] = DAP_EXECUTE_COMMANDS;
		d->queue_len[d->queued++] = len;
		return;
	}
	for (unsigned i = 0; i < d->queued; i++)
		cmsisdap_packet(p, d->queue[i], d->queue_len[i]);
	d->queued = 0;
	cmsisdap_packet(p, buf, len);
}

static void cmsisdap_free(struct sim_probe *p)
{
	free(p->fw);
	p->fw = NULL;
}

static const struct sim_fw_ops cmsisdap_ops = {
	.out = cmsisdap_out,
	.free = cmsisdap_free,
};

static void cmsisdap_fill_usb(struct sim_probe *p, const struct cmsisdap_variant *v)
{
	struct sim_usb_identity *u = &p->usb;

	u->vid = v->vid;
	u->pid = v->pid;
	u->bcd_device = v->bcd_device;
	u->manufacturer = "swdd lab";
	u->product = v->product;
	u->interface_name = v->interface_name;
	u->serial = p->serial;
	u->ep_out = 0x01;
	u->ep_in = 0x81;
	u->ep_swo = 0;
	u->max_packet = 64; /* full speed: HID reports and bulk packets of 64 */
	u->high_speed = false;
	u->hid = v->hid;
	u->report_size = v->hid ? v->packet_size : 0;
	u->hid_interval_ms = v->hid ? 1 : 0;
}

int sim_cmsisdap_init(struct sim_probe *p)
{
	const struct cmsisdap_variant *v;
	const char *serial;
	struct cmsisdap *d;

	if (p->cfg.kind != SIM_PROBE_CMSIS_DAP_V1 && p->cfg.kind != SIM_PROBE_CMSIS_DAP_V2)
		return SIM_PROBE_EINVAL;
	v = &cmsisdap_variants[p->cfg.kind == SIM_PROBE_CMSIS_DAP_V2];
	serial = p->cfg.serial ? p->cfg.serial : v->default_serial;
	if (!*serial || strlen(serial) >= sizeof(p->serial))
		return SIM_PROBE_EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return SIM_PROBE_EINVAL;
	d->v = v;
	d->retry = CMSISDAP_DEFAULT_RETRY;
	d->pins_out = DAP_PIN_SWCLK | DAP_PIN_SWDIO | DAP_PIN_NRESET;
	strcpy(p->serial, serial);
	cmsisdap_fill_usb(p, v);
	p->fw = d;
	p->ops = &cmsisdap_ops;
	p->frame_ns = USB_FS_FRAME_NS; /* FS frame = HID bInterval of 1 ms */
	p->bytes_per_frame = v->bytes_per_frame;
	p->fw_overhead_ns = CMSISDAP_FW_PACKET_NS;
	p->swd_idle_cycles = 0;
	p->swd_turnaround = 1;
	p->swd_data_phase = false;
	sim_probe_set_swd_khz(p, CMSISDAP_DEFAULT_KHZ);
	return 0;
}
