/*
 * GDB Remote Serial Protocol: framing and the small parsers the packet
 * handlers share. Everything here is pure (no I/O, no target) so that it can
 * be unit-tested and fuzzed (test/unit/test_rsp.c, server/fuzz_rsp.c).
 *
 * Reference: GDB manual, appendix E "GDB Remote Serial Protocol", sections
 * E.1 Overview (framing, '}' escapes, '*' run-length encoding), E.11
 * Interrupts (0x03 out of band), E.2/E.3 packets.
 */
#ifndef SWDD_RSP_H
#define SWDD_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest packet payload we accept and advertise (qSupported PacketSize).
 * GDB sizes 'm' requests and 'X' writes from it; 16 KiB keeps `load` and
 * large memory dumps to few round trips. */
#define RSP_PACKET_SIZE 0x4000U
/* Our receive buffer: the payload plus slack for escapes and run-length
 * expansion of a maximal packet. */
#define RSP_BUF_SIZE (2U * RSP_PACKET_SIZE + 64U)

/* ---- checksums, hex ---------------------------------------------------- */

/* Modulo-256 sum of the payload bytes between '$' and '#' (E.1). */
uint8_t rsp_checksum(const void *data, size_t len);
/* Value of one hex digit, -1 if c is not one. */
int rsp_hex_digit(int c);
/* Lower-case hex of len bytes into out (2*len chars + NUL). */
void rsp_hex_encode(const void *data, size_t len, char *out);
/* Decodes exactly 2*len hex characters; -1 on a bad digit. */
int rsp_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t *outlen);
/* Parses a hex number up to the first non-hex character; *end points past
 * it. -1 if there is no digit or it overflows 64 bits. */
int rsp_parse_hex(const char *s, const char **end, uint64_t *val);

/* ---- binary data and run-length (E.1) ------------------------------------ */

/* Undoes '}' escapes in place; returns the new length, -1 on a trailing '}'. */
long rsp_unescape(uint8_t *buf, size_t len);
/* Escapes '$', '#', '}' and '*' (a bare '*' would read as run-length to GDB).
 * Writes at most cap bytes; returns the input bytes consumed (so a caller
 * can fill a qXfer reply up to a size). *outlen gets the bytes written. */
size_t rsp_escape(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *outlen);
/* Expands run-length encoding ("X*" followed by count+29) from in to out.
 * Returns the expanded length or -1 (bad count, no preceding character,
 * overflow of cap). */
long rsp_rle_expand(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* Frames a payload as "$payload#cc" into out; returns the length or -1 if
 * cap is too small. The payload must already be escaped. */
long rsp_frame(const void *payload, size_t len, char *out, size_t cap);

/* ---- the receive state machine ------------------------------------------ */

enum rsp_event {
	RSP_EV_NONE,      /* byte consumed, nothing complete yet */
	RSP_EV_ACK,       /* '+' */
	RSP_EV_NAK,       /* '-': resend the last packet */
	RSP_EV_INTERRUPT, /* 0x03 outside a packet (Ctrl-C, E.11) */
	RSP_EV_PACKET,    /* a packet with a good checksum: rsp_reader.buf/len */
	RSP_EV_BADSUM,    /* a packet with a bad checksum (ask again with '-') */
	RSP_EV_OVERFLOW,  /* a packet too long for the buffer; dropped */
	RSP_EV_BADENC,    /* checksum fine, run-length or '}' escape malformed */
};

enum rsp_reader_state { RSP_RD_IDLE, RSP_RD_DATA, RSP_RD_SUM1, RSP_RD_SUM2 };

struct rsp_reader {
	enum rsp_reader_state state;
	uint8_t raw[RSP_BUF_SIZE]; /* payload as received (escaped, RLE) */
	size_t raw_len;
	bool overflow;
	uint8_t sum_rx;
	/* Payload after run-length expansion and '}' unescaping (binary data
	 * of X and vFlashWrite arrives ready to use), NUL-terminated. */
	uint8_t buf[RSP_BUF_SIZE + 1];
	size_t len;
};

void rsp_reader_init(struct rsp_reader *r);
/* Feeds one byte. Bytes outside a packet other than '+', '-', 0x03 and '$'
 * are ignored (line noise). A '$' inside a packet restarts the packet; one
 * in place of a checksum digit also reports RSP_EV_BADSUM for the cut one. */
enum rsp_event rsp_reader_feed(struct rsp_reader *r, uint8_t byte);

/* Does this connection start like an HTTP request (a browser or a web page
 * reaching the port, the classic DNS-rebinding attack on debug servers)?
 * Returns 1 yes, 0 no, -1 not enough bytes to tell yet. */
int rsp_looks_like_http(const uint8_t *buf, size_t len);

/* ---- packet argument parsers --------------------------------------------- */

/* "addr,len" optionally followed by ':' (m, M, X, qCRC). *rest points after
 * the ':' or at the end. */
int rsp_parse_addr_len(const char *s, uint64_t *addr, uint64_t *len, const char **rest);

/* Z/z packets: "Ztype,addr,kind[;cond...]". */
struct rsp_zpacket {
	bool insert;
	unsigned type; /* 0 sw break, 1 hw break, 2 write, 3 read, 4 access watch */
	uint32_t addr;
	uint32_t kind; /* breakpoint size in bytes or watch length */
};
int rsp_parse_z(const char *pkt, struct rsp_zpacket *z);

/* qSupported:feature;feature... : the features GDB says it supports that
 * change what we send. */
struct rsp_gdb_features {
	bool swbreak, hwbreak, multiprocess, xml_registers_arm, vcont_supported;
};
int rsp_parse_qsupported(const char *pkt, struct rsp_gdb_features *f);

/* qXfer:OBJECT:read:ANNEX:offset,length */
struct rsp_qxfer {
	char object[32];
	char annex[64];
	uint64_t offset, length;
};
int rsp_parse_qxfer_read(const char *pkt, struct rsp_qxfer *x);

/* vCont;ACTION[:thread][;ACTION...]: the action applying to our one thread
 * (the first action, or the default one without a thread id). */
struct rsp_vcont {
	char action; /* 'c', 's', 't' ('C'/'S' mapped to 'c'/'s') */
};
int rsp_parse_vcont(const char *pkt, struct rsp_vcont *v);

#endif
