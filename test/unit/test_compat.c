/*
 * server/compat.c: st-util and pyOCD command lines as IDE launchers pass
 * them (cortex-debug's stutil and pyocd server controllers), translated
 * into swdd's options and parsed by cli.c. Table-driven.
 */
#include <string.h>

#include "cli.h"
#include "compat.h"
#include "harness.h"
#include "swdd_err.h"

#define MAXARGS 16

static const struct {
	const char *argv[MAXARGS];
	enum compat_kind kind;
	unsigned port;
	const char *serial;
	enum swdd_connect_mode mode;
	unsigned speed;
	const char *probe;
} rows[] = {
	/* cortex-debug stutil: serverpath swdd-st-util, serverArgs appended */
	{ { "/usr/local/bin/swdd-st-util", "-p", "50000", "--no-reset", "--probe", "sim" },
	  COMPAT_STUTIL,
	  50000,
	  NULL,
	  SWDD_CONNECT_NORMAL,
	  4000,
	  "sim" },
	{ { "st-util", "--serial", "ABC", "-p4243", "--multi", "-F", "1.8M" },
	  COMPAT_STUTIL,
	  4243,
	  "ABC",
	  SWDD_CONNECT_NORMAL,
	  1800,
	  "auto" },
	{ { "swdd", "st-util", "--listen_port=4244", "--hot-plug" },
	  COMPAT_STUTIL,
	  4244,
	  NULL,
	  SWDD_CONNECT_ATTACH,
	  4000,
	  "auto" },
	{ { "st-util", "-u", "--freq=480k" },
	  COMPAT_STUTIL,
	  4242,
	  NULL,
	  SWDD_CONNECT_UNDER_RESET,
	  480,
	  "auto" },
	/* cortex-debug pyocd: serverpath swdd */
	{ { "swdd", "gdbserver", "--port", "50001", "--telnet-port", "50002", "--board", "0669FF", "--target",
	    "stm32f407vg", "-O", "enable_swv=1", "--probe", "sim" },
	  COMPAT_PYOCD,
	  50001,
	  "0669FF",
	  SWDD_CONNECT_NORMAL,
	  4000,
	  "sim" },
	{ { "swdd", "gdbserver", "-p", "3334", "-f", "1M", "--connect", "under-reset", "--persist" },
	  COMPAT_PYOCD,
	  3334,
	  NULL,
	  SWDD_CONNECT_UNDER_RESET,
	  1000,
	  "auto" },
	/* cortex-debug openocd: serverpath swdd-openocd (openocd.ts serverArguments) */
	{ { "/usr/bin/swdd-openocd", "-f", "/ext/support/openocd-helpers.tcl", "-c", "gdb_port 50003", "-c",
	    "tcl_port 50004", "-c", "telnet_port 50005", "-s", "/proj", "-f", "interface/stlink.cfg", "-f",
	    "target/stm32f4x.cfg" },
	  COMPAT_OPENOCD,
	  50003,
	  NULL,
	  SWDD_CONNECT_NORMAL,
	  4000,
	  "stlink" },
	{ { "swdd", "openocd", "-f", "interface/cmsis-dap.cfg", "-c",
	    "adapter speed 1800; adapter serial X9; gdb_port 3336", "-d3" },
	  COMPAT_OPENOCD,
	  3336,
	  "X9",
	  SWDD_CONNECT_NORMAL,
	  1800,
	  "cmsis-dap" },
	/* swdd's own line is left alone */
	{ { "swdd", "--port", "3335" }, COMPAT_NONE, 3335, NULL, SWDD_CONNECT_NORMAL, 4000, "auto" },
};

static int run_row(size_t i)
{
	char *argv[MAXARGS + 1] = { 0 };
	int argc = 0;
	struct compat c;
	struct cli_opts o;

	while (argc < MAXARGS && rows[i].argv[argc]) {
		argv[argc] = (char *)rows[i].argv[argc];
		argc++;
	}
	CHECK_OK(compat_translate(argc, argv, &c));
	CHECK_EQ(c.kind, rows[i].kind);
	CHECK_OK(cli_parse(c.argc, c.argv, &o));
	CHECK_EQ(o.command, CLI_SERVE);
	CHECK_EQ(o.port, rows[i].port);
	CHECK(rows[i].serial ? o.serial && !strcmp(o.serial, rows[i].serial) : !o.serial);
	CHECK_EQ(o.connect.mode, rows[i].mode);
	CHECK_EQ(o.connect.speed_khz, rows[i].speed);
	CHECK(!strcmp(o.probe, rows[i].probe));
	compat_free(&c);
	return 0;
}

static int test_rows(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = run_row(i);
		if (rc)
			return test_fail_at(__FILE__, __LINE__, "row %zu: %s", i, test_fail_msg);
	}
	return 0;
}

/* What swdd cannot honour is refused with the reason. */
static int test_refused(void)
{
	static const struct {
		const char *argv[4];
		const char *detail;
	} bad[] = {
		{ { "st-util", "--stlinkv1" }, "ST-LINK/V1" },
		{ { "st-util", "-F", "fast" }, "kHz" },
		{ { "swdd", "gdbserver", "--frequency", "12" }, "Hz" },
		{ { "swdd", "gdbserver", "--connect", "sideways" }, "halt, under-reset and attach" },
		{ { "swdd", "gdbserver", "--port" }, "needs a value" },
		{ { "openocd", "-c", "program app.elf verify reset exit" }, "swdd flash FILE" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[5] = { 0 };
		int argc = 0;
		struct compat c;

		while (argc < 4 && bad[i].argv[argc]) {
			argv[argc] = (char *)bad[i].argv[argc];
			argc++;
		}
		CHECK_EQ(compat_translate(argc, argv, &c), SWDD_EINVAL);
		CHECK_STR_CONTAINS(swdd_err_detail(), bad[i].detail);
		compat_free(&c);
	}
	return 0;
}

/* The banners match cortex-debug's initMatch expressions
 * (stutil /Listening at \*\/, pyocd /GDB server (listening|started) (at|on) port/,
 * openocd /Info\s:[^\n]*Listening on port \d+ for gdb connection/i). */
static int test_banner(void)
{
	char buf[256];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct compat c = { .kind = COMPAT_STUTIL };

	CHECK(f != NULL);
	compat_banner(&c, f, 4242);
	c.kind = COMPAT_PYOCD;
	compat_banner(&c, f, 3333);
	c.kind = COMPAT_OPENOCD;
	compat_banner(&c, f, 3334);
	c.kind = COMPAT_NONE;
	compat_banner(&c, f, 1);
	fputc('\0', f);
	fclose(f);
	CHECK(!strncmp(buf, "Listening at *:4242...", 22));
	CHECK_STR_CONTAINS(buf, "\nGDB server listening on port 3333");
	CHECK_STR_CONTAINS(buf, "\nInfo : Listening on port 3334 for gdb connections");
	CHECK(!strstr(buf, ":1"));
	return 0;
}

static const struct test_case tests[] = {
	{ "rows", "issue 14 IDE launch (cortex-debug stutil.ts/pyocd.ts arguments)", test_rows },
	{ "refused", "issue 14 IDE launch: named refusals", test_refused },
	{ "banner", "issue 14 IDE launch: banner regexes", test_banner },
};

TEST_MAIN("test_compat", tests)
