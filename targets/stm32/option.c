/*
 * Option bytes from the family's rows (option.h, family.h). Nothing here
 * knows a family: the registers, their fields, what a field means and
 * what changing it risks are the family's const data; the sequence that
 * writes them is its option_write hook. Reading is plain memory reads of
 * the flash controller's registers through the MEM-AP, which the core
 * need not be halted for (attach / hot plug).
 */
#include "option.h"
#include "probe.h"

#include "swdd_cancel.h"
#include "swdd_err.h"
#include "swdd_le.h"
#include "target.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* RDP bytes common to every STM32 (RM0090 3.7.3, RM0433 4.5.3): level 0,
 * the level 1 value written when asked for "1", level 2. */
#define OPT_RDP_L0 0xAAU
#define OPT_RDP_L1 0xBBU
#define OPT_RDP_L2 0xCCU

int stm32_option_rdp_level(uint32_t rdp_byte)
{
	return rdp_byte == OPT_RDP_L0 ? 0 : rdp_byte == OPT_RDP_L2 ? 2 : 1;
}

static uint32_t opt_mask(const struct stm32_opt_field *f)
{
	return f->width >= 32 ? 0xFFFFFFFFU : (1U << f->width) - 1U;
}

static bool opt_row_on_part(const struct stm32_part *p, uint16_t dev_id, uint8_t bank2)
{
	return (!dev_id || dev_id == p->dev_id) && (!bank2 || p->bank2_base);
}

bool stm32_option_field_present(const struct stm32_opt_state *st, const struct stm32_opt_field *f)
{
	return (st->present >> f->reg & 1U) && opt_row_on_part(st->part, f->dev_id, f->bank2);
}

uint32_t stm32_option_field_get(const struct stm32_opt_state *st, const struct stm32_opt_field *f)
{
	return st->val[f->reg] >> f->shift & opt_mask(f);
}

static void opt_field_put(struct stm32_opt_state *st, const struct stm32_opt_field *f, uint32_t v)
{
	uint32_t m = opt_mask(f) << f->shift;

	st->val[f->reg] = (st->val[f->reg] & ~m) | (v << f->shift & m);
}

int stm32_option_read(struct swdd_target *t, struct stm32_opt_state *st)
{
	const struct swdd_chip_info *c = swdd_target_chip(t);
	const struct stm32_family *fam = c->part ? c->part->family : NULL;

	memset(st, 0, sizeof(*st));
	if (!fam || !fam->num_opt_regs)
		return swdd_err_set(SWDD_EUNSUPPORTED, "swdd has no option byte support for %s",
				    fam       ? fam->name
				    : c->name ? c->name
					      : "this chip");
	st->fam = fam;
	st->part = c->part;
	for (size_t i = 0; i < fam->num_opt_regs && i < STM32_OPT_MAX_REGS; i++) {
		const struct stm32_opt_reg *r = &fam->opt_regs[i];
		uint8_t b[4];
		int rc;

		if (!opt_row_on_part(c->part, r->dev_id, r->bank2))
			continue;
		rc = swdd_target_mem_read(t, r->cur, b, 4);
		if (rc)
			return swdd_err_add(rc, "reading the option register %s at 0x%08X", r->name, r->cur);
		st->val[i] = swdd_le32(b);
		st->present |= 1U << i;
	}
	return 0;
}

void stm32_option_value_text(const struct stm32_opt_state *st, const struct stm32_opt_field *f, char *buf,
			     size_t len)
{
	uint32_t v = stm32_option_field_get(st, f);

	switch (f->kind) {
	case STM32_OPT_RDP:
		snprintf(buf, len, "0x%02X (level %d)", v, stm32_option_rdp_level(v));
		break;
	case STM32_OPT_ADDR:
		snprintf(buf, len, "0x%08X", v << 16);
		break;
	case STM32_OPT_MASK:
		snprintf(buf, len, "0x%0*X (protected: 0x%0*X)", (f->width + 3) / 4, v, (f->width + 3) / 4,
			 ~v & opt_mask(f));
		break;
	default:
		snprintf(buf, len, f->width > 4 ? "0x%X" : "%u", v);
	}
}

int stm32_option_text(struct swdd_target *t, char *buf, size_t len)
{
	struct stm32_opt_state st;
	size_t n = 0;
	int rc = stm32_option_read(t, &st);

	if (rc)
		return rc;
	n += (size_t)snprintf(buf + n, len - n, "%s option bytes (%s), in effect:\n", st.fam->name,
			      st.fam->manual);
	for (size_t i = 0; i < st.fam->num_opt_regs && n < len; i++)
		if (st.present >> i & 1U)
			n += (size_t)snprintf(buf + n, len - n, "  %-10s 0x%08X (0x%08X)\n",
					      st.fam->opt_regs[i].name, st.val[i], st.fam->opt_regs[i].cur);
	for (size_t i = 0; i < st.fam->num_opt_fields && n < len; i++) {
		const struct stm32_opt_field *f = &st.fam->opt_fields[i];
		char v[64];

		if (!stm32_option_field_present(&st, f))
			continue;
		stm32_option_value_text(&st, f, v, sizeof(v));
		n += (size_t)snprintf(buf + n, len - n, "  %-16s %-26s %s%s\n", f->name, v, f->meaning,
				      f->ro ? " (read only)" : "");
	}
	return 0;
}

const struct stm32_opt_field *stm32_option_field(const struct stm32_family *f, const char *name)
{
	for (size_t i = 0; f && i < f->num_opt_fields; i++)
		if (!strcasecmp(f->opt_fields[i].name, name))
			return &f->opt_fields[i];
	return NULL;
}

const struct stm32_opt_field *stm32_option_swap_field(const struct stm32_family *f)
{
	for (size_t i = 0; f && i < f->num_opt_fields; i++)
		if (f->opt_fields[i].swap)
			return &f->opt_fields[i];
	return NULL;
}

/* A whole word as a number: decimal, 0x hex; no sign, blank or overflow. */
static bool opt_number(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end || errno || v > 0xFFFFFFFFULL)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* The raw field value of a VALUE word, by the field's kind. */
static int opt_parse_value(const struct stm32_opt_field *f, const char *word, uint32_t *raw)
{
	uint32_t v;

	if (f->kind == STM32_OPT_BOOL && (!strcasecmp(word, "on") || !strcasecmp(word, "off"))) {
		*raw = !strcasecmp(word, "on");
		return 0;
	}
	if (!opt_number(word, &v))
		return swdd_err_set(SWDD_EINVAL, "%s takes a number, not '%s'", f->name, word);
	if (f->kind == STM32_OPT_RDP && v <= 2)
		v = v == 0 ? OPT_RDP_L0 : v == 1 ? OPT_RDP_L1 : OPT_RDP_L2;
	if (f->kind == STM32_OPT_ADDR) {
		if (v & 0xFFFFU)
			return swdd_err_set(SWDD_EINVAL,
					    "%s takes an address on a 64 KiB boundary "
					    "(such as 0x08000000), not '%s'",
					    f->name, word);
		v >>= 16;
	}
	if (v > opt_mask(f))
		return swdd_err_set(SWDD_EINVAL, "%s is %u bit%s wide: '%s' does not fit", f->name, f->width,
				    f->width == 1 ? "" : "s", word);
	*raw = v;
	return 0;
}

static bool opt_in(uint32_t a, uint32_t base, uint32_t size)
{
	return a >= base && a - base < size;
}

/* A boot address the part can fetch a vector table from. */
static bool opt_addr_mapped(const struct stm32_part *p, const struct stm32_opt_field *f, uint32_t a)
{
	if (opt_in(a, p->flash_base, p->max_flash)) /* both banks: bank 2 follows bank 1 */
		return true;
	for (size_t i = 0; i < STM32_MAX_RAMS && p->rams[i].name; i++)
		if (opt_in(a, p->rams[i].base, p->rams[i].size))
			return true;
	for (size_t i = 0; i < f->num_ok; i++)
		if (opt_in(a, f->ok[i].base, f->ok[i].size))
			return true;
	return false;
}

static bool opt_risky(const struct stm32_part *p, const struct stm32_opt_field *f, uint32_t old, uint32_t v)
{
	switch (f->risk) {
	case STM32_OPT_RISK_CHANGE:
		return old != v;
	case STM32_OPT_RISK_CLEAR:
		return (old & ~v) != 0;
	case STM32_OPT_RISK_SET:
		return (~old & v) != 0;
	case STM32_OPT_RISK_RDP:
		return stm32_option_rdp_level(old) != stm32_option_rdp_level(v);
	case STM32_OPT_RISK_ADDR:
		return old != v && !opt_addr_mapped(p, f, v << 16);
	default:
		return false;
	}
}

static void opt_note(char *buf, size_t len, const char *fmt, const char *name, const char *what)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, fmt, n ? "; " : "", name, what);
}

/* What a risky change would do, in the plan's words. */
static void opt_note_risk(struct stm32_opt_change *ch, const struct stm32_opt_field *f, uint32_t old,
			  uint32_t v)
{
	const char *why = f->why ? f->why : "it can lock you out of the chip";

	if (f->kind == STM32_OPT_RDP && stm32_option_rdp_level(old) == 1 && stm32_option_rdp_level(v) == 0) {
		ch->rdp_regress = true;
		why = "RDP level 1 -> 0 MASS-ERASES the whole flash (every bank) before the "
		      "level drops";
	} else if (f->kind == STM32_OPT_RDP && stm32_option_rdp_level(v) == 2) {
		why = "RDP level 2 is PERMANENT: debug access ends for good and the option bytes "
		      "can never change again";
	} else if (f->kind == STM32_OPT_ADDR) {
		size_t n = strlen(ch->risks);

		snprintf(ch->risks + n, sizeof(ch->risks) - n,
			 "%s%s: 0x%08X is not in the flash, a RAM or the system memory of %s: %s",
			 n ? "; " : "", f->name, v << 16, ch->old.part->name, why);
		return;
	}
	opt_note(ch->risks, sizeof(ch->risks), "%s%s: %s", f->name, why);
}

static int opt_plan_word(struct stm32_opt_change *ch, const char *word)
{
	const char *eq = strchr(word, '=');
	char name[32];
	const struct stm32_opt_field *f;
	uint32_t v = 0, old;
	int rc;

	if (!eq || eq == word || (size_t)(eq - word) >= sizeof(name))
		return swdd_err_set(SWDD_EINVAL, "'%s' is not FIELD=VALUE (`option` lists the fields)", word);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - word), word);
	f = stm32_option_field(ch->old.fam, name);
	if (!f)
		return swdd_err_set(SWDD_EINVAL, "%s has no option field '%s' (`option` lists the fields)",
				    ch->old.part->name, name);
	if (!stm32_option_field_present(&ch->old, f))
		return swdd_err_set(SWDD_EINVAL, "%s has no %s: %s", ch->old.part->name, f->name,
				    f->bank2 ? "it has one flash bank"
					     : "the field is on other parts of the family");
	if (f->ro)
		return swdd_err_set(SWDD_EINVAL, "%s is a status bit, read only: %s", f->name, f->meaning);
	rc = opt_parse_value(f, eq + 1, &v);
	if (rc)
		return rc;
	old = stm32_option_field_get(&ch->old, f);
	ch->fields |= 1ULL << (f - ch->old.fam->opt_fields);
	if (old == v)
		return 0;
	opt_field_put(&ch->now, f, v);
	ch->changed |= 1U << f->reg;
	ch->swap_changed |= f->swap;
	if (opt_risky(ch->old.part, f, old, v))
		opt_note_risk(ch, f, old, v);
	if (f->effect)
		opt_note(ch->effects, sizeof(ch->effects), "%s%s takes effect %s", f->name, f->effect);
	return 0;
}

int stm32_option_plan(struct swdd_target *t, int n, char **words, struct stm32_opt_change *ch)
{
	int rc;

	memset(ch, 0, sizeof(*ch));
	rc = stm32_option_read(t, &ch->old);
	if (rc)
		return rc;
	if (!ch->old.fam->option_write)
		return swdd_err_set(SWDD_EUNSUPPORTED, "swdd cannot change the option bytes of %s yet",
				    ch->old.fam->name);
	ch->now = ch->old;
	if (n < 1)
		return swdd_err_set(SWDD_EINVAL, "usage: option set FIELD=VALUE [FIELD=VALUE...]");
	for (int i = 0; i < n; i++) {
		rc = opt_plan_word(ch, words[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int stm32_option_apply(struct swdd_target *t, struct stm32_opt_change *ch)
{
	const struct stm32_family *fam = ch->old.fam;
	struct stm32_opt_state back;
	int rc = 0;

	if (ch->changed)
		rc = fam->option_write(t, ch->now.val, ch->changed);
	if (!rc)
		rc = stm32_option_read(t, &back);
	if (rc)
		return rc;
	for (size_t i = 0; i < fam->num_opt_fields; i++) {
		const struct stm32_opt_field *f = &fam->opt_fields[i];
		uint32_t want = stm32_option_field_get(&ch->now, f);

		if ((ch->fields >> i & 1U) && stm32_option_field_get(&back, f) != want)
			return swdd_err_set(SWDD_EFLASH,
					    "the option change ended but %s reads 0x%X, not 0x%X: the "
					    "controller did not take it",
					    f->name, stm32_option_field_get(&back, f), want);
	}
	ch->now = back;
	return 0;
}

int stm32_option_wait(struct swdd_target *t, uint32_t addr, uint32_t busy, uint32_t timeout_ms,
		      const char *what, uint32_t *val)
{
	struct swdd_wait w;

	/* polls as well as the clock (probe.h): under a load average of 17
	 * the lab's chip had less time than the host's clock showed */
	swdd_wait_start(&w, swdd_target_probe(t), timeout_ms);
	do {
		uint8_t b[4];
		int rc = swdd_target_mem_read(t, addr, b, 4);

		*val = swdd_le32(b);
		if (rc || !(*val & busy))
			return rc;
		if (swdd_cancel_requested())
			return swdd_err_set(SWDD_ECANCELED,
					    "interrupted (SIGINT/SIGTERM) while %s was set: the option "
					    "change (and an RDP regression's mass erase) goes on in the "
					    "chip; read the option bytes again to see its outcome",
					    what);
	} while (!swdd_wait_over(&w));
	return swdd_err_set(SWDD_ETIMEOUT,
			    "%s still set %u ms after the option change started: it did not finish; "
			    "check the supply and retry",
			    what, timeout_ms);
}

int stm32_option_unlock_rdp(struct swdd_target *t)
{
	struct stm32_opt_change ch;
	const struct stm32_opt_field *f = NULL;
	char word[40];
	char *w = word;
	int rc;

	for (size_t i = 0; i < swdd_target_family(t)->num_opt_fields; i++)
		if (swdd_target_family(t)->opt_fields[i].kind == STM32_OPT_RDP)
			f = &swdd_target_family(t)->opt_fields[i];
	if (!f)
		return swdd_err_set(SWDD_EUNSUPPORTED, "no RDP field in the option rows");
	snprintf(word, sizeof(word), "%s=0", f->name);
	rc = stm32_option_plan(t, 1, &w, &ch);
	if (!rc && stm32_option_rdp_level(stm32_option_field_get(&ch.old, f)) == 2)
		return swdd_err_set(SWDD_EPROTECTED, "the chip is at RDP level 2, which is permanent: "
						     "it cannot be unlocked");
	return rc ? rc : stm32_option_apply(t, &ch);
}
