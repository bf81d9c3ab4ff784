/*
 * Command line of swdd (see `swdd --help`).
 */
#ifndef SWDD_CLI_H
#define SWDD_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "image.h"
#include "sim.h"
#include "sim_probe.h"
#include "target.h"

enum cli_command {
	CLI_SERVE,
	CLI_PROBES,
	CLI_HELP,
	CLI_VERSION,
	CLI_FLASH,
	CLI_ERASE,
	CLI_RESET,
	CLI_READ,
	CLI_INFO,
	CLI_CHIPS,  /* server/cmd_target.c, cmd_chips.c */
	CLI_OPTION, /* server/cmd_option.c */
};

#define CLI_MAX_SERIALS 16

struct cli_opts {
	enum cli_command command;
	const char *probe;                    /* "auto", "stlink", "cmsis-dap", "sim" */
	const char *serial;                   /* NULL: the only one */
	const char *serials[CLI_MAX_SERIALS]; /* every --serial given (flash: one board each) */
	unsigned nserials;
	bool all_probes; /* flash --all-probes (server/production.c) */
	unsigned port;
	const char *bind;
	const char *allow_files; /* --allow-files DIR: host files a GDB client may name */
	struct swdd_connect_opts connect;
	bool verbose;
	/* the lab (--probe sim only) */
	enum sim_probe_kind sim_probe;
	struct sim_config sim;
	const char *sim_image;
	const char *flash_algo; /* --flash-algo FILE (NULL: built-in) */
	/* swdd flash FILE / swdd erase (server/cmd_flash.c) */
	const char *image;                /* the FILE of `swdd flash` */
	enum swdd_image_format image_fmt; /* --format (default: by content) */
	uint32_t image_addr;              /* --address of a raw binary */
	bool image_addr_set;              /* false: the start of flash */
	bool verify_only, json, erase_unwritten, no_reset, unlock;
	bool force;             /* write a binary that fails the checks */
	const char *help_topic; /* --help after a subcommand: its name */
	/* swdd reset / swdd read FILE (server/cmd_target.c) */
	bool halt;        /* reset --halt */
	bool connect_set; /* --connect given (swdd option reads in attach mode otherwise) */
	/* swdd option set FIELD=VALUE... (server/cmd_option.c) */
	bool option_set, yes;
	char **option_words;
	int noption_words;
	uint32_t read_size; /* read --size */
	bool read_size_set;
};

/* Parses argv into o (defaults first). Returns 0, or SWDD_EINVAL with a
 * detail sentence naming the bad argument. */
int cli_parse(int argc, char **argv, struct cli_opts *o);
void cli_usage(FILE *f);
/* The warning for a --bind address that is not loopback, naming what a
 * client can then do (into buf); false when the address is loopback. */
bool cli_bind_warning(const struct cli_opts *o, unsigned port, char *buf, size_t len);
/* Help of one subcommand ("flash", "erase", "probes"); NULL: cli_usage. */
void cli_usage_topic(FILE *f, const char *topic);

#endif
