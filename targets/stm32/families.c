/*
 * The registered STM32 families (one line each) and the lookups over their
 * descriptors (family.h). A family is added by its own file and one entry
 * in STM32_FAMILY_LIST; see docs/ARCHITECTURE.md.
 */
#include "family.h"

#include "swdd_err.h"

#include <stdio.h>

#define STM32_FAMILY_LIST(X)                                                                                 \
	X(stm32f4_family)                                                                                    \
	X(stm32h7_family)

#define STM32_DECLARE(f) extern const struct stm32_family f;
#define STM32_ENTRY(f) &f,
STM32_FAMILY_LIST(STM32_DECLARE)

const struct stm32_family *const stm32_families[] = { STM32_FAMILY_LIST(STM32_ENTRY) NULL };

const struct stm32_part *stm32_part_at(size_t i)
{
	for (size_t n = 0; stm32_families[n]; n++) {
		if (i < stm32_families[n]->num_parts)
			return &stm32_families[n]->parts[i];
		i -= stm32_families[n]->num_parts;
	}
	return NULL;
}

const struct stm32_part *stm32_part_find(uint16_t dev_id)
{
	for (size_t i = 0; stm32_families[i]; i++) {
		const struct stm32_family *f = stm32_families[i];

		for (size_t k = 0; k < f->num_parts; k++)
			if (f->parts[k].dev_id == dev_id)
				return &f->parts[k];
	}
	return NULL;
}

const char *stm32_rev_name(const struct stm32_family *f, uint16_t rev_id)
{
	for (size_t i = 0; f && i < f->num_revs; i++)
		if (f->revs[i].rev_id == rev_id)
			return f->revs[i].name;
	return "?";
}

size_t stm32_bits_text(const struct stm32_hint *h, size_t nh, uint32_t bits, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nh; i++) {
		if (!(bits & h[i].bits) || n >= len)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", h[i].text);
	}
	return n;
}

void stm32_hints_text(const struct stm32_family *f, uint32_t bits, char *buf, size_t len)
{
	if (!stm32_bits_text(f->hints, f->num_hints, bits, buf, len))
		snprintf(buf, len, "no error bits set (SR = 0x%08X)", bits);
}

static uint32_t stm32_bank_size(const struct stm32_part *p)
{
	uint32_t sz = 0;

	for (size_t i = 0; i < p->num_runs; i++)
		sz += p->sectors[i].count * p->sectors[i].size;
	return sz;
}

/* Walks one bank's runs up to `limit` bytes. */
static int stm32_sector_in_bank(const struct stm32_part *p, uint32_t limit, uint32_t off, unsigned *index,
				uint32_t *start, uint32_t *size)
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

int stm32_sector_find(const struct stm32_part *p, uint32_t flash_size, uint32_t addr, unsigned *index,
		      uint32_t *start, uint32_t *size)
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
			    flash_size / 1024U, p->name);
}
