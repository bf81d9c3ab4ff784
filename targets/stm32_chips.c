/*
 * STM32 part table and identification.
 *
 * F4 rows follow RM0090 (F405/407/415/417, F42x/43x; 2.3 memory map,
 * 3.3 flash organisation, 38.6.1 DBGMCU_IDCODE, 39.1 flash size register)
 * and RM0368/RM0383/RM0390/RM0401/RM0402/RM0430 for F401/F411/F446/F410/
 * F412/F413 (same registers, fewer or more 128 KiB sectors). More
 * families are more rows: a family struct and its parts.
 */
#include "cortex_m_internal.h"
#include "probe.h"
#include "stm32_chips.h"
#include "swdd_err.h"
#include "swdd_log.h"

#include <stdio.h>
#include <string.h>

#define KIB 1024U
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define DBGMCU_IDCODE_DEV_ID(v) ((uint16_t)((v) & 0xFFFU))
#define DBGMCU_IDCODE_REV_ID(v) ((uint16_t)((v) >> 16))
#define DBGMCU_CR_OFFSET 4U
#define STM32F4_DBGMCU_CR_LOWPOWER 0x7U /* DBG_SLEEP | DBG_STOP | DBG_STANDBY, RM0090 38.16.3 */

/* Revision codes shared by the F4 lines (RM0090 38.6.1 and the F4
 * errata sheets). */
static const struct stm32_rev stm32f4_revs[] = {
	{ .rev_id = 0x1000, .name = "A" },
	{ .rev_id = 0x1001, .name = "Z" },
	{ .rev_id = 0x1003, .name = "Y" },
	{ .rev_id = 0x1007, .name = "1" },
	{ .rev_id = 0x2001, .name = "3" },
};

static const struct stm32_family stm32f4 = {
	.name = "STM32F4",
	.manual = "RM0090",
	.dbgmcu_base = 0xE0042000U,
	.dbgmcu_cr_set = STM32F4_DBGMCU_CR_LOWPOWER,
	.flash_size_reg = 0x1FFF7A22U,
	.uid_base = 0x1FFF7A10U, /* RM0090 39.1 unique device ID register */
	.flash_ctrl_base = 0x40023C00U,
	.rdp_reg = 0x40023C14U, /* FLASH_OPTCR, RDP in [15:8] (RM0090 3.9.10) */
	.rdp_shift = 8,
	.revs = stm32f4_revs,
	.num_revs = ARRAY_LEN(stm32f4_revs),
};

/* 4 x 16 KiB, 1 x 64 KiB, then n x 128 KiB (RM0090 table 5). */
#define F4_SECTORS(n128)                                                                 \
	{ { .count = 4, .size = 16 * KIB }, { .count = 1, .size = 64 * KIB },            \
	  { .count = (n128), .size = 128 * KIB } }

static const struct stm32_sector_run f4_1m[] = F4_SECTORS(7);
static const struct stm32_sector_run f4_1m5[] = F4_SECTORS(11);
static const struct stm32_sector_run f4_512k[] = F4_SECTORS(3);
static const struct stm32_sector_run f4_256k[] = F4_SECTORS(1);
static const struct stm32_sector_run f4_128k[] = { { .count = 4, .size = 16 * KIB },
						   { .count = 1, .size = 64 * KIB } };

#define F4_PART(id, nm, flash, bank2, sram, layout)                                      \
	{ .dev_id = (id), .name = (nm), .family = &stm32f4, .flash_base = 0x08000000U,   \
	  .max_flash = (flash), .bank2_base = (bank2), .sram_base = 0x20000000U,         \
	  .sram_size = (sram), .sectors = (layout), .num_runs = ARRAY_LEN(layout) }

static const struct stm32_part stm32_parts[] = {
	F4_PART(0x413, "STM32F405/407/415/417", 1024 * KIB, 0, 128 * KIB, f4_1m),
	F4_PART(0x419, "STM32F42x/43x", 2048 * KIB, 0x08100000U, 192 * KIB, f4_1m),
	F4_PART(0x434, "STM32F469/479", 2048 * KIB, 0x08100000U, 384 * KIB, f4_1m),
	F4_PART(0x423, "STM32F401xB/C", 256 * KIB, 0, 64 * KIB, f4_256k),
	F4_PART(0x433, "STM32F401xD/E", 512 * KIB, 0, 96 * KIB, f4_512k),
	F4_PART(0x431, "STM32F411xC/E", 512 * KIB, 0, 128 * KIB, f4_512k),
	F4_PART(0x421, "STM32F446", 512 * KIB, 0, 128 * KIB, f4_512k),
	F4_PART(0x458, "STM32F410", 128 * KIB, 0, 32 * KIB, f4_128k),
	F4_PART(0x441, "STM32F412", 1024 * KIB, 0, 256 * KIB, f4_1m),
	F4_PART(0x463, "STM32F413/423", 1536 * KIB, 0, 320 * KIB, f4_1m5),
};

const struct stm32_part *stm32_part_at(size_t i)
{
	return i < ARRAY_LEN(stm32_parts) ? &stm32_parts[i] : NULL;
}

const struct stm32_part *stm32_part_find(uint16_t dev_id)
{
	for (size_t i = 0; i < ARRAY_LEN(stm32_parts); i++)
		if (stm32_parts[i].dev_id == dev_id)
			return &stm32_parts[i];
	return NULL;
}

const char *stm32_rev_name(const struct stm32_family *f, uint16_t rev_id)
{
	for (size_t i = 0; f && i < f->num_revs; i++)
		if (f->revs[i].rev_id == rev_id)
			return f->revs[i].name;
	return "?";
}

int stm32_rdp_level(uint8_t rdp)
{
	return rdp == 0xAA ? 0 : rdp == 0xCC ? 2 : 1;
}

static uint32_t stm32_bank_size(const struct stm32_part *p)
{
	uint32_t sz = 0;

	for (size_t i = 0; i < p->num_runs; i++)
		sz += p->sectors[i].count * p->sectors[i].size;
	return sz;
}

/* Walks one bank's runs up to `limit` bytes. */
static int stm32_sector_in_bank(const struct stm32_part *p, uint32_t limit, uint32_t off,
				unsigned *index, uint32_t *start, uint32_t *size)
{
	uint32_t pos = 0;
	unsigned n = 0;

	for (size_t r = 0; r < p->num_runs; r++) {
		for (unsigned k = 0; k < p->sectors[r].count && pos < limit; k++, n++) {
			if (off < pos + p->sectors[r].size) {
				*index = n;
				*start = pos;
				*size = p->sectors[r].size;
				return 0;
			}
			pos += p->sectors[r].size;
		}
	}
	return SWDD_ERANGE;
}

int stm32_sector_find(const struct stm32_part *p, uint32_t flash_size, uint32_t addr,
		      unsigned *index, uint32_t *start, uint32_t *size)
{
	uint32_t bank = stm32_bank_size(p), bank1 = flash_size < bank ? flash_size : bank;
	unsigned per_bank = 0;
	int rc;

	for (size_t r = 0; r < p->num_runs; r++)
		per_bank += p->sectors[r].count;
	if (addr >= p->flash_base && addr - p->flash_base < bank1) {
		rc = stm32_sector_in_bank(p, bank1, addr - p->flash_base, index, start, size);
		*start += p->flash_base;
		return rc;
	}
	if (p->bank2_base && flash_size > bank && addr >= p->bank2_base &&
	    addr - p->bank2_base < flash_size - bank) {
		rc = stm32_sector_in_bank(p, flash_size - bank, addr - p->bank2_base, index, start, size);
		*index += per_bank;
		*start += p->bank2_base;
		return rc;
	}
	return swdd_err_set(SWDD_ERANGE, "0x%08x is not in the %u KiB of flash of %s", addr,
			    flash_size / KIB, p->name);
}

/* ---- identification -------------------------------------------------- */

static int stm32_read_u16(struct swdd_target *t, uint32_t addr, uint16_t *val)
{
	uint8_t b[2];
	int rc = swdd_probe_read_mem_width(t->probe, addr, b, 2, 2);

	if (rc == 0)
		*val = (uint16_t)(b[0] | b[1] << 8);
	return rc;
}

/* The unique ID as hex, byte 0 (lowest address) first; left empty when
 * the family has none or it cannot be read (RDP level 2 hides it). */
static void stm32_read_uid(struct swdd_target *t, uint32_t addr)
{
	uint32_t w[3];

	t->chip.unique_id[0] = '\0';
	for (unsigned i = 0; addr && i < 3; i++)
		if (cm_read32(t, addr + 4 * i, &w[i]) != 0)
			return;
	for (unsigned i = 0; addr && i < 12; i++)
		snprintf(t->chip.unique_id + 2 * i, 3, "%02X", (w[i / 4] >> (8 * (i % 4))) & 0xFFU);
}

static void stm32_fill_part(struct swdd_target *t, const struct stm32_part *p)
{
	const struct stm32_family *f = p->family;
	uint16_t kib = 0;
	uint32_t opt;

	t->chip.name = p->name;
	t->chip.part = p;
	t->chip.flash_base = p->flash_base;
	t->chip.flash_ctrl_base = f->flash_ctrl_base;
	t->chip.sram_base = p->sram_base;
	t->chip.sram_size = p->sram_size;
	snprintf(t->chip.revision, sizeof(t->chip.revision), "%s", stm32_rev_name(f, t->chip.rev_id));
	if (stm32_read_u16(t, f->flash_size_reg, &kib) == 0 && kib != 0 && kib != 0xFFFF)
		t->chip.flash_size = kib * KIB;
	else
		swdd_warn("could not read the flash size register at 0x%08x; assuming %u KiB",
			  f->flash_size_reg, p->max_flash / KIB);
	if (!t->chip.flash_size)
		t->chip.flash_size = p->max_flash;
	if (cm_read32(t, f->rdp_reg, &opt) == 0)
		t->chip.rdp_level = stm32_rdp_level((uint8_t)(opt >> f->rdp_shift));
	stm32_read_uid(t, f->uid_base);
	t->dbgmcu_cr_addr = f->dbgmcu_base + DBGMCU_CR_OFFSET;
	t->dbgmcu_cr_set = f->dbgmcu_cr_set;
}

/* Tries the DBGMCU_IDCODE addresses this core can have; the first that
 * reads a plausible DEV_ID wins. */
static void stm32_read_idcode(struct swdd_target *t, const uint32_t *addrs, size_t n)
{
	uint32_t v;

	for (size_t i = 0; i < n && addrs[i]; i++) {
		if (cm_read32(t, addrs[i], &v) != 0)
			continue;
		if (DBGMCU_IDCODE_DEV_ID(v) != 0 && DBGMCU_IDCODE_DEV_ID(v) != 0xFFF) {
			t->chip.dbgmcu_idcode = v;
			t->chip.dev_id = DBGMCU_IDCODE_DEV_ID(v);
			t->chip.rev_id = DBGMCU_IDCODE_REV_ID(v);
			return;
		}
	}
}

static void stm32_log_chip(const struct swdd_target *t)
{
	const struct swdd_chip_info *c = &t->chip;
	char volts[32] = "unknown";

	if (c->voltage_mv >= 0)
		snprintf(volts, sizeof(volts), "%d.%02d V", c->voltage_mv / 1000, (c->voltage_mv % 1000) / 10);
	swdd_info("%s rev %s (DEV_ID 0x%03x), %s%s, %u KiB flash, RDP level %d, target supply %s", c->name,
		  c->revision, c->dev_id, c->core, c->has_fpu ? " with FPU" : "", c->flash_size / KIB,
		  c->rdp_level, volts);
}

int stm32_identify(struct swdd_target *t)
{
	const struct stm32_part *p;
	uint32_t addrs[CM_MAX_IDCODE_ADDRS];
	size_t n;
	int rc = cm_identify_core(t, addrs, &n);

	if (rc)
		return rc;
	stm32_read_idcode(t, addrs, n);
	if (swdd_probe_voltage(t->probe, &t->chip.voltage_mv))
		t->chip.voltage_mv = -1;
	p = t->chip.dev_id ? stm32_part_find(t->chip.dev_id) : NULL;
	if (p) {
		stm32_fill_part(t, p);
	} else {
		snprintf(t->name_buf, sizeof(t->name_buf), "unknown part (DEV_ID 0x%03x)", t->chip.dev_id);
		t->chip.name = t->name_buf;
		snprintf(t->chip.revision, sizeof(t->chip.revision), "?");
		swdd_warn("%s: not in swdd's STM32 table; debugging works, flash programming will not",
			  t->name_buf);
	}
	stm32_log_chip(t);
	return 0;
}
