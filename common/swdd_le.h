/*
 * Little-endian byte order helpers: the byte order of the Cortex-M target
 * (ARMv7-M ARM A3.3.1, memory is little endian on STM32), of the USB wire
 * (USB 2.0 specification 8.1) and of the ELF files swdd reads. One set for
 * swdd; the lab (sim/) keeps its own on purpose, as it depends on nothing
 * of swdd.
 */
#ifndef SWDD_LE_H
#define SWDD_LE_H

#include <stdint.h>

static inline uint16_t swdd_le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t swdd_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline void swdd_put_le16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void swdd_put_le32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

#endif
