/*
 * CMSIS-DAP transfers: many DP/AP accesses packed into DAP_Transfer and
 * DAP_TransferBlock packets (ref_dap "DAP_Transfer", "DAP_TransferBlock"),
 * with up to DAP_Info packet-count packets in flight at once. The firmware
 * retries WAIT itself (DAP_TransferConfigure) and hides posted AP reads, so
 * each read response carries its own register's value.
 */
#include "cmsis_dap.h"

#include <stdio.h>
#include <string.h>

#include "swdd_err.h"

/* A run of this many identical requests goes into a TransferBlock. */
#define BLOCK_MIN_RUN 4U

struct dap_pkt {
	size_t start, n; /* transfers x[start .. start+n) */
	size_t resp_len; /* full reply length when all complete */
	bool block;
};

static size_t same_run(const struct dap_xfer *x, size_t n, size_t i, size_t max)
{
	size_t r = 1;

	while (i + r < n && r < max && x[i + r].req == x[i].req)
		r++;
	return r;
}

/* DAP_TransferBlock: one request byte, a word per transfer. */
static size_t pkt_build_block(const struct cmsis_dap *d, const struct dap_xfer *x, size_t n, size_t i,
			      struct dap_pkt *pk, uint8_t *cmd)
{
	bool rd = x[i].req & DAP_REQ_RD;
	size_t cap = rd ? (d->packet_size - 4u) / 4u : (d->packet_size - 5u) / 4u;
	size_t cnt = same_run(x, n, i, cap), len = 5;

	cmd[0] = DAP_CMD_TRANSFER_BLOCK;
	cmd[1] = 0; /* DAP index: SWD has one DAP */
	cmd[2] = (uint8_t)cnt;
	cmd[3] = (uint8_t)(cnt >> 8);
	cmd[4] = x[i].req;
	for (size_t k = 0; k < cnt && !rd; k++, len += 4)
		swdd_put_le32(cmd + len, x[i + k].data);
	*pk = (struct dap_pkt){ .start = i, .n = cnt, .resp_len = 4 + (rd ? 4 * cnt : 0), .block = true };
	return len;
}

/* DAP_Transfer: mixed requests until the request or the reply would not
 * fit a packet, or a run of writes long enough for a TransferBlock begins. */
static size_t pkt_build_mixed(const struct cmsis_dap *d, const struct dap_xfer *x, size_t n, size_t i,
			      struct dap_pkt *pk, uint8_t *cmd)
{
	size_t len = 3, resp = 3, k = i;

	cmd[0] = DAP_CMD_TRANSFER;
	cmd[1] = 0;
	while (k < n && k - i < 255) {
		bool rd = x[k].req & DAP_REQ_RD;

		/* A read costs the same in either packet kind, a write a byte
		 * more here: only a run of writes is worth its own block. */
		if (k > i && !rd && same_run(x, n, k, BLOCK_MIN_RUN) >= BLOCK_MIN_RUN)
			break;
		if (len + (rd ? 1 : 5) > d->packet_size || resp + (rd ? 4 : 0) > d->packet_size)
			break;
		cmd[len++] = x[k].req;
		if (!rd) {
			swdd_put_le32(cmd + len, x[k].data);
			len += 4;
		}
		resp += rd ? 4 : 0;
		k++;
	}
	cmd[2] = (uint8_t)(k - i);
	*pk = (struct dap_pkt){ .start = i, .n = k - i, .resp_len = resp, .block = false };
	return len;
}

static int pkt_send(struct swdd_probe *p, const struct dap_xfer *x, size_t n, size_t i, struct dap_pkt *pk)
{
	struct cmsis_dap *d = cmsis_dap_of(p);
	size_t len = same_run(x, n, i, BLOCK_MIN_RUN) >= BLOCK_MIN_RUN
			     ? pkt_build_block(d, x, n, i, pk, d->cmd)
			     : pkt_build_mixed(d, x, n, i, pk, d->cmd);

	return probe_tr_write(p->tr, d->cmd, len);
}

static void describe(const struct dap_xfer *t, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s %s of register 0x%X", t->req & DAP_REQ_AP ? "AP" : "DP",
		 t->req & DAP_REQ_RD ? "read" : "write", t->req & 0x0Cu);
}

/* Words the failing reply names the error; recovery leaves the DP usable:
 * ABORT cancels a stuck transaction and clears the sticky flags
 * (ADIv5.2 B2.2.1), so the next access is not refused by STICKYERR. */
static int xfer_error(struct swdd_probe *p, const struct dap_xfer *t, size_t idx, size_t n, uint8_t resp)
{
	char what[48];
	unsigned ack = resp & DAP_ACK_MASK;

	describe(t, what, sizeof(what));
	if (resp & DAP_RESP_PROTOCOL_ERROR)
		return swdd_err_set(SWDD_EPROTO,
				    "SWD parity error on the %s (transfer %zu of %zu): lower the SWD "
				    "clock or use shorter wires",
				    what, idx + 1, n);
	if (ack == DAP_ACK_WAIT) {
		(void)cmsis_dap_write_abort(p,
					    DP_ABORT_DAPABORT | DP_ABORT_ALL_CLR); /* the WAIT is the error */
		return swdd_err_set(SWDD_EWAIT,
				    "the target answered WAIT %u times to the %s (transfer %zu of %zu); "
				    "the probe aborted it with DP ABORT.DAPABORT",
				    CMSIS_DAP_WAIT_RETRY, what, idx + 1, n);
	}
	if (ack == DAP_ACK_FAULT) {
		(void)cmsis_dap_write_abort(p, DP_ABORT_ALL_CLR); /* the FAULT is the error */
		return swdd_err_set(SWDD_EFAULT,
				    "the target answered FAULT to the %s (transfer %zu of %zu); "
				    "sticky errors cleared with DP ABORT",
				    what, idx + 1, n);
	}
	if (ack == DAP_ACK_NONE || ack == 0)
		return swdd_err_set(
			SWDD_ENOTARGET,
			"no ACK from the target to the %s: check the SWDIO/SWCLK/GND "
			"wiring and the target supply, and that its firmware has not disabled the SWD pins",
			what);
	return swdd_err_set(SWDD_EPROTO, "garbled SWD ACK 0x%x to the %s: lower the SWD clock", ack, what);
}

/* Index (within the packet) of the transfer an error belongs to, and
 * whether its value is missing from the reply. The reference firmware
 * (DAP.c) counts a posted AP read or an AP write as done when its own ACK
 * is OK, but the bus fault it causes shows up at the next access: so a
 * failing DAP_Transfer after an AP access blames that access. In a
 * TransferBlock a read counts only once its value arrived. */
static size_t pkt_blame(const struct dap_xfer *x, const struct dap_pkt *pk, size_t cnt)
{
	const struct dap_xfer *prev = cnt ? &x[pk->start + cnt - 1] : NULL;

	if (pk->block)
		return (x[pk->start].req & DAP_REQ_RD) || !cnt ? cnt : cnt - 1;
	return prev && (prev->req & DAP_REQ_AP) ? cnt - 1 : cnt;
}

/* Parses one reply: stores read values, returns the transfers completed
 * in *cnt and the last response byte in *ack. */
static int pkt_parse(struct swdd_probe *p, const struct dap_xfer *x, const struct dap_pkt *pk, size_t rlen,
		     size_t *cnt, uint8_t *ack)
{
	const uint8_t *r = cmsis_dap_of(p)->resp;
	size_t hdr = pk->block ? 4 : 3, off, valid;

	if (rlen < hdr || r[0] != (pk->block ? DAP_CMD_TRANSFER_BLOCK : DAP_CMD_TRANSFER))
		return swdd_err_set(SWDD_EIO,
				    "the CMSIS-DAP probe sent a malformed transfer reply (%zu bytes, "
				    "id 0x%02x)",
				    rlen, rlen ? r[0] : 0);
	*cnt = pk->block ? (size_t)(r[1] | r[2] << 8) : r[1];
	*ack = r[hdr - 1];
	/* A reply whose count does not fit its request answers another one
	 * (the firmware stops early only on a failed or mismatched transfer,
	 * DAP_Transfer "Response"). */
	if (*cnt > pk->n || (*cnt < pk->n && *ack == DAP_ACK_OK))
		return swdd_err_set(SWDD_EIO,
				    "the CMSIS-DAP probe reports %zu of %zu transfers done with an OK "
				    "response: the reply answers another command",
				    *cnt, pk->n);
	valid = *cnt;
	if ((*ack & DAP_ACK_MASK) != DAP_ACK_OK || (*ack & DAP_RESP_PROTOCOL_ERROR))
		valid = pkt_blame(x, pk, *cnt);
	off = hdr;
	for (size_t k = 0; k < valid; k++) {
		const struct dap_xfer *t = &x[pk->start + k];

		if (!(t->req & DAP_REQ_RD))
			continue;
		if (off + 4 > rlen)
			return swdd_err_set(SWDD_EIO, "the CMSIS-DAP transfer reply is truncated");
		if (t->dst)
			*t->dst = swdd_le32(r + off);
		off += 4;
	}
	return 0;
}

/* Collects the replies of packets still in flight after an error, so the
 * next command does not read a stale reply. Their results are void: the
 * probe ran them after the failure. One that does not come leaves the
 * stream to the next command's resynchronisation. */
static void drain(struct swdd_probe *p, const struct dap_pkt *ring, size_t head, size_t inflight)
{
	for (size_t k = 0; k < inflight; k++) {
		size_t rlen;

		if (cmsis_dap_read_reply(p, ring[(head + k) % CMSIS_DAP_MAX_IN_FLIGHT].resp_len, &rlen)) {
			cmsis_dap_of(p)->desync = true;
			break;
		}
	}
}

int cmsis_dap_transfer(struct swdd_probe *p, const struct dap_xfer *x, size_t n, size_t *done)
{
	struct cmsis_dap *d = cmsis_dap_of(p);
	struct dap_pkt ring[CMSIS_DAP_MAX_IN_FLIGHT];
	size_t head = 0, inflight = 0, next = 0, depth = d->packet_count;
	int rc = cmsis_dap_sync(p);

	if (depth > CMSIS_DAP_MAX_IN_FLIGHT)
		depth = CMSIS_DAP_MAX_IN_FLIGHT;
	*done = 0;
	while (!rc && *done < n) {
		while (inflight < depth && next < n) {
			struct dap_pkt *pk = &ring[(head + inflight) % CMSIS_DAP_MAX_IN_FLIGHT];

			rc = pkt_send(p, x, n, next, pk);
			if (rc) {
				d->desync = true; /* what is in flight answers later */
				return rc;
			}
			next += pk->n;
			inflight++;
		}
		const struct dap_pkt *pk = &ring[head];
		size_t rlen = 0, cnt = 0;
		uint8_t ack = 0;

		head = (head + 1) % CMSIS_DAP_MAX_IN_FLIGHT;
		inflight--;
		rc = cmsis_dap_read_reply(p, pk->resp_len, &rlen);
		if (!rc)
			rc = pkt_parse(p, x, pk, rlen, &cnt, &ack);
		if (!rc &&
		    (cnt < pk->n || (ack & DAP_ACK_MASK) != DAP_ACK_OK || (ack & DAP_RESP_PROTOCOL_ERROR))) {
			size_t bad = pk->start + pkt_blame(x, pk, cnt);

			if (bad >= pk->start + pk->n)
				bad = pk->start + pk->n - 1;
			drain(p, ring, head, inflight);
			*done = bad;
			return xfer_error(p, &x[bad], bad, n, ack);
		}
		if (rc) {
			/* this reply and those still in flight may come late, or
			 * this one was not this packet's */
			d->desync = true;
			return rc;
		}
		*done = pk->start + pk->n;
	}
	return rc;
}
