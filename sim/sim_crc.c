/*
 * The STM32F4 CRC calculation unit, after RM0090 (Rev 19) section 4 "CRC
 * calculation unit", at 0x40023000 on AHB1 (RM0090 2.3 table 1).
 *
 * 4.3: CRC_DR is one 32-bit register: a write feeds a data word into the
 * calculator, a read returns the result of the previous calculation. The
 * polynomial is the fixed CRC-32 (Ethernet) one, 0x04C11DB7; the word enters
 * MSB first, nothing is reflected, there is no final xor and no programmable
 * initial value (those came with later families' CRC units). 4.4.1: DR
 * resets to 0xFFFFFFFF. 4.4.2: CRC_IDR is an 8-bit scratch register (bits
 * 31:8 reserved, read 0) that RESET does not touch. 4.4.3: CRC_CR bit 0
 * RESET sets DR back to 0xFFFFFFFF; software can only set it and hardware
 * clears it, so CR always reads 0 here.
 *
 * Model choices where RM0090 is silent:
 * - Timing: 4.2 says one word takes 4 AHB cycles, and the unit inserts
 *   wait states when written faster. The lab's core retires one
 *   instruction per cycle; the tightest feed loop (ldr, rev, str) stores
 *   every 3 instructions, so real silicon would add about one cycle per
 *   word. The model adds none: the result is ready at the next access.
 * - Access width: 4.4 says the registers are accessed by words. A byte or
 *   half-word store of the Cortex-M4 drives its data replicated on all
 *   four byte lanes of the bus, and the F4 unit is reported to take the
 *   whole word (a byte 0xC1 computes as 0xC1C1C1C1). The model therefore
 *   treats any sub-word write as a word write of the replicated value, for
 *   the AHB-AP too (its other lanes are not seen by the lab's bus). Sub-word
 *   reads return their lanes of the word.
 * - Clock gate: with RCC_AHB1ENR.CRCEN clear (its reset value, RM0090
 *   7.3.10) the manual does not say what an access does. The model ignores
 *   writes and reads 0, without a bus error, which is how an STM32 bus
 *   matrix answers an unclocked peripheral. The registers keep their values.
 * - RCC_AHB1RSTR.CRCRST (RM0090 7.3.5) holds the unit in its reset state
 *   (sim_f407.c calls sim_crc_reset while the bit is set).
 */
#include "sim_chip_internal.h"

#define CRC_DR 0x00u  /* RM0090 4.4.1 */
#define CRC_IDR 0x04u /* RM0090 4.4.2 */
#define CRC_CR 0x08u  /* RM0090 4.4.3 */
#define CRC_CR_RESET 0x1u
#define CRC_IDR_MASK 0xFFu
#define CRC_POLY 0x04C11DB7u
#define CRC_DR_RESET 0xFFFFFFFFu

void sim_crc_reset(struct sim_crc *crc)
{
	crc->dr = CRC_DR_RESET;
	crc->idr = 0;
}

/* One 32-bit step of RM0090 4.3: the word is xored into the register and
 * shifted out MSB first through the polynomial. */
static uint32_t crc_step(uint32_t crc, uint32_t word)
{
	crc ^= word;
	for (int i = 0; i < 32; i++)
		crc = (crc & 0x80000000u) ? (crc << 1) ^ CRC_POLY : crc << 1;
	return crc;
}

static uint32_t crc_reg(const struct sim_crc *crc, uint32_t off)
{
	switch (off & ~3u) {
	case CRC_DR:
		return crc->dr;
	case CRC_IDR:
		return crc->idr;
	default:
		return 0; /* CR (RESET self-clears) and the reserved space */
	}
}

void sim_crc_read(const struct sim_crc *crc, bool clocked, uint32_t off, unsigned size, uint32_t *val)
{
	uint32_t w = clocked ? crc_reg(crc, off) : 0;

	w >>= 8 * (off & 3u);
	*val = size == 4 ? w : w & ((1u << (8 * size)) - 1u);
}

/* The word a store of `size` bytes drives on the bus: its data replicated
 * over the four byte lanes (see the top of the file). */
static uint32_t crc_lanes(uint32_t val, unsigned size)
{
	if (size == 1)
		return (val & 0xFFu) * 0x01010101u;
	if (size == 2)
		return (val & 0xFFFFu) * 0x00010001u;
	return val;
}

void sim_crc_write(struct sim_crc *crc, bool clocked, uint32_t off, unsigned size, uint32_t val)
{
	uint32_t w = crc_lanes(val, size);

	if (!clocked)
		return;
	switch (off & ~3u) {
	case CRC_DR:
		crc->dr = crc_step(crc->dr, w);
		break;
	case CRC_IDR:
		crc->idr = (uint8_t)(w & CRC_IDR_MASK);
		break;
	case CRC_CR:
		if (w & CRC_CR_RESET)
			crc->dr = CRC_DR_RESET;
		break;
	default:
		break; /* reserved: writes ignored */
	}
}
