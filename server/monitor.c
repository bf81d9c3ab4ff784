/*
 * GDB `monitor` commands; see monitor.h. The target layer logs what it does
 * (reset fallbacks, clock changes); those lines reach GDB's console too
 * because the session forwards the log while a monitor command runs.
 */
#include "monitor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb_server.h"
#include "probe.h"
#include "stm32/family.h"
#include "swdd_err.h"
#include "target.h"
#include "version.h"


#define MONITOR_MAX_TABLES 8

static const struct monitor_cmd monitor_builtin[];
static const size_t monitor_builtin_count;

/* Table 0 is ours; the others come from monitor_register(). */
static struct {
	const struct monitor_cmd *cmds;
	size_t n;
} monitor_tables[MONITOR_MAX_TABLES];
static size_t monitor_ntables;

static void monitor_init_tables(void)
{
	if (monitor_ntables == 0) {
		monitor_tables[0].cmds = monitor_builtin;
		monitor_tables[0].n = monitor_builtin_count;
		monitor_ntables = 1;
	}
}

void monitor_printf(struct gdb_server *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gdb_console_vprintf(s, fmt, ap);
	va_end(ap);
}

/* The commands of the chip's family (stm32/family.h), after ours. */
static void mon_help_family(struct gdb_server *s)
{
	const struct stm32_family *f = s->target ? swdd_target_family(s->target) : NULL;

	for (size_t i = 0; f && i < f->num_cmds; i++)
		monitor_printf(s, "%-26s %s (%s)\n", f->cmds[i].usage, f->cmds[i].help, f->name);
}

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

static int mon_help(struct gdb_server *s, int argc, char **argv)
{
	(void)argc, (void)argv;
	monitor_init_tables();
	for (size_t t = 0; t < monitor_ntables; t++)
		for (size_t i = 0; i < monitor_tables[t].n; i++) {
			const struct monitor_cmd *c = &monitor_tables[t].cmds[i];

			monitor_printf(s, "%-26s %s\n", c->usage, c->help);
		}
	mon_help_family(s);
	return 0;
}

static const struct {
	const char *word;
	enum swdd_reset_method method;
} mon_reset_words[] = {
	{ "auto", SWDD_RESET_AUTO }, { "hw", SWDD_RESET_HW },
	{ "sys", SWDD_RESET_SYS },   { "core", SWDD_RESET_CORE },
	/* OpenOCD spellings */
	{ "srst_only", SWDD_RESET_HW },  { "srst_nogate", SWDD_RESET_HW },
	{ "none", SWDD_RESET_SYS },      { "sysresetreq", SWDD_RESET_SYS },
	{ "vectreset", SWDD_RESET_CORE },
};

static const char *mon_reset_name(enum swdd_reset_method m)
{
	static const char *const names[] = {
		[SWDD_RESET_AUTO] = "auto (NRST, then SYSRESETREQ, then VECTRESET, each verified)",
		[SWDD_RESET_HW] = "hw (NRST)",
		[SWDD_RESET_SYS] = "sys (AIRCR.SYSRESETREQ)",
		[SWDD_RESET_CORE] = "core (AIRCR.VECTRESET)",
	};
	return names[m];
}

/* reset [halt|run|init]: "init" is OpenOCD's reset-and-halt plus its init
 * scripts; we have no scripts, so it halts. */
static int mon_reset(struct gdb_server *s, int argc, char **argv)
{
	bool halt;
	int rc;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "halt") && strcmp(argv[1], "run") &&
			 strcmp(argv[1], "init")))
		return swdd_err_set(SWDD_EINVAL, "usage: monitor reset [halt|run|init]");
	halt = argc == 2 && strcmp(argv[1], "run") != 0;
	rc = swdd_target_reset(s->target, SWDD_RESET_AUTO, halt);
	if (rc)
		return rc;
	monitor_printf(s, "%s\n", halt ? "reset; target halted at the reset vector"
				       : "reset; target running (GDB still shows the old state: use `continue` "
					 "or `monitor halt`)");
	return 0;
}

static int mon_halt(struct gdb_server *s, int argc, char **argv)
{
	(void)argc, (void)argv;
	int rc = swdd_target_halt(s->target);

	if (!rc)
		monitor_printf(s, "target halted\n");
	return rc;
}

static int mon_resume(struct gdb_server *s, int argc, char **argv)
{
	(void)argc, (void)argv;
	int rc = swdd_target_resume(s->target);

	if (!rc)
		monitor_printf(s, "target running (GDB does not know: use `monitor halt` then `stepi` "
				  "or `continue` to resynchronise)\n");
	return rc;
}

static int mon_reset_config(struct gdb_server *s, int argc, char **argv)
{
	if (argc == 1) {
		monitor_printf(s, "reset method: %s\n",
			       mon_reset_name(swdd_target_get_reset_method(s->target)));
		return 0;
	}
	for (size_t i = 0; argc == 2 && i < sizeof(mon_reset_words) / sizeof(mon_reset_words[0]); i++)
		if (strcmp(argv[1], mon_reset_words[i].word) == 0) {
			swdd_target_set_reset_method(s->target, mon_reset_words[i].method);
			monitor_printf(s, "reset method: %s\n", mon_reset_name(mon_reset_words[i].method));
			return 0;
		}
	return swdd_err_set(SWDD_EINVAL, "usage: monitor reset_config [auto|hw|sys|core]");
}

static int mon_speed_set(struct gdb_server *s, const char *arg)
{
	char *end;
	unsigned long khz = strtoul(arg, &end, 10);
	unsigned actual;
	int rc;

	if (*end || khz == 0 || khz > 100000)
		return swdd_err_set(SWDD_EINVAL, "speed takes a clock in kHz (1..100000), not '%s'", arg);
	rc = swdd_probe_set_speed(swdd_target_probe(s->target), (unsigned)khz, &actual);
	if (!rc)
		monitor_printf(s, "SWD clock %u kHz (asked for %lu kHz)\n", actual, khz);
	return rc;
}

static int mon_speed(struct gdb_server *s, int argc, char **argv)
{
	if (argc != 2)
		return swdd_err_set(SWDD_EINVAL, "usage: monitor speed KHZ");
	return mon_speed_set(s, argv[1]);
}

/* OpenOCD: "adapter speed KHZ". */
static int mon_adapter(struct gdb_server *s, int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "speed") != 0)
		return swdd_err_set(SWDD_EINVAL, "usage: monitor adapter speed KHZ");
	return mon_speed_set(s, argv[2]);
}

static const char *mon_rdp_text(int level)
{
	static const char *const t[] = { "0 (no protection)", "1 (flash read protected)",
					 "2 (debug disabled for good)" };
	return level >= 0 && level <= 2 ? t[level] : "unknown";
}

static int mon_info(struct gdb_server *s, int argc, char **argv)
{
	const struct swdd_chip_info *c = swdd_target_chip(s->target);
	struct swdd_probe *p = swdd_target_probe(s->target);
	const struct swdd_probe_info *pi = swdd_probe_get_info(p);
	int mv = c->voltage_mv;
	(void)argc, (void)argv;

	if (swdd_probe_voltage(p, &mv))
		mv = c->voltage_mv;
	monitor_printf(s, "probe:      %s, serial %s, firmware %s (%s)\n", pi->kind, pi->serial,
		       pi->firmware, pi->transport);
	monitor_printf(s, "chip:       %s, %s%s\n", c->name, c->core, c->has_fpu ? " with FPU" : "");
	monitor_printf(s, "IDCODE:     0x%08x (DEV_ID 0x%03x, revision %s, REV_ID 0x%04x)\n",
		       c->dbgmcu_idcode, c->dev_id, c->revision, c->rev_id);
	monitor_printf(s, "CPUID:      0x%08x\n", c->cpuid);
	monitor_printf(s, "flash:      %u KiB at 0x%08x\n", c->flash_size / 1024, c->flash_base);
	monitor_printf(s, "SRAM:       %u KiB at 0x%08x\n", c->sram_size / 1024, c->sram_base);
	monitor_printf(s, "RDP level:  %s\n", mon_rdp_text(c->rdp_level));
	if (mv >= 0)
		monitor_printf(s, "voltage:    %d.%02d V\n", mv / 1000, (mv % 1000) / 10);
	else
		monitor_printf(s, "voltage:    unknown (the probe cannot measure it)\n");
	monitor_printf(s, "breakpoints: %u hardware, watchpoints: %u\n", c->num_hw_breakpoints,
		       c->num_watchpoints);
	return 0;
}

/* OpenOCD: "cortex_m maskisr on|off". swdd masks interrupts while stepping
 * by default, so `stepi` does not land in a SysTick handler. */
static int mon_maskisr(struct gdb_server *s, int argc, char **argv)
{
	int first = argc > 1 && strcmp(argv[0], "cortex_m") == 0 && strcmp(argv[1], "maskisr") == 0;
	const char *arg = argc == 2 + first ? argv[1 + first] : NULL;

	if (!arg || (strcmp(arg, "on") && strcmp(arg, "off")))
		return swdd_err_set(SWDD_EINVAL, "usage: monitor maskisr on|off");
	swdd_target_set_step_irq(s->target, strcmp(arg, "off") == 0);
	monitor_printf(s, "interrupts %s while stepping\n", strcmp(arg, "on") == 0 ? "masked" : "enabled");
	return 0;
}

static int mon_version(struct gdb_server *s, int argc, char **argv)
{
	(void)argc, (void)argv;
	monitor_printf(s, "swdd %s\n", SWDD_VERSION);
	return 0;
}

static const struct monitor_cmd monitor_builtin[] = {
	{ "help", mon_help, "help", "list the monitor commands" },
	{ "reset", mon_reset, "reset [halt|run|init]", "reset the chip (verified; falls back and says why)" },
	{ "halt", mon_halt, "halt", "halt the core" },
	{ "resume", mon_resume, "resume", "resume the core (behind GDB's back)" },
	{ "reset_config", mon_reset_config, "reset_config [auto|hw|sys|core]",
	  "show or choose the reset method" },
	{ "speed", mon_speed, "speed KHZ", "set the SWD clock" },
	{ "adapter", mon_adapter, "adapter speed KHZ", "set the SWD clock (OpenOCD spelling)" },
	{ "info", mon_info, "info", "chip, IDCODE, revision, flash size, RDP level, voltage" },
	{ "targets", mon_info, "targets", "same as info" },
	{ "maskisr", mon_maskisr, "maskisr on|off", "mask interrupts while stepping (default on)" },
	{ "cortex_m", mon_maskisr, "cortex_m maskisr on|off", "same as maskisr (OpenOCD spelling)" },
	{ "version", mon_version, "version", "print the swdd version" },
};
static const size_t monitor_builtin_count = sizeof(monitor_builtin) / sizeof(monitor_builtin[0]);

int monitor_register(const struct monitor_cmd *cmds, size_t n)
{
	monitor_init_tables();
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

int monitor_exec(struct gdb_server *s, const char *line)
{
	char *copy = strdup(line), *argv[MONITOR_MAX_ARGS + 1];
	const struct monitor_cmd *cmd;
	int argc, rc;

	if (!copy)
		return SWDD_ENOMEM;
	argc = monitor_split(copy, argv);
	if (argc <= 0) {
		rc = argc < 0 ? swdd_err_set(SWDD_EINVAL, "too many words") : mon_help(s, 0, argv);
	} else if (!(cmd = monitor_find(argv[0]))) {
		bool found;

		swdd_err_clear();
		rc = mon_family_cmd(s, argc, argv, &found);
		if (!found)
			rc = swdd_err_set(SWDD_EINVAL, "unknown command '%s' (try `monitor help`)", argv[0]);
	} else {
		swdd_err_clear();
		rc = cmd->fn(s, argc, argv);
	}
	if (rc)
		monitor_printf(s, "error: %s%s%s\n", swdd_strerror(rc), *swdd_err_detail() ? ": " : "",
			       swdd_err_detail());
	free(copy);
	return rc;
}
