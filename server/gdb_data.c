/*
 * Register and memory packets: g/G, p/P, m/M/X (GDB manual E.3 "Packets").
 * Register numbers and order are those of swdd_target_xml(); the target
 * layer serves them from its per-halt cache. 'g' ends before the FPU
 * registers (GDB then reads those with 'p', only when it needs them), so a
 * stop on ST-LINK does not cost one READREG per FPU register.
 */
#include <string.h>

#include "gdb_server.h"
#include "swdd_err.h"

/* Largest register file we expect: core, m-system, FPU (d0-d15, fpscr). */
#define GDB_REGS_MAX 512u

static int gdbd_regs_read(struct gdb_server *s, const char *pkt, size_t len)
{
	uint8_t regs[GDB_REGS_MAX];
	size_t n;
	int rc;
	(void)pkt, (void)len;

	rc = swdd_target_g_regs_read(s->target, regs, sizeof(regs), &n);
	if (rc) /* GDB 13 prints the reply: "Could not read registers; remote
		 * failure reply 'E.<text>'" (remote.c fetch_registers_using_g) */
		return gdb_send_error_text(s, "E.", rc);
	rsp_hex_encode(regs, n, s->reply);
	return gdb_send(s, s->reply, 2 * n);
}

static int gdbd_regs_write(struct gdb_server *s, const char *pkt, size_t len)
{
	uint8_t regs[GDB_REGS_MAX];
	size_t n;
	int rc;

	if (len - 1 > 2 * sizeof(regs) || rsp_hex_decode(pkt + 1, len - 1, regs, &n))
		return swdd_err_set(SWDD_EINVAL, "malformed G packet");
	rc = swdd_target_regs_write(s->target, regs, n);
	return rc ? rc : gdb_send_str(s, "OK");
}

static int gdbd_reg_number(struct gdb_server *s, const char *p, const char **end, unsigned *n)
{
	uint64_t v;

	if (rsp_parse_hex(p, end, &v) || v >= swdd_target_num_regs(s->target))
		return swdd_err_set(SWDD_EINVAL, "no register number %.8s", p);
	*n = (unsigned)v;
	return 0;
}

static int gdbd_reg_read(struct gdb_server *s, const char *pkt, size_t len)
{
	uint8_t val[8];
	char hex[17];
	unsigned n = 0;
	size_t sz;
	int rc;
	(void)len;

	rc = gdbd_reg_number(s, pkt + 1, NULL, &n);
	if (rc)
		return rc;
	sz = swdd_target_reg_size(s->target, n);
	if (sz == 0 || sz > sizeof(val))
		return swdd_err_set(SWDD_EINVAL, "register %u has no size", n);
	rc = swdd_target_reg_read(s->target, n, val);
	if (rc)
		return rc;
	rsp_hex_encode(val, sz, hex);
	return gdb_send_str(s, hex);
}

static int gdbd_reg_write(struct gdb_server *s, const char *pkt, size_t len)
{
	const char *p;
	uint8_t val[8];
	unsigned n = 0;
	size_t sz, got;
	int rc;
	(void)len;

	rc = gdbd_reg_number(s, pkt + 1, &p, &n);
	if (rc)
		return rc;
	sz = swdd_target_reg_size(s->target, n);
	if (*p != '=' || sz == 0 || sz > sizeof(val) || strlen(p + 1) != 2 * sz ||
	    rsp_hex_decode(p + 1, 2 * sz, val, &got))
		return swdd_err_set(SWDD_EINVAL, "malformed P packet");
	rc = swdd_target_reg_write(s->target, n, val);
	return rc ? rc : gdb_send_str(s, "OK");
}

static int gdbd_mem_read(struct gdb_server *s, const char *pkt, size_t len)
{
	uint64_t addr, n;
	const char *rest;
	uint8_t *buf;
	int rc;
	(void)len;

	if (rsp_parse_addr_len(pkt + 1, &addr, &n, &rest) || *rest)
		return swdd_err_set(SWDD_EINVAL, "malformed m packet");
	if (addr + n > 0x100000000ull)
		return swdd_err_set(SWDD_ERANGE, "m packet reads beyond 4 GiB");
	/* GDB E.2 'm': the reply may hold fewer bytes than asked; GDB asks
	 * again for the rest. So a read larger than one reply is cut to what
	 * PacketSize carries instead of refused. */
	if (n > RSP_PACKET_SIZE / 2)
		n = RSP_PACKET_SIZE / 2;
	/* The binary lands in the second half of the reply buffer; hex
	 * expands it into the first half. */
	buf = (uint8_t *)s->reply + RSP_PACKET_SIZE + 1;
	rc = swdd_target_mem_read(s->target, (uint32_t)addr, buf, (size_t)n);
	if (rc)
		return rc;
	rsp_hex_encode(buf, (size_t)n, s->reply);
	return gdb_send(s, s->reply, 2 * (size_t)n);
}

static int gdbd_mem_write_checked(struct gdb_server *s, uint64_t addr, const void *data, size_t n)
{
	int rc;

	if (addr + n > 0x100000000ull)
		return swdd_err_set(SWDD_ERANGE, "write beyond 4 GiB");
	if (n == 0)
		return gdb_send_str(s, "OK");
	rc = swdd_target_mem_write(s->target, (uint32_t)addr, data, n);
	return rc ? rc : gdb_send_str(s, "OK");
}

static int gdbd_mem_write_hex(struct gdb_server *s, const char *pkt, size_t len)
{
	uint64_t addr, n;
	const char *rest;
	size_t got;

	if (rsp_parse_addr_len(pkt + 1, &addr, &n, &rest) || rest[-1] != ':')
		return swdd_err_set(SWDD_EINVAL, "malformed M packet");
	if ((size_t)(pkt + len - rest) != 2 * n || rsp_hex_decode(rest, 2 * n, (uint8_t *)s->reply, &got))
		return swdd_err_set(SWDD_EINVAL, "M packet length does not match its data");
	return gdbd_mem_write_checked(s, addr, s->reply, got);
}

/* X addr,len:BINARY (already unescaped by the reader). GDB first sends
 * "X addr,0:" to learn whether we take binary writes; it gets OK. */
static int gdbd_mem_write_bin(struct gdb_server *s, const char *pkt, size_t len)
{
	uint64_t addr, n;
	const char *rest;

	if (rsp_parse_addr_len(pkt + 1, &addr, &n, &rest) || rest[-1] != ':')
		return swdd_err_set(SWDD_EINVAL, "malformed X packet");
	if ((uint64_t)(pkt + len - rest) != n)
		return swdd_err_set(SWDD_EINVAL, "X packet length does not match its data");
	return gdbd_mem_write_checked(s, addr, rest, (size_t)n);
}

const struct gdb_packet gdb_packets_data[] = {
	{ .prefix = "g", .exact = true, .fn = gdbd_regs_read },
	{ .prefix = "G", .fn = gdbd_regs_write },
	{ .prefix = "p", .fn = gdbd_reg_read },
	{ .prefix = "P", .fn = gdbd_reg_write },
	{ .prefix = "m", .fn = gdbd_mem_read },
	{ .prefix = "M", .fn = gdbd_mem_write_hex },
	{ .prefix = "X", .fn = gdbd_mem_write_bin },
};
const size_t gdb_packets_data_count = sizeof(gdb_packets_data) / sizeof(gdb_packets_data[0]);
