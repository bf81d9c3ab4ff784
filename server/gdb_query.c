/*
 * Query and set-up packets: qSupported, QStartNoAckMode, '!', threads,
 * qXfer (target description, memory map), qRcmd (monitor), qCRC.
 * GDB manual E.4 "General Query Packets", E.5 "Architecture-Specific
 * Protocol Details", E.18 "Target Descriptions" transfer rules.
 *
 * swdd presents one process with one thread (id 1): the core.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash.h"
#include "gdb_server.h"
#include "monitor.h"
#include "swdd_err.h"

static int gdbq_supported(struct gdb_server *s, const char *pkt, size_t len)
{
	char reply[256];
	(void)len;

	(void)rsp_parse_qsupported(pkt, &s->features); /* unknown features are ignored (GDB E.4) */
	snprintf(reply, sizeof(reply),
		 "PacketSize=%x;qXfer:features:read+;%svContSupported+;swbreak+;hwbreak+;"
		 "QStartNoAckMode+",
		 RSP_PACKET_SIZE, s->hooks.memory_map ? "qXfer:memory-map:read+;" : "");
	return gdb_send_str(s, reply);
}

/* The OK goes out with acks still on; from then on neither side sends them
 * (E.12 "Packet Acknowledgment"). */
static int gdbq_noack(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	int rc = gdb_send_str(s, "OK");

	s->noack = true;
	return rc;
}

static int gdbq_extended(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	s->extended = true;
	return gdb_send_str(s, "OK");
}

static int gdbq_ok(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	return gdb_send_str(s, "OK");
}

static int gdbq_empty(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	return gdb_send(s, "", 0);
}

static int gdbq_current_thread(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	return gdb_send_str(s, "QC1");
}

/* "1": we attached to something that already existed, so GDB detaches
 * (leaving the chip running) rather than kills when it quits. */
static int gdbq_attached(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	return gdb_send_str(s, "1");
}

static int gdbq_thread_first(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	return gdb_send_str(s, "m1");
}

static int gdbq_thread_next(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	return gdb_send_str(s, "l");
}

/* Serves [offset, offset+length) of a document as 'm' (more follows) or 'l'
 * (last) with binary escapes (E.4 qXfer). */
static int gdbq_xfer_doc(struct gdb_server *s, const char *doc, const struct rsp_qxfer *x)
{
	size_t doclen = strlen(doc), used, cap, outlen;

	if (x->offset > doclen)
		return swdd_err_set(SWDD_EINVAL, "qXfer offset beyond the document");
	cap = x->length < RSP_PACKET_SIZE - 1 ? (size_t)x->length : RSP_PACKET_SIZE - 1;
	used = rsp_escape((const uint8_t *)doc + x->offset, doclen - (size_t)x->offset,
			  (uint8_t *)s->reply + 1, cap, &outlen);
	s->reply[0] = x->offset + used < doclen ? 'm' : 'l';
	return gdb_send(s, s->reply, outlen + 1);
}

static int gdbq_xfer_features(struct gdb_server *s, const char *pkt, size_t len)
{
	struct rsp_qxfer x;
	(void)len;

	if (rsp_parse_qxfer_read(pkt, &x))
		return swdd_err_set(SWDD_EINVAL, "malformed qXfer packet");
	if (strcmp(x.annex, "target.xml") != 0)
		return swdd_err_set(SWDD_EINVAL, "no target description named %s", x.annex);
	return gdbq_xfer_doc(s, swdd_target_xml(s->target), &x);
}

static int gdbq_xfer_memory_map(struct gdb_server *s, const char *pkt, size_t len)
{
	const char *(*map)(struct gdb_server *) = s->hooks.memory_map;
	struct rsp_qxfer x;
	const char *doc;
	(void)len;

	if (!map || !(doc = map(s)))
		return gdb_send(s, "", 0);
	if (rsp_parse_qxfer_read(pkt, &x))
		return swdd_err_set(SWDD_EINVAL, "malformed qXfer packet");
	return gdbq_xfer_doc(s, doc, &x);
}

/* qRcmd,HEX: a monitor command. Its output, and the reason of a failure,
 * go out as O packets before the final reply. GDB 13 (remote.c
 * remote_rcmd) knows three final replies: OK; an empty one, which it
 * words "Target does not support this command." (true for an unknown
 * command); and E NN, which it words "Protocol error with Rcmd" (the
 * only way to make a failed command fail a GDB script; the reason is on
 * the line above). An "E.text" reply would be decoded as hex output and
 * refused ("Invalid hex digit 46"). docs/SERVER.md "What GDB shows". */
static int gdbq_rcmd(struct gdb_server *s, const char *pkt, size_t len)
{
	size_t hexlen = len - 6, n;
	char *cmd = malloc(hexlen / 2 + 1);
	bool unknown;
	int rc;

	if (!cmd)
		return SWDD_ENOMEM;
	if (rsp_hex_decode(pkt + 6, hexlen, (uint8_t *)cmd, &n)) {
		free(cmd);
		return swdd_err_set(SWDD_EINVAL, "qRcmd argument is not hex");
	}
	cmd[n] = '\0';
	s->in_rcmd = true;
	gdb_console_write(s, ""); /* flushes queued log lines */
	rc = monitor_exec(s, cmd, &unknown);
	s->in_rcmd = false;
	free(cmd);
	if (rc && unknown)
		return gdb_send(s, "", 0);
	return gdb_send_str(s, rc ? "E01" : "OK");
}

static int gdbq_crc_readback(struct swdd_target *t, uint32_t addr, uint32_t len, uint32_t *crc)
{
	static uint8_t chunk[4096];
	uint32_t c = *crc;

	while (len) {
		uint32_t n = len < sizeof(chunk) ? len : (uint32_t)sizeof(chunk);
		int rc = swdd_target_mem_read(t, addr, chunk, n);

		if (rc)
			return rc;
		c = swdd_crc32(c, chunk, n);
		addr += n;
		len -= n;
	}
	*crc = c;
	return 0;
}

/* qCRC:addr,len for `compare-sections`: the on-target CRC of the flash layer
 * when it provides one, else a read-back. */
static int gdbq_crc(struct gdb_server *s, const char *pkt, size_t len)
{
	const struct gdb_hooks *h = &s->hooks;
	uint64_t addr, n;
	uint32_t crc = 0xFFFFFFFFu;
	char reply[16];
	int rc;
	(void)len;

	if (rsp_parse_addr_len(pkt + 5, &addr, &n, NULL) || addr + n > 0x100000000ull)
		return swdd_err_set(SWDD_EINVAL, "malformed qCRC packet");
	rc = h->crc ? h->crc(s, (uint32_t)addr, (uint32_t)n, &crc)
		    : gdbq_crc_readback(s->target, (uint32_t)addr, (uint32_t)n, &crc);
	if (rc)
		return rc;
	snprintf(reply, sizeof(reply), "C%08x", crc);
	return gdb_send_str(s, reply);
}

const struct gdb_packet gdb_packets_query[] = {
	{ .prefix = "qSupported", .fn = gdbq_supported },
	{ .prefix = "QStartNoAckMode", .exact = true, .fn = gdbq_noack },
	{ .prefix = "!", .exact = true, .fn = gdbq_extended },
	{ .prefix = "qC", .exact = true, .fn = gdbq_current_thread },
	{ .prefix = "qAttached", .fn = gdbq_attached },
	{ .prefix = "qfThreadInfo", .exact = true, .fn = gdbq_thread_first },
	{ .prefix = "qsThreadInfo", .exact = true, .fn = gdbq_thread_next },
	{ .prefix = "qXfer:features:read:", .fn = gdbq_xfer_features },
	{ .prefix = "qXfer:memory-map:read:", .fn = gdbq_xfer_memory_map },
	{ .prefix = "qRcmd,", .fn = gdbq_rcmd },
	{ .prefix = "qCRC:", .fn = gdbq_crc },
	{ .prefix = "qSymbol", .fn = gdbq_ok },
	{ .prefix = "vMustReplyEmpty", .exact = true, .fn = gdbq_empty },
	{ .prefix = "H", .fn = gdbq_ok }, /* Hg/Hc: select our only thread */
	{ .prefix = "T", .fn = gdbq_ok }, /* thread alive */
};
const size_t gdb_packets_query_count = sizeof(gdb_packets_query) / sizeof(gdb_packets_query[0]);
