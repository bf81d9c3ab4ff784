/*
 * libFuzzer target for the RSP parser: the receive state machine and every
 * argument parser run on whatever bytes a client could send. Built with
 * clang -fsanitize=fuzzer,address,undefined as build/fuzz_rsp
 * (server/server.mk). Also checks that escaping round-trips.
 */
#include <stdlib.h>
#include <string.h>

#include "rsp.h"

static void fuzz_parsers(const char *pkt, size_t len)
{
	struct rsp_zpacket z;
	struct rsp_gdb_features f;
	struct rsp_qxfer x;
	struct rsp_vcont v;
	uint64_t a, l, h;
	const char *rest;
	uint8_t tmp[64];
	size_t n;

	rsp_parse_z(pkt, &z);
	rsp_parse_qsupported(pkt, &f);
	rsp_parse_qxfer_read(pkt, &x);
	rsp_parse_vcont(pkt, &v);
	if (len > 1)
		rsp_parse_addr_len(pkt + 1, &a, &l, &rest);
	rsp_parse_hex(pkt, &rest, &h);
	rsp_hex_decode(pkt, len < 2 * sizeof(tmp) ? len : 2 * sizeof(tmp), tmp, &n);
	rsp_looks_like_http((const uint8_t *)pkt, len);
}

static void fuzz_escape_roundtrip(const uint8_t *data, size_t len)
{
	size_t cap = 2 * len + 1, outlen, used;
	uint8_t *out = malloc(cap);
	long back;

	if (!out)
		return;
	used = rsp_escape(data, len, out, cap, &outlen);
	if (used != len)
		abort();
	back = rsp_unescape(out, outlen);
	if (back != (long)len || memcmp(out, data, len) != 0)
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rsp_reader r;

	rsp_reader_init(&r);
	for (size_t i = 0; i < size; i++) {
		if (rsp_reader_feed(&r, data[i]) != RSP_EV_PACKET)
			continue;
		fuzz_parsers((const char *)r.buf, r.len);
		uint8_t *copy = malloc(r.len + 1);
		if (copy) {
			memcpy(copy, r.buf, r.len);
			rsp_unescape(copy, r.len);
			free(copy);
		}
	}
	/* The raw input as one packet payload too (no framing needed). */
	char *s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
		fuzz_parsers(s, strlen(s));
		free(s);
	}
	fuzz_escape_roundtrip(data, size);
	return 0;
}
