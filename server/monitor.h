/*
 * GDB `monitor` commands (qRcmd), as {name, handler, usage, help} tables
 * (per layer; a chip family's own commands come from its descriptor,
 * targets/stm32/family.h). Names follow OpenOCD where OpenOCD has the command, so
 * IDE launch configurations written for OpenOCD work unchanged.
 *
 * Tables: monitor_run.c (reset, halt, speed, info, ...), monitor_mem.c
 * (mdw/mww/reg ...), and those other layers add with monitor_register()
 * (gdb_flash.c: erase, flash ..., program, rdp, unlock, option) from main
 * before serving.
 *
 * Strict: the dispatcher refuses a word count outside [min_args,
 * max_args] with the usage, so `monitor rdp 1` is an error and never
 * looks as if it changed anything; handlers refuse words they do not know.
 */
#ifndef SWDD_MONITOR_H
#define SWDD_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

struct gdb_server;

#define MONITOR_MAX_ARGS 16

struct monitor_cmd {
	const char *name;
	/* argv[0] is the command name; argc - 1 is within [min_args,
	 * max_args] (checked before the call). Prints through
	 * monitor_printf(); returns 0 or SWDD_E* (the error and its detail
	 * are printed by the caller, and GDB sees the command fail). */
	int (*fn)(struct gdb_server *s, int argc, char **argv);
	const char *usage;                /* "reset [halt|run|init]" */
	const char *help;                 /* one line */
	unsigned char min_args, max_args; /* words after the name */
};

/* Adds a table (kept by pointer: give a static const array). Returns 0, or
 * SWDD_ENOMEM when the fixed table list is full. */
int monitor_register(const struct monitor_cmd *cmds, size_t n);

/* Splits line into words and runs the command; prints "error: ..." on
 * failure. *unknown is set when no table has the command (qRcmd then
 * answers as for a command the target does not support). */
int monitor_exec(struct gdb_server *s, const char *line, bool *unknown);

/* Lists every command with its usage and help. */
int monitor_help(struct gdb_server *s);

/* What a bare `monitor reset` does: run (swdd, OpenOCD, pyOCD; the
 * default) or stay halted (st-util's, set by server/compat.c). */
void monitor_set_reset_halts(bool halts);

void monitor_printf(struct gdb_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* After a command that halted the core or changed its registers behind
 * GDB's back: prints pc and sp and the hint that GDB shows its cached
 * registers until `maintenance flush register-cache` or the next step. */
void monitor_print_pc_sp(struct gdb_server *s);

/* Parses a number in C syntax (0x.., decimal) that must fit in max;
 * what names the argument for the error. Returns 0 or SWDD_EINVAL. */
int monitor_number(const char *arg, unsigned long long max, const char *what, unsigned long long *out);
/* The one strict number parser of server/ (monitor arguments and
 * command-line options): the whole word, decimal, 0x hex or 0 octal, no
 * blank or sign, no overflow; a value above max is refused, never cut to
 * a narrower type (sector 4294967296 is not sector 0). */
bool monitor_parse_number(const char *arg, unsigned long long max, unsigned long long *out);

/* The built-in tables (monitor_run.c, monitor_mem.c). */
extern const struct monitor_cmd monitor_run_cmds[];
extern const size_t monitor_run_count;
extern const struct monitor_cmd monitor_mem_cmds[];
extern const size_t monitor_mem_count;

#endif
