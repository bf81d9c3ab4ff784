/*
 * The one bounds check of the file parsers (image.c: ELF, Intel HEX, raw
 * binary; flm.c: FLM sections and symbols). ELF64 offsets, sizes and
 * addresses are 64-bit, so `off + len` can wrap past 2^64 and look small;
 * the check is written so that nothing is ever added before comparing.
 */
#ifndef SWDD_FLASH_FILE_BOUNDS_H
#define SWDD_FLASH_FILE_BOUNDS_H

#include <stdbool.h>
#include <stdint.h>

/* A Cortex-M's address space: 32 bits (ARMv7-M ARM B3.1). */
#define SWDD_ADDR_SPACE (1ull << 32)

/* True when [off, off + len) lies inside [0, limit). */
static inline bool swdd_span_inside(uint64_t off, uint64_t len, uint64_t limit)
{
	return off <= limit && len <= limit - off;
}

#endif
