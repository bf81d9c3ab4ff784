/*
 * GDB session core: byte input through the RSP reader, acks, packet output,
 * console (O packet) output and the dispatcher over the packet tables
 * (one small function per packet). The handlers live in gdb_query.c, gdb_data.c and
 * gdb_run.c. GDB manual appendix E.
 */
#include "gdb_server.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swdd_err.h"
#include "swdd_log.h"

int gdb_server_init(struct gdb_server *s, struct swdd_target *t, gdb_write_fn write, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->target = t;
	s->write = write;
	s->write_ctx = ctx;
	s->reply = malloc(RSP_BUF_SIZE);
	s->last = malloc(RSP_BUF_SIZE + 8);
	if (!s->reply || !s->last) {
		gdb_server_free(s);
		return swdd_err_set(SWDD_ENOMEM, "out of memory for the GDB packet buffers");
	}
	rsp_reader_init(&s->reader);
	return 0;
}

void gdb_server_free(struct gdb_server *s)
{
	free(s->reply);
	free(s->last);
	s->reply = s->last = NULL;
}

static int gdb_raw_write(struct gdb_server *s, const void *buf, size_t len)
{
	if (s->write(s->write_ctx, buf, len)) {
		s->close = true;
		return swdd_err_set(SWDD_ECLOSED, "the GDB client's connection was lost");
	}
	return 0;
}

int gdb_send(struct gdb_server *s, const void *payload, size_t len)
{
	long n = rsp_frame(payload, len, s->last, RSP_BUF_SIZE + 8);

	if (n < 0)
		return swdd_err_set(SWDD_EINVAL, "reply of %zu bytes exceeds the packet buffer", len);
	s->last_len = (size_t)n;
	return gdb_raw_write(s, s->last, s->last_len);
}

int gdb_send_str(struct gdb_server *s, const char *payload)
{
	return gdb_send(s, payload, strlen(payload));
}

/* GDB shows only "Remote failure reply: Exx" or its own message for memory
 * errors, so the detail sentence goes to the log (stderr, and the console
 * when GDB accepts output). The number is the negated SWDD_E* code. */
int gdb_send_error(struct gdb_server *s, int rc)
{
	char e[8];

	swdd_debug("reply error %s: %s", swdd_strerror(rc), swdd_err_detail());
	snprintf(e, sizeof(e), "E%02x", (unsigned)(rc < 0 ? -rc : rc) & 0xFFu);
	return gdb_send_str(s, e);
}

int gdb_send_error_text(struct gdb_server *s, const char *fmt_prefix, int rc)
{
	char text[600];
	int n = snprintf(text, sizeof(text), "%s%s%s%s", fmt_prefix, swdd_strerror(rc),
			 *swdd_err_detail() ? ": " : "", swdd_err_detail());

	/* RSP framing characters have no place in a message: '$' '#' '}' '*' */
	for (int i = 0; i < n && text[i]; i++)
		if (strchr("$#}*", text[i]))
			text[i] = ' ';
	return gdb_send_str(s, text);
}

/* One O packet: 'O' and the hex of up to ~PacketSize/2 characters. */
static void gdb_console_packet(struct gdb_server *s, const char *text, size_t len)
{
	char *pkt = malloc(2 * len + 2);

	if (!pkt)
		return;
	pkt[0] = 'O';
	rsp_hex_encode(text, len, pkt + 1);
	/* Not gdb_send: an O packet must not replace the packet a '-' resends. */
	char *framed = malloc(2 * len + 8);
	long n = framed ? rsp_frame(pkt, 2 * len + 1, framed, 2 * len + 8) : -1;

	if (n > 0)
		(void)gdb_raw_write(s, framed, (size_t)n); /* a lost client sets s->close */
	free(framed);
	free(pkt);
}

static bool gdb_console_open(const struct gdb_server *s)
{
	return s->client && (s->in_rcmd || s->running);
}

static void gdb_log_flush(struct gdb_server *s)
{
	if (s->log_len && gdb_console_open(s)) {
		gdb_console_packet(s, s->log_queue, s->log_len);
		s->log_len = 0;
	}
}

void gdb_console_write(struct gdb_server *s, const char *text)
{
	size_t len = strlen(text);

	if (gdb_console_open(s)) {
		gdb_log_flush(s);
		for (size_t off = 0; off < len; off += 1024)
			gdb_console_packet(s, text + off, len - off < 1024 ? len - off : 1024);
		return;
	}
	/* GDB would take an O packet now for the reply to its last request:
	 * keep the text (the newest that fits) for the next monitor command or
	 * resume. */
	if (len > GDB_LOG_QUEUE)
		return;
	if (s->log_len + len > GDB_LOG_QUEUE)
		s->log_len = 0;
	memcpy(s->log_queue + s->log_len, text, len);
	s->log_len += len;
}

void gdb_console_vprintf(struct gdb_server *s, const char *fmt, va_list ap)
{
	char buf[2048];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	gdb_console_write(s, buf);
}

void gdb_console_printf(struct gdb_server *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gdb_console_vprintf(s, fmt, ap);
	va_end(ap);
}

void gdb_server_log_sink(void *ctx, enum swdd_log_level lvl, const char *line)
{
	static const char *const prefix[] = { "debug: ", "", "warning: ", "error: " };
	struct gdb_server *s = ctx;

	if (!s->client || lvl == SWDD_LOG_DEBUG)
		return;
	/* Outside a monitor command or a run, only warnings wait for the
	 * console; routine lines stay on stderr. */
	if (!gdb_console_open(s) && lvl < SWDD_LOG_WARN)
		return;
	gdb_console_printf(s, "swdd: %s%s\n", prefix[lvl], line);
}

static const struct gdb_packet *gdb_find(const struct gdb_packet *table, size_t n, const char *pkt)
{
	for (size_t i = 0; i < n; i++) {
		const struct gdb_packet *p = &table[i];

		if (p->exact ? strcmp(pkt, p->prefix) == 0 : strncmp(pkt, p->prefix, strlen(p->prefix)) == 0)
			return p;
	}
	return NULL;
}

int gdb_dispatch(struct gdb_server *s, const char *pkt, size_t len)
{
	static const struct {
		const struct gdb_packet *table;
		const size_t *count;
	} tables[] = {
		{ gdb_packets_query, &gdb_packets_query_count },
		{ gdb_packets_data, &gdb_packets_data_count },
		{ gdb_packets_run, &gdb_packets_run_count },
		{ gdb_packets_flash, &gdb_packets_flash_count },
	};
	const struct gdb_packet *p = NULL;

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]) && !p; i++)
		p = gdb_find(tables[i].table, *tables[i].count, pkt);
	if (!p) {
		swdd_debug("unsupported packet '%.40s': empty reply", pkt);
		return gdb_send(s, "", 0);
	}
	swdd_err_clear();
	int rc = p->detached_ok ? 0 : gdb_server_reattach(s);

	if (rc)
		swdd_error("cannot connect to the chip: %s: %s", swdd_strerror(rc), swdd_err_detail());
	else
		rc = p->fn(s, pkt, len);
	if (rc && !s->close)
		return gdb_send_error(s, rc);
	return 0;
}

static int gdb_on_packet(struct gdb_server *s)
{
	if (!s->noack && gdb_raw_write(s, "+", 1))
		return -1;
	if (s->running) {
		/* All-stop GDB sends nothing but 0x03 while the target runs. */
		swdd_debug("packet '%.40s' while running ignored", (char *)s->reader.buf);
		return 0;
	}
	(void)gdb_dispatch(s, (const char *)s->reader.buf,
			   s->reader.len); /* a failure is replied; only a lost connection matters */
	return s->close ? SWDD_ECLOSED : 0;
}

static int gdb_on_interrupt(struct gdb_server *s)
{
	int rc;

	if (!s->running || !s->target)
		return 0;
	s->interrupted = true;
	rc = swdd_target_halt(s->target);
	if (rc)
		swdd_error("halt on Ctrl-C failed: %s: %s", swdd_strerror(rc), swdd_err_detail());
	return gdb_server_poll(s);
}

static int gdb_on_event(struct gdb_server *s, enum rsp_event ev)
{
	switch (ev) {
	case RSP_EV_PACKET:
		return gdb_on_packet(s);
	case RSP_EV_INTERRUPT:
		return gdb_on_interrupt(s);
	case RSP_EV_NAK:
		return s->last_len ? gdb_raw_write(s, s->last, s->last_len) : 0;
	case RSP_EV_BADSUM:
	case RSP_EV_BADENC:
		swdd_debug("packet with bad checksum or run-length: asking again");
		return s->noack ? 0 : gdb_raw_write(s, "-", 1);
	case RSP_EV_OVERFLOW:
		swdd_warn("packet longer than %u bytes dropped", RSP_BUF_SIZE);
		if (!s->noack && gdb_raw_write(s, "+", 1))
			return SWDD_ECLOSED;
		return gdb_send_str(s, "E01");
	default:
		return 0;
	}
}

int gdb_server_input(struct gdb_server *s, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len && !s->close; i++) {
		enum rsp_event ev = rsp_reader_feed(&s->reader, buf[i]);

		if (ev != RSP_EV_NONE && gdb_on_event(s, ev))
			s->close = true;
	}
	return s->close ? SWDD_ECLOSED : 0;
}

int gdb_server_poll(struct gdb_server *s)
{
	struct swdd_stop st;
	int rc;

	if (!s->running)
		return 0;
	gdb_log_flush(s);
	rc = swdd_target_poll(s->target, &st);
	if (rc) {
		/* A probe or target failure while running: say why, then
		 * report a stop so GDB does not wait forever. */
		gdb_console_printf(s, "swdd: lost the target while running: %s: %s\n", swdd_strerror(rc),
				   swdd_err_detail());
		(void)swdd_target_halt(
			s->target); /* best effort: the stop reply below tells GDB either way */
	} else if (st.reason == SWDD_STOP_NONE || st.reason == SWDD_STOP_SLEEP) {
		return 0;
	}
	rc = gdb_send_stop_reply(s);
	s->running = false;
	s->interrupted = false;
	return rc ? -1 : 0;
}

int gdb_server_reattach(struct gdb_server *s)
{
	int rc;

	if (!s->detached || !s->reconnect)
		return 0;
	rc = s->reconnect(s->reconnect_ctx, s->target != NULL, &s->target);
	if (rc)
		return rc;
	s->detached = false;
	return 0;
}

int gdb_server_client_begin(struct gdb_server *s)
{
	int rc;

	s->noack = s->extended = s->running = s->interrupted = false;
	s->in_rcmd = s->close = false;
	s->last_len = s->log_len = 0;
	memset(&s->features, 0, sizeof(s->features));
	rsp_reader_init(&s->reader);
	if (!s->target)
		s->detached = true; /* connect one now */
	rc = gdb_server_reattach(s);
	if (rc)
		return rc;
	if (!s->target)
		return swdd_err_set(SWDD_ENOTARGET, "no target is connected");
	rc = swdd_target_halt(s->target);
	if (rc)
		return rc;
	s->client = true;
	return 0;
}

void gdb_server_client_end(struct gdb_server *s)
{
	int rc;

	if (s->target && !s->detached) {
		if (s->running)
			(void)swdd_target_halt(s->target); /* best effort: detach resumes anyway */
		swdd_target_clear_points(s->target);
		rc = swdd_target_detach(s->target);
		if (rc)
			swdd_warn("detach: %s: %s", swdd_strerror(rc), swdd_err_detail());
	}
	s->client = s->running = false;
	s->detached = true;
}
