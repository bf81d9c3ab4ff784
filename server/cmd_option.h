/*
 * Option bytes (issue 13 point 6): the monitor commands `option` and
 * `bank-swap` (registered with the flash commands by gdb_flash_register)
 * and the CLI verb `swdd option [set FIELD=VALUE...]`. See cmd_option.c.
 */
#ifndef SWDD_CMD_OPTION_H
#define SWDD_CMD_OPTION_H

#include <stddef.h>

#include "cli.h"
#include "monitor.h"

extern const struct monitor_cmd cmd_option_monitor_cmds[];
extern const size_t cmd_option_monitor_count;

/* `swdd option` / `swdd option set ...`; returns the exit status
 * (enum cmd_exit, cmd_flash.h). */
int cmd_option_main(const struct cli_opts *o);

#endif
