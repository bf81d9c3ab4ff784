/*
 * GDB Remote Serial Protocol framing and argument parsers; see rsp.h.
 * GDB manual appendix E ("GDB Remote Serial Protocol"), E.1 Overview.
 */
#include "rsp.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

uint8_t rsp_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

int rsp_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void rsp_hex_encode(const void *data, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

int rsp_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t *outlen)
{
	if (hexlen % 2)
		return -1;
	for (size_t i = 0; i < hexlen / 2; i++) {
		int hi = rsp_hex_digit((unsigned char)hex[2 * i]);
		int lo = rsp_hex_digit((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*outlen = hexlen / 2;
	return 0;
}

int rsp_parse_hex(const char *s, const char **end, uint64_t *val)
{
	uint64_t v = 0;
	size_t n = 0;
	int d;

	while ((d = rsp_hex_digit((unsigned char)s[n])) >= 0) {
		if (v >> 60)
			return -1;
		v = v << 4 | (unsigned)d;
		n++;
	}
	if (n == 0)
		return -1;
	*val = v;
	if (end)
		*end = s + n;
	return 0;
}

long rsp_unescape(uint8_t *buf, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '}') {
			if (++i == len)
				return -1;
			buf[o++] = buf[i] ^ 0x20u;
		} else {
			buf[o++] = buf[i];
		}
	}
	return (long)o;
}

static bool rsp_needs_escape(uint8_t c)
{
	return c == '$' || c == '#' || c == '}' || c == '*';
}

size_t rsp_escape(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		size_t need = rsp_needs_escape(in[i]) ? 2 : 1;

		if (o + need > cap)
			break;
		if (need == 2) {
			out[o++] = '}';
			out[o++] = in[i] ^ 0x20u;
		} else {
			out[o++] = in[i];
		}
	}
	*outlen = o;
	return i;
}

/* "c*N": the character c, then N-29 more copies of it (E.1: the count is
 * printable, so N is in 32..126 and the repeat count in 3..97; '#' and '$'
 * are not used as counts, but we accept any printable count). */
long rsp_rle_expand(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] != '*') {
			if (o >= cap)
				return -1;
			out[o++] = in[i];
			continue;
		}
		if (o == 0 || i + 1 >= len || in[i + 1] < 29 + 3 || in[i + 1] > 126)
			return -1;
		size_t rep = (size_t)in[++i] - 29u;
		if (o + rep > cap)
			return -1;
		memset(out + o, out[o - 1], rep);
		o += rep;
	}
	return (long)o;
}

long rsp_frame(const void *payload, size_t len, char *out, size_t cap)
{
	if (len + 4 > cap)
		return -1;
	out[0] = '$';
	memcpy(out + 1, payload, len);
	snprintf(out + 1 + len, 4, "#%02x", rsp_checksum(payload, len));
	return (long)len + 4;
}

void rsp_reader_init(struct rsp_reader *r)
{
	r->state = RSP_RD_IDLE;
	r->raw_len = 0;
	r->overflow = false;
	r->len = 0;
	r->buf[0] = '\0';
}

static enum rsp_event rsp_reader_idle(struct rsp_reader *r, uint8_t byte)
{
	switch (byte) {
	case '+':
		return RSP_EV_ACK;
	case '-':
		return RSP_EV_NAK;
	case 0x03:
		return RSP_EV_INTERRUPT;
	case '$':
		r->state = RSP_RD_DATA;
		r->raw_len = 0;
		r->overflow = false;
		return RSP_EV_NONE;
	default:
		return RSP_EV_NONE;
	}
}

static enum rsp_event rsp_reader_finish(struct rsp_reader *r)
{
	long n;

	r->state = RSP_RD_IDLE;
	if (r->overflow)
		return RSP_EV_OVERFLOW;
	if (rsp_checksum(r->raw, r->raw_len) != r->sum_rx)
		return RSP_EV_BADSUM;
	/* Run-length first, then escapes: the sender escapes the data and
	 * then compresses it (E.1). GDB sends '}' only in binary data. */
	n = rsp_rle_expand(r->raw, r->raw_len, r->buf, RSP_BUF_SIZE);
	if (n >= 0)
		n = rsp_unescape(r->buf, (size_t)n);
	if (n < 0)
		return RSP_EV_BADENC;
	r->len = (size_t)n;
	r->buf[r->len] = '\0';
	return RSP_EV_PACKET;
}

static enum rsp_event rsp_reader_sum(struct rsp_reader *r, uint8_t byte)
{
	int d;

	switch (r->state) {
	case RSP_RD_SUM1:
		d = rsp_hex_digit(byte);
		r->sum_rx = (uint8_t)((d < 0 ? 0 : d) << 4);
		r->state = d < 0 ? RSP_RD_IDLE : RSP_RD_SUM2;
		return d < 0 ? RSP_EV_BADSUM : RSP_EV_NONE;
	case RSP_RD_SUM2:
		d = rsp_hex_digit(byte);
		if (d < 0) {
			r->state = RSP_RD_IDLE;
			return RSP_EV_BADSUM;
		}
		r->sum_rx |= (uint8_t)d;
		return rsp_reader_finish(r);
	default:
		return RSP_EV_NONE;
	}
}

enum rsp_event rsp_reader_feed(struct rsp_reader *r, uint8_t byte)
{
	switch (r->state) {
	case RSP_RD_IDLE:
		return rsp_reader_idle(r, byte);
	case RSP_RD_DATA:
		if (byte == '#')
			r->state = RSP_RD_SUM1;
		else if (byte == '$')
			r->raw_len = 0, r->overflow = false; /* resynchronise */
		else if (r->raw_len < sizeof(r->raw))
			r->raw[r->raw_len++] = byte;
		else
			r->overflow = true;
		return RSP_EV_NONE;
	case RSP_RD_SUM1:
	case RSP_RD_SUM2:
		if (byte == '$') {
			/* A packet cut short in its checksum (a lost byte):
			 * the '$' starts the next one; the broken one is NAKed. */
			r->state = RSP_RD_DATA;
			r->raw_len = 0;
			r->overflow = false;
			return RSP_EV_BADSUM;
		}
		return rsp_reader_sum(r, byte);
	}
	return RSP_EV_NONE;
}

int rsp_looks_like_http(const uint8_t *buf, size_t len)
{
	static const char *const methods[] = {
		"GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ",
	};
	bool prefix_of_some = false;

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t ml = strlen(methods[i]);
		size_t n = len < ml ? len : ml;

		if (memcmp(buf, methods[i], n) != 0)
			continue;
		if (len >= ml)
			return 1;
		prefix_of_some = true;
	}
	return prefix_of_some ? -1 : 0;
}

int rsp_parse_addr_len(const char *s, uint64_t *addr, uint64_t *len, const char **rest)
{
	const char *p;

	if (rsp_parse_hex(s, &p, addr) || *p != ',')
		return -1;
	if (rsp_parse_hex(p + 1, &p, len))
		return -1;
	if (*p == ':')
		p++;
	else if (*p != '\0')
		return -1;
	if (rest)
		*rest = p;
	return 0;
}

int rsp_parse_z(const char *pkt, struct rsp_zpacket *z)
{
	uint64_t type, addr, kind;
	const char *p;

	if (pkt[0] != 'Z' && pkt[0] != 'z')
		return -1;
	z->insert = pkt[0] == 'Z';
	if (rsp_parse_hex(pkt + 1, &p, &type) || type > 4 || *p != ',')
		return -1;
	if (rsp_parse_hex(p + 1, &p, &addr) || addr > UINT32_MAX || *p != ',')
		return -1;
	if (rsp_parse_hex(p + 1, &p, &kind) || kind > UINT32_MAX)
		return -1;
	if (*p != '\0' && *p != ';')
		return -1;
	z->type = (unsigned)type;
	z->addr = (uint32_t)addr;
	z->kind = (uint32_t)kind;
	return 0;
}

/* One "name+" / "name-" / "name=value" feature of qSupported. */
static void rsp_qsupported_feature(const char *f, size_t n, struct rsp_gdb_features *out)
{
	static const struct {
		const char *text;
		size_t off;
	} known[] = {
		{ "swbreak+", offsetof(struct rsp_gdb_features, swbreak) },
		{ "hwbreak+", offsetof(struct rsp_gdb_features, hwbreak) },
		{ "multiprocess+", offsetof(struct rsp_gdb_features, multiprocess) },
		{ "vContSupported+", offsetof(struct rsp_gdb_features, vcont_supported) },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].text) == n && memcmp(f, known[i].text, n) == 0)
			*(bool *)((char *)out + known[i].off) = true;
	/* xmlRegisters=arm,i386,...: the list GDB can describe. */
	if (n > 13 && memcmp(f, "xmlRegisters=", 13) == 0) {
		for (const char *p = f + 13; p < f + n;) {
			const char *c = memchr(p, ',', (size_t)(f + n - p));
			size_t wl = (size_t)((c ? c : f + n) - p);

			if (wl == 3 && memcmp(p, "arm", 3) == 0)
				out->xml_registers_arm = true;
			p += wl + 1;
		}
	}
}

int rsp_parse_qsupported(const char *pkt, struct rsp_gdb_features *f)
{
	const char *p;

	memset(f, 0, sizeof(*f));
	if (strncmp(pkt, "qSupported", 10) != 0)
		return -1;
	p = pkt + 10;
	if (*p == '\0')
		return 0;
	if (*p++ != ':')
		return -1;
	while (*p) {
		const char *semi = strchr(p, ';');
		size_t n = semi ? (size_t)(semi - p) : strlen(p);

		rsp_qsupported_feature(p, n, f);
		p += n + (semi ? 1 : 0);
	}
	return 0;
}

static int rsp_copy_field(const char **pp, char end, char *dst, size_t cap)
{
	const char *e = strchr(*pp, end);
	size_t n;

	if (!e)
		return -1;
	n = (size_t)(e - *pp);
	if (n >= cap)
		return -1;
	memcpy(dst, *pp, n);
	dst[n] = '\0';
	*pp = e + 1;
	return 0;
}

int rsp_parse_qxfer_read(const char *pkt, struct rsp_qxfer *x)
{
	const char *p = pkt;

	if (strncmp(p, "qXfer:", 6) != 0)
		return -1;
	p += 6;
	if (rsp_copy_field(&p, ':', x->object, sizeof(x->object)))
		return -1;
	if (strncmp(p, "read:", 5) != 0)
		return -1;
	p += 5;
	if (rsp_copy_field(&p, ':', x->annex, sizeof(x->annex)))
		return -1;
	return rsp_parse_addr_len(p, &x->offset, &x->length, NULL);
}

int rsp_parse_vcont(const char *pkt, struct rsp_vcont *v)
{
	char a;

	if (strncmp(pkt, "vCont;", 6) != 0)
		return -1;
	a = pkt[6];
	switch (a) {
	case 'c':
	case 's':
	case 't':
		break;
	case 'C':
	case 'S':
		/* A signal to deliver means nothing on bare metal: GDB passes
		 * back the SIGINT/SIGTRAP it saw; resume without it. */
		if (rsp_hex_digit((unsigned char)pkt[7]) < 0 || rsp_hex_digit((unsigned char)pkt[8]) < 0)
			return -1;
		a = (char)(a - 'A' + 'a');
		break;
	default:
		return -1;
	}
	v->action = a;
	return 0;
}
