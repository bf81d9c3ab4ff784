/*
 * st-util and pyOCD command lines for IDE launchers; see compat.h.
 *
 * What each launcher passes was read from cortex-debug's server
 * controllers (stutil: `-p PORT --no-reset [--serial S] [serverArgs]`;
 * pyocd: `gdbserver --port N --telnet-port M [--board B] [--target T]
 * [--pack P] [-O ...] [serverArgs]`) and from each tool's --help. Options
 * that only change how the other tool works inside (its telnet console,
 * its target database, SWO settings) are accepted and logged as ignored;
 * those whose meaning swdd would silently betray are refused.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monitor.h"
#include "swdd_err.h"
#include "swdd_log.h"

#define COMPAT_STUTIL_PORT "4242" /* st-util's default */

/* One foreign option: its spellings, whether it takes a value, and what
 * it becomes (swdd option, NULL: ignored with `why` logged; or a handler). */
struct compat_opt {
	const char *names[6];
	bool arg;
	const char *swdd; /* "--port": the value follows; "--connect=attach": fixed */
	int (*fn)(struct compat *c, const char *name, const char *val);
	const char *why; /* logged when ignored */
};

static int compat_push(struct compat *c, const char *s, bool own)
{
	char **n = realloc(c->argv, (size_t)(c->argc + 2) * sizeof(*n));

	if (!n)
		return SWDD_ENOMEM;
	c->argv = n;
	if (own) {
		if (c->nowned == sizeof(c->owned) / sizeof(c->owned[0]) || !(s = strdup(s)))
			return SWDD_ENOMEM;
		c->owned[c->nowned++] = (char *)s;
	}
	c->argv[c->argc++] = (char *)s;
	c->argv[c->argc] = NULL;
	return 0;
}

/* st-util's --freq takes "4000", "4000k", "4M" or "1.8M" (kHz by default). */
static int compat_freq(struct compat *c, const char *name, const char *val)
{
	char *end, buf[16];
	double v = strtod(val, &end);

	if (*end == 'k' || *end == 'K')
		end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1000, end++;
	if (end == val || *end || v < 1 || v > 100000)
		return swdd_err_set(SWDD_EINVAL, "%s '%s': give the SWD clock in kHz (e.g. 1800k or 4M)",
				    name, val);
	snprintf(buf, sizeof(buf), "%u", (unsigned)v);
	int rc = compat_push(c, "--speed", false);
	return rc ? rc : compat_push(c, buf, true);
}

/* pyOCD's --frequency is in Hz ("4000000", "4M", "400k"). */
static int compat_hz(struct compat *c, const char *name, const char *val)
{
	char *end, buf[16];
	double v = strtod(val, &end);

	if (*end == 'k' || *end == 'K')
		v *= 1e3, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1e6, end++;
	if (end == val || *end || v < 1000 || v > 1e8)
		return swdd_err_set(SWDD_EINVAL, "%s '%s': give the SWD clock in Hz (e.g. 4000000 or 4M)",
				    name, val);
	snprintf(buf, sizeof(buf), "%u", (unsigned)(v / 1000));
	int rc = compat_push(c, "--speed", false);
	return rc ? rc : compat_push(c, buf, true);
}

/* pyOCD --connect halt|pre-reset|under-reset|attach. */
static int compat_connect(struct compat *c, const char *name, const char *val)
{
	static const char *const map[][2] = { { "halt", "normal" },
					      { "pre-reset", "normal" },
					      { "under-reset", "under-reset" },
					      { "attach", "attach" } };

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(val, map[i][0])) {
			int rc = compat_push(c, "--connect", false);
			return rc ? rc : compat_push(c, map[i][1], false);
		}
	return swdd_err_set(SWDD_EINVAL, "%s '%s': swdd knows halt, under-reset and attach", name, val);
}

static int compat_refuse(struct compat *c, const char *name, const char *val)
{
	(void)c, (void)val;
	return swdd_err_set(SWDD_EINVAL,
			    "%s: swdd does not drive ST-LINK/V1 (mass-storage "
			    "protocol); use an ST-LINK/V2 or later",
			    name);
}

static const struct compat_opt compat_stutil_opts[] = {
	{ { "-p", "--listen_port", "--listen-port" }, true, "--port" },
	{ { "-n", "--no-reset" }, false, NULL, .why = "swdd does not reset on connect; it halts the core" },
	{ { "-m", "--multi" }, false, NULL, .why = "swdd always serves one client after another" },
	{ { "-u", "--connect-under-reset" }, false, "--connect=under-reset" },
	{ { "--hot-plug" }, false, "--connect=attach" },
	{ { "-F", "--freq" }, true, NULL, compat_freq },
	{ { "-v", "--verbose" }, false, "--verbose" },
	{ { "--semihosting" }, false, NULL, .why = "semihosting is not implemented" },
	{ { "-1", "--stlinkv1" }, false, NULL, compat_refuse },
};

static const struct compat_opt compat_pyocd_opts[] = {
	{ { "-p", "--port" }, true, "--port" },
	{ { "-T", "--telnet-port" }, true, NULL, .why = "no telnet console: use GDB's `monitor`" },
	{ { "-b", "--board", "-u", "--uid" }, true, "--serial" },
	{ { "-t", "--target" }, true, NULL, .why = "swdd identifies the chip from DBGMCU_IDCODE" },
	{ { "--pack" }, true, NULL, .why = "packs are not read; --flash-algo takes an .FLM" },
	{ { "-O" }, true, NULL, .why = "pyOCD session options, SWO included, do not apply here" },
	{ { "-f", "--frequency" }, true, NULL, compat_hz },
	{ { "--persist" }, false, NULL, .why = "swdd always keeps serving" },
	{ { "-C", "--connect" }, true, NULL, compat_connect },
};

/* OpenOCD -c commands (several may share one -c, separated by ';'):
 * what they become in swdd, or why they are ignored. Others are logged
 * as ignored too: configuration scripts are full of harmless ones. */
static const struct {
	const char *cmd;  /* its words, the value follows */
	const char *swdd; /* option taking the value; NULL: ignored */
	const char *why;
} compat_ocd_cmds[] = {
	{ "gdb_port", "--port", NULL },
	{ "adapter speed", "--speed", NULL },
	{ "adapter_khz", "--speed", NULL },
	{ "adapter serial", "--serial", NULL },
	{ "hla_serial", "--serial", NULL },
	{ "cmsis_dap_serial", "--serial", NULL },
	{ "tcl_port", NULL, "no Tcl server: use GDB's `monitor`" },
	{ "telnet_port", NULL, "no telnet console: use GDB's `monitor`" },
};

static int compat_ocd_one(struct compat *c, char *cmd)
{
	char *val;
	int rc;

	while (*cmd == ' ' || *cmd == '\t')
		cmd++;
	for (val = cmd + strlen(cmd); val > cmd && (val[-1] == ' ' || val[-1] == '\t');)
		*--val = '\0';
	if (!*cmd)
		return 0;
	if (!strncmp(cmd, "program ", 8) || !strcmp(cmd, "program"))
		return swdd_err_set(SWDD_EINVAL,
				    "-c '%s': to program, run `swdd flash FILE` "
				    "(it erases, programs, verifies and resets)",
				    cmd);
	for (size_t i = 0; i < sizeof(compat_ocd_cmds) / sizeof(compat_ocd_cmds[0]); i++) {
		size_t n = strlen(compat_ocd_cmds[i].cmd);
		if (strncmp(cmd, compat_ocd_cmds[i].cmd, n) || cmd[n] != ' ')
			continue;
		if (!compat_ocd_cmds[i].swdd) {
			swdd_info("-c '%s': ignored (%s)", cmd, compat_ocd_cmds[i].why);
			return 0;
		}
		rc = compat_push(c, compat_ocd_cmds[i].swdd, false);
		return rc ? rc : compat_push(c, cmd + n + 1 + strspn(cmd + n + 1, " "), true);
	}
	swdd_info("-c '%s': ignored (not an OpenOCD command swdd takes)", cmd);
	return 0;
}

static int compat_ocd_command(struct compat *c, const char *name, const char *val)
{
	char *copy = strdup(val), *save = NULL;
	int rc = copy ? 0 : SWDD_ENOMEM;

	(void)name;
	for (char *cmd = copy ? strtok_r(copy, ";", &save) : NULL; cmd && !rc;
	     cmd = strtok_r(NULL, ";", &save))
		rc = compat_ocd_one(c, cmd);
	free(copy);
	return rc;
}

/* -f interface/stlink.cfg picks the ST-LINK driver, -f interface/cmsis-dap.cfg
 * CMSIS-DAP; target and board scripts are not needed (swdd identifies the
 * chip from DBGMCU_IDCODE) and are not read. */
static int compat_ocd_file(struct compat *c, const char *name, const char *val)
{
	const char *base = strrchr(val, '/');
	const char *drv = NULL;
	int rc;

	base = base ? base + 1 : val;
	if (!strncmp(base, "stlink", 6) || !strncmp(base, "st-link", 7))
		drv = "stlink";
	else if (!strncmp(base, "cmsis-dap", 9) || !strncmp(base, "cmsis_dap", 9))
		drv = "cmsis-dap";
	if (!drv) {
		swdd_info("%s %s: ignored (swdd reads no OpenOCD scripts; it identifies the chip)", name,
			  val);
		return 0;
	}
	rc = compat_push(c, "--probe", false);
	return rc ? rc : compat_push(c, drv, false);
}

static const struct compat_opt compat_openocd_opts[] = {
	{ { "-c", "--command" }, true, NULL, compat_ocd_command },
	{ { "-f", "--file" }, true, NULL, compat_ocd_file },
	{ { "-s", "--search" }, true, NULL, .why = "swdd reads no OpenOCD scripts" },
	{ { "-l", "--log_output" }, true, NULL, .why = "swdd logs to stderr" },
	{ { "-d", "-d0", "-d1", "-d2", "-d3", "--debug" }, false, NULL, .why = "swdd's debug log is -v" },
};

/* Matches "-p", "-p4242" (short with value), "--port", "--port=4242". */
static const struct compat_opt *compat_match(const struct compat_opt *t, size_t n, const char *a,
					     const char **val)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < 6 && t[i].names[k]; k++) {
			size_t len = strlen(t[i].names[k]);
			if (strncmp(a, t[i].names[k], len))
				continue;
			*val = NULL;
			if (a[len] == '\0')
				return &t[i];
			if (t[i].arg && a[len] == '=')
				*val = a + len + 1;
			else if (t[i].arg && a[1] != '-')
				*val = a + len; /* -p4242 */
			else
				continue;
			return &t[i];
		}
	return NULL;
}

static int compat_apply(struct compat *c, const struct compat_opt *o, const char *name, const char *val)
{
	int rc;

	if (o->fn)
		return o->fn(c, name, val);
	if (!o->swdd) {
		swdd_info("%s: ignored (%s)", name, o->why);
		return 0;
	}
	rc = compat_push(c, o->swdd, false);
	return rc || !o->arg ? rc : compat_push(c, val, false);
}

/* Translates argv[first..] by table t; unknown words go to swdd as they are. */
static int compat_args(struct compat *c, const struct compat_opt *t, size_t n, int argc, char **argv,
		       int first)
{
	for (int i = first; i < argc; i++) {
		const char *val, *name = argv[i];
		const struct compat_opt *o = compat_match(t, n, name, &val);
		int rc;

		if (!o) {
			rc = compat_push(c, name, false);
		} else {
			if (o->arg && !val) {
				if (i + 1 >= argc)
					return swdd_err_set(SWDD_EINVAL, "%s needs a value", name);
				val = argv[++i];
			}
			rc = compat_apply(c, o, name, val);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* How each tool is recognised: its program name (argv[0], also as the
 * tail "-NAME" of a link such as swdd-st-util) or swdd's first word. */
static const struct compat_tool {
	enum compat_kind kind;
	const char *name; /* NULL: by word only */
	const char *word;
	const struct compat_opt *opts;
	size_t nopts;
	const char *port; /* the tool's default port, NULL: swdd's */
} compat_tools[] = {
	{ COMPAT_STUTIL, "st-util", "st-util", compat_stutil_opts,
	  sizeof(compat_stutil_opts) / sizeof(compat_stutil_opts[0]), COMPAT_STUTIL_PORT },
	{ COMPAT_PYOCD, NULL, "gdbserver", compat_pyocd_opts,
	  sizeof(compat_pyocd_opts) / sizeof(compat_pyocd_opts[0]), NULL },
	{ COMPAT_OPENOCD, "openocd", "openocd", compat_openocd_opts,
	  sizeof(compat_openocd_opts) / sizeof(compat_openocd_opts[0]), NULL },
};

static const struct compat_tool *compat_find(int argc, char **argv, int *first)
{
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
	for (size_t i = 0; i < sizeof(compat_tools) / sizeof(compat_tools[0]); i++) {
		const char *nm = compat_tools[i].name;
		size_t len = strlen(base), n = nm ? strlen(nm) : 0;
		if (nm && (!strcmp(base, nm) ||
			   (len > n && base[len - n - 1] == '-' && !strcmp(base + len - n, nm)))) {
			*first = 1;
			return &compat_tools[i];
		}
		if (argc > 1 && !strcmp(argv[1], compat_tools[i].word)) {
			*first = 2;
			return &compat_tools[i];
		}
	}
	return NULL;
}

int compat_translate(int argc, char **argv, struct compat *c)
{
	const struct compat_tool *t;
	int first = 1, rc;

	memset(c, 0, sizeof(*c));
	c->argc = argc;
	c->argv = argv;
	if (!(t = compat_find(argc, argv, &first)))
		return 0;
	c->kind = t->kind;
	c->argc = 0;
	c->argv = NULL;
	rc = compat_push(c, argv[0], false);
	if (!rc && t->port) { /* the tool's default port; a later --port wins */
		rc = compat_push(c, "--port", false);
		rc = rc ? rc : compat_push(c, t->port, false);
	}
	if (!rc)
		rc = compat_args(c, t->opts, t->nopts, argc, argv, first);
	if (t->kind == COMPAT_STUTIL)
		monitor_set_reset_halts(true);
	return rc;
}

void compat_banner(const struct compat *c, FILE *f, unsigned port)
{
	if (c->kind == COMPAT_STUTIL)
		fprintf(f,
			"Listening at *:%u... (st-util compatible; swdd's own line above names the "
			"address)\n",
			port);
	else if (c->kind == COMPAT_PYOCD)
		fprintf(f, "GDB server listening on port %u (pyOCD compatible)\n", port);
	else if (c->kind == COMPAT_OPENOCD)
		fprintf(f, "Info : Listening on port %u for gdb connections (OpenOCD compatible)\n", port);
	fflush(f);
}

/* `monitor sleep MS` (OpenOCD) and `monitor delay MS` (what Eclipse CDT's
 * GDB Hardware Debugging sends for "Reset and Delay"): a wall-clock wait
 * for a real board to settle, bounded at a minute. */
static int compat_mon_sleep(struct gdb_server *s, int argc, char **argv)
{
	unsigned long long ms = 0;
	struct timespec ts;

	(void)s;
	if (argc != 2 || !monitor_parse_number(argv[1], 60000, &ms))
		return swdd_err_set(SWDD_EINVAL, "usage: monitor %s MS (0 to 60000)", argv[0]);
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
	return 0;
}

/* OpenOCD's gdb_sync makes its next stepi report a stop without stepping
 * (cortex-debug sends both after a reset). swdd's stop state never goes
 * out of step with GDB's, so there is nothing to do; the stepi that follows
 * steps one instruction from the reset vector. */
static int compat_mon_gdb_sync(struct gdb_server *s, int argc, char **argv)
{
	(void)s, (void)argc, (void)argv;
	return 0;
}

static const struct monitor_cmd compat_monitor[] = {
	{ "gdb_sync", compat_mon_gdb_sync, "gdb_sync", "accepted for OpenOCD users; nothing to do" },
	{ "sleep", compat_mon_sleep, "sleep MS", "wait MS milliseconds (OpenOCD spelling)", 1, 1 },
	{ "delay", compat_mon_sleep, "delay MS", "same as sleep (Eclipse CDT's Reset and Delay)", 1, 1 },
};

int compat_monitor_register(void)
{
	return monitor_register(compat_monitor, sizeof(compat_monitor) / sizeof(compat_monitor[0]));
}

void compat_free(struct compat *c)
{
	for (unsigned i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	if (c->kind != COMPAT_NONE)
		free(c->argv);
	memset(c, 0, sizeof(*c));
}
