/*
 * Option bytes for the user (issue 13 point 6): `monitor option [set
 * FIELD=VALUE... [confirm]]`, `monitor bank-swap on|off [reset]`, and the
 * CLI verbs `swdd option [--json]` and `swdd option set FIELD=VALUE...
 * [--yes] [--no-reset]`. The work is targets/stm32/option.h over the
 * family's rows; this file parses words, asks for confirmation, explains
 * and reports.
 *
 * Reading needs neither a halt nor a reset: `swdd option` connects in
 * attach (hot-plug) mode unless --connect says otherwise, so the firmware
 * keeps running. A change that a reset applies (SWAP_BANK, boot
 * addresses) is followed by a reset on the command line unless
 * --no-reset, as `swdd flash` resets after programming and as
 * STM32CubeProgrammer's option load does on the families that have one;
 * the monitor command resets only when asked (`bank-swap on reset`), as
 * OpenOCD's stm32h7x option_write leaves the `reset` to the user, because
 * the reset changes what GDB is looking at.
 */
#include "cmd_option.h"

#include <stdio.h>
#include <string.h>

#include "cmd_flash.h"
#include "cmd_target.h"
#include "gdb_server.h"
#include "json_out.h"
#include "monitor.h"
#include "stm32/option.h"
#include "swdd_err.h"
#include "target.h"

#define OPT_TEXT 8192

/* What the bank swap about to happen (or just programmed) does. */
static void opt_swap_text(const struct stm32_opt_change *ch, char *buf, size_t len)
{
	const struct stm32_opt_field *f = stm32_option_swap_field(ch->old.fam);
	const struct stm32_part *p = ch->old.part;
	int on = (int)stm32_option_field_get(&ch->now, f), low = on ? 2 : 1;

	snprintf(buf, len,
		 "bank swap %s: from the next system reset physical bank %d answers at 0x%08X and bank %d "
		 "at 0x%08X, so the core boots the firmware held in bank %d. swdd numbers sectors by "
		 "address: sector 0 (0x%08X) is then bank %d's first sector, and `load` or `swdd flash` "
		 "at 0x%08X writes bank %d. Nothing moves before that reset.\n",
		 on ? "on" : "off", low, p->flash_base, 3 - low, p->bank2_base, low, p->flash_base, low,
		 p->flash_base, low);
}

/* "RDP: 0xAA (level 0) -> 0xBB (level 1)" per named field. */
static void opt_changes_text(const struct stm32_opt_change *ch, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ch->old.fam->num_opt_fields && n < len; i++) {
		const struct stm32_opt_field *f = &ch->old.fam->opt_fields[i];
		char a[64], b[64];

		if (!(ch->fields >> i & 1U))
			continue;
		stm32_option_value_text(&ch->old, f, a, sizeof(a));
		stm32_option_value_text(&ch->now, f, b, sizeof(b));
		n += (size_t)snprintf(buf + n, len - n, "%s: %s -> %s%s\n", f->name, a, b,
				      strcmp(a, b) ? "" : " (unchanged)");
	}
}

/* Plans words; refuses a risky change without confirmation, saying what
 * it would do; else applies it and reads it back. */
static int opt_set(struct swdd_target *t, int n, char **words, bool confirmed, const char *how,
		   struct stm32_opt_change *ch)
{
	int rc = stm32_option_plan(t, n, words, ch);

	if (rc)
		return rc;
	if (ch->risks[0] && !confirmed)
		return swdd_err_set(SWDD_EINVAL,
				    "refused, nothing was written: %s. To do it anyway, repeat with %s",
				    ch->risks, how);
	return stm32_option_apply(t, ch);
}

/* The report after a change: values, when they take effect, the swap. */
static void opt_set_report(const struct stm32_opt_change *ch, char *buf, size_t len)
{
	size_t n;

	opt_changes_text(ch, buf, len);
	n = strlen(buf);
	if (ch->rdp_regress && n < len)
		n += (size_t)snprintf(buf + n, len - n, "RDP is at level 0: the flash was mass-erased\n");
	if (ch->effects[0] && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s\n", ch->effects);
	if (ch->swap_changed && n < len)
		opt_swap_text(ch, buf + n, len - n);
}

/* ---- monitor ------------------------------------------------------------ */

/* A report line by line (monitor_printf takes up to 2 KiB at a time). */
static void mon_print_lines(struct gdb_server *s, const char *text)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		int n = nl ? (int)(nl - text) + 1 : (int)strlen(text);

		monitor_printf(s, "%.*s", n, text);
		text += n;
	}
}

static int mon_target(struct gdb_server *s)
{
	return s->target ? 0 : swdd_err_set(SWDD_ESTATE, "no target is connected");
}

static int mon_option_set(struct gdb_server *s, int argc, char **argv)
{
	static char out[OPT_TEXT];
	struct stm32_opt_change ch;
	bool confirm = !strcmp(argv[argc - 1], "confirm");
	int rc = opt_set(s->target, argc - 2 - confirm, argv + 2, confirm, "`confirm` at the end", &ch);

	if (rc)
		return rc;
	opt_set_report(&ch, out, sizeof(out));
	mon_print_lines(s, out);
	if (ch.effects[0])
		monitor_printf(s, "`monitor reset halt` applies it now\n");
	return 0;
}

static int mon_option(struct gdb_server *s, int argc, char **argv)
{
	static char out[OPT_TEXT];
	int rc = mon_target(s);

	if (!rc && argc >= 2 && !strcmp(argv[1], "set"))
		return mon_option_set(s, argc, argv);
	if (!rc && argc > 1)
		return swdd_err_set(SWDD_EINVAL, "usage: option [set FIELD=VALUE... [confirm]]");
	if (!rc)
		rc = stm32_option_text(s->target, out, sizeof(out));
	if (!rc)
		mon_print_lines(s, out);
	return rc;
}

/* The family's swap field, or why there is none on this chip. */
static int opt_swap_field(struct swdd_target *t, const struct stm32_opt_field **f)
{
	const struct swdd_chip_info *c = swdd_target_chip(t);
	const struct stm32_family *fam = swdd_target_family(t);

	*f = stm32_option_swap_field(fam);
	if (!*f)
		return swdd_err_set(SWDD_EUNSUPPORTED,
				    "%s has no bank swap (%s): the flash at 0x08000000 is always bank 1%s",
				    fam ? fam->name : c->name, fam ? fam->manual : "no option support",
				    fam && stm32_option_field(fam, "BFB2")
					    ? "; BFB2 (`option set BFB2=1`) boots "
					      "bank 2 through the boot loader instead"
					    : "");
	if (!c->part->bank2_base)
		return swdd_err_set(SWDD_EUNSUPPORTED, "%s has one flash bank: there is nothing to swap",
				    c->part->name);
	return 0;
}

/* The swap in effect, from the family's bank_swapped hook. */
static const char *opt_swapped_now(struct swdd_target *t)
{
	const struct stm32_family *f = swdd_target_family(t);
	int sw = 0;

	if (!f->bank_swapped || f->bank_swapped(t, &sw))
		return "in an unknown state (the register could not be read)";
	return sw ? "swapped" : "not swapped";
}

/* bank-swap on|off [reset] */
static int mon_bank_swap(struct gdb_server *s, int argc, char **argv)
{
	static char out[OPT_TEXT];
	const struct stm32_opt_field *f = NULL;
	struct stm32_opt_change ch;
	char word[40], *w = word;
	bool reset = argc == 3 && !strcmp(argv[2], "reset");
	int rc = mon_target(s);

	if (!rc && ((strcmp(argv[1], "on") && strcmp(argv[1], "off")) || (argc == 3 && !reset)))
		return swdd_err_set(SWDD_EINVAL, "usage: bank-swap on|off [reset]");
	if (!rc)
		rc = opt_swap_field(s->target, &f);
	snprintf(word, sizeof(word), "%s=%d", f ? f->name : "", !strcmp(argv[1], "on"));
	if (!rc)
		rc = opt_set(s->target, 1, &w, false, "", &ch);
	if (rc)
		return rc;
	opt_set_report(&ch, out, sizeof(out));
	if (!ch.swap_changed)
		snprintf(out + strlen(out), sizeof(out) - strlen(out),
			 "SWAP_BANK was already %s; the banks are %s now\n", argv[1],
			 opt_swapped_now(s->target));
	mon_print_lines(s, out);
	if (!reset) {
		monitor_printf(s, "`monitor reset halt` (or `monitor bank-swap %s reset`) applies it now\n",
			       argv[1]);
		return 0;
	}
	rc = swdd_target_reset(s->target, SWDD_RESET_AUTO, true);
	if (rc)
		return rc;
	monitor_printf(s, "reset: the banks are %s now\n", opt_swapped_now(s->target));
	monitor_print_pc_sp(s);
	return 0;
}

const struct monitor_cmd cmd_option_monitor_cmds[] = {
	{ "option", mon_option, "option [set FIELD=VALUE... [confirm]]",
	  "decode the option bytes (no halt needed); set changes fields, `confirm` for those that can "
	  "lock you out",
	  0, MONITOR_MAX_ARGS },
	{ "bank-swap", mon_bank_swap, "bank-swap on|off [reset]",
	  "swap the flash banks at the next reset (what changes is explained); reset: now", 1, 2 },
};
const size_t cmd_option_monitor_count = sizeof(cmd_option_monitor_cmds) / sizeof(cmd_option_monitor_cmds[0]);

/* ---- swdd option [set ...] ------------------------------------------------ */

static void opt_json_state(struct json_out *j, const struct stm32_opt_state *st)
{
	json_open(j, "registers", '{');
	for (size_t i = 0; i < st->fam->num_opt_regs; i++) {
		char hex[16];

		snprintf(hex, sizeof(hex), "0x%08X", st->val[i]);
		if (st->present >> i & 1U)
			json_str(j, st->fam->opt_regs[i].name, hex);
	}
	json_close(j, '}');
	json_open(j, "fields", '{');
	for (size_t i = 0; i < st->fam->num_opt_fields; i++) {
		const struct stm32_opt_field *f = &st->fam->opt_fields[i];
		char v[64];

		if (!stm32_option_field_present(st, f))
			continue;
		stm32_option_value_text(st, f, v, sizeof(v));
		json_open(j, f->name, '{');
		json_int(j, "value", stm32_option_field_get(st, f));
		json_str(j, "text", v);
		json_bool(j, "read_only", f->ro);
		json_close(j, '}');
	}
	json_close(j, '}');
}

static void opt_print(const struct cmd_target_run *r, const struct stm32_opt_state *st, const char *text,
		      const struct stm32_opt_change *ch, bool reset)
{
	struct json_out j;

	if (!r->o->json) {
		fputs(text, stdout);
		return;
	}
	json_begin(&j, stdout);
	json_str(&j, "result", "ok");
	json_str(&j, "chip", st->part->name);
	json_str(&j, "family", st->fam->name);
	json_str(&j, "manual", st->fam->manual);
	json_str(&j, "connect", r->o->connect.mode == SWDD_CONNECT_ATTACH ? "attach" : "halt");
	if (ch) {
		json_str(&j, "changes", text);
		json_bool(&j, "mass_erased", ch->rdp_regress);
		json_bool(&j, "reset", reset);
	}
	opt_json_state(&j, st);
	json_int(&j, "exit_code", 0);
	json_end(&j);
}

static int opt_show(struct cmd_target_run *r)
{
	static char text[OPT_TEXT];
	struct stm32_opt_state st;
	int rc = stm32_option_read(r->a.target, &st);

	if (!rc && !r->o->json)
		rc = stm32_option_text(r->a.target, text, sizeof(text));
	if (rc)
		return cmd_target_fail(r, CMD_EXIT_TARGET, rc);
	opt_print(r, &st, text, NULL, false);
	return 0;
}

static int opt_exit_code(int rc)
{
	return rc == SWDD_EINVAL ? CMD_EXIT_USAGE : rc == SWDD_EUNSUPPORTED ? CMD_EXIT_USAGE : CMD_EXIT_FLASH;
}

static int opt_set_main(struct cmd_target_run *r)
{
	static char text[OPT_TEXT];
	const struct cli_opts *o = r->o;
	struct stm32_opt_change ch;
	bool reset = false;
	int rc = opt_set(r->a.target, o->noption_words, o->option_words, o->yes, "--yes", &ch);

	if (rc)
		return cmd_target_fail(r, opt_exit_code(rc), rc);
	opt_set_report(&ch, text, sizeof(text));
	if (ch.effects[0] && !o->no_reset) {
		rc = swdd_target_reset(r->a.target, o->connect.reset, false);
		if (!rc)
			rc = stm32_option_read(r->a.target, &ch.now);
		if (rc)
			return cmd_target_fail(r, CMD_EXIT_TARGET, rc);
		reset = true;
		strncat(text, "reset: the chip runs with the new option bytes\n",
			sizeof(text) - strlen(text) - 1);
	} else if (ch.effects[0]) {
		strncat(text, "--no-reset: `swdd reset` applies it\n", sizeof(text) - strlen(text) - 1);
	}
	opt_print(r, &ch.now, text, &ch, reset);
	return 0;
}

int cmd_option_main(const struct cli_opts *o)
{
	struct cli_opts co = *o;
	struct cmd_target_run r;

	/* reading disturbs nothing: hot plug unless --connect says otherwise */
	if (!o->option_set && !o->connect_set)
		co.connect.mode = SWDD_CONNECT_ATTACH;
	if (cmd_target_open(&r, &co)) {
		if (r.open && co.connect.mode == SWDD_CONNECT_ATTACH && !o->connect_set)
			fprintf(stderr, "swdd: hint: swdd option connects in attach mode (no reset); a chip "
					"whose firmware sleeps without its debug bits or turned SWD off "
					"answers after a reset: swdd option --connect under-reset\n");
		return cmd_target_close(&r, false);
	}
	if (co.option_set)
		opt_set_main(&r);
	else
		opt_show(&r);
	return cmd_target_close(&r, false);
}
