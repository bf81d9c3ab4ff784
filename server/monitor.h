/*
 * GDB `monitor` commands (qRcmd), as {name, handler, help} tables
 * (per layer, per family). Names follow OpenOCD where OpenOCD has the command, so
 * IDE launch configurations written for OpenOCD work unchanged.
 *
 * Other layers add their commands with monitor_register() (the flash issue:
 * erase, flash ..., rdp, unlock, option), from main before serving.
 */
#ifndef SWDD_MONITOR_H
#define SWDD_MONITOR_H

#include <stddef.h>

struct gdb_server;

#define MONITOR_MAX_ARGS 16

struct monitor_cmd {
	const char *name;
	/* argv[0] is the command name. Prints through monitor_printf();
	 * returns 0 or SWDD_E* (the error and its detail are printed by the
	 * caller, and GDB sees the command fail). */
	int (*fn)(struct gdb_server *s, int argc, char **argv);
	const char *usage; /* "reset [halt|run|init]" */
	const char *help;  /* one line */
};

/* Adds a table (kept by pointer: give a static const array). Returns 0, or
 * SWDD_ENOMEM when the fixed table list is full. */
int monitor_register(const struct monitor_cmd *cmds, size_t n);

/* Splits line into words and runs the command. */
int monitor_exec(struct gdb_server *s, const char *line);

void monitor_printf(struct gdb_server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
