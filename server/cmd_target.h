/*
 * One-shot verbs on the chip (issue 14, "CLI verbs"): `swdd reset`,
 * `swdd read FILE`, `swdd info`; and the listings `swdd chips` and
 * `swdd probes`. Each prints text, or with --json one object on stdout,
 * and returns the exit statuses of enum cmd_exit (cmd_flash.h).
 */
#ifndef SWDD_CMD_TARGET_H
#define SWDD_CMD_TARGET_H

#include <stdint.h>

#include "app_setup.h"
#include "cli.h"

/* One verb's session with the chip (also server/cmd_option.c). */
struct cmd_target_run {
	const struct cli_opts *o;
	struct app a;
	bool open;
	int exit_code;
};

/* Opens the probe and connects as o->connect says; on failure prints it
 * and returns the exit status (else 0). */
int cmd_target_open(struct cmd_target_run *r, const struct cli_opts *o);
/* Prints the failure (stderr, and the JSON object with --json) and gives
 * the verb's exit status. */
int cmd_target_fail(struct cmd_target_run *r, int code, int rc);
/* halted: leave the core stopped (app_close frees without resuming);
 * else restore what swdd changed and let it run. Returns the exit status. */
int cmd_target_close(struct cmd_target_run *r, bool halted);

int cmd_reset_main(const struct cli_opts *o);
int cmd_read_main(const struct cli_opts *o);
int cmd_info_main(const struct cli_opts *o);
int cmd_chips_main(const struct cli_opts *o);
int cmd_probes_main(const struct cli_opts *o);

/* Writes len bytes that start at addr as Intel HEX records (data records
 * of 16 bytes, an extended linear address record at each 64 KiB, the EOF
 * record). Returns 0 or SWDD_EIO. Exposed for test_cmd_target. */
int cmd_write_ihex(FILE *f, uint32_t addr, const uint8_t *data, size_t len);

#endif
