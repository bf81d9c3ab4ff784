/*
 * swdd's own target-side checksum routine, loaded into SRAM beside whatever
 * flash algorithm is in use (a vendor FLM has no checksum function: the
 * CMSIS-Pack FLM set is Init / UnInit / EraseChip / EraseSector /
 * ProgramPage / Verify / BlankCheck). The host uses it for compare, verify,
 * qCRC and the blank checks, so the engine does not depend on an algorithm
 * extension; it keeps its checksum code apart from the flash drivers the
 * way OpenOCD does.
 *
 * Same convention as the algorithms (flm.h): arguments in r0-r2, result in
 * r0, return to the BKPT the host put in LR, no writable data. Family
 * neutral: plain loads, no peripheral. Flash caches (the STM32F4 ART,
 * RM0090 3.5) are reset by the host through the family's flush hook before
 * each call, so these loads see what the array holds.
 *
 * Built by flashalgo/flashalgo.mk with arm-none-eabi-gcc (PrgCode only, no
 * DevDscr) and embedded into swdd like the built-in algorithms.
 */
#include "crc32.h"

#include <stdint.h>

/* One CRC step of a byte from 0 (crc32.h's definition), as a constant
 * expression so the table is built by the compiler: 256 entries, 1 KiB. */
#define CRC_S(c) (((c) << 1) ^ ((0u - ((c) >> 31)) & 0x04C11DB7u))
#define CRC_E(i) CRC_S(CRC_S(CRC_S(CRC_S(CRC_S(CRC_S(CRC_S(CRC_S((uint32_t)(i) << 24))))))))
#define CRC_4(i) CRC_E(i), CRC_E((i) + 1), CRC_E((i) + 2), CRC_E((i) + 3)
#define CRC_16(i) CRC_4(i), CRC_4((i) + 4), CRC_4((i) + 8), CRC_4((i) + 12)
#define CRC_64(i) CRC_16(i), CRC_16((i) + 16), CRC_16((i) + 32), CRC_16((i) + 48)

static const uint32_t crc_table[256] = { CRC_64(0), CRC_64(64), CRC_64(128), CRC_64(192) };

static inline __attribute__((always_inline)) uint32_t crc_byte(uint32_t crc, uint32_t b)
{
	return (crc << 8) ^ crc_table[(crc >> 24) ^ (b & 0xFFu)];
}

/*
 * CRC-32 of [adr, adr+sz) continuing from `crc` (GDB's qCRC definition,
 * crc32.h). Whole words are loaded once and fed byte by byte in address
 * order (little endian): ~6 cycles per byte, 1 MiB in ~0.4 s at 16 MHz.
 */
__attribute__((used, noinline)) uint32_t Crc32(uint32_t adr, uint32_t sz, uint32_t crc)
{
	const volatile uint8_t *p = (const volatile uint8_t *)adr;

	for (; sz && ((uintptr_t)p & 3u); sz--)
		crc = crc_byte(crc, *p++);
	for (; sz >= 4; sz -= 4, p += 4) {
		uint32_t w = *(const volatile uint32_t *)p;

		crc = crc_byte(crc, w);
		crc = crc_byte(crc, w >> 8);
		crc = crc_byte(crc, w >> 16);
		crc = crc_byte(crc, w >> 24);
	}
	for (; sz; sz--)
		crc = crc_byte(crc, *p++);
	return crc;
}

/* Crc32 over each of n ranges in one call: list holds n entries { adr, sz,
 * crc }, crc the initial value in and the result out (flm_target.h). */
__attribute__((used, noinline)) int Crc32List(uint32_t *list, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++, list += 3)
		list[2] = Crc32(list[0], list[1], list[2]);
	return 0;
}
