/*
 * CRC-32 as GDB's qCRC packet defines it (GDB manual, "General Query
 * Packets", qCRC): polynomial 0x04C11DB7, MSB first, no reflection, no final
 * xor; the caller passes the running value (GDB starts at 0xFFFFFFFF).
 * Used by the flash algorithms on the target and by swdd on the host, so
 * both compute the same value.
 */
#ifndef SWDD_FLASHALGO_CRC32_H
#define SWDD_FLASHALGO_CRC32_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t crc32_gdb_byte(uint32_t crc, uint8_t b)
{
	crc ^= (uint32_t)b << 24;
	for (int i = 0; i < 8; i++)
		crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
	return crc;
}

#endif
