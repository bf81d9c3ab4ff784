/*
 * Emulated probes: the parts every firmware model shares.
 *
 * USB timing model (docs/LAB.md): a host transfer starts at the next frame
 * boundary of the bus (1 ms full-speed frame, 125 us high-speed microframe,
 * or the HID polling interval for interrupt endpoints, USB 2.0 5.7.4 /
 * 5.8.4). A transfer that fits in one frame's share (bytes_per_frame) then
 * takes its wire time: each max-packet-sized transaction costs its data
 * bits plus the token/data/handshake protocol overhead at 12 Mbit/s (FS) or
 * 480 Mbit/s (HS), USB 2.0 8.4 and 7.1.11. A longer one occupies
 * ceil(len / bytes_per_frame) - 1 whole frames before its last share. An IN
 * reply that is ready is collected without waiting for a frame boundary,
 * because host controllers retry a NAKed bulk IN within the frame (USB 2.0
 * 8.5.1); interrupt endpoints are polled once per interval.
 */
#include "sim_probe_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[SIM_PROBE_KIND_COUNT] = {
	[SIM_PROBE_STLINK_V2] = "stlink-v2",       [SIM_PROBE_STLINK_V21] = "stlink-v21",
	[SIM_PROBE_STLINK_V3] = "stlink-v3",       [SIM_PROBE_CMSIS_DAP_V1] = "cmsis-dap-v1",
	[SIM_PROBE_CMSIS_DAP_V2] = "cmsis-dap-v2",
};

const char *sim_probe_kind_name(enum sim_probe_kind kind)
{
	return (unsigned)kind < SIM_PROBE_KIND_COUNT ? kind_names[kind] : "unknown";
}

int sim_probe_kind_parse(const char *name, enum sim_probe_kind *out)
{
	for (int k = 0; k < SIM_PROBE_KIND_COUNT; k++) {
		if (!strcmp(name, kind_names[k])) {
			*out = (enum sim_probe_kind)k;
			return 0;
		}
	}
	return SIM_PROBE_EINVAL;
}

static bool kind_is_stlink(enum sim_probe_kind k)
{
	return k == SIM_PROBE_STLINK_V2 || k == SIM_PROBE_STLINK_V21 || k == SIM_PROBE_STLINK_V3;
}

int sim_probe_new(const struct sim_probe_config *cfg, sim_chip *chip, sim_probe **out)
{
	struct sim_probe *p;
	int rc;

	if ((unsigned)cfg->kind >= SIM_PROBE_KIND_COUNT || !chip)
		return SIM_PROBE_EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return SIM_PROBE_EINVAL;
	p->cfg = *cfg;
	p->chip = chip;
	p->swd_turnaround = 1;
	rc = kind_is_stlink(cfg->kind) ? sim_stlink_init(p) : sim_cmsisdap_init(p);
	if (rc) {
		free(p);
		return rc;
	}
	*out = p;
	return SIM_PROBE_OK;
}

void sim_probe_free(sim_probe *p)
{
	if (!p)
		return;
	if (p->ops && p->ops->free)
		p->ops->free(p);
	free(p->reply);
	free(p->msg_end);
	free(p->msg_ready_ns);
	free(p);
}

const struct sim_usb_identity *sim_probe_usb(const sim_probe *p)
{
	return &p->usb;
}

enum sim_probe_kind sim_probe_kind(const sim_probe *p)
{
	return p->cfg.kind;
}

sim_chip *sim_probe_chip(const sim_probe *p)
{
	return p->chip;
}

void sim_probe_unplug(sim_probe *p)
{
	p->unplugged = true;
}

void sim_probe_get_stats(const sim_probe *p, struct sim_probe_stats *st)
{
	*st = p->stats;
}

void sim_probe_spend(struct sim_probe *p, uint64_t ns)
{
	sim_chip_advance(p->chip, ns);
	p->stats.modelled_ns += ns;
}

/* Protocol bits around each transaction's data: token packet (SYNC, PID,
 * address, endpoint, CRC5, EOP), the data packet's SYNC, PID, CRC16 and EOP,
 * the handshake packet and two bus turnarounds (USB 2.0 8.3-8.4, 7.1.18). HS
 * SYNC fields are 32 bits instead of 8. Bit stuffing is not counted. */
#define USB_FS_OVERHEAD_BITS 110u
#define USB_HS_OVERHEAD_BITS 200u
#define USB_FS_BIT_PS 83333u /* 12 Mbit/s */
#define USB_HS_BIT_PS 2083u  /* 480 Mbit/s */

/* Wire time of `len` bytes sent as max-packet transactions in one frame. */
static uint64_t usb_wire_ns(const struct sim_probe *p, size_t len)
{
	uint64_t mps = p->usb.max_packet ? p->usb.max_packet : 64;
	uint64_t packets = len ? (len + mps - 1) / mps : 1; /* a ZLP still costs a transaction */
	uint64_t bit_ps = p->usb.high_speed ? USB_HS_BIT_PS : USB_FS_BIT_PS;
	uint64_t ovh = p->usb.high_speed ? USB_HS_OVERHEAD_BITS : USB_FS_OVERHEAD_BITS;

	return (packets * ovh + (uint64_t)len * 8u) * bit_ps / 1000u;
}

/* End time of a transfer of `len` bytes that may start at `start`: the
 * next (micro)frame boundary if `align`, then the bus time of the bytes
 * (see the file comment). */
static uint64_t usb_transfer_end(const struct sim_probe *p, uint64_t start, size_t len, bool align)
{
	uint64_t whole = 0;
	size_t last = len;

	if (align && p->frame_ns)
		start = (start + p->frame_ns - 1) / p->frame_ns * p->frame_ns;
	if (p->bytes_per_frame && len > p->bytes_per_frame) {
		uint64_t frames = (len + p->bytes_per_frame - 1) / p->bytes_per_frame;
		whole = (frames - 1) * p->frame_ns;
		last = len - (size_t)((frames - 1) * p->bytes_per_frame);
	}
	return start + whole + usb_wire_ns(p, last);
}

/* Spends the time until a transfer that may start at `start` is done. A
 * pipelining host (several commands in flight, CMSIS-DAP packet count)
 * has its next command on the bus while the probe still executes the
 * previous one, and collects a reply while the probe executes the next
 * command; that part of the transfer overlaps time already spent, so only
 * the remainder is spent. */
static void usb_transfer(struct sim_probe *p, uint64_t start, size_t len, bool align)
{
	uint64_t now = sim_chip_now_ns(p->chip), end;

	if (start < p->bus_free_ns)
		start = p->bus_free_ns; /* one transfer at a time on the bus */
	end = usb_transfer_end(p, start, len, align);
	if (end > now)
		sim_probe_spend(p, end - now);
	p->bus_free_ns = end;
}

static bool reply_pending(const struct sim_probe *p)
{
	return p->reply_len > p->reply_off;
}

int sim_probe_out(sim_probe *p, const uint8_t *buf, size_t len)
{
	if (p->unplugged)
		return SIM_PROBE_ENODEV;
	p->stats.usb_transactions++;
	p->stats.bytes_out += len;
	/* Sent while a reply is still uncollected: the host queued it right
	 * behind the previous command, which the probe was executing. */
	usb_transfer(p, reply_pending(p) ? p->bus_free_ns : sim_chip_now_ns(p->chip), len, true);
	p->stats.commands++;
	sim_probe_spend(p, p->fw_overhead_ns);
	p->ops->out(p, buf, len);
	sim_probe_reply_end(p);
	return SIM_PROBE_OK;
}

/* Bytes the next IN may take: up to the end of the oldest pending message. */
static size_t reply_msg_avail(struct sim_probe *p)
{
	while (p->msg_head < p->msg_count && p->msg_end[p->msg_head] <= p->reply_off)
		p->msg_head++;
	if (p->msg_head < p->msg_count)
		return p->msg_end[p->msg_head] - p->reply_off;
	return p->reply_len - p->reply_off;
}

int sim_probe_in(sim_probe *p, uint8_t *buf, size_t cap, size_t *got)
{
	size_t avail, n;
	uint64_t ready;

	*got = 0;
	if (p->unplugged)
		return SIM_PROBE_ENODEV;
	avail = reply_msg_avail(p);
	if (!avail)
		return SIM_PROBE_EAGAIN;
	ready = p->msg_head < p->msg_count ? p->msg_ready_ns[p->msg_head] : sim_chip_now_ns(p->chip);
	n = avail < cap ? avail : cap;
	if (p->usb.hid && n > p->usb.report_size)
		n = p->usb.report_size;
	memcpy(buf, p->reply + p->reply_off, n);
	p->reply_off += n;
	if (p->reply_off == p->reply_len)
		p->reply_off = p->reply_len = p->msg_head = p->msg_count = 0;
	p->stats.usb_transactions++;
	p->stats.bytes_in += n;
	/* Interrupt IN endpoints are polled once per interval; bulk IN is
	 * retried within the frame, so only the payload time counts, from the
	 * moment the reply was complete. */
	usb_transfer(p, ready, n, p->usb.hid);
	*got = n;
	return SIM_PROBE_OK;
}

void sim_probe_reply(struct sim_probe *p, const void *buf, size_t len)
{
	if (p->reply_len + len > p->reply_cap) {
		size_t cap = p->reply_cap ? p->reply_cap : 1024;
		while (cap < p->reply_len + len)
			cap *= 2;
		uint8_t *nb = realloc(p->reply, cap);
		if (!nb)
			return; /* the host will see a short reply and time out */
		p->reply = nb;
		p->reply_cap = cap;
	}
	memcpy(p->reply + p->reply_len, buf, len);
	p->reply_len += len;
}

void sim_probe_reply_end(struct sim_probe *p)
{
	size_t last = p->msg_count ? p->msg_end[p->msg_count - 1] : p->reply_off;

	if (p->reply_len <= last)
		return; /* nothing since the last end */
	if (p->msg_count == p->msg_cap) {
		size_t cap = p->msg_cap ? p->msg_cap * 2 : 16;
		size_t *ne = realloc(p->msg_end, cap * sizeof(*ne));
		uint64_t *nr = ne ? realloc(p->msg_ready_ns, cap * sizeof(*nr)) : NULL;
		if (ne)
			p->msg_end = ne;
		if (!nr)
			return; /* the host may see two replies merged */
		p->msg_ready_ns = nr;
		p->msg_cap = cap;
	}
	p->msg_ready_ns[p->msg_count] = sim_chip_now_ns(p->chip);
	p->msg_end[p->msg_count++] = p->reply_len;
}

uint8_t sim_parity32(uint32_t v)
{
	v ^= v >> 16;
	v ^= v >> 8;
	v ^= v >> 4;
	v ^= v >> 2;
	v ^= v >> 1;
	return v & 1u;
}

uint8_t sim_swd_request(bool ap, bool read, uint8_t addr)
{
	uint8_t a2 = (addr >> 2) & 1u, a3 = (addr >> 3) & 1u;
	uint8_t par = (uint8_t)((ap ? 1 : 0) ^ (read ? 1 : 0) ^ a2 ^ a3);

	return (uint8_t)(0x01u | (ap ? 0x02u : 0) | (read ? 0x04u : 0) | (a2 << 3) | (a3 << 4) | (par << 5) |
			 0x80u);
}

/* Bits on the wire for one packet (ADIv5.2 B4.2): 8 request, turnaround,
 * 3 ACK, then for OK: read = 33 data+parity + turnaround; write =
 * turnaround + 33; then the idle cycles the probe inserts after a completed
 * transfer. WAIT/FAULT: turnaround back (plus a dummy 33-bit data phase if
 * the probe is set to always clock one, ADIv5.2 B4.2.3 / CMSIS-DAP
 * DAP_SWD_Configure). No valid ACK (protocol error): the probe backs off for
 * a whole data phase, turnaround + 33 cycles, before the next request. */
static unsigned swd_packet_bits(const struct sim_probe *p, int ack)
{
	unsigned bits = 8 + p->swd_turnaround + 3;

	if (ack == SIM_ACK_OK)
		return bits + 33 + p->swd_turnaround + p->swd_idle_cycles;
	if (ack == SIM_ACK_WAIT || ack == SIM_ACK_FAULT)
		return bits + p->swd_turnaround + (p->swd_data_phase ? 33 : 0);
	return bits + p->swd_turnaround + 33;
}

static uint64_t swd_bits_ns(const struct sim_probe *p, unsigned bits)
{
	unsigned khz = p->swd_khz ? p->swd_khz : 1000;
	return (uint64_t)bits * 1000000u / khz;
}

int sim_probe_swd(struct sim_probe *p, struct sim_swd_packet *pkt)
{
	int ack = sim_swd_transfer(p->chip, pkt);

	p->stats.swd_transfers++;
	sim_probe_spend(p, swd_bits_ns(p, swd_packet_bits(p, ack)));
	return ack;
}

void sim_probe_swj_sequence(struct sim_probe *p, const uint8_t *bits, unsigned nbits)
{
	sim_swd_sequence(p->chip, bits, nbits);
	sim_probe_spend(p, swd_bits_ns(p, nbits));
}

void sim_probe_set_swd_khz(struct sim_probe *p, unsigned khz)
{
	p->swd_khz = khz;
	sim_swd_set_clock_khz(p->chip, khz);
}
