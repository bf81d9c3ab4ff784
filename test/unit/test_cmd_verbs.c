/*
 * The CLI verbs of issue 14 ("CLI verbs"): their command lines (server/
 * cli.c), the Intel HEX writer of `swdd read` (server/cmd_target.c; record
 * format of the Intel "Hexadecimal Object File Format Specification" rev A:
 * type 00 data, 01 end of file, 04 extended linear address, two's
 * complement checksum) and the JSON writer (server/json_out.c, RFC 8259).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_target.h"
#include "harness.h"
#include "json_out.h"
#include "swdd_err.h"

#define MAXARGS 10

static int parse(struct cli_opts *o, const char *const *args)
{
	char *argv[MAXARGS + 1] = { 0 };
	int argc = 0;

	while (argc < MAXARGS && args[argc]) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	return cli_parse(argc, argv, o);
}

static int test_verbs(void)
{
	static const struct {
		const char *argv[MAXARGS];
		enum cli_command cmd;
	} rows[] = {
		{ { "swdd", "reset" }, CLI_RESET },
		{ { "swdd", "info", "--json" }, CLI_INFO },
		{ { "swdd", "chips" }, CLI_CHIPS },
		{ { "swdd", "probes", "--json" }, CLI_PROBES },
		{ { "swdd", "read", "d.bin", "--address", "0x08000000", "--size", "16" }, CLI_READ },
		{ { "swdd", "reset", "--help" }, CLI_HELP },
		{ { "swdd", "read", "--help" }, CLI_HELP },
	};
	struct cli_opts o;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CHECK_OK(parse(&o, rows[i].argv));
		CHECK_EQ(o.command, rows[i].cmd);
	}
	return 0;
}

/* --base-address is --address; --connect-under-reset is --connect
 * under-reset; --method picks one reset method. */
static int test_aliases(void)
{
	struct cli_opts o;
	const char *read[] = { "swdd",       "read",   "x.hex", "--base-address",
			       "0x20000000", "--size", "0x400", "--connect-under-reset",
			       NULL };
	const char *reset[] = { "swdd", "reset", "--halt", "--method", "core", NULL };

	CHECK_OK(parse(&o, read));
	CHECK(o.image_addr_set && o.image_addr == 0x20000000u);
	CHECK(o.read_size_set && o.read_size == 0x400u);
	CHECK_EQ(o.connect.mode, SWDD_CONNECT_UNDER_RESET);
	CHECK(!strcmp(o.image, "x.hex"));
	CHECK_OK(parse(&o, reset));
	CHECK(o.halt);
	CHECK_EQ(o.connect.reset, SWDD_RESET_CORE);
	return 0;
}

static int test_bad(void)
{
	static const struct {
		const char *argv[MAXARGS];
		const char *detail;
	} rows[] = {
		{ { "swdd", "reset", "--method", "auto" }, "--method does not take 'auto'" },
		{ { "swdd", "read", "--size", "0", "x.bin" }, "at least 1 byte" },
		{ { "swdd", "read" }, "usage: swdd read FILE" },
		{ { "swdd", "read", "a", "b" }, "one FILE" },
		{ { "swdd", "info", "extra" }, "unexpected argument 'info'" },
	};
	struct cli_opts o;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CHECK_EQ(parse(&o, rows[i].argv), SWDD_EINVAL);
		CHECK_STR_CONTAINS(swdd_err_detail(), rows[i].detail);
	}
	return 0;
}

/* --serial repeats (production flashing); the first is the default probe. */
static int test_serials(void)
{
	struct cli_opts o;
	const char *args[] = { "swdd",     "flash", "a.elf",        "--serial", "A1",
			       "--serial", "B2",    "--all-probes", NULL };

	CHECK_OK(parse(&o, args));
	CHECK_EQ(o.nserials, 2);
	CHECK(!strcmp(o.serials[1], "B2") && !strcmp(o.serial, "A1"));
	CHECK(o.all_probes);
	return 0;
}

static char *ihex(uint32_t addr, const uint8_t *d, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	int rc = cmd_write_ihex(f, addr, d, n);

	fclose(f);
	if (rc) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Expected records computed apart from the writer with the specification's
 * checksum rule: the sum of every byte of a record, checksum included, is
 * 0 mod 256. */
static int test_ihex(void)
{
	static const uint8_t uid[12] = { 0x2D, 0x00, 0x37, 0x00, 0x0A, 0x47,
					 0x36, 0x30, 0x33, 0x38, 0x31, 0x39 };
	uint8_t run[20];
	char *s = ihex(0x1FFF7A10u, uid, sizeof(uid));

	CHECK(s != NULL);
	CHECK(!strcmp(s, ":020000041FFFDC\n:0C7A10002D0037000A473630333831397A\n:00000001FF\n"));
	free(s);
	/* 20 bytes from 0x0800FFF8: 8 bytes, a new 04 record, then 12 */
	for (unsigned i = 0; i < sizeof(run); i++)
		run[i] = (uint8_t)i;
	s = ihex(0x0800FFF8u, run, sizeof(run));
	CHECK(s != NULL);
	CHECK(!strcmp(s, ":020000040800F2\n"
			 ":08FFF8000001020304050607E5\n"
			 ":020000040801F1\n"
			 ":0C00000008090A0B0C0D0E0F1011121352\n"
			 ":00000001FF\n"));
	free(s);
	return 0;
}

static int test_json(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_out j;

	CHECK(f != NULL);
	json_begin(&j, f);
	json_str(&j, "s", "a\"b\\c\n");
	json_int(&j, "n", -3);
	json_open(&j, "list", '[');
	json_int(&j, NULL, 1);
	json_open(&j, NULL, '{');
	json_bool(&j, "t", true);
	json_null(&j, "z");
	json_close(&j, '}');
	json_str(&j, NULL, NULL);
	json_close(&j, ']');
	json_end(&j);
	fclose(f);
	CHECK(!strcmp(buf, "{\"s\": \"a\\\"b\\\\c\\u000a\", \"n\": -3, \"list\": [1, {\"t\": true, "
			   "\"z\": null}, null]}\n"));
	free(buf);
	return 0;
}

static const struct test_case tests[] = {
	{ "verbs", "issue 14 CLI verbs", test_verbs },
	{ "aliases", "issue 14 (--base-address, --connect-under-reset, --method)", test_aliases },
	{ "bad", "issue 14 CLI verbs: bad arguments named", test_bad },
	{ "serials", "issue 14 production (--serial repeated, --all-probes)", test_serials },
	{ "ihex", "Intel HEX spec rev A (records 00, 01, 04)", test_ihex },
	{ "json", "RFC 8259 section 7 (escapes)", test_json },
};

TEST_MAIN("test_cmd_verbs", tests)
