/*
 * swdd command line: a table of {option, handler, help} fed by getopt_long.
 */
#include "cli.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "swdd_err.h"

/* Which commands an option applies to (for the help of each). */
enum cli_scope {
	CLI_FOR_SERVE = 1u << 0,
	CLI_FOR_FLASH = 1u << 1,
	CLI_FOR_ERASE = 1u << 2,
	CLI_FOR_RESET = 1u << 4,
	CLI_FOR_READ = 1u << 5,
	CLI_FOR_INFO = 1u << 6,
	CLI_FOR_OPTION = 1u << 7,
	CLI_FOR_CHIP = CLI_FOR_SERVE | CLI_FOR_FLASH | CLI_FOR_ERASE | CLI_FOR_RESET | CLI_FOR_READ |
		       CLI_FOR_INFO | CLI_FOR_OPTION,
	CLI_FOR_TOOLS = CLI_FOR_RESET | CLI_FOR_READ | CLI_FOR_INFO | 1u << 3, /* + chips, probes */
	CLI_FOR_ANY = CLI_FOR_CHIP | CLI_FOR_TOOLS,
};

struct cli_option {
	const char *name;
	const char *arg; /* NULL: a flag */
	int (*fn)(struct cli_opts *o, const char *arg);
	const char *help;
	unsigned scope; /* enum cli_scope bits; 0: every command */
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

static int cli_number(const char *opt, const char *arg, unsigned max, unsigned *out)
{
	unsigned long long v;

	if (!monitor_parse_number(arg, max, &v))
		return swdd_err_set(SWDD_EINVAL, "--%s takes a number up to %u, not '%s'", opt, max, arg);
	*out = (unsigned)v;
	return 0;
}

/* --probe sim and the --sim-* options need the lab's code, which swdd
 * loads only for them (server/lab_dl.c): when it cannot be loaded, that is
 * the one reason given, before any word of the option is judged. */
static int cli_lab(void)
{
	char err[600];

	if (sim_lab_check(err, sizeof(err)))
		return swdd_err_set(SWDD_ENODEV, "%s", err);
	return 0;
}

static int cli_probe(struct cli_opts *o, const char *arg)
{
	static const char *const w[] = { "auto", "stlink", "cmsis-dap", "sim" };
	int i = 0;
	int rc = cli_word("probe", arg, w, 4, &i);

	if (!rc && i == 3)
		rc = cli_lab();
	if (!rc)
		o->probe = w[i];
	return rc;
}

/* Repeatable: `swdd flash` programs each named probe's board. */
static int cli_serial(struct cli_opts *o, const char *arg)
{
	if (o->nserials == CLI_MAX_SERIALS)
		return swdd_err_set(SWDD_EINVAL, "at most %d --serial options", CLI_MAX_SERIALS);
	o->serials[o->nserials++] = arg;
	if (!o->serial)
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

static int cli_allow_files(struct cli_opts *o, const char *arg)
{
	o->allow_files = arg;
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
	o->connect_set = !rc;
	return rc;
}

static int cli_reset(struct cli_opts *o, const char *arg)
{
	static const char *const w[] = { [SWDD_RESET_AUTO] = "auto",
					 [SWDD_RESET_HW] = "hw",
					 [SWDD_RESET_SYS] = "sys",
					 [SWDD_RESET_CORE] = "core" };
	int i = 0;
	int rc = cli_word("reset", arg, w, 4, &i);

	if (!rc)
		o->connect.reset = (enum swdd_reset_method)i;
	return rc;
}

static int cli_method(struct cli_opts *o, const char *arg)
{
	static const char *const w[] = { "hw", "sys", "core" };
	int i = 0;
	int rc = cli_word("method", arg, w, 3, &i);

	if (!rc)
		o->connect.reset = (enum swdd_reset_method)(SWDD_RESET_HW + i);
	return rc;
}

static int cli_connect_under_reset(struct cli_opts *o, const char *arg)
{
	(void)arg;
	o->connect.mode = SWDD_CONNECT_UNDER_RESET;
	o->connect_set = true;
	return 0;
}

static int cli_size(struct cli_opts *o, const char *arg)
{
	int rc = cli_number("size", arg, 0xFFFFFFFFu, &o->read_size);

	if (!rc && o->read_size == 0)
		rc = swdd_err_set(SWDD_EINVAL, "--size must be at least 1 byte");
	o->read_size_set = !rc;
	return rc;
}

static int cli_vdd_mv(struct cli_opts *o, const char *arg)
{
	unsigned mv = 0;
	int rc = cli_number("vdd-mv", arg, 3600, &mv);

	if (!rc && mv < 1700)
		rc = swdd_err_set(SWDD_EINVAL, "--vdd-mv takes the target supply in mV, 1700-3600");
	o->connect.vdd_mv = (int)mv;
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
	int rc = cli_lab();

	if (rc)
		return rc;
	if (sim_probe_kind_parse(arg, &o->sim_probe))
		return swdd_err_set(SWDD_EINVAL,
				    "--sim-probe takes stlink-v2, stlink-v21, stlink-v3, "
				    "cmsis-dap-v1 or cmsis-dap-v2, not '%s'",
				    arg);
	return 0;
}

static int cli_sim_chip(struct cli_opts *o, const char *arg)
{
	int rc = cli_lab();

	if (rc)
		return rc;
	if (!sim_chip_known(arg))
		return swdd_err_set(SWDD_EINVAL, "--sim-chip: the lab has %s, not '%s'", SIM_CHIPS, arg);
	o->sim.chip = arg;
	return 0;
}

static int cli_sim_fault(struct cli_opts *o, const char *arg)
{
	char err[256];
	int rc = cli_lab();

	if (rc)
		return rc;
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
	unsigned long long v;

	if (!monitor_parse_number(arg, 0xFFFFFFFFull, &v))
		return swdd_err_set(SWDD_EINVAL,
				    "--address takes a 32-bit address such as "
				    "0x08000000, not '%s'",
				    arg);
	o->image_addr = (uint32_t)v;
	o->image_addr_set = true;
	return 0;
}

static int cli_format(struct cli_opts *o, const char *arg)
{
	static const char *const w[] = { [SWDD_IMAGE_AUTO] = "auto",
					 [SWDD_IMAGE_ELF] = "elf",
					 [SWDD_IMAGE_HEX] = "hex",
					 [SWDD_IMAGE_BIN] = "bin" };
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
		{ "force", offsetof(struct cli_opts, force), true },
		{ "halt", offsetof(struct cli_opts, halt), true },
		{ "all-probes", offsetof(struct cli_opts, all_probes), true },
		{ "yes", offsetof(struct cli_opts, yes), true },
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

#define S CLI_FOR_SERVE
#define F CLI_FOR_FLASH
#define E CLI_FOR_ERASE
#define R CLI_FOR_READ
static const struct cli_option cli_options[] = {
	{ "probe", "auto|stlink|cmsis-dap|sim", cli_probe,
	  "probe driver (auto: the one USB probe present; sim: the simulated lab, only when asked)",
	  CLI_FOR_CHIP },
	{ "serial", "S", cli_serial, "probe serial number when several are present (flash: repeatable)",
	  CLI_FOR_CHIP },
	{ "port", "N", cli_port, "TCP port for GDB (default 3333; 0 picks a free one)", S },
	{ "bind", "ADDR", cli_bind,
	  "address to listen on (default 127.0.0.1; any other: a warning, clients are not authenticated)",
	  S },
	{ "allow-files", "DIR", cli_allow_files,
	  "GDB clients may name host files under DIR (monitor program, monitor flash algo); default: only "
	  "--flash-algo's file",
	  S },
	{ "speed", "KHZ", cli_speed, "SWD clock (default 4000)", CLI_FOR_CHIP },
	{ "connect", "normal|under-reset|attach", cli_connect, "how to connect to the chip (default normal)",
	  CLI_FOR_CHIP },
	{ "connect-under-reset", NULL, cli_connect_under_reset, "same as --connect under-reset",
	  CLI_FOR_CHIP },
	{ "reset", "auto|hw|sys|core", cli_reset, "reset method (default auto: each verified, with fallback)",
	  CLI_FOR_CHIP },
	{ "vdd-mv", "MV", cli_vdd_mv,
	  "target supply when the probe cannot measure it (CMSIS-DAP); sets the flash parallelism (default "
	  "3300)",
	  CLI_FOR_CHIP },
	{ "verbose", NULL, cli_verbose, "debug log (also -v)", CLI_FOR_ANY },
	{ "sim-probe", "KIND", cli_sim_probe,
	  "lab probe: stlink-v2|stlink-v21|stlink-v3|cmsis-dap-v1|cmsis-dap-v2", CLI_FOR_CHIP },
	{ "sim-chip", "CHIP", cli_sim_chip, "lab chip: stm32f407|stm32h743|stm32h725", CLI_FOR_CHIP },
	{ "sim-fault", "NAME[,NAME]", cli_sim_fault,
	  "lab fault knobs (nrst-push-pull, swd-disabled-by-firmware, ...)", CLI_FOR_CHIP },
	{ "sim-image", "FILE", cli_sim_image, "ELF, HEX or .bin already in the lab chip's flash",
	  CLI_FOR_CHIP },
	{ "flash-algo", "FILE", cli_flash_algo, "CMSIS-Pack .FLM flash algorithm (default: built in)",
	  CLI_FOR_CHIP },
	{ "address", "ADDR", cli_address,
	  "flash: load address of a raw binary (default: flash start; not for ELF/HEX); read: first address",
	  F | R },
	{ "base-address", "ADDR", cli_address, "same as --address", F | R },
	{ "size", "N", cli_size, "read: number of bytes", R },
	{ "format", "auto|elf|hex|bin", cli_format,
	  "flash: file format (default: ELF/HEX by content, raw binary by a .bin name); read: hex or bin",
	  F | R },
	{ "force", NULL, NULL, "flash: write a raw binary whose vector table looks wrong", F },
	{ "verify-only", NULL, NULL, "flash: only compare the chip's flash with the file", F },
	{ "json", NULL, NULL, "flash, erase, reset, read, info, chips, probes, option: JSON on stdout",
	  F | E | CLI_FOR_TOOLS | CLI_FOR_OPTION },
	{ "all-probes", NULL, NULL, "flash: program every attached probe's board in parallel", F },
	{ "keep-unwritten", NULL, NULL,
	  "flash: bytes of touched sectors outside the file keep their content (default)", F },
	{ "erase-unwritten", NULL, NULL, "flash: ... end erased instead", F },
	{ "no-reset", NULL, NULL,
	  "flash: leave the chip halted (default: reset and run); option set: no reset after a change "
	  "that a reset applies",
	  F | CLI_FOR_OPTION },
	{ "yes", NULL, NULL,
	  "option set: do a change that can lock you out (RDP, protection, boot address, watchdog)",
	  CLI_FOR_OPTION },
	{ "unlock", NULL, NULL, "erase: RDP level 1 -> 0 (mass-erases the flash)", E },
	{ "halt", NULL, NULL, "reset: leave the core halted at the reset vector", CLI_FOR_RESET },
	{ "method", "hw|sys|core", cli_method,
	  "reset: start with this method; later ones if it fails, logged (default: --reset)", CLI_FOR_RESET },
	{ "help", NULL, cli_help, "this text (also -h; after a command: that command's help)", CLI_FOR_ANY },
	{ "version", NULL, cli_version, "print the version", CLI_FOR_ANY },
};
#undef S
#undef F
#undef E
#undef R
#define CLI_NOPTS (sizeof(cli_options) / sizeof(cli_options[0]))

static void cli_print_options(FILE *f, unsigned scope)
{
	for (size_t i = 0; i < CLI_NOPTS; i++) {
		char left[64];

		if (!((cli_options[i].scope ? cli_options[i].scope : CLI_FOR_ANY) & scope))
			continue;
		snprintf(left, sizeof(left), "--%s%s%s", cli_options[i].name, cli_options[i].arg ? " " : "",
			 cli_options[i].arg ? cli_options[i].arg : "");
		fprintf(f, "  %-36s %s\n", left, cli_options[i].help);
	}
}

static const char cli_exit_text[] =
	"exit status of flash and erase: 0 ok, 2 usage, 3 probe (none found, USB),\n"
	"4 target (connect, reset), 5 flash (erase, program, protection, algorithm),\n"
	"6 verify mismatch, 7 bad input file\n";

void cli_usage(FILE *f)
{
	fprintf(f,
		"usage: swdd [options]              GDB server (target extended-remote :PORT)\n"
		"       swdd flash FILE [options]   erase, program, verify FILE (ELF, Intel HEX, binary),\n"
		"                                   then reset and run the chip\n"
		"       swdd erase [--unlock]       mass-erase the flash\n"
		"       swdd probes [--json]        list the probes on USB\n"
		"       swdd reset [--halt] [--method hw|sys|core]\n"
		"       swdd read FILE --address A --size N   dump memory (.hex: Intel HEX, else binary)\n"
		"       swdd info                   probe, voltage, DPIDR, chip, flash, RDP, unique ID\n"
		"       swdd chips                  every supported chip and its flash layout\n"
		"       swdd option [--json]        decode the option bytes (hot plug: no halt, no reset)\n"
		"       swdd option set FIELD=VALUE... [--yes] [--no-reset]\n"
		"       swdd COMMAND --help         the help of one command\n\noptions:\n");
	cli_print_options(f, CLI_FOR_ANY);
	fprintf(f, "\n%s", cli_exit_text);
}

static const struct {
	const char *name;
	const char *text;
	unsigned scope;
} cli_topics[] = {
	{ "flash",
	  "usage: swdd flash FILE [options]\n"
	  "Erases the sectors that differ, programs and verifies FILE, then resets the chip\n"
	  "and lets it run. FILE is ELF or Intel HEX (by content), or a raw binary (a .bin\n"
	  "name or --format bin) placed at --address (default: the start of flash), where\n"
	  "it must begin with a vector table (--force skips that check).\n",
	  CLI_FOR_FLASH },
	{ "erase",
	  "usage: swdd erase [--unlock] [options]\n"
	  "Mass-erases the flash and checks it blank; --unlock first sets RDP level 0\n"
	  "from level 1, which the chip pairs with a mass erase.\n",
	  CLI_FOR_ERASE },
	{ "probes",
	  "usage: swdd probes [--json]\n"
	  "Lists the ST-LINK and CMSIS-DAP probes on USB: kind, serial, firmware and\n"
	  "target voltage. The simulated lab is not listed (it is --probe sim).\n",
	  1u << 3 },
	{ "chips",
	  "usage: swdd chips [--json]\n"
	  "Lists every supported chip and its flash layout.\n",
	  1u << 3 },
	{ "reset",
	  "usage: swdd reset [--halt] [--method hw|sys|core] [options]\n"
	  "Resets the chip (verified; later methods follow if one fails) and lets it run,\n"
	  "or with --halt leaves the core halted at the reset vector.\n",
	  CLI_FOR_RESET },
	{ "read",
	  "usage: swdd read FILE --address A --size N [options]\n"
	  "Reads N bytes of target memory from A into FILE: Intel HEX for a .hex name\n"
	  "(or --format hex), else raw binary.\n",
	  CLI_FOR_READ },
	{ "option",
	  "usage: swdd option [--json] [options]\n"
	  "       swdd option set FIELD=VALUE... [--yes] [--no-reset] [options]\n"
	  "Decodes the option bytes (RDP, BOR, watchdog, write protection, boot addresses,\n"
	  "PCROP/secure areas, bank swap); reading connects in attach mode (no halt, no\n"
	  "reset) unless --connect is given. `set` changes fields by name: one that can\n"
	  "lock you out (RDP, protection, areas, an unmapped boot address, a hardware\n"
	  "watchdog) is refused, saying what it would do, unless --yes. A change that takes\n"
	  "effect at a reset (SWAP_BANK, boot addresses) is followed by one unless\n"
	  "--no-reset. RDP=0 from level 1 mass-erases the flash.\n",
	  CLI_FOR_OPTION },
	{ "info",
	  "usage: swdd info [--json] [options]\n"
	  "Probe, firmware, target voltage, DPIDR, chip, revision, flash size, RDP level\n"
	  "and unique ID.\n",
	  CLI_FOR_INFO },
};

void cli_usage_topic(FILE *f, const char *topic)
{
	for (size_t i = 0; topic && i < sizeof(cli_topics) / sizeof(cli_topics[0]); i++) {
		if (strcmp(topic, cli_topics[i].name))
			continue;
		fprintf(f, "%s\noptions:\n", cli_topics[i].text);
		cli_print_options(f, cli_topics[i].scope | (CLI_FOR_ANY & ~CLI_FOR_CHIP));
		if (cli_topics[i].scope)
			fprintf(f, "\n%s", cli_exit_text);
		return;
	}
	cli_usage(f);
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

/* `option` alone, or `option set FIELD=VALUE...` (the words are checked
 * against the chip's fields once it is connected). */
static int cli_option_words(struct cli_opts *o, int argc, char **argv)
{
	o->command = CLI_OPTION;
	if (optind == argc - 1)
		return 0;
	if (strcmp(argv[optind + 1], "set") || optind + 2 == argc)
		return swdd_err_set(SWDD_EINVAL,
				    "usage: swdd option [--json] | swdd option set FIELD=VALUE... "
				    "[--yes] ('%s' is neither)",
				    argv[optind + 1]);
	o->option_set = true;
	o->option_words = argv + optind + 2;
	o->noption_words = argc - optind - 2;
	return 0;
}

static int cli_positional(struct cli_opts *o, int argc, char **argv)
{
	static const struct {
		const char *word;
		enum cli_command cmd;
	} verbs[] = { { "probes", CLI_PROBES },
		      { "erase", CLI_ERASE },
		      { "reset", CLI_RESET },
		      { "info", CLI_INFO },
		      { "chips", CLI_CHIPS } };

	if (optind == argc || o->command == CLI_HELP || o->command == CLI_VERSION)
		return 0; /* `swdd VERB --help` prints the help */
	for (size_t i = 0; optind == argc - 1 && i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[optind], verbs[i].word) == 0) {
			o->command = verbs[i].cmd;
			return 0;
		}
	if (strcmp(argv[optind], "read") == 0) {
		if (optind != argc - 2)
			return swdd_err_set(SWDD_EINVAL,
					    "usage: swdd read FILE --address A --size N (one FILE)");
		o->command = CLI_READ;
		o->image = argv[optind + 1];
		return 0;
	}
	if (strcmp(argv[optind], "option") == 0)
		return cli_option_words(o, argc, argv);
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
			return swdd_err_set(SWDD_EINVAL,
					    "unknown or incomplete option '%s' (see swdd --help)",
					    argv[optind - 1]);
		const struct cli_option *opt = &cli_options[c - 0x100];
		rc = opt->fn ? opt->fn(o, optarg) : cli_flag(o, opt->name);
		if (rc)
			return rc;
	}
	if (o->command == CLI_HELP) {
		/* `swdd flash --help` (with or without FILE): help, not a
		 * usage error */
		o->help_topic = optind < argc ? argv[optind] : NULL;
		return 0;
	}
	return cli_positional(o, argc, argv);
}

/* Nothing authenticates a GDB client (the RSP has no such step), so a
 * --bind address other than loopback (127.0.0.0/8) hands the chip, and
 * the host files the operator allowed, to whoever reaches the port. */
bool cli_bind_warning(const struct cli_opts *o, unsigned port, char *buf, size_t len)
{
	struct in_addr a;

	if (inet_pton(AF_INET, o->bind, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127)
		return false;
	snprintf(buf, len,
		 "listening on %s:%u, not on loopback: anyone who reaches this port can, "
		 "without authentication, erase and program the flash, read and write memory and "
		 "registers, and reset and run the chip%s%s%s%s (--bind 127.0.0.1, the default, "
		 "keeps it local; use an SSH tunnel to reach it from elsewhere)",
		 o->bind, port, o->allow_files || o->flash_algo ? ", and make swdd read host files: " : "",
		 o->allow_files ? "any under " : "", o->allow_files ? o->allow_files : "",
		 o->flash_algo ? (o->allow_files ? " and the --flash-algo file" : "the --flash-algo file")
			       : "");
	return true;
}
