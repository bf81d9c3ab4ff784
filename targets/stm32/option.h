/*
 * Option bytes of any STM32 family, from the family's rows (family.h:
 * opt_regs, opt_fields, option_write): read them without halting or
 * resetting the core (they are plain memory reads of the flash
 * controller, so they work in attach/hot-plug mode), decode every field,
 * parse `FIELD=VALUE` changes, name the risky ones, apply a change and
 * read it back. Used by `monitor option`, `monitor bank-swap`,
 * `swdd option` (server/cmd_option.c) and the unlock_rdp hooks.
 */
#ifndef SWDD_STM32_OPTION_H
#define SWDD_STM32_OPTION_H

#include "family.h"
#include "swdd_err.h"

#include <stdbool.h>

#define STM32_OPT_MAX_REGS 16

/* The option registers of the connected part, as read. */
struct stm32_opt_state {
	const struct stm32_family *fam;
	const struct stm32_part *part;
	uint32_t present; /* bit i: opt_regs[i] exists on this part */
	uint32_t val[STM32_OPT_MAX_REGS];
};

/* A planned change (stm32_option_plan) and, after stm32_option_apply, its
 * result. */
struct stm32_opt_change {
	struct stm32_opt_state old, now;
	uint32_t changed;  /* bit i: opt_regs[i] gets a new value */
	uint64_t fields;   /* bit i: opt_fields[i] was named */
	char risks[1024];  /* what the risky changes would do; "" if none */
	char effects[512]; /* when changes take effect, if not at once */
	bool swap_changed; /* the bank-swap field changes */
	bool rdp_regress;  /* RDP leaves level 1 for level 0: mass erase */
};

/* Reads every option register of the part. SWDD_EUNSUPPORTED (with the
 * family named) when the family has no option rows. */
SWDD_MUST_CHECK int stm32_option_read(struct swdd_target *t, struct stm32_opt_state *st);
/* Whether the field exists on the part that st was read from. */
bool stm32_option_field_present(const struct stm32_opt_state *st, const struct stm32_opt_field *f);
uint32_t stm32_option_field_get(const struct stm32_opt_state *st, const struct stm32_opt_field *f);
/* The value as shown: "0xAA (level 0)", "0x08000000", "1", "0xFF". */
void stm32_option_value_text(const struct stm32_opt_state *st, const struct stm32_opt_field *f, char *buf,
			     size_t len);
/* The whole report (registers, then one line per field with its meaning). */
SWDD_MUST_CHECK int stm32_option_text(struct swdd_target *t, char *buf, size_t len);

/* Reads the options and plans `words` (FIELD=VALUE each) against them:
 * unknown or read-only fields, values that do not fit, fields the part
 * lacks are SWDD_EINVAL naming the word. Fills ch->risks for the risky
 * ones; nothing is written. */
SWDD_MUST_CHECK int stm32_option_plan(struct swdd_target *t, int n, char **words,
				      struct stm32_opt_change *ch);
/* Writes a planned change through the family's option_write, reads the
 * options back into ch->now and checks that every named field holds its
 * new value (SWDD_EFLASH naming the field otherwise). */
SWDD_MUST_CHECK int stm32_option_apply(struct swdd_target *t, struct stm32_opt_change *ch);
/* The family's bank-swap field, NULL if it has none. */
const struct stm32_opt_field *stm32_option_swap_field(const struct stm32_family *f);
/* The field called name (case-insensitive), NULL if none. */
const struct stm32_opt_field *stm32_option_field(const struct stm32_family *f, const char *name);
/* RDP level of a readout-protection byte (0xAA: 0, 0xCC: 2, else 1). */
int stm32_option_rdp_level(uint32_t rdp_byte);
/* For option_write hooks: polls the 32-bit register at addr until the
 * bits of busy are clear (*val: its last value), at most timeout_ms of
 * wall time; SWDD_ETIMEOUT naming `what` and the bound, or SWDD_ECANCELED
 * on SIGINT/SIGTERM (the change goes on in the chip). */
SWDD_MUST_CHECK int stm32_option_wait(struct swdd_target *t, uint32_t addr, uint32_t busy,
				      uint32_t timeout_ms, const char *what, uint32_t *val);
/* The family's RDP 1 -> 0 regression through option_write ("RDP=0"):
 * what unlock_rdp hooks call. */
SWDD_MUST_CHECK int stm32_option_unlock_rdp(struct swdd_target *t);

#endif
