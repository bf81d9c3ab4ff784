/*
 * Per-family flash support: what the generic engine (flash.c) cannot know
 * from the FLM descriptor. One const instance per family
 * (stm32f4_flash.c, ...), chosen by DBGMCU DEV_ID.
 */
#ifndef SWDD_FLASH_FAMILY_H
#define SWDD_FLASH_FAMILY_H

#include <stddef.h>
#include <stdint.h>

struct swdd_target;

/* A built-in algorithm variant and the lowest target supply it may run at
 * (program/erase parallelism). */
struct swdd_flash_variant {
	int min_mv;
	const char *algo;   /* name for swdd_flm_builtin() */
	const char *what;   /* "x32 (2.7-3.6 V)" */
};

struct swdd_flash_family {
	const char *name;          /* "STM32F4" */
	const uint16_t *dev_ids;   /* DBGMCU DEV_IDs, 0-terminated */
	const char *builtin_algo;  /* name for swdd_flm_builtin() */
	/* Variants of the built-in algorithm by supply, highest min_mv first,
	 * the last one with min_mv 0. Optional (NULL: builtin_algo always). */
	const struct swdd_flash_variant *variants;
	uint32_t dbgmcu_fz_addr;   /* register that freezes the watchdogs */
	uint32_t dbgmcu_fz_bits;

	/* Read-protection level (0, 1, 2). Required. */
	int (*rdp_level)(struct swdd_target *t, int *level);
	/* Write protection: bit n set = sector n protected. Required. */
	int (*wrp_mask)(struct swdd_target *t, uint64_t *mask);
	/* The flash status register (for reports after a failure). Required. */
	int (*read_status)(struct swdd_target *t, uint32_t *sr);
	/* Names the error bits of a status value / algorithm result ("WRPERR
	 * (write protection error)..."). Required. */
	void (*decode_status)(uint32_t bits, char *buf, size_t len);
	/* RDP 1 -> 0 through the option bytes (mass-erases). Optional. */
	int (*unlock_rdp)(struct swdd_target *t);
	/* Resets the flash read caches so that the reads that follow (the
	 * checksum routine's loads, the debugger's read-back) see what the
	 * array holds, and leaves the cache enables as they were. Called by
	 * the engine before every compare, verify, qCRC and blank check, whatever
	 * the algorithm did. Fills `state` with what the caches were set to
	 * when enabled ("FLASH_ACR 0x00000705: ..."), else "". Optional (NULL:
	 * the family has no such cache). */
	int (*flush_caches)(struct swdd_target *t, char *state, size_t len);
	/* Option bytes as text. Optional. */
	int (*option_text)(struct swdd_target *t, char *buf, size_t len);
};

extern const struct swdd_flash_family stm32f4_flash_family;

/* The family of a DEV_ID, or NULL. */
const struct swdd_flash_family *swdd_flash_family_find(uint16_t dev_id);

#endif
