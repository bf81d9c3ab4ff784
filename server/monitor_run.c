/*
 * Run-control and information monitor commands: help, reset, halt,
 * resume, reset_config, speed/adapter speed, maskisr/cortex_m maskisr,
 * info/targets, version. A command given no value shows the current one.
 */
#include <stdio.h>
#include <string.h>

#include "fw_check.h"
#include "gdb_server.h"
#include "monitor.h"
#include "probe.h"
#include "swdd_err.h"
#include "target.h"
#include "version.h"

static int mon_help(struct gdb_server *s, int argc, char **argv)
{
	(void)argc, (void)argv;
	return monitor_help(s);
}

static const struct {
	const char *word;
	enum swdd_reset_method method;
} mon_reset_words[] = {
	{ "auto", SWDD_RESET_AUTO },
	{ "hw", SWDD_RESET_HW },
	{ "sys", SWDD_RESET_SYS },
	{ "core", SWDD_RESET_CORE },
	/* OpenOCD spellings */
	{ "srst_only", SWDD_RESET_HW },
	{ "srst_nogate", SWDD_RESET_HW },
	{ "none", SWDD_RESET_SYS },
	{ "sysresetreq", SWDD_RESET_SYS },
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

/* reset run on firmware that turns SWD off soon after it starts (the
 * chip could be connected only under reset): losing the debug port is
 * what the firmware does, not a failure of the reset. */
static int mon_reset_run_lost(struct gdb_server *s, int rc)
{
	if (!fw_swd_lost_after_run(rc, swdd_target_connected_mode(s->target)))
		return rc;
	monitor_printf(s,
		       "reset; the chip runs its firmware, which disabled SWD again soon after it "
		       "started (swdd could connect only under reset; then: %s: %s). The debug port "
		       "no longer answers and GDB's view is stale. `monitor reset halt` connects again "
		       "under reset and stops the core at the reset vector, before the firmware turns "
		       "SWD off.\n",
		       swdd_strerror(rc), swdd_err_detail());
	return 0;
}

/* reset halt when the debug port is gone (the firmware turned SWD off
 * after an earlier run): a reset through the dead port cannot work, a
 * connect with NRST held low can, and it leaves the core halted at the
 * reset vector, which is what reset halt asks for. */
static int mon_reset_halt_lost(struct gdb_server *s, int rc)
{
	char why[300];

	if (!fw_link_lost(rc) || !s->reconnect_under_reset)
		return rc;
	snprintf(why, sizeof(why), "%s: %s", swdd_strerror(rc), swdd_err_detail());
	rc = s->reconnect_under_reset(s->reconnect_ctx, &s->target);
	if (rc)
		return swdd_err_add(rc, "after the debug port stopped answering (%s)", why);
	monitor_printf(s, "the debug port did not answer (%s): connected again under reset\n", why);
	return 0;
}

static bool mon_reset_halts;

void monitor_set_reset_halts(bool halts)
{
	mon_reset_halts = halts;
}

/* reset [halt|run|init]: "init" is OpenOCD's reset-and-halt plus its init
 * scripts; we have no scripts, so it halts. A bare reset runs, or halts in
 * st-util's mode (monitor_set_reset_halts). */
static int mon_reset(struct gdb_server *s, int argc, char **argv)
{
	bool halt = argc == 2 ? strcmp(argv[1], "run") != 0 : mon_reset_halts;
	int rc;

	if (argc == 2 && strcmp(argv[1], "halt") && strcmp(argv[1], "run") && strcmp(argv[1], "init"))
		return swdd_err_set(SWDD_EINVAL, "reset takes halt, run or init, not '%s'", argv[1]);
	rc = swdd_target_reset(s->target, SWDD_RESET_AUTO, halt);
	if (rc && halt)
		rc = mon_reset_halt_lost(s, rc);
	else if (rc)
		return mon_reset_run_lost(s, rc);
	if (rc)
		return rc;
	if (!halt) {
		monitor_printf(s, "reset; target running (GDB still shows the old state: use `continue` "
				  "or `monitor halt`)\n");
		if (swdd_target_connected_mode(s->target) == SWDD_CONNECT_UNDER_RESET)
			monitor_printf(s, "note: swdd could connect to this chip only under reset: if its "
					  "firmware turns SWD off, the debug port stops answering soon\n");
		return 0;
	}
	monitor_printf(s, "reset; target halted at the reset vector\n");
	monitor_print_pc_sp(s);
	return 0;
}

static int mon_halt(struct gdb_server *s, int argc, char **argv)
{
	(void)argc, (void)argv;
	int rc = swdd_target_halt(s->target);

	if (rc)
		return rc;
	monitor_printf(s, "target halted\n");
	monitor_print_pc_sp(s);
	return 0;
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
	for (size_t i = 0; i < sizeof(mon_reset_words) / sizeof(mon_reset_words[0]); i++)
		if (strcmp(argv[1], mon_reset_words[i].word) == 0) {
			swdd_target_set_reset_method(s->target, mon_reset_words[i].method);
			monitor_printf(s, "reset method: %s\n", mon_reset_name(mon_reset_words[i].method));
			return 0;
		}
	return swdd_err_set(SWDD_EINVAL,
			    "reset_config takes auto, hw, sys or core (or OpenOCD's "
			    "srst_only, sysresetreq, vectreset), not '%s'",
			    argv[1]);
}

/* speed [KHZ]: without a value, the clock in use. */
static int mon_speed_do(struct gdb_server *s, const char *arg)
{
	struct swdd_probe *p = swdd_target_probe(s->target);
	unsigned long long khz;
	unsigned actual;
	int rc;

	if (!arg) {
		monitor_printf(s, "SWD clock %u kHz\n", swdd_probe_get_speed(p));
		return 0;
	}
	rc = monitor_number(arg, 100000, "the SWD clock in kHz", &khz);
	if (!rc && khz == 0)
		rc = swdd_err_set(SWDD_EINVAL, "the SWD clock must be at least 1 kHz");
	if (!rc)
		rc = swdd_probe_set_speed(p, (unsigned)khz, &actual);
	if (!rc)
		monitor_printf(s, "SWD clock %u kHz (asked for %llu kHz)\n", actual, khz);
	return rc;
}

static int mon_speed(struct gdb_server *s, int argc, char **argv)
{
	return mon_speed_do(s, argc == 2 ? argv[1] : NULL);
}

/* OpenOCD: "adapter speed [KHZ]". */
static int mon_adapter(struct gdb_server *s, int argc, char **argv)
{
	if (strcmp(argv[1], "speed") != 0)
		return swdd_err_set(SWDD_EINVAL, "adapter has only the speed subcommand, not '%s'", argv[1]);
	return mon_speed_do(s, argc == 3 ? argv[2] : NULL);
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
	monitor_printf(s, "probe:      %s, serial %s, firmware %s (%s)\n", pi->kind, pi->serial, pi->firmware,
		       pi->transport);
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

/* OpenOCD: "cortex_m maskisr [on|off]". swdd masks interrupts while
 * stepping by default, so `stepi` does not land in a SysTick handler.
 * Without a value it shows the setting. */
static int mon_maskisr_do(struct gdb_server *s, const char *arg)
{
	if (arg && strcmp(arg, "on") && strcmp(arg, "off"))
		return swdd_err_set(SWDD_EINVAL, "maskisr takes on or off, not '%s'", arg);
	if (arg)
		swdd_target_set_step_irq(s->target, strcmp(arg, "off") == 0);
	monitor_printf(s, "maskisr %s: interrupts %s while stepping\n",
		       swdd_target_get_step_irq(s->target) ? "off" : "on",
		       swdd_target_get_step_irq(s->target) ? "enabled" : "masked");
	return 0;
}

static int mon_maskisr(struct gdb_server *s, int argc, char **argv)
{
	return mon_maskisr_do(s, argc == 2 ? argv[1] : NULL);
}

static int mon_cortex_m(struct gdb_server *s, int argc, char **argv)
{
	if (strcmp(argv[1], "maskisr") != 0)
		return swdd_err_set(SWDD_EINVAL, "cortex_m has only the maskisr subcommand, not '%s'",
				    argv[1]);
	return mon_maskisr_do(s, argc == 3 ? argv[2] : NULL);
}

static int mon_version(struct gdb_server *s, int argc, char **argv)
{
	(void)argc, (void)argv;
	monitor_printf(s, "swdd %s\n", SWDD_VERSION);
	return 0;
}

const struct monitor_cmd monitor_run_cmds[] = {
	{ "help", mon_help, "help", "list the monitor commands", 0, 0 },
	{ "reset", mon_reset, "reset [halt|run|init]",
	  "reset the chip (verified; falls back and says why); halt/init print pc and sp", 0, 1 },
	{ "halt", mon_halt, "halt", "halt the core; prints pc and sp", 0, 0 },
	{ "resume", mon_resume, "resume", "resume the core (behind GDB's back)", 0, 0 },
	{ "reset_config", mon_reset_config, "reset_config [auto|hw|sys|core]",
	  "show or choose the reset method", 0, 1 },
	{ "speed", mon_speed, "speed [KHZ]", "show or set the SWD clock", 0, 1 },
	{ "adapter", mon_adapter, "adapter speed [KHZ]", "same as speed (OpenOCD spelling)", 1, 2 },
	{ "info", mon_info, "info", "chip, IDCODE, revision, flash size, RDP level, voltage", 0, 0 },
	{ "targets", mon_info, "targets", "same as info", 0, 0 },
	{ "maskisr", mon_maskisr, "maskisr [on|off]",
	  "show or choose masking interrupts while stepping (default on)", 0, 1 },
	{ "cortex_m", mon_cortex_m, "cortex_m maskisr [on|off]", "same as maskisr (OpenOCD spelling)", 1, 2 },
	{ "version", mon_version, "version", "print the swdd version", 0, 0 },
};
const size_t monitor_run_count = sizeof(monitor_run_cmds) / sizeof(monitor_run_cmds[0]);
