/*
 * STM32 part table: const rows per DEV_ID (STYLE.md point 3), shared by the
 * identification code (targets/) and the flash layer (sector layout, flash
 * controller base). Facts from the reference manuals named per family in
 * stm32_chips.c (RM0090 for the F4 family).
 */
#ifndef SWDD_STM32_CHIPS_H
#define SWDD_STM32_CHIPS_H

#include <stddef.h>
#include <stdint.h>

/* `count` consecutive sectors of `size` bytes. */
struct stm32_sector_run {
	uint16_t count;
	uint32_t size;
};

struct stm32_rev {
	uint16_t rev_id;
	const char *name; /* "A", "Z", "1" */
};

/* What a family shares: where its identification and option registers
 * are, and its silicon revision names. */
struct stm32_family {
	const char *name;          /* "STM32F4" */
	const char *manual;        /* "RM0090" */
	uint32_t dbgmcu_base;      /* DBGMCU_IDCODE; DBGMCU_CR at +4 */
	uint32_t dbgmcu_cr_set;    /* DBGMCU_CR bits swdd sets while attached */
	uint32_t flash_size_reg;   /* u16, KiB */
	uint32_t uid_base;         /* 96-bit unique device ID (12 bytes) */
	uint32_t flash_ctrl_base;
	uint32_t rdp_reg;          /* register holding the RDP byte */
	uint8_t rdp_shift;
	const struct stm32_rev *revs;
	size_t num_revs;
};

struct stm32_part {
	uint16_t dev_id;
	const char *name;          /* "STM32F405/407/415/417" */
	const struct stm32_family *family;
	uint32_t flash_base;
	uint32_t max_flash;        /* largest flash of the line, bytes */
	uint32_t bank2_base;       /* 0: one bank; else bank 2 repeats `sectors` there */
	uint32_t sram_base, sram_size;
	const struct stm32_sector_run *sectors; /* one bank, up to max_flash (per bank) */
	size_t num_runs;
};

/* Row i of the part table (for listings), NULL past the end. */
const struct stm32_part *stm32_part_at(size_t i);
/* The row for a DEV_ID, NULL if unknown. */
const struct stm32_part *stm32_part_find(uint16_t dev_id);
/* Revision name for a REV_ID ("?" if unknown). */
const char *stm32_rev_name(const struct stm32_family *f, uint16_t rev_id);
/* Sector containing addr in a part with flash_size bytes: index (bank 2
 * sectors follow bank 1's), start and size. SWDD_ERANGE outside flash. */
int stm32_sector_find(const struct stm32_part *p, uint32_t flash_size, uint32_t addr,
		      unsigned *index, uint32_t *start, uint32_t *size);
/* RDP level from the option byte: 0xAA = 0, 0xCC = 2, else 1 (RM0090 3.7.3). */
int stm32_rdp_level(uint8_t rdp);

#endif
