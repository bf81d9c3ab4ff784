/*
 * The GDB packet dispatcher driven with real packets against a real target
 * on the lab (sim chip + emulated probe + probe and target layers), for an
 * ST-LINK and a CMSIS-DAP probe. References: GDB manual appendix E.
 *
 * The chip starts with erased flash; each test that runs code writes a few
 * Thumb instructions into SRAM and points pc at them.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flash.h"
#include "gdb_net.h"
#include "gdb_server.h"
#include "harness.h"
#include "probe.h"
#include "rsp.h"
#include "sim.h"
#include "sim_probe.h"
#include "swdd_err.h"
#include "target.h"

#define CAP_SIZE 65536
#define CODE_ADDR 0x20000100u
#define DATA_ADDR 0x20000200u

struct lab_env {
	sim_chip *chip;
	sim_probe *sp;
	struct swdd_probe *probe;
	struct swdd_target *t;
	struct gdb_server s;
	char cap[CAP_SIZE];
	size_t cap_len;
};

static int cap_write(void *ctx, const void *buf, size_t len)
{
	struct lab_env *e = ctx;

	if (e->cap_len + len > CAP_SIZE)
		return -1;
	memcpy(e->cap + e->cap_len, buf, len);
	e->cap_len += len;
	return 0;
}

/* What swdd's app does when a client comes back after a detach: connect
 * again in attach mode (no reset, no halt). */
static int env_reconnect(void *ctx, bool reattach, struct swdd_target **t)
{
	struct lab_env *e = ctx;
	struct swdd_connect_opts co = { .mode = SWDD_CONNECT_ATTACH, .speed_khz = 4000 };

	if (!reattach) {
		*t = e->t;
		return 0;
	}
	swdd_target_free(e->t);
	e->t = *t = NULL;
	int rc = swdd_target_connect(e->probe, &co, &e->t);
	*t = e->t;
	return rc;
}

static void env_close(struct lab_env *e)
{
	if (e->s.reply) {
		gdb_server_client_end(&e->s);
		gdb_server_free(&e->s);
	}
	if (e->t)
		swdd_target_free(e->t);
	if (e->probe)
		swdd_probe_close(e->probe);
	if (e->sp)
		sim_probe_free(e->sp);
	if (e->chip)
		sim_chip_free(e->chip);
	free(e);
}

static int env_open(enum sim_probe_kind kind, struct lab_env **out)
{
	struct sim_config cfg = { .chip = "stm32f407" };
	struct sim_probe_config pc = { .kind = kind };
	struct swdd_connect_opts co = { .mode = SWDD_CONNECT_NORMAL, .speed_khz = 4000, .ladder = true };
	struct lab_env *e = calloc(1, sizeof(*e));
	char err[256];
	int rc = -1;

	*out = e;
	if (!e)
		return -1;
	if (sim_chip_new(&cfg, &e->chip, err, sizeof(err)) || sim_probe_new(&pc, e->chip, &e->sp))
		return -1;
	rc = swdd_probe_open_sim(e->sp, &e->probe);
	if (!rc)
		rc = swdd_target_connect(e->probe, &co, &e->t);
	if (!rc)
		rc = gdb_server_init(&e->s, e->t, cap_write, e);
	e->s.reconnect = env_reconnect;
	e->s.reconnect_ctx = e;
	if (!rc)
		rc = gdb_server_client_begin(&e->s);
	if (rc)
		fprintf(stderr, "lab: %s: %s\n", swdd_strerror(rc), swdd_err_detail());
	return rc;
}

/* Sends one framed packet; returns the payload of the last reply packet
 * (O packets are decoded and appended to console). */
static const char *xchg_len(struct lab_env *e, const char *payload, size_t plen, char *console)
{
	static char last[CAP_SIZE];
	char framed[CAP_SIZE];
	long n = rsp_frame(payload, plen, framed, sizeof(framed));

	e->cap_len = 0;
	last[0] = '\0';
	if (console)
		console[0] = '\0';
	gdb_server_input(&e->s, (const uint8_t *)framed, (size_t)n);
	for (size_t i = 0; i < e->cap_len; i++) {
		char *end;
		size_t l;

		if (e->cap[i] != '$' || !(end = memchr(e->cap + i, '#', e->cap_len - i)))
			continue;
		l = (size_t)(end - (e->cap + i + 1));
		if (e->cap[i + 1] == 'O' && l > 1 && l % 2 == 1 && console) {
			size_t cl = strlen(console), got;

			rsp_hex_decode(e->cap + i + 2, l - 1, (uint8_t *)console + cl, &got);
			console[cl + got] = '\0';
		} else {
			memcpy(last, e->cap + i + 1, l);
			last[l] = '\0';
		}
		i = (size_t)(end - e->cap) + 2;
	}
	return last;
}

static const char *xchg(struct lab_env *e, const char *payload)
{
	return xchg_len(e, payload, strlen(payload), NULL);
}

/* Polls a running session until it sends its stop reply; returns the T
 * packet (or NULL if the core did not stop). */
static const char *run_until_stop(struct lab_env *e)
{
	for (int i = 0; i < 1000 && gdb_server_running(&e->s); i++)
		gdb_server_poll(&e->s);
	if (gdb_server_running(&e->s))
		return NULL;
	e->cap[e->cap_len < CAP_SIZE ? e->cap_len : CAP_SIZE - 1] = '\0';
	return strstr(e->cap, "$T");
}

static const enum sim_probe_kind kinds[] = { SIM_PROBE_STLINK_V21, SIM_PROBE_CMSIS_DAP_V2 };

typedef int (*lab_test_fn)(struct lab_env *e);

static int run_on_labs(lab_test_fn fn)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct lab_env *e;
		int rc;

		if (env_open(kinds[k], &e)) {
			env_close(e);
			return test_skip_reason("the lab could not connect a target (layers not ready?)");
		}
		rc = fn(e);
		env_close(e);
		if (rc) {
			size_t n = strlen(test_fail_msg);
			snprintf(test_fail_msg + n, sizeof(test_fail_msg) - n, " [probe %s]",
				 sim_probe_kind_name(kinds[k]));
			return rc;
		}
	}
	return 0;
}

static int t_qsupported(struct lab_env *e)
{
	const char *r = xchg(e, "qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=arm");

	CHECK_STR_CONTAINS(r, "PacketSize=4000");
	CHECK_STR_CONTAINS(r, "qXfer:features:read+");
	CHECK_STR_CONTAINS(r, "vContSupported+");
	CHECK_STR_CONTAINS(r, "swbreak+");
	CHECK_STR_CONTAINS(r, "hwbreak+");
	CHECK_STR_CONTAINS(r, "QStartNoAckMode+");
	CHECK(strcmp(xchg(e, "vMustReplyEmpty"), "") == 0);
	CHECK(strcmp(xchg(e, "qFooBar"), "") == 0); /* unknown: empty reply */
	CHECK(strcmp(xchg(e, "QStartNoAckMode"), "OK") == 0);
	CHECK(e->s.noack);
	CHECK(strcmp(xchg(e, "!"), "OK") == 0);
	CHECK(strcmp(xchg(e, "qC"), "QC1") == 0);
	CHECK(strcmp(xchg(e, "qAttached"), "1") == 0);
	CHECK(strcmp(xchg(e, "qfThreadInfo"), "m1") == 0);
	CHECK(strcmp(xchg(e, "qsThreadInfo"), "l") == 0);
	CHECK(xchg(e, "vAttach;1")[0] == 'T');
	CHECK(strcmp(xchg(e, "vCont?"), "vCont;c;C;s;S;t") == 0);
	return 0;
}

static int test_queries(void)
{
	return run_on_labs(t_qsupported);
}

static int t_features(struct lab_env *e)
{
	const char *r = xchg(e, "qXfer:features:read:target.xml:0,3fff");

	CHECK(r[0] == 'l' || r[0] == 'm');
	CHECK_STR_CONTAINS(r, "org.gnu.gdb.arm.m-profile");
	CHECK_STR_CONTAINS(r, "org.gnu.gdb.arm.m-system");
	CHECK_STR_CONTAINS(r, "org.gnu.gdb.arm.vfp");
	r = xchg(e, "qXfer:features:read:target.xml:0,10");
	CHECK(r[0] == 'm' && strlen(r) <= 0x11);
	r = xchg(e, "qXfer:features:read:other.xml:0,10");
	CHECK(r[0] == 'E');
	return 0;
}

static int test_target_xml(void)
{
	return run_on_labs(t_features);
}

/* 'G' with the length of the 'g' reply (what GDB sends back), with every
 * register, and with any other length (refused). */
static int t_g_write(struct lab_env *e)
{
	char g[1024], pkt[1100];
	size_t n;

	snprintf(g, sizeof(g), "%s", xchg(e, "g"));
	memcpy(g + 2 * 8, "11223344", 8); /* r2 */
	snprintf(pkt, sizeof(pkt), "G%s", g);
	CHECK(strcmp(xchg(e, pkt), "OK") == 0);
	CHECK(strcmp(xchg(e, "p2"), "11223344") == 0);
	CHECK(strcmp(xchg(e, "p17"), "0123456789abcdef") == 0); /* d0 kept */
	/* every register: + primask..control, d0 (set), d1-d15 and fpscr (0) */
	n = (size_t)snprintf(pkt, sizeof(pkt), "G%s%s%s", g, "00000000200000000000000000000000",
			     "fedcba9876543210");
	memset(pkt + n, '0', 2 * (15 * 8 + 4));
	pkt[n + 2 * (15 * 8 + 4)] = '\0';
	CHECK_EQ(strlen(pkt), 1 + 2 * (23 * 4 + 16 * 8 + 4));
	CHECK(strcmp(xchg(e, pkt), "OK") == 0);
	CHECK(strcmp(xchg(e, "p17"), "fedcba9876543210") == 0);
	CHECK(strcmp(xchg(e, "p14"), "20000000") == 0);
	snprintf(pkt, sizeof(pkt), "G%s00000000", g);
	CHECK(xchg(e, pkt)[0] == 'E'); /* neither length */
	return 0;
}

static int t_stop_and_regs(struct lab_env *e)
{
	char p[64], g[1024], pc_hex[9];
	const char *r;

	xchg(e, "qSupported:swbreak+;hwbreak+");
	r = xchg(e, "?");
	CHECK(r[0] == 'T');
	CHECK_STR_CONTAINS(r, "thread:1;");
	CHECK_STR_CONTAINS(r, "f:");
	CHECK_STR_CONTAINS(r, "d:");
	snprintf(g, sizeof(g), "%s", xchg(e, "g"));
	/* r0-pc, xpsr, msp, psp; the rest (primask..control, d0-d15, fpscr)
	 * GDB reads with 'p' (remote.c process_g_packet: a short 'g') */
	CHECK_EQ(strlen(g), 2 * 19 * 4);
	snprintf(pc_hex, sizeof(pc_hex), "%s", xchg(e, "pf"));
	CHECK(memcmp(g + 15 * 8, pc_hex, 8) == 0);
	CHECK(strcmp(xchg(e, "P0=78563412"), "OK") == 0);
	CHECK(strcmp(xchg(e, "p0"), "78563412") == 0);
	/* d0 (GDB 23) is 64 bits; fpscr 39 */
	CHECK(strcmp(xchg(e, "P17=0123456789abcdef"), "OK") == 0);
	CHECK(strcmp(xchg(e, "p17"), "0123456789abcdef") == 0);
	/* basepri (20) lives in a packed word with primask/faultmask/control */
	CHECK(strcmp(xchg(e, "P14=20000000"), "OK") == 0);
	CHECK(strcmp(xchg(e, "p14"), "20000000") == 0);
	CHECK(xchg(e, "p99")[0] == 'E');
	snprintf(p, sizeof(p), "P0=%.8s", "aabbccdd");
	CHECK(strcmp(xchg(e, p), "OK") == 0);
	CHECK(strcmp(xchg(e, "p0"), "aabbccdd") == 0);
	return t_g_write(e);
}

static int test_stop_reply_registers(void)
{
	return run_on_labs(t_stop_and_regs);
}

static int t_memory(struct lab_env *e)
{
	/* binary X with bytes that need escapes: '#', '$', '}' and '*' */
	static const uint8_t raw[] = { 0x23, 0x24, 0x7d, 0x2a, 0x00, 0xff, 0x03, 0x41 };
	char pkt[64], console[256];
	size_t n = (size_t)snprintf(pkt, sizeof(pkt), "X%x,%zx:", DATA_ADDR, sizeof(raw)), used, outlen;
	char crc[16];

	used = rsp_escape(raw, sizeof(raw), (uint8_t *)pkt + n, sizeof(pkt) - n, &outlen);
	CHECK_EQ(used, sizeof(raw));
	CHECK(strcmp(xchg_len(e, pkt, n + outlen, console), "OK") == 0);
	snprintf(pkt, sizeof(pkt), "m%x,8", DATA_ADDR);
	CHECK(strcmp(xchg(e, pkt), "23247d2a00ff0341") == 0);
	snprintf(pkt, sizeof(pkt), "M%x,4:01020304", DATA_ADDR + 1);
	CHECK(strcmp(xchg(e, pkt), "OK") == 0);
	snprintf(pkt, sizeof(pkt), "m%x,6", DATA_ADDR);
	CHECK(strcmp(xchg(e, pkt), "2301020304ff") == 0);
	snprintf(pkt, sizeof(pkt), "X%x,0:", DATA_ADDR);
	CHECK(strcmp(xchg(e, pkt), "OK") == 0);
	snprintf(pkt, sizeof(pkt), "M%x,4:0102", DATA_ADDR);
	CHECK(xchg(e, pkt)[0] == 'E'); /* length and data disagree */
	/* a large read uses one packet of up to PacketSize/2 bytes */
	snprintf(pkt, sizeof(pkt), "m20000000,2000");
	CHECK_EQ(strlen(xchg(e, pkt)), 0x4000);
	/* a read larger than a reply is answered in part (GDB asks for the rest) */
	snprintf(pkt, sizeof(pkt), "m20000000,4000");
	CHECK_EQ(strlen(xchg(e, pkt)), 0x4000);
	snprintf(pkt, sizeof(pkt), "mfffffffc,8");
	CHECK(xchg(e, pkt)[0] == 'E');
	/* qCRC over the 8 bytes: GDB's CRC-32 */
	uint8_t now[8] = { 0x23, 0x01, 0x02, 0x03, 0x04, 0xff, 0x03, 0x41 };
	snprintf(crc, sizeof(crc), "C%08x", swdd_crc32(0xFFFFFFFFu, now, 8));
	snprintf(pkt, sizeof(pkt), "qCRC:%x,8", DATA_ADDR);
	CHECK(strcmp(xchg(e, pkt), crc) == 0);
	return 0;
}

static int test_memory(void)
{
	return run_on_labs(t_memory);
}

/* Thumb: movs r0,#1; adds r0,#1; str r0,[r1]; adds r0,#1; b . */
static const uint8_t prog[] = { 0x01, 0x20, 0x01, 0x30, 0x08, 0x60, 0x01, 0x30, 0xfe, 0xe7 };

static int load_prog(struct lab_env *e)
{
	char pkt[128], hex[64];

	rsp_hex_encode(prog, sizeof(prog), hex);
	snprintf(pkt, sizeof(pkt), "M%x,%zx:%s", CODE_ADDR, sizeof(prog), hex);
	CHECK(strcmp(xchg(e, pkt), "OK") == 0);
	CHECK(strcmp(xchg(e, "Pf=00010020"), "OK") == 0);  /* pc = CODE_ADDR */
	CHECK(strcmp(xchg(e, "P10=00000001"), "OK") == 0); /* xpsr: Thumb */
	CHECK(strcmp(xchg(e, "Pd=00100020"), "OK") == 0);  /* sp */
	CHECK(strcmp(xchg(e, "P1=00020020"), "OK") == 0);  /* r1 = DATA_ADDR */
	return 0;
}

static int t_step_break(struct lab_env *e)
{
	char pkt[64];
	const char *r;
	int rc;

	xchg(e, "qSupported:swbreak+;hwbreak+");
	if ((rc = load_prog(e)))
		return rc;
	r = xchg(e, "s");
	CHECK(r[0] == 'T');
	CHECK_STR_CONTAINS(r, "f:02010020;");
	r = xchg(e, "vCont;s:1;c");
	CHECK_STR_CONTAINS(r, "f:04010020;");
	/* software breakpoint in RAM at the second adds */
	snprintf(pkt, sizeof(pkt), "Z0,%x,2", CODE_ADDR + 6);
	CHECK(strcmp(xchg(e, pkt), "OK") == 0);
	r = xchg(e, "c");
	CHECK(*r == '\0'); /* running: no reply yet */
	r = run_until_stop(e);
	CHECK(r);
	CHECK_STR_CONTAINS(r, "swbreak:;");
	CHECK_STR_CONTAINS(r, "f:06010020;");
	snprintf(pkt, sizeof(pkt), "z0,%x,2", CODE_ADDR + 6);
	CHECK(strcmp(xchg(e, pkt), "OK") == 0);
	CHECK(strcmp(xchg(e, "p0"), "02000000") == 0);
	return 0;
}

static int test_step_and_breakpoint(void)
{
	return run_on_labs(t_step_break);
}

/* A BKPT written over code the core has already run must still stop it:
 * real cores have no stale instruction cache for debugger writes to SRAM
 * (the lab models them with Unicorn, which caches translated code). */
static int t_bp_executed_code(struct lab_env *e)
{
	char pkt[64];
	const char *r;
	int rc;

	xchg(e, "qSupported:swbreak+");
	if ((rc = load_prog(e)))
		return rc;
	r = xchg(e, "S05;20000100"); /* signal ignored, step from the address */
	CHECK_STR_CONTAINS(r, "f:02010020;");
	for (int i = 0; i < 3; i++)
		CHECK(xchg(e, "s")[0] == 'T');
	CHECK_STR_CONTAINS(xchg(e, "?"), "f:08010020;");
	CHECK(strcmp(xchg(e, "Pf=00010020"), "OK") == 0);
	snprintf(pkt, sizeof(pkt), "Z0,%x,2", CODE_ADDR + 6);
	CHECK(strcmp(xchg(e, pkt), "OK") == 0);
	xchg(e, "C02");
	CHECK_STR_CONTAINS(run_until_stop(e), "swbreak:;");
	CHECK(strcmp(xchg(e, "pf"), "06010020") == 0);
	return 0;
}

static int test_breakpoint_on_executed_code(void)
{
	return run_on_labs(t_bp_executed_code);
}

static int t_watch_interrupt(struct lab_env *e)
{
	char pkt[64];
	const char *r;
	int rc;

	if ((rc = load_prog(e)))
		return rc;
	snprintf(pkt, sizeof(pkt), "Z2,%x,4", DATA_ADDR);
	CHECK(strcmp(xchg(e, pkt), "OK") == 0);
	xchg(e, "vCont;c");
	r = run_until_stop(e);
	CHECK(r);
	snprintf(pkt, sizeof(pkt), "watch:%08x;", DATA_ADDR);
	CHECK_STR_CONTAINS(r, pkt);
	snprintf(pkt, sizeof(pkt), "z2,%x,4", DATA_ADDR);
	CHECK(strcmp(xchg(e, pkt), "OK") == 0);
	/* run into "b ." and interrupt with Ctrl-C (0x03 out of band) */
	xchg(e, "c");
	for (int i = 0; i < 20; i++)
		gdb_server_poll(&e->s);
	CHECK(gdb_server_running(&e->s));
	e->cap_len = 0;
	gdb_server_input(&e->s, (const uint8_t *)"\x03", 1);
	CHECK(!gdb_server_running(&e->s));
	CHECK(e->cap_len > 4 && memcmp(e->cap, "$T02", 4) == 0);
	CHECK(strcmp(xchg(e, "pf"), "08010020") == 0);
	return 0;
}

static int test_watchpoint_and_ctrl_c(void)
{
	return run_on_labs(t_watch_interrupt);
}

static int t_monitor(struct lab_env *e)
{
	static char console[8192];
	char hex[256];
	const char *r;
	static const struct {
		const char *cmd, *want_reply, *want_text;
	} rows[] = {
		{ "help", "OK", "reset [halt|run|init]" },
		{ "version", "OK", "swdd" },
		{ "info", "OK", "IDCODE" },
		{ "reset_config sys", "OK", "SYSRESETREQ" },
		{ "reset halt", "OK", "halted" },
		{ "reset_config auto", "OK", "auto" },
		{ "speed 1000", "OK", "kHz" },
		{ "maskisr off", "OK", "enabled" },
		{ "cortex_m maskisr on", "OK", "masked" },
		{ "maskisr sometimes", "E01", "maskisr takes on or off" },
		/* issue 10 point 5: an unknown command gets the empty reply
		 * (GDB: "Target does not support this command."), not E01
		 * ("Protocol error with Rcmd"); the reason is in the output */
		{ "bogus", "", "unknown command 'bogus'" },
		{ "reset sideways", "E01", "reset takes halt, run or init" },
		/* issue 10 point 5: halt and reset halt/init print pc and sp */
		{ "reset init", "OK", "pc 0x" },
		{ "halt", "OK", "maintenance flush register-cache" },
		{ "reset halt", "OK", ", sp 0x" },
		/* issue 10 point 6: extra words are errors, never ignored */
		{ "halt now", "E01", "`halt` takes no argument" },
		{ "version 2", "E01", "takes no argument ('2' given)" },
		{ "reset_config sys hw", "E01", "'hw' is one too many" },
		{ "reset halt now", "E01", "usage: reset [halt|run|init]" },
		{ "speed 1000 2000", "E01", "at most 1 argument" },
		{ "adapter", "E01", "`adapter` needs at least 1 argument" },
		{ "adapter khz 100", "E01", "only the speed subcommand" },
		/* no value: the current one */
		{ "speed", "OK", "SWD clock" },
		{ "adapter speed", "OK", "SWD clock" },
		{ "maskisr", "OK", "maskisr on" },
		{ "cortex_m maskisr", "OK", "interrupts masked" },
		{ "reset_config", "OK", "reset method: auto" },
		/* mdw/mdh/mdb, mww/mwh/mwb, reg */
		{ "mww 0x20000400 0x12345678", "OK", "0x20000400 <- 0x12345678" },
		{ "mwh 0x20000402 0xabcd", "OK", "<- 0xabcd" },
		{ "mwb 0x20000400 0x5a", "OK", "<- 0x5a" },
		{ "mdw 0x20000400", "OK", "0x20000400: abcd565a" },
		{ "mdh 0x20000400 2", "OK", "0x20000400: 565a abcd" },
		{ "mdb 0x20000400 4", "OK", "0x20000400: 5a 56 cd ab" },
		{ "mdw 0x08000000 5", "OK", "0x08000010: ffffffff" },
		{ "mdw 0x20000401", "E01", "not aligned to the 4-byte access" },
		{ "mwb 0x20000400 0x100", "E01", "VALUE must be a number up to 0xff" },
		{ "mww 0x20000400", "E01", "`mww` needs 2 arguments" },
		{ "mdw zz", "E01", "the address must be a number" },
		{ "mdw 0x20000000 100000", "E01", "COUNT must be a number up to" },
		{ "reg r3 0xcafe", "OK", "r3         0x0000cafe" },
		{ "reg r3", "OK", "0x0000cafe" },
		{ "reg d2 0x1122334455667788", "OK", "d2         0x1122334455667788" },
		{ "reg", "OK", "fpscr" },
		{ "reg r99", "E01", "no register 'r99'" },
		{ "reg pc 1 2", "E01", "at most 2 arguments" },
		/* the F4 family's own command (RM0090 39.1; the lab's UID bytes) */
		{ "uid", "OK", "unique device ID: 39313833 3036470A 0037002D" },
		{ "uid now", "E01", "usage: monitor uid" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char pkt[300];

		rsp_hex_encode(rows[i].cmd, strlen(rows[i].cmd), hex);
		snprintf(pkt, sizeof(pkt), "qRcmd,%s", hex);
		r = xchg_len(e, pkt, strlen(pkt), console);
		if (strcmp(r, rows[i].want_reply) || !strstr(console, rows[i].want_text))
			return test_fail_at(__FILE__, __LINE__, "monitor %s: reply '%s', output '%s'",
					    rows[i].cmd, r, console);
	}
	/* after reset halt the core sits at the reset vector: '?' reports it */
	r = xchg(e, "?");
	CHECK(r[0] == 'T');
	return 0;
}

static int test_monitor_commands(void)
{
	return run_on_labs(t_monitor);
}

/* issue 10 point 5: a 7th hardware breakpoint or 5th watchpoint gets
 * "E.swdd.<reason>" (GDB 13 prints the text after the second '.' for Z1:
 * "Cannot insert hardware breakpoint N:Remote failure reply: <reason>");
 * for watchpoints, which GDB 13 words only "Could not insert hardware
 * watchpoint N", the reason also waits for the next monitor command. */
static int t_point_limits(struct lab_env *e)
{
	static char console[4096];
	char pkt[64];
	const char *r;
	unsigned i;

	swdd_log_set_sink(gdb_server_log_sink, &e->s); /* as gdb_net.c does */
	for (i = 0; i < 7; i++) {
		snprintf(pkt, sizeof(pkt), "Z1,%x,2", 0x08000100u + 4 * i);
		r = xchg(e, pkt);
		if (i < 6 ? strcmp(r, "OK") : strncmp(r, "E.swdd.", 7) || !strstr(r, "in use"))
			return test_fail_at(__FILE__, __LINE__, "hardware breakpoint %u: '%s'", i + 1, r);
	}
	for (i = 0; i < 5; i++) {
		snprintf(pkt, sizeof(pkt), "Z2,%x,4", DATA_ADDR + 4 * i);
		r = xchg(e, pkt);
		if (i < 4 ? strcmp(r, "OK") : strncmp(r, "E.swdd.", 7) || !strstr(r, "in use"))
			return test_fail_at(__FILE__, __LINE__, "watchpoint %u: '%s'", i + 1, r);
	}
	r = xchg_len(e, "qRcmd,76657273696f6e", 20, console); /* monitor version */
	swdd_log_set_sink(NULL, NULL);
	CHECK(strcmp(r, "OK") == 0);
	CHECK_STR_CONTAINS(console, "swdd: warning: inserting watchpoint at 0x20000210");
	return 0;
}

static int test_point_limits(void)
{
	return run_on_labs(t_point_limits);
}

static int t_detach(struct lab_env *e)
{
	int rc;

	if ((rc = load_prog(e)))
		return rc;
	CHECK(strcmp(xchg(e, "Z0,20000106,2"), "OK") == 0);
	CHECK(strcmp(xchg(e, "D"), "OK") == 0);
	CHECK(e->s.detached);
	gdb_server_client_end(&e->s);
	/* a new client halts the target again; our breakpoint is gone */
	CHECK_OK(gdb_server_client_begin(&e->s));
	CHECK(swdd_target_is_halted(e->s.target));
	uint8_t bkpt[2];
	CHECK_OK(swdd_target_mem_read(e->s.target, 0x20000106, bkpt, 2));
	CHECK(bkpt[0] == 0x01 && bkpt[1] == 0x30);
	/* the new session's breakpoints work (FPB/DEMCR set up again): the
	 * program in flash (lab set-up backdoor, like a programmed board),
	 * a Z0 there becomes an FPB comparator */
	if ((rc = load_prog(e)))
		return rc;
	CHECK_OK(sim_chip_backdoor_load_flash(e->chip, 0x08000100u, prog, sizeof(prog)));
	CHECK(strcmp(xchg(e, "Pf=00010008"), "OK") == 0);
	CHECK(strcmp(xchg(e, "Z0,8000106,2"), "OK") == 0);
	xchg(e, "c");
	CHECK(run_until_stop(e));
	CHECK(strcmp(xchg(e, "pf"), "06010008") == 0);
	/* k then vRun (extended-remote `run`): reset and halt again */
	CHECK(strcmp(xchg(e, "!"), "OK") == 0);
	xchg(e, "k");
	CHECK(e->s.detached);
	CHECK(xchg(e, "vRun;")[0] == 'T');
	CHECK(!e->s.detached);
	CHECK(swdd_target_is_halted(e->s.target));
	return 0;
}

static int test_detach_and_reattach(void)
{
	return run_on_labs(t_detach);
}

static int t_nak(struct lab_env *e)
{
	e->cap_len = 0;
	gdb_server_input(&e->s, (const uint8_t *)"$qC#00", 6); /* bad checksum */
	CHECK(e->cap_len == 1 && e->cap[0] == '-');
	e->cap_len = 0;
	gdb_server_input(&e->s, (const uint8_t *)"$qC#b4", 6);
	CHECK(e->cap_len > 1 && memcmp(e->cap, "+$QC1#", 6) == 0);
	e->cap_len = 0;
	gdb_server_input(&e->s, (const uint8_t *)"-", 1); /* resend */
	CHECK(e->cap_len > 1 && memcmp(e->cap, "$QC1#", 5) == 0);
	return 0;
}

static int test_ack_nak(void)
{
	return run_on_labs(t_nak);
}

/* Bad input gives an error or empty reply, never a crash (ASan build). */
static int t_malformed(struct lab_env *e)
{
	static const struct {
		const char *pkt;
		char first; /* 'E', or '\0' for the empty reply */
	} rows[] = {
		{ "m", 'E' },
		{ "m20000000", 'E' },
		{ "m,4", 'E' },
		{ "mffffffff,8", 'E' },
		{ "m0,100000001", 'E' }, /* past 4 GiB (m0,ffffffff is a partial read) */
		{ "M20000000,4:zz", 'E' },
		{ "M20000000,2", 'E' },
		{ "X20000000,4:ab", 'E' },
		{ "G1234", 'E' },
		{ "Gzz", 'E' },
		{ "p", 'E' },
		{ "pzz", 'E' },
		{ "P0", 'E' },
		{ "P0=12", 'E' },
		{ "Z9,0,2", 'E' },
		{ "Z0,", 'E' },
		{ "qRcmd,zz", 'E' },
		{ "qRcmd,6", 'E' },
		{ "qCRC:", 'E' },
		{ "qCRC:ffffffff,10", 'E' },
		{ "vCont;q", 'E' },
		{ "cxyz", 'E' },
		{ "C", 'E' },
		{ "qXfer:features:read:target.xml:zz", 'E' },
		{ "qXfer:features:read:target.xml:ffffff,10", 'E' },
		{ "vFlashWrite:zz", 'E' },
		{ "qXfer:bogus:read::0,10", '\0' },
		{ "Q", '\0' },
		{ "", '\0' },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *r = xchg(e, rows[i].pkt);

		if (r[0] != rows[i].first || gdb_server_running(&e->s))
			return test_fail_at(__FILE__, __LINE__, "'%s' got '%.20s'", rows[i].pkt, r);
	}
	return 0;
}

static int test_malformed_packets(void)
{
	return run_on_labs(t_malformed);
}

/* What a stepi costs: GDB's 's' and the 'g' it sends after the stop, then
 * the 'p's of `info registers` (fpscr, primask..control: one group) and of
 * d registers (s0-s31: fetched only now, once). The bounds are what swdd achieves (bench_gdb), so a change
 * that costs more round trips fails here. */
static const struct stepi_cost {
	enum sim_probe_kind kind;
	uint64_t max_trips;     /* 's' + 'g' */
	uint64_t max_sys_trips; /* then 'p' of fpscr, primask..control */
} stepi_costs[] = {
	{ .kind = SIM_PROBE_STLINK_V2, .max_trips = 2, .max_sys_trips = 3 },
	{ .kind = SIM_PROBE_STLINK_V3, .max_trips = 2, .max_sys_trips = 3 },
	{ .kind = SIM_PROBE_CMSIS_DAP_V2, .max_trips = 2, .max_sys_trips = 1 },
};

static uint64_t trips(struct lab_env *e)
{
	struct swdd_probe_stats st;

	swdd_probe_get_stats(e->probe, &st);
	return st.usb_round_trips;
}

static int t_stepi_cost(struct lab_env *e, const struct stepi_cost *c)
{
	uint64_t a, b;
	int rc;

	xchg(e, "qSupported:swbreak+;hwbreak+");
	if ((rc = load_prog(e)))
		return rc;
	CHECK(strcmp(xchg(e, "P17=0000c03f00000000"), "OK") == 0); /* s0 = 1.5f */
	/* the first step after register writes also reads the pc and sets
	 * C_MASKINTS; GDB's stepping after that is what the bound covers */
	CHECK(xchg(e, "s")[0] == 'T');
	for (int i = 0; i < 3; i++) {
		a = trips(e);
		CHECK(xchg(e, "s")[0] == 'T');
		CHECK_EQ(strlen(xchg(e, "g")), 2 * 19 * 4);
		b = trips(e);
		printf("# %s: stepi + g: %llu USB round trips\n", sim_probe_kind_name(c->kind),
		       (unsigned long long)(b - a));
		CHECK(b - a <= c->max_trips);
	}
	/* `info registers`: primask..control and fpscr, read together */
	CHECK(strcmp(xchg(e, "p27"), "00000000") == 0);
	CHECK(strcmp(xchg(e, "p13"), "00000000") == 0);
	CHECK(xchg(e, "p16")[0] != 'E');
	a = trips(e);
	CHECK(a - b <= c->max_sys_trips);
	/* s0-s31 only now, once */
	CHECK(strcmp(xchg(e, "p17"), "0000c03f00000000") == 0);
	b = trips(e);
	CHECK(a < b);
	CHECK(strcmp(xchg(e, "p18"), "0000000000000000") == 0);
	CHECK(strcmp(xchg(e, "p26"), "0000000000000000") == 0);
	CHECK_EQ(trips(e), b);
	return 0;
}

static int test_stepi_round_trips(void)
{
	for (size_t k = 0; k < sizeof(stepi_costs) / sizeof(stepi_costs[0]); k++) {
		struct lab_env *e;
		int rc;

		if (env_open(stepi_costs[k].kind, &e)) {
			env_close(e);
			return test_skip_reason("the lab could not connect a target (layers not ready?)");
		}
		rc = t_stepi_cost(e, &stepi_costs[k]);
		env_close(e);
		if (rc) {
			size_t n = strlen(test_fail_msg);
			snprintf(test_fail_msg + n, sizeof(test_fail_msg) - n, " [probe %s]",
				 sim_probe_kind_name(stepi_costs[k].kind));
			return rc;
		}
	}
	return 0;
}

static int fail_write(void *ctx, const void *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
	return -1;
}

/* A client that went away (the write fails) ends the session with
 * SWDD_ECLOSED, a code of its own: -1 would read as SWDD_EINVAL. */
static int test_lost_connection(void)
{
	static const char pkt[] = "$qC#b4";
	struct gdb_server s;
	int rc;

	CHECK_OK(gdb_server_init(&s, NULL, fail_write, NULL));
	rc = gdb_server_input(&s, (const uint8_t *)pkt, strlen(pkt));
	gdb_server_free(&s);
	CHECK_EQ(rc, SWDD_ECLOSED);
	CHECK(strcmp(swdd_strerror(SWDD_ECLOSED), swdd_strerror(SWDD_EINVAL)) != 0);
	return 0;
}

/* ---- gdb_net.c over real sockets, with short limits --------------------- */

struct net_run {
	struct lab_env *e;
	int lfd;
	volatile sig_atomic_t stop;
	struct gdb_net_limits lim;
	int rc;
};

static void *net_thread(void *arg)
{
	struct net_run *n = arg;

	n->rc = gdb_net_serve_limits(&n->e->s, n->lfd, &n->stop, &n->lim);
	return NULL;
}

static int net_connect(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends "+$qSupported#37" and reads until a whole reply packet or EOF
 * (at most 5 s); out gets what came, NUL-terminated. */
static void net_hello(int fd, char *out, size_t cap)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	char *h;

	out[0] = '\0';
	if (send(fd, "+$qSupported#37", 15, MSG_NOSIGNAL) != 15)
		return;
	while (got + 1 < cap && poll(&pfd, 1, 5000) > 0) {
		ssize_t r = recv(fd, out + got, cap - 1 - got, 0);

		if (r <= 0)
			break;
		got += (size_t)r;
		out[got] = '\0';
		h = strchr(out, '#');
		if (h && strlen(h) >= 3)
			break;
	}
}

/* Is fd closed by the server (EOF within 2 s)? */
static bool net_closed(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char b[512];

	while (poll(&pfd, 1, 2000) > 0) {
		ssize_t r = recv(fd, b, sizeof(b), 0);

		if (r <= 0)
			return true;
	}
	return false;
}

/* issue 15: a halted client silent for idle_ms gives its slot to a new GDB;
 * a client that is not idle still gets the second one refused. */
static int t_net_idle(struct lab_env *e)
{
	struct net_run n = { .e = e,
			     .lim = { .write_ms = 5000,
				      .write_total_ms = 5000,
				      .partial_ms = 300,
				      .packet_ms = 2000,
				      .hello_ms = 2000,
				      .refuse_ms = 300,
				      .idle_ms = 600 } };
	char r1[1024], r2[1024], r3[1024];
	unsigned port;
	pthread_t th;
	int a, b, c;

	gdb_server_client_end(&e->s); /* gdb_net admits its own clients */
	CHECK_OK(gdb_net_listen("127.0.0.1", 0, &n.lfd, &port));
	CHECK(pthread_create(&th, NULL, net_thread, &n) == 0);
	a = net_connect(port);
	net_hello(a, r1, sizeof(r1));
	usleep(900 * 1000); /* a is silent for longer than idle_ms */
	b = net_connect(port);
	net_hello(b, r2, sizeof(r2));
	c = net_connect(port); /* b is not idle: c is refused */
	net_hello(c, r3, sizeof(r3));
	n.stop = 1;
	pthread_join(th, NULL);
	close(n.lfd);
	CHECK(net_closed(a));
	close(a), close(b), close(c);
	CHECK_OK(n.rc);
	CHECK(strstr(r1, "PacketSize") != NULL);
	CHECK(strstr(r2, "PacketSize") != NULL);
	CHECK_STR_CONTAINS(r3, "E.swdd: another GDB");
	return 0;
}

static int test_net_idle_supersede(void)
{
	return run_on_labs(t_net_idle);
}

static const struct test_case tests[] = {
	{ "queries", "GDB E.4 General Query Packets", test_queries },
	{ "target_xml", "GDB E.4 qXfer:features:read, G.5 ARM features", test_target_xml },
	{ "stop_reply_registers", "GDB E.3 Stop Reply Packets, g/p/P", test_stop_reply_registers },
	{ "memory", "GDB E.3 m/M/X, E.4 qCRC", test_memory },
	{ "step_and_breakpoint", "GDB E.3 s/c/vCont/Z0", test_step_and_breakpoint },
	{ "stepi_round_trips",
	  "GDB E.3 s, short g (remote.c process_g_packet); docs/STLINK-PROTOCOL.md §3 READALLREGS",
	  test_stepi_round_trips },
	{ "breakpoint_on_executed_code", "GDB E.3 S/C/Z0; ARMv7-M C1.5 (BKPT)",
	  test_breakpoint_on_executed_code },
	{ "watchpoint_and_ctrl_c", "GDB E.3 Z2, E.11 Interrupts", test_watchpoint_and_ctrl_c },
	{ "monitor_commands", "GDB E.4 qRcmd", test_monitor_commands },
	{ "point_limits", "GDB E.1 E.errtext, E.3 Z1/Z2; ARMv7-M C1.11 FPB (6), C1.8 DWT (4)",
	  test_point_limits },
	{ "detach_and_reattach", "GDB E.3 D; issue 6 Connections", test_detach_and_reattach },
	{ "malformed_packets", "GDB E.1 (error replies); swdd rule: bad input never crashes",
	  test_malformed_packets },
	{ "ack_nak", "GDB E.1 Overview (acknowledgment)", test_ack_nak },
	{ "lost_connection", "a failed write ends the session with SWDD_ECLOSED", test_lost_connection },
	{ "net_idle_supersede", "docs/SERVER.md Connections (idle time-out); issue 15",
	  test_net_idle_supersede },
};

TEST_MAIN("test_gdb_server", tests)
