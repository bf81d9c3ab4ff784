/*
 * Which STM32 is behind the core: each registered family's DBGMCU_IDCODE
 * (RM0090 38.6.1 for F4) is read where that family keeps it, and the DEV_ID
 * is looked up in the family's parts (through the family's debug AP where it
 * has one, stm32/dbgmcu.c); then the part's facts (flash size
 * register, RAMs, RDP, debug settings) fill the target's chip information.
 */
#include "cortex_m_internal.h"
#include "family.h"
#include "probe.h"
#include "swdd_err.h"
#include "swdd_log.h"

#include <stdio.h>

#define KIB 1024U

struct stm32_id_read {
	uint32_t addr, value;
	int rc;
};

/* The unique ID as hex, byte 0 (lowest address) first; left empty when
 * the family has none or it cannot be read (RDP level 2 hides it). */
static int stm32_read_uid(struct swdd_target *t, uint32_t addr)
{
	uint32_t w[3];

	t->chip.unique_id[0] = '\0';
	for (unsigned i = 0; addr && i < 3; i++) {
		int rc = cm_read32(t, addr + 4 * i, &w[i]);

		if (rc)
			return swdd_err_probe_lost(rc) ? swdd_err_add(rc, "reading the unique ID") : 0;
	}
	for (unsigned i = 0; addr && i < 12; i++)
		snprintf(t->chip.unique_id + 2 * i, 3, "%02X", (w[i / 4] >> (8 * (i % 4))) & 0xFFU);
	return 0;
}

/* The part's facts. What the chip may refuse (a protected register) is
 * assumed from the part's table with a warning; a failed probe is
 * returned, since everything read after it would be a guess. */
static int stm32_fill_part(struct swdd_target *t, const struct stm32_part *p)
{
	const struct stm32_family *f = p->family;
	const struct stm32_ram *ram = &p->rams[p->algo_ram];
	uint8_t b[2];
	int level, rc;

	t->chip.name = p->name;
	t->chip.part = p;
	t->chip.flash_base = p->flash_base;
	t->chip.flash_ctrl_base = f->flash_ctrl_base;
	t->chip.sram_base = ram->base;
	t->chip.sram_size = ram->size;
	snprintf(t->chip.revision, sizeof(t->chip.revision), "%s", stm32_rev_name(f, t->chip.rev_id));
	rc = swdd_probe_read_mem_width(t->probe, f->flash_size_reg, b, 2, 2);
	if (swdd_err_probe_lost(rc))
		return swdd_err_add(rc, "reading the flash size register");
	if (rc == 0 && swdd_le16(b) != 0 && swdd_le16(b) != 0xFFFF)
		t->chip.flash_size = swdd_le16(b) * KIB;
	else
		swdd_warn("could not read the flash size register at 0x%08x; assuming %u KiB",
			  f->flash_size_reg, p->max_flash / KIB);
	if (!t->chip.flash_size)
		t->chip.flash_size = p->max_flash;
	rc = f->rdp_level(t, &level);
	if (swdd_err_probe_lost(rc))
		return swdd_err_add(rc, "reading the RDP level");
	if (rc == 0)
		t->chip.rdp_level = level;
	return stm32_read_uid(t, f->uid_base);
}

/* The family's DBGMCU_IDCODE (through its debug AP where it has one,
 * stm32/dbgmcu.c), read once per address however many families keep it
 * there. */
static int stm32_read_idcode(struct swdd_target *t, struct stm32_id_read *seen, size_t *nseen,
			     const struct stm32_family *f, uint32_t *v)
{
	uint32_t addr = f->dbgmcu_idcode;

	for (size_t i = 0; i < *nseen; i++)
		if (seen[i].addr == addr) {
			*v = seen[i].value;
			return seen[i].rc;
		}
	seen[*nseen].addr = addr;
	seen[*nseen].rc = cm_dbgmcu_read(t, f, addr, &seen[*nseen].value);
	*v = seen[*nseen].value;
	return seen[(*nseen)++].rc;
}

static void stm32_note_idcode(struct swdd_target *t, uint32_t v)
{
	t->chip.dbgmcu_idcode = v;
	t->chip.dev_id = STM32_IDCODE_DEV_ID(v);
	t->chip.rev_id = STM32_IDCODE_REV_ID(v);
}

/* The first family whose IDCODE names one of its parts wins (*out);
 * otherwise the first plausible IDCODE read is kept for the "unknown part"
 * message (*out NULL). An address another family's chip does not decode
 * may fault; a failed probe ends the search with its error. */
static int stm32_match(struct swdd_target *t, const struct stm32_part **out)
{
	struct stm32_id_read seen[8];
	size_t nseen = 0;
	bool noted = false;

	*out = NULL;
	for (size_t i = 0; stm32_families[i] && nseen < 8; i++) {
		const struct stm32_family *f = stm32_families[i];
		const struct stm32_part *p;
		uint32_t v;
		int rc = stm32_read_idcode(t, seen, &nseen, f, &v);

		if (swdd_err_probe_lost(rc))
			return swdd_err_add(rc, "reading DBGMCU_IDCODE at 0x%08x", f->dbgmcu_idcode);
		if (rc || STM32_IDCODE_DEV_ID(v) == 0 || STM32_IDCODE_DEV_ID(v) == 0xFFF)
			continue;
		p = stm32_part_find(STM32_IDCODE_DEV_ID(v));
		if (p && p->family == f) {
			stm32_note_idcode(t, v);
			*out = p;
			return 0;
		}
		if (!noted)
			stm32_note_idcode(t, v);
		noted = true;
	}
	return 0;
}

static void stm32_log_chip(const struct swdd_target *t)
{
	const struct swdd_chip_info *c = &t->chip;
	char volts[32] = "unknown";

	if (c->voltage_mv >= 0)
		snprintf(volts, sizeof(volts), "%d.%02d V", c->voltage_mv / 1000,
			 (c->voltage_mv % 1000) / 10);
	swdd_info("%s rev %s (DEV_ID 0x%03x), %s%s, %u KiB flash, RDP level %d, target supply %s", c->name,
		  c->revision, c->dev_id, c->core, c->has_fpu ? " with FPU" : "", c->flash_size / KIB,
		  c->rdp_level, volts);
}

int stm32_identify(struct swdd_target *t)
{
	const struct stm32_part *p = NULL;
	int rc = cm_identify_core(t);

	if (rc == 0)
		rc = stm32_match(t, &p);
	if (rc)
		return rc;
	rc = swdd_probe_voltage(t->probe, &t->chip.voltage_mv);
	if (swdd_err_probe_lost(rc))
		return rc;
	if (rc)
		t->chip.voltage_mv = -1;
	if (p) {
		rc = stm32_fill_part(t, p);
		if (rc)
			return rc;
	} else {
		snprintf(t->name_buf, sizeof(t->name_buf), "unknown part (DEV_ID 0x%03x)", t->chip.dev_id);
		t->chip.name = t->name_buf;
		snprintf(t->chip.revision, sizeof(t->chip.revision), "?");
		swdd_warn("%s: not in swdd's STM32 families; debugging works, flash programming will not",
			  t->name_buf);
	}
	stm32_log_chip(t);
	return 0;
}
