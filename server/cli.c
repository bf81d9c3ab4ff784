/*
 * swdd command line: a table of {option, handler, help} fed by getopt_long.
 */
#include "cli.h"

#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "swdd_err.h"

struct cli_option {
	const char *name;
	const char *arg;  /* NULL: a flag */
	int (*fn)(struct cli_opts *o, const char *arg);
	const char *help;
};

static int cli_word(const char *opt, const char *arg, const char *const *words, size_t n, int *idx)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(arg, words[i]) == 0) {
			*idx = (int)i;
			return 0;
		}
	return swdd_err_set(SWDD_EINVAL, "--%s does not take '%s'", opt, arg);
}

static int cli_number(const char *opt, const char *arg, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 0);

	if (!*arg || *end || v > max)
		return swdd_err_set(SWDD_EINVAL, "--%s takes a number up to %lu, not '%s'", opt, max, arg);
	*out = (unsigned)v;
	return 0;
}

static int cli_probe(struct cli_opts *o, const char *arg)
{
	static const char *const w[] = { "auto", "stlink", "cmsis-dap", "sim" };
	int i = 0;
	int rc = cli_word("probe", arg, w, 4, &i);

	if (!rc)
		o->probe = w[i];
	return rc;
}

static int cli_serial(struct cli_opts *o, const char *arg)
{
	o->serial = arg;
	return 0;
}

static int cli_port(struct cli_opts *o, const char *arg)
{
	return cli_number("port", arg, 65535, &o->port);
}

static int cli_bind(struct cli_opts *o, const char *arg)
{
	o->bind = arg;
	return 0;
}

static int cli_speed(struct cli_opts *o, const char *arg)
{
	int rc = cli_number("speed", arg, 100000, &o->connect.speed_khz);

	if (!rc && o->connect.speed_khz == 0)
		rc = swdd_err_set(SWDD_EINVAL, "--speed must be at least 1 kHz");
	return rc;
}

static int cli_connect(struct cli_opts *o, const char *arg)
{
	static const char *const w[] = { [SWDD_CONNECT_NORMAL] = "normal",
					 [SWDD_CONNECT_UNDER_RESET] = "under-reset",
					 [SWDD_CONNECT_ATTACH] = "attach" };
	int i = 0;
	int rc = cli_word("connect", arg, w, 3, &i);

	if (!rc)
		o->connect.mode = (enum swdd_connect_mode)i;
	return rc;
}

static int cli_reset(struct cli_opts *o, const char *arg)
{
	static const char *const w[] = { [SWDD_RESET_AUTO] = "auto", [SWDD_RESET_HW] = "hw",
					 [SWDD_RESET_SYS] = "sys", [SWDD_RESET_CORE] = "core" };
	int i = 0;
	int rc = cli_word("reset", arg, w, 4, &i);

	if (!rc)
		o->connect.reset = (enum swdd_reset_method)i;
	return rc;
}

static int cli_verbose(struct cli_opts *o, const char *arg)
{
	(void)arg;
	o->verbose = true;
	return 0;
}

static int cli_sim_probe(struct cli_opts *o, const char *arg)
{
	if (sim_probe_kind_parse(arg, &o->sim_probe))
		return swdd_err_set(SWDD_EINVAL, "--sim-probe takes stlink-v2, stlink-v21, stlink-v3, "
				    "cmsis-dap-v1 or cmsis-dap-v2, not '%s'", arg);
	return 0;
}

static int cli_sim_chip(struct cli_opts *o, const char *arg)
{
	if (!sim_chip_known(arg))
		return swdd_err_set(SWDD_EINVAL, "--sim-chip: the lab has %s, not '%s'", SIM_CHIPS, arg);
	o->sim.chip = arg;
	return 0;
}

static int cli_sim_fault(struct cli_opts *o, const char *arg)
{
	char err[256];

	if (sim_config_parse_faults(&o->sim, arg, err, sizeof(err)))
		return swdd_err_set(SWDD_EINVAL, "--sim-fault: %s", err);
	return 0;
}

static int cli_sim_image(struct cli_opts *o, const char *arg)
{
	o->sim_image = arg;
	return 0;
}

static int cli_flash_algo(struct cli_opts *o, const char *arg)
{
	o->flash_algo = arg;
	return 0;
}

static int cli_address(struct cli_opts *o, const char *arg)
{
	char *end;
	unsigned long long v = strtoull(arg, &end, 0);

	if (!*arg || *end || v > 0xFFFFFFFFull)
		return swdd_err_set(SWDD_EINVAL, "--address takes a 32-bit address such as "
				    "0x08000000, not '%s'", arg);
	o->image_addr = (uint32_t)v;
	o->image_addr_set = true;
	return 0;
}

static int cli_format(struct cli_opts *o, const char *arg)
{
	static const char *const w[] = { [SWDD_IMAGE_AUTO] = "auto", [SWDD_IMAGE_ELF] = "elf",
					 [SWDD_IMAGE_HEX] = "hex", [SWDD_IMAGE_BIN] = "bin" };
	int i = 0;
	int rc = cli_word("format", arg, w, 4, &i);

	if (!rc)
		o->image_fmt = (enum swdd_image_format)i;
	return rc;
}

/* The flags of `swdd flash` / `swdd erase`: one handler sets the bool the
 * option names (the table row's name picks it). */
static int cli_flag(struct cli_opts *o, const char *name)
{
	static const struct {
		const char *name;
		size_t off;
		bool value;
	} flags[] = {
		{ "verify-only", offsetof(struct cli_opts, verify_only), true },
		{ "json", offsetof(struct cli_opts, json), true },
		{ "keep-unwritten", offsetof(struct cli_opts, erase_unwritten), false },
		{ "erase-unwritten", offsetof(struct cli_opts, erase_unwritten), true },
		{ "no-reset", offsetof(struct cli_opts, no_reset), true },
		{ "unlock", offsetof(struct cli_opts, unlock), true },
	};

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strcmp(flags[i].name, name) == 0)
			*(bool *)((char *)o + flags[i].off) = flags[i].value;
	return 0;
}

static int cli_help(struct cli_opts *o, const char *arg)
{
	(void)arg;
	o->command = CLI_HELP;
	return 0;
}

static int cli_version(struct cli_opts *o, const char *arg)
{
	(void)arg;
	o->command = CLI_VERSION;
	return 0;
}

static const struct cli_option cli_options[] = {
	{ "probe", "auto|stlink|cmsis-dap|sim", cli_probe, "probe driver (auto: the one probe present, else the lab)" },
	{ "serial", "S", cli_serial, "probe serial number when several are present" },
	{ "port", "N", cli_port, "TCP port for GDB (default 3333; 0 picks a free one)" },
	{ "bind", "ADDR", cli_bind, "address to listen on (default 127.0.0.1)" },
	{ "speed", "KHZ", cli_speed, "SWD clock (default 4000)" },
	{ "connect", "normal|under-reset|attach", cli_connect, "how to connect to the chip (default normal)" },
	{ "reset", "auto|hw|sys|core", cli_reset, "reset method (default auto: each verified, with fallback)" },
	{ "verbose", NULL, cli_verbose, "debug log (also -v)" },
	{ "sim-probe", "KIND", cli_sim_probe, "lab probe: stlink-v2|stlink-v21|stlink-v3|cmsis-dap-v1|cmsis-dap-v2" },
	{ "sim-chip", "CHIP", cli_sim_chip, "lab chip: stm32f407|stm32h743|stm32h725" },
	{ "sim-fault", "NAME[,NAME]", cli_sim_fault, "lab fault knobs (nrst-push-pull, swd-disabled-by-firmware, ...)" },
	{ "sim-image", "FILE", cli_sim_image, "ELF or raw .bin already in the lab chip's flash" },
	{ "flash-algo", "FILE", cli_flash_algo, "CMSIS-Pack .FLM flash algorithm (default: built in)" },
	{ "address", "ADDR", cli_address, "flash: load address of a raw binary (default: flash start)" },
	{ "format", "auto|elf|hex|bin", cli_format, "flash: file format (default: by content and name)" },
	{ "verify-only", NULL, NULL, "flash: only compare the chip's flash with the file" },
	{ "json", NULL, NULL, "flash: print a JSON summary on stdout" },
	{ "keep-unwritten", NULL, NULL, "flash: bytes of touched sectors outside the file keep their content (default)" },
	{ "erase-unwritten", NULL, NULL, "flash: ... end erased instead" },
	{ "no-reset", NULL, NULL, "flash: leave the chip halted (default: reset and run)" },
	{ "unlock", NULL, NULL, "erase: RDP level 1 -> 0 (mass-erases the flash)" },
	{ "help", NULL, cli_help, "this text (also -h)" },
	{ "version", NULL, cli_version, "print the version" },
};
#define CLI_NOPTS (sizeof(cli_options) / sizeof(cli_options[0]))

void cli_usage(FILE *f)
{
	fprintf(f, "usage: swdd [options]              GDB server (target extended-remote :PORT)\n"
		   "       swdd flash FILE [options]   erase, program, verify FILE (ELF, Intel HEX, binary),\n"
		   "                                   then reset and run the chip\n"
		   "       swdd erase [--unlock]       mass-erase the flash\n"
		   "       swdd probes                 list the probes on USB\n\noptions:\n");
	for (size_t i = 0; i < CLI_NOPTS; i++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", cli_options[i].name,
			 cli_options[i].arg ? " " : "", cli_options[i].arg ? cli_options[i].arg : "");
		fprintf(f, "  %-36s %s\n", left, cli_options[i].help);
	}
	fprintf(f, "\nexit status of flash and erase: 0 ok, 2 usage, 3 probe (none found, USB),\n"
		   "4 target (connect, reset), 5 flash (erase, program, protection, algorithm),\n"
		   "6 verify mismatch, 7 bad input file\n");
}

static int cli_index(const char *name)
{
	for (size_t i = 0; i < CLI_NOPTS; i++)
		if (strcmp(cli_options[i].name, name) == 0)
			return (int)i;
	return 0;
}

static void cli_defaults(struct cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->command = CLI_SERVE;
	o->probe = "auto";
	o->port = 3333;
	o->bind = "127.0.0.1";
	o->connect.mode = SWDD_CONNECT_NORMAL;
	o->connect.reset = SWDD_RESET_AUTO;
	o->connect.speed_khz = 4000;
	o->connect.ladder = true;
	o->sim_probe = SIM_PROBE_STLINK_V21;
	o->sim.chip = "stm32f407";
}

static int cli_positional(struct cli_opts *o, int argc, char **argv)
{
	if (optind == argc)
		return 0;
	if (optind == argc - 1 && strcmp(argv[optind], "probes") == 0) {
		o->command = CLI_PROBES;
		return 0;
	}
	if (optind == argc - 1 && strcmp(argv[optind], "erase") == 0) {
		o->command = CLI_ERASE;
		return 0;
	}
	if (strcmp(argv[optind], "flash") == 0) {
		if (optind != argc - 2)
			return swdd_err_set(SWDD_EINVAL, "usage: swdd flash FILE [options] (one FILE)");
		o->command = CLI_FLASH;
		o->image = argv[optind + 1];
		return 0;
	}
	return swdd_err_set(SWDD_EINVAL, "unexpected argument '%s' (see swdd --help)", argv[optind]);
}

int cli_parse(int argc, char **argv, struct cli_opts *o)
{
	struct option lo[CLI_NOPTS + 1];
	int c, idx;

	cli_defaults(o);
	memset(lo, 0, sizeof(lo));
	for (size_t i = 0; i < CLI_NOPTS; i++) {
		lo[i].name = cli_options[i].name;
		lo[i].has_arg = cli_options[i].arg ? required_argument : no_argument;
		lo[i].val = 0x100 + (int)i;
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "vh", lo, &idx)) != -1) {
		int rc;

		if (c == 'v')
			c = 0x100 + cli_index("verbose");
		else if (c == 'h')
			c = 0x100 + cli_index("help");
		else if (c < 0x100)
			return swdd_err_set(SWDD_EINVAL, "unknown or incomplete option '%s' (see swdd --help)",
					    argv[optind - 1]);
		const struct cli_option *opt = &cli_options[c - 0x100];
		rc = opt->fn ? opt->fn(o, optarg) : cli_flag(o, opt->name);
		if (rc)
			return rc;
	}
	return cli_positional(o, argc, argv);
}
