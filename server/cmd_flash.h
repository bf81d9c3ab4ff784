/*
 * `swdd flash FILE` and `swdd erase` (issue 7, "CLI"): one-shot commands
 * that open the probe, connect, do the flash work through flash/flash.h
 * and return a process exit status.
 */
#ifndef SWDD_CMD_FLASH_H
#define SWDD_CMD_FLASH_H

#include "cli.h"

/* Exit statuses, documented in `swdd --help` and docs/FLASH.md. */
enum cmd_exit {
	CMD_EXIT_OK = 0,
	CMD_EXIT_USAGE = 2,
	CMD_EXIT_PROBE = 3,  /* no probe, USB error, lab set-up */
	CMD_EXIT_TARGET = 4, /* connect or reset failed */
	CMD_EXIT_FLASH = 5,  /* erase, program, protection, algorithm */
	CMD_EXIT_VERIFY = 6, /* the flash differs from the image */
	CMD_EXIT_INPUT = 7,  /* the file is unreadable, corrupt or does not fit */
};

int cmd_flash_main(const struct cli_opts *o);
int cmd_erase_main(const struct cli_opts *o);

#endif
