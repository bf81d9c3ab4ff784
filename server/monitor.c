/*
 * GDB `monitor` commands: the table registry, the strict dispatcher and
 * the helpers the command files share; see monitor.h. The target layer
 * logs what it does (reset fallbacks, clock changes); those lines reach
 * GDB's console too because the session forwards the log while a monitor
 * command runs.
 */
#include "monitor.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb_server.h"
#include "stm32/family.h"
#include "swdd_err.h"
#include "target.h"

#define MONITOR_MAX_TABLES 8

/* The built-in tables first; the others come from monitor_register(). */
static struct {
	const struct monitor_cmd *cmds;
	size_t n;
} monitor_tables[MONITOR_MAX_TABLES];
static size_t monitor_ntables;

static void monitor_init_tables(void)
{
	if (monitor_ntables == 0) {
		monitor_tables[0].cmds = monitor_run_cmds;
		monitor_tables[0].n = monitor_run_count;
		monitor_tables[1].cmds = monitor_mem_cmds;
		monitor_tables[1].n = monitor_mem_count;
		monitor_ntables = 2;
	}
}

void monitor_printf(struct gdb_server *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gdb_console_vprintf(s, fmt, ap);
	va_end(ap);
}

void monitor_print_pc_sp(struct gdb_server *s)
{
	uint8_t pc[4], sp[4];

	if (swdd_target_reg_read(s->target, 15, pc) || swdd_target_reg_read(s->target, 13, sp))
		return;
	monitor_printf(s,
		       "pc 0x%08x, sp 0x%08x (GDB keeps showing its cached registers until "
		       "`maintenance flush register-cache` or the next step)\n",
		       (unsigned)(pc[0] | pc[1] << 8 | pc[2] << 16 | (uint32_t)pc[3] << 24),
		       (unsigned)(sp[0] | sp[1] << 8 | sp[2] << 16 | (uint32_t)sp[3] << 24));
}

bool monitor_parse_number(const char *arg, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	/* strtoull would skip blanks, take a sign (" -1" is ULLONG_MAX) and
	 * saturate on overflow: none of that is a number here */
	if (!isdigit((unsigned char)*arg))
		return false;
	errno = 0;
	v = strtoull(arg, &end, 0);
	if (*end || errno == ERANGE || v > max)
		return false;
	*out = v;
	return true;
}

int monitor_number(const char *arg, unsigned long long max, const char *what, unsigned long long *out)
{
	if (!monitor_parse_number(arg, max, out))
		return swdd_err_set(SWDD_EINVAL, "%s must be a number up to 0x%llx, not '%s'", what, max,
				    arg);
	return 0;
}

/* The commands of the chip's family (stm32/family.h), after ours. */
static void mon_help_family(struct gdb_server *s)
{
	const struct stm32_family *f = s->target ? swdd_target_family(s->target) : NULL;

	for (size_t i = 0; f && i < f->num_cmds; i++)
		monitor_printf(s, "%-34s %s (%s)\n", f->cmds[i].usage, f->cmds[i].help, f->name);
}

/* A family command: found or not; its report printed on success. Family
 * handlers check their own arguments (stm32_cmd contract). */
static int mon_family_cmd(struct gdb_server *s, int argc, char **argv, bool *found)
{
	const struct stm32_family *f = s->target ? swdd_target_family(s->target) : NULL;
	char out[1024] = "";
	int rc;

	for (size_t i = 0; f && i < f->num_cmds; i++) {
		if (strcmp(f->cmds[i].name, argv[0]))
			continue;
		*found = true;
		rc = f->cmds[i].fn(s->target, argc, argv, out, sizeof(out));
		if (!rc)
			monitor_printf(s, "%s", out);
		return rc;
	}
	*found = false;
	return 0;
}

int monitor_help(struct gdb_server *s)
{
	monitor_init_tables();
	for (size_t t = 0; t < monitor_ntables; t++)
		for (size_t i = 0; i < monitor_tables[t].n; i++) {
			const struct monitor_cmd *c = &monitor_tables[t].cmds[i];

			monitor_printf(s, "%-34s %s\n", c->usage, c->help);
		}
	mon_help_family(s);
	return 0;
}

int monitor_register(const struct monitor_cmd *cmds, size_t n)
{
	monitor_init_tables();
	for (size_t t = 0; t < monitor_ntables; t++)
		if (monitor_tables[t].cmds == cmds)
			return 0; /* registered already (one per process) */
	if (monitor_ntables == MONITOR_MAX_TABLES)
		return swdd_err_set(SWDD_ENOMEM, "too many monitor command tables");
	monitor_tables[monitor_ntables].cmds = cmds;
	monitor_tables[monitor_ntables].n = n;
	monitor_ntables++;
	return 0;
}

static const struct monitor_cmd *monitor_find(const char *name)
{
	monitor_init_tables();
	for (size_t t = 0; t < monitor_ntables; t++)
		for (size_t i = 0; i < monitor_tables[t].n; i++)
			if (strcmp(monitor_tables[t].cmds[i].name, name) == 0)
				return &monitor_tables[t].cmds[i];
	return NULL;
}

static int monitor_split(char *line, char **argv)
{
	int argc = 0;

	for (char *tok = strtok(line, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
		if (argc == MONITOR_MAX_ARGS)
			return -1;
		argv[argc++] = tok;
	}
	return argc;
}

/* The word count against the table row, before the handler runs. */
static int monitor_check_args(const struct monitor_cmd *c, int argc, char **argv)
{
	int words = argc - 1;

	if (words > c->max_args && c->max_args == 0)
		return swdd_err_set(SWDD_EINVAL, "`%s` takes no argument ('%s' given): usage: %s", c->name,
				    argv[1], c->usage);
	if (words > c->max_args)
		return swdd_err_set(SWDD_EINVAL,
				    "`%s` takes at most %u argument%s, '%s' is one too "
				    "many: usage: %s",
				    c->name, c->max_args, c->max_args == 1 ? "" : "s", argv[c->max_args + 1],
				    c->usage);
	if (words < c->min_args)
		return swdd_err_set(SWDD_EINVAL, "`%s` needs %s%u argument%s: usage: %s", c->name,
				    c->min_args == c->max_args ? "" : "at least ", c->min_args,
				    c->min_args == 1 ? "" : "s", c->usage);
	return 0;
}

static int monitor_run(struct gdb_server *s, int argc, char **argv, bool *unknown)
{
	const struct monitor_cmd *cmd;
	int rc;

	if (argc == 0)
		return monitor_help(s);
	cmd = monitor_find(argv[0]);
	if (!cmd) {
		bool found;

		rc = mon_family_cmd(s, argc, argv, &found);
		if (found)
			return rc;
		*unknown = true;
		return swdd_err_set(SWDD_EINVAL, "unknown command '%s' (`monitor help` lists them)", argv[0]);
	}
	rc = monitor_check_args(cmd, argc, argv);
	return rc ? rc : cmd->fn(s, argc, argv);
}

int monitor_exec(struct gdb_server *s, const char *line, bool *unknown)
{
	char *copy = strdup(line), *argv[MONITOR_MAX_ARGS + 1];
	int argc, rc;

	*unknown = false;
	if (!copy)
		return SWDD_ENOMEM;
	swdd_err_clear();
	argc = monitor_split(copy, argv);
	rc = argc < 0 ? swdd_err_set(SWDD_EINVAL, "more than %d words", MONITOR_MAX_ARGS)
		      : monitor_run(s, argc, argv, unknown);
	if (rc)
		monitor_printf(s, "error: %s%s%s\n", swdd_strerror(rc), *swdd_err_detail() ? ": " : "",
			       swdd_err_detail());
	free(copy);
	return rc;
}
