/*
 * Run control packets: '?', c/s, vCont, Z/z, D, k/vKill, R/vRun, and the
 * stop reply (GDB manual E.3 "Packets", E.3 "Stop Reply Packets").
 *
 * A resume sends no reply: gdb_server_poll() sends the T packet when the
 * core stops, or the Ctrl-C handler halts it first.
 */
#include <stdio.h>
#include <string.h>

#include "gdb_server.h"
#include "swdd_err.h"
#include "swdd_log.h"

#define GDB_SIGINT 2u
#define GDB_SIGTRAP 5u
#define GDB_SIGSEGV 11u

/* GDB register numbers sent with every stop so that a step costs GDB no
 * extra 'p' round trips for the frame: r7 (Thumb frame pointer), sp, lr,
 * pc. */
static const unsigned gdb_expedited[] = { 7, 13, 14, 15 };

static unsigned gdb_stop_signal(const struct gdb_server *s, const struct swdd_stop *st)
{
	if (st->reason == SWDD_STOP_LOCKUP)
		return GDB_SIGSEGV;
	if (st->reason == SWDD_STOP_HALT && s->interrupted)
		return GDB_SIGINT;
	return GDB_SIGTRAP;
}

/* The "reason" pair of a T packet; swbreak/hwbreak only when GDB said it
 * understands them (qSupported), as E.3 requires. */
static size_t gdb_stop_reason(const struct gdb_server *s, const struct swdd_stop *st, char *out, size_t cap)
{
	switch (st->reason) {
	case SWDD_STOP_SWBREAK:
		return s->features.swbreak ? (size_t)snprintf(out, cap, "swbreak:;") : 0;
	case SWDD_STOP_HWBREAK:
		return s->features.hwbreak ? (size_t)snprintf(out, cap, "hwbreak:;") : 0;
	case SWDD_STOP_WATCH:
		return (size_t)snprintf(out, cap, "watch:%08x;", st->addr);
	case SWDD_STOP_RWATCH:
		return (size_t)snprintf(out, cap, "rwatch:%08x;", st->addr);
	case SWDD_STOP_AWATCH:
		return (size_t)snprintf(out, cap, "awatch:%08x;", st->addr);
	default:
		return 0;
	}
}

int gdb_send_stop_reply(struct gdb_server *s)
{
	const struct swdd_stop *st = swdd_target_last_stop(s->target);
	struct swdd_stop none = { .reason = SWDD_STOP_HALT };
	char reply[256];
	size_t n;

	if (!st)
		st = &none;
	n = (size_t)snprintf(reply, sizeof(reply), "T%02x", gdb_stop_signal(s, st));
	n += gdb_stop_reason(s, st, reply + n, sizeof(reply) - n);
	n += (size_t)snprintf(reply + n, sizeof(reply) - n, "thread:1;");
	for (size_t i = 0; i < sizeof(gdb_expedited) / sizeof(gdb_expedited[0]); i++) {
		uint8_t v[4];
		char hex[9];

		if (swdd_target_reg_read(s->target, gdb_expedited[i], v))
			continue; /* GDB asks with 'p' instead */
		rsp_hex_encode(v, 4, hex);
		n += (size_t)snprintf(reply + n, sizeof(reply) - n, "%x:%s;", gdb_expedited[i], hex);
	}
	return gdb_send(s, reply, n);
}

static int gdbr_status(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	if (!swdd_target_is_halted(s->target)) {
		int rc = swdd_target_halt(s->target);

		if (rc)
			return rc;
	}
	return gdb_send_stop_reply(s);
}

int gdb_resume(struct gdb_server *s)
{
	int rc = swdd_target_resume(s->target);

	if (rc)
		return rc;
	s->running = true;
	s->interrupted = false;
	return 0;
}

/* The target layer steps synchronously (one instruction, a few probe round
 * trips), so the stop reply follows at once. */
int gdb_step(struct gdb_server *s)
{
	int rc = swdd_target_step(s->target);

	if (rc)
		return rc;
	s->interrupted = false;
	return gdb_send_stop_reply(s);
}

/* "c [addr]" / "s [addr]": resume at addr if given. */
static int gdbr_set_pc(struct gdb_server *s, const char *arg)
{
	uint64_t pc;
	uint8_t v[4];

	if (*arg == '\0')
		return 0;
	if (rsp_parse_hex(arg, NULL, &pc) || pc > UINT32_MAX)
		return swdd_err_set(SWDD_EINVAL, "malformed resume address");
	for (int i = 0; i < 4; i++)
		v[i] = (uint8_t)(pc >> (8 * i));
	return swdd_target_reg_write(s->target, 15, v);
}

static int gdbr_continue(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)len;
	int rc = gdbr_set_pc(s, pkt + 1);

	return rc ? rc : gdb_resume(s);
}

static int gdbr_stepi(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)len;
	int rc = gdbr_set_pc(s, pkt + 1);

	return rc ? rc : gdb_step(s);
}

/* "C sig[;addr]" / "S sig[;addr]": the signal means nothing to a bare-metal
 * core (GDB passes back the SIGINT or SIGTRAP it saw). */
static int gdbr_signal_resume(struct gdb_server *s, const char *pkt, size_t len)
{
	const char *semi = strchr(pkt, ';');
	int rc;
	(void)len;

	if (rsp_hex_digit((unsigned char)pkt[1]) < 0 || rsp_hex_digit((unsigned char)pkt[2]) < 0)
		return swdd_err_set(SWDD_EINVAL, "malformed %c packet", pkt[0]);
	rc = gdbr_set_pc(s, semi ? semi + 1 : "");
	if (rc)
		return rc;
	return pkt[0] == 'C' ? gdb_resume(s) : gdb_step(s);
}

/* vAttach;pid (`attach 1` in extended-remote): take the running core over. */
static int gdbr_vattach(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	int rc = swdd_target_halt(s->target);

	return rc ? rc : gdb_send_stop_reply(s);
}

static int gdbr_vcont_query(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	return gdb_send_str(s, "vCont;c;C;s;S;t");
}

/* 't' in all-stop mode: stop the thread and report it as a SIGINT stop. */
static int gdbr_vcont(struct gdb_server *s, const char *pkt, size_t len)
{
	struct rsp_vcont v;
	int rc;
	(void)len;

	if (rsp_parse_vcont(pkt, &v))
		return swdd_err_set(SWDD_EINVAL, "malformed vCont packet");
	if (v.action == 'c')
		return gdb_resume(s);
	if (v.action == 's')
		return gdb_step(s);
	rc = swdd_target_halt(s->target);
	if (rc)
		return rc;
	s->interrupted = true;
	rc = gdb_send_stop_reply(s);
	s->interrupted = false;
	return rc;
}

static int gdbr_point(struct gdb_server *s, const struct rsp_zpacket *z)
{
	static const enum swdd_wp_type wp[] = {
		[2] = SWDD_WP_WRITE, [3] = SWDD_WP_READ, [4] = SWDD_WP_ACCESS
	};
	struct swdd_target *t = s->target;

	if (z->type <= 1) {
		enum swdd_bp_type bt = z->type == 0 ? SWDD_BP_SW : SWDD_BP_HW;

		return z->insert ? swdd_target_bp_add(t, bt, z->addr, z->kind)
				 : swdd_target_bp_remove(t, bt, z->addr, z->kind);
	}
	return z->insert ? swdd_target_wp_add(t, wp[z->type], z->addr, z->kind)
			 : swdd_target_wp_remove(t, wp[z->type], z->addr, z->kind);
}

static int gdbr_z(struct gdb_server *s, const char *pkt, size_t len)
{
	struct rsp_zpacket z;
	int rc;
	(void)len;

	if (rsp_parse_z(pkt, &z))
		return swdd_err_set(SWDD_EINVAL, "malformed Z/z packet");
	rc = gdbr_point(s, &z);
	if (rc == SWDD_EUNSUPPORTED)
		return gdb_send(s, "", 0); /* this kind of point is not supported */
	if (rc) {
		/* GDB 13 prints the E.swdd.<text> of a Z1 (remote.c
		 * insert_hw_breakpoint) but not of Z0/Z2-4: for those the
		 * warning waits for the next monitor command or resume. */
		if (z.type == 1 && z.insert)
			swdd_info("inserting hardware breakpoint at 0x%08x: %s", z.addr, swdd_err_detail());
		else
			swdd_warn("%s %s at 0x%08x: %s", z.insert ? "inserting" : "removing",
				  z.type <= 1 ? "breakpoint" : "watchpoint", z.addr, swdd_err_detail());
		return gdb_send_error_text(s, "E.swdd.", rc);
	}
	return gdb_send_str(s, "OK");
}

static int gdbr_detach(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	gdb_server_client_end(s);
	s->client = true; /* the connection stays until GDB closes it */
	return gdb_send_str(s, "OK");
}

/* 'k': no reply (E.3). The chip is left running without our breakpoints;
 * a non-extended session ends here. */
static int gdbr_kill(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	gdb_server_client_end(s);
	s->client = true;
	if (!s->extended)
		s->close = true;
	return 0;
}

static int gdbr_vkill(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	gdb_server_client_end(s);
	s->client = true;
	return gdb_send_str(s, "OK");
}

int gdb_reset_halt(struct gdb_server *s)
{
	return swdd_target_reset(s->target, SWDD_RESET_AUTO, true);
}

/* 'R': restart, no reply; GDB then asks '?' */
static int gdbr_restart(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	int rc = gdb_reset_halt(s);

	if (rc)
		swdd_error("restart: %s: %s", swdd_strerror(rc), swdd_err_detail());
	return 0;
}

/* vRun;file;args: the program is already in flash; "run" resets the chip
 * and stops at the reset vector, GDB then continues. */
static int gdbr_vrun(struct gdb_server *s, const char *pkt, size_t len)
{
	(void)pkt, (void)len;
	int rc = gdb_reset_halt(s);

	return rc ? rc : gdb_send_stop_reply(s);
}

const struct gdb_packet gdb_packets_run[] = {
	{ .prefix = "?", .exact = true, .fn = gdbr_status },
	{ .prefix = "c", .fn = gdbr_continue },
	{ .prefix = "s", .fn = gdbr_stepi },
	{ .prefix = "C", .fn = gdbr_signal_resume },
	{ .prefix = "S", .fn = gdbr_signal_resume },
	{ .prefix = "vAttach;", .fn = gdbr_vattach },
	{ .prefix = "vCont?", .exact = true, .fn = gdbr_vcont_query },
	{ .prefix = "vCont;", .fn = gdbr_vcont },
	{ .prefix = "Z", .fn = gdbr_z },
	{ .prefix = "z", .fn = gdbr_z },
	{ .prefix = "D", .fn = gdbr_detach, .detached_ok = true },
	{ .prefix = "k", .exact = true, .fn = gdbr_kill, .detached_ok = true },
	{ .prefix = "vKill", .fn = gdbr_vkill, .detached_ok = true },
	{ .prefix = "R", .fn = gdbr_restart },
	{ .prefix = "vRun", .fn = gdbr_vrun },
};
const size_t gdb_packets_run_count = sizeof(gdb_packets_run) / sizeof(gdb_packets_run[0]);
