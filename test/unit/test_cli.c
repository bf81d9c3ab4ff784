/*
 * swdd command line (server/cli.c), table-driven: each row is an argv and
 * what it must give. Reference: issue 6 "CLI".
 */
#include "cli.h"
#include "fw_check.h"
#include "harness.h"
#include "monitor.h"
#include "swdd_err.h"

#define MAXARGS 8

static const struct {
	const char *argv[MAXARGS];
	int rc;
	const char *probe;
	unsigned port;
	const char *bind;
	enum swdd_connect_mode mode;
	enum swdd_reset_method reset;
	unsigned speed;
	enum sim_probe_kind sim_probe;
	enum cli_command command;
	const char *detail; /* for errors */
} rows[] = {
	{ { "swdd" },
	  0,
	  "auto",
	  3333,
	  "127.0.0.1",
	  SWDD_CONNECT_NORMAL,
	  SWDD_RESET_AUTO,
	  4000,
	  SIM_PROBE_STLINK_V21,
	  CLI_SERVE },
	{ { "swdd", "--probe", "sim", "--port", "4444", "--bind", "0.0.0.0" },
	  0,
	  "sim",
	  4444,
	  "0.0.0.0",
	  SWDD_CONNECT_NORMAL,
	  SWDD_RESET_AUTO,
	  4000,
	  SIM_PROBE_STLINK_V21,
	  CLI_SERVE },
	{ { "swdd", "--connect", "under-reset", "--reset", "sys", "--speed", "480" },
	  0,
	  "auto",
	  3333,
	  "127.0.0.1",
	  SWDD_CONNECT_UNDER_RESET,
	  SWDD_RESET_SYS,
	  480,
	  SIM_PROBE_STLINK_V21,
	  CLI_SERVE },
	{ { "swdd", "--connect=attach", "--reset=core", "--sim-probe", "cmsis-dap-v1" },
	  0,
	  "auto",
	  3333,
	  "127.0.0.1",
	  SWDD_CONNECT_ATTACH,
	  SWDD_RESET_CORE,
	  4000,
	  SIM_PROBE_CMSIS_DAP_V1,
	  CLI_SERVE },
	{ { "swdd", "probes" }, 0, "auto", 3333, "127.0.0.1", 0, 0, 4000, SIM_PROBE_STLINK_V21, CLI_PROBES },
	{ { "swdd", "-h" }, 0, "auto", 3333, "127.0.0.1", 0, 0, 4000, SIM_PROBE_STLINK_V21, CLI_HELP },
	{ { "swdd", "--probe", "jlink" }, SWDD_EINVAL, .detail = "--probe does not take 'jlink'" },
	{ { "swdd", "--port", "70000" }, SWDD_EINVAL, .detail = "--port takes a number" },
	{ { "swdd", "--speed", "0" }, SWDD_EINVAL, .detail = "at least 1 kHz" },
	{ { "swdd", "--connect", "hot" }, SWDD_EINVAL, .detail = "--connect does not take 'hot'" },
	{ { "swdd", "--sim-probe", "stlink-v9" }, SWDD_EINVAL, .detail = "--sim-probe takes" },
	{ { "swdd", "--probe", "sim", "--sim-chip", "stm32h743" },
	  0,
	  "sim",
	  3333,
	  "127.0.0.1",
	  SWDD_CONNECT_NORMAL,
	  SWDD_RESET_AUTO,
	  4000,
	  SIM_PROBE_STLINK_V21,
	  CLI_SERVE },
	{ { "swdd", "--sim-chip", "stm32f103" },
	  SWDD_EINVAL,
	  .detail = "the lab has stm32f407, stm32h743, stm32h725" },
	{ { "swdd", "--sim-fault", "gremlins" }, SWDD_EINVAL, .detail = "--sim-fault" },
	{ { "swdd", "--port" }, SWDD_EINVAL, .detail = "incomplete option" },
	{ { "swdd", "extra" }, SWDD_EINVAL, .detail = "unexpected argument 'extra'" },
	{ { "swdd", "erase", "--probe", "sim" },
	  0,
	  "sim",
	  3333,
	  "127.0.0.1",
	  0,
	  0,
	  4000,
	  SIM_PROBE_STLINK_V21,
	  CLI_ERASE },
	{ { "swdd", "flash" }, SWDD_EINVAL, .detail = "usage: swdd flash FILE" },
	{ { "swdd", "flash", "a.elf", "b.elf" }, SWDD_EINVAL, .detail = "one FILE" },
	{ { "swdd", "flash", "a.bin", "--format", "srec" },
	  SWDD_EINVAL,
	  .detail = "--format does not take 'srec'" },
	{ { "swdd", "flash", "a.bin", "--address", "0x100000000" },
	  SWDD_EINVAL,
	  .detail = "--address takes a 32-bit address" },
};

/* issue 7 CLI: `swdd flash FILE` and its options, in any order. */
static int test_flash_command(void)
{
	char *argv[] = { "swdd",       "--json",    "flash",      "--format",      "bin",
			 "fw.bin",     "--address", "0x08020000", "--verify-only", "--erase-unwritten",
			 "--no-reset", NULL };
	struct cli_opts o;

	CHECK_OK(cli_parse(11, argv, &o));
	CHECK_EQ(o.command, CLI_FLASH);
	CHECK(strcmp(o.image, "fw.bin") == 0);
	CHECK_EQ(o.image_fmt, SWDD_IMAGE_BIN);
	CHECK(o.image_addr_set);
	CHECK_EQ(o.image_addr, 0x08020000u);
	CHECK(o.json && o.verify_only && o.erase_unwritten && o.no_reset && !o.unlock);
	char *argv2[] = { "swdd", "flash", "fw.elf", "--erase-unwritten", "--keep-unwritten", NULL };
	CHECK_OK(cli_parse(5, argv2, &o));
	CHECK(!o.erase_unwritten && !o.image_addr_set && !o.json);
	CHECK_EQ(o.image_fmt, SWDD_IMAGE_AUTO);
	return 0;
}

static int test_rows(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *argv[MAXARGS + 1] = { 0 };
		struct cli_opts o;
		int argc = 0, rc;

		while (argc < MAXARGS && rows[i].argv[argc]) {
			argv[argc] = (char *)rows[i].argv[argc];
			argc++;
		}
		rc = cli_parse(argc, argv, &o);
		if (rc != rows[i].rc)
			return test_fail_at(__FILE__, __LINE__, "row %zu: rc %d (%s)", i, rc,
					    swdd_err_detail());
		if (rc) {
			CHECK_STR_CONTAINS(swdd_err_detail(), rows[i].detail);
			continue;
		}
		CHECK(strcmp(o.probe, rows[i].probe) == 0);
		CHECK_EQ(o.port, rows[i].port);
		CHECK(strcmp(o.bind, rows[i].bind) == 0);
		CHECK_EQ(o.connect.mode, rows[i].mode);
		CHECK_EQ(o.connect.reset, rows[i].reset);
		CHECK_EQ(o.connect.speed_khz, rows[i].speed);
		CHECK(o.connect.ladder);
		CHECK_EQ(o.sim_probe, rows[i].sim_probe);
		CHECK_EQ(o.command, rows[i].command);
	}
	return 0;
}

/* Knobs accumulate into the lab's configuration. */
static int test_sim_faults(void)
{
	char *argv[] = { "swdd",
			 "--sim-fault",
			 "nrst-push-pull,unpowered",
			 "--sim-fault",
			 "signal-integrity:1000",
			 "--sim-image",
			 "fw.elf",
			 NULL };
	struct cli_opts o;

	CHECK_OK(cli_parse(7, argv, &o));
	CHECK_EQ(o.sim.faults & (SIM_FAULT_NRST_PUSH_PULL | SIM_FAULT_UNPOWERED | SIM_FAULT_SIGNAL_INTEGRITY),
		 SIM_FAULT_NRST_PUSH_PULL | SIM_FAULT_UNPOWERED | SIM_FAULT_SIGNAL_INTEGRITY);
	CHECK_EQ(o.sim.si_max_khz, 1000);
	CHECK(strcmp(o.sim_image, "fw.elf") == 0);
	return 0;
}

/* issue 10 point 3: only a lost debug port on a chip that needed connect
 * under reset is "the firmware disabled SWD again"; any other failure of
 * the run step keeps exit status 4. */
static int test_run_step_outcome(void)
{
	static const struct {
		int rc;
		enum swdd_connect_mode mode;
		bool lost_to_firmware;
	} rows[] = {
		{ SWDD_ENOTARGET, SWDD_CONNECT_UNDER_RESET, true },
		{ SWDD_EPROTO, SWDD_CONNECT_UNDER_RESET, true },
		{ SWDD_EPROBE, SWDD_CONNECT_UNDER_RESET, true },
		{ SWDD_EWAIT, SWDD_CONNECT_UNDER_RESET, true },
		{ SWDD_ENOTARGET, SWDD_CONNECT_NORMAL, false }, /* no sign of such firmware */
		{ SWDD_EPROTO, SWDD_CONNECT_ATTACH, false },
		{ SWDD_ERESET, SWDD_CONNECT_UNDER_RESET, false }, /* the reset itself failed */
		{ SWDD_ENOTHALTED, SWDD_CONNECT_UNDER_RESET, false },
		{ SWDD_EIO, SWDD_CONNECT_UNDER_RESET, false }, /* USB, not the target */
		{ SWDD_EUNPOWERED, SWDD_CONNECT_UNDER_RESET, false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (fw_swd_lost_after_run(rows[i].rc, rows[i].mode) != rows[i].lost_to_firmware)
			return test_fail_at(__FILE__, __LINE__, "row %zu: %s, mode %d", i,
					    swdd_strerror(rows[i].rc), (int)rows[i].mode);
	return 0;
}

/* issue 10 point 4: `swdd CMD --help` is help (exit 0), with or without
 * FILE, and names its command; --force is a flash flag. */
static int test_help_topics(void)
{
	static const struct {
		const char *argv[4];
		const char *topic;
	} rows[] = {
		{ { "swdd", "flash", "--help" }, "flash" },
		{ { "swdd", "flash", "app.elf", "-h" }, "flash" },
		{ { "swdd", "--help", "erase" }, "erase" },
		{ { "swdd", "probes", "--help" }, "probes" },
		{ { "swdd", "--help" }, NULL },
	};
	struct cli_opts o;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *argv[5] = { 0 };
		int argc = 0;

		while (argc < 4 && rows[i].argv[argc]) {
			argv[argc] = (char *)rows[i].argv[argc]; /* getopt permutes argv */
			argc++;
		}
		CHECK_OK(cli_parse(argc, argv, &o));
		CHECK_EQ(o.command, CLI_HELP);
		CHECK(rows[i].topic ? o.help_topic && !strcmp(o.help_topic, rows[i].topic) : !o.help_topic);
	}
	char *argv[] = { "swdd", "flash", "x.bin", "--force", NULL };
	CHECK_OK(cli_parse(4, argv, &o));
	CHECK(o.force && o.command == CLI_FLASH);
	return 0;
}

/* --vdd-mv: the supply for the flash parallelism, 1700-3600 mV. */
static int test_vdd_mv(void)
{
	char *ok[] = { "swdd", "--vdd-mv", "1800", NULL };
	char *low[] = { "swdd", "--vdd-mv", "900", NULL }, *junk[] = { "swdd", "--vdd-mv", "3v3", NULL };
	struct cli_opts o;

	CHECK_OK(cli_parse(3, ok, &o));
	CHECK_EQ(o.connect.vdd_mv, 1800);
	CHECK_EQ(cli_parse(3, low, &o), SWDD_EINVAL);
	CHECK_EQ(cli_parse(3, junk, &o), SWDD_EINVAL);
	return 0;
}

/* A --bind other than loopback is warned about, naming what a client can
 * do; loopback is not. */
static int test_bind_warning(void)
{
	static const struct {
		const char *bind, *allow, *algo, *want;
	} rows[] = {
		{ "127.0.0.1", NULL, NULL, NULL },
		{ "127.0.0.2", "/srv/fw", NULL, NULL },
		{ "0.0.0.0", NULL, NULL, "erase and program the flash, read and write memory" },
		{ "192.168.1.5", "/srv/fw", NULL, "make swdd read host files: any under /srv/fw (" },
		{ "10.0.0.1", NULL, "/a.flm", "make swdd read host files: the --flash-algo file" },
		{ "10.0.0.1", "/d", "/a.flm", "any under /d and the --flash-algo file" },
	};
	char buf[512];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct cli_opts o = { .bind = rows[i].bind,
				      .allow_files = rows[i].allow,
				      .flash_algo = rows[i].algo };
		bool warned = cli_bind_warning(&o, 3333, buf, sizeof(buf));
		CHECK_EQ(warned, rows[i].want != NULL);
		if (warned) {
			CHECK_STR_CONTAINS(buf, rows[i].want);
			CHECK_STR_CONTAINS(buf, "without authentication");
		}
	}
	return 0;
}

/* The one strict number parser (server/monitor.c), used by the monitor
 * commands and the options: never a value cut to a narrower type, never
 * a saturated overflow or a skipped blank and sign. */
static int test_strict_numbers(void)
{
	static const struct {
		const char *arg;
		unsigned long long max, want;
		bool ok;
	} rows[] = {
		{ "4294967296", 0xFFFF, 0, false }, /* erase_sector: was sector 0 */
		{ "4294967297", 0xFFFFFFFFull, 0, false },
		{ "18446744073709551616", ~0ull, 0, false }, /* strtoull saturates: ERANGE */
		{ " -1", ~0ull, 0, false },                  /* strtoull: ULLONG_MAX */
		{ "-1", ~0ull, 0, false },
		{ "+5", 10, 0, false },
		{ " 5", 10, 0, false },
		{ "5 ", 10, 0, false },
		{ "", 10, 0, false },
		{ "0x", 10, 0, false },
		{ "0x10", 16, 16, true },
		{ "18446744073709551615", ~0ull, ~0ull, true },
		{ "7", 7, 7, true },
		{ "8", 7, 0, false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unsigned long long v = 12345;
		bool ok = monitor_parse_number(rows[i].arg, rows[i].max, &v);
		if (ok != rows[i].ok || (ok && v != rows[i].want))
			return test_fail_at(__FILE__, __LINE__, "'%s' (max 0x%llx): %s 0x%llx", rows[i].arg,
					    rows[i].max, ok ? "accepted as" : "refused", v);
	}
	return 0;
}

static const struct test_case tests[] = {
	{ "vdd_mv", "RM0090 3.6 table 7 (parallelism by supply)", test_vdd_mv },
	{ "rows", "issue 6 CLI", test_rows },
	{ "sim_faults", "issue 6 CLI (--sim-fault); sim.h sim_config_parse_faults", test_sim_faults },
	{ "flash_command", "issue 7 CLI (swdd flash FILE options)", test_flash_command },
	{ "help_topics", "issue 10 point 4 (every subcommand's --help)", test_help_topics },
	{ "strict_numbers", "issue 15 (sector 4294967296 erased sector 0); C11 7.22.1.4",
	  test_strict_numbers },
	{ "bind_warning", "issue 15 (non-loopback --bind)", test_bind_warning },
	{ "run_step_outcome", "issue 10 point 3 (success after a reset that loses SWD)",
	  test_run_step_outcome },
};

TEST_MAIN("test_cli", tests)
