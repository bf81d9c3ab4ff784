/*
 * RSP framing and parsers (server/rsp.c), table-driven. References are to
 * the GDB manual, appendix E "GDB Remote Serial Protocol".
 */
#include <stdlib.h>

#include "harness.h"
#include "rsp.h"

/* Feeds a byte string; returns the events seen, one letter each:
 * a ack, n nak, i interrupt, P packet, B bad sum, O overflow, R bad rle. */
static void feed(struct rsp_reader *r, const char *in, size_t len, char *ev, char *last, size_t cap)
{
	static const char letters[] = {
		[RSP_EV_ACK] = 'a',    [RSP_EV_NAK] = 'n',    [RSP_EV_INTERRUPT] = 'i',
		[RSP_EV_PACKET] = 'P', [RSP_EV_BADSUM] = 'B', [RSP_EV_OVERFLOW] = 'O',
		[RSP_EV_BADENC] = 'R'
	};
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		enum rsp_event e = rsp_reader_feed(r, (uint8_t)in[i]);

		if (e == RSP_EV_NONE)
			continue;
		ev[n++] = letters[e];
		if (e == RSP_EV_PACKET) {
			size_t l = r->len < cap - 1 ? r->len : cap - 1;

			memcpy(last, r->buf, l);
			last[l] = '\0';
		}
	}
	ev[n] = '\0';
}

static const struct {
	const char *in;
	const char *events;
	const char *packet; /* last packet payload */
} reader_rows[] = {
	/* E.1: $packet-data#checksum, two hex digits, modulo 256 */
	{ "$g#67", "P", "g" },
	{ "$qSupported:multiprocess+;swbreak+#c8", "B", "" },
	{ "+$?#3f", "aP", "?" },
	{ "$?#3F", "P", "?" }, /* upper-case checksum digits */
	{ "$g#68", "B", "" },  /* wrong checksum */
	{ "$g#6x", "B", "" },  /* not hex */
	{ "-", "n", "" },
	{ "\x03", "i", "" },       /* E.11 interrupt outside a packet */
	{ "junk$g#67", "P", "g" }, /* noise before '$' ignored */
	{ "$m0$g#67", "P", "g" },  /* '$' restarts a packet */
	/* A '$' where a checksum digit belongs: the cut packet is NAKed and
	 * the '$' starts the next one (issue 15: qC was lost without a NAK). */
	{ "$m20000000,4#4$qC#b4", "BP", "qC" },
	{ "$m20000000,4#$qC#b4", "BP", "qC" },
	{ "$g#$g#67", "BP", "g" },
	{ "$0*\"#7c", "P", "000000" },    /* E.1 RLE: '"' = 34 -> 5 more */
	{ "$*\"#4c", "R", "" },           /* RLE without a character */
	{ "$#00", "P", "" },              /* empty packet */
	{ "$X0,1:}]#f9", "P", "X0,1:}" }, /* escapes undone after the checksum */
	{ "$a}#de", "R", "" },            /* trailing escape character */
};

static int test_reader(void)
{
	for (size_t i = 0; i < sizeof(reader_rows) / sizeof(reader_rows[0]); i++) {
		struct rsp_reader *r = malloc(sizeof(*r));
		char ev[32], last[64] = "";

		CHECK(r);
		rsp_reader_init(r);
		feed(r, reader_rows[i].in, strlen(reader_rows[i].in), ev, last, sizeof(last));
		free(r);
		if (strcmp(ev, reader_rows[i].events) || strcmp(last, reader_rows[i].packet))
			return test_fail_at(__FILE__, __LINE__, "row %zu '%s': events '%s' packet '%s'", i,
					    reader_rows[i].in, ev, last);
	}
	return 0;
}

/* The checksum rows above were computed by hand; prove the table is right
 * by recomputing the good ones. */
static int test_checksum(void)
{
	CHECK_EQ(rsp_checksum("g", 1), 0x67);
	CHECK_EQ(rsp_checksum("?", 1), 0x3f);
	CHECK_EQ(rsp_checksum("0*\"", 3), 0x7c);
	CHECK_EQ(rsp_checksum("", 0), 0);
	CHECK_EQ(rsp_checksum("\xff\xff", 2), 0xfe); /* modulo 256 */
	return 0;
}

static int test_overflow(void)
{
	struct rsp_reader *r = malloc(sizeof(*r));
	enum rsp_event e = RSP_EV_NONE;

	CHECK(r);
	rsp_reader_init(r);
	rsp_reader_feed(r, '$');
	for (size_t i = 0; i < RSP_BUF_SIZE + 10; i++)
		rsp_reader_feed(r, 'a');
	rsp_reader_feed(r, '#');
	rsp_reader_feed(r, '0');
	e = rsp_reader_feed(r, '0');
	free(r);
	CHECK_EQ(e, RSP_EV_OVERFLOW);
	return 0;
}

static int test_frame(void)
{
	char out[32];
	long n = rsp_frame("OK", 2, out, sizeof(out));

	CHECK_EQ(n, 6);
	CHECK(memcmp(out, "$OK#9a", 6) == 0);
	CHECK_EQ(rsp_frame("OK", 2, out, 5), -1);
	n = rsp_frame("", 0, out, sizeof(out));
	CHECK(n == 4 && memcmp(out, "$#00", 4) == 0);
	return 0;
}

static const struct {
	const char *raw;
	size_t rawlen;
	const char *esc;
	size_t esclen;
} escape_rows[] = {
	/* E.1: '}' then the byte XOR 0x20 for '#', '$', '}' and (in replies) '*' */
	{ "abc", 3, "abc", 3 }, { "#", 1, "}\x03", 2 },   { "$", 1, "}\x04", 2 },       { "}", 1, "}]", 2 },
	{ "*", 1, "}\x0a", 2 }, { "a\0b", 3, "a\0b", 3 }, { "}}#", 3, "}]}]}\x03", 6 },
};

static int test_escape(void)
{
	for (size_t i = 0; i < sizeof(escape_rows) / sizeof(escape_rows[0]); i++) {
		uint8_t out[16];
		size_t outlen, used;
		long n;

		used = rsp_escape((const uint8_t *)escape_rows[i].raw, escape_rows[i].rawlen, out,
				  sizeof(out), &outlen);
		CHECK_EQ(used, escape_rows[i].rawlen);
		CHECK_EQ(outlen, escape_rows[i].esclen);
		CHECK(memcmp(out, escape_rows[i].esc, outlen) == 0);
		n = rsp_unescape(out, outlen);
		CHECK_EQ(n, escape_rows[i].rawlen);
		CHECK(memcmp(out, escape_rows[i].raw, (size_t)n) == 0);
	}
	return 0;
}

/* A reply is filled up to the requested size: an escape pair never splits. */
static int test_escape_cap(void)
{
	uint8_t out[8];
	size_t outlen;
	size_t used = rsp_escape((const uint8_t *)"abc#", 4, out, 4, &outlen);

	CHECK_EQ(used, 3);
	CHECK_EQ(outlen, 3);
	uint8_t bad[] = { 'a', '}' };
	CHECK_EQ(rsp_unescape(bad, 2), -1);
	return 0;
}

static const struct {
	const char *in;
	long outlen;
	const char *out;
} rle_rows[] = {
	{ "0* ", 4, "0000" },                        /* ' ' = 32 -> 3 more */
	{ "ab", 2, "ab" },      { "x*~", 98, NULL }, /* '~' = 126 -> 97 more */
	{ "*!", -1, NULL },                          /* nothing to repeat */
	{ "a*", -1, NULL },                          /* missing count */
	{ "a*\x1f", -1, NULL },                      /* count below printable */
};

static int test_rle(void)
{
	for (size_t i = 0; i < sizeof(rle_rows) / sizeof(rle_rows[0]); i++) {
		uint8_t out[128];
		long n = rsp_rle_expand((const uint8_t *)rle_rows[i].in, strlen(rle_rows[i].in), out,
					sizeof(out));

		if (n != rle_rows[i].outlen)
			return test_fail_at(__FILE__, __LINE__, "row %zu: %ld", i, n);
		if (rle_rows[i].out)
			CHECK(memcmp(out, rle_rows[i].out, (size_t)n) == 0);
	}
	uint8_t small[3];
	CHECK_EQ(rsp_rle_expand((const uint8_t *)"0* ", 3, small, sizeof(small)), -1);
	return 0;
}

static int test_hex(void)
{
	uint8_t b[4];
	size_t n;
	char out[9];
	uint64_t v;
	const char *end;

	CHECK_OK(rsp_hex_decode("deadBEEF", 8, b, &n));
	CHECK_EQ(n, 4);
	CHECK(b[0] == 0xde && b[3] == 0xef);
	CHECK_EQ(rsp_hex_decode("abc", 3, b, &n), -1);
	CHECK_EQ(rsp_hex_decode("zz", 2, b, &n), -1);
	rsp_hex_encode(b, 4, out);
	CHECK(strcmp(out, "deadbeef") == 0);
	CHECK_OK(rsp_parse_hex("8000abc,", &end, &v));
	CHECK_EQ(v, 0x8000abc);
	CHECK(*end == ',');
	CHECK_EQ(rsp_parse_hex(",", &end, &v), -1);
	CHECK_EQ(rsp_parse_hex("11112222333344445", &end, &v), -1); /* > 64 bits */
	return 0;
}

static const struct {
	const char *pkt;
	int rc;
	bool insert;
	unsigned type;
	uint32_t addr, kind;
} z_rows[] = {
	/* E.3 "insert breakpoint or watchpoint packet" */
	{ "Z0,8000148,2", 0, true, 0, 0x8000148, 2 },
	{ "z1,20000000,4", 0, false, 1, 0x20000000, 4 },
	{ "Z2,20000010,4", 0, true, 2, 0x20000010, 4 },
	{ "Z3,20000010,1", 0, true, 3, 0x20000010, 1 },
	{ "Z4,20000010,8", 0, true, 4, 0x20000010, 8 },
	{ "Z0,8000148,2;X3,220027", 0, true, 0, 0x8000148, 2 }, /* condition ignored */
	{ "Z5,0,2", -1 },
	{ "Z0,100000000,2", -1 },
	{ "Z0,8000148", -1 },
	{ "Z0,,2", -1 },
	{ "Z0,1,2x", -1 },
	{ "X0,1,2", -1 },
};

static int test_z(void)
{
	for (size_t i = 0; i < sizeof(z_rows) / sizeof(z_rows[0]); i++) {
		struct rsp_zpacket z;
		int rc = rsp_parse_z(z_rows[i].pkt, &z);

		if (rc != z_rows[i].rc)
			return test_fail_at(__FILE__, __LINE__, "row %zu '%s': rc %d", i, z_rows[i].pkt, rc);
		if (rc)
			continue;
		CHECK_EQ(z.insert, z_rows[i].insert);
		CHECK_EQ(z.type, z_rows[i].type);
		CHECK_EQ(z.addr, z_rows[i].addr);
		CHECK_EQ(z.kind, z_rows[i].kind);
	}
	return 0;
}

static int test_addr_len(void)
{
	uint64_t a, l;
	const char *rest;

	CHECK_OK(rsp_parse_addr_len("20000000,4", &a, &l, &rest));
	CHECK(a == 0x20000000 && l == 4 && *rest == '\0');
	CHECK_OK(rsp_parse_addr_len("20000000,2:abcd", &a, &l, &rest));
	CHECK(strcmp(rest, "abcd") == 0);
	CHECK_EQ(rsp_parse_addr_len("20000000", &a, &l, &rest), -1);
	CHECK_EQ(rsp_parse_addr_len("2,4x", &a, &l, &rest), -1);
	return 0;
}

static int test_qsupported(void)
{
	struct rsp_gdb_features f;

	/* What GDB 13 sends (E.4 qSupported). */
	CHECK_OK(rsp_parse_qsupported("qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;"
				      "fork-events+;vfork-events+;exec-events+;vContSupported+;"
				      "QThreadEvents+;no-resumed+;memory-tagging+;"
				      "xmlRegisters=i386,arm",
				      &f));
	CHECK(f.swbreak && f.hwbreak && f.multiprocess && f.vcont_supported && f.xml_registers_arm);
	CHECK_OK(rsp_parse_qsupported("qSupported:swbreak-;xmlRegisters=armv8", &f));
	CHECK(!f.swbreak && !f.hwbreak && !f.xml_registers_arm);
	CHECK_OK(rsp_parse_qsupported("qSupported", &f));
	CHECK_EQ(rsp_parse_qsupported("qSupportedX", &f), -1);
	return 0;
}

static int test_qxfer(void)
{
	struct rsp_qxfer x;

	CHECK_OK(rsp_parse_qxfer_read("qXfer:features:read:target.xml:0,ffb", &x));
	CHECK(strcmp(x.object, "features") == 0 && strcmp(x.annex, "target.xml") == 0);
	CHECK(x.offset == 0 && x.length == 0xffb);
	CHECK_OK(rsp_parse_qxfer_read("qXfer:memory-map:read::100,200", &x));
	CHECK(x.annex[0] == '\0' && x.offset == 0x100 && x.length == 0x200);
	CHECK_EQ(rsp_parse_qxfer_read("qXfer:features:write:target.xml:0,1", &x), -1);
	CHECK_EQ(rsp_parse_qxfer_read("qXfer:features:read:target.xml", &x), -1);
	return 0;
}

static const struct {
	const char *pkt;
	int rc;
	char action;
} vcont_rows[] = {
	{ "vCont;c", 0, 'c' }, { "vCont;s:1;c", 0, 's' }, { "vCont;C02:1", 0, 'c' }, { "vCont;S05", 0, 's' },
	{ "vCont;t", 0, 't' }, { "vCont;x", -1, 0 },      { "vCont;Cz", -1, 0 },     { "vCont", -1, 0 },
};

static int test_vcont(void)
{
	for (size_t i = 0; i < sizeof(vcont_rows) / sizeof(vcont_rows[0]); i++) {
		struct rsp_vcont v = { 0 };
		int rc = rsp_parse_vcont(vcont_rows[i].pkt, &v);

		CHECK_EQ(rc, vcont_rows[i].rc);
		if (!rc)
			CHECK_EQ(v.action, vcont_rows[i].action);
	}
	return 0;
}

static const struct {
	const char *in;
	int want;
} http_rows[] = {
	{ "GET / HTTP/1.1", 1 }, { "POST /x", 1 }, { "OPTIONS ", 1 }, { "GE", -1 },
	{ "+$qSupported", 0 },   { "$g#67", 0 },   { "GETX", 0 },     { "P", -1 },
};

static int test_http(void)
{
	for (size_t i = 0; i < sizeof(http_rows) / sizeof(http_rows[0]); i++)
		CHECK_EQ(rsp_looks_like_http((const uint8_t *)http_rows[i].in, strlen(http_rows[i].in)),
			 http_rows[i].want);
	return 0;
}

static const struct test_case tests[] = {
	{ "reader", "GDB E.1 Overview, E.11 Interrupts", test_reader },
	{ "checksum", "GDB E.1 Overview", test_checksum },
	{ "overflow", "GDB E.1 Overview (PacketSize)", test_overflow },
	{ "frame", "GDB E.1 Overview", test_frame },
	{ "escape", "GDB E.1 Overview (binary data)", test_escape },
	{ "escape_cap", "GDB E.4 qXfer reply sizes", test_escape_cap },
	{ "rle", "GDB E.1 Overview (run-length encoding)", test_rle },
	{ "hex", "GDB E.1 Overview", test_hex },
	{ "z_packets", "GDB E.3 Packets (Z/z)", test_z },
	{ "addr_len", "GDB E.3 Packets (m/M/X)", test_addr_len },
	{ "qsupported", "GDB E.4 General Query Packets (qSupported)", test_qsupported },
	{ "qxfer", "GDB E.4 General Query Packets (qXfer)", test_qxfer },
	{ "vcont", "GDB E.3 Packets (vCont)", test_vcont },
	{ "http", "issue 6 Security", test_http },
};

TEST_MAIN("test_rsp", tests)
