/*
 * What `swdd flash` prints (cmd_flash_out.c): the progress bar or lines on
 * stderr, and the --json summary on stdout.
 */
#ifndef SWDD_CMD_FLASH_OUT_H
#define SWDD_CMD_FLASH_OUT_H

#include <stdbool.h>
#include <stdint.h>

#include "flash.h"
#include "probe.h"
#include "target.h"

struct cmd_progress {
	bool tty;          /* a bar redrawn in place; else plain lines */
	int phase;         /* last phase shown, -1 none */
	unsigned last_pct; /* last percentage printed (plain lines) */
};

void cmd_progress_init(struct cmd_progress *p);
/* swdd_flash_progress_fn; ctx = struct cmd_progress. */
void cmd_progress_cb(void *ctx, enum swdd_flash_phase ph, uint64_t done, uint64_t total);
/* Ends the bar's line (before any other output). */
void cmd_progress_end(struct cmd_progress *p);

struct cmd_summary {
	const char *file;
	const struct swdd_flash_result *res;
	double wall_seconds;
	double modelled_seconds; /* < 0: not the lab (JSON null) */
	bool lab_stats;          /* the lab's counters below are valid */
	uint64_t lab_sector_erases, lab_program_ops, lab_mass_erases;
	const struct swdd_probe_info *probe; /* NULL: no probe was opened */
	const struct swdd_chip_info *chip;   /* NULL: no chip was connected */
	int exit_code;
	const char *error;   /* NULL when ok */
	const char *warning; /* NULL: none (ok, but the user must know) */
};

void cmd_print_json(const struct cmd_summary *s);

#endif
